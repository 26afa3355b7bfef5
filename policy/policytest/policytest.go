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
	"regexp"
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
	"github.com/open-policy-agent/opa/v1/topdown"
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

// Report is what Check and Run measured.
type Report struct {
	// Results are the Rego tests in the order OPA ran them.
	Results []Result
	// Passed, Failed and Skipped count the Rego tests.
	Passed, Failed, Skipped int
	// Coverage is the percentage of lines of the non-test modules that the
	// tests evaluated, when WithCoverage was given.
	Coverage float64
	// NotCovered lists "file:line-line" ranges not covered.
	NotCovered []string
}

// Result is one Rego test's outcome.
type Result struct {
	// Name is "<package>/<rule>" without "data." ("main/test_deny").
	Name string
	// Location is the test rule's "file:line".
	Location string
	// Outcome is "pass", "fail", "error" or "skip".
	Outcome string
	// Message says why a test failed or errored: the expression that was
	// false (with its "file:line") or the error, and any print output.
	Message string
}

// Check loads every .rego file (tests included) and data.json/data.yaml
// file under the fs.FS and runs each test_* rule, as Run does, outside of
// go test (a CI step, a CLI). It returns an error when the files do not
// load or compile or contain no test; failing tests are in the Report.
func Check(ctx context.Context, fsys fs.FS, opts ...Option) (*Report, error) {
	cfg := &config{dir: ".", timeout: 30 * time.Second}
	for _, o := range opts {
		o(cfg)
	}
	modules, store, err := load(fsys, cfg)
	if err != nil {
		return nil, fmt.Errorf("policytest: %w", err)
	}
	var cov *cover.Cover
	if cfg.covOn {
		cov = cover.New()
	}
	results, err := runTests(ctx, cfg, modules, store, cfg.filter, cov, false)
	if err != nil {
		return nil, err
	}
	// Rerun the failed tests with tracing to find the expression that was
	// false (tracing every test would be slow).
	var failed []string
	for _, r := range results {
		if r.Fail && r.Error == nil {
			failed = append(failed, regexp.QuoteMeta(r.Package+"."+r.Name))
		}
	}
	traced := map[string]*ast.Expr{}
	if len(failed) > 0 {
		again, err := runTests(ctx, cfg, modules, store, "^("+strings.Join(failed, "|")+")$", nil, true)
		if err == nil {
			for _, r := range again {
				if e := failedExpr(r); e != nil {
					traced[r.Package+"."+r.Name] = e
				}
			}
		}
	}
	rep := &Report{}
	for _, r := range results {
		res := Result{Name: strings.TrimPrefix(r.Package, "data.") + "/" + r.Name, Location: loc(r.Location)}
		switch {
		case r.Skip:
			res.Outcome = "skip"
			rep.Skipped++
		case r.Error != nil:
			res.Outcome = "error"
			res.Message = r.Error.Error() + output(r)
			rep.Failed++
		case r.Fail:
			res.Outcome = "fail"
			if e := traced[r.Package+"."+r.Name]; e != nil {
				res.Message = fmt.Sprintf("failed at %s: %s", loc(e.Location), e.String())
			} else {
				res.Message = "failed"
			}
			res.Message += output(r)
			rep.Failed++
		default:
			res.Outcome = "pass"
			rep.Passed++
		}
		rep.Results = append(rep.Results, res)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("policytest: %w", err)
	}
	if len(rep.Results) == 0 {
		return nil, fmt.Errorf("policytest: no test_ rules found under %s", cfg.dir)
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
	}
	return rep, nil
}

// Run runs Check and reports each Rego test, failing it with the Rego
// location when the test fails or errors. Given a *testing.T, each Rego
// test is a subtest named "<package>/<rule>"; any other testing.TB (a
// benchmark, or a test double checking the harness itself) gets one error
// per failing Rego test, naming it. It fails t when the files do not load
// or compile, when no test is found, or when coverage is below
// WithCoverage's threshold.
func Run(t testing.TB, fsys fs.FS, opts ...Option) *Report {
	t.Helper()
	cfg := &config{}
	for _, o := range opts {
		o(cfg)
	}
	rep, err := Check(t.Context(), fsys, opts...)
	if err != nil {
		t.Fatal(err)
		return &Report{}
	}
	tt, subtests := t.(*testing.T)
	for _, r := range rep.Results {
		if !subtests {
			if r.Outcome == "fail" || r.Outcome == "error" {
				t.Errorf("%s: %s %sed: %s", r.Location, r.Name, strings.TrimSuffix(r.Outcome, "e"), r.Message)
			}
			continue
		}
		tt.Run(r.Name, func(t *testing.T) {
			switch r.Outcome {
			case "skip":
				t.Skipf("%s: skipped (todo_ prefix)", r.Location)
			case "fail", "error":
				t.Errorf("%s: %s %sed: %s", r.Location, r.Name, strings.TrimSuffix(r.Outcome, "e"), r.Message)
			}
		})
	}
	if cfg.covOn && rep.Coverage < cfg.coverage {
		t.Errorf("policytest: coverage %.1f%% is below %.1f%%; not covered:\n\t%s", rep.Coverage, cfg.coverage, strings.Join(rep.NotCovered, "\n\t"))
	}
	return rep
}

// runTests compiles the modules afresh (the runner adds compiler stages)
// and runs the tests matching filter.
func runTests(ctx context.Context, cfg *config, modules map[string]*ast.Module, store storage.Store, filter string, cov *cover.Cover, trace bool) ([]*tester.Result, error) {
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
	runner := tester.NewRunner().
		SetCompiler(compiler).
		SetStore(store).
		AddCustomBuiltins(custom).
		SetTimeout(cfg.timeout).
		SetModules(modules).
		SetDefaultRegoVersion(ast.RegoV1).
		RaiseBuiltinErrors(true).
		CapturePrintOutput(true).
		EnableTracing(trace)
	if filter != "" {
		runner = runner.Filter(filter)
	}
	if cov != nil {
		runner = runner.SetCoverageQueryTracer(cov)
	}
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		return nil, fmt.Errorf("policytest: %w", err)
	}
	defer store.Abort(ctx, txn)
	ch, err := runner.RunTests(ctx, txn)
	if err != nil {
		return nil, fmt.Errorf("policytest: compile: %w", err)
	}
	var out []*tester.Result
	for r := range ch {
		out = append(out, r)
	}
	return out, nil
}

// failedExpr returns the first expression of the test's own body that
// failed, from its trace.
func failedExpr(r *tester.Result) *ast.Expr {
	if r.Location == nil {
		return nil
	}
	for _, ev := range r.Trace {
		if ev.Op != topdown.FailOp {
			continue
		}
		e, ok := ev.Node.(*ast.Expr)
		if !ok || e.Location == nil || e.Location.File != r.Location.File || e.Location.Row < r.Location.Row {
			continue
		}
		return e
	}
	return nil
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
