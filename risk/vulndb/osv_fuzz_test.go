package vulndb

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/chaingate/chaingate/internal/fuzzseed"
)

// testSeeds adds the files matching pattern under testdata to f's corpus.
func testSeeds(f *testing.F, pattern string, limit int) {
	f.Helper()
	fuzzseed.Add(f, filepath.Join("..", "testdata", pattern), limit)
}

// FuzzParseOSV: any input parses or fails with an error, never panics;
// a parsed entry can be matched against without panicking.
func FuzzParseOSV(f *testing.F) {
	testSeeds(f, "osv/go/GO-202[0-2]-00*.json", 30)
	testSeeds(f, "osv/other/*.json", 0)
	testSeeds(f, "osv/multi/*.json", 0)
	testSeeds(f, "osv/ghsa-2023-05-12/*.json", 0)
	f.Add([]byte(`{"id":"X","affected":[{"package":{"name":"a","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ParseOSV(data)
		if err != nil {
			return
		}
		e, err := convert(v)
		if err != nil {
			t.Fatalf("ParseOSV accepted what osvConvert rejects: %v", err)
		}
		for i := range e.Affected {
			for _, ver := range []string{"v1.0.0", "1.0.0", "0", "go1.21.0"} {
				matchAffected(&e.Affected[i], ecosystemCanonical(e.Affected[i].Ecosystem), ver)
			}
		}
	})
}

// FuzzReadIndex: a corrupt compact index is an error, never a panic;
// seeded with real indexes and with their declared counts mutated
// (indexFuzzSeeds).
func FuzzReadIndex(f *testing.F) {
	indexFuzzSeeds(f)
	f.Add([]byte(indexMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opts := range [][]Option{nil, {WithEcosystems("Go", "npm")}} {
			db, err := ReadIndex(bytes.NewReader(data), opts...)
			if err != nil || db.Len() > 2000 {
				continue
			}
			// Whatever an index holds, matching and reading its records
			// never panic, and a verdict names an element of its record.
			for i := range db.Len() {
				db.Record(i)
			}
			for eco, byName := range db.index {
				for name := range byName {
					for _, v := range []string{"1.0.0", "v0.0.1", "0"} {
						for _, vd := range db.Match(Identity{eco, name, v}, nil).Verdicts {
							if vd.Affected && vd.Element >= len(db.Record(vd.Record).Affected) {
								t.Fatalf("verdict %+v names element %d of %d", vd, vd.Element, len(db.Record(vd.Record).Affected))
							}
						}
					}
				}
			}
		}
	})
}

// FuzzVersion: every scheme's ordering is antisymmetric and parsing
// never panics.
func FuzzVersion(f *testing.F) {
	for _, s := range []string{"v1.2.3", "1.0.0-rc.1", "go1.21rc2", "1.0.post1", "1:2.3-4~deb12u1", "1.2_rc1-r0", "1.0.0.pre", "1.0.0.1-beta", "2.0-alpha-1"} {
		f.Add(s, "1.2.3")
	}
	ecos := []string{"Go", "npm", "PyPI", "Maven", "Debian:12", "Alpine:v3.20", "RubyGems", "NuGet", "crates.io"}
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, eco := range ecos {
			s := schemeFor(eco, "ECOSYSTEM")
			va, err1 := s.parse(a)
			vb, err2 := s.parse(b)
			if err1 != nil || err2 != nil {
				continue
			}
			if x, y := va.vulnCmp(vb), vb.vulnCmp(va); x != -y {
				t.Errorf("%s: cmp(%q,%q)=%d but cmp(%q,%q)=%d", eco, a, b, x, b, a, y)
			}
		}
	})
}
