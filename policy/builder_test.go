package policy_test

import (
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/risk/signal"
	"github.com/chaingate/chaingate/sbom"
	"github.com/chaingate/chaingate/verify"
)

func TestInputBuilder(t *testing.T) {
	f, err := os.Open("testdata/snapshot-1.6.bom.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := sbom.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	tomcat := doc.Components[1]
	report := &risk.Report{Findings: []risk.Finding{
		{
			ID: "GHSA-x", Aliases: []string{"CVE-2019-0232"}, Component: tomcat, Source: "osv", Fixed: []string{"9.0.17"},
			Severity: []risk.Severity{{Type: "CVSS_V3", Score: 8.1, Rating: "HIGH"}, {Type: "CVSS_V4", Score: 9.3, Rating: "CRITICAL"}},
			KEV:      &risk.KEVEntry{CVE: "CVE-2019-0232"}, EPSS: &risk.EPSSScore{CVE: "CVE-2019-0232", Score: 0.97},
			Priority: risk.Priority{Decision: risk.Act, Score: 95},
		},
		{
			ID: "GHSA-y", Component: tomcat, Source: "osv", Priority: risk.Priority{Decision: risk.Track, Score: 10},
			Suppressed: &risk.Suppression{Format: "openvex", Status: "not_affected", Justification: "vulnerable_code_not_present"},
		},
	}}
	result := &verify.Result{
		Verified: true,
		Signer:   &verify.Signer{Kind: "certificate", SubjectAlternativeName: "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1", Issuer: "https://token.actions.githubusercontent.com"},
		SLSA:     &verify.SLSASummary{PredicateType: "https://slsa.dev/provenance/v1", BuilderID: "https://github.com/actions/runner/github-hosted", SourceURI: "https://github.com/acme/app", Ref: "refs/tags/v1", Commit: "abc"},
		Checks:   []verify.Check{{Name: "signature", Passed: true}},
	}
	when := time.Date(2026, 6, 1, 12, 0, 0, 0, time.FixedZone("x", 3600))
	in, err := policy.NewInputBuilder().
		WithArtifactRef("ghcr.io/acme/app:v1@sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b").
		WithSBOM(doc).WithRisk(report).WithVerification(result).
		WithGitOps(policy.GitOps{Environment: "dev", Signed: true}).
		WithContext("ticket", "OPS-1").
		WithTime(when).
		Build()
	if err != nil {
		t.Fatal(err)
	}
	a := in.Artifact
	if a.Registry != "ghcr.io" || a.Repository != "acme/app" || a.Tag != "v1" || a.Digest != "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b" || a.Name != "ghcr.io/acme/app" {
		t.Errorf("artifact %+v", a)
	}
	if in.Time != "2026-06-01T11:00:00Z" || in.SchemaVersion != policy.InputSchemaVersion {
		t.Errorf("time %q version %q", in.Time, in.SchemaVersion)
	}
	s := in.SBOM
	if s.Summary.Components != 3 || s.Summary.WithPURL != 1 || s.Summary.WithLicense != 1 || s.Summary.WithHash != 1 || s.Components[1].Hashes["SHA-256"] == "" {
		t.Errorf("sbom summary %+v", s.Summary)
	}
	r := in.Risk
	if r.Summary.Total != 2 || r.Summary.KEV != 1 || r.Summary.Suppressed != 1 || r.Summary.Critical != 1 || r.Summary.Low != 1 {
		t.Errorf("risk summary %+v", r.Summary)
	}
	if f := r.Findings[0]; f.Severity != "critical" || f.CVSS != 9.3 || !f.KEV || f.EPSS != 0.97 || f.Package != "tomcat-catalina" || f.PURL != tomcat.PURL {
		t.Errorf("finding %+v", f)
	}
	if f := r.Findings[1]; !f.Suppressed || f.VEXStatus != "not_affected" {
		t.Errorf("suppressed finding %+v", f)
	}
	p := in.Provenance
	if !p.Present || !p.Verified || p.SLSALevel != 2 || p.BuilderID == "" || p.SourceRef != "refs/tags/v1" || len(p.Signers) != 1 || len(p.Errors) != 0 {
		t.Errorf("provenance %+v", p)
	}

	// The built input goes through the library: the KEV finding and the
	// components without purl are denied, the suppressed one is not.
	e, err := policy.New(t.Context(), policy.WithLibrary(policy.LibraryVulnerabilities, policy.LibrarySBOM, policy.LibraryProvenance))
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.Decide(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, r := range d.Deny {
		codes = append(codes, r.Code)
	}
	slices.Sort(codes)
	want := []string{"CG-SBOM-002", "CG-SBOM-002", "CG-VULN-001", "CG-VULN-002"}
	if !slices.Equal(codes, want) {
		t.Errorf("codes %v, want %v", codes, want)
	}

	unverified := &verify.Result{Checks: []verify.Check{{Name: "tlog", Passed: false, Detail: "no entry"}}, SLSA: &verify.SLSASummary{BuilderID: "b"}}
	in2, err := policy.NewInputBuilder().WithVerification(unverified).Build()
	if err != nil {
		t.Fatal(err)
	}
	if in2.Provenance.Verified || in2.Provenance.SLSALevel != 1 || len(in2.Provenance.Errors) != 1 || in2.Provenance.Errors[0] != "tlog: no entry" {
		t.Errorf("unverified provenance %+v", in2.Provenance)
	}
	if _, err := policy.NewInputBuilder().WithArtifactRef("Not A Ref!!").Build(); !errors.Is(err, policy.ErrInvalidInput) {
		t.Errorf("bad reference: %v", err)
	}
}

func TestInputBuilderFromImageSBOM(t *testing.T) {
	doc := &sbom.Document{Format: sbom.CycloneDXJSON, Image: &sbom.ImageInfo{Reference: "ghcr.io/acme/app:2.0", Digest: "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b"}}
	in, err := policy.NewInputBuilder().WithSBOM(doc).Build()
	if err != nil {
		t.Fatal(err)
	}
	if in.Artifact.Registry != "ghcr.io" || in.Artifact.Tag != "2.0" || in.Artifact.Digest != doc.Image.Digest || in.Artifact.Type != "image" {
		t.Errorf("artifact %+v", in.Artifact)
	}
	if in.SBOM.Components == nil || in.SBOM.Summary.Components != 0 {
		t.Errorf("empty sbom %+v", in.SBOM)
	}
	doc.Image.Reference = "oci-archive:build/x.tar"
	in, err = policy.NewInputBuilder().WithSBOM(doc).Build()
	if err != nil || in.Artifact.Name != "oci-archive:build/x.tar" {
		t.Errorf("non-OCI reference: %+v %v", in, err)
	}
}

// TestRiskFromReportSignals checks that the risk scan's signals and their
// per-source combination reach the policy input, with the model's own
// decision as Flagged.
func TestRiskFromReportSignals(t *testing.T) {
	cand, err := signal.TyposquatScore("npm", "axios-utils")
	if err != nil {
		t.Fatal(err)
	}
	flag, err := signal.TyposquatScore("npm", "crossenv")
	if err != nil {
		t.Fatal(err)
	}
	if cand.Flagged || !flag.Flagged {
		t.Fatalf("fixture scores changed: axios-utils %+v, crossenv %+v", cand.Flagged, flag.Flagged)
	}
	sigs := []signal.Signal{
		{ID: "typosquat", Source: "pkg:npm/axios-utils@1.0.0", Value: cand.Value, Score: &cand, Evidence: []string{"affix"}},
		{ID: "install-network", Source: "pkg:npm/axios-utils@1.0.0", Value: 0.5, Evidence: []string{"setup.js calls https.request"}},
		{ID: "typosquat", Source: "pkg:npm/crossenv@1.0.0", Value: flag.Value, Score: &flag},
		{ID: "tampered", Source: "pkg:npm/left-pad@1.3.0", Value: 0.9},
	}
	rep := &risk.Report{Signals: sigs, SignalRisk: signal.RiskOf(sigs, 0)}
	r := policy.RiskFromReport(rep)
	if len(r.Signals) != 4 || r.Summary.Signals != 4 {
		t.Fatalf("signals %+v", r.Signals)
	}
	if s := r.Signals[0]; s.Flagged || s.Target != "axios" || s.Model == "" || s.Value != cand.Value {
		t.Errorf("candidate %+v", s)
	}
	if !r.Signals[2].Flagged || !r.Signals[3].Flagged || r.Signals[1].Flagged {
		t.Errorf("flags %+v", r.Signals)
	}
	if r.Summary.SignalsFlagged != 2 {
		t.Errorf("signalsFlagged %d", r.Summary.SignalsFlagged)
	}
	// axios-utils (corroborated), crossenv and left-pad are flagged sources.
	if r.Summary.SourcesFlagged != 3 || len(r.SignalRisk) != 3 {
		t.Errorf("signal risk %+v", r.SignalRisk)
	}
	for _, sr := range r.SignalRisk {
		if sr.Source == "pkg:npm/axios-utils@1.0.0" && (!sr.Flagged || !slices.Equal(sr.Signals, []string{"install-network", "typosquat"})) {
			t.Errorf("axios-utils %+v", sr)
		}
	}
}
