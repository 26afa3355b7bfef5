package risk

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/internal/gobin/gobintest"
	"github.com/chaingate/chaingate/sbom"
)

// goBinTestEntry is an OSV entry of the Go vulndb's shape about
// gobintest's library.
func goBinTestEntry(id, introduced string, imports ...map[string]any) map[string]any {
	aff := map[string]any{
		"package": map[string]any{"ecosystem": "Go", "name": gobintest.Module},
		"ranges": []any{map[string]any{"type": "SEMVER", "events": []any{
			map[string]any{"introduced": introduced}, map[string]any{"fixed": "1.2.0"}}}},
	}
	if len(imports) > 0 {
		imps := make([]any, len(imports))
		for i, m := range imports {
			imps[i] = m
		}
		aff["ecosystem_specific"] = map[string]any{"imports": imps}
	}
	return map[string]any{"schema_version": "1.3.1", "id": id, "modified": "2026-01-01T00:00:00Z",
		"summary": id, "affected": []any{aff}}
}

func goBinTestDB(t testing.TB) *DB {
	t.Helper()
	imp := func(path string, syms ...string) map[string]any {
		m := map[string]any{"path": path}
		if len(syms) > 0 {
			m["symbols"] = syms
		}
		return m
	}
	entries := []map[string]any{
		goBinTestEntry("GO-TEST-0001", "0", imp(gobintest.PkgMain, "Parse", "Unused")),
		goBinTestEntry("GO-TEST-0002", "0", imp(gobintest.PkgMain, "Small")),
		goBinTestEntry("GO-TEST-0003", "0", imp(gobintest.PkgMain, "Map")),
		goBinTestEntry("GO-TEST-0004", "0", imp(gobintest.PkgMain, "T.Method")),
		goBinTestEntry("GO-TEST-0005", "0", imp(gobintest.PkgNotCalled, "Bad")),
		goBinTestEntry("GO-TEST-0006", "0", imp(gobintest.PkgOther, "Other")),
		goBinTestEntry("GO-TEST-0007", "0", imp(gobintest.PkgNotCalled)),
		goBinTestEntry("GO-TEST-0008", "0", map[string]any{"path": gobintest.PkgMain, "symbols": []string{"Parse"}, "goos": []string{"windows"}}),
		goBinTestEntry("GO-TEST-0009", "1.1.0", imp(gobintest.PkgMain, "Parse")),
		goBinTestEntry("GO-TEST-0010", "0"),
		goBinTestEntry("GO-TEST-0011", "0", imp(gobintest.PkgMain, "Unused"), imp(gobintest.PkgNotCalled, "Good")),
	}
	dir := t.TempDir()
	for _, e := range entries {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e["id"].(string)+".json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db, err := LoadOSV(dir)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

type goBinWant struct {
	level   EvidenceLevel
	symbols []string
}

func TestScanGoBinary(t *testing.T) {
	db := goBinTestDB(t)
	lib := gobintest.PkgMain + "."
	full := map[string]goBinWant{
		"GO-TEST-0001": {EvidenceSymbol, []string{lib + "Parse"}},
		"GO-TEST-0002": {EvidenceSymbol, []string{lib + "Small"}}, // inlined only
		"GO-TEST-0003": {EvidenceSymbol, []string{lib + "Map"}},   // generic
		"GO-TEST-0004": {EvidenceSymbol, []string{lib + "T.Method"}},
		"GO-TEST-0005": {EvidenceSymbolAbsent, nil},
		"GO-TEST-0006": {EvidencePackageAbsent, nil},
		"GO-TEST-0007": {EvidencePackage, nil},
		"GO-TEST-0008": {EvidencePackageAbsent, nil}, // windows only
		"GO-TEST-0010": {EvidencePackage, nil},       // no packages listed: all of the module
		"GO-TEST-0011": {EvidenceSymbol, []string{gobintest.PkgNotCalled + ".Good"}},
	}
	// No inline trees (a stripped binary whose moduledata cannot be
	// found), so absence is not proven.
	noInline := map[string]goBinWant{
		"GO-TEST-0001": {EvidenceSymbol, []string{lib + "Parse"}},
		"GO-TEST-0002": {EvidencePackage, nil},
		"GO-TEST-0003": {EvidenceSymbol, []string{lib + "Map"}},
		"GO-TEST-0004": {EvidenceSymbol, []string{lib + "T.Method"}},
		"GO-TEST-0005": {EvidencePackage, nil},
		"GO-TEST-0006": {EvidenceModule, nil},
		"GO-TEST-0007": {EvidencePackage, nil},
		"GO-TEST-0008": {EvidencePackageAbsent, nil},
		"GO-TEST-0010": {EvidencePackage, nil},
		"GO-TEST-0011": {EvidenceSymbol, []string{gobintest.PkgNotCalled + ".Good"}},
	}
	for _, tc := range []struct {
		name, goos, goarch, ldflags string
		want                        map[string]goBinWant
	}{
		{"linux", "linux", "amd64", "", full},
		{"linux-stripped", "linux", "amd64", "-s -w", full},
		{"linux-stripped-no-moduledata", "linux", "amd64", "hide", noInline},
		{"windows-stripped", "windows", "amd64", "-s -w", nil},
		{"windows", "windows", "amd64", "", nil},
		{"darwin", "darwin", "arm64", "", full},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var exe string
			if tc.ldflags == "hide" {
				exe = gobintest.RenameELFSection(t, gobintest.Build(t, tc.goos, tc.goarch, "-s -w"), ".go.module", ".xo.module")
			} else {
				exe = gobintest.Build(t, tc.goos, tc.goarch, tc.ldflags)
			}
			rep, err := ScanGoBinary(context.Background(), exe, db)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if want == nil {
				// On Windows the windows-only entry is at symbol level.
				want = map[string]goBinWant{}
				for k, v := range full {
					want[k] = v
				}
				want["GO-TEST-0008"] = goBinWant{EvidenceSymbol, []string{lib + "Parse"}}
			}
			got := map[string]goBinWant{}
			for _, f := range rep.Findings {
				if f.Component.Name != gobintest.Module {
					continue
				}
				if _, dup := got[f.ID]; dup {
					t.Errorf("%s reported twice", f.ID)
				}
				got[f.ID] = goBinWant{f.Evidence.Level, f.Evidence.Symbols}
			}
			for id, w := range want {
				g, ok := got[id]
				if !ok {
					t.Errorf("%s: no finding", id)
					continue
				}
				if g.level != w.level || !slices.Equal(g.symbols, w.symbols) {
					t.Errorf("%s: %s %v, want %s %v", id, g.level, g.symbols, w.level, w.symbols)
				}
			}
			if _, ok := got["GO-TEST-0009"]; ok {
				t.Error("GO-TEST-0009 affects only v1.1.0+ but matched v1.0.0")
			}
			if len(got) != len(want) {
				t.Errorf("%d findings, want %d: %v", len(got), len(want), got)
			}
			// Absent code ranks below all code that may be in the build.
			lowestPresent, highestAbsent := 101.0, -1.0
			for _, f := range rep.Findings {
				switch f.Evidence.Level {
				case EvidencePackageAbsent, EvidenceSymbolAbsent:
					highestAbsent = max(highestAbsent, f.Priority.Score)
				default:
					lowestPresent = min(lowestPresent, f.Priority.Score)
				}
			}
			if highestAbsent >= lowestPresent {
				t.Errorf("an absent finding scores %.2f, a present one %.2f", highestAbsent, lowestPresent)
			}
		})
	}
}

// TestScanGoBinaryStoredSBOM: the SBOM sbom.FromGoBinaryFile makes of
// the same binary, scanned later with Scan, gives the same package-level
// evidence (package or package-absent) as ScanGoBinary.
func TestScanGoBinaryStoredSBOM(t *testing.T) {
	db := goBinTestDB(t)
	exe := gobintest.Build(t, "linux", "amd64", "")
	doc, err := sbom.FromGoBinaryFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := Scan(context.Background(), doc, db)
	if err != nil {
		t.Fatal(err)
	}
	live, err := ScanGoBinary(context.Background(), exe, db)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]EvidenceLevel{}
	for _, f := range stored.Findings {
		byID[f.ID+" "+f.Component.Name] = f.Evidence.Level
	}
	if len(stored.Findings) != len(live.Findings) {
		t.Fatalf("stored SBOM: %d findings, binary: %d", len(stored.Findings), len(live.Findings))
	}
	for _, f := range live.Findings {
		s := byID[f.ID+" "+f.Component.Name]
		var want EvidenceLevel
		switch f.Evidence.Level {
		case EvidenceSymbol, EvidenceSymbolAbsent, EvidencePackage:
			want = EvidencePackage
			if len(f.AffectedPackages) == 0 {
				// An entry without packages: Scan of an SBOM keeps it at
				// module level; only ScanGoBinary sees the module's code.
				want = EvidenceModule
			}
		default:
			want = f.Evidence.Level
		}
		if s != want {
			t.Errorf("%s: stored SBOM gives %s, binary %s (want %s)", f.ID, s, f.Evidence.Level, want)
		}
	}
}

func TestScanGoBinaryErrors(t *testing.T) {
	db := goBinTestDB(t)
	ctx := context.Background()
	if _, err := ScanGoBinary(ctx, filepath.Join(t.TempDir(), "missing"), db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	p := filepath.Join(t.TempDir(), "script.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\necho not a Go binary\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := ScanGoBinary(ctx, p, db); err == nil {
		t.Error("a shell script scanned as a Go binary")
	}
	if _, err := ScanGoBinary(ctx, p, nil); err == nil {
		t.Error("nil database accepted")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	exe := gobintest.Build(t, "linux", "amd64", "")
	if _, err := ScanGoBinary(cancelled, exe, db); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

// TestScanGoBinaryMarkdown: the Markdown report names the vulnerable
// functions found in the binary.
func TestScanGoBinaryMarkdown(t *testing.T) {
	db, err := LoadOSV("testdata/gobinary/osv")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ScanGoBinary(context.Background(), "testdata/gobinary/vulnapp-linux-amd64", db)
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	if err := rep.WriteMarkdown(&buf, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"symbol-level (example.com/vulnlib.Parse)", "symbol-absent-level", "package-absent-level"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, buf.String())
		}
	}
}

// TestScanGoBinaryRealStdlib builds a real program that uses net/http's
// client (standard library only: offline) and scans it with the real Go
// vulndb entries of testdata/osv/go: GO-2026-6605 (net/http client,
// fixed in go1.26.9) must be at symbol level with http.Client.Get among
// its symbols; GO-2026-6599 (html/template, not linked) package-absent;
// GO-2026-6604 (Windows only) package-absent on linux.
func TestScanGoBinaryRealStdlib(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	dir := t.TempDir()
	for name, body := range map[string]string{
		"go.mod":  "module example.com/fetch\n\ngo 1.22\n",
		"main.go": "package main\n\nimport (\n\t\"fmt\"\n\t\"net/http\"\n\t\"os\"\n)\n\nfunc main() {\n\tresp, err := http.Get(os.Args[1])\n\tif err != nil {\n\t\tfmt.Println(err)\n\t\treturn\n\t}\n\tfmt.Println(resp.Status)\n}\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	exe := filepath.Join(dir, "fetch")
	cmd := exec.Command("go", "build", "-trimpath", "-o", exe, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0", "GOFLAGS=", "GOWORK=off", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	db, err := LoadOSV("testdata/osv/go")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ScanGoBinary(context.Background(), exe, db)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*Finding{}
	for i := range rep.Findings {
		byID[rep.Findings[i].ID] = &rep.Findings[i]
	}
	f := byID["GO-2026-6605"]
	if f == nil {
		t.Skipf("the toolchain (%s) is not in GO-2026-6605's range: nothing to check", runtime.Version())
	}
	if f.Evidence.Level != EvidenceSymbol || !slices.Contains(f.Evidence.Symbols, "net/http.Client.Get") {
		t.Errorf("GO-2026-6605: %s %v, want symbol with net/http.Client.Get", f.Evidence.Level, f.Evidence.Symbols)
	}
	for _, id := range []string{"GO-2026-6599", "GO-2026-6604"} {
		if g := byID[id]; g == nil || g.Evidence.Level != EvidencePackageAbsent {
			t.Errorf("%s: %+v, want package-absent", id, g)
		} else if g.Priority.Score >= f.Priority.Score {
			t.Errorf("%s (absent) scores %.2f, not below GO-2026-6605 (%.2f)", id, g.Priority.Score, f.Priority.Score)
		}
	}
}
