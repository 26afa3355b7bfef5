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

// SLSASummary is what was read from the verified provenance.
type SLSASummary struct {
	PredicateType string `json:"predicateType"`
	BuilderID     string `json:"builderId"`
	BuildType     string `json:"buildType"`
	SourceURI     string `json:"sourceUri,omitempty"`
	Ref           string `json:"ref,omitempty"`
	Commit        string `json:"commit,omitempty"`
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
			}
			if s.SourceURI == "" {
				// Other build types put the source in "source" or "repository".
				for _, k := range []string{"source", "repository"} {
					if u, ok := ext[k].(string); ok {
						s.SourceURI = u
						break
					}
				}
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
func CheckSLSA(st *provenance.Statement, req *SLSARequirements) (*Result, error) {
	res := newResult()
	res.Statement = st
	if err := checkSLSA(st, req, res); err != nil {
		return res.fail(err)
	}
	res.Verified = true
	return res, nil
}

// checkBuilderSigner holds a builder ID that names a GitHub workflow to
// the certificate: the ID is only a claim inside the provenance, the
// certificate says which workflow really signed. They must agree, as
// slsa-verifier requires, or anyone could copy a trusted builder's
// provenance into their own attestation.
func checkBuilderSigner(sum *SLSASummary, s *Signer) *CheckError {
	if s == nil || s.Kind != "certificate" || s.Extensions == nil || !strings.Contains(sum.BuilderID, "/.github/workflows/") {
		return nil
	}
	if s.Extensions.BuildSignerURI != sum.BuilderID {
		return checkErr(CheckSLSABuilder, ErrSLSARequirement, fmt.Errorf("provenance claims builder %q but the certificate was issued to workflow %q", sum.BuilderID, s.Extensions.BuildSignerURI))
	}
	return nil
}

// SLSAProvenance reads the SLSA provenance of a verified result and checks
// it with the result's signer: a builder ID naming a GitHub workflow must
// be the workflow the signing certificate was issued to. With req set it
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
	if req.BuildType != "" {
		if sum.BuildType != req.BuildType {
			return checkErr(CheckSLSABuildType, ErrSLSARequirement, fmt.Errorf("got %q, want %q", sum.BuildType, req.BuildType))
		}
		res.pass(CheckSLSABuildType, sum.BuildType)
	}
	if req.SourceURI != "" {
		if normalizeSourceURI(sum.SourceURI) != normalizeSourceURI(req.SourceURI) {
			return checkErr(CheckSLSASource, ErrSLSARequirement, fmt.Errorf("got %q, want %q", sum.SourceURI, req.SourceURI))
		}
		res.pass(CheckSLSASource, sum.SourceURI)
	}
	if req.Branch != "" {
		want := "refs/heads/" + strings.TrimPrefix(req.Branch, "refs/heads/")
		if sum.Ref != want {
			return checkErr(CheckSLSABranch, ErrSLSARequirement, fmt.Errorf("got ref %q, want %q", sum.Ref, want))
		}
		res.pass(CheckSLSABranch, sum.Ref)
	}
	tag, isTag := strings.CutPrefix(sum.Ref, "refs/tags/")
	if req.Tag != "" {
		if !isTag || tag != strings.TrimPrefix(req.Tag, "refs/tags/") {
			return checkErr(CheckSLSATag, ErrSLSARequirement, fmt.Errorf("got ref %q, want tag %q", sum.Ref, req.Tag))
		}
		res.pass(CheckSLSATag, tag)
	}
	if req.VersionedTag != "" {
		c, err := semver.NewConstraint(req.VersionedTag)
		if err != nil {
			return checkErr(CheckSLSAVersionedTag, ErrInvalidInput, fmt.Errorf("constraint %q: %w", req.VersionedTag, err))
		}
		if !isTag {
			return checkErr(CheckSLSAVersionedTag, ErrSLSARequirement, fmt.Errorf("ref %q is not a tag", sum.Ref))
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
