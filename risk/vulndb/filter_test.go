package vulndb

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestWithEcosystemsKeepsDetailsAligned: when WithEcosystems drops some
// affected[] elements of a record, the details of the elements kept
// (purl, Go imports, severity) stay those of the same elements, whether
// the database is read from OSV JSON or from a compact index.
func TestWithEcosystemsKeepsDetailsAligned(t *testing.T) {
	dir := t.TempDir()
	rec := `{"id":"TEST-MIXED-1","affected":[
 {"package":{"ecosystem":"npm","name":"a","purl":"pkg:npm/a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}],
  "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]},
 {"package":{"ecosystem":"Go","name":"example.com/b","purl":"pkg:golang/example.com/b"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}],
  "ecosystem_specific":{"imports":[{"path":"example.com/b/inner"}]}}]}`
	if err := os.WriteFile(filepath.Join(dir, "TEST-MIXED-1.json"), []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	full, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var idx bytes.Buffer
	if err := full.WriteIndex(&idx); err != nil {
		t.Fatal(err)
	}
	fromJSON, err := Load(dir, WithEcosystems("Go"))
	if err != nil {
		t.Fatal(err)
	}
	fromIndex, err := ReadIndex(bytes.NewReader(idx.Bytes()), WithEcosystems("Go"))
	if err != nil {
		t.Fatal(err)
	}
	for name, db := range map[string]*DB{"json": fromJSON, "index": fromIndex} {
		m := db.Match(Identity{"Go", "example.com/b", "v1.0.0"}, nil)
		if len(m.Verdicts) != 1 || !m.Verdicts[0].Affected {
			t.Fatalf("%s: %+v", name, m)
		}
		v := m.Verdicts[0]
		r := db.Record(v.Record)
		if len(r.Affected) != 1 || r.Affected[v.Element].PURL != "pkg:golang/example.com/b" || r.Affected[v.Element].Severity != nil {
			t.Errorf("%s: details of the kept element: %+v", name, r.Affected)
		}
		if len(v.Imports) != 1 || v.Imports[0].Path != "example.com/b/inner" {
			t.Errorf("%s: imports %+v", name, v.Imports)
		}
	}
}
