package sbom

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chaingate/chaingate/internal/gobin/gobintest"

	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

// goVersionM is one binary as `go version -m` prints it.
type goVersionM struct {
	goVersion string
	mainPath  string // "path" line
	main      [3]string
	deps      [][3]string          // path, version, sum
	replaced  map[string][3]string // dep path -> replacement path, version, sum
	settings  map[string]string
}

// runGoVersionM runs `go version -m` on a binary and parses its output.
func runGoVersionM(t *testing.T, bin string) goVersionM {
	t.Helper()
	out, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatalf("go version -m %s: %v", bin, err)
	}
	r := goVersionM{replaced: map[string][3]string{}, settings: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(out))
	first := true
	var last string
	for sc.Scan() {
		line := sc.Text()
		if first {
			_, r.goVersion, _ = strings.Cut(line, ": ")
			first = false
			continue
		}
		f := strings.Split(strings.TrimPrefix(line, "\t"), "\t")
		for len(f) < 4 {
			f = append(f, "")
		}
		switch f[0] {
		case "path":
			r.mainPath = f[1]
		case "mod":
			r.main = [3]string{f[1], f[2], f[3]}
		case "dep":
			r.deps = append(r.deps, [3]string{f[1], f[2], f[3]})
			last = f[1]
		case "=>":
			r.replaced[last] = [3]string{f[1], f[2], f[3]}
		case "build":
			k, v, _ := strings.Cut(f[1], "=")
			r.settings[k] = v
		}
	}
	return r
}

// checkAgainstGoVersionM compares a generated document with what
// `go version -m` says about the same binary.
func checkAgainstGoVersionM(t *testing.T, doc *Document, want goVersionM) {
	t.Helper()
	root := doc.Component(doc.Root)
	if root == nil {
		t.Fatalf("root %q not among components", doc.Root)
	}
	if root.Name != want.main[0] || root.Type != TypeApplication {
		t.Errorf("root = %q (%s), want %q application", root.Name, root.Type, want.main[0])
	}
	if v, _ := root.Property(PropGoMainPackage); v != want.mainPath {
		t.Errorf("main package = %q, want %q", v, want.mainPath)
	}
	if want.main[1] == "(devel)" {
		if v, _ := root.Property(PropGoMainVersion); v != "(devel)" || root.Version != "" {
			t.Errorf("root version %q, property %q; want none and (devel)", root.Version, v)
		}
	} else if root.Version != want.main[1] {
		t.Errorf("root version = %q, want %q", root.Version, want.main[1])
	}
	for k, v := range want.settings {
		if got, ok := root.Property(PropGoBuildPrefix + k); !ok || got != v {
			t.Errorf("build setting %s = %q, want %q", k, got, v)
		}
	}
	byName := map[string]*Component{}
	for i := range doc.Components {
		byName[doc.Components[i].Name] = &doc.Components[i]
	}
	std := byName[GoStdlib]
	wantStd, ok := GoToolchainVersion(want.goVersion)
	if !ok || std == nil || std.Version != wantStd || std.PURL != "pkg:golang/stdlib@"+wantStd {
		t.Errorf("stdlib = %+v, want version %s from %s", std, wantStd, want.goVersion)
	}
	if got := len(doc.Components); got != len(want.deps)+2 {
		t.Errorf("%d components, want %d deps + main + stdlib", got, len(want.deps))
	}
	for _, d := range want.deps {
		name, version, sum := d[0], d[1], d[2]
		rep, isRep := want.replaced[name]
		if isRep && rep[1] != "" && rep[1] != "(devel)" {
			name, version, sum = rep[0], rep[1], rep[2]
		} else if isRep {
			version, sum = "", rep[2]
		}
		c := byName[name]
		if c == nil {
			t.Errorf("dep %s missing", name)
			continue
		}
		if c.Version != version || c.PURL != GoPURL(name, version) {
			t.Errorf("dep %s: version %q purl %q, want %q", name, c.Version, c.PURL, version)
		}
		if got, _ := c.Property(PropGoH1); got != sum {
			t.Errorf("dep %s: h1 %q, want %q", name, got, sum)
		}
		if h, ok := h1Hash(sum); ok && (len(c.Hashes) != 1 || c.Hashes[0] != h) {
			t.Errorf("dep %s: hashes %v, want %v", name, c.Hashes, h)
		}
		if isRep {
			if got, _ := c.Property(PropGoReplaces); got != atVersion(d[0], d[1]) {
				t.Errorf("dep %s: replaces %q, want %s@%s", name, got, d[0], d[1])
			}
		}
	}
	if len(doc.Dependencies) != 1 || doc.Dependencies[0].Ref != root.ID ||
		len(doc.Dependencies[0].DependsOn) != len(doc.Components)-1 {
		t.Errorf("dependencies = %+v, want root -> every other component", doc.Dependencies)
	}
	if len(doc.Limitations) == 0 {
		t.Error("no limitation stated for the missing module graph")
	}
}

// goEnv is an environment for the go command that cannot reach the
// network.
func goEnv(t *testing.T, extra ...string) []string {
	env := append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod -modcacherw", "GOSUMDB=off",
		"GOWORK=off", "GOTOOLCHAIN=local")
	return append(env, extra...)
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func goBuild(t *testing.T, dir string, env []string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "app")
	cmd := exec.Command("go", "build", "-buildvcs=false", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestFromGoBinaryBuilt(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"go.mod":     "module example.com/MixedCase/hello\n\ngo 1.22\n\nrequire example.com/lib v1.4.0\n\nreplace example.com/lib v1.4.0 => ./lib\n",
		"main.go":    "package main\n\nimport \"example.com/lib\"\n\nfunc main() { println(lib.Hello()) }\n",
		"lib/go.mod": "module example.com/lib\n\ngo 1.22\n",
		"lib/lib.go": "package lib\n\nfunc Hello() string { return \"hello\" }\n",
	})
	bin := goBuild(t, dir, goEnv(t))
	want := runGoVersionM(t, bin)
	f, err := os.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := FromGoBinary(f)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstGoVersionM(t, doc, want)
	lib := doc.Component("pkg:golang/example.com/lib")
	if lib == nil {
		t.Fatalf("locally replaced lib missing: %+v", doc.Components)
	}
	if d, _ := lib.Property(PropGoReplacedByDir); d != "./lib" {
		t.Errorf("replaced-by-dir = %q, want ./lib", d)
	}
	if got := doc.Component(doc.Root).PURL; got != "pkg:golang/example.com/MixedCase/hello" {
		t.Errorf("root purl %q: case must be kept", got)
	}

	byPath, err := FromGoBinaryFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstGoVersionM(t, byPath, want)
}

// TestFromGoBinaryVersionedReplacement builds a program whose dependency
// is replaced by a fork at another version, served from a file-system
// module proxy made in the test (no network), and compares the SBOM
// with `go version -m`.
func TestFromGoBinaryVersionedReplacement(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	root := t.TempDir()
	// The fork keeps the original module line, as forks must.
	fork := filepath.Join(root, "fork")
	writeFiles(t, fork, map[string]string{
		"go.mod":  "module example.com/orig\n\ngo 1.22\n",
		"orig.go": "package orig\n\nfunc Name() string { return \"fork\" }\n",
	})
	escaped, err := module.EscapePath("example.com/Fork") // "example.com/!fork"
	if err != nil {
		t.Fatal(err)
	}
	proxy := filepath.Join(root, "proxy", filepath.FromSlash(escaped), "@v")
	if err := os.MkdirAll(proxy, 0o755); err != nil {
		t.Fatal(err)
	}
	var zbuf bytes.Buffer
	if err := modzip.CreateFromDir(&zbuf, module.Version{Path: "example.com/Fork", Version: "v1.5.0"}, fork); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, proxy, map[string]string{
		"list":        "v1.5.0\n",
		"v1.5.0.info": `{"Version":"v1.5.0","Time":"2026-01-02T03:04:05Z"}`,
		"v1.5.0.mod":  "module example.com/orig\n\ngo 1.22\n",
		"v1.5.0.zip":  zbuf.String(),
	})
	app := filepath.Join(root, "app")
	writeFiles(t, app, map[string]string{
		"go.mod":  "module example.com/app\n\ngo 1.22\n\nrequire example.com/orig v1.0.0\n\nreplace example.com/orig v1.0.0 => example.com/Fork v1.5.0\n",
		"main.go": "package main\n\nimport \"example.com/orig\"\n\nfunc main() { println(orig.Name()) }\n",
	})
	env := goEnv(t, "GOPROXY=file://"+filepath.ToSlash(filepath.Join(root, "proxy")),
		"GOMODCACHE="+filepath.Join(root, "modcache"), "GONOSUMDB=*", "GOFLAGS=-mod=mod -modcacherw")
	bin := goBuild(t, app, env)
	want := runGoVersionM(t, bin)
	if r, ok := want.replaced["example.com/orig"]; !ok || r[1] != "v1.5.0" {
		t.Fatalf("go version -m shows no versioned replacement: %+v", want)
	}
	doc, err := FromGoBinaryFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstGoVersionM(t, doc, want)
	c := doc.Component("pkg:golang/example.com/Fork@v1.5.0")
	if c == nil {
		t.Fatalf("fork missing: %+v", doc.Components)
	}
	if len(c.Hashes) != 1 || c.Hashes[0].Algorithm != "SHA-256" {
		t.Errorf("fork hashes %v (go.sum h1 of the fork expected)", c.Hashes)
	}

	// FromGoModule on the same module, with the fork now in the (test's)
	// module cache: the go command path records the same replacement.
	t.Setenv("GOMODCACHE", filepath.Join(root, "modcache"))
	mod, err := FromGoModule(context.Background(), app)
	if err != nil {
		t.Fatal(err)
	}
	if src, _ := mod.Component(mod.Root).Property(PropGoModuleSource); src != "go-command" {
		t.Fatalf("module source %q: %v", src, mod.Limitations)
	}
	mc := mod.Component("pkg:golang/example.com/Fork@v1.5.0")
	if mc == nil {
		t.Fatalf("fork missing from the module SBOM: %+v", mod.Components)
	}
	if r, _ := mc.Property(PropGoReplaces); r != "example.com/orig@v1.0.0" {
		t.Errorf("replaces %q", r)
	}
	if len(mc.Hashes) != 1 || mc.Hashes[0] != c.Hashes[0] {
		t.Errorf("module SBOM hash %v, binary SBOM hash %v", mc.Hashes, c.Hashes)
	}
}

func TestFromGoBinaryTestExecutable(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	// A test binary's build information lists no dependencies, so the
	// test builds testdata/gen/goapp, a program of this module that links
	// two of its real dependencies (from the module cache this test was
	// compiled from; no network).
	exe := filepath.Join(t.TempDir(), "goapp")
	cmd := exec.Command("go", "build", "-buildvcs=false", "-o", exe, "./testdata/gen/goapp")
	cmd.Env = goEnv(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	want := runGoVersionM(t, exe)
	if len(want.deps) < 2 {
		t.Fatalf("test binary has only %d deps: %v", len(want.deps), want.deps)
	}
	doc, err := FromGoBinaryFile(exe, WithCreated(time.Unix(0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstGoVersionM(t, doc, want)
	if !doc.Created.Equal(time.Unix(0, 0)) {
		t.Errorf("created = %v", doc.Created)
	}
	for _, id := range []string{"pkg:golang/github.com/package-url/packageurl-go@v0.1.7", "pkg:golang/golang.org/x/mod@v0.41.0"} {
		if doc.Component(id) == nil {
			t.Errorf("%s missing", id)
		}
	}
	// The running test binary's own build info: main module, no deps.
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("no build info")
	}
	self, err := FromGoBuildInfo(bi)
	if err != nil {
		t.Fatal(err)
	}
	if root := self.Component(self.Root); root == nil || root.Name != "github.com/chaingate/chaingate" {
		t.Errorf("running test binary: root %+v", root)
	}
}

func TestFromGoBuildInfoReplacements(t *testing.T) {
	// The text form `go version -m` prints and debug.ParseBuildInfo reads.
	const info = "go\tgo1.26.8 X:nodwarf5\n" +
		"path\tgithub.com/Example/Tool/cmd/tool\n" +
		"mod\tgithub.com/Example/Tool\tv1.2.3\th1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n" +
		"dep\tgithub.com/Azure/go-autorest\tv14.2.0+incompatible\th1:V5VMDjClKFSiaHE5aMSWsaxhhNcVnNOqi3MAxlEovl8=\n" +
		"dep\tgolang.org/x/crypto\tv0.1.0\th1:bad\n" +
		"=>\tgithub.com/fork/crypto\tv0.0.0-20240101000000-abcdefabcdef\th1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n" +
		"dep\texample.com/local\tv1.0.0\n" +
		"=>\t../local\t(devel)\t\n" +
		"build\t-buildmode=exe\n" +
		"build\tCGO_ENABLED=0\n" +
		"build\tGOARCH=arm64\n" +
		"build\tGOOS=darwin\n" +
		"build\tvcs.revision=0123456789abcdef\n"
	bi, err := debug.ParseBuildInfo(info)
	if err != nil {
		t.Fatal(err)
	}
	bi.GoVersion = "go1.26.8 X:nodwarf5" // ParseBuildInfo skips the go line.
	doc, err := FromGoBuildInfo(bi, WithSerialNumber("urn:uuid:00000000-0000-4000-8000-000000000000"))
	if err != nil {
		t.Fatal(err)
	}
	if doc.SerialNumber != "urn:uuid:00000000-0000-4000-8000-000000000000" {
		t.Errorf("serial %q", doc.SerialNumber)
	}
	tests := []struct {
		id, name, version, replaces, hash string
	}{
		{"pkg:golang/github.com/Example/Tool@v1.2.3", "github.com/Example/Tool", "v1.2.3", "", "0000000000000000000000000000000000000000000000000000000000000000"},
		{"pkg:golang/stdlib@v1.26.8", "stdlib", "v1.26.8", "", ""},
		{"pkg:golang/github.com/Azure/go-autorest@v14.2.0%2Bincompatible", "github.com/Azure/go-autorest", "v14.2.0+incompatible", "", "57954c0e30a52854a268713968c496b1ac6184d7159cd3aa8b7300c65128be5f"},
		{"pkg:golang/github.com/fork/crypto@v0.0.0-20240101000000-abcdefabcdef", "github.com/fork/crypto", "v0.0.0-20240101000000-abcdefabcdef", "golang.org/x/crypto@v0.1.0", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"pkg:golang/example.com/local", "example.com/local", "", "example.com/local@v1.0.0", ""},
	}
	if len(doc.Components) != len(tests) {
		t.Errorf("%d components, want %d", len(doc.Components), len(tests))
	}
	for _, tc := range tests {
		c := doc.Component(tc.id)
		if c == nil {
			t.Errorf("%s missing", tc.id)
			continue
		}
		if c.Name != tc.name || c.Version != tc.version || c.PURL != tc.id {
			t.Errorf("%s: got %s %s %s", tc.id, c.Name, c.Version, c.PURL)
		}
		if got, _ := c.Property(PropGoReplaces); got != tc.replaces {
			t.Errorf("%s: replaces %q, want %q", tc.id, got, tc.replaces)
		}
		var gotHash string
		if len(c.Hashes) > 0 {
			gotHash = c.Hashes[0].Value
		}
		if gotHash != tc.hash {
			t.Errorf("%s: hash %q, want %q", tc.id, gotHash, tc.hash)
		}
	}
	if doc.Root != tests[0].id {
		t.Errorf("root %q", doc.Root)
	}
	wantDocProps := map[string]string{"GOOS": "darwin", "GOARCH": "arm64", "CGO_ENABLED": "0", "vcs.revision": "0123456789abcdef"}
	for k, v := range wantDocProps {
		found := false
		for _, p := range doc.Properties {
			if p.Name == PropGoBuildPrefix+k && p.Value == v {
				found = true
			}
		}
		if !found {
			t.Errorf("document property %s=%s missing: %v", k, v, doc.Properties)
		}
	}
}

func TestGoToolchainVersion(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"go1.26.8", "v1.26.8", true},
		{"go1.20", "v1.20.0", true},
		{"go1.21rc2", "v1.21.0-rc.2", true},
		{"go1.18beta1", "v1.18.0-beta.1", true},
		{"go1.22.1 X:boringcrypto", "v1.22.1", true},
		{"go1.24.3-fips", "v1.24.3", true},
		{"devel go1.23-abcdef Tue", "", false},
		{"go", "", false},
		{"1.2.3", "", false},
		{"go1.x.3", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		got, ok := GoToolchainVersion(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("GoToolchainVersion(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestFromGoBinaryNotGo(t *testing.T) {
	_, err := FromGoBinary(strings.NewReader("#!/bin/sh\necho hi\n"))
	if err == nil || !strings.Contains(err.Error(), "sbom: read Go build info") {
		t.Errorf("err = %v", err)
	}
	if _, err := FromGoBuildInfo(nil); err == nil {
		t.Error("nil build info accepted")
	}
}

// FuzzFromGoBuildInfo feeds FromGoBuildInfo the build information text
// `go version -m` prints (parsed by debug.ParseBuildInfo): odd module
// paths, versions, sums and replacements must give a document with
// unique IDs and valid references, never a panic.
func FuzzFromGoBuildInfo(f *testing.F) {
	f.Add("path\texample.com/a\nmod\texample.com/a\t(devel)\t\ndep\texample.com/b\tv1.0.0\th1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n=>\texample.com/c\tv1.1.0\th1:x\nbuild\tGOOS=linux\n", "go1.26.8")
	f.Add("path\tcommand-line-arguments\ndep\tgithub.com/Azure/go-autorest\tv14.2.0+incompatible\t\ndep\tx\tv0.0.0-20200101000000-abcdefabcdef\t\n=>\t../x\t(devel)\t\n", "devel go1.27-abcdef")
	f.Fuzz(func(t *testing.T, text, goVersion string) {
		bi, err := debug.ParseBuildInfo(text)
		if err != nil {
			return
		}
		bi.GoVersion = goVersion
		doc, err := FromGoBuildInfo(bi)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, c := range doc.Components {
			if c.ID == "" || ids[c.ID] {
				t.Fatalf("empty or duplicate ID %q", c.ID)
			}
			ids[c.ID] = true
		}
		if !ids[doc.Root] {
			t.Fatalf("root %q is not a component", doc.Root)
		}
		for _, d := range doc.Dependencies {
			for _, to := range d.DependsOn {
				if !ids[to] {
					t.Fatalf("dangling %q", to)
				}
			}
		}
	})
}

func TestGenGoCanonical(t *testing.T) {
	for in, want := range map[string]string{
		"v1.2":                               "v1.2.0",
		"v1":                                 "v1.0.0",
		"v1.2.3":                             "v1.2.3",
		"v14.2.0+incompatible":               "v14.2.0+incompatible",
		"v0.0.0-20240101000000-abcdefabcdef": "v0.0.0-20240101000000-abcdefabcdef",
		"v1.2.4-0.20240101000000-abcdefabcdef+incompatible": "v1.2.4-0.20240101000000-abcdefabcdef+incompatible",
		"v2.0.0-rc.1": "v2.0.0-rc.1",
		"1.2.3":       "1.2.3",
		"(devel)":     "(devel)",
		"":            "",
	} {
		if got := goCanonicalVersion(in); got != want {
			t.Errorf("goCanonicalVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFromGoBinaryPackages builds a program that links two packages of
// a library module and not a third (internal/gobin/gobintest), plain and
// stripped, and checks the packages each component records.
func TestFromGoBinaryPackages(t *testing.T) {
	for _, ld := range []string{"", "-s -w", "hidden"} {
		var exe string
		if ld == "hidden" {
			// A stripped binary whose moduledata section is renamed:
			// the inline trees cannot be found.
			exe = gobintest.RenameELFSection(t, gobintest.Build(t, "linux", "amd64", "-s -w"), ".go.module", ".xo.module")
		} else {
			exe = gobintest.Build(t, "linux", "amd64", ld)
		}
		doc, err := FromGoBinaryFile(exe)
		if err != nil {
			t.Fatal(err)
		}
		lib := doc.Component("pkg:golang/example.com/vulnlib@v1.0.0")
		if lib == nil {
			t.Fatalf("ldflags %q: vulnlib missing: %+v", ld, doc.Components)
		}
		if ld == "hidden" {
			// No inline trees, so no packages (fail closed).
			if got, ok := lib.Property(PropGoPackages); ok || !slices.ContainsFunc(doc.Limitations, func(s string) bool { return strings.Contains(s, "stripped") }) {
				t.Errorf("stripped: vulnlib packages %q, limitations %v", got, doc.Limitations)
			}
			continue
		}
		if got, _ := lib.Property(PropGoPackages); got != gobintest.PkgMain+","+gobintest.PkgNotCalled {
			t.Errorf("ldflags %q: vulnlib packages %q", ld, got)
		}
		var std *Component
		for i := range doc.Components {
			if doc.Components[i].Name == GoStdlib {
				std = &doc.Components[i]
			}
		}
		if std == nil {
			t.Fatal("no stdlib component")
		}
		got, _ := std.Property(PropGoPackages)
		if ps := strings.Split(got, ","); !slices.Contains(ps, "fmt") || !slices.Contains(ps, "runtime") || slices.Contains(ps, "net/http") {
			t.Errorf("ldflags %q: stdlib packages %q", ld, got)
		}
		if got, _ := doc.Component(doc.Root).Property(PropGoPackages); got != "example.com/app" {
			t.Errorf("ldflags %q: root packages %q", ld, got)
		}
	}
	// A binary whose function table is unreadable still gets its SBOM,
	// with the gap in Limitations.
	exe := gobintest.Build(t, "linux", "amd64", "")
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte(".gopclntab"))
	if i < 0 {
		t.Fatal("no .gopclntab section name")
	}
	copy(data[i:], ".xopclntab")
	doc, err := FromGoBinary(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Component("pkg:golang/example.com/vulnlib@v1.0.0") == nil || !slices.ContainsFunc(doc.Limitations, func(s string) bool { return strings.Contains(s, "packages in the build are not recorded") }) {
		t.Errorf("no-pclntab SBOM: limitations %v", doc.Limitations)
	}
}
