package policytest_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/policy/policytest"
)

// recorder is a testing.TB that records what Run reports instead of
// failing the test that runs it.
type recorder struct {
	testing.TB
	errors []string
	fatal  bool
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Error(args ...any) { r.errors = append(r.errors, fmt.Sprint(args...)) }

func (r *recorder) Fatal(args ...any) {
	r.fatal = true
	r.errors = append(r.errors, fmt.Sprint(args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = true
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// Run fails the test for each failing or erroring Rego test, naming it
// and its location, and for a coverage shortfall; a passing suite above
// its threshold reports nothing.
func TestRunReportsFailuresAndCoverage(t *testing.T) {
	r := &recorder{TB: t}
	rep := policytest.Run(r, os.DirFS("testdata/failing"))
	all := strings.Join(r.errors, "\n")
	if r.fatal || len(r.errors) != 2 || rep.Failed != 2 ||
		!strings.Contains(all, "p_test.rego:9: p_test/test_fails failed: failed at p_test.rego:10") ||
		!strings.Contains(all, "p_test/test_errors errored") || strings.Contains(all, "test_passes") {
		t.Errorf("failing suite reported %q (report %+v)", r.errors, rep)
	}

	r = &recorder{TB: t}
	policytest.Run(r, os.DirFS("testdata/policies"), policytest.WithCoverage(100), policytest.WithFilter("pinned"))
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "coverage") || !strings.Contains(r.errors[0], "is below 100.0%") || !strings.Contains(r.errors[0], "release.rego:") {
		t.Errorf("coverage shortfall reported %q", r.errors)
	}

	r = &recorder{TB: t}
	if rep := policytest.Run(r, os.DirFS("testdata/policies"), policytest.WithCoverage(100)); len(r.errors) != 0 || rep.Passed != 4 {
		t.Errorf("passing suite reported %q (report %+v)", r.errors, rep)
	}

	r = &recorder{TB: t}
	policytest.Run(r, os.DirFS("testdata/no-such-dir"))
	if !r.fatal {
		t.Errorf("a directory without tests did not fail the test: %q", r.errors)
	}
}
