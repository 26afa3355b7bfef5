package policy_test

import (
	"testing"

	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/policy/policytest"
)

// TestLibraryRego runs the library's own Rego unit tests, with coverage.
func TestLibraryRego(t *testing.T) {
	rep := policytest.Run(t, policy.Library(), policytest.WithCoverage(90))
	if rep.Passed == 0 {
		t.Fatal("no library test passed")
	}
	t.Logf("library: %d passed, coverage %.1f%%", rep.Passed, rep.Coverage)
}
