package provenance

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
)

// Annotations cosign writes on signature layers (sha256-<hex>.sig tags).
const (
	CosignSignatureAnnotation   = "dev.cosignproject.cosign/signature"
	CosignCertificateAnnotation = "dev.sigstore.cosign/certificate"
	CosignChainAnnotation       = "dev.sigstore.cosign/chain"
	CosignBundleAnnotation      = "dev.sigstore.cosign/bundle"
	CosignSimpleSigningType     = "application/vnd.dev.cosign.simplesigning.v1+json"
	CosignSimpleSigningCritical = "cosign container image signature"
)

// SimpleSigning is the payload cosign signs for an image: the image's
// manifest digest and the reference it was signed as.
type SimpleSigning struct {
	Critical struct {
		Identity struct {
			DockerReference string `json:"docker-reference"`
		} `json:"identity"`
		Image struct {
			DockerManifestDigest string `json:"docker-manifest-digest"`
		} `json:"image"`
		Type string `json:"type"`
	} `json:"critical"`
	Optional map[string]any `json:"optional,omitempty"`
}

// NewSimpleSigning returns the payload for an image digest ("sha256:...").
func NewSimpleSigning(dockerReference, manifestDigest string) *SimpleSigning {
	s := &SimpleSigning{}
	s.Critical.Identity.DockerReference = dockerReference
	s.Critical.Image.DockerManifestDigest = manifestDigest
	s.Critical.Type = CosignSimpleSigningCritical
	return s
}

// ParseSimpleSigning decodes and checks a cosign simple-signing payload.
func ParseSimpleSigning(data []byte) (*SimpleSigning, error) {
	if len(data) > MaxStatementSize {
		return nil, fmt.Errorf("provenance: parse simple signing: %w", ErrTooLarge)
	}
	var s SimpleSigning
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("provenance: parse simple signing: %w", err)
	}
	if s.Critical.Type != CosignSimpleSigningCritical {
		return nil, fmt.Errorf("provenance: parse simple signing: critical.type %q", s.Critical.Type)
	}
	if !strings.Contains(s.Critical.Image.DockerManifestDigest, ":") {
		return nil, fmt.Errorf("provenance: parse simple signing: bad docker-manifest-digest %q", s.Critical.Image.DockerManifestDigest)
	}
	return &s, nil
}

// CosignSignature is a plain signature + certificate pair as cosign writes
// it: a payload, a base64 signature over it, and optionally a PEM
// certificate and chain (keyless) — or none (key-signed).
type CosignSignature struct {
	Payload     []byte
	Signature   []byte
	Certificate *x509.Certificate
	Chain       []*x509.Certificate
	// Rekor is the transparency-log entry cosign stores in the
	// dev.sigstore.cosign/bundle annotation, if any.
	Rekor *CosignRekorBundle
}

// CosignRekorBundle is cosign's dev.sigstore.cosign/bundle annotation: a
// Rekor entry with its signed entry timestamp (inclusion promise).
type CosignRekorBundle struct {
	SignedEntryTimestamp []byte `json:"SignedEntryTimestamp"`
	Payload              struct {
		Body           string `json:"body"`
		IntegratedTime int64  `json:"integratedTime"`
		LogIndex       int64  `json:"logIndex"`
		LogID          string `json:"logID"`
	} `json:"Payload"`
}

// TransparencyLogEntry converts the annotation to the bundle's log-entry
// form (body, kind, index, log ID, integrated time, inclusion promise).
func (rb *CosignRekorBundle) TransparencyLogEntry() (*protorekor.TransparencyLogEntry, error) {
	body, err := base64.StdEncoding.DecodeString(rb.Payload.Body)
	if err != nil {
		return nil, fmt.Errorf("provenance: cosign rekor bundle body: %w", err)
	}
	logID, err := hex.DecodeString(rb.Payload.LogID)
	if err != nil {
		return nil, fmt.Errorf("provenance: cosign rekor bundle log ID: %w", err)
	}
	var head struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return nil, fmt.Errorf("provenance: cosign rekor bundle body: %w", err)
	}
	return &protorekor.TransparencyLogEntry{
		LogIndex:          rb.Payload.LogIndex,
		LogId:             &protocommon.LogId{KeyId: logID},
		KindVersion:       &protorekor.KindVersion{Kind: head.Kind, Version: head.APIVersion},
		IntegratedTime:    rb.Payload.IntegratedTime,
		InclusionPromise:  &protorekor.InclusionPromise{SignedEntryTimestamp: rb.SignedEntryTimestamp},
		CanonicalizedBody: body,
	}, nil
}

// ParseCosignRekorBundle parses cosign's dev.sigstore.cosign/bundle annotation.
func ParseCosignRekorBundle(annotation []byte) (*CosignRekorBundle, error) {
	if len(annotation) > 1<<20 {
		return nil, fmt.Errorf("provenance: cosign rekor bundle: %w", ErrTooLarge)
	}
	var rb CosignRekorBundle
	if err := json.Unmarshal(annotation, &rb); err != nil {
		return nil, fmt.Errorf("provenance: cosign rekor bundle: %w", err)
	}
	if len(rb.SignedEntryTimestamp) == 0 || rb.Payload.Body == "" || rb.Payload.LogID == "" {
		return nil, fmt.Errorf("provenance: cosign rekor bundle: missing signed entry timestamp, body or log ID")
	}
	return &rb, nil
}

// SetRekorBundle parses cosign's dev.sigstore.cosign/bundle annotation.
func (c *CosignSignature) SetRekorBundle(annotation []byte) error {
	rb, err := ParseCosignRekorBundle(annotation)
	if err != nil {
		return err
	}
	c.Rekor = rb
	return nil
}

// ParseCosignSignature decodes a cosign signature pair. sigBase64 is the
// annotation or .sig file content; certPEM and chainPEM may be empty.
func ParseCosignSignature(payload []byte, sigBase64 string, certPEM, chainPEM []byte) (*CosignSignature, error) {
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(sigBase64))
	if err != nil || len(sig) == 0 {
		return nil, fmt.Errorf("provenance: parse cosign signature: signature is not base64")
	}
	cs := &CosignSignature{Payload: payload, Signature: sig}
	if len(certPEM) > 0 {
		certs, err := provParseCerts(certPEM)
		if err != nil {
			return nil, fmt.Errorf("provenance: parse cosign signature: certificate: %w", err)
		}
		cs.Certificate = certs[0]
	}
	if len(chainPEM) > 0 {
		certs, err := provParseCerts(chainPEM)
		if err != nil {
			return nil, fmt.Errorf("provenance: parse cosign signature: chain: %w", err)
		}
		cs.Chain = certs
	}
	return cs, nil
}

func provParseCerts(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no PEM certificate")
	}
	return out, nil
}

// Bundle converts the pair to a v0.3 Sigstore bundle with a SHA-256
// message signature over the payload, so package verify can check it like
// any bundle. keyHint is used when there is no certificate. With a Rekor
// entry (SetRekorBundle) the result is a v0.1 bundle carrying that entry
// and its inclusion promise; without one it has no log entry.
func (c *CosignSignature) Bundle(keyHint string) ([]byte, error) {
	sum := sha256.Sum256(c.Payload)
	pb := &protobundle.Bundle{
		MediaType:            BundleMediaTypeV03,
		VerificationMaterial: &protobundle.VerificationMaterial{},
		Content: &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: sum[:]},
			Signature:     c.Signature,
		}},
	}
	if c.Rekor != nil {
		// A log entry with only an inclusion promise fits bundle v0.1.
		tle, err := c.Rekor.TransparencyLogEntry()
		if err != nil {
			return nil, err
		}
		pb.MediaType = BundleMediaTypeV01
		pb.VerificationMaterial.TlogEntries = []*protorekor.TransparencyLogEntry{tle}
	}
	if c.Certificate != nil {
		if c.Rekor != nil {
			pb.VerificationMaterial.Content = &protobundle.VerificationMaterial_X509CertificateChain{
				X509CertificateChain: &protocommon.X509CertificateChain{Certificates: []*protocommon.X509Certificate{{RawBytes: c.Certificate.Raw}}},
			}
		} else {
			pb.VerificationMaterial.Content = &protobundle.VerificationMaterial_Certificate{
				Certificate: &protocommon.X509Certificate{RawBytes: c.Certificate.Raw},
			}
		}
	} else {
		pb.VerificationMaterial.Content = &protobundle.VerificationMaterial_PublicKey{
			PublicKey: &protocommon.PublicKeyIdentifier{Hint: keyHint},
		}
	}
	return marshalProtoBundle(pb)
}
