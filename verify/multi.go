package verify

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/chaingate/chaingate/provenance"
	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/sigstore/sigstore/pkg/signature"
	sigdsse "github.com/sigstore/sigstore/pkg/signature/dsse"
)

// VerifyAll verifies many bundles concurrently with the same requirements
// (WithWorkers goroutines, default GOMAXPROCS). results[i] and errs[i]
// belong to bundles[i]; errs[i] == nil means bundles[i] verified.
// req.Artifact must be bytes or a digest (a reader can be read only once).
func (v *Verifier) VerifyAll(ctx context.Context, bundles [][]byte, req Requirements) ([]*Result, []error) {
	results := make([]*Result, len(bundles))
	errs := make([]error, len(bundles))
	if req.Artifact.reader != nil {
		for i := range bundles {
			results[i], errs[i] = newResult().fail(checkErr(CheckArtifact, ErrInvalidInput, errors.New("VerifyAll needs ArtifactBytes or ArtifactDigest, not a reader")))
		}
		return results, errs
	}
	workers := v.cfg.workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > len(bundles) {
		workers = len(bundles)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i], errs[i] = v.VerifyBundle(ctx, bundles[i], req)
			}
		}()
	}
	for i := range bundles {
		next <- i
	}
	close(next)
	wg.Wait()
	return results, errs
}

// VerifyBundles is k-of-n over several bundles for one artifact: each
// bundle is verified with req (its identity may match any of
// req.Identity / req.Identities, or any configured key), and at least
// req.Threshold (default 1) DISTINCT signers must verify. A signer is
// distinct by certificate issuer + SAN, or by key. The merged Result lists
// every verified statement and signer; bundles that fail are recorded as
// failed checks and do not count.
func (v *Verifier) VerifyBundles(ctx context.Context, bundles [][]byte, req Requirements) (*Result, error) {
	k := req.Threshold
	if k < 1 {
		k = 1
	}
	res := newResult()
	if req.Artifact.reader != nil {
		data, err := io.ReadAll(io.LimitReader(req.Artifact.reader, maxReaderBuffer+1))
		if err != nil || len(data) > maxReaderBuffer {
			return res.fail(checkErr(CheckArtifact, ErrInvalidInput, fmt.Errorf("read artifact: %v", err)))
		}
		req.Artifact = ArtifactBytes(data)
	}
	one := req
	one.Threshold = 0
	results, errs := v.VerifyAll(ctx, bundles, one)
	seen := map[string]bool{}
	var failures []error
	for i, r := range results {
		if errs[i] != nil {
			failures = append(failures, fmt.Errorf("bundle %d: %w", i, errs[i]))
			res.Checks = append(res.Checks, Check{Name: fmt.Sprintf("bundle[%d]", i), Passed: false, Detail: errs[i].Error()})
			continue
		}
		id := signerKey(r.Signer)
		res.Checks = append(res.Checks, Check{Name: fmt.Sprintf("bundle[%d]", i), Passed: true, Detail: "signed by " + id})
		if r.Statement != nil {
			res.Statements = append(res.Statements, r.Statement)
		}
		res.Timestamps = append(res.Timestamps, r.Timestamps...)
		res.TransparencyLog = append(res.TransparencyLog, r.TransparencyLog...)
		if !seen[id] {
			seen[id] = true
			res.Signers = append(res.Signers, *r.Signer)
		}
	}
	res.Artifact = req.Artifact.describe()
	if len(seen) < k {
		return res.fail(checkErr(CheckThreshold, ErrThresholdNotMet, fmt.Errorf("%d distinct trusted signer(s) of %d bundle(s), need %d: %w", len(seen), len(bundles), k, errors.Join(failures...))))
	}
	res.pass(CheckThreshold, fmt.Sprintf("%d of %d distinct signers verified, need %d", len(seen), len(bundles), k))
	res.Verified = true
	return res, nil
}

func signerKey(s *Signer) string {
	if s == nil {
		return ""
	}
	if s.Kind == "key" {
		return "key:" + s.KeyID
	}
	return s.Issuer + " " + s.SubjectAlternativeName
}

// VerifyEnvelope verifies a bare DSSE envelope (no Sigstore bundle)
// against the keys given with WithPublicKey: at least req.Threshold
// (default 1) distinct keys must have signed it (k-of-n over the
// envelope's signatures). The payload must be an in-toto Statement whose
// subject matches req.Artifact; PredicateType and SLSA are checked as in
// VerifyBundle. There is no log or timestamp here: only call this for
// envelopes you already trust to be current.
func (v *Verifier) VerifyEnvelope(ctx context.Context, envelopeJSON []byte, req Requirements) (*Result, error) {
	res := newResult()
	env, err := provenance.ParseEnvelope(envelopeJSON)
	if err != nil {
		return res.fail(checkErr(CheckBundle, ErrInvalidInput, err))
	}
	res.pass(CheckBundle, fmt.Sprintf("DSSE envelope with %d signature(s)", len(env.Signatures)))
	if len(v.keys) == 0 {
		return res.fail(checkErr(CheckKey, ErrNoTrustedSignature, errors.New("no key configured with WithPublicKey")))
	}
	k := req.Threshold
	if k < 1 {
		k = 1
	}
	if k > len(v.keys) {
		return res.fail(checkErr(CheckThreshold, ErrInvalidInput, fmt.Errorf("threshold %d over %d configured keys", k, len(v.keys))))
	}
	verifiers := make([]dsse.Verifier, 0, len(v.keys))
	for _, ke := range v.keys {
		sv, err := signature.LoadDefaultVerifier(ke.pub)
		if err != nil {
			return res.fail(checkErr(CheckKey, ErrInvalidInput, err))
		}
		// KeyID left empty: DSSE keyids are hints, not trusted; every
		// signature is tried against every key.
		verifiers = append(verifiers, &sigdsse.VerifierAdapter{SignatureVerifier: sv, Pub: ke.pub})
	}
	ev, err := dsse.NewMultiEnvelopeVerifier(k, verifiers...)
	if err != nil {
		return res.fail(checkErr(CheckThreshold, ErrInvalidInput, err))
	}
	// DSSE keyids are unauthenticated hints in arbitrary formats; strip
	// them so every signature is tried against every configured key.
	bare := *env
	bare.Signatures = make([]dsse.Signature, len(env.Signatures))
	for i, s := range env.Signatures {
		bare.Signatures[i] = dsse.Signature{Sig: s.Sig}
	}
	accepted, err := ev.Verify(ctx, &bare)
	if err != nil {
		if len(env.Signatures) >= 1 && k > 1 {
			return res.fail(checkErr(CheckThreshold, ErrThresholdNotMet, err))
		}
		return res.fail(checkErr(CheckSignature, ErrNoTrustedSignature, err))
	}
	for _, a := range accepted {
		hint, _ := provenance.KeyHint(a.Public)
		res.Signers = append(res.Signers, Signer{Kind: "key", KeyID: hint})
	}
	res.Signer = &res.Signers[0]
	res.pass(CheckSignature, fmt.Sprintf("%d distinct key(s) signed, need %d", len(accepted), k))
	st, err := provenance.EnvelopeStatement(env)
	if err != nil {
		return res.fail(checkErr(CheckStatement, ErrInvalidInput, err))
	}
	res.Statement = st
	res.pass(CheckStatement, "in-toto statement "+st.Type)
	if err := matchSubject(st, req.Artifact, res); err != nil {
		return res.fail(err)
	}
	if req.PredicateType != "" {
		if st.PredicateType != req.PredicateType {
			return res.fail(checkErr(CheckPredicateType, ErrPredicateMismatch, fmt.Errorf("got %q, want %q", st.PredicateType, req.PredicateType)))
		}
		res.pass(CheckPredicateType, req.PredicateType)
	}
	if req.SLSA != nil {
		if err := checkSLSA(st, req.SLSA, res); err != nil {
			return res.fail(err)
		}
	}
	res.Verified = true
	return res, nil
}

// matchSubject binds a statement to the artifact by digest.
func matchSubject(st *provenance.Statement, a Artifact, res *Result) *CheckError {
	switch {
	case a.isZero():
		return checkErr(CheckArtifact, ErrInvalidInput, errors.New("no artifact given"))
	case a.err != nil:
		return checkErr(CheckArtifact, ErrInvalidInput, a.err)
	case a.none:
		res.pass(CheckArtifact, "not checked (NoArtifactUnsafe)")
		return nil
	}
	var want map[string]string
	if a.digest != nil {
		want = map[string]string{a.alg: hex.EncodeToString(a.digest)}
	} else {
		h256, h512 := sha256.New(), sha512.New()
		if _, err := io.Copy(io.MultiWriter(h256, h512), a.readerOrBytes()); err != nil {
			return checkErr(CheckArtifact, ErrInvalidInput, err)
		}
		want = map[string]string{"sha256": hex.EncodeToString(h256.Sum(nil)), "sha512": hex.EncodeToString(h512.Sum(nil))}
	}
	res.Artifact = a.describe()
	for alg, d := range want {
		if st.MatchesDigest(alg, d) {
			res.pass(CheckArtifact, "subject "+alg+":"+d)
			return nil
		}
	}
	return checkErr(CheckArtifact, ErrArtifactMismatch, fmt.Errorf("no subject of %q has the artifact's digest", st.SubjectNames()))
}
