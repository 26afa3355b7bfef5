package policy_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/sbom"
)

// maliciousReport is what risk reports for npm blur-plugins 1.0.0 with
// the real MAL-2025-3546 loaded (see risk's TestScanMaliciousGroups), and
// a gin finding whose only severity is GitHub's word.
func maliciousReport() *risk.Report {
	blur := sbom.Component{ID: "blur-plugins@1.0.0", Name: "blur-plugins", Version: "1.0.0", PURL: "pkg:npm/blur-plugins@1.0.0"}
	gin := sbom.Component{ID: "gin@v1.9.0", Name: "github.com/gin-gonic/gin", Version: "v1.9.0", PURL: "pkg:golang/github.com/gin-gonic/gin@v1.9.0"}
	return &risk.Report{Findings: []risk.Finding{
		{ID: "MAL-2025-3546", Aliases: []string{"GHSA-p396-9cxf-5q3r"}, Malicious: true, Component: blur, Source: "osv",
			Priority: risk.Priority{Decision: risk.Act, Score: 100}},
		{ID: "GO-2023-1737", Aliases: []string{"CVE-2023-29401", "GHSA-2c4m-59x9-fr2g"}, Upstream: []string{"CVE-2023-0001"}, Component: gin, Source: "osv",
			Severity: []risk.Severity{{Type: "GHSA", Score: 4, Rating: "MEDIUM", Source: "GHSA-2c4m-59x9-fr2g"}},
			Priority: risk.Priority{Decision: risk.Track, Score: 10}},
	}}
}

func TestRiskFromReportMalicious(t *testing.T) {
	r := policy.RiskFromReport(maliciousReport())
	if len(r.Findings) != 2 {
		t.Fatalf("%d findings", len(r.Findings))
	}
	mal, gin := r.Findings[0], r.Findings[1]
	if !mal.Malicious || mal.Priority != "critical" || !slices.Equal(mal.Aliases, []string{"GHSA-p396-9cxf-5q3r"}) {
		t.Errorf("malicious finding %+v", mal)
	}
	if gin.Malicious {
		t.Error("ordinary finding marked malicious")
	}
	// GitHub's severity word is a severity, not a CVSS score.
	if gin.Severity != "medium" || gin.CVSS != 0 {
		t.Errorf("GHSA word: severity %q CVSS %v", gin.Severity, gin.CVSS)
	}
	if !slices.Equal(gin.Aliases, []string{"CVE-2023-29401", "GHSA-2c4m-59x9-fr2g", "CVE-2023-0001"}) {
		t.Errorf("aliases %v: want the advisory's ids and its upstream", gin.Aliases)
	}
	// JSON, typed conversion and canonical digest agree on the new field.
	in := &policy.Input{SchemaVersion: policy.InputSchemaVersion, Risk: r}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["risk"].(map[string]any)["findings"].([]any)[0].(map[string]any)["malicious"] != true {
		t.Errorf("JSON lacks malicious: %s", b)
	}
	pt, err := policy.PrepareInput(in)
	if err != nil {
		t.Fatal(err)
	}
	pm, err := policy.PrepareInput(m)
	if err != nil {
		t.Fatal(err)
	}
	if pt.Digest() != pm.Digest() {
		t.Errorf("typed digest %s != map digest %s", pt.Digest(), pm.Digest())
	}
	r.Findings[0].Malicious = false
	pf, err := policy.PrepareInput(in)
	if err != nil {
		t.Fatal(err)
	}
	if pf.Digest() == pt.Digest() {
		t.Error("digest does not cover malicious")
	}
}

// TestLibraryDeniesMaliciousAtDefaults: the library as policy.New gives
// it, no settings, denies a known-malicious package with CG-VULN-010 even
// when its priority is low and a VEX statement calls it not affected;
// ignoring its id or its alias lifts it.
func TestLibraryDeniesMaliciousAtDefaults(t *testing.T) {
	ctx := t.Context()
	decide := func(t *testing.T, data map[string]any, mutate func(*policy.Finding)) []string {
		t.Helper()
		opts := []policy.Option{policy.WithLibrary(policy.LibraryVulnerabilities)}
		if data != nil {
			opts = append(opts, policy.WithData(data))
		}
		e, err := policy.New(ctx, opts...)
		if err != nil {
			t.Fatal(err)
		}
		r := policy.RiskFromReport(maliciousReport())
		r.Findings = r.Findings[:1]
		if mutate != nil {
			mutate(&r.Findings[0])
		}
		d, err := e.Decide(ctx, &policy.Input{SchemaVersion: policy.InputSchemaVersion, Time: "2026-06-01T00:00:00Z", Risk: r})
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, x := range d.Deny {
			codes = append(codes, x.Code)
		}
		if d.Allow != (len(codes) == 0) {
			t.Errorf("Allow %v with denies %v", d.Allow, codes)
		}
		return codes
	}
	cfg := func(v map[string]any) map[string]any {
		return map[string]any{"chaingate": map[string]any{"config": map[string]any{"vulnerabilities": v}}}
	}
	if got := decide(t, nil, nil); !slices.Equal(got, []string{"CG-VULN-010"}) {
		t.Errorf("defaults: deny %v, want CG-VULN-010", got)
	}
	low := func(f *policy.Finding) {
		f.Priority, f.Severity, f.Suppressed, f.VEXStatus = "low", "low", true, "not_affected"
	}
	if got := decide(t, cfg(map[string]any{"threshold": "critical", "fix_window_days": 9999, "deny_unfixed": false}), low); !slices.Equal(got, []string{"CG-VULN-010"}) {
		t.Errorf("lenient settings, low priority, VEX not_affected: deny %v, want CG-VULN-010", got)
	}
	for _, id := range []string{"MAL-2025-3546", "GHSA-p396-9cxf-5q3r"} {
		if got := decide(t, cfg(map[string]any{"ignore": []any{id}}), nil); len(got) != 0 {
			t.Errorf("ignore %s: still denied %v", id, got)
		}
	}
}
