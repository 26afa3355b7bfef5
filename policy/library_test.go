package policy_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/policy/policytest"
)

// TestLibraryRego runs the library's own Rego unit tests, with coverage.
func TestLibraryRego(t *testing.T) {
	rep := policytest.Run(t, policy.Library(), policytest.WithCoverage(90))
	if rep.Passed < 50 || rep.Failed != 0 {
		t.Fatalf("library Rego tests: %+v", rep)
	}
	t.Logf("library: %d passed, coverage %.1f%%", rep.Passed, rep.Coverage)
}

// TestLibraryDecide drives every library rule through Decide, starting
// from the benchmark fixture (real components) made clean, with the
// payments-service configuration of testdata/bench/config.yaml.
func TestLibraryDecide(t *testing.T) {
	ctx := t.Context()
	f := loadBenchFixture(t)
	e := libraryPolicy(t, f).engine
	base := f.typed
	base.Risk = &policy.Risk{Findings: []policy.Finding{}}
	clone := func() *policy.Input {
		b, err := json.Marshal(&base)
		if err != nil {
			t.Fatal(err)
		}
		var in policy.Input
		if err := json.Unmarshal(b, &in); err != nil {
			t.Fatal(err)
		}
		return &in
	}
	finding := policy.Finding{ID: "GHSA-test", Package: "github.com/gin-gonic/gin", Version: "v1.5.0", Priority: "high", FixedVersions: []string{"v1.6.0"}, FixedSince: "2026-01-01T00:00:00Z"}
	tests := []struct {
		name   string
		mutate func(*policy.Input)
		deny   []string // codes that must be denied (and no others)
		warn   []string
	}{
		{"clean", func(*policy.Input) {}, nil, nil},
		{"kev", func(in *policy.Input) {
			f := finding
			f.KEV, f.FixedVersions, f.FixedSince = true, nil, ""
			in.Risk.Findings = append(in.Risk.Findings, f)
		}, []string{"CG-VULN-001"}, nil},
		{"kev suppressed by VEX", func(in *policy.Input) {
			f := finding
			f.KEV, f.Suppressed, f.VEXStatus = true, true, "not_affected"
			in.Risk.Findings = append(in.Risk.Findings, f)
		}, nil, nil},
		{"fix overdue", func(in *policy.Input) { in.Risk.Findings = append(in.Risk.Findings, finding) }, []string{"CG-VULN-002"}, nil},
		{"fix inside window", func(in *policy.Input) {
			f := finding
			f.FixedSince = "2026-05-20T00:00:00Z"
			in.Risk.Findings = append(in.Risk.Findings, f)
		}, nil, []string{"CG-VULN-003"}},
		{"medium below threshold", func(in *policy.Input) {
			f := finding
			f.Priority = "medium"
			in.Risk.Findings = append(in.Risk.Findings, f)
		}, nil, nil},
		{"no provenance", func(in *policy.Input) { in.Provenance = nil }, []string{"CG-PROV-001", "CG-PROV-006"}, nil},
		{"provenance unverified", func(in *policy.Input) {
			in.Provenance.Verified, in.Provenance.Errors = false, []string{"no matching signature"}
		}, []string{"CG-PROV-002"}, nil},
		{"builder not allowed", func(in *policy.Input) { in.Provenance.BuilderID = "https://jenkins.acme.io/job/1" }, []string{"CG-PROV-003"}, nil},
		{"source repo not allowed", func(in *policy.Input) { in.Provenance.SourceRepository = "https://github.com/mallory/payments-api" }, []string{"CG-PROV-004"}, nil},
		{"source ref not allowed", func(in *policy.Input) { in.Provenance.SourceRef = "refs/heads/feature-x" }, []string{"CG-PROV-005"}, nil},
		{"slsa level too low", func(in *policy.Input) { in.Provenance.SLSALevel = 2 }, []string{"CG-PROV-006"}, nil},
		{"signer not allowed", func(in *policy.Input) {
			in.Provenance.Signers = []policy.Signer{{Issuer: "https://accounts.google.com", Subject: "mallory@gmail.com"}}
		}, []string{"CG-PROV-007"}, nil},
		{"no sbom", func(in *policy.Input) { in.SBOM = nil }, []string{"CG-SBOM-001"}, nil},
		{"component without purl", func(in *policy.Input) { in.SBOM.Components[5].PURL = "" }, []string{"CG-SBOM-002"}, nil},
		{"banned package", func(in *policy.Input) {
			in.SBOM.Components = append(in.SBOM.Components, policy.Component{ID: "jwt", Name: "github.com/dgrijalva/jwt-go", Version: "v3.2.0+incompatible", PURL: "pkg:golang/github.com/dgrijalva/jwt-go@v3.2.0+incompatible", License: "MIT"})
		}, []string{"CG-SBOM-003"}, nil},
		{"gpl licence", func(in *policy.Input) { in.SBOM.Components[3].License = "GPL-3.0-only" }, []string{"CG-SBOM-005", "CG-SBOM-006"}, nil},
		{"dual licence with an allowed branch", func(in *policy.Input) { in.SBOM.Components[3].License = "GPL-3.0-only OR MIT" }, nil, nil},
		{"invalid licence", func(in *policy.Input) { in.SBOM.Components[3].License = "MIT AND (" }, []string{"CG-SBOM-004"}, nil},
		{"missing licence warns", func(in *policy.Input) { in.SBOM.Components[3].License = "" }, nil, []string{"CG-SBOM-007"}},
		{"dev dependency ignored", func(in *policy.Input) {
			in.SBOM.Components[3].License, in.SBOM.Components[3].Scope = "AGPL-3.0-only", "excluded"
		}, nil, nil},
		{"image by tag", func(in *policy.Input) { in.Artifact.Digest = "" }, []string{"CG-GITOPS-001", "CG-IMG-001"}, nil},
		{"registry not allowed", func(in *policy.Input) { in.Artifact.Registry = "docker.io" }, []string{"CG-IMG-002"}, nil},
		{"prod before staging", func(in *policy.Input) { in.GitOps.History = nil }, []string{"CG-GITOPS-001"}, nil},
		{"staging of another digest", func(in *policy.Input) { in.GitOps.History[0].Digest = "sha256:" + string(make([]byte, 0)) + "00" }, []string{"CG-GITOPS-001"}, nil},
		{"unknown environment", func(in *policy.Input) { in.GitOps.Environment = "qa" }, []string{"CG-GITOPS-002"}, nil},
		{"unsigned gitops commit", func(in *policy.Input) { in.GitOps.Signed = false }, []string{"CG-GITOPS-003"}, nil},
		{"gitops signer not allowed", func(in *policy.Input) { in.GitOps.SignedBy = "mallory@evil.io" }, []string{"CG-GITOPS-004"}, nil},
		{"flagged typosquat", func(in *policy.Input) {
			in.Risk.Signals = []policy.Signal{{ID: "typosquat", Source: "pkg:npm/crossenv@1.0.0", Value: 0.97, Flagged: true, Target: "cross-env", Evidence: []string{"delimiter"}}}
		}, []string{"CG-SIG-001"}, nil},
		{"typosquat candidate warns", func(in *policy.Input) {
			in.Risk.Signals = []policy.Signal{{ID: "typosquat", Source: "pkg:npm/axios-utils@1.0.0", Value: 0.76, Target: "axios"}}
		}, nil, []string{"CG-SIG-003"}},
		{"candidate corroborated by content", func(in *policy.Input) {
			in.Risk.Signals = []policy.Signal{{ID: "typosquat", Source: "pkg:npm/axios-utils@1.0.0", Value: 0.76, Target: "axios"},
				{ID: "install-network", Source: "pkg:npm/axios-utils@1.0.0", Value: 0.4}}
			in.Risk.SignalRisk = []policy.SignalRisk{{Source: "pkg:npm/axios-utils@1.0.0", Signals: []string{"install-network", "typosquat"}, Value: 0.86, Flagged: true}}
		}, []string{"CG-SIG-002"}, []string{"CG-SIG-003"}},
	}
	codes := func(rs []policy.Reason) []string {
		var out []string
		for _, r := range rs {
			if !slices.Contains(out, r.Code) {
				out = append(out, r.Code)
			}
		}
		slices.Sort(out)
		return out
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := clone()
			tc.mutate(in)
			d, err := e.Decide(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if got := codes(d.Deny); !slices.Equal(got, tc.deny) {
				t.Errorf("deny codes %v, want %v\n%+v", got, tc.deny, d.Deny)
			}
			if got := codes(d.Warn); !slices.Equal(got, tc.warn) {
				t.Errorf("warn codes %v, want %v", got, tc.warn)
			}
			if d.Allow != (len(tc.deny) == 0) {
				t.Errorf("Allow = %v", d.Allow)
			}
			for _, r := range d.Deny {
				if r.Message == "" || r.Title == "" || r.Severity == "" || r.Location == nil || len(r.InputPaths) == 0 || slices.Equal(r.InputPaths, []string{"input"}) {
					t.Errorf("reason lacks explanation: %+v", r)
				}
			}
			// The same input as a plain map decides the same.
			b, _ := json.Marshal(in)
			dm, err := e.Decide(ctx, decodeJSON(t, string(b)))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(codes(dm.Deny), codes(d.Deny)) || dm.InputDigest != d.InputDigest {
				t.Errorf("map input decided differently: %v vs %v", codes(dm.Deny), codes(d.Deny))
			}
		})
	}
}

func TestWithLibraryAreas(t *testing.T) {
	ctx := t.Context()
	e, err := policy.New(ctx, policy.WithLibrary(policy.LibraryImage))
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Policy().Namespaces; !slices.Equal(got, []string{"main", "chaingate.lib.image"}) {
		t.Errorf("namespaces %v", got)
	}
	d, err := e.Decide(ctx, &policy.Input{Artifact: policy.Artifact{Name: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	if d.Allow || len(d.Deny) != 1 || d.Deny[0].Code != "CG-IMG-001" {
		t.Errorf("image area: %+v", d.Deny)
	}
	if _, err := policy.New(ctx, policy.WithLibrary("nope")); !errors.Is(err, policy.ErrInvalidOption) {
		t.Error("unknown area accepted")
	}
}
