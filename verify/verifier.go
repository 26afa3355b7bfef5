package verify

import (
	"bytes"
	"context"
	"crypto"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/chaingate/chaingate/provenance"
	"github.com/sigstore/sigstore-go/pkg/root"
	sgverify "github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"
)

// MaxBundleSize bounds one bundle's JSON.
const MaxBundleSize = provenance.MaxStatementSize

// maxReaderBuffer bounds how much of an ArtifactReader is buffered when a
// key-signed bundle has to be tried against several configured keys.
const maxReaderBuffer = 512 << 20

// Option configures New. Options are validated together by New.
type Option func(*config) error

type config struct {
	keyPEMs         [][]byte
	keysWithoutTlog bool
	tlogThreshold   int
	observerThresh  int
	sctThreshold    int
	workers         int
}

// WithPublicKey trusts a PEM public key (ECDSA P-256/P-384/P-521, Ed25519
// or RSA) for key-signed bundles and DSSE envelopes. It may be given
// several times; a bundle is checked against the key whose hint matches,
// or each key in turn.
//
// Policy for key-signed bundles: by default they need what certificate
// bundles need, minus SCTs — a transparency-log entry verified against
// the trusted root and an observer timestamp — so New needs a trusted
// root. Bundles with no log entry (for example those made by
// provenance.SignStatementBundle) verify only with
// WithKeySignaturesWithoutTlogUnsafe.
func WithPublicKey(pem []byte) Option {
	return func(c *config) error {
		if _, err := ParsePublicKey(pem); err != nil {
			return err
		}
		c.keyPEMs = append(c.keyPEMs, append([]byte(nil), pem...))
		return nil
	}
}

// WithKeySignaturesWithoutTlogUnsafe accepts key-signed bundles that carry
// no transparency-log entry. The signature must still verify against a
// key given with WithPublicKey, and whatever evidence the bundle does
// carry is still checked: log entries against the trusted root (a bundle
// with log entries fails when there is no trusted root), RFC 3161
// timestamps against its timestamp authorities. Certificate-signed bundles
// are unaffected: they always need a log entry, an observer timestamp and
// an SCT. Unsafe because nothing then proves the signature was public or
// when it was made: a leaked key can sign anything, undetected. With this
// option, New accepts a nil trust root (keys only).
func WithKeySignaturesWithoutTlogUnsafe() Option {
	return func(c *config) error {
		c.keysWithoutTlog = true
		return nil
	}
}

// WithTransparencyLogThreshold requires n (>= 1, default 1) verified log entries.
func WithTransparencyLogThreshold(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("verify: transparency log threshold %d < 1: %w", n, ErrInvalidInput)
		}
		c.tlogThreshold = n
		return nil
	}
}

// WithTimestampThreshold requires n (>= 1, default 1) verified observer
// timestamps (log integrated times and RFC 3161 timestamps together).
func WithTimestampThreshold(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("verify: timestamp threshold %d < 1: %w", n, ErrInvalidInput)
		}
		c.observerThresh = n
		return nil
	}
}

// WithoutSCTUnsafe stops requiring a signed certificate timestamp (SCT)
// from a trusted CT log in Fulcio certificates. Only for private Sigstore
// deployments without CT (and in-process test deployments): without SCTs a
// mis-issued certificate is never publicly visible, and a wrong CT log key
// goes unnoticed.
func WithoutSCTUnsafe() Option {
	return func(c *config) error {
		c.sctThreshold = 0
		return nil
	}
}

// WithWorkers sets how many goroutines VerifyAll and VerifyBundles use
// (default GOMAXPROCS).
func WithWorkers(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("verify: workers %d < 1: %w", n, ErrInvalidInput)
		}
		c.workers = n
		return nil
	}
}

type keyEntry struct {
	hint string
	pub  crypto.PublicKey
	// strict: log entry + observer timestamp (needs a trusted root).
	strict *sgverify.Verifier
	// tsa: RFC 3161 timestamp only (unsafe mode, needs a trusted root).
	tsa *sgverify.Verifier
	// bare: signature only (unsafe mode).
	bare *sgverify.Verifier
}

// Verifier verifies Sigstore bundles, DSSE envelopes, SLSA provenance,
// in-toto layouts and OCI image signatures against fixed trust material
// and thresholds. It is immutable and safe for concurrent use.
//
// Its transparency-log and timestamp policy is chosen once, here, never
// from what a bundle contains: certificate-signed bundles need a verified
// log entry AND an observer timestamp (the log's integrated time or an
// RFC 3161 timestamp) AND an SCT from a trusted CT log.
type Verifier struct {
	trust *TrustedRoot
	cert  *sgverify.Verifier
	keys  []*keyEntry
	cfg   config
}

// New builds a Verifier. trust is the Sigstore trusted root (see
// LoadTrustedRoot); it may be nil only for a keys-only verifier:
// New(nil, WithPublicKey(pem), WithKeySignaturesWithoutTlogUnsafe()).
func New(trust *TrustedRoot, opts ...Option) (*Verifier, error) {
	cfg := config{tlogThreshold: 1, observerThresh: 1, sctThreshold: 1}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if trust != nil && trust.root == nil {
		trust = nil
	}
	if trust == nil && len(cfg.keyPEMs) == 0 {
		return nil, fmt.Errorf("verify: new: no trust material: give a trusted root or WithPublicKey: %w", ErrInvalidInput)
	}
	if trust == nil && !cfg.keysWithoutTlog {
		return nil, fmt.Errorf("verify: new: key-signed bundles need a verified transparency-log entry, which needs a trusted root; pass one, or opt in with WithKeySignaturesWithoutTlogUnsafe: %w", ErrInvalidInput)
	}
	v := &Verifier{trust: trust, cfg: cfg}
	if trust != nil {
		certOpts := []sgverify.VerifierOption{
			sgverify.WithTransparencyLog(cfg.tlogThreshold),
			sgverify.WithObserverTimestamps(cfg.observerThresh),
		}
		if cfg.sctThreshold > 0 {
			certOpts = append(certOpts, sgverify.WithSignedCertificateTimestamps(cfg.sctThreshold))
		}
		cv, err := sgverify.NewVerifier(trust.root, certOpts...)
		if err != nil {
			return nil, fmt.Errorf("verify: new: %w", err)
		}
		v.cert = cv
	}
	for i, p := range cfg.keyPEMs {
		ke, err := v.newKeyEntry(p)
		if err != nil {
			return nil, fmt.Errorf("verify: new: public key %d: %w", i, err)
		}
		v.keys = append(v.keys, ke)
	}
	return v, nil
}

func (v *Verifier) newKeyEntry(pemBytes []byte) (*keyEntry, error) {
	pub, err := ParsePublicKey(pemBytes)
	if err != nil {
		return nil, err
	}
	hint, err := provenance.KeyHint(pub)
	if err != nil {
		return nil, err
	}
	sv, err := signature.LoadDefaultVerifier(pub)
	if err != nil {
		return nil, fmt.Errorf("load verifier: %w", err)
	}
	key := root.NewExpiringKey(sv, time.Time{}, time.Time{})
	keyMat := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) {
		return key, nil
	})
	ke := &keyEntry{hint: hint, pub: pub}
	if v.trust != nil {
		coll := root.TrustedMaterialCollection{v.trust.root, keyMat}
		ke.strict, err = sgverify.NewVerifier(coll,
			sgverify.WithTransparencyLog(v.cfg.tlogThreshold),
			sgverify.WithObserverTimestamps(v.cfg.observerThresh))
		if err != nil {
			return nil, err
		}
		if v.cfg.keysWithoutTlog {
			ke.tsa, err = sgverify.NewVerifier(coll, sgverify.WithSignedTimestamps(1))
			if err != nil {
				return nil, err
			}
		}
	}
	if v.cfg.keysWithoutTlog {
		ke.bare, err = sgverify.NewVerifier(keyMat, sgverify.WithNoObserverTimestamps())
		if err != nil {
			return nil, err
		}
	}
	return ke, nil
}

// VerifyBundle verifies one Sigstore bundle (v0.1–v0.3) for one artifact:
// signature, certificate chain or key, transparency log, timestamps, SCT,
// artifact binding, signer identity, then the optional predicate type and
// SLSA requirements. Any error means "not verified"; it is a *CheckError
// naming the failed check.
func (v *Verifier) VerifyBundle(ctx context.Context, bundleJSON []byte, req Requirements) (*Result, error) {
	res := newResult()
	if err := ctx.Err(); err != nil {
		return res.fail(checkErr(CheckBundle, ErrInvalidInput, err))
	}
	if len(bundleJSON) > MaxBundleSize {
		return res.fail(checkErr(CheckBundle, ErrInvalidInput, fmt.Errorf("bundle of %d bytes over %d", len(bundleJSON), MaxBundleSize)))
	}
	b, err := provenance.ParseBundle(bundleJSON)
	if err != nil {
		return res.fail(checkErr(CheckBundle, ErrInvalidInput, err))
	}
	return v.verifyParsed(ctx, b, req, res)
}

func (v *Verifier) verifyParsed(ctx context.Context, b *provenance.Bundle, req Requirements, res *Result) (*Result, error) {
	res.BundleVersion = b.BundleVersion()
	res.pass(CheckBundle, "Sigstore bundle "+res.BundleVersion)

	if req.Threshold > 1 {
		return res.fail(checkErr(CheckThreshold, ErrInvalidInput, fmt.Errorf("threshold %d: one bundle has one signer; use VerifyBundles for k-of-n", req.Threshold)))
	}
	// Artifact option.
	if req.Artifact.isZero() {
		return res.fail(checkErr(CheckArtifact, ErrInvalidInput, errors.New("no artifact given: use ArtifactBytes, ArtifactReader or ArtifactDigest")))
	}
	if req.Artifact.err != nil {
		return res.fail(checkErr(CheckArtifact, ErrInvalidInput, req.Artifact.err))
	}
	res.Artifact = req.Artifact.describe()

	// Read the kind of verification material from the protobuf rather
	// than VerificationContent, which parses the certificate (sigstore-go
	// parses it again in Verify).
	vmat := b.Sigstore().GetVerificationMaterial()
	isCert := vmat.GetCertificate() != nil || vmat.GetX509CertificateChain() != nil
	if !isCert && vmat.GetPublicKey() == nil {
		return res.fail(checkErr(CheckBundle, ErrInvalidInput, errors.New("bundle has neither certificate nor public key")))
	}
	identities := req.Identities
	if req.Identity != nil {
		identities = append([]Identity{*req.Identity}, identities...)
	}
	var idOpts []sgverify.PolicyOption
	if isCert {
		if v.cert == nil {
			return res.fail(checkErr(CheckCertificate, ErrNoTrustedSignature, errors.New("certificate-signed bundle but the Verifier has no trusted root")))
		}
		switch {
		case len(identities) > 0:
			for i := range identities {
				id := &identities[i]
				if err := id.validate(); err != nil {
					return res.fail(checkErr(CheckIdentity, ErrInvalidInput, err))
				}
				ci, err := sgverify.NewShortCertificateIdentity(id.Issuer, anchor(id.IssuerRegexp), id.SubjectAlternativeName, anchor(id.SubjectAlternativeNameRegexp))
				if err != nil {
					return res.fail(checkErr(CheckIdentity, ErrInvalidInput, err))
				}
				idOpts = append(idOpts, sgverify.WithCertificateIdentity(ci))
			}
		case req.AnyIdentityUnsafe:
			idOpts = append(idOpts, sgverify.WithoutIdentitiesUnsafe())
		default:
			return res.fail(checkErr(CheckIdentity, ErrInvalidInput, errors.New("certificate-signed bundle needs Requirements.Identity (or AnyIdentityUnsafe)")))
		}
	} else {
		if len(identities) > 0 {
			return res.fail(checkErr(CheckIdentity, ErrIdentityMismatch, errors.New("bundle is key-signed; identity requirements need a Fulcio certificate")))
		}
		if len(v.keys) == 0 {
			return res.fail(checkErr(CheckKey, ErrNoTrustedSignature, errors.New("key-signed bundle but no key was configured with WithPublicKey")))
		}
		idOpts = append(idOpts, sgverify.WithKey())
	}

	var (
		sgRes    *sgverify.VerificationResult
		tlogUsed bool
		keyHint  string
		err      error
	)
	if isCert {
		sgRes, err = v.cert.Verify(b.Sigstore(), sgverify.NewPolicy(artifactPolicy(req.Artifact), idOpts...))
		tlogUsed = true
		if err != nil {
			return res.fail(v.classify(b, req, idOpts, v.cert, err))
		}
	} else {
		sgRes, tlogUsed, keyHint, err = v.verifyWithKeys(b, req, idOpts)
		if err != nil {
			var ce *CheckError
			if errors.As(err, &ce) {
				return res.fail(ce)
			}
			return res.fail(checkErr(CheckSignature, ErrNoTrustedSignature, err))
		}
	}
	if tlogUsed {
		if err := checkInclusionConsistency(b); err != nil {
			return res.fail(checkErr(CheckTransparencyLog, ErrNoTrustedSignature, err))
		}
	}
	v.fillResult(b, sgRes, tlogUsed, res)
	if keyHint != "" {
		// Identify the signer by the configured key that verified, not by
		// the hint the bundle claims.
		res.Signer.KeyID = keyHint
	}
	// sigstore-go counts valid RFC 3161 timestamps against the threshold
	// and skips broken ones. A bundle carrying a timestamp that does not
	// verify has been tampered with: fail closed.
	if n := len(b.Sigstore().GetVerificationMaterial().GetTimestampVerificationData().GetRfc3161Timestamps()); n > 0 {
		verified := 0
		for _, ts := range res.Timestamps {
			if ts.Kind == "TimestampAuthority" {
				verified++
			}
		}
		if verified < n {
			return res.fail(checkErr(CheckTimestamp, ErrNoTrustedSignature, fmt.Errorf("%d of %d RFC 3161 timestamps in the bundle do not verify", n-verified, n)))
		}
	}

	if err := ctx.Err(); err != nil {
		return res.fail(checkErr(CheckSignature, ErrInvalidInput, err))
	}
	return v.postChecks(b, req, identities, isCert, res)
}

func artifactPolicy(a Artifact) sgverify.ArtifactPolicyOption {
	switch {
	case a.none:
		return sgverify.WithoutArtifactUnsafe()
	case a.digest != nil:
		return sgverify.WithArtifactDigest(a.alg, a.digest)
	default:
		return sgverify.WithArtifact(a.readerOrBytes())
	}
}

// verifyWithKeys tries the configured keys, the hint-matching one first.
func (v *Verifier) verifyWithKeys(b *provenance.Bundle, req Requirements, idOpts []sgverify.PolicyOption) (*sgverify.VerificationResult, bool, string, error) {
	hint := ""
	if pk := b.Sigstore().GetVerificationMaterial().GetPublicKey(); pk != nil {
		hint = pk.GetHint()
	}
	order := make([]*keyEntry, 0, len(v.keys))
	for _, k := range v.keys {
		if k.hint == hint {
			order = append([]*keyEntry{k}, order...)
		} else {
			order = append(order, k)
		}
	}
	hasTlog := len(b.Sigstore().GetVerificationMaterial().GetTlogEntries()) > 0
	hasTSA := len(b.Sigstore().GetVerificationMaterial().GetTimestampVerificationData().GetRfc3161Timestamps()) > 0
	art := req.Artifact
	if art.reader != nil && len(order) > 1 {
		data, err := io.ReadAll(io.LimitReader(art.reader, maxReaderBuffer+1))
		if err != nil {
			return nil, false, "", checkErr(CheckArtifact, ErrInvalidInput, err)
		}
		if len(data) > maxReaderBuffer {
			return nil, false, "", checkErr(CheckArtifact, ErrInvalidInput, fmt.Errorf("artifact over %d bytes with several candidate keys: pass ArtifactDigest", maxReaderBuffer))
		}
		art = ArtifactBytes(data)
	}
	var firstErr error
	for _, k := range order {
		var sv *sgverify.Verifier
		tlogUsed := false
		switch {
		case hasTlog || !v.cfg.keysWithoutTlog:
			if k.strict == nil {
				return nil, false, "", checkErr(CheckTransparencyLog, ErrNoTrustedSignature, errors.New("bundle has transparency-log entries but the Verifier has no trusted root to verify them"))
			}
			sv, tlogUsed = k.strict, true
		case hasTSA:
			if k.tsa == nil {
				return nil, false, "", checkErr(CheckTimestamp, ErrNoTrustedSignature, errors.New("bundle has RFC 3161 timestamps but the Verifier has no trusted root to verify them"))
			}
			sv = k.tsa
		default:
			sv = k.bare
		}
		r, err := sv.Verify(b.Sigstore(), sgverify.NewPolicy(artifactPolicy(art), idOpts...))
		if err == nil {
			return r, tlogUsed, k.hint, nil
		}
		if firstErr == nil {
			firstErr = v.classify(b, Requirements{Artifact: art}, idOpts, sv, err)
		}
		if art.reader != nil {
			break // a reader is consumed by the first attempt
		}
	}
	return nil, false, "", firstErr
}

// classify turns a sigstore-go error into a CheckError naming the check.
func (v *Verifier) classify(b *provenance.Bundle, req Requirements, idOpts []sgverify.PolicyOption, sv *sgverify.Verifier, err error) *CheckError {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "outside certificate validity"):
		return checkErr(CheckCertificate, ErrNoTrustedSignature, err)
	case strings.HasPrefix(msg, "failed to verify log inclusion"):
		return checkErr(CheckTransparencyLog, ErrNoTrustedSignature, err)
	case strings.HasPrefix(msg, "failed to verify timestamps"), strings.Contains(msg, "must provide timestamp"):
		return checkErr(CheckTimestamp, ErrNoTrustedSignature, err)
	case strings.Contains(msg, "signed certificate timestamp"), strings.Contains(msg, "SCTs required"):
		return checkErr(CheckSCT, ErrNoTrustedSignature, err)
	case strings.HasPrefix(msg, "failed to verify leaf certificate"), strings.HasPrefix(msg, "failed to summarize certificate"),
		strings.Contains(msg, "expected key signature"):
		return checkErr(CheckCertificate, ErrNoTrustedSignature, err)
	case strings.Contains(msg, "public key validity window"):
		return checkErr(CheckKey, ErrNoTrustedSignature, err)
	case strings.HasPrefix(msg, "failed to verify certificate identity"):
		return checkErr(CheckIdentity, ErrIdentityMismatch, err)
	case strings.HasPrefix(msg, "failed to fetch envelope statement"):
		return checkErr(CheckStatement, ErrInvalidInput, err)
	case strings.HasPrefix(msg, "failed to build policy"):
		return checkErr(CheckArtifact, ErrInvalidInput, err)
	case strings.HasPrefix(msg, "failed to verify signature"), strings.HasPrefix(msg, "failed to get signature verifier"):
		// Was it the signature or the artifact binding? For DSSE, verify
		// again without the artifact: if that passes, only the artifact
		// was wrong. (This costs a second pass only on failure.)
		if b.Sigstore().GetDsseEnvelope() != nil && !req.Artifact.none && req.Artifact.reader == nil {
			if _, err2 := sv.Verify(b.Sigstore(), sgverify.NewPolicy(sgverify.WithoutArtifactUnsafe(), idOpts...)); err2 == nil {
				return checkErr(CheckArtifact, ErrArtifactMismatch, err)
			}
		}
		if b.Sigstore().GetMessageSignature() != nil && req.Artifact.digest != nil {
			md := b.Sigstore().GetMessageSignature().GetMessageDigest().GetDigest()
			if len(md) > 0 && len(md) == len(req.Artifact.digest) && !bytes.Equal(md, req.Artifact.digest) {
				return checkErr(CheckArtifact, ErrArtifactMismatch, err)
			}
		}
		return checkErr(CheckSignature, ErrNoTrustedSignature, err)
	}
	return checkErr(CheckSignature, ErrNoTrustedSignature, err)
}

func (v *Verifier) fillResult(b *provenance.Bundle, r *sgverify.VerificationResult, tlogUsed bool, res *Result) {
	vm := b.Sigstore().GetVerificationMaterial()
	for _, e := range vm.GetTlogEntries() {
		le := LogEntry{
			LogIndex: e.GetLogIndex(),
			LogID:    hex.EncodeToString(e.GetLogId().GetKeyId()),
			Kind:     e.GetKindVersion().GetKind(),
			Version:  e.GetKindVersion().GetVersion(),
			Verified: tlogUsed,
		}
		if t := e.GetIntegratedTime(); t > 0 {
			le.IntegratedTime = time.Unix(t, 0).UTC()
		}
		res.TransparencyLog = append(res.TransparencyLog, le)
	}
	if tlogUsed {
		res.pass(CheckTransparencyLog, fmt.Sprintf("log entries verified: %d (threshold %d)", len(res.TransparencyLog), v.cfg.tlogThreshold))
	} else {
		res.pass(CheckTransparencyLog, "not required: key-signed bundle without log entries (WithKeySignaturesWithoutTlogUnsafe)")
	}
	for _, ts := range r.VerifiedTimestamps {
		res.Timestamps = append(res.Timestamps, Timestamp{Kind: ts.Type, URI: ts.URI, Time: ts.Timestamp.UTC()})
	}
	if len(res.Timestamps) > 0 {
		res.pass(CheckTimestamp, fmt.Sprintf("observer timestamps verified: %d (threshold %d)", len(res.Timestamps), v.cfg.observerThresh))
	} else {
		res.pass(CheckTimestamp, "not required: key-signed bundle (WithKeySignaturesWithoutTlogUnsafe)")
	}
	if r.Signature != nil && r.Signature.Certificate != nil {
		c := r.Signature.Certificate
		res.Signer = &Signer{
			Kind:                   "certificate",
			SubjectAlternativeName: c.SubjectAlternativeName,
			Issuer:                 c.Extensions.Issuer,
			CertificateIssuer:      c.CertificateIssuer,
			Extensions:             extensionsOf(c.Extensions),
		}
		res.pass(CheckCertificate, "chains to a trusted Fulcio CA at the verified time")
		if v.cfg.sctThreshold > 0 {
			res.pass(CheckSCT, "embedded SCT verified against a trusted CT log")
		} else {
			res.pass(CheckSCT, "not required (WithoutSCTUnsafe)")
		}
	} else {
		s := &Signer{Kind: "key"}
		if r.Signature != nil && r.Signature.PublicKeyID != nil {
			s.KeyID = string(*r.Signature.PublicKeyID)
		}
		res.Signer = s
		res.pass(CheckKey, "signed by a key given with WithPublicKey")
	}
	res.pass(CheckSignature, "signature verified")
	res.pass(CheckArtifact, "signature bound to "+res.Artifact)
}

func (v *Verifier) postChecks(b *provenance.Bundle, req Requirements, identities []Identity, isCert bool, res *Result) (*Result, error) {
	if isCert {
		if len(identities) > 0 {
			if err := checkGitHub(res, identities); err != nil {
				return res.fail(err)
			}
			res.pass(CheckIdentity, fmt.Sprintf("issuer %q, SAN %q", res.Signer.Issuer, res.Signer.SubjectAlternativeName))
		} else {
			res.pass(CheckIdentity, "any identity accepted (AnyIdentityUnsafe)")
		}
	}
	if env := b.Sigstore().GetDsseEnvelope(); env != nil && env.GetPayloadType() == provenance.PayloadTypeInToto {
		st, err := provenance.ParseStatement(env.GetPayload())
		if err != nil {
			return res.fail(checkErr(CheckStatement, ErrInvalidInput, err))
		}
		res.Statement = st
		res.pass(CheckStatement, "in-toto statement "+st.Type)
	}
	if req.PredicateType != "" || req.SLSA != nil {
		if res.Statement == nil {
			return res.fail(checkErr(CheckPredicateType, ErrPredicateMismatch, errors.New("bundle carries no in-toto statement")))
		}
	}
	if req.PredicateType != "" {
		if res.Statement.PredicateType != req.PredicateType {
			return res.fail(checkErr(CheckPredicateType, ErrPredicateMismatch, fmt.Errorf("got %q, want %q", res.Statement.PredicateType, req.PredicateType)))
		}
		res.pass(CheckPredicateType, req.PredicateType)
	}
	if req.SLSA != nil {
		if err := checkSLSA(res.Statement, req.SLSA, res); err != nil {
			return res.fail(err)
		}
	}
	res.Verified = true
	return res, nil
}

// checkGitHub checks the GitHub Actions extensions of the first identity
// that matches the certificate's issuer and SAN.
func checkGitHub(res *Result, identities []Identity) *CheckError {
	needed := false
	for i := range identities {
		id := &identities[i]
		needed = needed || id.GitHubRepository != "" || id.GitHubRef != "" || id.GitHubTrigger != "" || id.GitHubWorkflowDigest != ""
	}
	if !needed {
		return nil // sigstore-go matched issuer and SAN already
	}
	var firstErr *CheckError
	for i := range identities {
		id := &identities[i]
		if !identityMatches(id, res.Signer) {
			continue
		}
		ce := githubExtensions(id, res.Signer)
		if ce == nil {
			if id.GitHubRepository != "" || id.GitHubRef != "" || id.GitHubTrigger != "" || id.GitHubWorkflowDigest != "" {
				res.pass(CheckGitHub, "GitHub Actions certificate extensions match")
			}
			return nil
		}
		if firstErr == nil {
			firstErr = ce
		}
	}
	if firstErr == nil {
		return checkErr(CheckIdentity, ErrIdentityMismatch, errors.New("no identity matches the certificate"))
	}
	return firstErr
}

func identityMatches(id *Identity, s *Signer) bool {
	ci, err := sgverify.NewShortCertificateIdentity(id.Issuer, anchor(id.IssuerRegexp), id.SubjectAlternativeName, anchor(id.SubjectAlternativeNameRegexp))
	if err != nil {
		return false
	}
	return ci.SubjectAlternativeName.Verify(summaryOf(s)) == nil && ci.Issuer.Verify(summaryOf(s)) == nil
}

func githubExtensions(id *Identity, s *Signer) *CheckError {
	ext := s.Extensions
	if ext == nil {
		return checkErr(CheckIdentity, ErrIdentityMismatch, errors.New("certificate has no extensions"))
	}
	if id.GitHubRepository != "" {
		want := githubRepoURI(id.GitHubRepository)
		if ext.SourceRepositoryURI != want {
			return checkErr(CheckGitHubRepo, ErrIdentityMismatch, fmt.Errorf("got %q, want %q", ext.SourceRepositoryURI, want))
		}
	}
	if id.GitHubRef != "" && ext.SourceRepositoryRef != id.GitHubRef {
		return checkErr(CheckGitHubRef, ErrIdentityMismatch, fmt.Errorf("got %q, want %q", ext.SourceRepositoryRef, id.GitHubRef))
	}
	if id.GitHubTrigger != "" && ext.BuildTrigger != id.GitHubTrigger {
		return checkErr(CheckGitHubTrigger, ErrIdentityMismatch, fmt.Errorf("got %q, want %q", ext.BuildTrigger, id.GitHubTrigger))
	}
	if id.GitHubWorkflowDigest != "" && !strings.EqualFold(ext.SourceRepositoryDigest, id.GitHubWorkflowDigest) {
		return checkErr(CheckGitHubDigest, ErrIdentityMismatch, fmt.Errorf("got %q, want %q", ext.SourceRepositoryDigest, id.GitHubWorkflowDigest))
	}
	return nil
}
