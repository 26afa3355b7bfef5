package risk

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

// TestScanComponentVersionZero: OSV's "0" is a range-event sentinel
// ("introduced: 0" = every version), but a component at version "0" is
// the ecosystem's version 0. Found in acceptance review (issue 13) with
// osv-scalibr's Maven table ("0.0.0 = 0", "0-final-ga = 0"): Scan ranked
// a Maven component "0" below every version, so a range fixed at "0.0.0"
// reported it, and a Debian range introduced at "0~beta1" (dpkg: below
// "0") missed it.
func TestScanComponentVersionZero(t *testing.T) {
	cases := []struct {
		name, eco, pkg, purl string
		introduced, fixed    string
		versions             []string
		hit                  bool
	}{
		// Maven ComparableVersion: 0 = 0.0 = 0.0.0 = 0-final-ga.
		{"maven fixed 0.0.0", "Maven", "org.example:zero", "pkg:maven/org.example/zero@0", "0", "0.0.0", nil, false},
		{"maven fixed 0-final-ga", "Maven", "org.example:zeroga", "pkg:maven/org.example/zeroga@0", "0", "0-final-ga", nil, false},
		{"maven fixed 1", "Maven", "org.example:one", "pkg:maven/org.example/one@0", "0", "1", nil, true},
		// Composer normalises "0" and "0.0.0" to "0.0.0.0".
		{"composer fixed 0.0.0", "Packagist", "acme/zero", "pkg:composer/acme/zero@0", "0", "0.0.0", nil, false},
		// PEP 440 pads release segments with zeros: 0 == 0.0.
		{"pypi fixed 0.0", "PyPI", "zero", "pkg:pypi/zero@0", "0", "0.0", nil, false},
		// dpkg --compare-versions 0 gt 0~rc1 (and 0~beta1).
		{"debian fixed 0~rc1", "Debian:12", "zero", "pkg:deb/debian/zero@0?distro=debian-12", "0", "0~rc1", nil, false},
		{"debian introduced 0~beta1", "Debian:12", "zerob", "pkg:deb/debian/zerob@0?distro=debian-12", "0~beta1", "1", nil, true},
		// An explicit versions list names version 0 itself.
		{"versions list 0.0", "Maven", "org.example:listed", "pkg:maven/org.example/listed@0", "", "", []string{"0.0"}, true},
	}
	dir := t.TempDir()
	doc := &sbom.Document{}
	for i, c := range cases {
		aff := map[string]any{"package": map[string]string{"ecosystem": c.eco, "name": c.pkg}}
		if c.fixed != "" {
			aff["ranges"] = []any{map[string]any{"type": "ECOSYSTEM", "events": []any{
				map[string]string{"introduced": c.introduced}, map[string]string{"fixed": c.fixed}}}}
		}
		if c.versions != nil {
			aff["versions"] = c.versions
		}
		id := "CHAINGATE-ZERO-" + strconv.Itoa(i)
		b, err := json.Marshal(map[string]any{"id": id, "modified": "2026-01-01T00:00:00Z", "affected": []any{aff}})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, id+".json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		comp := testComp(c.name, c.purl)
		comp.Version = "0"
		doc.Components = append(doc.Components, comp)
	}
	db, err := vulndb.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Scan(context.Background(), doc, db)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		if u := testUnassessed(rep, c.name); u != nil {
			t.Errorf("%s: unassessed: %s", c.name, u.Reason)
			continue
		}
		got := testFindingIDs(rep, c.name)
		want := []string(nil)
		if c.hit {
			want = []string{"CHAINGATE-ZERO-" + strconv.Itoa(i)}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: findings %v, want %v", c.name, got, want)
		}
	}
}
