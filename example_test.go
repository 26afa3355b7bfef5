package chaingate_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sort"

	"github.com/chaingate/chaingate"
	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/verify"
)

// Compose a gate from a verifier, a vulnerability database and the
// built-in policy library, then evaluate a candidate: the npm package
// sigstore@2.0.0 with its real Sigstore provenance bundle and an SBOM.
func ExampleGate_Evaluate() {
	ctx := context.Background()
	read := func(name string) []byte {
		b, err := os.ReadFile("examples/release-gate/data/" + name)
		if err != nil {
			panic(err)
		}
		return b
	}

	trust, _ := verify.ParseTrustedRoot(read("trusted_root.json"))
	verifier, _ := verify.New(trust) // offline, safe defaults
	db, _ := vulndb.ReadIndex(bytes.NewReader(read("vulndb.idx")))
	engine, _ := policy.New(ctx, policy.WithLibrary(), policy.WithData(map[string]any{
		"chaingate": map[string]any{"config": map[string]any{
			"provenance": map[string]any{"allowed_builders": []any{"https://github.com/actions/runner/github-hosted"}},
		}},
	}))
	gate, err := chaingate.NewGate(chaingate.WithVerifier(verifier), chaingate.WithVulnDB(db), chaingate.WithPolicy(engine))
	if err != nil {
		panic(err)
	}

	verdict, err := gate.Evaluate(ctx, chaingate.Candidate{
		Image:        "registry.npmjs.org/sigstore:2.0.0",
		Digest:       "sha512:46d4e2f74c4877316640000a6fdf8a8b59f1e0847667973e9859f774dd31b8f1e0937813b777fb66a2ac67d50540fe34640966eee9fc2ccca387082b4c85cd3c",
		Attestations: [][]byte{read("sigstore-2.0.0.sigstore.json")},
		Identity: &verify.Identity{
			Issuer:                 "https://token.actions.githubusercontent.com",
			SubjectAlternativeName: "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
		},
		SBOM:        read("signer-service.cdx.json"),
		Environment: "prod",
	})
	if err != nil {
		fmt.Println("error:", err)
	}
	fmt.Println("allow:", verdict.Allow)
	for _, s := range verdict.Stages {
		fmt.Println(s.Name, s.Status)
	}
	fmt.Println("builder:", verdict.Input.Provenance.BuilderID)
	// Output:
	// allow: true
	// verify ok
	// sbom ok
	// risk ok
	// policy ok
	// builder: https://github.com/actions/runner/github-hosted
}

// A candidate without provenance and with known-vulnerable modules is
// denied; each reason names the rule that fired.
func ExampleVerdict_denied() {
	ctx := context.Background()
	idx, _ := os.ReadFile("examples/release-gate/data/vulndb.idx")
	sbomJSON, _ := os.ReadFile("examples/release-gate/data/shop-api.cdx.json")
	root, _ := os.ReadFile("examples/release-gate/data/trusted_root.json")
	trust, _ := verify.ParseTrustedRoot(root)
	verifier, _ := verify.New(trust)
	db, _ := vulndb.ReadIndex(bytes.NewReader(idx))
	engine, _ := policy.New(ctx, policy.WithLibrary())
	gate, _ := chaingate.NewGate(chaingate.WithVerifier(verifier), chaingate.WithVulnDB(db), chaingate.WithPolicy(engine))

	verdict, _ := gate.Evaluate(ctx, chaingate.Candidate{
		Image:  "ghcr.io/acme/shop-api:1.4.0",
		Digest: "sha256:ed036634c7533a39955b404c3b733432d3e756008380629ae791bf251f68e0c2",
		SBOM:   sbomJSON,
	})
	seen := map[string]bool{}
	var codes []string
	for _, r := range verdict.Reasons {
		if !seen[r.Code] {
			seen[r.Code] = true
			codes = append(codes, r.Code)
		}
	}
	sort.Strings(codes)
	fmt.Println("allow:", verdict.Allow)
	fmt.Println("rules:", codes)
	// Output:
	// allow: false
	// rules: [CG-PROV-001 CG-SBOM-002]
}
