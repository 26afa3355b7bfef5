package risk

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/chaingate/chaingate/internal/gobin/gobintest"
)

// goSourceReviewOSV writes one entry, GO-REVIEW-0001, about
// vulnlib's T.Method, in a temporary OSV directory.
func goSourceReviewOSV(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	e := goBinTestEntry("GO-REVIEW-0001", "0", map[string]any{"path": gobintest.PkgMain, "symbols": []string{"T.Method"}})
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "GO-REVIEW-0001.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestScanGoSourceRoundTrip: a value of a vulnerable type handed to
// packages whose bodies are skipped (context.WithValue, sync.Map,
// atomic.Value, a channel of any through a goroutine of the standard
// library) and given back to the module's code, which calls the
// vulnerable method through an interface the module declares (no
// interface of the skipped code names the method). govulncheck's
// whole-program VTA follows the value through the standard library's
// fields, and finds T.Method (checked when govulncheck is on PATH); so
// must ScanGoSource.
func TestScanGoSourceRoundTrip(t *testing.T) {
	// govulncheck finds the context and sync.Map calls; not the
	// atomic.Value one (it stores through unsafe.Pointer, which VTA does
	// not follow): chaingate may find more, never less.
	gvcFinds := map[string]bool{"context": true, "sync.Map": true, "func value sync.Map": true, "func value context": true,
		"method value handler": true, "generic callback": true, "struct of funcs through skipped": true, "channel through goroutine": true,
		"init registration": true, "embedded interface context": true}
	type probe struct{ imports, decls, body string }
	cases := map[string]probe{
		"context": {`"context"`, "", `ctx := context.WithValue(context.Background(), key{}, &vulnlib.T{})
	if m, ok := ctx.Value(key{}).(methoder); ok {
		println(m.Method())
	}`},
		"sync.Map": {`"sync"`, "", `var m sync.Map
	m.Store(key{}, &vulnlib.T{})
	v, _ := m.Load(key{})
	println(v.(methoder).Method())`},
		"atomic.Value": {`"sync/atomic"`, "", `var v atomic.Value
	v.Store(methoder(&vulnlib.T{}))
	println(v.Load().(methoder).Method())`},
		"func value sync.Map": {`"sync"`, "", `var m sync.Map
	m.Store(key{}, func(t *vulnlib.T) string { return t.Method() })
	f, _ := m.Load(key{})
	println(f.(func(*vulnlib.T) string)(&vulnlib.T{}))`},
		"func value context": {`"context"`, "", `ctx := context.WithValue(context.Background(), key{}, (*vulnlib.T).Method)
	println(ctx.Value(key{}).(func(*vulnlib.T) string)(&vulnlib.T{}))`},
		"method value handler": {`"net/http"`, `type handler struct{ t *vulnlib.T }

func (h *handler) serve(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(h.t.Method())) }
`, `http.HandleFunc("/", (&handler{t: &vulnlib.T{}}).serve)
	_ = http.ListenAndServe(":0", nil)`},
		"generic callback": {`"slices"`, "", `xs := []*vulnlib.T{{}, {}}
	slices.SortFunc(xs, func(a, b *vulnlib.T) int { return len(a.Method()) - len(b.Method()) })`},
		"struct of funcs through skipped": {`"context"`, `type holder struct{ f func(*vulnlib.T) string }
`, `hs := holder{f: func(t *vulnlib.T) string { return t.Method() }}
	ctx := context.WithValue(context.Background(), key{}, hs)
	println(ctx.Value(key{}).(holder).f(&vulnlib.T{}))`},
		"init registration": {`"net/http"`, `// registered is handed to net/http at init time only.
type registered struct{ *vulnlib.T }

func (r registered) ServeHTTP(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(r.Method())) }

func init() { http.Handle("/", registered{&vulnlib.T{}}) }
`, `_ = http.ListenAndServe(":0", nil)`},
		"embedded interface context": {`"context"`, `// both embeds methoder: Method is invoked through it.
type both interface{ methoder }
`, `ctx := context.WithValue(context.Background(), key{}, &vulnlib.T{})
	if m, ok := ctx.Value(key{}).(both); ok {
		println(m.Method())
	}`},
		"channel through goroutine": {"", "", `ch := make(chan any, 1)
	ch <- &vulnlib.T{}
	go func() { println((<-ch).(methoder).Method()) }()`},
	}
	osvDir := goSourceReviewOSV(t)
	db, err := LoadOSV(osvDir)
	if err != nil {
		t.Fatal(err)
	}
	gvc, _ := exec.LookPath("govulncheck")
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir, modcache := gobintest.Source(t, true)
			t.Setenv("GOMODCACHE", modcache)
			src := "package main\n\nimport (\n\t" + c.imports + "\n\n\t\"example.com/vulnlib\"\n)\n\n" +
				"type methoder interface{ Method() string }\n\ntype key struct{}\n\n" + c.decls + "\nfunc main() {\n\t" + c.body + "\n}\n"
			if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			rep, err := ScanGoSource(context.Background(), dir, db)
			if err != nil {
				t.Fatal(err)
			}
			want := gobintest.PkgMain + ".T.Method"
			if len(rep.Findings) != 1 {
				t.Fatalf("%d findings, want 1", len(rep.Findings))
			}
			ev := rep.Findings[0].Evidence
			if ev.Level != EvidenceSymbol || !slices.Equal(ev.Symbols, []string{want}) {
				t.Errorf("%s %v (%s), want symbol [%s]: T.Method is called", ev.Level, ev.Symbols, ev.Reason, want)
			}
			if gvc == "" || !gvcFinds[name] {
				return
			}
			cmd := exec.Command(gvc, "-scan", "symbol", "-db", "file://"+filepath.ToSlash(goVulnDBLayout(t, osvDir)), "-format", "json", "./...")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local")
			g := govulncheckRun(t, cmd)["GO-REVIEW-0001 "+gobintest.Module]
			if g.level != EvidenceSymbol || !slices.Equal(g.symbols, []string{want}) {
				t.Errorf("govulncheck: %s %v, want symbol [%s] (the expectation is wrong)", g.level, g.symbols, want)
			}
		})
	}
}

// TestScanGoSourceUnreachedConversion: as in node_exporter v1.0.0 with
// golang.org/x/net/http2 (configureTransport, which nothing calls, sets
// Transport.TLSNextProto to a closure returning the http2 Transport as a
// RoundTripper; net/http's Transport calls it and invokes RoundTrip), a
// callback made in code no entry point reaches, handed to the standard
// library there, and what it converts to an interface are reachable for
// govulncheck: VTA propagates types through every function of the
// program, reached or not, and the standard library's invoke is reached
// (http.Get). ScanGoSource must find it too.
func TestScanGoSourceUnreachedConversion(t *testing.T) {
	dir, modcache := gobintest.Source(t, true)
	t.Setenv("GOMODCACHE", modcache)
	lib := filepath.Join(modcache, gobintest.Module+"@v1.0.0")
	if err := os.Chmod(lib, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(lib, "rt"), 0o755); err != nil {
		t.Fatal(err)
	}
	rt := `package rt

import (
	"crypto/tls"
	"net/http"
)

type RT struct{}

func (RT) RoundTrip(r *http.Request) (*http.Response, error) { return nil, http.ErrNotSupported }

// C is never converted to an interface: C.Apply, and so Configure, are
// called only in the class-hierarchy call graph govulncheck runs VTA
// over (main's applier.Apply invoke).
type C struct{}

func (C) Apply(t *http.Transport) { Configure(t) }

// Configure is never called by the program.
func Configure(t *http.Transport) {
	t.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{
		"h2": func(string, *tls.Conn) http.RoundTripper { return RT{} },
	}
}

func Used() {}
`
	main := `package main

import (
	"net/http"

	"example.com/vulnlib/rt"
)

type applier interface{ Apply(*http.Transport) }

type other struct{}

func (other) Apply(*http.Transport) {}

func main() {
	rt.Used()
	var a applier = other{}
	a.Apply(nil)
	_, _ = http.Get("https://example.com")
}
`
	if err := os.WriteFile(filepath.Join(lib, "rt", "rt.go"), []byte(rt), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	osvDir := t.TempDir()
	e := goBinTestEntry("GO-REVIEW-0002", "0", map[string]any{"path": gobintest.Module + "/rt", "symbols": []string{"RT.RoundTrip"}})
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(osvDir, "GO-REVIEW-0002.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := LoadOSV(osvDir)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ScanGoSource(context.Background(), dir, db)
	if err != nil {
		t.Fatal(err)
	}
	want := gobintest.Module + "/rt.RT.RoundTrip"
	if len(rep.Findings) != 1 {
		t.Fatalf("%d findings, want 1", len(rep.Findings))
	}
	ev := rep.Findings[0].Evidence
	if ev.Level != EvidenceSymbol || !slices.Equal(ev.Symbols, []string{want}) {
		t.Errorf("%s %v (%s), want symbol [%s]", ev.Level, ev.Symbols, ev.Reason, want)
	}
	gvc, _ := exec.LookPath("govulncheck")
	if gvc == "" {
		return
	}
	cmd := exec.Command(gvc, "-scan", "symbol", "-db", "file://"+filepath.ToSlash(goVulnDBLayout(t, osvDir)), "-format", "json", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local")
	g := govulncheckRun(t, cmd)["GO-REVIEW-0002 "+gobintest.Module]
	if g.level != EvidenceSymbol || !slices.Equal(g.symbols, []string{want}) {
		t.Errorf("govulncheck: %s %v, want symbol [%s] (the expectation is wrong)", g.level, g.symbols, want)
	}
}
