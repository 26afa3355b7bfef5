package sbom

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
)

// requiredModules lists the requirements of a go.mod, independently of the
// generator's own reading.
func requiredModules(t *testing.T, path string) []*modfile.Require {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.Parse(path, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f.Require
}

func componentNamed(doc *Document, name string) *Component {
	for i := range doc.Components {
		if doc.Components[i].Name == name {
			return &doc.Components[i]
		}
	}
	return nil
}

func dependsOnIDs(doc *Document, id string) []string {
	for _, d := range doc.Dependencies {
		if d.Ref == id {
			return d.DependsOn
		}
	}
	return nil
}

func TestFromGoModuleFiles(t *testing.T) {
	tests := []struct {
		dir          string
		root         string
		pre117       bool
		checkName    string // a module whose identity and hash are checked
		checkVersion string
		checkHash    string // hex SHA-256 of its h1: hash, "" when none
		checkDirect  string
		localRepl    int // modules replaced by a local directory
	}{
		{dir: "cyclonedx-go", root: "github.com/CycloneDX/cyclonedx-go",
			checkName: "github.com/xeipuuv/gojsonpointer", checkVersion: "v0.0.0-20180127040702-4e3ac2762d5f", checkDirect: "false"},
		{dir: "cobra", root: "github.com/spf13/cobra", pre117: true,
			checkName: "github.com/spf13/pflag", checkVersion: "v1.0.9", checkDirect: "true",
			checkHash: "f5ec5a41a30e0b07df2a28a2624ebf06775406ffa245588d5bee2510c8b43ef6"},
		{dir: "swag", root: "github.com/go-openapi/swag", localRepl: 11,
			checkName: "github.com/go-openapi/swag/conv", checkVersion: "", checkDirect: "true"},
		{dir: "sigstore-go", root: "github.com/sigstore/sigstore-go",
			checkName: "github.com/theupdateframework/go-tuf/v2", checkVersion: "v2.4.2", checkDirect: "true"},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			dir := filepath.Join("testdata", "gen", "gomod", tc.dir)
			doc, err := FromGoModule(context.Background(), dir, WithoutGoCommand())
			if err != nil {
				t.Fatal(err)
			}
			reqs := requiredModules(t, filepath.Join(dir, "go.mod"))
			if len(doc.Components) != len(reqs)+1 {
				t.Errorf("%d components, want %d requirements + root", len(doc.Components), len(reqs))
			}
			root := doc.Component(doc.Root)
			if root == nil || root.Name != tc.root || root.PURL != "pkg:golang/"+tc.root {
				t.Fatalf("root = %+v", root)
			}
			if got := dependsOnIDs(doc, doc.Root); len(got) != len(reqs) {
				t.Errorf("root depends on %d, want %d", len(got), len(reqs))
			}
			for _, r := range reqs {
				if c := componentNamed(doc, r.Mod.Path); c == nil {
					t.Errorf("requirement %s missing", r.Mod.Path)
				}
			}
			c := componentNamed(doc, tc.checkName)
			if c == nil {
				t.Fatalf("%s missing", tc.checkName)
			}
			if c.Version != tc.checkVersion || c.PURL != GoPURL(tc.checkName, tc.checkVersion) {
				t.Errorf("%s: version %q purl %q, want %q", tc.checkName, c.Version, c.PURL, tc.checkVersion)
			}
			if d, _ := c.Property(PropGoDirect); d != tc.checkDirect {
				t.Errorf("%s: direct %q, want %q", tc.checkName, d, tc.checkDirect)
			}
			if tc.checkHash != "" && (len(c.Hashes) != 1 || c.Hashes[0].Value != tc.checkHash || c.Hashes[0].Algorithm != "SHA-256") {
				t.Errorf("%s: hashes %v, want %s", tc.checkName, c.Hashes, tc.checkHash)
			}
			local := 0
			for _, c := range doc.Components {
				if _, ok := c.Property(PropGoReplacedByDir); ok {
					local++
				}
			}
			if local != tc.localRepl {
				t.Errorf("%d local replacements, want %d", local, tc.localRepl)
			}
			lim := strings.Join(doc.Limitations, "\n")
			if !strings.Contains(lim, "without the go command") {
				t.Errorf("limitations do not state the fallback: %q", lim)
			}
			if got := strings.Contains(lim, "before 1.17"); got != tc.pre117 {
				t.Errorf("pre-1.17 limitation = %v, want %v", got, tc.pre117)
			}
			if src, _ := root.Property(PropGoModuleSource); src != "go.mod" {
				t.Errorf("module source %q", src)
			}
		})
	}
}

func TestFromGoModuleCommand(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	dir := t.TempDir()
	// example.com/lib requires example.com/dep; both are local
	// replacements, so the go command needs no network and no module
	// cache. The main go.mod is untidy (it lacks example.com/dep): the go
	// command must fix that only in its temporary copy.
	mainMod := "module example.com/app\n\ngo 1.22\n\nrequire example.com/lib v1.0.0\n\n" +
		"replace example.com/lib => ./lib\n\nreplace example.com/dep v1.0.0 => ./dep\n"
	writeFiles(t, dir, map[string]string{
		"go.mod":     mainMod,
		"main.go":    "package main\n\nimport _ \"example.com/lib\"\n\nfunc main() {}\n",
		"lib/go.mod": "module example.com/lib\n\ngo 1.22\n\nrequire example.com/dep v1.0.0\n",
		"lib/lib.go": "package lib\n\nimport _ \"example.com/dep\"\n",
		"dep/go.mod": "module example.com/dep\n\ngo 1.22\n",
		"dep/dep.go": "package dep\n",
	})
	doc, err := FromGoModule(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Limitations) != 0 {
		t.Fatalf("the go command was not used: %v", doc.Limitations)
	}
	if src, _ := doc.Component(doc.Root).Property(PropGoModuleSource); src != "go-command" {
		t.Errorf("module source %q", src)
	}
	lib, dep := doc.Component("pkg:golang/example.com/lib"), doc.Component("pkg:golang/example.com/dep")
	if lib == nil || dep == nil {
		t.Fatalf("components = %+v", doc.Components)
	}
	if got := dependsOnIDs(doc, lib.ID); !slices.Equal(got, []string{dep.ID}) {
		t.Errorf("lib depends on %v, want [%s] (from go mod graph)", got, dep.ID)
	}
	if got := dependsOnIDs(doc, doc.Root); !slices.Contains(got, lib.ID) {
		t.Errorf("root depends on %v, want lib among them", got)
	}
	if d, _ := dep.Property(PropGoDirect); d != "false" {
		t.Errorf("dep direct = %q", d)
	}
	if r, _ := dep.Property(PropGoReplacedByDir); r != "./dep" {
		t.Errorf("dep replaced by %q", r)
	}
	after, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != mainMod {
		t.Errorf("go.mod was modified:\n%s", after)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.sum")); err == nil {
		t.Error("go.sum was created in the module directory")
	}

	// The same module without a working go command falls back to go.mod.
	fb, err := FromGoModule(context.Background(), dir, WithGoCommand(filepath.Join(t.TempDir(), "no-such-go")))
	if err != nil {
		t.Fatal(err)
	}
	if len(fb.Limitations) == 0 || !strings.Contains(fb.Limitations[0], "no-such-go") {
		t.Errorf("fallback limitations %q do not name the failed command", fb.Limitations)
	}
	if fb.Component("pkg:golang/example.com/lib") == nil || len(fb.Components) != 2 {
		t.Errorf("fallback components = %+v", fb.Components)
	}
}

// TestFromGoModuleThisRepo generates the SBOM of chaingate's own module.
// With the module cache complete the go command gives the full build
// list, checked here against `go list -m all`; without it the fallback
// must still name every requirement of go.mod.
func TestFromGoModuleThisRepo(t *testing.T) {
	repo := ".."
	reqs := requiredModules(t, filepath.Join(repo, "go.mod"))
	files, err := FromGoModule(context.Background(), repo, WithoutGoCommand())
	if err != nil {
		t.Fatal(err)
	}
	if len(files.Components) != len(reqs)+1 {
		t.Errorf("go.mod fallback: %d components, want %d", len(files.Components), len(reqs)+1)
	}
	for _, want := range []string{
		"pkg:golang/github.com/CycloneDX/cyclonedx-go@v0.12.0",
		"pkg:golang/github.com/sigstore/sigstore-go@v1.3.0",
		"pkg:golang/github.com/docker/cli@v29.7.2%2Bincompatible",
	} {
		if files.Component(want) == nil {
			t.Errorf("%s missing", want)
		}
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	doc, err := FromGoModule(context.Background(), repo)
	if err != nil {
		t.Fatal(err)
	}
	if src, _ := doc.Component(doc.Root).Property(PropGoModuleSource); src != "go-command" {
		t.Logf("the go command could not load the module graph offline; fell back: %v", doc.Limitations)
		if len(doc.Components) != len(files.Components) {
			t.Errorf("fallback gave %d components, WithoutGoCommand %d", len(doc.Components), len(files.Components))
		}
		return
	}
	cmd := exec.Command("go", "list", "-m", "-e", "-f", "{{.Path}} {{.Version}}", "all")
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly", "GOWORK=off")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -m all: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(doc.Components) != len(lines) {
		t.Errorf("%d components, go list -m all lists %d modules", len(doc.Components), len(lines))
	}
	for _, l := range lines[1:] {
		path, version, _ := strings.Cut(l, " ")
		c := doc.Component(GoPURL(path, version))
		if c == nil {
			t.Errorf("%s@%s missing", path, version)
		}
	}
	rootDeps := dependsOnIDs(doc, doc.Root)
	for _, r := range reqs {
		if !slices.Contains(rootDeps, GoPURL(r.Mod.Path, r.Mod.Version)) {
			t.Errorf("root does not depend on %s@%s", r.Mod.Path, r.Mod.Version)
		}
	}
	if len(doc.Dependencies) < 10 {
		t.Errorf("only %d dependency entries: the module graph was not read", len(doc.Dependencies))
	}
}

func TestFromGoModuleErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := FromGoModule(ctx, t.TempDir(), WithoutGoCommand()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing go.mod: %v", err)
	}
	tests := []struct {
		name, mod, sum string
		format         Format
		line           int
	}{
		{"bad go.mod", "module example.com/a\n\ngo 1.22\n\nrequire (\n\texample.com/b v1.0.0\n\texample.com/c nonsense\n)\n", "", formatGoMod, 7},
		{"no module", "go 1.22\n", "", formatGoMod, 0},
		{"bad go.sum", "module example.com/a\n", "example.com/b v1.0.0 h1:x=\nexample.com/c v1.0.0\n", formatGoSum, 2},
		{"bad go.sum version", "module example.com/a\n", "example.com/b 1.0 h1:x=\n", formatGoSum, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{"go.mod": tc.mod}
			if tc.sum != "" {
				files["go.sum"] = tc.sum
			}
			writeFiles(t, dir, files)
			_, err := FromGoModule(ctx, dir, WithoutGoCommand())
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *ParseError", err)
			}
			if pe.Format != tc.format || pe.Line != tc.line {
				t.Errorf("ParseError %s line %d, want %s line %d: %v", pe.Format, pe.Line, tc.format, tc.line, err)
			}
		})
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := FromGoModule(cancelled, filepath.Join("testdata", "gen", "gomod", "cobra")); !errors.Is(err, context.Canceled) {
		if _, lookErr := exec.LookPath("go"); lookErr == nil {
			t.Errorf("cancelled context: %v", err)
		}
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"go.mod": "module example.com/a\n\ngo 1.22\n" + strings.Repeat("// padding\n", 200)})
	if _, err := FromGoModule(ctx, dir, WithoutGoCommand(), WithInputLimit(100)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := FromGoModule(ctx, dir, WithInputLimit(0)); err == nil {
		t.Error("a zero limit was accepted")
	}
}

func FuzzFromGoMod(f *testing.F) {
	for _, d := range []string{"cyclonedx-go", "cobra", "swag"} {
		mod, err := os.ReadFile(filepath.Join("testdata", "gen", "gomod", d, "go.mod"))
		if err != nil {
			f.Fatal(err)
		}
		sum, err := os.ReadFile(filepath.Join("testdata", "gen", "gomod", d, "go.sum"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(mod, sum)
	}
	f.Add([]byte("module m\nrequire a v1.0.0\nreplace a => b v1.2.3+incompatible\n"), []byte("b v1.2.3+incompatible h1:AAAA\n"))
	cfg, _ := newGenerateConfig(nil)
	f.Fuzz(func(t *testing.T, mod, sum []byte) {
		mf, sums, err := parseGoModSum("go.mod", mod, sum)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a *ParseError: %v", err)
			}
			return
		}
		doc := goModuleFromFiles(cfg, mf, sums, "fuzz")
		seen := map[string]bool{}
		for _, c := range doc.Components {
			if seen[c.ID] || c.ID == "" {
				t.Fatalf("duplicate or empty ID %q", c.ID)
			}
			seen[c.ID] = true
			if !bytes.HasPrefix([]byte(c.PURL), []byte("pkg:golang/")) {
				t.Fatalf("purl %q", c.PURL)
			}
		}
		if doc.Component(doc.Root) == nil {
			t.Fatal("root missing")
		}
	})
}

// TestGeneratedDocumentsValidate checks every generator's output with
// Validate and through a CycloneDX JSON round trip (Encode, Decode):
// purls (Go module case included) and dependency edges must survive.
func TestGeneratedDocumentsValidate(t *testing.T) {
	bi, err := debug.ParseBuildInfo("path\tgithub.com/Example/Tool\nmod\tgithub.com/Example/Tool\tv1.0.0\t\n" +
		"dep\tgithub.com/Azure/go-autorest\tv14.2.0+incompatible\th1:V5VMDjClKFSiaHE5aMSWsaxhhNcVnNOqi3MAxlEovl8=\n")
	if err != nil {
		t.Fatal(err)
	}
	bi.GoVersion = "go1.26.8"
	docs := map[string]func() (*Document, error){
		"build info": func() (*Document, error) { return FromGoBuildInfo(bi) },
		"go module": func() (*Document, error) {
			return FromGoModule(context.Background(), filepath.Join("testdata", "gen", "gomod", "sigstore-go"), WithoutGoCommand())
		},
		"npm v3": func() (*Document, error) { return FromNPMLock(bytes.NewReader(readNPMLock(t, "v3-workspaces"))) },
		"npm v2": func() (*Document, error) { return FromNPMLock(bytes.NewReader(readNPMLock(t, "v2-peer"))) },
	}
	for name, gen := range docs {
		t.Run(name, func(t *testing.T) {
			doc, err := gen()
			if err != nil {
				t.Fatal(err)
			}
			if err := Validate(doc); err != nil {
				t.Errorf("Validate: %v", err)
			}
			var buf bytes.Buffer
			if err := Encode(&buf, doc, CycloneDXJSON); err != nil {
				t.Fatalf("Encode: %v", err)
			}
			back, err := Decode(&buf)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			want, got := map[string]bool{}, map[string]bool{}
			for _, c := range doc.Components {
				want[c.PURL] = true
			}
			for _, c := range back.Components {
				got[c.PURL] = true
			}
			for p := range want {
				if !got[p] {
					t.Errorf("purl %s lost in the round trip", p)
				}
			}
			edges := func(d *Document) int {
				n := 0
				for _, dep := range d.Dependencies {
					n += len(dep.DependsOn)
				}
				return n
			}
			if edges(back) != edges(doc) {
				t.Errorf("%d edges after the round trip, %d before", edges(back), edges(doc))
			}
		})
	}
}
