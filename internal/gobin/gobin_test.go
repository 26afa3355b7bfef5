package gobin_test

import (
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/chaingate/chaingate/internal/gobin"
	"github.com/chaingate/chaingate/internal/gobin/gobintest"
)

func TestReadBuiltProgram(t *testing.T) {
	for _, tc := range []struct {
		name, goos, goarch, ldflags, format string
		inlined                             bool
	}{
		// Stripped binaries too: their inline trees are found through
		// the runtime's moduledata.
		{"elf", "linux", "amd64", "", "elf", true},
		{"elf-stripped", "linux", "amd64", "-s -w", "elf", true},
		{"elf-386-stripped", "linux", "386", "-s -w", "elf", true},
		{"pe", "windows", "amd64", "", "pe", true},
		{"pe-stripped", "windows", "amd64", "-s -w", "pe", true},
		{"macho", "darwin", "arm64", "", "macho", true},
		{"macho-stripped", "darwin", "arm64", "-s -w", "macho", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exe := gobintest.Build(t, tc.goos, tc.goarch, tc.ldflags)
			b, err := gobin.ReadFile(exe, 1<<30)
			if err != nil {
				t.Fatal(err)
			}
			if b.Format != tc.format || b.Inlined != tc.inlined {
				t.Errorf("format %q inlined %v, want %q %v", b.Format, b.Inlined, tc.format, tc.inlined)
			}
			syms := b.Symbols[gobintest.PkgMain]
			for _, s := range []string{"Parse", "T.Method", "Map"} {
				if !slices.Contains(syms, s) {
					t.Errorf("%s missing from %s: %v", s, gobintest.PkgMain, syms)
				}
			}
			if slices.Contains(syms, "Unused") {
				t.Errorf("Unused is dead code but listed: %v", syms)
			}
			// Small exists only inlined into main.main.
			if got := slices.Contains(syms, "Small"); got != tc.inlined {
				t.Errorf("Small listed %v, want %v (only the inline tree has it): %v", got, tc.inlined, syms)
			}
			nc := b.Symbols[gobintest.PkgNotCalled]
			if !slices.Contains(nc, "Good") || slices.Contains(nc, "Bad") {
				t.Errorf("notcalled symbols %v, want Good and not Bad", nc)
			}
			if _, ok := b.Symbols[gobintest.PkgOther]; ok {
				t.Errorf("package other is not imported but listed")
			}
			if !slices.Contains(b.Symbols["fmt"], "Fprintln") || !slices.Contains(b.Symbols["fmt"], "pp.doPrintln") {
				t.Errorf("standard library missing: fmt %v", b.Symbols["fmt"])
			}
			if !slices.Contains(b.Symbols["example.com/app"], "main") {
				t.Errorf("main.main not recorded under the main package path: %v", b.Symbols["example.com/app"])
			}
			pm := b.PackagesByModule()
			if want := []string{gobintest.PkgMain, gobintest.PkgNotCalled}; !slices.Equal(pm[gobintest.Module], want) {
				t.Errorf("module packages %v, want %v", pm[gobintest.Module], want)
			}
			if !slices.Contains(pm["stdlib"], "fmt") {
				t.Errorf("stdlib packages %v", pm["stdlib"])
			}
		})
	}
}

func TestSplitName(t *testing.T) {
	for _, tc := range []struct{ in, pkg, sym string }{
		{"golang.org/x/text/language.Parse", "golang.org/x/text/language", "Parse"},
		{"golang.org/x/text/language.(*Tag).String", "golang.org/x/text/language", "Tag.String"},
		{"golang.org/x/text/language.Tag.String", "golang.org/x/text/language", "Tag.String"},
		{"example.com/m.Map[go.shape.int]", "example.com/m", "Map"},
		{"example.com/m.(*List[go.shape.struct { a/b.c int }]).Push", "example.com/m", "List.Push"},
		{"gopkg.in/yaml%2ev3.Unmarshal", "gopkg.in/yaml.v3", "Unmarshal"},
		{"net/http.(*Server).Serve.func1", "net/http", "Server.Serve.func1"},
		{"main.main", "main", "main"},
		{"fmt.Println", "fmt", "Println"},
	} {
		pkg, sym, ok := gobin.SplitName(tc.in)
		if !ok || pkg != tc.pkg || sym != tc.sym {
			t.Errorf("SplitName(%q) = %q, %q, %v; want %q, %q", tc.in, pkg, sym, ok, tc.pkg, tc.sym)
		}
	}
	for _, bad := range []string{"go:buildid", "type:.eq.example.com/m.T", "nodot", "x.", "%zz/p.F"} {
		if pkg, sym, ok := gobin.SplitName(bad); ok {
			t.Errorf("SplitName(%q) = %q, %q, ok; want not ok", bad, pkg, sym)
		}
	}
}

func TestReadErrors(t *testing.T) {
	exe := gobintest.Build(t, "linux", "amd64", "")
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	// A limit below the pclntab's size is refused.
	if _, err := gobin.ReadFile(exe, 1024); !errors.Is(err, gobin.ErrTooLarge) {
		t.Errorf("small limit: %v, want ErrTooLarge", err)
	}
	// Not an executable.
	p := t.TempDir() + "/text"
	if err := os.WriteFile(p, []byte("just some text, no Go binary"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := gobin.ReadFile(p, 1<<30); err == nil {
		t.Error("text file read as a binary")
	}
	// Truncated in the middle: an error, not a panic.
	if _, err := gobin.Read(bytesReaderAt(data[:len(data)/2]), 1<<30); err == nil {
		t.Error("half a binary read without error")
	}
}
