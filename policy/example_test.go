package policy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing/fstest"

	"github.com/chaingate/chaingate/policy"
)

// New loads and prepares the policies once; Decide evaluates them over an
// input, here a plain map decoded from JSON.
func Example() {
	ctx := context.Background()
	engine, err := policy.New(ctx, policy.FromDir("testdata/conftest"))
	if err != nil {
		fmt.Println(err)
		return
	}
	var input map[string]any
	_ = json.Unmarshal([]byte(`{"artifact": {"name": "ghcr.io/acme/api", "tag": "latest", "digest": "sha256:6c3c"}}`), &input)
	d, err := engine.Decide(ctx, input)
	if err != nil {
		fmt.Println("not allowed:", err) // any error means not allowed
		return
	}
	fmt.Println("allow:", d.Allow)
	for _, r := range d.Deny {
		fmt.Printf("deny %s [%s, %s]: %s\n", r.Code, r.Severity, r.Location, r.Message)
	}
	for _, r := range d.Warn {
		fmt.Println("warn:", r.Message)
	}
	// Output:
	// allow: false
	// deny CG-IMG-001 [critical, testdata/conftest/policy.rego:9]: image ghcr.io/acme/api uses the latest tag
	// warn: no SBOM attached
}

// FromFS loads policies from any fs.FS, such as an embed.FS holding
// //go:embed policies/*.rego. Data files named data.json or data.yaml are
// placed at their directory's path.
func ExampleFromFS() {
	fsys := fstest.MapFS{
		"policies/registries.rego": {Data: []byte(`package main

deny contains msg if {
	not input.artifact.registry in data.allowed.registries
	msg := sprintf("registry %q is not allowed", [input.artifact.registry])
}
`)},
		"policies/allowed/data.yaml": {Data: []byte("registries: [ghcr.io, registry.acme.io]\n")},
	}
	ctx := context.Background()
	engine, err := policy.New(ctx, policy.FromFS(fsys, "policies"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, registry := range []string{"ghcr.io", "docker.io"} {
		d, err := engine.Decide(ctx, &policy.Input{Artifact: policy.Artifact{Name: "api", Registry: registry}})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(registry, d.Allow, len(d.Deny))
	}
	// Output:
	// ghcr.io true 0
	// docker.io false 1
}

// WithLibrary loads the built-in supply-chain library, configured through
// data rather than by editing Rego.
func ExampleWithLibrary() {
	ctx := context.Background()
	engine, err := policy.New(ctx,
		policy.WithLibrary(policy.LibraryImage, policy.LibraryVulnerabilities),
		policy.WithData(map[string]any{"chaingate": map[string]any{"config": map[string]any{
			"image": map[string]any{"allowed_registries": []any{"ghcr.io"}},
		}}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	in := &policy.Input{
		Time:     "2026-06-01T00:00:00Z",
		Artifact: policy.Artifact{Name: "docker.io/library/nginx", Registry: "docker.io", Tag: "1.27"},
		Risk: &policy.Risk{Findings: []policy.Finding{
			{ID: "CVE-2024-0001", Package: "openssl", Version: "3.0.1", Priority: "critical", KEV: true},
			{ID: "CVE-2024-0002", Package: "zlib", Version: "1.2.11", Priority: "high", KEV: true, Suppressed: true, VEXStatus: "not_affected"},
		}},
	}
	d, err := engine.Decide(ctx, in)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range d.Deny {
		fmt.Println(r.Code, r.Title)
	}
	// Output:
	// CG-IMG-001 Image not pinned by digest
	// CG-IMG-002 Registry not allowed
	// CG-VULN-001 Known exploited vulnerability
}

// PrepareInput converts an input once; DecideValue then decides it against
// several engines (one per environment, say) without converting it again.
func ExampleEngine_DecideValue() {
	ctx := context.Background()
	staging, _ := policy.New(ctx, policy.FromModule("staging.rego", `package main
warn contains "not signed" if not input.gitops.signed`))
	prod, _ := policy.New(ctx, policy.FromModule("prod.rego", `package main
deny contains "prod needs a signed commit" if not input.gitops.signed`))
	in, err := policy.PrepareInput(&policy.Input{Artifact: policy.Artifact{Name: "api"}, GitOps: &policy.GitOps{Environment: "prod"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for name, e := range map[string]*policy.Engine{"staging": staging, "prod": prod} {
		d, err := e.DecideValue(ctx, in)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(name, d.Allow, d.InputDigest == in.Digest())
	}
	// Unordered output:
	// staging true true
	// prod false true
}
