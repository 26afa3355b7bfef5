package policy_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/chaingate/chaingate/policy"
)

// Classic conftest policies are Rego v0. They load, are evaluated with v0
// semantics, and are named in the decision; a real syntax error still
// fails the load.
func TestRegoV0ConftestPolicy(t *testing.T) {
	dir := t.TempDir()
	v0 := `package main

deny[msg] {
	input.kind == "Deployment"
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := "containers must not run as root"
}

warn[msg] {
	input.kind == "Deployment"
	not input.metadata.labels.team
	msg := sprintf("%s has no team label", [input.metadata.name])
}
`
	if err := os.WriteFile(filepath.Join(dir, "k8s.rego"), []byte(v0), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e, err := policy.New(ctx, policy.FromDir(dir))
	if err != nil {
		t.Fatalf("load v0 policy: %v", err)
	}
	d, err := e.Decide(ctx, map[string]any{"kind": "Deployment", "metadata": map[string]any{"name": "web"}})
	if err != nil {
		t.Fatal(err)
	}
	if d.Allow || len(d.Deny) != 1 || d.Deny[0].Message != "containers must not run as root" || len(d.Warn) != 1 || d.Warn[0].Message != "web has no team label" {
		t.Fatalf("decision %+v", d)
	}
	if got := d.Policy.RegoV0Modules; len(got) != 1 || filepath.Base(got[0]) != "k8s.rego" {
		t.Errorf("RegoV0Modules = %v", got)
	}
	ok, err := e.Decide(ctx, map[string]any{"kind": "Deployment", "metadata": map[string]any{"name": "web", "labels": map[string]any{"team": "a"}},
		"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"securityContext": map[string]any{"runAsNonRoot": true}}}}})
	if err != nil || !ok.Allow {
		t.Fatalf("compliant input: %+v %v", ok, err)
	}

	broken := filepath.Join(t.TempDir(), "broken.rego")
	if err := os.WriteFile(broken, []byte("package main\n\ndeny[msg] {\n\tmsg := \n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := policy.New(ctx, policy.FromDir(broken)); !errors.Is(err, policy.ErrLoad) {
		t.Fatalf("syntax error: %v, want ErrLoad", err)
	}
}
