package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/policy/policytest"
)

// TestPolicies is the harness a team copies: every test_ rule in ./policies
// runs as a subtest, and the build fails below 90% coverage of the rules.
func TestPolicies(t *testing.T) {
	rep := policytest.Run(t, os.DirFS("policies"), policytest.WithCoverage(90))
	if rep.Passed < 5 {
		t.Errorf("ran %d passing Rego tests, want the 5 in release_test.rego", rep.Passed)
	}
}

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"api to prod: ALLOW",
		"renderer to prod: DENY",
		"ACME-001 image docker.io/acme/renderer is not from registry.acme.example",
		"ACME-002 ghostscript 10.03.1 is AGPL-3.0-or-later, not cleared for prod",
		"warn  ACME-003 image docker.io/acme/renderer has no digest",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
