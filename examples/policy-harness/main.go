// Command policy-harness shows how a team writes its own release rules in
// Rego beside chaingate's built-in library, and unit-tests them from
// `go test` with policytest (see main_test.go).
//
// It loads the policies in ./policies (embedded, so the program runs from
// anywhere), decides two inputs, and prints each decision with its reasons.
// Run: go run ./examples/policy-harness
package main

import (
	"context"
	"embed"
	"fmt"
	"io"
	"os"

	"github.com/chaingate/chaingate/policy"
)

//go:embed policies
var policies embed.FS

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "policy-harness:", err)
		os.Exit(2)
	}
}

func run(ctx context.Context, w io.Writer) error {
	engine, err := policy.New(ctx,
		policy.FromFS(policies, "policies"),
		policy.WithRevision("acme-policies@example"),
	)
	if err != nil {
		return err
	}
	inputs := []struct {
		name  string
		input policy.Input
	}{
		{"api to prod", policy.Input{
			SchemaVersion: policy.InputSchemaVersion,
			Artifact:      policy.Artifact{Name: "registry.acme.example/shop/api", Digest: "sha256:0d3c2f8a7b6e5d4c3b2a19f8e7d6c5b4a3928176f5e4d3c2b1a0f9e8d7c6b5a4"},
			SBOM: &policy.SBOM{Components: []policy.Component{
				{ID: "text", Name: "golang.org/x/text", Version: "v0.21.0", License: "BSD-3-Clause"},
			}},
			GitOps: &policy.GitOps{Environment: "prod"},
		}},
		{"renderer to prod", policy.Input{
			SchemaVersion: policy.InputSchemaVersion,
			Artifact:      policy.Artifact{Name: "docker.io/acme/renderer"},
			SBOM: &policy.SBOM{Components: []policy.Component{
				{ID: "gs", Name: "ghostscript", Version: "10.03.1", License: "AGPL-3.0-or-later"},
			}},
			GitOps: &policy.GitOps{Environment: "prod"},
		}},
	}
	for _, in := range inputs {
		d, err := engine.Decide(ctx, in.input)
		if err != nil {
			return fmt.Errorf("decide %s: %w", in.name, err)
		}
		verdict := "ALLOW"
		if !d.Allow {
			verdict = "DENY"
		}
		fmt.Fprintf(w, "%s: %s\n", in.name, verdict)
		for _, r := range d.Deny {
			fmt.Fprintf(w, "  deny  %s %s\n", r.Code, r.Message)
		}
		for _, r := range d.Warn {
			fmt.Fprintf(w, "  warn  %s %s\n", r.Code, r.Message)
		}
	}
	return nil
}
