package vulndb

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func testIDs(db *DB) []string {
	ids := make([]string, 0, len(db.entries))
	for i := range db.entries {
		ids = append(ids, db.entries[i].ID)
	}
	return ids
}

// testZip writes the JSON files of dir into a zip, as OSV's all.zip.
func testZip(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "all.zip")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(filepath.Base(p))
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return out
}

// testGoVulnDBLayout lays dir's entries out as the Go vulnerability
// database serves them: index/db.json, index/modules.json, ID/<id>.json.
func testGoVulnDBLayout(t *testing.T, dir string, dropFromIndex string) string {
	t.Helper()
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "index"), 0o755)
	os.MkdirAll(filepath.Join(root, "ID"), 0o755)
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	type vuln struct {
		ID string `json:"id"`
	}
	mods := map[string][]vuln{}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var e struct {
			ID       string `json:"id"`
			Affected []struct {
				Package struct{ Name string } `json:"package"`
			} `json:"affected"`
		}
		if err := json.Unmarshal(data, &e); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(root, "ID", e.ID+".json"), data, 0o644)
		if e.ID == dropFromIndex {
			continue
		}
		for _, a := range e.Affected {
			mods[a.Package.Name] = append(mods[a.Package.Name], vuln{e.ID})
		}
	}
	var list []map[string]any
	for p, v := range mods {
		list = append(list, map[string]any{"path": p, "vulns": v})
	}
	raw, _ := json.Marshal(list)
	os.WriteFile(filepath.Join(root, "index", "modules.json"), raw, 0o644)
	os.WriteFile(filepath.Join(root, "index", "db.json"), []byte(`{"modified":"2026-11-05T23:49:57Z"}`), 0o644)
	return root
}

func TestLoadOSVSources(t *testing.T) {
	dir := filepath.Join("..", "testdata", "osv", "go")
	fromDir, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := testIDs(fromDir)
	if len(want) < 400 {
		t.Fatalf("only %d entries loaded from %s", len(want), dir)
	}
	if fromDir.Info().Source != "dir" || fromDir.Info().Withdrawn != 18 {
		t.Errorf("dir info %+v", fromDir.Info())
	}

	fromZip, err := Load(testZip(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	// One entry left out of modules.json must still be read from ID/.
	layout := testGoVulnDBLayout(t, dir, "GO-2024-2687")
	fromLayout, err := Load(layout)
	if err != nil {
		t.Fatal(err)
	}
	if fromLayout.Info().Source != "go-vulndb" || fromLayout.Info().Modified.Year() != 2026 {
		t.Errorf("layout info %+v", fromLayout.Info())
	}
	var buf bytes.Buffer
	if err := fromDir.WriteIndex(&buf); err != nil {
		t.Fatal(err)
	}
	idxPath := filepath.Join(t.TempDir(), "go.idx")
	os.WriteFile(idxPath, buf.Bytes(), 0o644)
	fromIndex, err := Load(idxPath)
	if err != nil {
		t.Fatal(err)
	}
	single, err := Load(filepath.Join(dir, "GO-2024-2687.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got := testIDs(single); !slices.Equal(got, []string{"GO-2024-2687"}) {
		t.Errorf("single file: %v", got)
	}
	for name, db := range map[string]*DB{"zip": fromZip, "go-vulndb": fromLayout, "index": fromIndex} {
		if got := testIDs(db); !slices.Equal(got, want) {
			t.Errorf("%s: %d entries, want %d", name, len(got), len(want))
		}
		if db.Info().Withdrawn != fromDir.Info().Withdrawn || !slices.Equal(db.Info().Ecosystems, fromDir.Info().Ecosystems) {
			t.Errorf("%s info %+v", name, db.Info())
		}
	}
	// The index keeps everything a finding needs.
	a, b := fromDir.entries, fromIndex.entries
	for i := range a {
		xa, xb := fromDir.details(int32(i)), fromIndex.details(int32(i))
		if a[i].ID != b[i].ID || xa.Summary != xb.Summary || xa.Details != xb.Details || len(a[i].Affected) != len(b[i].Affected) || !a[i].Withdrawn.Equal(b[i].Withdrawn) || len(xa.References) != len(xb.References) || len(xa.Affected) != len(xb.Affected) {
			t.Fatalf("index lost data of %s", a[i].ID)
		}
	}
	goOnly, err := Load(filepath.Join("..", "testdata", "osv"), WithEcosystems("npm", "Debian"))
	if err != nil {
		t.Fatal(err)
	}
	if got := goOnly.Info().Ecosystems; !slices.Equal(got, []string{"Debian:12", "npm"}) {
		t.Errorf("WithEcosystems kept %v", got)
	}
}

func TestLoadOSVErrors(t *testing.T) {
	dir := t.TempDir()
	good, _ := os.ReadFile(filepath.Join("..", "testdata", "osv", "go", "GO-2024-2687.json"))
	os.WriteFile(filepath.Join(dir, "GO-2024-2687.json"), good, 0o644)
	os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"id": "X-1", "affected": [{"package": {"name": "a", "ecosystem": "Go"}, "ranges": [{"type": "SEMVER", "events": [{}]}]}]}`), 0o644)
	_, err := Load(dir)
	if !errors.Is(err, ErrInvalidOSV) || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("bad entry: %v (want ErrInvalidOSV naming bad.json)", err)
	}
	os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"id": 1}`), 0o644)
	if _, err := Load(dir); !errors.Is(err, ErrInvalidOSV) {
		t.Errorf("wrong type: %v", err)
	}
	os.Remove(filepath.Join(dir, "bad.json"))
	if _, err := Load(dir, WithMaxEntryBytes(100)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("entry over limit: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing path accepted")
	}
	if _, err := Load(dir, WithMaxEntryBytes(-1)); err == nil {
		t.Error("negative limit accepted")
	}
	corrupt := filepath.Join(t.TempDir(), "x.idx")
	os.WriteFile(corrupt, []byte(indexMagic+"garbage"), 0o644)
	if _, err := Load(corrupt); !errors.Is(err, ErrInvalidIndex) {
		t.Errorf("corrupt index: %v", err)
	}
	if _, err := ReadIndex(strings.NewReader("not an index")); !errors.Is(err, ErrInvalidIndex) {
		t.Errorf("bad magic: %v", err)
	}
	if _, err := ParseOSV([]byte(`{"summary": "no id"}`)); !errors.Is(err, ErrInvalidOSV) {
		t.Errorf("entry without id: %v", err)
	}
}
