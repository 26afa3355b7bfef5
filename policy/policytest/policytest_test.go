package policytest_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/policy/policytest"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"
)

// TestRun is what a user writes: every test_ rule of testdata/policies as
// a subtest, with a coverage threshold.
func TestRun(t *testing.T) {
	rep := policytest.Run(t, os.DirFS("testdata/policies"), policytest.WithCoverage(100))
	if rep.Passed != 4 || rep.Coverage != 100 {
		t.Errorf("report %+v", rep)
	}
}

func TestCheckReportsFailuresWithLocations(t *testing.T) {
	rep, err := policytest.Check(t.Context(), os.DirFS("testdata/failing"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]policytest.Result{}
	for _, r := range rep.Results {
		got[r.Name] = r
	}
	if r := got["p_test/test_passes"]; r.Outcome != "pass" || r.Location != "p_test.rego:5" {
		t.Errorf("pass: %+v", r)
	}
	if r := got["p_test/test_fails"]; r.Outcome != "fail" || !strings.Contains(r.Message, "p_test.rego:10") || r.Location != "p_test.rego:9" {
		t.Errorf("fail: %+v", r)
	}
	if r := got["p_test/test_errors"]; r.Outcome != "error" || !strings.Contains(r.Message, "to_number") {
		t.Errorf("error: %+v", r)
	}
	if r := got["p_test/todo_test_later"]; r.Outcome != "skip" {
		t.Errorf("skip: %+v", r)
	}
	if rep.Passed != 1 || rep.Failed != 2 || rep.Skipped != 1 {
		t.Errorf("counts %+v", rep)
	}
}

func TestCheckErrors(t *testing.T) {
	ctx := t.Context()
	for name, fsys := range map[string]fstest.MapFS{
		"no tests":     {"p.rego": {Data: []byte("package p\nx := 1\n")}},
		"parse error":  {"p.rego": {Data: []byte("package p\nx := \n")}},
		"empty":        {},
		"network call": {"p_test.rego": {Data: []byte("package p\ntest_x if http.send({\"method\": \"get\", \"url\": \"http://127.0.0.1\"})\n")}},
	} {
		if _, err := policytest.Check(ctx, fsys); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	rep, err := policytest.Check(ctx, os.DirFS("testdata/failing"), policytest.WithFilter("test_passes"))
	if err != nil || len(rep.Results) != 1 {
		t.Errorf("filter: %+v %v", rep, err)
	}
}

func TestCoverageBelowThreshold(t *testing.T) {
	rep, err := policytest.Check(t.Context(), os.DirFS("testdata/policies"), policytest.WithCoverage(100), policytest.WithFilter("pinned"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Coverage >= 100 || len(rep.NotCovered) == 0 || !strings.HasPrefix(rep.NotCovered[0], "release.rego:") {
		t.Errorf("coverage %v not covered %v", rep.Coverage, rep.NotCovered)
	}
}

// Check runs a directory's Rego tests outside go test and says what
// failed, where.
func ExampleCheck() {
	rep, err := policytest.Check(context.Background(), os.DirFS("testdata/failing"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rep.Results {
		fmt.Println(r.Outcome, r.Name, r.Location)
	}
	fmt.Printf("%d passed, %d failed, %d skipped\n", rep.Passed, rep.Failed, rep.Skipped)
	// Unordered output:
	// pass p_test/test_passes p_test.rego:5
	// fail p_test/test_fails p_test.rego:9
	// error p_test/test_errors p_test.rego:13
	// skip p_test/todo_test_later p_test.rego:17
	// 1 passed, 2 failed, 1 skipped
}

func TestWithModules(t *testing.T) {
	rep := policytest.Run(t, os.DirFS("testdata/uselib"), policytest.WithModules(policy.Library()))
	if rep.Passed != 1 {
		t.Errorf("report %+v", rep)
	}
	// Without the library, its rules are undefined: the test fails.
	rep, err := policytest.Check(t.Context(), os.DirFS("testdata/uselib"))
	if err != nil || rep.Failed != 1 {
		t.Errorf("without the library: %+v %v", rep, err)
	}
}

func TestOptions(t *testing.T) {
	double := policy.NewBuiltin(&rego.Function{Name: "acme.double", Decl: types.NewFunction(types.Args(types.N), types.N)},
		func(_ rego.BuiltinContext, args []*ast.Term) (*ast.Term, error) {
			n, _ := args[0].Value.(ast.Number).Int()
			return ast.InternedTerm(2 * n), nil
		})
	fsys := fstest.MapFS{"p/p_test.rego": {Data: []byte("package p_test\n\ntest_double if acme.double(data.cfg.n) == 6\n")}}
	rep, err := policytest.Check(t.Context(), fsys, policytest.WithDir("p"), policytest.WithBuiltins(double),
		policytest.WithData(map[string]any{"cfg": map[string]any{"n": 3}}), policytest.WithTimeout(5*time.Second))
	if err != nil || rep.Passed != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	if _, err := policytest.Check(t.Context(), fsys, policytest.WithDir("p")); err == nil {
		t.Error("custom builtin available without WithBuiltins")
	}
}
