package chaingate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/provenance"
	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
	"github.com/chaingate/chaingate/verify"
)

// VerdictSchemaVersion is the version of the JSON shape of Verdict.
const VerdictSchemaVersion = "chaingate.dev/verdict/v1"

// The stages of an evaluation, as named in Verdict.Stages and StageError.
const (
	StageVerify = "verify"
	StageSBOM   = "sbom"
	StageRisk   = "risk"
	StagePolicy = "policy"
)

// ErrConfig reports a gate built without what it needs.
var ErrConfig = errors.New("chaingate: invalid gate configuration")

// StageError is an error in one stage of an evaluation. Any StageError
// makes the verdict a deny.
type StageError struct {
	Stage string
	Err   error
}

// Error implements error.
func (e *StageError) Error() string { return "chaingate: " + e.Stage + ": " + e.Err.Error() }

// Unwrap returns the stage's error.
func (e *StageError) Unwrap() error { return e.Err }

// Gate is the composed release gate: verify → SBOM → risk → policy. It is
// immutable after NewGate and safe for concurrent use; the verifier, the
// vulnerability database and the policy engine are loaded once.
type Gate struct {
	c gateConfig
}

type gateConfig struct {
	verifier *verify.Verifier
	db       *vulndb.DB
	engine   *policy.Engine
	scan     []risk.ScanOption
	evidence EvidenceSource
	now      func() time.Time
	workers  int
}

// Option configures NewGate.
type Option func(*gateConfig) error

// WithVerifier sets the verifier that checks a candidate's attestations.
func WithVerifier(v *verify.Verifier) Option {
	return func(c *gateConfig) error {
		if v == nil {
			return fmt.Errorf("%w: nil verifier", ErrConfig)
		}
		c.verifier = v
		return nil
	}
}

// WithVulnDB sets the vulnerability database candidates are scanned against.
func WithVulnDB(db *vulndb.DB) Option {
	return func(c *gateConfig) error {
		if db == nil {
			return fmt.Errorf("%w: nil vulnerability database", ErrConfig)
		}
		c.db = db
		return nil
	}
}

// WithPolicy sets the policy engine that decides.
func WithPolicy(e *policy.Engine) Option {
	return func(c *gateConfig) error {
		if e == nil {
			return fmt.Errorf("%w: nil policy engine", ErrConfig)
		}
		c.engine = e
		return nil
	}
}

// WithScanOptions adds options to every risk.Scan the gate makes
// (KEV, EPSS, VEX, signal detectors, priority weights).
func WithScanOptions(opts ...risk.ScanOption) Option {
	return func(c *gateConfig) error {
		c.scan = append(c.scan, opts...)
		return nil
	}
}

// WithEvidenceSource sets where Check (the gitops.Gate method) finds the
// evidence for an image that is being promoted.
func WithEvidenceSource(src EvidenceSource) Option {
	return func(c *gateConfig) error {
		c.evidence = src
		return nil
	}
}

// WithClock sets the clock whose time goes into the policy input
// (input.time). The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *gateConfig) error {
		if now == nil {
			return fmt.Errorf("%w: nil clock", ErrConfig)
		}
		c.now = now
		return nil
	}
}

// WithWorkers bounds how many candidates EvaluateAll evaluates at once
// (default GOMAXPROCS).
func WithWorkers(n int) Option {
	return func(c *gateConfig) error {
		if n < 1 {
			return fmt.Errorf("%w: workers %d < 1", ErrConfig, n)
		}
		c.workers = n
		return nil
	}
}

// NewGate builds a gate. A verifier, a vulnerability database and a policy
// engine are all required: a gate that skipped a stage could not fail
// closed on it.
func NewGate(opts ...Option) (*Gate, error) {
	cfg := gateConfig{now: time.Now, workers: runtime.GOMAXPROCS(0)}
	var errs []error
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			errs = append(errs, err)
		}
	}
	if cfg.verifier == nil {
		errs = append(errs, fmt.Errorf("%w: no verifier (WithVerifier)", ErrConfig))
	}
	if cfg.db == nil {
		errs = append(errs, fmt.Errorf("%w: no vulnerability database (WithVulnDB)", ErrConfig))
	}
	if cfg.engine == nil {
		errs = append(errs, fmt.Errorf("%w: no policy engine (WithPolicy)", ErrConfig))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &Gate{c: cfg}, nil
}

// Candidate is one artifact asking to be released, with its evidence.
type Candidate struct {
	// Image is the artifact's name, e.g. "ghcr.io/acme/api" (a tag may
	// follow: "ghcr.io/acme/api:v1.2.0").
	Image string `json:"image"`
	// Digest is the artifact's digest, "sha256:<hex>" or "sha512:<hex>".
	// Attestations are verified against it.
	Digest string `json:"digest"`
	// Attestations are Sigstore bundles about the artifact: provenance,
	// SBOM attestations, or plain signatures.
	Attestations [][]byte `json:"-"`
	// Identity is the signer every keyless attestation must have.
	Identity *verify.Identity `json:"identity,omitempty"`
	// SLSA, when set, is checked on every verified SLSA provenance.
	SLSA *verify.SLSARequirements `json:"slsa,omitempty"`
	// SBOM is an SBOM of the artifact in any format sbom.Decode reads.
	// Document, when set, is used instead. A verified SBOM attestation
	// among Attestations wins over both; the policy input records which
	// was used (input.sbom.source "attested" or "supplied").
	SBOM     []byte         `json:"-"`
	Document *sbom.Document `json:"-"`
	// Environment is the environment the artifact is to be released to.
	Environment string `json:"environment,omitempty"`
	// GitOps is the promotion context, when there is one.
	GitOps *policy.GitOps `json:"gitops,omitempty"`
	// Context is arbitrary caller data for the policies (input.context).
	Context map[string]any `json:"context,omitempty"`
}

// StageResult is what one stage of an evaluation did.
type StageResult struct {
	Name string `json:"name"`
	// Status is "ok", "failed" or "skipped".
	Status string `json:"status"`
	// Detail says what the stage used or found, or why it failed.
	Detail string `json:"detail,omitempty"`
}

// SBOMSummary says which SBOM the gate used.
type SBOMSummary struct {
	// Source is "document", "file" or "attestation".
	Source      string `json:"source"`
	Format      string `json:"format"`
	SpecVersion string `json:"specVersion,omitempty"`
	Components  int    `json:"components"`
}

// Verdict is the gate's answer for one candidate, with all the evidence
// that led to it. Allow is true only when no stage failed and the policy
// allowed. A stage with nothing to work on (no attestations, no SBOM) is
// skipped, not failed: what missing evidence means is the policy's call,
// and the built-in library denies a release without provenance or SBOM.
type Verdict struct {
	SchemaVersion string `json:"schemaVersion"`
	Allow         bool   `json:"allow"`
	// Image and Digest name the candidate.
	Image       string `json:"image"`
	Digest      string `json:"digest"`
	Environment string `json:"environment,omitempty"`
	// Stages lists the stages in order with their outcome.
	Stages []StageResult `json:"stages"`
	// Reasons are the deny reasons: the policy's and one per failed stage.
	Reasons []policy.Reason `json:"reasons,omitempty"`
	// Warnings are the policy's warnings.
	Warnings []policy.Reason `json:"warnings,omitempty"`
	// Decision is the policy decision, nil when policy could not run.
	Decision *policy.Decision `json:"decision,omitempty"`
	// Verification holds one result per attestation, in input order.
	Verification []*verify.Result `json:"verification,omitempty"`
	// SBOM says which SBOM was scanned.
	SBOM *SBOMSummary `json:"sbom,omitempty"`
	// Risk is the scan report.
	Risk *risk.Report `json:"risk,omitempty"`
	// Input is the policy input the decision was made on.
	Input *policy.Input `json:"input,omitempty"`
}

// Evaluate runs every stage for one candidate and decides. It always
// returns a Verdict; when any stage fails the verdict is a deny that names
// the stage, and the error (a join of *StageError) says what failed. A
// policy deny is not an error.
func (g *Gate) Evaluate(ctx context.Context, c Candidate) (*Verdict, error) {
	v := &Verdict{
		SchemaVersion: VerdictSchemaVersion,
		Image:         c.Image,
		Digest:        c.Digest,
		Environment:   c.Environment,
	}
	var errs []error
	fail := func(stage string, err error) {
		se := &StageError{Stage: stage, Err: err}
		errs = append(errs, se)
		v.Stages = append(v.Stages, StageResult{Name: stage, Status: "failed", Detail: err.Error()})
		v.Reasons = append(v.Reasons, policy.Reason{
			Rule:     "chaingate.gate." + stage,
			Code:     "CG-GATE-" + strings.ToUpper(stage),
			Message:  fmt.Sprintf("stage %s failed: %v", stage, err),
			Severity: "critical",
		})
	}
	ok := func(stage, detail string) {
		v.Stages = append(v.Stages, StageResult{Name: stage, Status: "ok", Detail: detail})
	}
	skip := func(stage, detail string) {
		v.Stages = append(v.Stages, StageResult{Name: stage, Status: "skipped", Detail: detail})
	}

	if err := ctx.Err(); err != nil {
		fail(StageVerify, err)
		return v, errors.Join(errs...)
	}

	// verify
	prov, statements, err := g.verifyStage(ctx, c, v)
	switch {
	case err != nil:
		fail(StageVerify, err)
	case len(c.Attestations) == 0:
		skip(StageVerify, "no attestations given")
	default:
		ok(StageVerify, fmt.Sprintf("%d attestation(s) verified", len(c.Attestations)))
	}

	// sbom
	doc, summary, err := sbomStage(c, statements)
	switch {
	case err != nil:
		fail(StageSBOM, err)
	case doc == nil:
		skip(StageSBOM, "no SBOM given or attested")
	default:
		v.SBOM = summary
		detail := fmt.Sprintf("%s %s with %d components (%s)", summary.Format, summary.SpecVersion, summary.Components, summary.Source)
		if summary.Source == sbomFromAttestation && (c.Document != nil || len(c.SBOM) > 0) {
			detail += "; the supplied SBOM was not used"
		}
		ok(StageSBOM, detail)
	}

	// risk
	if doc != nil {
		rep, err := risk.Scan(ctx, doc, g.c.db, g.c.scan...)
		if err != nil {
			fail(StageRisk, err)
		} else {
			v.Risk = rep
			detail := fmt.Sprintf("%d finding(s), %d suppressed, %d unassessed", rep.Summary.Findings, rep.Summary.Suppressed, rep.Summary.Unassessed)
			if len(rep.Signals) > 0 {
				detail += fmt.Sprintf(", %d signal(s), %d source(s) flagged", len(rep.Signals), rep.FlaggedSources())
			}
			ok(StageRisk, detail)
		}
	} else {
		skip(StageRisk, "no SBOM to scan")
	}

	// policy
	in, err := buildInput(c, g.c.now(), prov, doc, v.SBOM, v.Risk)
	var d *policy.Decision
	if err == nil {
		v.Input = in
		d, err = g.c.engine.Decide(ctx, in)
	}
	if err != nil {
		fail(StagePolicy, err)
	} else {
		v.Decision = d
		v.Reasons = append(v.Reasons, d.Deny...)
		v.Warnings = append(v.Warnings, d.Warn...)
		ok(StagePolicy, fmt.Sprintf("%d deny, %d warn (policy %s)", len(d.Deny), len(d.Warn), policyRef(d.Policy)))
	}

	v.Allow = len(errs) == 0 && v.Decision != nil && v.Decision.Allow
	return v, errors.Join(errs...)
}

func policyRef(p policy.PolicyInfo) string {
	if p.Revision != "" {
		return p.Revision
	}
	if len(p.Digest) > 19 {
		return p.Digest[:19]
	}
	return p.Digest
}

// verifyStage verifies every attestation against the candidate's digest
// and identity, and checks SLSA requirements on the provenance among them.
func (g *Gate) verifyStage(ctx context.Context, c Candidate, v *Verdict) (*policy.Provenance, []*provenance.Statement, error) {
	if len(c.Attestations) == 0 {
		if c.SLSA != nil {
			return &policy.Provenance{Errors: []string{"no attestations"}}, nil,
				fmt.Errorf("SLSA requirements set but the candidate has no attestations")
		}
		return nil, nil, nil
	}
	alg, hexDigest, found := strings.Cut(c.Digest, ":")
	if !found || hexDigest == "" {
		return &policy.Provenance{Present: true, Errors: []string{"candidate has no digest"}}, nil,
			fmt.Errorf("candidate %q has no digest (want sha256:<hex>) to verify its attestations against", c.Image)
	}
	req := verify.Requirements{
		Artifact: verify.ArtifactDigest(alg, hexDigest),
		Identity: c.Identity,
	}
	prov := &policy.Provenance{}
	var statements []*provenance.Statement
	var errs []error
	for i, b := range c.Attestations {
		res, err := g.c.verifier.VerifyBundle(ctx, b, req)
		v.Verification = append(v.Verification, res)
		if err != nil {
			errs = append(errs, fmt.Errorf("attestation %d: %w", i, err))
			prov.Errors = append(prov.Errors, fmt.Sprintf("attestation %d: %v", i, err))
			continue
		}
		if res.Signer != nil {
			prov.Signers = append(prov.Signers, policy.Signer{Issuer: res.Signer.Issuer, Subject: res.Signer.SubjectAlternativeName, KeyID: res.Signer.KeyID})
		}
		st := res.Statement
		if st == nil {
			continue
		}
		statements = append(statements, st)
		if !provenance.IsSLSAProvenance(st.PredicateType) {
			continue
		}
		// The builder claim is checked against the signing certificate,
		// and c.SLSA's requirements with it.
		sum, err := res.SLSAProvenance(c.SLSA)
		if err != nil {
			errs = append(errs, fmt.Errorf("attestation %d: %w", i, err))
			prov.Errors = append(prov.Errors, fmt.Sprintf("attestation %d: %v", i, err))
			continue
		}
		prov.Present = true
		prov.PredicateType = sum.PredicateType
		prov.BuilderID = sum.BuilderID
		prov.BuildType = sum.BuildType
		prov.SourceRepository = sum.SourceURI
		prov.SourceRef = sum.Ref
		if sum.Commit != "" {
			prov.SourceDigest = "sha1:" + sum.Commit
		}
		prov.SLSALevel = slsaLevel(sum, res)
	}
	if c.SLSA != nil && !prov.Present && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("SLSA requirements set but no verified SLSA provenance among %d attestation(s)", len(c.Attestations)))
	}
	err := errors.Join(errs...)
	prov.Verified = prov.Present && err == nil
	if !prov.Present && err == nil {
		// Signatures or SBOM attestations only: no provenance to report.
		if len(prov.Signers) == 0 {
			return nil, statements, nil
		}
	}
	return prov, statements, err
}

// slsaLevel is the SLSA v1 build level the verified evidence supports:
// signed provenance is level 2; the reusable workflows of
// slsa-github-generator, which isolate signing from the build, are level
// 3. Level 3's hardening cannot be proved from an attestation alone, so it
// is granted only when the signing certificate proves that such a
// workflow signed: issued by GitHub Actions to exactly the builder ID's
// workflow at a release tag (res.BuilderProven). A builder ID that is only
// claimed, by a key or by a repository's own workflow, stays at level 2.
func slsaLevel(sum *verify.SLSASummary, res *verify.Result) int {
	if sum == nil || res == nil || !res.Verified {
		return 0
	}
	const generator = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/"
	if res.BuilderProven() && res.SLSA != nil && res.SLSA.BuilderID == sum.BuilderID &&
		strings.HasPrefix(sum.BuilderID, generator) && strings.Contains(sum.BuilderID, "@refs/tags/v") {
		return 3
	}
	return 2
}

// The values of SBOMSummary.Source.
const (
	sbomFromAttestation = "attestation"
	sbomFromDocument    = "document"
	sbomFromFile        = "file"
)

// sbomStage picks the SBOM: an SBOM attestation among the verified
// statements, else the caller's Document, else its SBOM bytes. A signed
// SBOM always wins over an unsigned one the caller supplies: the caller's
// copy could hide a package the attested one lists.
func sbomStage(c Candidate, statements []*provenance.Statement) (*sbom.Document, *SBOMSummary, error) {
	summarise := func(doc *sbom.Document, source string) *SBOMSummary {
		return &SBOMSummary{Source: source, Format: doc.Format.String(), SpecVersion: doc.SpecVersion, Components: len(doc.Components)}
	}
	for _, st := range statements {
		t := strings.ToLower(st.PredicateType)
		if !strings.Contains(t, "cyclonedx") && !strings.Contains(t, "spdx") {
			continue
		}
		doc, err := sbom.Decode(bytes.NewReader(st.Predicate))
		if err != nil {
			return nil, nil, fmt.Errorf("SBOM attestation (%s): %w", st.PredicateType, err)
		}
		return doc, summarise(doc, sbomFromAttestation), nil
	}
	if c.Document != nil {
		return c.Document, summarise(c.Document, sbomFromDocument), nil
	}
	if len(c.SBOM) > 0 {
		doc, err := sbom.Decode(bytes.NewReader(c.SBOM))
		if err != nil {
			return nil, nil, err
		}
		return doc, summarise(doc, sbomFromFile), nil
	}
	return nil, nil, nil
}

// EvaluateAll evaluates candidates in parallel (bounded by WithWorkers)
// and returns their verdicts and errors in input order.
func (g *Gate) EvaluateAll(ctx context.Context, cs []Candidate) ([]*Verdict, []error) {
	verdicts := make([]*Verdict, len(cs))
	errs := make([]error, len(cs))
	sem := make(chan struct{}, g.c.workers)
	var wg sync.WaitGroup
	for i := range cs {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			verdicts[i], errs[i] = g.Evaluate(ctx, cs[i])
		}(i)
	}
	wg.Wait()
	return verdicts, errs
}
