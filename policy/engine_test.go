package policy_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chaingate/chaingate/policy"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"
)

func decodeJSON(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestConftestConventions(t *testing.T) {
	ctx := t.Context()
	e, err := policy.New(ctx, policy.FromDir("testdata/conftest"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		input      string
		allow      bool
		deny       []string // codes
		warn       int
		exceptions int
	}{
		{"latest and no digest", `{"artifact":{"name":"ghcr.io/acme/api","tag":"latest"}}`, false, []string{"main.deny", "CG-IMG-001"}, 1, 0},
		{"clean", `{"artifact":{"name":"a","digest":"sha256:00"},"sbom":{}}`, true, nil, 0, 0},
		{"break glass excepts latest", `{"artifact":{"name":"a","digest":"sha256:00","tag":"latest"},"sbom":{},"context":{"break_glass":true}}`, true, nil, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := e.Decide(ctx, decodeJSON(t, tc.input))
			if err != nil {
				t.Fatal(err)
			}
			if d.Allow != tc.allow {
				t.Errorf("Allow = %v, want %v (deny %+v)", d.Allow, tc.allow, d.Deny)
			}
			var codes []string
			for _, r := range d.Deny {
				codes = append(codes, r.Code)
			}
			if strings.Join(codes, ",") != strings.Join(tc.deny, ",") {
				t.Errorf("deny codes = %v, want %v", codes, tc.deny)
			}
			if len(d.Warn) != tc.warn || len(d.Exceptions) != tc.exceptions {
				t.Errorf("warn %d exceptions %d, want %d %d", len(d.Warn), len(d.Exceptions), tc.warn, tc.exceptions)
			}
			if d.SchemaVersion != policy.DecisionSchemaVersion || !strings.HasPrefix(d.InputDigest, "sha256:") || !strings.HasPrefix(d.Policy.Digest, "sha256:") {
				t.Errorf("decision identity: %+v", d)
			}
		})
	}
	d, err := e.Decide(ctx, decodeJSON(t, tests[0].input))
	if err != nil {
		t.Fatal(err)
	}
	var latest, generic policy.Reason
	for _, r := range d.Deny {
		switch r.Rule {
		case "deny_latest":
			latest = r
		case "deny":
			generic = r
		}
	}
	if latest.Severity != "critical" || latest.Title != "Latest tag" || latest.Description == "" || latest.Message != "image ghcr.io/acme/api uses the latest tag" {
		t.Errorf("annotations not carried: %+v", latest)
	}
	if latest.Location == nil || latest.Location.String() != "testdata/conftest/policy.rego:9" {
		t.Errorf("location %v", latest.Location)
	}
	if strings.Join(latest.InputPaths, ",") != "input.artifact.name,input.artifact.tag" {
		t.Errorf("input paths %v", latest.InputPaths)
	}
	if generic.Severity != "high" || generic.Message != "artifact has no digest" || generic.Metadata["details"] == nil {
		t.Errorf("object result: %+v", generic)
	}
}

func TestDecideInputForms(t *testing.T) {
	ctx := t.Context()
	e, err := policy.New(ctx, policy.FromDir("testdata/conftest"))
	if err != nil {
		t.Fatal(err)
	}
	typed := &policy.Input{Artifact: policy.Artifact{Name: "ghcr.io/acme/api", Tag: "latest"}}
	b, _ := json.Marshal(typed)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	p, err := e.PrepareInput(typed)
	if err != nil {
		t.Fatal(err)
	}
	var want *policy.Decision
	for name, in := range map[string]any{"typed": typed, "value": *typed, "map": m, "json": b, "raw": json.RawMessage(b), "prepared": p, "ast": policy.PreparedValue(p)} {
		d, err := e.Decide(ctx, in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want == nil {
			want = d
			continue
		}
		if d.InputDigest != want.InputDigest || len(d.Deny) != len(want.Deny) || d.Allow != want.Allow {
			t.Errorf("%s: decision %+v differs from %+v", name, d, want)
		}
	}
	if len(want.Deny) != 2 {
		t.Fatalf("want 2 denials, got %+v", want.Deny)
	}
}

func TestLoadSources(t *testing.T) {
	ctx := t.Context()
	mod := "package main\n\ndeny contains msg if {\n\tinput.x > data.limits.max\n\tmsg := sprintf(\"x over %v\", [data.limits.max])\n}\n"
	fsys := fstest.MapFS{
		"policies/main.rego":        {Data: []byte(mod)},
		"policies/main_test.rego":   {Data: []byte("package main\n\ntest_x if { deny with input as {\"x\": 9} }\n")},
		"policies/limits/data.yaml": {Data: []byte("max: 3\n")},
		"policies/.hidden/x.rego":   {Data: []byte("not rego")},
		"policies/notes.json":       {Data: []byte("not data")},
	}
	e, err := policy.New(ctx, policy.FromFS(fsys, "policies"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.Decide(ctx, map[string]any{"x": 4})
	if err != nil {
		t.Fatal(err)
	}
	if d.Allow || len(d.Deny) != 1 || d.Deny[0].Message != "x over 3" {
		t.Fatalf("decision %+v", d)
	}

	if e, err := policy.New(ctx, policy.FromDir("testdata/conftest/policy.rego")); err != nil || len(e.Policy().Namespaces) != 1 {
		t.Errorf("single file: %v", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "limits.json"), []byte(`{"limits":{"max":10}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err = policy.New(ctx, policy.FromModule("m.rego", mod), policy.WithDataFile(filepath.Join(dir, "limits.json")), policy.WithRevision("r1"))
	if err != nil {
		t.Fatal(err)
	}
	if d, err := e.Decide(ctx, map[string]any{"x": 4}); err != nil || !d.Allow || d.Policy.Revision != "r1" {
		t.Fatalf("decision %+v, %v", d, err)
	}
	e2, err := policy.New(ctx, policy.FromModule("m.rego", mod), policy.WithData(map[string]any{"limits": map[string]any{"max": 1}}))
	if err != nil {
		t.Fatal(err)
	}
	if e2.Policy().Digest == e.Policy().Digest {
		t.Error("different data, same policy digest")
	}

	for name, opts := range map[string][]policy.Option{
		"nothing":        nil,
		"missing dir":    {policy.FromDir(filepath.Join(dir, "nope"))},
		"parse error":    {policy.FromModule("bad.rego", "package main\ndeny contains if {")},
		"compile error":  {policy.FromModule("c.rego", "package main\ndeny contains x if { x := y }")},
		"data conflict":  {policy.FromModule("m.rego", mod), policy.WithData(map[string]any{"a": 1}), policy.WithData(map[string]any{"a": 2})},
		"bad yaml":       {policy.FromFS(fstest.MapFS{"p/m.rego": {Data: []byte(mod)}, "p/data.yaml": {Data: []byte("[1")}}, "p")},
		"non-object":     {policy.FromFS(fstest.MapFS{"p/m.rego": {Data: []byte(mod)}, "p/data.json": {Data: []byte("[1]")}}, "p")},
		"duplicate name": {policy.FromModule("m.rego", mod), policy.FromModule("m.rego", mod)},
	} {
		if _, err := policy.New(ctx, opts...); !errors.Is(err, policy.ErrLoad) {
			t.Errorf("%s: err = %v, want ErrLoad", name, err)
		}
	}
	if _, err := policy.New(ctx, policy.FromModule("x.rego", "package other\ndeny contains 1 if true")); !errors.Is(err, policy.ErrNoRules) {
		t.Errorf("no rules in main: %v", err)
	}
	if _, err := policy.New(ctx, policy.FromModule("x.rego", mod), policy.WithNamespaces("nope")); !errors.Is(err, policy.ErrNoRules) {
		t.Errorf("missing namespace: %v", err)
	}
}

func TestNamespacesAndAllow(t *testing.T) {
	ctx := t.Context()
	e, err := policy.New(ctx,
		policy.FromModule("a.rego", "package team.a\nviolation contains {\"msg\": \"va\", \"severity\": \"LOW\", \"code\": \"A1\"} if input.a\n"),
		policy.FromModule("b.rego", "package team.b\nwarn_x contains \"wb\" if input.b\nallow if input.ok\n"),
		policy.WithNamespaces("team.a", "team.b"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.Decide(ctx, map[string]any{"a": true, "b": true, "ok": true})
	if err != nil {
		t.Fatal(err)
	}
	if d.Allow || len(d.Deny) != 1 || d.Deny[0].Code != "A1" || d.Deny[0].Severity != "low" || d.Deny[0].Namespace != "team.a" || d.Deny[0].Rule != "violation" {
		t.Errorf("deny %+v", d.Deny)
	}
	if len(d.Warn) != 1 || d.Warn[0].Rule != "warn_x" || d.Warn[0].Namespace != "team.b" {
		t.Errorf("warn %+v", d.Warn)
	}
	if d, err := e.Decide(ctx, map[string]any{"ok": true}); err != nil || !d.Allow {
		t.Errorf("allowed input: %+v %v", d, err)
	}
	// allow without a default is undefined when false: an error, not a deny.
	if _, err := e.Decide(ctx, map[string]any{}); !errors.Is(err, policy.ErrUndefined) {
		t.Errorf("undefined allow: err = %v", err)
	}
}

func TestEvalErrorsFailClosed(t *testing.T) {
	ctx := t.Context()
	e, err := policy.New(ctx, policy.FromModule("e.rego", `package main
deny contains "bad time" if time.parse_rfc3339_ns(input.time) < 0
deny contains "conflict" if input.conflict
x := 1 if input.conflict
x := 2 if input.conflict
deny contains "x" if x > 5
deny contains msg if {
	some i in numbers.range(1, input.n)
	some j in numbers.range(1, input.n)
	i * j == -1
	msg := "never"
}
`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Decide(ctx, map[string]any{"time": "not a time"}); !errors.Is(err, policy.ErrEval) {
		t.Errorf("builtin error: %v", err)
	}
	var ee *policy.EvalError
	if _, err := e.Decide(ctx, map[string]any{"time": "2026-01-01T00:00:00Z", "conflict": true}); !errors.As(err, &ee) {
		t.Errorf("conflict: %v", err)
	}
	cctx, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	_, err = e.Decide(cctx, map[string]any{"time": "2026-01-01T00:00:00Z", "n": 5000})
	if !errors.Is(err, policy.ErrEval) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout: %v", err)
	}
	done, cancel2 := context.WithCancel(ctx)
	cancel2()
	if _, err := e.Decide(done, map[string]any{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestForbiddenBuiltins(t *testing.T) {
	ctx := t.Context()
	for name, src := range map[string]string{
		"http.send":          `deny contains "x" if http.send({"method": "get", "url": "http://127.0.0.1/"}).status_code == 200`,
		"net.lookup_ip_addr": `deny contains "x" if net.lookup_ip_addr("example.com")`,
		"opa.runtime":        `deny contains "x" if opa.runtime().env.HOME`,
		"time.now_ns":        `deny contains "x" if time.now_ns() > 0`,
		"rand.intn":          `deny contains "x" if rand.intn("s", 10) > 5`,
	} {
		_, err := policy.New(ctx, policy.FromModule("p.rego", "package main\n"+src+"\n"))
		if !errors.Is(err, policy.ErrForbiddenBuiltin) || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "p.rego:2") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	e, err := policy.New(ctx, policy.FromModule("p.rego", "package main\ndeny contains \"late\" if time.now_ns() > 0\n"), policy.WithBuiltinsUnsafe("time.now_ns"))
	if err != nil {
		t.Fatal(err)
	}
	if d, err := e.Decide(ctx, map[string]any{}); err != nil || d.Allow {
		t.Errorf("allowed builtin: %+v %v", d, err)
	}
	if _, err := policy.New(ctx, policy.FromModule("p.rego", "package main\ndeny contains 1 if false\n"), policy.WithBuiltinsUnsafe("http.send")); err == nil {
		t.Error("WithBuiltinsUnsafe(http.send) accepted")
	}
	// The network allow-list compiles http.send; OPA then refuses hosts
	// outside it at evaluation time (no request leaves the machine here).
	e, err = policy.New(ctx, policy.FromModule("p.rego", "package main\ndeny contains \"x\" if http.send({\"method\": \"get\", \"url\": \"http://blocked.invalid/\", \"raise_error\": true})\n"), policy.WithNetworkUnsafe("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Decide(ctx, map[string]any{}); err == nil || !strings.Contains(err.Error(), "disallowed host") {
		t.Errorf("host outside allow list: %v", err)
	}
}

func TestCustomBuiltinsPerEngine(t *testing.T) {
	ctx := t.Context()
	double := policy.NewBuiltin(&rego.Function{Name: "acme.double", Decl: types.NewFunction(types.Args(types.N), types.N)},
		func(_ rego.BuiltinContext, args []*ast.Term) (*ast.Term, error) {
			n, _ := args[0].Value.(ast.Number).Int()
			return ast.InternedTerm(2 * n), nil
		})
	src := "package main\ndeny contains \"big\" if acme.double(input.n) > 10\n"
	e, err := policy.New(ctx, policy.FromModule("p.rego", src), policy.WithBuiltin(double))
	if err != nil {
		t.Fatal(err)
	}
	if d, err := e.Decide(ctx, map[string]any{"n": 6}); err != nil || d.Allow {
		t.Errorf("custom builtin: %+v %v", d, err)
	}
	// Not registered globally: another engine does not know it.
	if _, err := policy.New(ctx, policy.FromModule("p.rego", src)); !errors.Is(err, policy.ErrLoad) {
		t.Errorf("builtin leaked to another engine: %v", err)
	}
	if _, ok := ast.BuiltinMap["acme.double"]; ok {
		t.Error("builtin registered globally")
	}
}

func TestChaingateBuiltins(t *testing.T) {
	ctx := t.Context()
	e, err := policy.New(ctx, policy.FromModule("b.rego", `package main
deny contains "semver" if chaingate.semver_compare("v1.10.0", "1.9.3") != 1
deny contains "semver_valid" if chaingate.semver_valid("banana")
deny contains "purl" if chaingate.purl_parse("pkg:npm/%40scope/name@1.0.0?arch=x86").namespace != "@scope"
deny contains "spdx or" if not chaingate.spdx_satisfies("MIT OR GPL-3.0-only", ["MIT"])
deny contains "spdx and" if chaingate.spdx_satisfies("MIT AND GPL-3.0-only", ["MIT"])
deny contains "spdx ids" if chaingate.spdx_licenses("(MIT OR Apache-2.0) AND BSD-3-Clause") != ["Apache-2.0", "BSD-3-Clause", "MIT"]
deny contains "spdx invalid" if chaingate.spdx_valid("MIT AND")
deny contains "bad purl" if {
	input.purl
	chaingate.purl_parse(input.purl)
}
`))
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.Decide(ctx, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Allow {
		t.Errorf("builtins misbehave: %+v", d.Deny)
	}
	if _, err := e.Decide(ctx, map[string]any{"purl": "not a purl"}); !errors.Is(err, policy.ErrEval) {
		t.Errorf("invalid purl should be an evaluation error, got %v", err)
	}
}

func TestConcurrentDecide(t *testing.T) {
	ctx := t.Context()
	f := loadBenchFixture(t)
	s := handPolicy(t)
	want, err := s.engine.Decide(ctx, &f.typed)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				var in any = &f.typed
				if i%2 == 1 {
					in = f.raw
				}
				d, err := s.engine.Decide(ctx, in)
				if err != nil {
					errs <- err
					return
				}
				if len(d.Deny) != len(want.Deny) || d.InputDigest != want.InputDigest {
					errs <- errors.New("concurrent decisions differ")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestExplain(t *testing.T) {
	ctx := t.Context()
	e, err := policy.New(ctx, policy.FromDir("testdata/conftest"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.Explain(ctx, decodeJSON(t, `{"artifact":{"name":"ghcr.io/acme/api","tag":"latest"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if d.Allow || !strings.Contains(d.Trace, "policy.rego:") || !strings.Contains(d.Trace, "input.artifact.tag") {
		t.Errorf("trace does not show the rule and input: %.500s", d.Trace)
	}
}

// writeBundle writes a bundle with one module to dir (as files) and to
// dir+".tar.gz", signed with HS256 and secret when secret is not empty.
func writeBundle(t testing.TB, dir, secret string) string {
	t.Helper()
	src := "package main\n\ndeny contains \"from bundle\" if input.bad\n"
	b := bundle.Bundle{
		Manifest: bundle.Manifest{Revision: "2026.06.01"},
		Modules:  []bundle.ModuleFile{{URL: "/main.rego", Path: "/main.rego", Raw: []byte(src), Parsed: ast.MustParseModule(src)}},
		Data:     map[string]any{"cfg": map[string]any{"x": 1}},
	}
	if secret != "" {
		if err := b.GenerateSignature(bundle.NewSigningConfig(secret, "HS256", ""), "k1", false); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := bundle.NewWriter(&buf).Write(b); err != nil {
		t.Fatal(err)
	}
	path := dir + ".tar.gz"
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBundles(t *testing.T) {
	ctx := t.Context()
	tmp := t.TempDir()
	unsigned := writeBundle(t, filepath.Join(tmp, "unsigned"), "")
	signed := writeBundle(t, filepath.Join(tmp, "signed"), "s3cret")

	e, err := policy.New(ctx, policy.FromBundle(unsigned))
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.Decide(ctx, map[string]any{"bad": true})
	if err != nil || d.Allow || d.Policy.Revision != "2026.06.01" {
		t.Fatalf("bundle decision %+v %v", d, err)
	}
	if _, err := policy.New(ctx, policy.FromBundle(signed), policy.WithBundleKey("k1", "s3cret", "HS256")); err != nil {
		t.Fatalf("signed bundle with the right key: %v", err)
	}
	for name, opts := range map[string][]policy.Option{
		"signed, no key":       {policy.FromBundle(signed)},
		"signed, wrong key":    {policy.FromBundle(signed), policy.WithBundleKey("k1", "other", "HS256")},
		"unsigned, key needed": {policy.FromBundle(unsigned), policy.WithBundleKey("k1", "s3cret", "HS256")},
	} {
		if _, err := policy.New(ctx, opts...); !errors.Is(err, policy.ErrBundleSignature) {
			t.Errorf("%s: err = %v, want ErrBundleSignature", name, err)
		}
	}
	// Tampering with a signed bundle's module breaks it.
	raw, _ := os.ReadFile(signed)
	tampered := filepath.Join(tmp, "tampered.tar.gz")
	if err := os.WriteFile(tampered, bytes.Replace(raw, []byte{0x1f, 0x8b}, []byte{0x1f, 0x8c}, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := policy.New(ctx, policy.FromBundle(tampered), policy.WithBundleKey("k1", "s3cret", "HS256")); err == nil {
		t.Error("corrupt bundle accepted")
	}
	// A gzip bomb: a small file that decompresses past the limits.
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	tw := tar.NewWriter(zw)
	_ = tw.WriteHeader(&tar.Header{Name: "/data.json", Mode: 0o644, Size: policy.MaxPolicyFileBytes + 1})
	_, _ = tw.Write(make([]byte, policy.MaxPolicyFileBytes+1))
	_ = tw.Close()
	_ = zw.Close()
	bombPath := filepath.Join(tmp, "bomb.tar.gz")
	if err := os.WriteFile(bombPath, bomb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := policy.New(ctx, policy.FromBundle(bombPath)); !errors.Is(err, policy.ErrLoad) || !strings.Contains(err.Error(), "more than") {
		t.Errorf("oversize bundle (%d bytes compressed): %v", bomb.Len(), err)
	}
	// A bundle directory.
	bdir := filepath.Join(tmp, "dir")
	if err := os.MkdirAll(bdir, 0o755); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(bdir, ".manifest"), []byte(`{"revision":"dir-1"}`), 0o644)
	_ = os.WriteFile(filepath.Join(bdir, "main.rego"), []byte("package main\ndeny contains \"d\" if input.bad\n"), 0o644)
	e, err = policy.New(ctx, policy.FromBundle(bdir))
	if err != nil {
		t.Fatal(err)
	}
	if e.Policy().Revision != "dir-1" {
		t.Errorf("revision %q", e.Policy().Revision)
	}
}

func FuzzBundle(f *testing.F) {
	tmp := f.TempDir()
	for _, secret := range []string{"", "k"} {
		p := writeBundle(f, filepath.Join(tmp, "seed"+secret), secret)
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "b.tar.gz")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		e, err := policy.New(t.Context(), policy.FromBundle(p), policy.WithNamespaces("main"))
		if err != nil {
			return
		}
		if _, err := e.Decide(t.Context(), map[string]any{"bad": true}); err != nil && !errors.Is(err, policy.ErrEval) && !errors.Is(err, policy.ErrUndefined) {
			t.Fatalf("loaded bundle fails oddly: %v", err)
		}
	})
}

func TestEngineIsImmutable(t *testing.T) {
	ctx := t.Context()
	cfg := map[string]any{"limits": map[string]any{"max": 3}}
	e, err := policy.New(ctx, policy.FromModule("m.rego", "package main\ndeny contains \"over\" if input.x > data.limits.max\n"), policy.WithData(cfg))
	if err != nil {
		t.Fatal(err)
	}
	cfg["limits"].(map[string]any)["max"] = 100 // the caller changes its map afterwards
	d, err := e.Decide(ctx, map[string]any{"x": 4})
	if err != nil || d.Allow {
		t.Fatalf("engine followed the caller's map: %+v %v", d, err)
	}
	d.Policy.Namespaces[0] = "changed"
	if e.Policy().Namespaces[0] != "main" {
		t.Error("a decision shares the engine's namespaces")
	}
	if _, err := policy.New(ctx, policy.FromModule("m.rego", "package main\ndeny contains 1 if false\n"), policy.WithData(map[string]any{"f": func() {}})); !errors.Is(err, policy.ErrLoad) {
		t.Errorf("non-JSON data: %v", err)
	}
}

func TestAllNamespaces(t *testing.T) {
	ctx := t.Context()
	e, err := policy.New(ctx,
		policy.FromModule("a.rego", "package team.a\ndeny contains \"a\" if input.a\n"),
		policy.FromModule("b.rego", "package team.b\nwarn contains \"b\" if input.b\n"),
		policy.FromModule("h.rego", "package helpers\nx := 1\n"),
		policy.WithAllNamespaces(), policy.WithLibrary(policy.LibraryImage))
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Policy().Namespaces; strings.Join(got, ",") != "team.a,team.b,chaingate.lib.image" {
		t.Errorf("namespaces %v", got)
	}
	d, err := e.Decide(ctx, map[string]any{"a": true, "b": true, "artifact": map[string]any{"name": "x", "type": "file"}})
	if err != nil || d.Allow || len(d.Deny) != 1 || len(d.Warn) != 1 {
		t.Errorf("decision %+v %v", d, err)
	}
}

func TestNamespacesDeduplicated(t *testing.T) {
	e, err := policy.New(t.Context(), policy.WithLibrary(policy.LibraryImage), policy.WithNamespaces("chaingate.lib.image", "chaingate.lib.image"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.Decide(t.Context(), &policy.Input{Artifact: policy.Artifact{Name: "x"}})
	if err != nil || len(d.Deny) != 1 || len(e.Policy().Namespaces) != 1 {
		t.Errorf("%v %+v %v", err, d, e.Policy().Namespaces)
	}
}
