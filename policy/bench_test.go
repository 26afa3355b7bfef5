package policy_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chaingate/chaingate/policy"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"go.yaml.in/yaml/v3"
)

// benchFixture is testdata/bench: input.json (200 components and 30
// vulnerabilities from real data), a hand-written release policy
// (policy.rego) and the built-in library's configuration (config.yaml).
type benchFixture struct {
	typed  policy.Input
	raw    map[string]any
	config map[string]any
}

func loadBenchFixture(tb testing.TB) *benchFixture {
	tb.Helper()
	b, err := os.ReadFile("testdata/bench/input.json")
	if err != nil {
		tb.Fatal(err)
	}
	f := &benchFixture{}
	if err := json.Unmarshal(b, &f.typed); err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(b, &f.raw); err != nil {
		tb.Fatal(err)
	}
	cb, err := os.ReadFile("testdata/bench/config.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	if err := yaml.Unmarshal(cb, &f.config); err != nil {
		tb.Fatal(err)
	}
	return f
}

// benchSetup is an engine and the raw OPA query equivalent to it.
type benchSetup struct {
	engine *policy.Engine
	raw    rego.PreparedEvalQuery
}

// handPolicy loads testdata/bench/policy.rego into an engine and into raw
// OPA with the engine's own query: the same module and custom functions,
// no chaingate code on the evaluation path.
func handPolicy(tb testing.TB) benchSetup {
	tb.Helper()
	e, err := policy.New(context.Background(), policy.FromDir("testdata/bench"))
	if err != nil {
		tb.Fatal(err)
	}
	src, err := os.ReadFile("testdata/bench/policy.rego")
	if err != nil {
		tb.Fatal(err)
	}
	return benchSetup{e, rawQuery(tb, e.Query(), nil, map[string]string{"policy.rego": string(src)})}
}

// libraryPolicy is the built-in library configured by config.yaml.
func libraryPolicy(tb testing.TB, f *benchFixture) benchSetup {
	tb.Helper()
	e, err := policy.New(context.Background(), policy.WithLibrary(), policy.WithDataFile("testdata/bench/config.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	return benchSetup{e, rawQuery(tb, e.Query(), f.config, libMods(tb))}
}

// libMods returns the library's modules, without their tests.
func libMods(tb testing.TB) map[string]string {
	tb.Helper()
	mods := map[string]string{}
	err := fs.WalkDir(policy.Library(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") || strings.HasSuffix(p, "_test.rego") {
			return err
		}
		src, err := fs.ReadFile(policy.Library(), p)
		mods[p] = string(src)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return mods
}

func rawQuery(tb testing.TB, query string, data map[string]any, modules map[string]string) rego.PreparedEvalQuery {
	tb.Helper()
	if data == nil {
		data = map[string]any{}
	}
	opts := []func(*rego.Rego){
		rego.Query(query),
		rego.Store(inmem.NewFromObject(data)),
		rego.SetRegoVersion(ast.RegoV1),
	}
	for name, src := range modules {
		opts = append(opts, rego.Module(name, src))
	}
	for _, b := range policy.Builtins() {
		opts = append(opts, b.RegoOption())
	}
	pq, err := rego.New(opts...).PrepareForEval(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return pq
}

// BenchmarkDecide compares chaingate's Decide with raw OPA prepared
// evaluation of the same query over the same policy, in one run:
//
//	raw-opa/map-input       rego.EvalInput(map[string]any)   (OPA converts the map)
//	raw-opa/struct-input    rego.EvalInput(policy.Input)     (OPA round-trips JSON)
//	raw-opa/reused-value    rego.EvalParsedInput(ast.Value)  (converted once)
//	chaingate/typed         Decide(ctx, *policy.Input)       (direct conversion, digest, reasons)
//	chaingate/map           Decide(ctx, map[string]any)
//	chaingate/prepared      DecideValue(ctx, *PreparedInput) (converted once)
//
// "hand" is testdata/bench/policy.rego, "library" the built-in library.
// Targets on "hand": chaingate/typed <= 0.85 x raw-opa/map-input and
// chaingate/prepared <= 1.1 x raw-opa/reused-value, in cpu-ns/op.
func BenchmarkDecide(b *testing.B) {
	ctx := context.Background()
	f := loadBenchFixture(b)
	value, err := ast.InterfaceToValue(f.raw)
	if err != nil {
		b.Fatal(err)
	}
	for _, setup := range []struct {
		name string
		s    benchSetup
	}{{"hand", handPolicy(b)}, {"library", libraryPolicy(b, f)}} {
		e, pq := setup.s.engine, setup.s.raw
		prepared, err := e.PrepareInput(&f.typed)
		if err != nil {
			b.Fatal(err)
		}
		raw := func(opt rego.EvalOption) func(b *testing.B) {
			return func(b *testing.B) {
				loopCPU(b, func() {
					rs, err := pq.Eval(ctx, opt)
					if err != nil || len(rs) != 1 {
						b.Fatal(err, len(rs))
					}
				})
			}
		}
		b.Run(setup.name+"/raw-opa/map-input", raw(rego.EvalInput(f.raw)))
		b.Run(setup.name+"/raw-opa/struct-input", raw(rego.EvalInput(f.typed)))
		b.Run(setup.name+"/raw-opa/reused-value", raw(rego.EvalParsedInput(value)))
		decide := func(in any) func(b *testing.B) {
			return func(b *testing.B) {
				loopCPU(b, func() {
					d, err := e.Decide(ctx, in)
					if err != nil || d.Allow {
						b.Fatal(err, d)
					}
				})
			}
		}
		b.Run(setup.name+"/chaingate/typed", decide(&f.typed))
		b.Run(setup.name+"/chaingate/map", decide(f.raw))
		b.Run(setup.name+"/chaingate/prepared", func(b *testing.B) {
			loopCPU(b, func() {
				d, err := e.DecideValue(ctx, prepared)
				if err != nil || d.Allow {
					b.Fatal(err, d)
				}
			})
		})
	}
}

// BenchmarkConvert measures the input conversion alone.
func BenchmarkConvert(b *testing.B) {
	f := loadBenchFixture(b)
	b.Run("raw-opa/InterfaceToValue-map", func(b *testing.B) {
		loopCPU(b, func() {
			if _, err := ast.InterfaceToValue(f.raw); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("chaingate/PrepareInput-typed", func(b *testing.B) {
		loopCPU(b, func() {
			if _, err := policy.PrepareInput(&f.typed); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkDecideRatio measures the two targets as paired ratios: each
// round runs batches of the baseline and of chaingate back to back (in
// ABBA order) and charges each its process CPU time, so both see the same
// machine load (the benchmark machines are shared) and the same garbage
// collection carried over from the batch before. One op is one round.
//
//	typed/map          Decide(*policy.Input) vs raw OPA EvalInput(map)        target <= 0.85
//	prepared/reused    DecideValue(prepared) vs raw OPA EvalParsedInput(value) target <= 1.1
func BenchmarkDecideRatio(b *testing.B) {
	ctx := context.Background()
	f := loadBenchFixture(b)
	value, err := ast.InterfaceToValue(f.raw)
	if err != nil {
		b.Fatal(err)
	}
	for _, setup := range []struct {
		name string
		s    benchSetup
	}{{"hand", handPolicy(b)}, {"library", libraryPolicy(b, f)}} {
		e, pq := setup.s.engine, setup.s.raw
		prepared, err := e.PrepareInput(&f.typed)
		if err != nil {
			b.Fatal(err)
		}
		const batch = 5
		timed := func(fn func()) time.Duration {
			start := cpuTime()
			for range batch {
				fn()
			}
			return cpuTime() - start
		}
		rawMap := func() {
			if _, err := pq.Eval(ctx, rego.EvalInput(f.raw)); err != nil {
				b.Fatal(err)
			}
		}
		rawReused := func() {
			if _, err := pq.Eval(ctx, rego.EvalParsedInput(value)); err != nil {
				b.Fatal(err)
			}
		}
		typed := func() {
			if _, err := e.Decide(ctx, &f.typed); err != nil {
				b.Fatal(err)
			}
		}
		prep := func() {
			if _, err := e.DecideValue(ctx, prepared); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(setup.name, func(b *testing.B) {
			var tMap, tTyped, tReused, tPrep time.Duration
			for b.Loop() {
				// ABBA order: the garbage one batch leaves is collected
				// during the next, so each side follows each side equally.
				tMap += timed(rawMap)
				tTyped += timed(typed)
				tTyped += timed(typed)
				tMap += timed(rawMap)
				tReused += timed(rawReused)
				tPrep += timed(prep)
				tPrep += timed(prep)
				tReused += timed(rawReused)
			}
			b.ReportMetric(float64(tTyped)/float64(tMap), "typed/map")
			b.ReportMetric(float64(tPrep)/float64(tReused), "prepared/reused")
			n := float64(2 * b.N * batch)
			b.ReportMetric(float64(tMap)/n, "map-cpu-ns")
			b.ReportMetric(float64(tTyped)/n, "typed-cpu-ns")
			b.ReportMetric(float64(tReused)/n, "reused-cpu-ns")
			b.ReportMetric(float64(tPrep)/n, "prepared-cpu-ns")
		})
	}
}

// TestBenchBaselineEquivalent checks that the raw OPA baseline of the
// benchmarks computes the same results as the engine: the same deny and
// warn messages from the same query.
func TestBenchBaselineEquivalent(t *testing.T) {
	ctx := t.Context()
	f := loadBenchFixture(t)
	for name, s := range map[string]benchSetup{"hand": handPolicy(t), "library": libraryPolicy(t, f)} {
		d, err := s.engine.Decide(ctx, &f.typed)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := s.raw.Eval(ctx, rego.EvalInput(f.raw))
		if err != nil || len(rs) != 1 {
			t.Fatal(err)
		}
		var rawCount int
		for _, v := range rs[0].Bindings {
			if arr, ok := v.([]any); ok && len(arr) == 1 {
				if set, ok := arr[0].([]any); ok {
					rawCount += len(set)
				}
			}
		}
		if got := len(d.Deny) + len(d.Warn) + len(d.Exceptions); got != rawCount || got == 0 {
			t.Errorf("%s: engine has %d results, raw OPA %d", name, got, rawCount)
		}
	}
}
