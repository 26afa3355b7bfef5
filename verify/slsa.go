package verify

import (
	"errors"
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/chaingate/chaingate/provenance"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
)

// SLSARequirements are slsa-verifier's checks on verified SLSA provenance
// (v0.2 or v1). Empty fields are not checked, except BuilderIDs, which is
// required: provenance from an unknown builder proves nothing.
type SLSARequirements struct {
	// BuilderIDs is the allow-list of builder IDs. An entry without "@"
	// matches any version of that builder ("…/builder.yml" accepts
	// "…/builder.yml@refs/tags/v2.0.0"); an entry with "@" must match exactly.
	BuilderIDs []string `json:"builderIds"`
	// SourceURI is the source repository, e.g. "github.com/owner/repo"
	// (scheme, "git+" and ".git" are ignored when comparing).
	SourceURI string `json:"sourceUri,omitempty"`
	// Branch is the branch that was built ("main").
	Branch string `json:"branch,omitempty"`
	// Tag is the exact tag that was built ("v1.2.3").
	Tag string `json:"tag,omitempty"`
	// VersionedTag is a semver constraint the built tag must satisfy
	// ("^1.2", ">= 1.0.0, < 2"), like slsa-verifier --source-versioned-tag.
	VersionedTag string `json:"versionedTag,omitempty"`
	// BuildType is the exact build type URI.
	BuildType string `json:"buildType,omitempty"`
}

// SLSASummary is what was read from the verified provenance. When the
// provenance was checked against a signing certificate (VerifyBundle with
// Requirements.SLSA, or Result.SLSAProvenance), every claim the
// certificate also records was found equal to it, and a source, ref or
// commit the provenance does not state is taken from the certificate.
type SLSASummary struct {
	PredicateType string `json:"predicateType"`
	BuilderID     string `json:"builderId"`
	BuildType     string `json:"buildType"`
	SourceURI     string `json:"sourceUri,omitempty"`
	Ref           string `json:"ref,omitempty"`
	Commit        string `json:"commit,omitempty"`
	// Workflow is the workflow file the provenance says was run
	// (".github/workflows/release.yml").
	Workflow string `json:"workflow,omitempty"`
	// Trigger is the event the provenance says started the build ("push").
	Trigger string `json:"trigger,omitempty"`
}

// ReadSLSA extracts builder, build type, source and ref from SLSA v0.2 or
// v1 provenance (GitHub Actions, npm and slsa-github-generator shapes).
func ReadSLSA(st *provenance.Statement) (*SLSASummary, error) {
	if st == nil {
		return nil, fmt.Errorf("verify: read SLSA: nil statement: %w", ErrInvalidInput)
	}
	s := &SLSASummary{PredicateType: st.PredicateType}
	switch st.PredicateType {
	case provenance.PredicateSLSAProvenanceV1:
		p, err := st.SLSAv1()
		if err != nil {
			return nil, err
		}
		s.BuilderID = p.RunDetails.Builder.ID
		s.BuildType = p.BuildDefinition.BuildType
		if ext, ok := p.BuildDefinition.ExternalParameters.(map[string]any); ok {
			if wf, ok := ext["workflow"].(map[string]any); ok {
				s.SourceURI, _ = wf["repository"].(string)
				s.Ref, _ = wf["ref"].(string)
				s.Workflow, _ = wf["path"].(string)
			}
			if s.SourceURI == "" {
				// Other build types put the source in "source" or
				// "repository", as a string or as {"uri": ...}
				// (slsa-github-generator's container-based builder).
				for _, k := range []string{"source", "repository"} {
					if u, ok := ext[k].(string); ok {
						s.SourceURI = u
						break
					}
					if m, ok := ext[k].(map[string]any); ok {
						if u, ok := m["uri"].(string); ok {
							s.SourceURI = u
							break
						}
					}
				}
			}
		}
		if in, ok := p.BuildDefinition.InternalParameters.(map[string]any); ok {
			if gh, ok := in["github"].(map[string]any); ok {
				s.Trigger, _ = gh["event_name"].(string)
			}
			if s.Trigger == "" {
				s.Trigger, _ = in["GITHUB_EVENT_NAME"].(string)
			}
		}
		if len(p.BuildDefinition.ResolvedDependencies) > 0 {
			d := p.BuildDefinition.ResolvedDependencies[0]
			if s.SourceURI == "" {
				s.SourceURI = d.URI
			}
			if s.Ref == "" {
				if _, ref, ok := strings.Cut(d.URI, "@"); ok {
					s.Ref = ref
				}
			}
			s.Commit = d.Digest["gitCommit"]
			if s.Commit == "" {
				s.Commit = d.Digest["sha1"]
			}
		}
	case provenance.PredicateSLSAProvenanceV02:
		p, err := st.SLSAv02()
		if err != nil {
			return nil, err
		}
		s.BuilderID = p.Builder.ID
		s.BuildType = p.BuildType
		uri := p.Invocation.ConfigSource.URI
		if uri == "" && len(p.Materials) > 0 {
			uri = p.Materials[0].URI
		}
		s.Commit = p.Invocation.ConfigSource.Digest["sha1"]
		s.Workflow = p.Invocation.ConfigSource.EntryPoint
		if base, ref, ok := strings.Cut(uri, "@"); ok {
			s.SourceURI, s.Ref = base, ref
		} else {
			s.SourceURI = uri
		}
		if env, ok := p.Invocation.Environment.(map[string]any); ok {
			for _, k := range []string{"GITHUB_REF", "github_ref"} {
				if r, ok := env[k].(string); ok && r != "" && s.Ref == "" {
					s.Ref = r
				}
			}
			for _, k := range []string{"GITHUB_EVENT_NAME", "github_event_name"} {
				if r, ok := env[k].(string); ok && r != "" && s.Trigger == "" {
					s.Trigger = r
				}
			}
		}
	default:
		return nil, fmt.Errorf("verify: read SLSA: predicate %q is not SLSA provenance: %w", st.PredicateType, ErrPredicateMismatch)
	}
	if s.BuilderID == "" {
		return nil, fmt.Errorf("verify: read SLSA: provenance has no builder ID: %w", ErrSLSARequirement)
	}
	return s, nil
}

// normalizeSourceURI reduces "git+https://github.com/o/r.git@ref" to
// "github.com/o/r".
func normalizeSourceURI(u string) string {
	u = strings.TrimPrefix(u, "git+")
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if base, _, ok := strings.Cut(u, "@"); ok {
		u = base
	}
	u = strings.TrimSuffix(strings.TrimSuffix(u, "/"), ".git")
	return strings.ToLower(u)
}

func builderAllowed(allowed []string, id string) bool {
	name, _, _ := strings.Cut(id, "@")
	for _, a := range allowed {
		if strings.Contains(a, "@") {
			if a == id {
				return true
			}
		} else if a == name {
			return true
		}
	}
	return false
}

// CheckSLSA checks verified provenance against requirements, outside a
// bundle verification (for example on a statement verified elsewhere).
// There is no signer here, so the provenance's claims are taken as they
// are: VerifyBundle and Result.SLSAProvenance hold them to the signing
// certificate.
func CheckSLSA(st *provenance.Statement, req *SLSARequirements) (*Result, error) {
	res := newResult()
	res.Statement = st
	if err := checkSLSA(st, req, res); err != nil {
		return res.fail(err)
	}
	res.Verified = true
	return res, nil
}

// githubActionsIssuer is the OIDC issuer of GitHub Actions workload
// identities in Fulcio certificates.
const githubActionsIssuer = "https://token.actions.githubusercontent.com"

// isGitHubActions reports whether issuer is GitHub Actions' OIDC issuer,
// including the per-enterprise form ".../<enterprise>".
func isGitHubActions(issuer string) bool {
	return issuer == githubActionsIssuer || strings.HasPrefix(issuer, githubActionsIssuer+"/")
}

// certFacts is what a signing certificate proves about the build: the
// signing workflow and the caller's source, ref, commit, workflow file
// and trigger. Each comes from Fulcio's extensions, then from the
// deprecated GitHub extensions (2022 certificates), and, when a
// certificate carries no source extension at all, from a SAN that names
// a GitHub workflow ("https://github.com/o/r/.github/workflows/f.yml@ref").
type certFacts struct {
	issuer   string
	signer   string // the workflow that signed (Build Signer URI or SAN)
	runner   string // runner environment
	source   string
	ref      string
	digest   string
	workflow string // workflow file of the caller, ".github/workflows/f.yml"
	trigger  string
}

func factsOf(s *Signer) (certFacts, bool) {
	if s == nil || s.Kind != "certificate" {
		return certFacts{}, false
	}
	e := s.Extensions
	if e == nil {
		e = &Extensions{}
	}
	f := certFacts{
		issuer:  s.Issuer,
		signer:  e.BuildSignerURI,
		runner:  e.RunnerEnvironment,
		source:  e.SourceRepositoryURI,
		ref:     firstOf(e.SourceRepositoryRef, e.GithubWorkflowRef),
		digest:  firstOf(e.SourceRepositoryDigest, e.GithubWorkflowSHA),
		trigger: firstOf(e.BuildTrigger, e.GithubWorkflowTrigger),
	}
	if f.issuer == "" {
		f.issuer = e.Issuer
	}
	if f.source == "" && e.GithubWorkflowRepository != "" {
		f.source = githubRepoURI(e.GithubWorkflowRepository)
	}
	if e.BuildConfigURI != "" {
		f.workflow = workflowPath(e.BuildConfigURI, f.source)
	}
	if repo, path, ref, ok := parseWorkflowURI(s.SubjectAlternativeName); ok {
		if f.signer == "" {
			f.signer = s.SubjectAlternativeName
		}
		if f.source == "" {
			// No source extension: the SAN's workflow is the only
			// statement of what ran, so it is also the source.
			f.source, f.ref, f.workflow = repo, ref, path
		}
	}
	return f, true
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// parseWorkflowURI splits "https://github.com/o/r/.github/workflows/f.yml@ref"
// into "https://github.com/o/r", ".github/workflows/f.yml" and "ref".
func parseWorkflowURI(u string) (repo, path, ref string, ok bool) {
	base, ref, hasRef := strings.Cut(u, "@")
	if !hasRef || !strings.HasPrefix(base, "https://github.com/") {
		return "", "", "", false
	}
	i := strings.Index(base, "/.github/workflows/")
	if i < 0 {
		return "", "", "", false
	}
	return base[:i], base[i+1:], ref, true
}

// workflowPath is the workflow file of a Build Config URI
// (".github/workflows/f.yml" of "https://github.com/o/r/.github/workflows/f.yml@ref",
// ".gitlab-ci.yml" of "https://gitlab.com/o/r//.gitlab-ci.yml@ref"), or ""
// when the URI has neither shape: then it is not compared.
func workflowPath(u, source string) string {
	if _, path, _, ok := parseWorkflowURI(u); ok {
		return path
	}
	base, _, _ := strings.Cut(u, "@")
	if source != "" {
		if rest, ok := strings.CutPrefix(base, strings.TrimSuffix(source, "/")+"/"); ok {
			return strings.TrimLeft(rest, "/")
		}
	}
	return ""
}

// runnerBuilder reports whether id is GitHub's own runner as a builder
// ("https://github.com/actions/runner", ".../github-hosted", ".../self-hosted")
// and the runner environment it claims ("" for the short form).
func runnerBuilder(id string) (env string, ok bool) {
	name, _, _ := strings.Cut(id, "@")
	switch name {
	case "https://github.com/actions/runner":
		return "", true
	case "https://github.com/actions/runner/github-hosted":
		return "github-hosted", true
	case "https://github.com/actions/runner/self-hosted":
		return "self-hosted", true
	}
	return "", false
}

// checkBuilderSigner holds the provenance's builder ID to the signing
// certificate. The ID is only a claim inside the provenance; the
// certificate says which workflow really signed. For every builder ID:
//   - a GitHub workflow builder (any ID under https://github.com/ other
//     than the runner's own) must be the workflow the certificate was
//     issued to (its Build Signer URI, or a workflow SAN), exactly as
//     slsa-verifier requires, or anyone could copy a trusted builder's ID
//     into their own provenance;
//   - GitHub's runner ("https://github.com/actions/runner[/github-hosted]")
//     needs a GitHub Actions certificate whose runner environment, when
//     recorded, is the one claimed;
//   - any other builder ID signed by a GitHub Actions workflow is refused:
//     the certificate proves a GitHub workflow signed it, not that builder.
//
// Key signers and certificates of other identities prove nothing about
// builders: their builder claims pass here (the allow-list is the
// caller's decision) and never count as proven (see BuilderProven).
func checkBuilderSigner(sum *SLSASummary, s *Signer) *CheckError {
	f, ok := factsOf(s)
	if !ok {
		return nil
	}
	id := sum.BuilderID
	if env, isRunner := runnerBuilder(id); isRunner {
		if !isGitHubActions(f.issuer) {
			return checkErr(CheckSLSABuilder, ErrSLSARequirement, fmt.Errorf("provenance claims GitHub's runner %q as builder but the certificate was issued by %q, not GitHub Actions", id, f.issuer))
		}
		if env != "" && f.runner != "" && env != f.runner {
			return checkErr(CheckSLSABuilder, ErrSLSARequirement, fmt.Errorf("provenance claims builder %q but the certificate's runner environment is %q", id, f.runner))
		}
		return nil
	}
	if strings.HasPrefix(id, "https://github.com/") {
		if f.signer == "" {
			return checkErr(CheckSLSABuilder, ErrSLSARequirement, fmt.Errorf("provenance claims GitHub builder %q but the certificate names no signing workflow", id))
		}
		if f.signer != id {
			return checkErr(CheckSLSABuilder, ErrSLSARequirement, fmt.Errorf("provenance claims builder %q but the certificate was issued to workflow %q", id, f.signer))
		}
		return nil
	}
	if isGitHubActions(f.issuer) {
		return checkErr(CheckSLSABuilder, ErrSLSARequirement, fmt.Errorf("provenance claims builder %q but the certificate was issued to workflow %q", id, firstOf(f.signer, s.SubjectAlternativeName)))
	}
	return nil
}

// BuilderProven reports whether the signing certificate of a verified
// result proves the builder its SLSA provenance names: the certificate
// was issued by GitHub Actions to exactly that workflow (Build Signer URI
// and SAN both equal to the builder ID). A key, or a certificate that
// only does not contradict the claim, proves nothing.
func (r *Result) BuilderProven() bool {
	if r == nil || !r.Verified || r.SLSA == nil || r.Signer == nil || r.Signer.Kind != "certificate" || r.Signer.Extensions == nil {
		return false
	}
	id := r.SLSA.BuilderID
	return id != "" && isGitHubActions(r.Signer.Issuer) &&
		r.Signer.Extensions.BuildSignerURI == id && r.Signer.SubjectAlternativeName == id
}

// checkCertificateClaims compares what the provenance claims about the
// build with what the signing certificate proves, field by field, as
// slsa-verifier does for builders whose provenance is not itself trusted:
// source repository, ref, commit, workflow file and trigger. A claim the
// certificate does not record is left alone; one that differs fails,
// naming the field. Source, ref and commit the provenance leaves out are
// then filled in from the certificate, and the source is reported in the
// certificate's spelling.
func checkCertificateClaims(sum *SLSASummary, s *Signer, res *Result) *CheckError {
	f, ok := factsOf(s)
	if !ok {
		return nil
	}
	type field struct {
		check, name, claim, proven string
		equal                      func(a, b string) bool
	}
	exact := func(a, b string) bool { return a == b }
	for _, c := range []field{
		{CheckSLSACertSource, "source repository", sum.SourceURI, f.source, func(a, b string) bool { return normalizeSourceURI(a) == normalizeSourceURI(b) }},
		{CheckSLSACertRef, "source ref", sum.Ref, f.ref, exact},
		{CheckSLSACertDigest, "source digest", sum.Commit, f.digest, strings.EqualFold},
		{CheckSLSACertBuildConfig, "build config (workflow)", sum.Workflow, f.workflow, func(a, b string) bool { return strings.TrimPrefix(a, "./") == b }},
		{CheckSLSACertTrigger, "build trigger", sum.Trigger, f.trigger, exact},
	} {
		if c.claim == "" || c.proven == "" {
			continue
		}
		if !c.equal(c.claim, c.proven) {
			return checkErr(c.check, ErrSLSARequirement, fmt.Errorf("provenance %s %q disagrees with the signing certificate's %q", c.name, c.claim, c.proven))
		}
		res.pass(c.check, c.proven)
	}
	if f.source != "" {
		// Equal to the claim, or the claim was silent: report the
		// certificate's spelling ("https://github.com/o/r", where v0.2
		// provenance says "git+https://github.com/o/r").
		sum.SourceURI = f.source
	}
	if sum.Ref == "" {
		sum.Ref = f.ref
	}
	if sum.Commit == "" {
		sum.Commit = f.digest
	}
	return nil
}

// SLSAProvenance reads the SLSA provenance of a verified result and checks
// it with the result's signer: the builder ID must be one the signing
// certificate allows (see checkBuilderSigner), and the source, ref,
// commit, workflow and trigger the provenance claims must equal those the
// certificate records. With req set it
// also checks req, as VerifyBundle does with Requirements.SLSA. The checks
// are recorded on r; a failure is a *CheckError and leaves r unverified.
func (r *Result) SLSAProvenance(req *SLSARequirements) (*SLSASummary, error) {
	if r == nil || !r.Verified || r.Statement == nil {
		return nil, checkErr(CheckSLSAPredicate, ErrInvalidInput, errors.New("no verified statement"))
	}
	if req != nil {
		if ce := checkSLSA(r.Statement, req, r); ce != nil {
			_, err := r.fail(ce)
			return nil, err
		}
		return r.SLSA, nil
	}
	sum, err := ReadSLSA(r.Statement)
	if err != nil {
		return nil, checkErr(CheckSLSAPredicate, ErrSLSARequirement, err)
	}
	if ce := checkBuilderSigner(sum, r.Signer); ce != nil {
		_, err := r.fail(ce)
		return nil, err
	}
	if ce := checkCertificateClaims(sum, r.Signer, r); ce != nil {
		_, err := r.fail(ce)
		return nil, err
	}
	r.SLSA = sum
	return sum, nil
}

func checkSLSA(st *provenance.Statement, req *SLSARequirements, res *Result) *CheckError {
	sum, err := ReadSLSA(st)
	if err != nil {
		if errors.Is(err, ErrPredicateMismatch) {
			return checkErr(CheckSLSAPredicate, ErrPredicateMismatch, err)
		}
		return checkErr(CheckSLSAPredicate, ErrSLSARequirement, err)
	}
	res.SLSA = sum
	res.pass(CheckSLSAPredicate, sum.PredicateType)
	if len(req.BuilderIDs) == 0 {
		return checkErr(CheckSLSABuilder, ErrInvalidInput, errors.New("SLSARequirements.BuilderIDs is empty"))
	}
	if !builderAllowed(req.BuilderIDs, sum.BuilderID) {
		return checkErr(CheckSLSABuilder, ErrSLSARequirement, fmt.Errorf("builder %q not in allow-list %q", sum.BuilderID, req.BuilderIDs))
	}
	if ce := checkBuilderSigner(sum, res.Signer); ce != nil {
		return ce
	}
	res.pass(CheckSLSABuilder, sum.BuilderID)
	if ce := checkCertificateClaims(sum, res.Signer, res); ce != nil {
		return ce
	}
	// Source and ref requirements are held to what the certificate
	// proves; the provenance's claims were found equal to it above. A
	// key signer proves nothing beyond its key: its claims are used.
	source, ref, proof := sum.SourceURI, sum.Ref, "provenance"
	if f, ok := factsOf(res.Signer); ok {
		source, ref, proof = f.source, f.ref, "signing certificate"
	}
	if req.BuildType != "" {
		if sum.BuildType != req.BuildType {
			return checkErr(CheckSLSABuildType, ErrSLSARequirement, fmt.Errorf("got %q, want %q", sum.BuildType, req.BuildType))
		}
		res.pass(CheckSLSABuildType, sum.BuildType)
	}
	if req.SourceURI != "" {
		if normalizeSourceURI(source) != normalizeSourceURI(req.SourceURI) {
			return checkErr(CheckSLSASource, ErrSLSARequirement, fmt.Errorf("%s source repository %q, want %q", proof, source, req.SourceURI))
		}
		res.pass(CheckSLSASource, source)
	}
	if req.Branch != "" {
		want := "refs/heads/" + strings.TrimPrefix(req.Branch, "refs/heads/")
		if ref != want {
			return checkErr(CheckSLSABranch, ErrSLSARequirement, fmt.Errorf("%s ref %q, want %q", proof, ref, want))
		}
		res.pass(CheckSLSABranch, ref)
	}
	tag, isTag := strings.CutPrefix(ref, "refs/tags/")
	if req.Tag != "" {
		if !isTag || tag != strings.TrimPrefix(req.Tag, "refs/tags/") {
			return checkErr(CheckSLSATag, ErrSLSARequirement, fmt.Errorf("%s ref %q, want tag %q", proof, ref, req.Tag))
		}
		res.pass(CheckSLSATag, tag)
	}
	if req.VersionedTag != "" {
		c, err := semver.NewConstraint(req.VersionedTag)
		if err != nil {
			return checkErr(CheckSLSAVersionedTag, ErrInvalidInput, fmt.Errorf("constraint %q: %w", req.VersionedTag, err))
		}
		if !isTag {
			return checkErr(CheckSLSAVersionedTag, ErrSLSARequirement, fmt.Errorf("%s ref %q is not a tag", proof, ref))
		}
		ver, err := semver.NewVersion(tag)
		if err != nil {
			return checkErr(CheckSLSAVersionedTag, ErrSLSARequirement, fmt.Errorf("tag %q is not semver: %w", tag, err))
		}
		if !c.Check(ver) {
			return checkErr(CheckSLSAVersionedTag, ErrSLSARequirement, fmt.Errorf("tag %q does not satisfy %q", tag, req.VersionedTag))
		}
		res.pass(CheckSLSAVersionedTag, tag+" satisfies "+req.VersionedTag)
	}
	return nil
}

func summaryOf(s *Signer) certificate.Summary {
	return certificate.Summary{CertificateIssuer: s.CertificateIssuer, SubjectAlternativeName: s.SubjectAlternativeName, Extensions: s.Extensions.sigstore()}
}
