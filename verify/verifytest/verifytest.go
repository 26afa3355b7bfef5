// Package verifytest provides an in-process Sigstore (CA, transparency
// log, CT log and timestamp authority, from sigstore-go's VirtualSigstore)
// that issues real Sigstore bundles, so code using package verify can be
// tested with certificate-signed bundles, positive and negative, offline.
package verifytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"time"

	"github.com/chaingate/chaingate/provenance"
	"github.com/chaingate/chaingate/verify"
	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	sgverify "github.com/sigstore/sigstore-go/pkg/verify"
	"google.golang.org/protobuf/encoding/protojson"
)

// Sigstore is an in-process Sigstore deployment. Its certificates carry no
// SCTs, so verifiers for it need verify.WithoutSCTUnsafe (and a default
// verifier rejecting its bundles is itself a useful negative test).
type Sigstore struct {
	vs *ca.VirtualSigstore
	// ext is a second Fulcio CA of the deployment that issues leaf
	// certificates with chosen extensions (BundleOptions.Extensions):
	// sigstore-go's VirtualSigstore issues only an issuer extension and
	// keeps its CA key private.
	ext    *root.FulcioCertificateAuthority
	extKey *ecdsa.PrivateKey
}

// New creates a fresh deployment with new keys.
func New() (*Sigstore, error) {
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		return nil, fmt.Errorf("verifytest: %w", err)
	}
	rootCert, rootKey, err := ca.GenerateRootCa()
	if err != nil {
		return nil, fmt.Errorf("verifytest: %w", err)
	}
	inter, interKey, err := ca.GenerateFulcioIntermediate(rootCert, rootKey)
	if err != nil {
		return nil, fmt.Errorf("verifytest: %w", err)
	}
	ext := &root.FulcioCertificateAuthority{
		Root:                rootCert,
		Intermediates:       []*x509.Certificate{inter},
		ValidityPeriodStart: time.Now().Add(-5 * time.Hour),
		ValidityPeriodEnd:   time.Now().Add(time.Hour),
		URI:                 "https://virtual-extensions.fulcio.sigstore.dev",
	}
	return &Sigstore{vs: vs, ext: ext, extKey: interKey}, nil
}

// extCA adds the extensions CA to the deployment's trust material.
type extCA struct {
	root.BaseTrustedMaterial
	ca *root.FulcioCertificateAuthority
}

// FulcioCertificateAuthorities returns the extensions CA alone.
func (e *extCA) FulcioCertificateAuthorities() []root.CertificateAuthority {
	return []root.CertificateAuthority{e.ca}
}

// TrustedRoot returns the deployment's trust material.
func (s *Sigstore) TrustedRoot() *verify.TrustedRoot {
	return verify.NewTrustedMaterial(root.TrustedMaterialCollection{s.vs, &extCA{ca: s.ext}})
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
	// Extensions, when set, issues the signing certificate with these
	// Fulcio extensions (GitHub Actions build signer, source repository,
	// ref, commit, build config, trigger ...), as Fulcio does for CI
	// workload identities; an identity with "://" becomes a URI SAN.
	// Extensions.Issuer is ignored: the issuer argument is used. Attest
	// only, Rekor v1 only.
	Extensions *verify.Extensions
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
	if opts.Extensions != nil {
		if opts.RekorV2 {
			return nil, fmt.Errorf("verifytest: attest: Extensions with RekorV2 is not supported")
		}
		return s.attestWithExtensions(identity, issuer, statement, t, opts)
	}
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

// sgSignatureContent is sigstore-go's signature content: a DSSE envelope
// or a message signature.
type sgSignatureContent = sgverify.SignatureContent

func (s *Sigstore) toBundle(e *ca.TestEntity, opts BundleOptions) ([]byte, error) {
	vc, err := e.VerificationContent()
	if err != nil {
		return nil, err
	}
	leaf := vc.Certificate()
	if leaf == nil {
		return nil, fmt.Errorf("verifytest: entity has no certificate")
	}
	sc, err := e.SignatureContent()
	if err != nil {
		return nil, err
	}
	return s.assemble(leaf, e.TlogEntries, e.Timestamps, sc, opts)
}

// attestWithExtensions issues a leaf from the extensions CA, signs the
// statement as DSSE with it, logs it in the deployment's Rekor and
// assembles the bundle as toBundle does.
func (s *Sigstore) attestWithExtensions(identity, issuer string, statement []byte, t time.Time, opts BundleOptions) ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	leaf, err := s.leafWithExtensions(identity, issuer, *opts.Extensions, key)
	if err != nil {
		return nil, fmt.Errorf("verifytest: attest: certificate: %w", err)
	}
	digest := sha256.Sum256(provenance.PAE(provenance.PayloadTypeInToto, statement))
	sig, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	if err != nil {
		return nil, err
	}
	env := &dsse.Envelope{
		PayloadType: provenance.PayloadTypeInToto,
		Payload:     base64.StdEncoding.EncodeToString(statement),
		Signatures:  []dsse.Signature{{Sig: base64.StdEncoding.EncodeToString(sig)}},
	}
	entry, err := s.vs.GenerateTlogEntry(leaf, env, sig, t.Unix(), false)
	if err != nil {
		return nil, fmt.Errorf("verifytest: attest: log entry: %w", err)
	}
	entries := func() ([]*tlog.Entry, error) { return []*tlog.Entry{entry}, nil }
	timestamps := func() ([][]byte, error) {
		ts, err := s.vs.TimestampResponse(sig)
		if err != nil {
			return nil, err
		}
		return [][]byte{ts}, nil
	}
	return s.assemble(leaf, entries, timestamps, &bundle.Envelope{Envelope: env}, opts)
}

// leafWithExtensions is a Fulcio-shaped leaf: SAN, issuer (both OIDs),
// and each non-empty extension in Fulcio's encoding (raw bytes for the
// deprecated 1.3.6.1.4.1.57264.1.2-6, DER UTF8String from .1.8 on).
func (s *Sigstore) leafWithExtensions(identity, issuer string, e verify.Extensions, key *ecdsa.PrivateKey) (*x509.Certificate, error) {
	now := time.Now()
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		NotBefore:    now,
		NotAfter:     now.Add(10 * time.Minute),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	}
	if strings.Contains(identity, "://") {
		u, err := url.Parse(identity)
		if err != nil {
			return nil, fmt.Errorf("identity %q: %w", identity, err)
		}
		tmpl.URIs = []*url.URL{u}
	} else {
		tmpl.EmailAddresses = []string{identity}
	}
	raw := func(oid asn1.ObjectIdentifier, v string) {
		if v != "" {
			tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: oid, Value: []byte(v)})
		}
	}
	var derErr error
	der := func(oid asn1.ObjectIdentifier, v string) {
		if v == "" {
			return
		}
		b, err := asn1.MarshalWithParams(v, "utf8")
		if err != nil {
			derErr = err
			return
		}
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: oid, Value: b})
	}
	raw(certificate.OIDIssuer, issuer)
	der(certificate.OIDIssuerV2, issuer)
	raw(certificate.OIDGitHubWorkflowTrigger, e.GithubWorkflowTrigger)
	raw(certificate.OIDGitHubWorkflowSHA, e.GithubWorkflowSHA)
	raw(certificate.OIDGitHubWorkflowName, e.GithubWorkflowName)
	raw(certificate.OIDGitHubWorkflowRepository, e.GithubWorkflowRepository)
	raw(certificate.OIDGitHubWorkflowRef, e.GithubWorkflowRef)
	der(certificate.OIDBuildSignerURI, e.BuildSignerURI)
	der(certificate.OIDBuildSignerDigest, e.BuildSignerDigest)
	der(certificate.OIDRunnerEnvironment, e.RunnerEnvironment)
	der(certificate.OIDSourceRepositoryURI, e.SourceRepositoryURI)
	der(certificate.OIDSourceRepositoryDigest, e.SourceRepositoryDigest)
	der(certificate.OIDSourceRepositoryRef, e.SourceRepositoryRef)
	der(certificate.OIDSourceRepositoryIdentifier, e.SourceRepositoryIdentifier)
	der(certificate.OIDSourceRepositoryOwnerURI, e.SourceRepositoryOwnerURI)
	der(certificate.OIDSourceRepositoryOwnerIdentifier, e.SourceRepositoryOwnerIdentifier)
	der(certificate.OIDBuildConfigURI, e.BuildConfigURI)
	der(certificate.OIDBuildConfigDigest, e.BuildConfigDigest)
	der(certificate.OIDBuildTrigger, e.BuildTrigger)
	der(certificate.OIDRunInvocationURI, e.RunInvocationURI)
	der(certificate.OIDSourceRepositoryVisibilityAtSigning, e.SourceRepositoryVisibilityAtSigning)
	if derErr != nil {
		return nil, derErr
	}
	certDER, err := x509.CreateCertificate(rand.Reader, tmpl, s.ext.Intermediates[0], &key.PublicKey, s.extKey)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(certDER)
}

func (s *Sigstore) assemble(leaf *x509.Certificate, tlogEntries func() ([]*tlog.Entry, error), timestamps func() ([][]byte, error), sc sgSignatureContent, opts BundleOptions) ([]byte, error) {
	pb := &protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle+json;version=0.1",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_X509CertificateChain{X509CertificateChain: &protocommon.X509CertificateChain{
				Certificates: []*protocommon.X509Certificate{{RawBytes: leaf.Raw}},
			}},
		},
	}
	entries, err := tlogEntries()
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
		ts, err := timestamps()
		if err != nil {
			return nil, err
		}
		tvd := &protobundle.TimestampVerificationData{}
		for _, t := range ts {
			tvd.Rfc3161Timestamps = append(tvd.Rfc3161Timestamps, &protocommon.RFC3161SignedTimestamp{SignedTimestamp: t})
		}
		pb.VerificationMaterial.TimestampVerificationData = tvd
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
