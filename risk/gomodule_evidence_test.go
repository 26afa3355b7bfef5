package risk

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/chaingate/chaingate/internal/gobin/gobintest"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

// TestScanGoModulePackageEvidence scans the SBOM sbom.FromGoModule makes
// of a real module built in the test (example.com/app importing
// example.com/vulnlib and vulnlib/notcalled, not vulnlib/other): the
// packages it records give package-level evidence without a binary.
func TestScanGoModulePackageEvidence(t *testing.T) {
	dir, modcache := gobintest.Source(t, true)
	t.Setenv("GOMODCACHE", modcache)
	t.Setenv("GOOS", "linux")
	t.Setenv("GOARCH", "amd64")
	doc, err := sbom.FromGoModule(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Limitations) != 0 {
		t.Fatalf("limitations: %v", doc.Limitations)
	}
	db, err := vulndb.Load(filepath.Join("testdata", "gobinary", "osv"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Scan(context.Background(), doc, db)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]EvidenceLevel{
		"CHAINGATE-GOBIN-0001": EvidencePackage,       // vulnlib imported
		"CHAINGATE-GOBIN-0002": EvidencePackage,       // vulnlib imported
		"CHAINGATE-GOBIN-0003": EvidencePackage,       // vulnlib/notcalled imported
		"CHAINGATE-GOBIN-0004": EvidencePackageAbsent, // vulnlib/other not imported
		"CHAINGATE-GOBIN-0005": EvidencePackage,       // vulnlib/notcalled imported
	}
	got := map[string]EvidenceLevel{}
	for _, f := range rep.Findings {
		got[f.ID] = f.Evidence.Level
	}
	for id, l := range want {
		if got[id] != l {
			t.Errorf("%s: evidence %q, want %q (all %v)", id, got[id], l, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("findings %v, want %v", got, want)
	}
}
