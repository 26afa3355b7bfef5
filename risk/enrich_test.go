package risk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
	"github.com/google/go-cmp/cmp"
)

func testOpen(t testing.TB, parts ...string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join(append([]string{"testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func testEnrichData(t testing.TB) (*EPSS, *KEV) {
	t.Helper()
	e, err := ReadEPSS(testOpen(t, "epss", "epss-sample.csv"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := ReadKEV(testOpen(t, "kev", "kev-2025-08-25-subset.json"))
	if err != nil {
		t.Fatal(err)
	}
	return e, k
}

func TestReadEPSSAndKEV(t *testing.T) {
	e, k := testEnrichData(t)
	if e.ModelVersion != "v2025.03.14" || !strings.HasPrefix(e.ScoreDate, "2025-08-25") || e.Len() != 8 {
		t.Errorf("EPSS header %q %q, %d rows", e.ModelVersion, e.ScoreDate, e.Len())
	}
	s, ok := e.Lookup("CVE-2023-39325")
	if !ok || s.Score != 0.71538 || s.Percentile != 0.98661 || s.ModelVersion != "v2025.03.14" {
		t.Errorf("EPSS lookup %+v %v", s, ok)
	}
	if k.Version != "2025.08.25" || k.Len() != 23 {
		t.Errorf("KEV %q %d", k.Version, k.Len())
	}
	if v, ok := k.Lookup("CVE-2020-0601"); !ok || v.VendorProject != "Microsoft" || v.DateAdded == "" {
		t.Errorf("KEV lookup %+v %v", v, ok)
	}
	for name, in := range map[string]string{
		"no header":   "CVE-2020-0601,0.5,0.5\n",
		"bad score":   "cve,epss,percentile\nCVE-2020-0601,1.5,0.5\n",
		"not a CVE":   "cve,epss,percentile\nGHSA-1,0.5,0.5\n",
		"wrong width": "cve,epss,percentile\nCVE-2020-0601,0.5\n",
		"NaN":         "cve,epss,percentile\nCVE-2020-0601,NaN,0.5\n",
	} {
		if _, err := ReadEPSS(strings.NewReader(in)); !errors.Is(err, ErrInvalidEPSS) {
			t.Errorf("EPSS %s: %v", name, err)
		}
	}
	for name, in := range map[string]string{
		"not JSON": "{",
		"no array": `{"catalogVersion": "x"}`,
		"bad cve":  `{"vulnerabilities": [{"cveID": "X"}]}`,
	} {
		if _, err := ReadKEV(strings.NewReader(in)); !errors.Is(err, ErrInvalidKEV) {
			t.Errorf("KEV %s: %v", name, err)
		}
	}
}

// testVEXDoc is the SBOM the VEX test documents are written for.
func testVEXDoc() *sbom.Document {
	return &sbom.Document{Name: "app", SerialNumber: "urn:uuid:1b671687-395b-41f5-a30f-a58921a69b79", Root: "app", Components: []sbom.Component{
		{ID: "app", Type: sbom.TypeApplication, Name: "example.com/app", Version: "v1.0.0", PURL: "pkg:golang/example.com/app@v1.0.0"},
		testComp("net", "pkg:golang/golang.org/x/net@v0.16.0"),
		testComp("stdlib", "pkg:golang/stdlib@go1.21.0"),
		testComp("yaml", "pkg:golang/gopkg.in/yaml.v2@v2.2.2"),
	}, Dependencies: []sbom.Dependency{{Ref: "app", DependsOn: []string{"net", "yaml", "stdlib"}}}}
}

func TestVEXScoping(t *testing.T) {
	db := testDB(t)
	ov, err := ReadOpenVEX(testOpen(t, "vex", "openvex-app.json"))
	if err != nil {
		t.Fatal(err)
	}
	cv, err := ReadCycloneDXVEX(testOpen(t, "vex", "cyclonedx-app.vex.json"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Scan(context.Background(), testVEXDoc(), db, WithVEX(ov, cv))
	if err != nil {
		t.Fatal(err)
	}
	check := func(comp, id, status string) {
		t.Helper()
		f := testFinding(rep, comp, id)
		if f == nil {
			t.Fatalf("no finding %s in %s", id, comp)
		}
		switch {
		case status == "" && f.Suppressed != nil:
			t.Errorf("%s in %s suppressed by %+v; must stay active", id, comp, f.Suppressed)
		case status != "" && (f.Suppressed == nil || f.Suppressed.Status != status):
			t.Errorf("%s in %s: suppression %+v, want %s", id, comp, f.Suppressed, status)
		}
		if status != "" && (f.Priority.Decision != Track || f.Priority.Score != 0) {
			t.Errorf("suppressed %s priority %+v", id, f.Priority)
		}
	}
	// The statement names x/net as a subcomponent of the app: the same
	// CVE in the standard library stays active.
	check("net", "GO-2023-2102", "not_affected")
	check("stdlib", "GO-2023-2102", "")
	check("yaml", "GO-2020-0036", "fixed")
	// The later "affected" statement overrides the earlier not_affected.
	check("yaml", "GO-2021-0061", "")
	check("yaml", "GO-2022-0956", "not_affected")
	if f := testFinding(rep, "net", "GO-2023-2102"); f.Suppressed.Product != "pkg:golang/example.com/app" || f.Suppressed.Subcomponent != "pkg:golang/golang.org/x/net@v0.16.0" || f.Suppressed.Justification != "vulnerable_code_not_in_execute_path" {
		t.Errorf("suppression details %+v", f.Suppressed)
	}
	if f := testFinding(rep, "yaml", "GO-2022-0956"); f.Suppressed.Format != "cyclonedx" || f.Suppressed.ImpactStatement == "" {
		t.Errorf("CycloneDX suppression %+v", f.Suppressed)
	}
	if len(rep.Enrichment.VEX) != 2 {
		t.Errorf("enrichment %+v", rep.Enrichment)
	}
	// Real documents from go-vex and cyclonedx-go read cleanly.
	if _, err := ReadOpenVEX(testOpen(t, "vex", "go-vex-v020-1.vex.json")); err != nil {
		t.Error(err)
	}
	if v, err := ReadCycloneDXVEX(testOpen(t, "vex", "cyclonedx-go-valid-vulnerability.json")); err != nil || len(v.statements) != 1 {
		t.Errorf("cyclonedx-go vulnerability BOM: %v", err)
	}
	for name, in := range map[string]string{
		"not JSON":     "{",
		"not OpenVEX":  `{"@context": "https://example.com", "statements": []}`,
		"no status":    `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:npm/a"}]}]}`,
		"no product":   `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "CVE-1"}, "status": "fixed"}]}`,
		"no justified": `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:npm/a"}], "status": "not_affected"}]}`,
	} {
		if _, err := ReadOpenVEX(strings.NewReader(in)); !errors.Is(err, ErrInvalidVEX) {
			t.Errorf("OpenVEX %s: %v", name, err)
		}
	}
	if _, err := ReadCycloneDXVEX(strings.NewReader(`{"bomFormat": "SPDX"}`)); !errors.Is(err, ErrInvalidVEX) {
		t.Errorf("CycloneDX bomFormat: %v", err)
	}
}

func TestPriorityRanking(t *testing.T) {
	var cfg PriorityConfig
	crit := Severity{Type: "CVSS_V3", Score: 9.8, Rating: "CRITICAL"}
	med := Severity{Type: "CVSS_V3", Score: 5.3, Rating: "MEDIUM"}
	kev := &KEVEntry{CVE: "CVE-1", DateAdded: "2025-01-01"}
	mk := func(sev Severity, k *KEVEntry, epss float64, scope sbom.Scope) *Finding {
		f := &Finding{ID: "X", Severity: []Severity{sev}, KEV: k, Component: sbom.Component{Scope: scope}, Evidence: Evidence{Level: EvidenceModule}}
		if epss > 0 {
			f.EPSS = &EPSSScore{CVE: "CVE-1", Score: epss, Percentile: 0.9}
		}
		return f
	}
	kevMedium := cfg.Prioritize(mk(med, kev, 0, ""))
	epssMedium := cfg.Prioritize(mk(med, nil, 0.5, ""))
	critical := cfg.Prioritize(mk(crit, nil, 0.001, ""))
	medium := cfg.Prioritize(mk(med, nil, 0.001, ""))
	kevDev := cfg.Prioritize(mk(crit, kev, 0.9, sbom.ScopeExcluded))
	if kevMedium.Decision != Act || epssMedium.Decision != Attend || critical.Decision != TrackStar || medium.Decision != Track || kevDev.Decision != Attend {
		t.Errorf("decisions: kev %s, epss %s, critical %s, medium %s, kev-dev %s", kevMedium.Decision, epssMedium.Decision, critical.Decision, medium.Decision, kevDev.Decision)
	}
	if !(kevMedium.Score > epssMedium.Score && epssMedium.Score > critical.Score && critical.Score > medium.Score) {
		t.Errorf("scores: kev %.2f, epss %.2f, critical %.2f, medium %.2f", kevMedium.Score, epssMedium.Score, critical.Score, medium.Score)
	}
	if len(kevMedium.Reasons) != 7 || kevMedium.Reasons[0].Factor != "kev" || kevMedium.Reasons[0].Contribution <= 0 {
		t.Errorf("reasons %+v", kevMedium.Reasons)
	}
	// Tuning: a team that ignores severity entirely.
	noSev := PriorityConfig{SeverityWeight: -1, CriticalCVSS: 11}
	if p := noSev.Prioritize(mk(crit, nil, 0.001, "")); p.Decision != Track {
		t.Errorf("CriticalCVSS 11 still gives %s", p.Decision)
	}
}

func TestScanEnrichedRealData(t *testing.T) {
	db := testDB(t)
	e, k := testEnrichData(t)
	doc := &sbom.Document{Root: "app", Components: []sbom.Component{
		{ID: "app", Name: "example.com/app", Version: "v1.0.0", PURL: "pkg:golang/example.com/app@v1.0.0"},
		testComp("stdlib", "pkg:golang/stdlib@go1.12.0"),
		testComp("yaml", "pkg:golang/gopkg.in/yaml.v2@v2.2.2"),
		testComp("jwt", "pkg:golang/github.com/dgrijalva/jwt-go@v3.2.0+incompatible"),
	}, Dependencies: []sbom.Dependency{{Ref: "app", DependsOn: []string{"stdlib", "yaml"}}, {Ref: "yaml", DependsOn: []string{"jwt"}}}}
	rep, err := Scan(context.Background(), doc, db, WithEPSS(e), WithKEV(k))
	if err != nil {
		t.Fatal(err)
	}
	// GO-2022-0535 is CVE-2020-0601 (CryptoAPI spoofing), in CISA KEV.
	f := testFinding(rep, "stdlib", "GO-2022-0535")
	if f == nil || f.KEV == nil || f.EPSS == nil || f.Priority.Decision != Act {
		t.Fatalf("GO-2022-0535: %+v", f)
	}
	if rep.Findings[0].ID != "GO-2022-0535" {
		t.Errorf("the KEV finding must rank first, got %s", rep.Findings[0].ID)
	}
	if f.Relationship != "direct" || testFinding(rep, "jwt", "GO-2020-0017").Relationship != "transitive" {
		t.Error("relationships not taken from the dependency graph")
	}
	if rep.Enrichment.KEVVersion != "2025.08.25" || rep.Enrichment.EPSSModelVersion != "v2025.03.14" {
		t.Errorf("enrichment %+v", rep.Enrichment)
	}
	if rep.Summary.ByDecision[Act] != 1 {
		t.Errorf("summary %+v", rep.Summary)
	}

	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	back, err := ReadReport(&js)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Findings) != len(rep.Findings) || back.Findings[0].Priority.Decision != Act {
		t.Error("report JSON does not round-trip")
	}

	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "GO-2022-0535") || !strings.Contains(md.String(), "known exploited (KEV)") || !strings.Contains(md.String(), "| Act") {
		t.Errorf("markdown:\n%s", md.String())
	}

	var sf bytes.Buffer
	if err := rep.WriteSARIF(&sf); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
				Level  string `json:"level"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(sf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) != len(rep.Findings) || log.Runs[0].Results[0].Level != "error" {
		t.Errorf("SARIF out: %+v", log)
	}
	// Our own SARIF reads back through the SARIF input.
	in, err := ReadSARIF(&sf)
	if err != nil {
		t.Fatal(err)
	}
	if in.Len() != len(rep.Findings) || in.Tool != "chaingate" {
		t.Errorf("SARIF round trip: %d results from %q", in.Len(), in.Tool)
	}
}

func TestSARIFInput(t *testing.T) {
	in, err := ReadSARIF(testOpen(t, "sarif", "tfsec-example.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	if in.Tool != "tfsec" || in.Len() == 0 {
		t.Fatalf("tool %q, %d results", in.Tool, in.Len())
	}
	doc := &sbom.Document{Components: []sbom.Component{testComp("yaml", "pkg:golang/gopkg.in/yaml.v2@v2.2.2")}}
	rep, err := Scan(context.Background(), doc, testDB(t), WithSARIF(in))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range rep.Findings {
		if f.Source == "sarif:tfsec" {
			n++
			if f.ID == "" || len(f.Locations) == 0 || f.Locations[0].URI == "" || len(f.Severity) != 1 || f.Priority.Decision == "" {
				t.Errorf("SARIF finding %+v", f)
			}
		}
	}
	if n != in.Len() || len(rep.Findings) != n+3 {
		t.Errorf("%d SARIF findings of %d, %d in all", n, in.Len(), len(rep.Findings))
	}
	if _, err := ReadSARIF(testOpen(t, "sarif", "tfsec-example-malformed.sarif")); !errors.Is(err, ErrInvalidSARIF) {
		t.Errorf("the published example has trailing garbage; got %v", err)
	}
	for name, s := range map[string]string{
		"not JSON":    "{",
		"old version": `{"version": "1.0.0", "runs": []}`,
		"no tool":     `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": ""}}, "results": []}]}`,
		"no rule":     `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}}]}]}`,
	} {
		if _, err := ReadSARIF(strings.NewReader(s)); !errors.Is(err, ErrInvalidSARIF) {
			t.Errorf("SARIF %s: %v", name, err)
		}
	}
}

func TestParseCVSS(t *testing.T) {
	tests := []struct {
		v      string
		score  float64
		rating string
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, "CRITICAL"},
		{"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2, "HIGH"},
		{"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8, "MEDIUM"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, "CRITICAL"},
	}
	for _, tt := range tests {
		s, err := ParseCVSS(tt.v)
		if err != nil {
			t.Errorf("%s: %v", tt.v, err)
			continue
		}
		if s.Score != tt.score || s.Rating != tt.rating {
			t.Errorf("%s: %.1f %s, want %.1f %s", tt.v, s.Score, s.Rating, tt.score, tt.rating)
		}
	}
	for _, bad := range []string{"", "AV:N", "CVSS:3.1/AV:X", "CVSS:2.0/AV:N"} {
		if _, err := ParseCVSS(bad); !errors.Is(err, ErrInvalidCVSS) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestVEXCycloneDXBOMRefAndUpstream(t *testing.T) {
	vexDoc := `{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
	  "components": [{"bom-ref": "comp-yaml", "type": "library", "name": "yaml.v2", "purl": "pkg:golang/gopkg.in/yaml.v2@v2.2.2"}],
	  "vulnerabilities": [{"id": "CVE-2021-4235", "analysis": {"state": "false_positive"}, "affects": [{"ref": "comp-yaml"}]}]}`
	v, err := ReadCycloneDXVEX(strings.NewReader(vexDoc))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Scan(context.Background(), testVEXDoc(), testDB(t), WithVEX(v))
	if err != nil {
		t.Fatal(err)
	}
	// The VEX names the CVE alias and the component by its bom-ref in the
	// VEX document; the SBOM's component has another ID but the same purl.
	if f := testFinding(rep, "yaml", "GO-2021-0061"); f == nil || f.Suppressed == nil || f.Suppressed.Status != "not_affected" {
		t.Errorf("GO-2021-0061: %+v", f)
	}
	if f := testFinding(rep, "yaml", "GO-2020-0036"); f == nil || f.Suppressed != nil {
		t.Errorf("another CVE of the same component must stay active: %+v", f)
	}

	// A distro advisory's upstream CVEs count for KEV, EPSS and VEX.
	db, err := vulndb.Load(filepath.Join("testdata", "osv", "other"))
	if err != nil {
		t.Fatal(err)
	}
	doc := &sbom.Document{Components: []sbom.Component{testComp("ssl", "pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12")}}
	ov := `{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x", "author": "a", "statements": [
	  {"vulnerability": {"name": "CVE-2024-5535"}, "products": [{"@id": "pkg:deb/debian/openssl"}], "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}`
	vx, err := ReadOpenVEX(strings.NewReader(ov))
	if err != nil {
		t.Fatal(err)
	}
	rep, err = Scan(context.Background(), doc, db, WithVEX(vx))
	if err != nil {
		t.Fatal(err)
	}
	f := testFinding(rep, "ssl", "DSA-5764-1")
	if f == nil || !slices.Contains(f.CVEs(), "CVE-2024-5535") || f.Suppressed == nil {
		t.Errorf("DSA-5764-1: %+v", f)
	}
}

var reportUpdate = flag.Bool("update-risk-golden", false, "rewrite testdata/golden/*")

// TestReportGolden pins the JSON, SARIF and Markdown of one enriched,
// VEX-applied scan (run with -update-risk-golden to rewrite).
func TestReportGolden(t *testing.T) {
	e, k := testEnrichData(t)
	ov, err := ReadOpenVEX(testOpen(t, "vex", "openvex-app.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc := testVEXDoc()
	evil := testComp("evil", "pkg:golang/golang.org/x/text@v0.3.5")
	evil.Name = "x|<script>alert(1)</script>"
	doc.Components = append(doc.Components, evil)
	rep, err := Scan(context.Background(), doc, testDB(t), WithEPSS(e), WithKEV(k), WithVEX(ov))
	if err != nil {
		t.Fatal(err)
	}
	var js, sf, md bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteSARIF(&sf); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteMarkdown(&md, MarkdownOptions{MaxFindings: 10}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(md.String(), "<script>") || strings.Contains(md.String(), "x|<") {
		t.Error("Markdown lets a component name inject HTML or break the table")
	}
	for name, got := range map[string][]byte{"report.json": js.Bytes(), "report.sarif": sf.Bytes(), "report.md": md.Bytes()} {
		path := filepath.Join("testdata", "golden", name)
		if *reportUpdate {
			os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("%s differs from the golden file (-want +got):\n%s", name, diff)
		}
	}
}
