package vulndb

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/internal/baseline"
)

// TestMatch checks the verdicts and records of real OSV records
// (risk/testdata/osv/multi): twins of one advisory share its number, a
// record's fixes above the version are listed, a version past the fix is
// assessed and not affected, malware marks both twins, an unknown or
// unparsable version leaves every record unassessed with the reason.
func TestMatch(t *testing.T) {
	db, err := Load("../testdata/osv/multi")
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		id, rng string
		fixed   []string
		imports int
		mal     bool
	}
	buf := make([]Verdict, 0, 4) // reused by every case, as a scan does
	for _, tc := range []struct {
		name     string
		id       Identity
		affected bool
		verdicts []want
	}{
		{"GO and GHSA twins, affected", Identity{"Go", "github.com/gin-gonic/gin", "v1.9.0"}, true, []want{
			{"GHSA-2c4m-59x9-fr2g", ">=1.3.1-0.20190301021747-ccb9e902956d, <1.9.1", []string{"1.9.1"}, 0, false},
			{"GO-2023-1737", ">=1.3.1-0.20190301021747-ccb9e902956d, <1.9.1", []string{"1.9.1"}, 1, false},
		}},
		{"GO and GHSA twins, fixed version", Identity{"Go", "github.com/gin-gonic/gin", "v1.9.1"}, false, []want{
			{id: "GHSA-2c4m-59x9-fr2g"}, {id: "GO-2023-1737"},
		}},
		{"fixes of every branch above the version", Identity{"Go", "google.golang.org/grpc", "v1.56.2"}, true, []want{
			{"GHSA-m425-mq94-257g", ">=0, <1.56.3", []string{"1.56.3"}, 0, false},
			{"GO-2023-2153", ">=0, <1.56.3", []string{"1.56.3", "1.57.1", "1.58.3"}, 2, false},
		}},
		{"malware and its GHSA twin", Identity{"npm", "blur-plugins", "1.0.0"}, true, []want{
			{"GHSA-p396-9cxf-5q3r", ">=0", nil, 0, true},
			{"MAL-2025-3546", ">=0", nil, 0, true},
		}},
		{"versions list with a fixing range", Identity{"PyPI", "jinja2", "2.10"}, true, []want{
			{"GHSA-462w-v97r-4m45", ">=0, <2.10.1", []string{"2.10.1"}, 0, false},
			{"PYSEC-2019-217", "versions list: 2.10", []string{"2.10.1"}, 0, false},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := db.Match(tc.id, buf)
			if len(m.Verdicts) > 0 && &m.Verdicts[0] != &buf[:1][0] {
				t.Error("the verdicts are not in the caller's buffer")
			}
			if m.Err != nil || len(m.Unassessed) > 0 {
				t.Fatalf("unassessed %v: %v", m.Unassessed, m.Err)
			}
			if len(m.Verdicts) != len(tc.verdicts) {
				t.Fatalf("%d verdicts, want %d: %+v", len(m.Verdicts), len(tc.verdicts), m.Verdicts)
			}
			for i, v := range m.Verdicts {
				w := tc.verdicts[i]
				rec := db.Record(v.Record)
				if rec.ID != w.id || v.Affected != tc.affected {
					t.Errorf("verdict %d: %s affected=%v, want %s affected=%v", i, rec.ID, v.Affected, w.id, tc.affected)
				}
				if v.Advisory != m.Verdicts[0].Advisory {
					t.Errorf("%s: advisory %d, its twin's %d", rec.ID, v.Advisory, m.Verdicts[0].Advisory)
				}
				if rec.Malicious != w.mal {
					t.Errorf("%s: malicious %v, want %v", rec.ID, rec.Malicious, w.mal)
				}
				if !tc.affected {
					if v.Range != "" || v.Fixed != nil || v.Package != "" {
						t.Errorf("%s: not affected but %+v", rec.ID, v)
					}
					continue
				}
				if v.Range != w.rng || !slices.Equal(v.Fixed, w.fixed) || len(v.Imports) != w.imports {
					t.Errorf("%s: range %q fixed %v imports %d; want %q %v %d", rec.ID, v.Range, v.Fixed, len(v.Imports), w.rng, w.fixed, w.imports)
				}
				if v.Element < 0 || v.Element >= len(rec.Affected) || !strings.EqualFold(v.Package, tc.id.Name) {
					t.Errorf("%s: element %d of %d, package %q", rec.ID, v.Element, len(rec.Affected), v.Package)
				}
			}
		})
	}
	// Advisories apart stay apart.
	if a, b := db.Match(Identity{"Go", "github.com/gin-gonic/gin", "v1.9.0"}, nil), db.Match(Identity{"Go", "google.golang.org/grpc", "v1.56.2"}, nil); a.Verdicts[0].Advisory == b.Verdicts[0].Advisory {
		t.Errorf("gin and grpc advisories share number %d", a.Verdicts[0].Advisory)
	}
	for _, v := range []string{"(devel)", "vX"} {
		m := db.Match(Identity{"Go", "github.com/gin-gonic/gin", v}, nil)
		if len(m.Verdicts) != 0 || !slices.Equal(m.Unassessed, []string{"GHSA-2c4m-59x9-fr2g", "GO-2023-1737"}) || !errors.Is(m.Err, ErrUnassessableVersion) {
			t.Errorf("version %q: %+v", v, m)
		}
	}
	if m := db.Match(Identity{"Go", "example.com/none", "v1.0.0"}, nil); m.Verdicts != nil || m.Unassessed != nil || m.Err != nil {
		t.Errorf("package without records: %+v", m)
	}
	if m := (&DB{}).Match(Identity{"Go", "github.com/gin-gonic/gin", "v1.9.0"}, buf); m.Verdicts != nil || m.Err != nil {
		t.Errorf("zero DB: %+v", m)
	}
}

// TestMatchSeveralElements: a record that lists one package in two
// affected[] elements that both match is one verdict, with both ranges,
// the fixes of both and the imports of both; a withdrawn record is no
// verdict.
func TestMatchSeveralElements(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("GO-TEST-1.json", `{"id":"GO-TEST-1","summary":"two branches","affected":[
 {"package":{"ecosystem":"Go","name":"example.com/m"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.0"}]}],
  "ecosystem_specific":{"imports":[{"path":"example.com/m/a","symbols":["A"]}]}},
 {"package":{"ecosystem":"Go","name":"example.com/m"},"ranges":[{"type":"SEMVER","events":[{"introduced":"1.1.0"},{"fixed":"1.1.5"}]}],
  "ecosystem_specific":{"imports":[{"path":"example.com/m/b"}]},"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}]}`)
	write("GO-TEST-2.json", `{"id":"GO-TEST-2","withdrawn":"2024-01-01T00:00:00Z","affected":[
 {"package":{"ecosystem":"Go","name":"example.com/m"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}`)
	db, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := db.Match(Identity{"Go", "example.com/m", "v1.1.2"}, nil)
	if len(m.Verdicts) != 1 || m.Err != nil {
		t.Fatalf("%+v", m)
	}
	v := m.Verdicts[0]
	if !v.Affected || v.Range != ">=0, <1.2.0; >=1.1.0, <1.1.5" || !slices.Equal(v.Fixed, []string{"1.2.0", "1.1.5"}) || v.Element != 0 {
		t.Errorf("verdict %+v", v)
	}
	if len(v.Imports) != 2 || v.Imports[0].Path != "example.com/m/a" || v.Imports[1].Path != "example.com/m/b" {
		t.Errorf("imports %+v", v.Imports)
	}
	rec := db.Record(v.Record)
	if rec.ID != "GO-TEST-1" || rec.Summary != "two branches" || len(rec.Affected) != 2 || len(rec.Affected[1].Severity) != 1 || rec.Affected[0].Severity != nil {
		t.Errorf("record %+v", rec)
	}
	// The record's slices are clipped: appending to one cannot write
	// into the DB's memory.
	if cap(rec.Affected) != len(rec.Affected) {
		t.Errorf("Record.Affected has spare capacity %d > %d", cap(rec.Affected), len(rec.Affected))
	}
	if w := db.Record(1 - v.Record); w.ID != "GO-TEST-2" || w.Withdrawn.IsZero() {
		t.Errorf("withdrawn record %+v", w)
	}
}

// TestLinearViewMatchesIndex: the benchmark baseline (every affected
// package walked, reached through internal/baseline) gives the same
// matches as the index, for every package of the real test records at a
// version below, inside and past their ranges.
func TestLinearViewMatchesIndex(t *testing.T) {
	for _, dir := range []string{"multi", "other", "go"} {
		db, err := Load(filepath.Join("..", "testdata", "osv", dir))
		if err != nil {
			t.Fatal(err)
		}
		view, ok := baseline.LinearDB(db).(*DB)
		if !ok || view == db || !view.linearOnly {
			t.Fatalf("baseline.LinearDB gave %T", view)
		}
		if again := baseline.LinearDB(db).(*DB); again != view {
			t.Error("the linear view is built again")
		}
		n := 0
		for eco, byName := range db.index {
			for name := range byName {
				for _, v := range []string{"0.0.1", "1.0.0", "2.10", "v1.9.0", "v1.56.2", "3.0.11-1", "99.0.0", "(devel)"} {
					id := Identity{eco, name, v}
					a, b := db.Match(id, nil), view.Match(id, nil)
					if !reflect.DeepEqual(a, b) {
						t.Errorf("%v: index %+v, linear %+v", id, a, b)
					}
					n += len(a.Verdicts)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no verdicts compared", dir)
		}
	}
}
