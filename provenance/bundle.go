package provenance

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/options"
	"google.golang.org/protobuf/encoding/protojson"
)

// Bundle media types by version.
const (
	BundleMediaTypeV01 = "application/vnd.dev.sigstore.bundle+json;version=0.1"
	BundleMediaTypeV02 = "application/vnd.dev.sigstore.bundle+json;version=0.2"
	BundleMediaTypeV03 = "application/vnd.dev.sigstore.bundle.v0.3+json"
)

// Bundle is a parsed Sigstore bundle (v0.1, v0.2 or v0.3). Parsing checks
// structure only; package verify checks signatures, logs and timestamps.
// Its API is the few methods below: sigstore-go's bundle type is kept
// behind Sigstore, so that its method set is not part of ours.
type Bundle struct {
	b *bundle.Bundle
}

// Sigstore returns the parsed sigstore-go bundle, for callers that hand it
// to sigstore-go themselves. It is nil for a zero Bundle.
func (b *Bundle) Sigstore() *bundle.Bundle {
	if b == nil {
		return nil
	}
	return b.b
}

// ParseBundle decodes a Sigstore bundle from JSON. v0.3 bundles may carry a
// certificate chain only if allowChain is set by ParseBundleAllowChain.
func ParseBundle(data []byte) (*Bundle, error) {
	return parseBundle(data, false)
}

// ParseBundleAllowChain is ParseBundle accepting v0.3 bundles that carry
// a certificate chain (private Fulcio deployments with intermediates).
func ParseBundleAllowChain(data []byte) (*Bundle, error) {
	return parseBundle(data, true)
}

func parseBundle(data []byte, allowChain bool) (*Bundle, error) {
	if len(data) > MaxStatementSize {
		return nil, fmt.Errorf("provenance: parse bundle: %d bytes: %w", len(data), ErrTooLarge)
	}
	var pb protobundle.Bundle
	if err := protojson.Unmarshal(data, &pb); err != nil {
		return nil, fmt.Errorf("provenance: parse bundle: %w: %w", ErrInvalidBundle, err)
	}
	var opts []bundle.Option
	if allowChain {
		opts = append(opts, bundle.AllowCertificateChain())
	}
	b, err := bundle.NewBundle(&pb, opts...)
	if err != nil {
		return nil, fmt.Errorf("provenance: parse bundle: %w: %w", ErrInvalidBundle, err)
	}
	return &Bundle{b: b}, nil
}

// BundleVersion returns the bundle's version ("v0.1", "v0.2", "v0.3").
func (b *Bundle) BundleVersion() string {
	if b.Sigstore() == nil {
		return ""
	}
	v, err := b.b.Version()
	if err != nil {
		return ""
	}
	return v
}

// DSSEEnvelope returns the bundle's DSSE envelope, or an error when the
// bundle holds a message signature instead.
func (b *Bundle) DSSEEnvelope() (*Envelope, error) {
	if b.Sigstore() == nil {
		return nil, fmt.Errorf("provenance: empty bundle: %w", ErrInvalidBundle)
	}
	e := b.b.GetDsseEnvelope()
	if e == nil {
		return nil, fmt.Errorf("provenance: bundle has no DSSE envelope: %w", ErrInvalidBundle)
	}
	env := &Envelope{
		PayloadType: e.GetPayloadType(),
		Payload:     base64.StdEncoding.EncodeToString(e.GetPayload()),
	}
	for _, s := range e.GetSignatures() {
		env.Signatures = append(env.Signatures, EnvelopeSignature{KeyID: s.GetKeyid(), Sig: base64.StdEncoding.EncodeToString(s.GetSig())})
	}
	return env, nil
}

// Statement returns the in-toto Statement inside the bundle's DSSE
// envelope, unverified.
func (b *Bundle) Statement() (*Statement, error) {
	env, err := b.DSSEEnvelope()
	if err != nil {
		return nil, err
	}
	return EnvelopeStatement(env)
}

// MarshalBundle encodes a sigstore-go or protobuf bundle as JSON.
func marshalProtoBundle(pb *protobundle.Bundle) ([]byte, error) {
	out, err := protojson.Marshal(pb)
	if err != nil {
		return nil, fmt.Errorf("provenance: marshal bundle: %w", err)
	}
	return out, nil
}

// SignStatementBundle signs stmt as DSSE with signer and returns a v0.3
// Sigstore bundle (JSON) whose verification material is a public-key hint
// (KeyHint of the signer's key). No transparency log or timestamp is
// contacted: verifying such a bundle needs the public key and, in package
// verify, an explicit opt-in for bundles without a log entry.
func SignStatementBundle(ctx context.Context, signer signature.Signer, stmt *Statement) ([]byte, error) {
	payload, err := stmt.Marshal()
	if err != nil {
		return nil, err
	}
	return SignPayloadBundle(ctx, signer, PayloadTypeInToto, payload)
}

// SignPayloadBundle signs any payload as DSSE and returns a v0.3 bundle
// with a public-key hint.
func SignPayloadBundle(ctx context.Context, signer signature.Signer, payloadType string, payload []byte) ([]byte, error) {
	kp, err := NewKeypair(signer)
	if err != nil {
		return nil, err
	}
	if payloadType == "" {
		return nil, fmt.Errorf("provenance: sign bundle: empty payload type")
	}
	sig, _, err := kp.SignData(ctx, PAE(payloadType, payload))
	if err != nil {
		return nil, err
	}
	pb := provKeyBundle(kp)
	pb.Content = &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
		Payload:     payload,
		PayloadType: payloadType,
		Signatures:  []*protodsse.Signature{{Sig: sig}},
	}}
	return marshalProtoBundle(pb)
}

// SignArtifactBundle signs artifact bytes as a message signature and
// returns a v0.3 bundle with a public-key hint.
func SignArtifactBundle(ctx context.Context, signer signature.Signer, artifact []byte) ([]byte, error) {
	kp, err := NewKeypair(signer)
	if err != nil {
		return nil, err
	}
	sig, digest, err := kp.SignData(ctx, artifact)
	if err != nil {
		return nil, err
	}
	if kp.hash == crypto.Hash(0) {
		// Ed25519 signs the message itself; the bundle still records a
		// SHA-512 digest of it, as sigstore-go does.
		sum := sha512.Sum512(artifact)
		digest = sum[:]
	}
	pb := provKeyBundle(kp)
	alg := kp.GetHashAlgorithm()
	if alg == protocommon.HashAlgorithm_HASH_ALGORITHM_UNSPECIFIED {
		alg = protocommon.HashAlgorithm_SHA2_512
	}
	pb.Content = &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
		MessageDigest: &protocommon.HashOutput{Algorithm: alg, Digest: digest},
		Signature:     sig,
	}}
	return marshalProtoBundle(pb)
}

// provKeyBundle starts a v0.3 bundle whose verification material is the
// key's hint. It is written by hand rather than with sigstore-go's
// sign.Bundle because importing package sign pulls its Fulcio/OIDC HTTP
// clients (go-oidc, go-jose, retryablehttp) into every user's module graph
// for a few lines of protobuf assembly.
func provKeyBundle(kp *Keypair) *protobundle.Bundle {
	return &protobundle.Bundle{
		MediaType: BundleMediaTypeV03,
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_PublicKey{
				PublicKey: &protocommon.PublicKeyIdentifier{Hint: kp.hint},
			},
		},
	}
}

// Keypair adapts a sigstore signature.Signer to the method set of
// sigstore-go's sign.Keypair so any signer (file key, KMS, HSM) can produce Sigstore bundles. The
// signer must hash with its key's default hash (SHA-256 for P-256 and RSA,
// SHA-384 for P-384, SHA-512 for P-521, none for Ed25519), as
// signature.LoadDefaultSigner does.
type Keypair struct {
	signer  signature.Signer
	pub     crypto.PublicKey
	hint    string
	hash    crypto.Hash
	details protocommon.PublicKeyDetails
	keyAlg  string
}

// NewKeypair wraps signer.
func NewKeypair(signer signature.Signer) (*Keypair, error) {
	if signer == nil {
		return nil, errors.New("provenance: keypair: nil signer")
	}
	pub, err := signer.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("provenance: keypair: public key: %w", err)
	}
	hint, err := KeyHint(pub)
	if err != nil {
		return nil, err
	}
	kp := &Keypair{signer: signer, pub: pub, hint: hint}
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		kp.keyAlg = "ECDSA"
		switch k.Curve {
		case elliptic.P256():
			kp.hash, kp.details = crypto.SHA256, protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256
		case elliptic.P384():
			kp.hash, kp.details = crypto.SHA384, protocommon.PublicKeyDetails_PKIX_ECDSA_P384_SHA_384
		case elliptic.P521():
			kp.hash, kp.details = crypto.SHA512, protocommon.PublicKeyDetails_PKIX_ECDSA_P521_SHA_512
		default:
			return nil, fmt.Errorf("provenance: keypair: unsupported ECDSA curve %s", k.Curve.Params().Name)
		}
	case ed25519.PublicKey:
		kp.keyAlg, kp.hash, kp.details = "ED25519", crypto.Hash(0), protocommon.PublicKeyDetails_PKIX_ED25519
	case *rsa.PublicKey:
		kp.keyAlg, kp.hash = "RSA", crypto.SHA256
		switch k.Size() * 8 {
		case 2048:
			kp.details = protocommon.PublicKeyDetails_PKIX_RSA_PKCS1V15_2048_SHA256
		case 3072:
			kp.details = protocommon.PublicKeyDetails_PKIX_RSA_PKCS1V15_3072_SHA256
		case 4096:
			kp.details = protocommon.PublicKeyDetails_PKIX_RSA_PKCS1V15_4096_SHA256
		default:
			return nil, fmt.Errorf("provenance: keypair: unsupported RSA size %d", k.Size()*8)
		}
	default:
		return nil, fmt.Errorf("provenance: keypair: unsupported key type %T", pub)
	}
	return kp, nil
}

// GetHashAlgorithm returns the digest algorithm of message signatures.
func (k *Keypair) GetHashAlgorithm() protocommon.HashAlgorithm {
	switch k.hash {
	case crypto.SHA384:
		return protocommon.HashAlgorithm_SHA2_384
	case crypto.SHA512:
		return protocommon.HashAlgorithm_SHA2_512
	case crypto.SHA256:
		return protocommon.HashAlgorithm_SHA2_256
	default:
		return protocommon.HashAlgorithm_HASH_ALGORITHM_UNSPECIFIED
	}
}

// GetSigningAlgorithm returns the key's algorithm details.
func (k *Keypair) GetSigningAlgorithm() protocommon.PublicKeyDetails { return k.details }

// GetHint returns the public-key hint written into bundles.
func (k *Keypair) GetHint() []byte { return []byte(k.hint) }

// GetKeyAlgorithm returns "ECDSA", "ED25519" or "RSA".
func (k *Keypair) GetKeyAlgorithm() string { return k.keyAlg }

// GetPublicKey returns the public key.
func (k *Keypair) GetPublicKey() crypto.PublicKey { return k.pub }

// GetPublicKeyPem returns the public key as PEM.
func (k *Keypair) GetPublicKeyPem() (string, error) {
	b, err := cryptoutils.MarshalPublicKeyToPEM(k.pub)
	if err != nil {
		return "", fmt.Errorf("provenance: keypair: %w", err)
	}
	return string(b), nil
}

// SignData signs data and returns the signature and the digest that was
// signed (the data itself for Ed25519).
func (k *Keypair) SignData(ctx context.Context, data []byte) ([]byte, []byte, error) {
	sig, err := k.signer.SignMessage(bytes.NewReader(data), options.WithContext(ctx))
	if err != nil {
		return nil, nil, fmt.Errorf("provenance: sign: %w", err)
	}
	digest := data
	if k.hash != crypto.Hash(0) {
		h := k.hash.New()
		h.Write(data)
		digest = h.Sum(nil)
	}
	return sig, digest, nil
}
