package chaingate

import (
	"time"

	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/sbom"
)

// buildInput assembles the policy input from what the stages found, with
// policy's own converters for the SBOM and the risk report. Provenance is
// the gate's own (verifyStage), since it aggregates several attestations.
//
// The SBOM's source goes into input.sbom.source: "attested" for the
// predicate of a verified SBOM attestation, "supplied" for the caller's.
func buildInput(c Candidate, now time.Time, prov *policy.Provenance, doc *sbom.Document, sum *SBOMSummary, rep *risk.Report) (*policy.Input, error) {
	b := policy.NewInputBuilder().WithTime(now).WithArtifact(artifactInput(c))
	if doc != nil {
		b.WithSBOM(doc)
	}
	if rep != nil {
		b.WithRisk(rep)
	}
	if prov != nil {
		b.WithProvenance(*prov)
	}
	if g := gitopsInput(c); g != nil {
		b.WithGitOps(*g)
	}
	for k, v := range c.Context {
		b.WithContext(k, v)
	}
	in, err := b.Build()
	if err != nil {
		return nil, err
	}
	if in.SBOM != nil && sum != nil {
		in.SBOM.Source = "supplied"
		if sum.Source == sbomFromAttestation {
			in.SBOM.Source = "attested"
		}
	}
	return in, nil
}

func gitopsInput(c Candidate) *policy.GitOps {
	if c.GitOps != nil {
		g := *c.GitOps
		if g.Environment == "" {
			g.Environment = c.Environment
		}
		return &g
	}
	if c.Environment != "" {
		return &policy.GitOps{Environment: c.Environment}
	}
	return nil
}

// artifactInput names the candidate for policies: an OCI reference is
// split into registry, repository and tag by policy's parser; anything
// else (an npm tarball name, a path) is kept as its name.
func artifactInput(c Candidate) policy.Artifact {
	in, err := policy.NewInputBuilder().WithArtifactRef(c.Image).Build()
	a := policy.Artifact{Name: c.Image, Reference: c.Image}
	if err == nil {
		a = in.Artifact
	}
	if c.Digest != "" {
		a.Digest = c.Digest
	}
	return a
}
