// Package verifytest provides an in-process Sigstore (CA, transparency
// log, CT log and timestamp authority, from sigstore-go's VirtualSigstore)
// that issues real Sigstore bundles, so code using package verify can be
// tested with certificate-signed bundles, positive and negative, offline.
package verifytest

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/chaingate/chaingate/verify"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"google.golang.org/protobuf/encoding/protojson"
)

// Sigstore is an in-process Sigstore deployment. Its certificates carry no
// SCTs, so verifiers for it need verify.WithoutSCTUnsafe (and a default
// verifier rejecting its bundles is itself a useful negative test).
type Sigstore struct {
	vs *ca.VirtualSigstore
}

// New creates a fresh deployment with new keys.
func New() (*Sigstore, error) {
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		return nil, fmt.Errorf("verifytest: %w", err)
	}
	return &Sigstore{vs: vs}, nil
}

// TrustedRoot returns the deployment's trust material.
func (s *Sigstore) TrustedRoot() *verify.TrustedRoot {
	return verify.NewTrustedMaterial(s.vs)
}

// BundleOptions shapes a generated bundle.
type BundleOptions struct {
	// IntegratedTime is the log entry time (default: now + 5 minutes,
	// inside the leaf certificate's validity).
	IntegratedTime time.Time
	// WithTimestamp adds an RFC 3161 timestamp from the deployment's TSA.
	WithTimestamp bool
	// RekorV2 logs a Rekor v2 (tiles) hashedrekord entry with a signed
	// checkpoint and inclusion proof instead of a Rekor v1 entry with a
	// signed entry timestamp. Rekor v2 has no integrated time, so the
	// bundle always carries an RFC 3161 timestamp. Attest only.
	RekorV2 bool
}

// Attest signs an in-toto statement (JSON) as a keyless DSSE bundle for
// identity (the certificate SAN) and issuer, logged in the deployment's log.
func (s *Sigstore) Attest(identity, issuer string, statement []byte, opts BundleOptions) ([]byte, error) {
	t := opts.IntegratedTime
	if t.IsZero() {
		t = time.Now().Add(5 * time.Minute)
	}
	var (
		e   *ca.TestEntity
		err error
	)
	if opts.RekorV2 {
		e, err = s.vs.AttestAtTimeHashedRekordV2(identity, issuer, statement, t)
		opts.WithTimestamp = true
	} else {
		e, err = s.vs.AttestAtTime(identity, issuer, statement, t, false)
	}
	if err != nil {
		return nil, fmt.Errorf("verifytest: attest: %w", err)
	}
	return s.toBundle(e, opts)
}

// Sign signs artifact bytes as a keyless message-signature bundle.
func (s *Sigstore) Sign(identity, issuer string, artifact []byte, opts BundleOptions) ([]byte, error) {
	t := opts.IntegratedTime
	if t.IsZero() {
		t = time.Now().Add(5 * time.Minute)
	}
	e, err := s.vs.SignAtTime(identity, issuer, artifact, t)
	if err != nil {
		return nil, fmt.Errorf("verifytest: sign: %w", err)
	}
	return s.toBundle(e, opts)
}

func (s *Sigstore) toBundle(e *ca.TestEntity, opts BundleOptions) ([]byte, error) {
	vc, err := e.VerificationContent()
	if err != nil {
		return nil, err
	}
	leaf := vc.Certificate()
	if leaf == nil {
		return nil, fmt.Errorf("verifytest: entity has no certificate")
	}
	pb := &protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle+json;version=0.1",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_X509CertificateChain{X509CertificateChain: &protocommon.X509CertificateChain{
				Certificates: []*protocommon.X509Certificate{{RawBytes: leaf.Raw}},
			}},
		},
	}
	entries, err := e.TlogEntries()
	if err != nil {
		return nil, err
	}
	if opts.RekorV2 {
		// Rekor v2 entries carry an inclusion proof: bundle v0.3.
		pb.MediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"
		pb.VerificationMaterial.Content = &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: leaf.Raw}}
	}
	for _, ent := range entries {
		if ent.IsRekorV2() {
			pb.VerificationMaterial.TlogEntries = append(pb.VerificationMaterial.TlogEntries, ent.TransparencyLogEntry())
			continue
		}
		tle, err := s.fullEntry(ent)
		if err != nil {
			return nil, err
		}
		pb.VerificationMaterial.TlogEntries = append(pb.VerificationMaterial.TlogEntries, tle)
	}
	if opts.WithTimestamp {
		ts, err := e.Timestamps()
		if err != nil {
			return nil, err
		}
		tvd := &protobundle.TimestampVerificationData{}
		for _, t := range ts {
			tvd.Rfc3161Timestamps = append(tvd.Rfc3161Timestamps, &protocommon.RFC3161SignedTimestamp{SignedTimestamp: t})
		}
		pb.VerificationMaterial.TimestampVerificationData = tvd
	}
	sc, err := e.SignatureContent()
	if err != nil {
		return nil, err
	}
	if env, ok := sc.(*bundle.Envelope); ok {
		payload, err := env.DecodeB64Payload()
		if err != nil {
			return nil, err
		}
		pe := &protodsse.Envelope{Payload: payload, PayloadType: env.PayloadType}
		for _, sig := range env.Signatures {
			raw, err := base64.StdEncoding.DecodeString(sig.Sig)
			if err != nil {
				return nil, err
			}
			pe.Signatures = append(pe.Signatures, &protodsse.Signature{Sig: raw, Keyid: sig.KeyID})
		}
		pb.Content = &protobundle.Bundle_DsseEnvelope{DsseEnvelope: pe}
	} else if ms := sc.MessageSignatureContent(); ms != nil {
		alg := protocommon.HashAlgorithm(protocommon.HashAlgorithm_value[ms.DigestAlgorithm()])
		pb.Content = &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: alg, Digest: ms.Digest()},
			Signature:     ms.Signature(),
		}}
	}
	return protojson.Marshal(pb)
}

// fullEntry completes the entry's protobuf form with its kind and the
// log's signed entry timestamp, which tlog.Entry keeps private.
func (s *Sigstore) fullEntry(ent *tlog.Entry) (*protorekor.TransparencyLogEntry, error) {
	tle := ent.TransparencyLogEntry()
	var head struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal(tle.GetCanonicalizedBody(), &head); err != nil {
		return nil, fmt.Errorf("verifytest: log entry body: %w", err)
	}
	set, err := s.vs.RekorSignPayload(tlog.RekorPayload{
		Body:           base64.StdEncoding.EncodeToString(tle.GetCanonicalizedBody()),
		IntegratedTime: tle.GetIntegratedTime(),
		LogIndex:       tle.GetLogIndex(),
		LogID:          hex.EncodeToString(tle.GetLogId().GetKeyId()),
	})
	if err != nil {
		return nil, fmt.Errorf("verifytest: sign log entry: %w", err)
	}
	out := &protorekor.TransparencyLogEntry{
		LogIndex:          tle.GetLogIndex(),
		LogId:             tle.GetLogId(),
		KindVersion:       &protorekor.KindVersion{Kind: head.Kind, Version: head.APIVersion},
		IntegratedTime:    tle.GetIntegratedTime(),
		InclusionPromise:  &protorekor.InclusionPromise{SignedEntryTimestamp: set},
		InclusionProof:    tle.GetInclusionProof(),
		CanonicalizedBody: tle.GetCanonicalizedBody(),
	}
	return out, nil
}

// CosignSignature signs payload (a cosign simple-signing document) the way
// keyless cosign does and returns the values cosign stores on the
// signature layer: the base64 signature, the PEM certificate, and the
// dev.sigstore.cosign/bundle annotation (Rekor entry and SET).
func (s *Sigstore) CosignSignature(identity, issuer string, payload []byte) (sigB64 string, certPEM, rekorBundle []byte, err error) {
	e, err := s.vs.SignAtTime(identity, issuer, payload, time.Now().Add(5*time.Minute))
	if err != nil {
		return "", nil, nil, fmt.Errorf("verifytest: cosign sign: %w", err)
	}
	vc, err := e.VerificationContent()
	if err != nil {
		return "", nil, nil, err
	}
	sc, err := e.SignatureContent()
	if err != nil {
		return "", nil, nil, err
	}
	ms := sc.MessageSignatureContent()
	if ms == nil {
		return "", nil, nil, fmt.Errorf("verifytest: cosign sign: no message signature")
	}
	entries, err := e.TlogEntries()
	if err != nil || len(entries) == 0 {
		return "", nil, nil, fmt.Errorf("verifytest: cosign sign: no log entry: %v", err)
	}
	rekorBundle, err = s.rekorAnnotation(entries[0])
	if err != nil {
		return "", nil, nil, err
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: vc.Certificate().Raw})
	return base64.StdEncoding.EncodeToString(ms.Signature()), certPEM, rekorBundle, nil
}

// CosignAttestation signs an in-toto statement the way keyless
// `cosign attest` does and returns what cosign stores on the .att layer:
// the DSSE envelope JSON, the PEM certificate and the
// dev.sigstore.cosign/bundle annotation.
func (s *Sigstore) CosignAttestation(identity, issuer string, statement []byte) (envelope, certPEM, rekorBundle []byte, err error) {
	e, err := s.vs.AttestAtTime(identity, issuer, statement, time.Now().Add(5*time.Minute), false)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("verifytest: cosign attest: %w", err)
	}
	vc, err := e.VerificationContent()
	if err != nil {
		return nil, nil, nil, err
	}
	sc, err := e.SignatureContent()
	if err != nil {
		return nil, nil, nil, err
	}
	env, ok := sc.(*bundle.Envelope)
	if !ok {
		return nil, nil, nil, fmt.Errorf("verifytest: cosign attest: no envelope")
	}
	envelope, err = json.Marshal(env.Envelope)
	if err != nil {
		return nil, nil, nil, err
	}
	entries, err := e.TlogEntries()
	if err != nil || len(entries) == 0 {
		return nil, nil, nil, fmt.Errorf("verifytest: cosign attest: no log entry: %v", err)
	}
	rekorBundle, err = s.rekorAnnotation(entries[0])
	if err != nil {
		return nil, nil, nil, err
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: vc.Certificate().Raw})
	return envelope, certPEM, rekorBundle, nil
}

func (s *Sigstore) rekorAnnotation(ent *tlog.Entry) ([]byte, error) {
	tle, err := s.fullEntry(ent)
	if err != nil {
		return nil, err
	}
	var rb struct {
		SignedEntryTimestamp []byte `json:"SignedEntryTimestamp"`
		Payload              struct {
			Body           string `json:"body"`
			IntegratedTime int64  `json:"integratedTime"`
			LogIndex       int64  `json:"logIndex"`
			LogID          string `json:"logID"`
		} `json:"Payload"`
	}
	rb.SignedEntryTimestamp = tle.GetInclusionPromise().GetSignedEntryTimestamp()
	rb.Payload.Body = base64.StdEncoding.EncodeToString(tle.GetCanonicalizedBody())
	rb.Payload.IntegratedTime = tle.GetIntegratedTime()
	rb.Payload.LogIndex = tle.GetLogIndex()
	rb.Payload.LogID = hex.EncodeToString(tle.GetLogId().GetKeyId())
	return json.Marshal(rb)
}
