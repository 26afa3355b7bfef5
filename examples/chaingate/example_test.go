package main

import (
	"fmt"
	"io"
	"os"
)

// The CLI's entry point, called in-process as the tests call it: validate a
// real SBOM and print the table a person sees.
func Example_sbomValidate() {
	code := run([]string{"sbom", "validate", "../release-gate/data/shop-api.cdx.json"}, os.Stdout, os.Stderr)
	fmt.Println("exit code", code)
	// Output:
	// ../release-gate/data/shop-api.cdx.json: valid cyclonedx-json 1.6, 16 components
	// exit code 0
}

// A policy decision that denies: the reasons go to stdout, most severe
// first, and the exit code is 1 (stderr, discarded here, says why).
func Example_policyEval() {
	code := run([]string{"policy", "eval", "testdata/renderer-input.json",
		"--policy", "../policy-harness/policies", "--revision", "acme-policies@v3"}, os.Stdout, io.Discard)
	fmt.Println("exit code", code)
	// Output:
	// DENY  (2 denies, 0 warnings, 0 excepted; policy acme-policies@v3)
	// KIND  SEVERITY  CODE      MESSAGE
	// deny  high      ACME-001  image docker.io/acme/renderer is not from registry.acme.example
	// deny  medium    ACME-002  ghostscript 10.03.1 is AGPL-3.0-or-later, not cleared for prod
	// exit code 1
}
