// Package gobintest builds small real Go programs for tests of the
// binary readers: a module "example.com/vulnlib" at v1.0.0, served from a
// file-system module proxy made in the test (no network), and a program
// that links some of its code and not the rest.
package gobintest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

// Module is the path of the library the program links.
const Module = "example.com/vulnlib"

// What the program links from Module, as the Go vulnerability database
// names symbols. Package vulnlib: Parse and T.Method are called; Small
// is only ever inlined into main; Map is a generic function called with
// int; Unused is never called. Package vulnlib/notcalled: Good is called,
// Bad is not. Package vulnlib/other is not imported.
const (
	PkgMain      = Module
	PkgNotCalled = Module + "/notcalled"
	PkgOther     = Module + "/other"
)

var libFiles = map[string]string{
	"go.mod": "module example.com/vulnlib\n\ngo 1.22\n",
	"vulnlib.go": `package vulnlib

import "strings"

// Parse is never inlined.
//
//go:noinline
func Parse(s string) int {
	n := 0
	for _, f := range strings.Fields(s) {
		n += len(f) * 3
	}
	return n
}

// Small is always inlined.
func Small(x int) int { return x + 1 }

// Unused is never called.
func Unused() string { return strings.Repeat("u", 3) }

// T has a method that is called.
type T struct{ s string }

//go:noinline
func (t *T) Method() string { return "m" + t.s }

//go:noinline
func Map[E any](s []E, f func(E) E) []E {
	out := make([]E, 0, len(s))
	for _, e := range s {
		out = append(out, f(e))
	}
	return out
}
`,
	"notcalled/notcalled.go": `package notcalled

//go:noinline
func Good() string { return "good" }

//go:noinline
func Bad() string { return "bad" }
`,
	"other/other.go": `package other

// Other is a function of a second module.
func Other() string { return "other" }
`,
}

const mainFile = `package main

import (
	"fmt"
	"os"

	"example.com/vulnlib"
	"example.com/vulnlib/notcalled"
)

func main() {
	t := &vulnlib.T{}
	fmt.Println(vulnlib.Parse(os.Args[0]), t.Method(), vulnlib.Small(len(os.Args)),
		vulnlib.Map([]int{len(os.Args)}, func(i int) int { return i * 2 }), notcalled.Good())
}
`

// proxy writes the module proxy in a temporary directory of the test.
func proxy(t testing.TB) string {
	t.Helper()
	root := t.TempDir()
	src := filepath.Join(root, "src")
	for name, body := range libFiles {
		p := filepath.Join(src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var z bytes.Buffer
	if err := modzip.CreateFromDir(&z, module.Version{Path: Module, Version: "v1.0.0"}, src); err != nil {
		t.Fatalf("gobintest: module zip: %v", err)
	}
	at := filepath.Join(root, "proxy", Module, "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"list": "v1.0.0\n", "v1.0.0.info": `{"Version":"v1.0.0","Time":"2026-01-02T03:04:05Z"}`,
		"v1.0.0.mod": libFiles["go.mod"], "v1.0.0.zip": z.String(),
	} {
		if err := os.WriteFile(filepath.Join(at, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// Build builds the program for goos/goarch ("" for the host) with the
// extra -ldflags given ("-s -w" strips it) and returns the binary's path.
// It skips the test when there is no go command.
func Build(t testing.TB, goos, goarch, ldflags string) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("gobintest: no go command")
	}
	root := proxy(t)
	app := t.TempDir()
	if err := os.WriteFile(filepath.Join(app, "go.mod"), []byte("module example.com/app\n\ngo 1.22\n\nrequire example.com/vulnlib v1.0.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(app, "main.go"), []byte(mainFile), 0o644); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(app, "app.bin")
	args := []string{"build", "-trimpath", "-buildvcs=false", "-o", exe}
	if ldflags != "" {
		args = append(args, "-ldflags="+ldflags)
	}
	cmd := exec.Command("go", append(args, ".")...)
	cmd.Dir = app
	env := goEnv(root)
	if goos != "" {
		env = append(env, "GOOS="+goos)
	}
	if goarch != "" {
		env = append(env, "GOARCH="+goarch)
	}
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gobintest: go build: %v\n%s", err, out)
	}
	return exe
}

// Source writes the program's source module (example.com/app, requiring
// Module v1.0.0) in a temporary directory and downloads Module into a
// module cache of the test, from the test's file-system proxy. It returns
// the module's directory and the cache (for GOMODCACHE). With sources
// false only the go.mod files of the module graph are in the cache, as
// after `go list -m all`, not the packages' code. It skips the test when
// there is no go command.
func Source(t testing.TB, sources bool) (dir, modcache string) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("gobintest: no go command")
	}
	root := proxy(t)
	dir = t.TempDir()
	for name, body := range map[string]string{
		"go.mod":  "module example.com/app\n\ngo 1.22\n\nrequire example.com/vulnlib v1.0.0\n",
		"go.sum":  "",
		"main.go": mainFile,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	modcache = filepath.Join(root, "modcache")
	args := []string{"list", "-m", "all"}
	if sources {
		args = []string{"mod", "download", Module}
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = goEnv(root)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gobintest: go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return dir, modcache
}

// goEnv is the environment of the go command without the caller's module
// settings, with the test's proxy and module cache under root.
func goEnv(root string) []string {
	env := []string{}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GOFLAGS", "GOPROXY", "GOMODCACHE", "GONOSUMDB", "GOSUMDB", "GOOS", "GOARCH", "GOWORK", "CGO_ENABLED":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "GOPROXY=file://"+filepath.ToSlash(filepath.Join(root, "proxy")),
		"GOMODCACHE="+filepath.Join(root, "modcache"), "GOSUMDB=off", "GOFLAGS=-mod=mod -modcacherw",
		"GOWORK=off", "CGO_ENABLED=0")
}

// RenameELFSection returns a copy of the ELF binary exe in a temporary
// directory with the section name from replaced by to (of the same
// length) in its section-name table: a way to hide a section from
// readers that look it up by name.
func RenameELFSection(t testing.TB, exe, from, to string) string {
	t.Helper()
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte("\x00"+from+"\x00"))
	if i < 0 || len(from) != len(to) {
		t.Fatalf("gobintest: no section name %q in %s (or %q is not as long)", from, exe, to)
	}
	copy(data[i+1:], to)
	out := filepath.Join(t.TempDir(), filepath.Base(exe))
	if err := os.WriteFile(out, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return out
}
