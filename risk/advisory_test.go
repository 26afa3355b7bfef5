package risk

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

// testMultiDB loads testdata/osv/multi: real records from OpenSSF
// malicious-packages, GitHub's advisory database, PyPA's and the Go
// vulndb, several of them twins of one advisory.
func testMultiDB(t testing.TB) *vulndb.DB {
	t.Helper()
	db, err := vulndb.Load(filepath.Join("testdata", "osv", "multi"))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func testComponent(name, version, purl string) sbom.Component {
	return sbom.Component{ID: purl, Type: "library", Name: name, Version: version, PURL: purl}
}

// testFindingsOf returns the findings about the component with that purl.
func testFindingsOf(rep *Report, purl string) []Finding {
	var out []Finding
	for _, f := range rep.Findings {
		if f.Component.PURL == purl {
			out = append(out, f)
		}
	}
	return out
}

// TestScanOneFindingPerAdvisory scans one SBOM with a component for each
// real twin pair: each advisory is one finding, its primary id chosen by
// the documented rule, every other id an alias, its facts merged from
// every record.
func TestScanOneFindingPerAdvisory(t *testing.T) {
	db := testMultiDB(t)
	doc := &sbom.Document{Components: []sbom.Component{
		testComponent("blur-plugins", "1.0.0", "pkg:npm/blur-plugins@1.0.0"),
		testComponent("3web", "1.0.0", "pkg:pypi/3web@1.0.0"),
		testComponent("3web", "1.0", "pkg:pypi/3web@1.0"),
		testComponent("3web", "1.0.1", "pkg:pypi/3web@1.0.1"),
		testComponent("gin", "v1.9.0", "pkg:golang/github.com/gin-gonic/gin@v1.9.0"),
		testComponent("gin", "v1.9.1", "pkg:golang/github.com/gin-gonic/gin@v1.9.1"),
		testComponent("grpc", "v1.58.0", "pkg:golang/google.golang.org/grpc@v1.58.0"),
		testComponent("Jinja2", "2.10", "pkg:pypi/jinja2@2.10"),
		testComponent("Jinja2", "2.10.1", "pkg:pypi/jinja2@2.10.1"),
	}}
	rep, err := Scan(context.Background(), doc, db)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		id        string
		aliases   []string
		malicious bool
		decision  Decision
		sources   []string // records the severities came from
		records   []string // Evidence.Records, when several records matched
	}
	cases := map[string]*want{
		"pkg:npm/blur-plugins@1.0.0":                 {"MAL-2025-3546", []string{"GHSA-p396-9cxf-5q3r"}, true, Act, []string{"GHSA-p396-9cxf-5q3r"}, []string{"MAL-2025-3546", "GHSA-p396-9cxf-5q3r"}},
		"pkg:pypi/3web@1.0.0":                        {"MAL-2024-9933", nil, true, Act, nil, nil},
		"pkg:pypi/3web@1.0":                          {"MAL-2024-9933", nil, true, Act, nil, nil},
		"pkg:pypi/3web@1.0.1":                        nil, // outside the exact versions list
		"pkg:golang/github.com/gin-gonic/gin@v1.9.0": {"GO-2023-1737", []string{"GHSA-2c4m-59x9-fr2g", "CVE-2023-29401"}, false, Track, []string{"GHSA-2c4m-59x9-fr2g"}, []string{"GO-2023-1737", "GHSA-2c4m-59x9-fr2g"}},
		"pkg:golang/github.com/gin-gonic/gin@v1.9.1": nil,
		"pkg:golang/google.golang.org/grpc@v1.58.0":  {"GO-2023-2153", []string{"GHSA-m425-mq94-257g"}, false, Track, []string{"GHSA-m425-mq94-257g"}, []string{"GO-2023-2153", "GHSA-m425-mq94-257g"}},
		"pkg:pypi/jinja2@2.10":                       {"PYSEC-2019-217", []string{"GHSA-462w-v97r-4m45", "CVE-2019-10906"}, false, Track, []string{"GHSA-462w-v97r-4m45"}, []string{"PYSEC-2019-217", "GHSA-462w-v97r-4m45"}},
		"pkg:pypi/jinja2@2.10.1":                     nil,
	}
	groups := 0
	for purl, w := range cases {
		fs := testFindingsOf(rep, purl)
		if w == nil {
			if len(fs) != 0 {
				t.Errorf("%s: %d findings, want none: %s", purl, len(fs), fs[0].ID)
			}
			continue
		}
		groups++
		if len(fs) != 1 {
			var ids []string
			for _, f := range fs {
				ids = append(ids, f.ID)
			}
			t.Errorf("%s: findings %v, want one (%s)", purl, ids, w.id)
			continue
		}
		f := fs[0]
		if f.ID != w.id || !slices.Equal(f.Aliases, w.aliases) || f.Malicious != w.malicious || f.Priority.Decision != w.decision {
			t.Errorf("%s: %s aliases %v malicious %v %s; want %s %v %v %s", purl, f.ID, f.Aliases, f.Malicious, f.Priority.Decision, w.id, w.aliases, w.malicious, w.decision)
		}
		var sources []string
		for _, s := range f.Severity {
			sources = append(sources, s.Source)
		}
		if !slices.Equal(sources, w.sources) {
			t.Errorf("%s: severities %+v, want from %v", purl, f.Severity, w.sources)
		}
		var recs []string
		for _, r := range f.Evidence.Records {
			recs = append(recs, r.ID)
			if !r.Affected {
				t.Errorf("%s: record %s not affected", purl, r.ID)
			}
		}
		if !slices.Equal(recs, w.records) {
			t.Errorf("%s: evidence records %v, want %v", purl, recs, w.records)
		}
	}
	if rep.Summary.Findings != groups || len(rep.Findings) != groups {
		t.Errorf("summary counts %d findings (%d in the report), want %d advisories", rep.Summary.Findings, len(rep.Findings), groups)
	}
	// Known-malicious packages rank first, at 100, and say why.
	for i, f := range rep.Findings {
		if f.Malicious != (i < 3) {
			t.Errorf("finding %d (%s) malicious=%v: malicious findings must come first", i, f.ID, f.Malicious)
		}
		if f.Malicious && (f.Priority.Score != 100 || f.Priority.Reasons[0].Factor != "malicious" || !strings.Contains(f.Priority.Reasons[0].Message, "known-malicious")) {
			t.Errorf("%s priority %+v", f.ID, f.Priority)
		}
		if !f.Malicious && f.Priority.Score >= 100 {
			t.Errorf("%s scores %v, as high as a malicious package", f.ID, f.Priority.Score)
		}
	}
	// Fixed versions come from the records that matched.
	grpc := testFindingsOf(rep, "pkg:golang/google.golang.org/grpc@v1.58.0")[0]
	if !slices.Equal(grpc.Fixed, []string{"1.58.3"}) {
		t.Errorf("grpc fixed %v", grpc.Fixed)
	}
	// References are merged without duplicates.
	jinja := testFindingsOf(rep, "pkg:pypi/jinja2@2.10")[0]
	urls := map[string]int{}
	for _, r := range jinja.References {
		urls[r.URL]++
	}
	if urls["https://github.com/advisories/GHSA-462w-v97r-4m45"] != 1 || urls["https://palletsprojects.com/blog/jinja-2-10-1-released"] != 1 {
		t.Errorf("jinja2 references not merged: %v", urls)
	}
}

// TestScanSeverityWordAndDisagreement uses GitHub's first publication of
// GHSA-2c4m-59x9-fr2g (no CVSS vector, last_affected 1.9.0) beside the
// Go vulndb's GO-2023-1737 (fixed 1.9.1): the finding takes GitHub's
// severity word, and for a pseudo-version between 1.9.0 and 1.9.1 the
// records disagree: the finding stands, and its evidence says who said
// what.
func TestScanSeverityWordAndDisagreement(t *testing.T) {
	dir := t.TempDir()
	for _, src := range []string{"osv/go/GO-2023-1737.json", "osv/ghsa-2023-05-12/GHSA-2c4m-59x9-fr2g.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(src)))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(src)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db, err := vulndb.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	pseudo := "v1.9.1-0.20230501000000-abcdef123456"
	doc := &sbom.Document{Components: []sbom.Component{
		testComponent("gin", "v1.9.0", "pkg:golang/github.com/gin-gonic/gin@v1.9.0"),
		testComponent("gin", pseudo, "pkg:golang/github.com/gin-gonic/gin@"+pseudo),
	}}
	rep, err := Scan(context.Background(), doc, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 2 {
		t.Fatalf("%d findings, want one per component", len(rep.Findings))
	}
	for _, f := range rep.Findings {
		if f.ID != "GO-2023-1737" || len(f.Severity) != 1 {
			t.Fatalf("%s %s severities %+v evidence %+v", f.ID, f.Version, f.Severity, f.Evidence)
		}
		s := f.Severity[0]
		if s.Type != "GHSA" || s.Rating != "MEDIUM" || s.Score != 4.0 || s.Source != "GHSA-2c4m-59x9-fr2g" || s.Vector != "" {
			t.Errorf("severity word %+v", s)
		}
		var sev PriorityReason
		for _, r := range f.Priority.Reasons {
			if r.Factor == "severity" {
				sev = r
			}
		}
		if !strings.Contains(sev.Message, "GitHub severity MEDIUM from GHSA-2c4m-59x9-fr2g") {
			t.Errorf("severity reason %q", sev.Message)
		}
	}
	agree := testFindingsOf(rep, "pkg:golang/github.com/gin-gonic/gin@v1.9.0")[0]
	if len(agree.Evidence.Records) != 2 || !agree.Evidence.Records[0].Affected || !agree.Evidence.Records[1].Affected || strings.Contains(agree.Evidence.Reason, "not affected") {
		t.Errorf("v1.9.0 evidence %+v", agree.Evidence)
	}
	split := testFindingsOf(rep, "pkg:golang/github.com/gin-gonic/gin@"+pseudo)[0]
	want := []RecordVerdict{{ID: "GO-2023-1737", Affected: true, Range: ">=1.3.1-0.20190301021747-ccb9e902956d, <1.9.1", Fixed: []string{"1.9.1"}}, {ID: "GHSA-2c4m-59x9-fr2g"}}
	if got := split.Evidence.Records; len(got) != 2 || got[0].ID != want[0].ID || !got[0].Affected || got[0].Range != want[0].Range || !slices.Equal(got[0].Fixed, want[0].Fixed) || got[1].ID != want[1].ID || got[1].Affected {
		t.Errorf("pseudo-version evidence records %+v, want %+v", got, want)
	}
	if !strings.Contains(split.Evidence.Reason, "affected according to GO-2023-1737, not affected according to GHSA-2c4m-59x9-fr2g") {
		t.Errorf("evidence reason %q", split.Evidence.Reason)
	}
}

// TestScanGroupEnrichmentAndVEX: KEV and EPSS reach an advisory through
// a CVE only its GitHub twin names; a VEX statement naming any id of
// the advisory suppresses it; none suppresses a known-malicious package.
func TestScanGroupEnrichmentAndVEX(t *testing.T) {
	dir := t.TempDir()
	// A Go record naming only its GHSA twin, the twin naming the CVE (as
	// GO-2023-2153 and GHSA-m425-mq94-257g would if GitHub listed
	// CVE-2023-44487 as an alias), generated here.
	records := map[string]string{
		"GO-TEST-1.json":     `{"id":"GO-TEST-1","aliases":["GHSA-test-0001-aaaa"],"affected":[{"package":{"ecosystem":"Go","name":"example.com/h2"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.0"}]}]}]}`,
		"GHSA-test.json":     `{"id":"GHSA-test-0001-aaaa","aliases":["CVE-2023-44487"],"affected":[{"package":{"ecosystem":"Go","name":"example.com/h2"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.2.0"}]}]}]}`,
		"MAL-2025-3546.json": "",
	}
	for name, body := range records {
		if body == "" {
			b, err := os.ReadFile(filepath.Join("testdata", "osv", "multi", name))
			if err != nil {
				t.Fatal(err)
			}
			body = string(b)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db, err := vulndb.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	kevData, err := os.ReadFile(filepath.Join("testdata", "kev", "kev-2025-08-25-subset.json"))
	if err != nil {
		t.Fatal(err)
	}
	kev, err := ReadKEV(bytes.NewReader(kevData))
	if err != nil {
		t.Fatal(err)
	}
	epssData, err := os.ReadFile(filepath.Join("testdata", "epss", "epss-sample.csv"))
	if err != nil {
		t.Fatal(err)
	}
	epss, err := ReadEPSS(bytes.NewReader(epssData))
	if err != nil {
		t.Fatal(err)
	}
	h2 := testComponent("h2", "v1.1.0", "pkg:golang/example.com/h2@v1.1.0")
	blur := testComponent("blur-plugins", "1.0.0", "pkg:npm/blur-plugins@1.0.0")
	doc := &sbom.Document{Components: []sbom.Component{h2, blur}}
	rep, err := Scan(context.Background(), doc, db, WithKEV(kev), WithEPSS(epss))
	if err != nil {
		t.Fatal(err)
	}
	f := testFindingsOf(rep, h2.PURL)
	if len(f) != 1 || f[0].ID != "GO-TEST-1" || !slices.Equal(f[0].CVEs(), []string{"CVE-2023-44487"}) {
		t.Fatalf("h2 findings %+v", f)
	}
	if f[0].KEV == nil || f[0].EPSS == nil || f[0].Priority.Decision != Act {
		t.Errorf("KEV %v EPSS %v decision %s: enrichment must come through the twin's CVE", f[0].KEV, f[0].EPSS, f[0].Priority.Decision)
	}
	// VEX naming the twin's id suppresses the advisory; VEX naming the
	// malicious package's ids does not.
	vexDoc := `{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.com/vex/1","author":"t","timestamp":"2025-08-25T10:00:00Z","version":1,"statements":[
	{"vulnerability":{"name":"GHSA-test-0001-aaaa"},"products":[{"@id":"pkg:golang/example.com/h2@v1.1.0"}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path"},
	{"vulnerability":{"name":"GHSA-p396-9cxf-5q3r"},"products":[{"@id":"pkg:npm/blur-plugins@1.0.0"}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path"},
	{"vulnerability":{"name":"MAL-2025-3546"},"products":[{"@id":"pkg:npm/blur-plugins@1.0.0"}],"status":"fixed"}]}`
	vex, err := ReadOpenVEX(strings.NewReader(vexDoc))
	if err != nil {
		t.Fatal(err)
	}
	rep, err = Scan(context.Background(), doc, db, WithVEX(vex))
	if err != nil {
		t.Fatal(err)
	}
	if f := testFindingsOf(rep, h2.PURL); len(f) != 1 || f[0].Suppressed == nil || f[0].Suppressed.Statement != "statements[0]" {
		t.Errorf("VEX by the GHSA alias did not suppress the advisory: %+v", f)
	}
	if f := testFindingsOf(rep, blur.PURL); len(f) != 1 || f[0].Suppressed != nil || !f[0].Malicious || f[0].Priority.Decision != Act {
		t.Errorf("VEX suppressed a known-malicious package: %+v", f)
	}
	if rep.Summary.Suppressed != 1 || rep.Summary.Findings != 1 || rep.Summary.ByDecision[Act] != 1 {
		t.Errorf("summary %+v", rep.Summary)
	}
}

// TestReportOutputsMalicious: SARIF gives the malicious package level
// error and one result per advisory; the Markdown report lists it first
// under its own heading; OpenVEX never declares it safe.
func TestReportOutputsMalicious(t *testing.T) {
	db := testMultiDB(t)
	doc := &sbom.Document{Components: []sbom.Component{
		testComponent("gin", "v1.9.0", "pkg:golang/github.com/gin-gonic/gin@v1.9.0"),
		testComponent("blur-plugins", "1.0.0", "pkg:npm/blur-plugins@1.0.0"),
	}}
	// gin's affected packages are absent from the build: the advisory is
	// the one OpenVEX statement, with its twin's ids as aliases.
	doc.Components[0].Properties = []sbom.Property{{Name: PropertyGoPackages, Value: "github.com/gin-gonic/gin/internal/json"}}
	rep, err := Scan(context.Background(), doc, db)
	if err != nil {
		t.Fatal(err)
	}
	var sb bytes.Buffer
	if err := rep.WriteSARIF(&sb); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
				Level  string `json:"level"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(sb.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	levels := map[string]string{}
	for _, r := range log.Runs[0].Results {
		levels[r.RuleID] = r.Level
	}
	if len(log.Runs[0].Results) != 2 || levels["MAL-2025-3546"] != "error" || levels["GO-2023-1737"] == "" {
		t.Errorf("SARIF results %+v", log.Runs[0].Results)
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	s := md.String()
	h, mal, gin := strings.Index(s, "#### Known-malicious packages"), strings.Index(s, "MAL-2025-3546"), strings.Index(s, "GO-2023-1737")
	if h < 0 || mal < h || gin < mal || strings.Count(s, "MAL-2025-3546") != 1 {
		t.Errorf("Markdown must list the malicious package first under its heading:\n%s", s)
	}
	var vx bytes.Buffer
	if err := rep.WriteOpenVEX(&vx, OpenVEXOptions{Author: "t", ID: "x"}); err != nil {
		t.Fatal(err)
	}
	out := vx.String()
	if strings.Contains(out, "MAL-2025-3546") || strings.Count(out, `"name": "GO-2023-1737"`) != 1 || !strings.Contains(out, "GHSA-2c4m-59x9-fr2g") {
		t.Errorf("OpenVEX:\n%s", out)
	}
}

// testMultiZip writes a zip of the named files of testdata/osv/multi.
func testMultiZip(t *testing.T, path string, names ...string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", "osv", "multi", n+".json"))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(n + ".json")
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLoadOSVDownloads loads osv.dev's downloads as a user has them: one
// per-ecosystem all.zip, the full all.zip, and a directory of several
// per-ecosystem zips beside the full one, where every record is there
// twice (and GitHub's multi-ecosystem advisories would be in several
// zips): each record is loaded once and each advisory is one finding.
func TestLoadOSVDownloads(t *testing.T) {
	dir := t.TempDir()
	npm := []string{"MAL-2025-3546", "GHSA-p396-9cxf-5q3r"}
	pypi := []string{"MAL-2024-9933", "PYSEC-2019-217", "GHSA-462w-v97r-4m45"}
	goRecs := []string{"GO-2023-1737", "GHSA-2c4m-59x9-fr2g", "GO-2023-2153", "GHSA-m425-mq94-257g"}
	testMultiZip(t, filepath.Join(dir, "npm", "all.zip"), npm...)
	testMultiZip(t, filepath.Join(dir, "PyPI", "all.zip"), pypi...)
	testMultiZip(t, filepath.Join(dir, "Go", "all.zip"), goRecs...)
	testMultiZip(t, filepath.Join(dir, "all.zip"), slices.Concat(npm, pypi, goRecs)...)
	doc := &sbom.Document{Components: []sbom.Component{
		testComponent("blur-plugins", "1.0.0", "pkg:npm/blur-plugins@1.0.0"),
		testComponent("Jinja2", "2.10", "pkg:pypi/jinja2@2.10"),
		testComponent("grpc", "v1.58.0", "pkg:golang/google.golang.org/grpc@v1.58.0"),
	}}
	for _, tc := range []struct {
		path     string
		entries  int
		findings int
	}{
		{filepath.Join(dir, "npm", "all.zip"), 2, 1},
		{filepath.Join(dir, "all.zip"), 9, 3},
		{dir, 9, 3},
	} {
		db, err := vulndb.Load(tc.path)
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		if db.Len() != tc.entries {
			t.Errorf("%s: %d entries, want %d", tc.path, db.Len(), tc.entries)
		}
		rep, err := Scan(context.Background(), doc, db)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Findings) != tc.findings {
			var ids []string
			for _, f := range rep.Findings {
				ids = append(ids, f.ID+" "+f.Component.Name)
			}
			t.Errorf("%s: findings %v, want %d", tc.path, ids, tc.findings)
		}
	}
	// A broken zip among them fails the load, naming it.
	if err := os.WriteFile(filepath.Join(dir, "Maven", "all.zip"), []byte("PK\x03\x04 not a zip"), 0o644); err == nil {
		t.Fatal("wrote into a missing directory")
	}
	if err := os.MkdirAll(filepath.Join(dir, "Maven"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Maven", "all.zip"), []byte("PK\x03\x04 not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := vulndb.Load(dir); err == nil || !strings.Contains(err.Error(), "Maven/all.zip") {
		t.Errorf("broken zip: %v", err)
	}
}

// TestIndexKeepsAdvisories: the compact index stores what advisories
// need (aliases, upstream, the malicious flag, GitHub's severity word):
// a scan through it equals a scan of the JSON.
func TestIndexKeepsAdvisories(t *testing.T) {
	db := testMultiDB(t)
	var buf bytes.Buffer
	if err := db.WriteIndex(&buf); err != nil {
		t.Fatal(err)
	}
	idx, err := vulndb.ReadIndex(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	doc := &sbom.Document{Components: []sbom.Component{
		testComponent("blur-plugins", "1.0.0", "pkg:npm/blur-plugins@1.0.0"),
		testComponent("3web", "1.0.0", "pkg:pypi/3web@1.0.0"),
		testComponent("gin", "v1.9.0", "pkg:golang/github.com/gin-gonic/gin@v1.9.0"),
		testComponent("Jinja2", "2.10", "pkg:pypi/jinja2@2.10"),
	}}
	a, err := Scan(context.Background(), doc, db)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Scan(context.Background(), doc, idx)
	if err != nil {
		t.Fatal(err)
	}
	a.DB, b.DB = vulndb.Info{}, vulndb.Info{}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Errorf("scan through the index differs:\n%s\n%s", ja, jb)
	}
	if len(a.Findings) != 4 || !a.Findings[0].Malicious || !a.Findings[1].Malicious {
		t.Errorf("findings %+v", a.Findings)
	}
	// Upstream survives the index too (a Debian-style record, generated).
	up, err := vulndb.Load(writeTemp(t, "DSA-TEST-1.json", `{"id":"DSA-TEST-1","upstream":["CVE-2024-6119"],"affected":[{"package":{"ecosystem":"Debian:12","name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.14-1~deb12u2"}]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := up.WriteIndex(&buf); err != nil {
		t.Fatal(err)
	}
	upi, err := vulndb.ReadIndex(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(upi.Record(0).Upstream, []string{"CVE-2024-6119"}) {
		t.Errorf("upstream through the index: %v", upi.Record(0).Upstream)
	}
}

func writeTemp(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
