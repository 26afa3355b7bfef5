package risk

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

var indexUpdate = flag.Bool("update-osv-index", false, "rewrite testdata/osv-go-subset.idx from testdata/osv/go")

// indexSubsetPath is the compact index of the Go vulndb subset in
// testdata/osv/go, committed so programs (the release-gate example) can
// embed a small real database.
var indexSubsetPath = filepath.Join("testdata", "osv-go-subset.idx")

// TestCompactIndexUpToDate keeps the committed compact index equal to a
// fresh build from testdata/osv/go (run with -update-osv-index to
// rewrite it).
func TestCompactIndexUpToDate(t *testing.T) {
	db := testDB(t)
	var buf bytes.Buffer
	if err := db.WriteIndex(&buf); err != nil {
		t.Fatal(err)
	}
	if *indexUpdate {
		if err := os.WriteFile(indexSubsetPath, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	committed, err := os.ReadFile(indexSubsetPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, buf.Bytes()) {
		t.Fatalf("%s is stale (%d bytes, fresh build %d): run go test -run TestCompactIndexUpToDate -update-osv-index", indexSubsetPath, len(committed), buf.Len())
	}
	idx, err := vulndb.ReadIndex(bytes.NewReader(committed))
	if err != nil {
		t.Fatal(err)
	}
	doc := &sbom.Document{Components: []sbom.Component{testComp("net", "pkg:golang/golang.org/x/net@v0.16.0")}}
	a, err := Scan(context.Background(), doc, db)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Scan(context.Background(), doc, idx)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Findings) == 0 || len(a.Findings) != len(b.Findings) {
		t.Fatalf("index scan found %d, JSON scan %d", len(b.Findings), len(a.Findings))
	}
	for i := range a.Findings {
		fa, fb := a.Findings[i], b.Findings[i]
		if fa.ID != fb.ID || fa.Range != fb.Range || fa.Summary != fb.Summary || len(fa.AffectedPackages) != len(fb.AffectedPackages) || fa.URL != fb.URL {
			t.Errorf("finding %d differs: %s %q vs %s %q", i, fa.ID, fa.Range, fb.ID, fb.Range)
		}
	}
}
