// Package policytest runs Rego unit tests (rules named test_*) from go test,
// with the same capabilities and custom builtins as a policy.Engine: the
// network and non-deterministic builtins are absent and chaingate's
// builtins are present, so a test passes only if production could run it.
//
//	func TestPolicies(t *testing.T) {
//		policytest.Run(t, os.DirFS("policies"), policytest.WithCoverage(80))
//	}
//
// Each Rego test is a subtest named "<package>/<rule>"; a failure reports
// the Rego file and line of the test and of the expression that failed.
package policytest

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chaingate/chaingate/policy"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// Option configures Run.
type Option func(*config)

type config struct {
	coverage  float64
	covOn     bool
	data      map[string]any
	builtins  []policy.Builtin
	filter    string
	dir       string
	timeout   time.Duration
	withExtra []fs.FS
}

// WithCoverage makes Run measure coverage of the non-test modules and fail
// the test when it is below percent (0..100). Report.Coverage is set
// either way.
func WithCoverage(percent float64) Option {
	return func(c *config) { c.coverage, c.covOn = percent, true }
}

// WithData adds a data document, as policy.WithData does.
func WithData(data map[string]any) Option {
	return func(c *config) { c.data = data }
}

// WithBuiltins adds custom functions (the ones given to the Engine with
// policy.WithBuiltin).
func WithBuiltins(b ...policy.Builtin) Option {
	return func(c *config) { c.builtins = append(c.builtins, b...) }
}

// WithFilter runs only the tests whose "<package>.<rule>" matches the
// regular expression.
func WithFilter(regex string) Option {
	return func(c *config) { c.filter = regex }
}

// WithDir runs the tests under dir inside the fs.FS (default ".").
func WithDir(dir string) Option {
	return func(c *config) { c.dir = dir }
}

// WithTimeout bounds each Rego test (default 30s).
func WithTimeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// WithModules loads the modules of another fs.FS too (for example
// policy.Library() when the tests under test import the library).
func WithModules(fsys fs.FS) Option {
	return func(c *config) { c.withExtra = append(c.withExtra, fsys) }
}

// Report is what Run measured.
type Report struct {
	// Passed, Failed and Skipped count the Rego tests.
	Passed, Failed, Skipped int
	// Coverage is the percentage of lines of the non-test modules that the
	// tests evaluated, when WithCoverage was given.
	Coverage float64
	// NotCovered lists "file:line-line" ranges not covered.
	NotCovered []string
}

// Run loads every .rego file (tests included) and data.json/data.yaml file
// under the fs.FS and runs each test_* rule as a subtest of t. It fails t
// when a file does not load or compile, when no test is found, when a test
// fails or errors, or when coverage is below WithCoverage's threshold.
func Run(t *testing.T, fsys fs.FS, opts ...Option) *Report {
	t.Helper()
	cfg := &config{dir: ".", timeout: 30 * time.Second}
	for _, o := range opts {
		o(cfg)
	}
	rep := &Report{}
	modules, store, err := load(fsys, cfg)
	if err != nil {
		t.Fatalf("policytest: %v", err)
		return rep
	}
	caps := policy.Capabilities()
	custom := []*tester.Builtin{}
	for _, b := range append(slices.Clone(policy.Builtins()), cfg.builtins...) {
		custom = append(custom, &tester.Builtin{Decl: b.Decl(), Func: b.RegoOption()})
		if !slices.ContainsFunc(caps.Builtins, func(x *ast.Builtin) bool { return x.Name == b.Name() }) {
			caps.Builtins = append(caps.Builtins, b.Decl())
		}
	}
	compiler := ast.NewCompiler().
		WithCapabilities(caps).
		WithDefaultRegoVersion(ast.RegoV1).
		WithEnablePrintStatements(true)
	ctx := context.Background()
	var cov *cover.Cover
	runner := tester.NewRunner().
		SetCompiler(compiler).
		SetStore(store).
		AddCustomBuiltins(custom).
		SetTimeout(cfg.timeout).
		SetModules(modules).
		SetDefaultRegoVersion(ast.RegoV1).
		RaiseBuiltinErrors(true).
		CapturePrintOutput(true)
	if cfg.filter != "" {
		runner = runner.Filter(cfg.filter)
	}
	if cfg.covOn {
		cov = cover.New()
		runner = runner.SetCoverageQueryTracer(cov)
	}
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		t.Fatalf("policytest: %v", err)
		return rep
	}
	defer store.Abort(ctx, txn)
	ch, err := runner.RunTests(ctx, txn)
	if err != nil {
		t.Fatalf("policytest: compile: %v", err)
		return rep
	}
	var results []*tester.Result
	for r := range ch {
		results = append(results, r)
	}
	if len(results) == 0 {
		t.Fatalf("policytest: no test_ rules found under %s", cfg.dir)
		return rep
	}
	for _, r := range results {
		name := strings.TrimPrefix(r.Package, "data.") + "/" + r.Name
		t.Run(name, func(t *testing.T) {
			switch {
			case r.Skip:
				rep.Skipped++
				t.Skipf("%s: skipped (todo_ prefix)", loc(r.Location))
			case r.Error != nil:
				rep.Failed++
				t.Errorf("%s: %s errored: %v%s", loc(r.Location), r.Name, r.Error, output(r))
			case r.Fail:
				rep.Failed++
				at := ""
				if r.FailedAt != nil {
					at = fmt.Sprintf("\n\tfailed at %s: %s", loc(r.FailedAt.Location), r.FailedAt.String())
				}
				t.Errorf("%s: %s failed%s%s", loc(r.Location), r.Name, at, output(r))
			default:
				rep.Passed++
			}
		})
	}
	if cov != nil {
		policies := map[string]*ast.Module{}
		for name, m := range modules {
			if !strings.HasSuffix(name, "_test.rego") {
				policies[name] = m
			}
		}
		cr := cov.Report(policies)
		rep.Coverage = cr.Coverage
		files := make([]string, 0, len(cr.Files))
		for f := range cr.Files {
			files = append(files, f)
		}
		sort.Strings(files)
		for _, f := range files {
			for _, rg := range cr.Files[f].NotCovered {
				rep.NotCovered = append(rep.NotCovered, fmt.Sprintf("%s:%d-%d", f, rg.Start.Row, rg.End.Row))
			}
		}
		if cr.Coverage < cfg.coverage {
			t.Errorf("policytest: coverage %.1f%% is below %.1f%%; not covered:\n\t%s", cr.Coverage, cfg.coverage, strings.Join(rep.NotCovered, "\n\t"))
		}
	}
	return rep
}

func loc(l *ast.Location) string {
	if l == nil {
		return "?"
	}
	return fmt.Sprintf("%s:%d", l.File, l.Row)
}

func output(r *tester.Result) string {
	if len(r.Output) == 0 {
		return ""
	}
	return "\n\tprint output:\n\t" + strings.ReplaceAll(strings.TrimSpace(string(r.Output)), "\n", "\n\t")
}

// load reads modules and data with OPA's loader (so file names and data
// paths are those `opa test` would use).
func load(fsys fs.FS, cfg *config) (map[string]*ast.Module, storage.Store, error) {
	modules := map[string]*ast.Module{}
	data := map[string]any{}
	all := append([]fs.FS{fsys}, cfg.withExtra...)
	for i, f := range all {
		dir := "."
		if i == 0 {
			dir = cfg.dir
		}
		res, err := loader.NewFileLoader().
			WithFS(f).
			WithRegoVersion(ast.RegoV1).
			WithProcessAnnotation(true).
			WithCapabilities(policy.Capabilities()).
			Filtered([]string{dir}, func(abspath string, info fs.FileInfo, depth int) bool {
				if info.IsDir() {
					return false
				}
				name := info.Name()
				return !(strings.HasSuffix(name, ".rego") || name == "data.json" || name == "data.yaml" || name == "data.yml")
			})
		if err != nil {
			return nil, nil, fmt.Errorf("load: %w", err)
		}
		for name, m := range res.ParsedModules() {
			if i > 0 {
				if strings.HasSuffix(name, "_test.rego") {
					continue
				}
				name = fmt.Sprintf("extra%d/%s", i, name)
			}
			modules[name] = m
		}
		if err := merge(data, res.Documents); err != nil {
			return nil, nil, err
		}
	}
	if err := merge(data, cfg.data); err != nil {
		return nil, nil, err
	}
	if len(modules) == 0 {
		return nil, nil, fmt.Errorf("no .rego files under %s", cfg.dir)
	}
	return modules, inmem.NewFromObject(data), nil
}

func merge(dst, src map[string]any) error {
	for k, v := range src {
		old, ok := dst[k]
		if !ok {
			dst[k] = v
			continue
		}
		om, ok1 := old.(map[string]any)
		nm, ok2 := v.(map[string]any)
		if !ok1 || !ok2 {
			return fmt.Errorf("data key %q is set twice", k)
		}
		if err := merge(om, nm); err != nil {
			return err
		}
	}
	return nil
}
