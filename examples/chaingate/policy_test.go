package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chaingate/chaingate"
	"github.com/chaingate/chaingate/policy"
)

func writeJSONFile(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "input.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPolicyEval(t *testing.T) {
	// The policy-harness team rules: company registry only, no AGPL in prod.
	good := writeJSONFile(t, policy.Input{
		SchemaVersion: policy.InputSchemaVersion,
		Artifact:      policy.Artifact{Name: "registry.acme.example/shop/api", Digest: shopAPIDigest},
		SBOM:          &policy.SBOM{Components: []policy.Component{{ID: "text", Name: "golang.org/x/text", Version: "v0.21.0", License: "BSD-3-Clause"}}},
		GitOps:        &policy.GitOps{Environment: "prod"},
	})
	bad := writeJSONFile(t, policy.Input{
		SchemaVersion: policy.InputSchemaVersion,
		Artifact:      policy.Artifact{Name: "docker.io/acme/renderer", Digest: shopAPIDigest},
		SBOM:          &policy.SBOM{Components: []policy.Component{{ID: "gs", Name: "ghostscript", Version: "10.03.1", License: "AGPL-3.0-or-later"}}},
		GitOps:        &policy.GitOps{Environment: "prod"},
	})

	r := cli(t, "policy", "eval", good, "--policy", harnessPolicy, "--revision", "acme@test", "-o", "json").want(t, exitOK)
	var d policy.Decision
	r.decode(t, &d)
	if !d.Allow || d.SchemaVersion != policy.DecisionSchemaVersion || len(d.Deny) != 0 ||
		d.Policy.Revision != "acme@test" || !strings.HasPrefix(d.InputDigest, "sha256:") {
		t.Fatalf("decision %+v", d)
	}

	r = cli(t, "policy", "eval", bad, "--policy", harnessPolicy, "-o", "json").want(t, exitDenied)
	d = policy.Decision{}
	r.decode(t, &d)
	codes := map[string]bool{}
	for _, reason := range d.Deny {
		codes[reason.Code] = true
	}
	if d.Allow || !codes["ACME-001"] || !codes["ACME-002"] {
		t.Fatalf("decision %+v", d)
	}
	txt := cli(t, "policy", "eval", bad, "--policy", harnessPolicy).want(t, exitDenied).stdout
	if !strings.HasPrefix(txt, "DENY") || !strings.Contains(txt, "ACME-002") || !strings.Contains(txt, "ghostscript 10.03.1 is AGPL-3.0-or-later") {
		t.Errorf("text:\n%s", txt)
	}
	md := cli(t, "policy", "eval", bad, "--policy", harnessPolicy, "-o", "markdown").want(t, exitDenied).stdout
	if !strings.Contains(md, "denied") || !strings.Contains(md, "`ACME-001`") {
		t.Errorf("markdown:\n%s", md)
	}
	if r := cli(t, "policy", "eval", good, "--policy", harnessPolicy, "--explain"); r.code != exitOK || !strings.Contains(r.stdout, "trace:") {
		t.Errorf("explain: %d\n%s", r.code, r.stdout)
	}

	t.Run("built-in library on a gate's input", func(t *testing.T) {
		// The policy input the gate built from shop-api's real SBOM and
		// scan, decided again by the library alone.
		r := cli(t, append(shopAPIGate(), "-o", "json")...).want(t, exitDenied)
		var v chaingate.Verdict
		r.decode(t, &v)
		input := writeJSONFile(t, v.Input)
		r = cli(t, "policy", "eval", input, "--data", gateConfig, "-o", "json").want(t, exitDenied)
		var d policy.Decision
		r.decode(t, &d)
		if d.InputDigest != v.Decision.InputDigest || len(d.Deny) != len(v.Decision.Deny) {
			t.Errorf("library decision: %d denies on %s, the gate's: %d on %s", len(d.Deny), d.InputDigest, len(v.Decision.Deny), v.Decision.InputDigest)
		}
		if !hasCode(d.Deny, "CG-PROV-001") || !hasCode(d.Deny, "CG-VULN-002") {
			t.Errorf("denies lack CG-PROV-001 and CG-VULN-002: %+v", d.Deny)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		cli(t, "policy", "eval", bundlePath+"-missing").want(t, exitFailure)
		notJSON := filepath.Join(t.TempDir(), "in.json")
		os.WriteFile(notJSON, []byte("deny: true"), 0o644)
		cli(t, "policy", "eval", notJSON).want(t, exitFailure)
		cli(t, "policy", "eval", good, "--policy", t.TempDir()+"/none").want(t, exitFailure)
	})
}

func hasCode(rs []policy.Reason, code string) bool {
	for _, r := range rs {
		if r.Code == code {
			return true
		}
	}
	return false
}

func TestPolicyTest(t *testing.T) {
	r := cli(t, "policy", "test", harnessPolicy, "--coverage", "50", "-o", "json").want(t, exitOK)
	var rep policyTestReport
	r.decode(t, &rep)
	if rep.SchemaVersion != policyTestSchema || rep.Passed != 5 || rep.Failed != 0 || len(rep.Results) != 5 || rep.Coverage == nil || *rep.Coverage < 50 {
		t.Fatalf("report %+v", rep)
	}
	for _, res := range rep.Results {
		if res.Outcome != "pass" || !strings.HasPrefix(res.Name, "main_test/test_") || !strings.HasPrefix(res.Location, "release_test.rego:") {
			t.Errorf("result %+v", res)
		}
	}
	r = cli(t, "policy", "test", harnessPolicy, "--run", "agpl").want(t, exitOK)
	if !strings.Contains(r.stdout, "2 passed, 0 failed") {
		t.Errorf("filtered:\n%s", r.stdout)
	}

	t.Run("failing test", func(t *testing.T) {
		// The team's rules with one wrong expectation added.
		dir := t.TempDir()
		for _, f := range []string{"release.rego", "release_test.rego", "data.json"} {
			b, err := os.ReadFile(filepath.Join(harnessPolicy, f))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, f), b, 0o644)
		}
		os.WriteFile(filepath.Join(dir, "wrong_test.rego"), []byte(`package main_test

import rego.v1

import data.main

test_docker_hub_allowed if {
	count(main.deny_registry) == 0 with input as {"artifact": {"name": "docker.io/acme/api"}}
}
`), 0o644)
		r := cli(t, "policy", "test", dir, "-o", "json").want(t, exitDenied)
		var rep policyTestReport
		r.decode(t, &rep)
		if rep.Failed != 1 || rep.Passed != 5 {
			t.Fatalf("report %+v", rep)
		}
		for _, res := range rep.Results {
			if res.Name == "main_test/test_docker_hub_allowed" && (res.Outcome != "fail" || !strings.HasPrefix(res.Location, "wrong_test.rego:")) {
				t.Errorf("failing test %+v", res)
			}
		}
	})
	t.Run("built-in library", func(t *testing.T) {
		r := cli(t, "policy", "test", "library", "-o", "json").want(t, exitOK)
		var rep policyTestReport
		r.decode(t, &rep)
		if rep.Passed < 20 || rep.Failed != 0 {
			t.Errorf("library tests: %d passed, %d failed", rep.Passed, rep.Failed)
		}
	})
	t.Run("coverage below the bar", func(t *testing.T) {
		cli(t, "policy", "test", harnessPolicy, "--run", "agpl_allowed", "--coverage", "99").want(t, exitDenied)
	})
	t.Run("no tests", func(t *testing.T) {
		cli(t, "policy", "test", t.TempDir()).want(t, exitFailure)
	})
}
