package vulndb

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestMatchMaliciousShapes: the two shapes of known-malicious records
// match exactly. "introduced 0" with no fix is every version of every
// ecosystem, pre-releases included; an explicit versions list is those
// versions (with the ecosystem's equality) and nothing else.
func TestMatchMaliciousShapes(t *testing.T) {
	cases := []struct {
		eco, typ string
		versions []string
		v        string
		want     bool
	}{
		{"npm", "SEMVER", nil, "1.0.0", true},
		{"npm", "SEMVER", nil, "0.0.0-alpha", true},
		{"npm", "SEMVER", nil, "99.1.2-rc.1", true},
		{"PyPI", "ECOSYSTEM", nil, "0.dev0", true},
		{"PyPI", "ECOSYSTEM", nil, "2024.1.post3", true},
		{"Maven", "ECOSYSTEM", nil, "0-alpha", true},
		{"Maven", "ECOSYSTEM", nil, "1.0.0-SNAPSHOT", true},
		{"RubyGems", "ECOSYSTEM", nil, "0.0.1.pre", true},
		{"crates.io", "SEMVER", nil, "0.1.0", true},
		{"Go", "SEMVER", nil, "v0.0.0-20200101000000-abcdefabcdef", true},
		{"PyPI", "", []string{"1.0.0"}, "1.0.0", true},
		{"PyPI", "", []string{"1.0.0"}, "1.0", true}, // PEP 440: the same version
		{"PyPI", "", []string{"1.0.0"}, "1.0.1", false},
		{"PyPI", "", []string{"1.0.0"}, "1.0.0.post1", false},
		{"npm", "", []string{"4.4.1", "4.4.2"}, "4.4.3", false},
		{"npm", "", []string{"4.4.1", "4.4.2"}, "4.4.2", true},
	}
	for _, c := range cases {
		a := affected{Ecosystem: c.eco, Name: "x", Versions: c.versions}
		if c.typ != "" {
			a.Ranges = []affectedRange{{Type: c.typ, Events: []event{{eventIntroduced, "0"}}}}
		}
		m, err := matchAffected(&a, ecosystemCanonical(c.eco), c.v)
		if err != nil || m.Affected != c.want {
			t.Errorf("%s %v %q: affected %v (%v), want %v", c.eco, c.versions, c.v, m.Affected, err, c.want)
		}
	}
}

// TestMaliciousByDirectAliasOnly: a record is malicious when it aliases
// a malicious record or is aliased by one, not when it only shares an
// id with one (generated records).
func TestMaliciousByDirectAliasOnly(t *testing.T) {
	rec := func(id string, aliases ...string) string {
		a, _ := json.Marshal(aliases)
		return `{"id":"` + id + `","aliases":` + string(a) + `,"affected":[{"package":{"ecosystem":"npm","name":"p-` + id + `"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}`
	}
	dir := t.TempDir()
	for name, body := range map[string]string{
		"mal":     rec("MAL-2099-1", "GHSA-aaaa-aaaa-aaaa", "CVE-2099-1"),
		"twin":    rec("GHSA-aaaa-aaaa-aaaa"),
		"back":    rec("GHSA-bbbb-bbbb-bbbb", "MAL-2099-1"),
		"sibling": rec("GHSA-cccc-cccc-cccc", "CVE-2099-1"),
	} {
		if err := os.WriteFile(filepath.Join(dir, name+".json"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"MAL-2099-1": true, "GHSA-aaaa-aaaa-aaaa": true, "GHSA-bbbb-bbbb-bbbb": true, "GHSA-cccc-cccc-cccc": false}
	for i, e := range db.entries {
		if got := db.maliciousAt(int32(i)); got != want[e.ID] {
			t.Errorf("%s malicious %v, want %v", e.ID, got, want[e.ID])
		}
	}
}
