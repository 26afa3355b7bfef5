package provenance

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/sigstore/sigstore/pkg/signature"
	sigdsse "github.com/sigstore/sigstore/pkg/signature/dsse"
)

// Envelope is a DSSE envelope (go-securesystemslib's type): a base64
// payload, its type, and one or more signatures over PAE(type, payload).
type Envelope = dsse.Envelope

// EnvelopeSignature is one signature of an Envelope.
type EnvelopeSignature = dsse.Signature

// PAE returns the DSSE pre-authentication encoding of a payload, the bytes
// every DSSE signature is made over:
// "DSSEv1" SP len(type) SP type SP len(payload) SP payload.
func PAE(payloadType string, payload []byte) []byte {
	return dsse.PAE(payloadType, payload)
}

// ParseEnvelope decodes and validates a DSSE envelope: a payload type, a
// base64 payload and at least one base64 signature.
func ParseEnvelope(data []byte) (*Envelope, error) {
	if len(data) > MaxStatementSize {
		return nil, fmt.Errorf("provenance: parse DSSE envelope: %d bytes: %w", len(data), ErrTooLarge)
	}
	var env Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("provenance: parse DSSE envelope: %w: %w", ErrInvalidEnvelope, err)
	}
	if err := ValidateEnvelope(&env); err != nil {
		return nil, err
	}
	return &env, nil
}

// ValidateEnvelope checks an envelope's shape (not its signatures).
func ValidateEnvelope(env *Envelope) error {
	if env == nil {
		return fmt.Errorf("provenance: DSSE envelope: nil: %w", ErrInvalidEnvelope)
	}
	if env.PayloadType == "" {
		return fmt.Errorf("provenance: DSSE envelope: empty payloadType: %w", ErrInvalidEnvelope)
	}
	if _, err := env.DecodeB64Payload(); err != nil {
		return fmt.Errorf("provenance: DSSE envelope: payload is not base64: %w: %w", ErrInvalidEnvelope, err)
	}
	if len(env.Signatures) == 0 {
		return fmt.Errorf("provenance: DSSE envelope: no signatures: %w", ErrInvalidEnvelope)
	}
	for i, s := range env.Signatures {
		if _, err := provDecodeB64(s.Sig); err != nil || s.Sig == "" {
			return fmt.Errorf("provenance: DSSE envelope: signatures[%d] is not base64: %w", i, ErrInvalidEnvelope)
		}
	}
	return nil
}

// provDecodeB64 accepts standard and URL base64, padded or not, as the
// DSSE spec allows.
func provDecodeB64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("not base64")
}

// EnvelopeStatement decodes the envelope's payload as an in-toto Statement.
// The signatures are NOT checked; use package verify for that.
func EnvelopeStatement(env *Envelope) (*Statement, error) {
	if err := ValidateEnvelope(env); err != nil {
		return nil, err
	}
	if env.PayloadType != PayloadTypeInToto {
		return nil, fmt.Errorf("provenance: DSSE payloadType %q is not %s: %w", env.PayloadType, PayloadTypeInToto, ErrInvalidStatement)
	}
	payload, err := env.DecodeB64Payload()
	if err != nil {
		return nil, fmt.Errorf("provenance: DSSE payload: %w", err)
	}
	return ParseStatement(payload)
}

// KeyHint returns the key identifier chaingate writes for a public key:
// the standard base64 SHA-256 of its PKIX DER encoding (what sigstore-go
// puts in a bundle's publicKey hint).
func KeyHint(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("provenance: key hint: %w", err)
	}
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:]), nil
}

// SignEnvelope signs payload as a DSSE envelope with every signer (one
// signature each, in order). Any sigstore signature.Signer works: ECDSA
// P-256/P-384, Ed25519, RSA, KMS-backed signers.
func SignEnvelope(ctx context.Context, payloadType string, payload []byte, signers ...signature.Signer) (*Envelope, error) {
	if len(signers) == 0 {
		return nil, fmt.Errorf("provenance: sign DSSE: no signers")
	}
	adapters := make([]dsse.Signer, 0, len(signers))
	for i, s := range signers {
		if s == nil {
			return nil, fmt.Errorf("provenance: sign DSSE: signer %d is nil", i)
		}
		pub, err := s.PublicKey()
		if err != nil {
			return nil, fmt.Errorf("provenance: sign DSSE: signer %d public key: %w", i, err)
		}
		hint, err := KeyHint(pub)
		if err != nil {
			return nil, err
		}
		adapters = append(adapters, &sigdsse.SignerAdapter{SignatureSigner: s, Pub: pub, PubKeyID: hint})
	}
	es, err := dsse.NewEnvelopeSigner(adapters...)
	if err != nil {
		return nil, fmt.Errorf("provenance: sign DSSE: %w", err)
	}
	env, err := es.SignPayload(ctx, payloadType, payload)
	if err != nil {
		return nil, fmt.Errorf("provenance: sign DSSE: %w", err)
	}
	return env, nil
}

// SignStatement validates stmt and signs it as a DSSE envelope of type
// application/vnd.in-toto+json.
func SignStatement(ctx context.Context, stmt *Statement, signers ...signature.Signer) (*Envelope, error) {
	payload, err := stmt.Marshal()
	if err != nil {
		return nil, err
	}
	return SignEnvelope(ctx, PayloadTypeInToto, payload, signers...)
}

// MarshalEnvelope encodes an envelope as JSON.
func MarshalEnvelope(env *Envelope) ([]byte, error) {
	if err := ValidateEnvelope(env); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(env); err != nil {
		return nil, fmt.Errorf("provenance: marshal DSSE envelope: %w", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
