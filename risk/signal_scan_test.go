package risk

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chaingate/chaingate/risk/signal"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

// TestScanCarriesSignals checks that the detectors' signals reach the
// Report beside the vulnerability findings, with their evidence.
func TestScanCarriesSignals(t *testing.T) {
	dir := t.TempDir()
	entry := `{"schema_version":"1.6.0","id":"TEST-2026-0001","modified":"2026-01-01T00:00:00Z","summary":"test",
"affected":[{"package":{"ecosystem":"npm","name":"left-pad"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.3.0"}]}]}]}`
	if err := os.WriteFile(filepath.Join(dir, "TEST-2026-0001.json"), []byte(entry), 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := vulndb.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	doc := &sbom.Document{Components: []sbom.Component{
		{ID: "a", Name: "crossenv", Version: "1.0.0", PURL: "pkg:npm/crossenv@1.0.0"},
		{ID: "b", Name: "left-pad", Version: "1.2.0", PURL: "pkg:npm/left-pad@1.2.0"},
	}}
	gitSig := signal.Signal{ID: signal.SignalNewAuthor, Value: 0.3, Source: "0123456789abcdef0123456789abcdef01234567", Evidence: []string{"first commit by this author"}}
	rep, err := Scan(context.Background(), doc, db, WithDetectors(signal.TyposquatDetector{}, signal.DependencyChangeDetector{}, signal.Static{gitSig}))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]signal.Signal{}
	for _, s := range rep.Signals {
		ids[s.ID] = s
	}
	if s, ok := ids["typosquat"]; !ok || s.Source != "pkg:npm/crossenv@1.0.0" || s.Score == nil || len(s.Evidence) == 0 {
		t.Errorf("typosquat signal missing from the report: %+v", rep.Signals)
	}
	if _, ok := ids[signal.SignalNewAuthor]; !ok {
		t.Errorf("static signal missing: %+v", rep.Signals)
	}
	if len(rep.Findings) != 1 {
		t.Errorf("findings %+v", rep.Findings)
	}
}
