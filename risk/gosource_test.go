package risk

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/internal/gobin/gobintest"
)

// TestScanGoSource scans a real module built in the test
// (internal/gobin/gobintest's program: main calls vulnlib.Parse,
// T.Method, Small, the generic Map and notcalled.Good; not Unused,
// notcalled.Bad nor package other) against one advisory per evidence
// level, from a module cache filled from a file proxy.
func TestScanGoSource(t *testing.T) {
	dir, modcache := gobintest.Source(t, true)
	t.Setenv("GOMODCACHE", modcache)
	t.Setenv("GOOS", "linux")
	t.Setenv("GOARCH", "amd64")
	db, err := LoadOSV(filepath.Join("testdata", "gobinary", "osv"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ScanGoSource(context.Background(), dir, db)
	if err != nil {
		t.Fatal(err)
	}
	lib := gobintest.PkgMain + "."
	wants := map[string]goSourceWant{
		"CHAINGATE-GOBIN-0001": {EvidenceSymbol, []string{lib + "Parse"}, []string{"example.com/app.main", lib + "Parse"}}, // Unused is not reachable
		"CHAINGATE-GOBIN-0002": {EvidenceSymbol, []string{lib + "Small"}, []string{"example.com/app.main", lib + "Small"}},
		"CHAINGATE-GOBIN-0003": {EvidenceSymbolAbsent, nil, nil}, // notcalled.Bad
		"CHAINGATE-GOBIN-0004": {EvidencePackageAbsent, nil, nil},
		// notcalled, all of it: Good is reachable
		"CHAINGATE-GOBIN-0005": {EvidenceSymbol, []string{gobintest.PkgNotCalled + ".Good"}, []string{"example.com/app.main", gobintest.PkgNotCalled + ".Good"}},
	}
	goSourceCheck(t, rep, wants)

	// The binary scan's advisories: generic, method, whole package,
	// whole module, other platforms.
	rep, err = ScanGoSource(context.Background(), dir, goBinTestDB(t))
	if err != nil {
		t.Fatal(err)
	}
	main := "example.com/app.main"
	goSourceCheck(t, rep, map[string]goSourceWant{
		"GO-TEST-0001": {EvidenceSymbol, []string{lib + "Parse"}, []string{main, lib + "Parse"}},
		"GO-TEST-0002": {EvidenceSymbol, []string{lib + "Small"}, []string{main, lib + "Small"}},
		"GO-TEST-0003": {EvidenceSymbol, []string{lib + "Map"}, []string{main, lib + "Map"}},
		"GO-TEST-0004": {EvidenceSymbol, []string{lib + "T.Method"}, []string{main, lib + "T.Method"}},
		"GO-TEST-0005": {EvidenceSymbolAbsent, nil, nil},
		"GO-TEST-0006": {EvidencePackageAbsent, nil, nil},
		"GO-TEST-0007": {EvidenceSymbol, []string{gobintest.PkgNotCalled + ".Good"}, []string{main, gobintest.PkgNotCalled + ".Good"}},
		"GO-TEST-0008": {EvidencePackageAbsent, nil, nil}, // windows only
		// No packages listed: all of the module; the first function of
		// each package reached.
		"GO-TEST-0010": {EvidenceSymbol, []string{lib + "Parse", gobintest.PkgNotCalled + ".Good"}, []string{main, lib + "Parse"}},
		"GO-TEST-0011": {EvidenceSymbol, []string{gobintest.PkgNotCalled + ".Good"}, []string{main, gobintest.PkgNotCalled + ".Good"}},
	})

	// The same module importing vulnlib/notcalled for nothing but its
	// side effects: the package is in the build, none of its functions
	// is reachable.
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nimport _ \"example.com/vulnlib/notcalled\"\n\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err = ScanGoSource(context.Background(), dir, goBinTestDB(t))
	if err != nil {
		t.Fatal(err)
	}
	blank := map[string]goSourceWant{
		"GO-TEST-0005": {EvidenceSymbolAbsent, nil, nil}, // notcalled.Bad
		"GO-TEST-0007": {EvidencePackage, nil, nil},      // notcalled, all of it, imported
		"GO-TEST-0010": {EvidencePackage, nil, nil},      // all of the module; notcalled imported
		"GO-TEST-0011": {EvidenceSymbolAbsent, nil, nil}, // notcalled.Good not reachable
	}
	for _, id := range []string{"0001", "0002", "0003", "0004", "0006", "0008"} {
		blank["GO-TEST-"+id] = goSourceWant{EvidencePackageAbsent, nil, nil}
	}
	goSourceCheck(t, rep, blank)

	// The same module requiring vulnlib but importing none of it.
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err = ScanGoSource(context.Background(), dir, goBinTestDB(t))
	if err != nil {
		t.Fatal(err)
	}
	none := map[string]goSourceWant{}
	for _, id := range []string{"0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0010", "0011"} {
		none["GO-TEST-"+id] = goSourceWant{EvidencePackageAbsent, nil, nil}
	}
	goSourceCheck(t, rep, none)
}

type goSourceWant struct {
	level   EvidenceLevel
	symbols []string
	path    []string
}

func goSourceCheck(t *testing.T, rep *Report, wants map[string]goSourceWant) {
	t.Helper()
	if len(rep.Findings) != len(wants) {
		t.Errorf("%d findings, want %d", len(rep.Findings), len(wants))
	}
	for _, f := range rep.Findings {
		w, ok := wants[f.ID]
		if !ok {
			t.Errorf("unexpected finding %s", f.ID)
			continue
		}
		ev := f.Evidence
		if ev.Level != w.level || !slices.Equal(ev.Symbols, w.symbols) || !slices.Equal(ev.CallPath, w.path) {
			t.Errorf("%s: level %s symbols %v path %v (%s), want %s %v %v", f.ID, ev.Level, ev.Symbols, ev.CallPath, ev.Reason, w.level, w.symbols, w.path)
		}
	}
}

// TestScanGoSourceMissingDependencies: with only the go.mod files of the
// dependencies in the module cache, the scan fails and says so.
func TestScanGoSourceMissingDependencies(t *testing.T) {
	dir, modcache := gobintest.Source(t, false)
	t.Setenv("GOMODCACHE", modcache)
	db, err := LoadOSV(filepath.Join("testdata", "gobinary", "osv"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ScanGoSource(context.Background(), dir, db)
	if !errors.Is(err, ErrGoSourceIncomplete) {
		t.Fatalf("err = %v, want ErrGoSourceIncomplete", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "module lookup disabled") || !strings.Contains(msg, "go mod download") {
		t.Errorf("the error does not say what is missing: %v", err)
	}
}

// TestScanGoSourceMarkdown: the Markdown report shows the call path.
func TestScanGoSourceMarkdown(t *testing.T) {
	dir, modcache := gobintest.Source(t, true)
	t.Setenv("GOMODCACHE", modcache)
	db, err := LoadOSV(filepath.Join("testdata", "gobinary", "osv"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ScanGoSource(context.Background(), dir, db)
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	if err := rep.WriteMarkdown(&buf, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if want := "symbol-level (example.com/vulnlib.Parse), called example.com/app.main → example.com/vulnlib.Parse"; !strings.Contains(buf.String(), want) {
		t.Errorf("Markdown lacks %q:\n%s", want, buf.String())
	}
}

// TestScanGoSourceLoadErrors: code that does not type-check fails the scan
// (ErrGoSourceIncomplete, naming the error) when the call graph is needed,
// and is not loaded at all when no finding needs it.
func TestScanGoSourceLoadErrors(t *testing.T) {
	dir, modcache := gobintest.Source(t, true)
	t.Setenv("GOMODCACHE", modcache)
	db := goBinTestDB(t)
	bad := "package main\n\nimport \"example.com/vulnlib\"\n\nvar broken int = \"not an int\"\n\nfunc main() { vulnlib.Parse(\"x\") }\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ScanGoSource(context.Background(), dir, db)
	if !errors.Is(err, ErrGoSourceIncomplete) || !strings.Contains(err.Error(), "main.go") {
		t.Fatalf("err = %v, want ErrGoSourceIncomplete naming main.go", err)
	}
	// Nothing affected imported: no call graph, no type check.
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nvar broken int = \"not an int\"\n\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := ScanGoSource(context.Background(), dir, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		if f.Evidence.Level != EvidencePackageAbsent {
			t.Errorf("%s: %s, want package-absent", f.ID, f.Evidence.Level)
		}
	}
}

// goSourceCallbackMain calls the library only back from the standard
// library, whose function bodies ScanGoSource does not analyse: Parse in
// a closure sort.Slice calls, notcalled.Good in a String method fmt
// calls; T.Method only through a method of a type never converted to an
// interface and in a table never called.
const goSourceCallbackMain = `package main

import (
	"fmt"
	"sort"

	"example.com/vulnlib"
	"example.com/vulnlib/notcalled"
)

type s struct{}

func (s) String() string { return notcalled.Good() }

type u struct{ t *vulnlib.T }

// A table of a function type the standard library cannot name: never
// handed to it, never called.
var table = []func(*vulnlib.T) string{(*vulnlib.T).Method}

func (x u) NeverCalled() string { return x.t.Method() }

func main() {
	x := []int{3, 1, 2}
	sort.Slice(x, func(i, j int) bool { return vulnlib.Parse("a b") < x[j] })
	fmt.Println(s{}, x)
}
`

// TestScanGoSourceCallbacks: vulnerable code reached only through
// callbacks of packages whose bodies are skipped (sort.Slice calling a
// closure, fmt calling String) is found at symbol level, the call path
// going from the function that made the callback to it; code behind a
// method of a type never converted to an interface, or behind a function
// value whose type names an analysed package's type (the standard
// library cannot call it), stays absent.
func TestScanGoSourceCallbacks(t *testing.T) {
	dir, modcache := gobintest.Source(t, true)
	t.Setenv("GOMODCACHE", modcache)
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(goSourceCallbackMain), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := ScanGoSource(context.Background(), dir, goBinTestDB(t))
	if err != nil {
		t.Fatal(err)
	}
	lib, nc, main := gobintest.PkgMain+".", gobintest.PkgNotCalled+".", "example.com/app.main"
	goSourceCheck(t, rep, map[string]goSourceWant{
		"GO-TEST-0001": {EvidenceSymbol, []string{lib + "Parse"}, []string{main, main + "$1", lib + "Parse"}},
		"GO-TEST-0002": {EvidenceSymbolAbsent, nil, nil},
		"GO-TEST-0003": {EvidenceSymbolAbsent, nil, nil},
		"GO-TEST-0004": {EvidenceSymbolAbsent, nil, nil}, // u.NeverCalled, table
		"GO-TEST-0005": {EvidenceSymbolAbsent, nil, nil},
		"GO-TEST-0006": {EvidencePackageAbsent, nil, nil},
		"GO-TEST-0007": {EvidenceSymbol, []string{nc + "Good"}, []string{main, "example.com/app.s.String", nc + "Good"}},
		"GO-TEST-0008": {EvidencePackageAbsent, nil, nil},
		"GO-TEST-0010": {EvidenceSymbol, []string{lib + "Parse", nc + "Good"}, []string{main, main + "$1", lib + "Parse"}},
		"GO-TEST-0011": {EvidenceSymbol, []string{nc + "Good"}, []string{main, "example.com/app.s.String", nc + "Good"}},
	})
}
