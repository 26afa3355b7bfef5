package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/risk/vulndb"
)

func TestRiskScan(t *testing.T) {
	r := cli(t, "risk", "scan", shopAPISBOM, "--db", vulnIndex, "--kev", kevGo, "-o", "json").want(t, exitDenied)
	var rep risk.Report
	r.decode(t, &rep)
	if rep.SchemaVersion != risk.ReportSchemaVersion || rep.DB.Source != "index" || rep.Enrichment.KEVVersion == "" {
		t.Errorf("report header %+v %+v %+v", rep.SchemaVersion, rep.DB, rep.Enrichment)
	}
	gin := findFinding(rep.Findings, "GO-2021-0052")
	if gin == nil || gin.Component.PURL != "pkg:golang/github.com/gin-gonic/gin@v1.7.0" || len(gin.Fixed) == 0 {
		t.Fatalf("GO-2021-0052 in gin: %+v", gin)
	}
	if rep.Summary.Findings == 0 || len(rep.Findings) != rep.Summary.Findings+rep.Summary.Suppressed {
		t.Errorf("summary %+v for %d findings", rep.Summary, len(rep.Findings))
	}
	if !strings.Contains(r.stderr, "active findings at or above track") {
		t.Errorf("stderr: %s", r.stderr)
	}

	t.Run("threshold", func(t *testing.T) {
		// Every finding of this SBOM is Track: nothing is exploited.
		cli(t, "risk", "scan", shopAPISBOM, "--db", vulnIndex, "--fail-on", "attend").want(t, exitOK)
		cli(t, "risk", "scan", shopAPISBOM, "--db", vulnIndex, "--fail-on", "none").want(t, exitOK)
		cli(t, "risk", "scan", shopAPISBOM, "--db", vulnIndex, "--fail-on", "soon").want(t, exitFailure)
	})
	t.Run("nothing found", func(t *testing.T) {
		// An npm SBOM against a Go database: no findings, exit 0.
		r := cli(t, "risk", "scan", signerSBOM, "--db", vulnIndex, "-o", "json").want(t, exitOK)
		var rep risk.Report
		r.decode(t, &rep)
		if len(rep.Findings) != 0 || rep.Document.Components == 0 {
			t.Errorf("report %+v", rep.Summary)
		}
	})
	t.Run("OSV directory, EPSS and VEX", func(t *testing.T) {
		// An OpenVEX statement that gin's GO-2021-0052 does not affect
		// shop-api.
		vex := filepath.Join(t.TempDir(), "shop-api.openvex.json")
		if err := os.WriteFile(vex, []byte(`{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.com/vex/shop-api-1",
  "author": "chaingate CLI test",
  "timestamp": "2026-11-27T00:00:00Z",
  "version": 1,
  "statements": [{
    "vulnerability": {"name": "GO-2021-0052"},
    "products": [{"@id": "pkg:golang/github.com/acme/shop-api",
                  "subcomponents": [{"@id": "pkg:golang/github.com/gin-gonic/gin@v1.7.0"}]}],
    "status": "not_affected",
    "justification": "vulnerable_code_not_in_execute_path"
  }]
}`), 0o644); err != nil {
			t.Fatal(err)
		}
		r := cli(t, "risk", "scan", shopAPISBOM, "--db", "../../risk/testdata/osv/go",
			"--epss", "../../risk/testdata/epss/epss-sample.csv", "--vex", vex, "-o", "json").want(t, exitDenied)
		var rep risk.Report
		r.decode(t, &rep)
		if rep.DB.Source != "dir" || rep.Enrichment.EPSSModelVersion == "" || len(rep.Enrichment.VEX) != 1 {
			t.Errorf("db %+v enrichment %+v", rep.DB, rep.Enrichment)
		}
		gin := findFinding(rep.Findings, "GO-2021-0052")
		if gin == nil || gin.Suppressed == nil || gin.Suppressed.Status != "not_affected" || gin.Active() {
			t.Fatalf("GO-2021-0052 not suppressed by VEX: %+v", gin)
		}
		if rep.Summary.Suppressed != 1 {
			t.Errorf("summary %+v", rep.Summary)
		}
	})
	t.Run("sarif", func(t *testing.T) {
		r := cli(t, "risk", "scan", shopAPISBOM, "--db", vulnIndex, "-o", "sarif").want(t, exitDenied)
		var s struct {
			Version string `json:"version"`
			Runs    []struct {
				Tool struct {
					Driver struct {
						Name string `json:"name"`
					} `json:"driver"`
				} `json:"tool"`
				Results []struct {
					RuleID string `json:"ruleId"`
				} `json:"results"`
			} `json:"runs"`
		}
		r.decode(t, &s)
		if s.Version != "2.1.0" || len(s.Runs) != 1 || len(s.Runs[0].Results) == 0 {
			t.Fatalf("SARIF %+v", s)
		}
		found := false
		for _, res := range s.Runs[0].Results {
			found = found || res.RuleID == "GO-2021-0052"
		}
		if !found {
			t.Error("SARIF lacks GO-2021-0052")
		}
		// The risk package reads it back as SARIF input, result for result.
		in, err := risk.ReadSARIF(strings.NewReader(r.stdout))
		if err != nil {
			t.Fatalf("ReadSARIF: %v", err)
		}
		if in.Tool != s.Runs[0].Tool.Driver.Name || in.Len() != len(s.Runs[0].Results) {
			t.Errorf("read back: tool %q with %d results, want %q with %d", in.Tool, in.Len(), s.Runs[0].Tool.Driver.Name, len(s.Runs[0].Results))
		}
	})
	t.Run("markdown and table", func(t *testing.T) {
		md := cli(t, "risk", "scan", shopAPISBOM, "--db", vulnIndex, "-o", "markdown").want(t, exitDenied).stdout
		if !strings.Contains(md, "GO-2021-0052") || !strings.Contains(md, "|") {
			t.Errorf("markdown:\n%.500s", md)
		}
		txt := cli(t, "risk", "scan", shopAPISBOM, "--db", vulnIndex).want(t, exitDenied).stdout
		if !strings.Contains(txt, "16 components scanned against 225 OSV entries") || !strings.Contains(txt, "GO-2021-0052") {
			t.Errorf("table:\n%.800s", txt)
		}
	})
	t.Run("bad database", func(t *testing.T) {
		cli(t, "risk", "scan", shopAPISBOM, "--db", shopAPISBOM).want(t, exitFailure)
	})
}

func findFinding(fs []risk.Finding, id string) *risk.Finding {
	for i := range fs {
		if fs[i].ID == id {
			return &fs[i]
		}
	}
	return nil
}

func TestRiskTyposquat(t *testing.T) {
	r := cli(t, "risk", "typosquat", "--ecosystem", "npm", "expresss", "lodash", "-o", "json").want(t, exitDenied)
	var rep typosquatReport
	r.decode(t, &rep)
	if rep.SchemaVersion != typosquatSchema || len(rep.Results) != 2 || rep.Flagged != 1 {
		t.Fatalf("report %+v", rep)
	}
	ex, lo := rep.Results[0], rep.Results[1]
	if ex.Name != "expresss" || !ex.Score.Flagged || ex.Score.Target != "express" || len(ex.Score.Contributions) == 0 {
		t.Errorf("expresss: %+v", ex)
	}
	if lo.Name != "lodash" || lo.Score.Flagged {
		t.Errorf("lodash: %+v", lo)
	}
	cli(t, "risk", "typosquat", "lodash", "react").want(t, exitOK)
	// Go module paths against the shipped Go list (ranked by dependents).
	cli(t, "risk", "typosquat", "--ecosystem", "Go", "github.com/spf13/cobra").want(t, exitOK)
	r = cli(t, "risk", "typosquat", "--ecosystem", "Go", "github.com/spf13/cobar", "-o", "json").want(t, exitDenied)
	r.decode(t, &rep)
	if len(rep.Results) != 1 || rep.Results[0].Score.Target != "github.com/spf13/cobra" {
		t.Errorf("Go report %+v", rep)
	}
	// An ecosystem without a list is refused, not scored clean.
	r = cli(t, "risk", "typosquat", "--ecosystem", "cargo", "serde").want(t, exitFailure)
	if !strings.Contains(r.stderr, "ecosystem") {
		t.Errorf("stderr: %s", r.stderr)
	}
	cli(t, "risk", "typosquat").want(t, exitFailure)
}

// TestRiskDownload serves a real OSV all.zip (entries from the Go
// vulnerability database in risk/testdata) from an in-process server.
func TestRiskDownload(t *testing.T) {
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	entries, err := filepath.Glob("../../risk/testdata/osv/go/GO-2022-*.json")
	if err != nil || len(entries) == 0 {
		t.Fatalf("OSV entries: %v %d", err, len(entries))
	}
	for _, e := range entries {
		b, err := os.ReadFile(e)
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(filepath.Base(e))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/Go/all.zip" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(zbuf.Bytes())
	}))
	defer srv.Close()
	dir := t.TempDir()

	cli(t, "risk", "download", "Go", "--dir", dir, "--base-url", srv.URL).want(t, exitFailure) // no --allow-network
	r := cli(t, "risk", "download", "Go", "--dir", dir, "--base-url", srv.URL, "--allow-network", "-o", "json").want(t, exitOK)
	var res vulndb.DownloadResult
	r.decode(t, &res)
	if !res.Updated || res.Entries != len(entries) || res.Path != filepath.Join(dir, "Go", "all.zip") {
		t.Fatalf("result %+v, want %d entries", res, len(entries))
	}
	// The downloaded database scans.
	r = cli(t, "risk", "scan", shopAPISBOM, "--db", res.Path, "--fail-on", "none", "-o", "json").want(t, exitOK)
	var rep risk.Report
	r.decode(t, &rep)
	if rep.DB.Source != "zip" || rep.DB.Entries != len(entries) {
		t.Errorf("db %+v", rep.DB)
	}
	// A second download is conditional: nothing changes.
	r = cli(t, "risk", "download", "Go", "--dir", dir, "--base-url", srv.URL, "--allow-network", "-o", "json").want(t, exitOK)
	res = vulndb.DownloadResult{}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatal(err)
	}
	if res.Updated {
		t.Errorf("second download %+v: want not updated", res)
	}
}

// TestRiskScanGoBinary: --go-binary scans a real Go binary (the committed
// test program of risk's Go evidence tests) and shows each finding's
// evidence: the vulnerable function linked, or the code absent.
func TestRiskScanGoBinary(t *testing.T) {
	exe := filepath.Join("..", "..", "risk", "testdata", "gobinary", "vulnapp-linux-amd64")
	db := filepath.Join("..", "..", "risk", "testdata", "gobinary", "osv")
	r := cli(t, "risk", "scan", exe, "--go-binary", "--db", db, "-o", "json").want(t, exitDenied)
	var rep risk.Report
	r.decode(t, &rep)
	levels := map[risk.EvidenceLevel]int{}
	parse := false
	for _, f := range rep.Findings {
		levels[f.Evidence.Level]++
		if f.Evidence.Level == risk.EvidenceSymbol && len(f.Evidence.Symbols) == 0 {
			t.Errorf("%s: symbol level without symbols", f.ID)
		}
		parse = parse || slices.Contains(f.Evidence.Symbols, "example.com/vulnlib.Parse")
	}
	if !parse {
		t.Errorf("no finding names the linked example.com/vulnlib.Parse: %+v", rep.Findings)
	}
	if levels[risk.EvidenceSymbol] == 0 || levels[risk.EvidenceSymbolAbsent] == 0 || levels[risk.EvidencePackageAbsent] == 0 {
		t.Errorf("evidence levels %v, want symbol, symbol-absent and package-absent", levels)
	}

	table := cli(t, "risk", "scan", exe, "--go-binary", "--db", db, "--fail-on", "none").want(t, exitOK)
	for _, want := range []string{"EVIDENCE", "symbol-absent", "package-absent"} {
		if !strings.Contains(table.stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, table.stdout)
		}
	}
	// An SBOM's scan is not a binary's: the flags exclude each other and
	// a binary read as an SBOM is refused.
	cli(t, "risk", "scan", exe, "--go-binary", "--go-source", "--db", db).want(t, exitFailure)
	cli(t, "risk", "scan", exe, "--db", db).want(t, exitFailure)
}
