package risk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/risk/content"
	"github.com/chaingate/chaingate/risk/signal"
	"github.com/chaingate/chaingate/risk/vulndb"
)

// TestContractForwarders: the names risk keeps for code written before
// the split (LoadOSV, ReadIndex, DB, TyposquatScore, Score,
// ScanPackageArchive) give the same results as the sub-packages where
// they live, on real data.
func TestContractForwarders(t *testing.T) {
	dir := filepath.Join("testdata", "osv", "go")
	var db *risk.DB
	db, err := risk.LoadOSV(dir)
	if err != nil {
		t.Fatal(err)
	}
	direct, err := vulndb.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if db.Len() == 0 || !reflect.DeepEqual(db.Info(), direct.Info()) {
		t.Fatalf("risk.LoadOSV info %+v, vulndb.Load %+v", db.Info(), direct.Info())
	}
	var idx bytes.Buffer
	if err := db.WriteIndex(&idx); err != nil {
		t.Fatal(err)
	}
	fromIdx, err := risk.ReadIndex(bytes.NewReader(idx.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if fromIdx.Len() != db.Len() || fromIdx.Info().Source != "index" {
		t.Errorf("risk.ReadIndex: %d entries from %s, want %d from index", fromIdx.Len(), fromIdx.Info().Source, db.Len())
	}

	for _, name := range []string{"lodahs", "lodash", "crossenv"} {
		var got risk.Score
		got, err := risk.TyposquatScore("npm", name)
		if err != nil {
			t.Fatal(err)
		}
		want, err := signal.TyposquatScore("npm", name)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("risk.TyposquatScore(npm, %s) = %+v, signal.TyposquatScore %+v", name, got, want)
		}
	}

	pkg := filepath.Join("testdata", "signals", "npm", "bufferutil-4.0.9.tgz")
	data, err := os.ReadFile(pkg)
	if err != nil {
		t.Fatal(err)
	}
	var rep *risk.ContentReport
	rep, err = risk.ScanPackageArchive(context.Background(), pkg, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	want, err := content.ScanPackageArchive(context.Background(), pkg, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(rep)
	b, _ := json.Marshal(want)
	if !bytes.Equal(a, b) || rep.Name == "" {
		t.Errorf("risk.ScanPackageArchive differs from content.ScanPackageArchive:\n%s\n%s", a, b)
	}
}
