package verify_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/verify"
)

// Cases follow slsa-verifier v2.7.1's npm regression tests
// (cli/slsa-verifier/main_regression_test.go): same artifacts, sources,
// builder IDs and expected outcomes.
func TestSLSANpmRegression(t *testing.T) {
	ctx := context.Background()
	v := newVerifier(t, loadRoot(t, "trusted_root_public_good.json"))
	anyGH := &verify.Identity{Issuer: ghIssuer, SubjectAlternativeNameRegexp: `https://github\.com/.+`}
	const (
		ghHosted = "https://github.com/actions/runner/github-hosted"
		ghRunner = "https://github.com/actions/runner"
	)
	tests := []struct {
		name     string
		artifact string
		pred     string
		slsa     verify.SLSARequirements
		wantFail string
	}{
		{"v0.2 github-hosted", "supreme-googles-cli-v02-tag", "https://slsa.dev/provenance/v0.2",
			verify.SLSARequirements{BuilderIDs: []string{ghHosted, ghRunner}, SourceURI: "github.com/trishankatdatadog/supreme-goggles"}, ""},
		{"v0.2 short runner name", "supreme-googles-cli-v02-tag", "https://slsa.dev/provenance/v0.2",
			verify.SLSARequirements{BuilderIDs: []string{ghRunner}, SourceURI: "github.com/trishankatdatadog/supreme-goggles", Tag: "v1.0.5", VersionedTag: "^1.0"}, ""},
		{"v1 github-hosted", "gundam-visor-cli-v1-tag", "https://slsa.dev/provenance/v1",
			verify.SLSARequirements{BuilderIDs: []string{ghHosted}, SourceURI: "github.com/ramonpetgrave64/gundam-visor", Tag: "v1.0.1", BuildType: "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1"}, ""},
		{"v1 short runner name is not v1's builder", "gundam-visor-cli-v1-tag", "https://slsa.dev/provenance/v1",
			verify.SLSARequirements{BuilderIDs: []string{ghRunner}, SourceURI: "github.com/ramonpetgrave64/gundam-visor"}, verify.CheckSLSABuilder},
		{"v1 mismatch builder", "gundam-visor-cli-v1-tag", "https://slsa.dev/provenance/v1",
			verify.SLSARequirements{BuilderIDs: []string{ghHosted + "2"}, SourceURI: "github.com/ramonpetgrave64/gundam-visor"}, verify.CheckSLSABuilder},
		{"v0.2 mismatch builder", "supreme-googles-cli-v02-tag", "https://slsa.dev/provenance/v0.2",
			verify.SLSARequirements{BuilderIDs: []string{ghRunner + "2"}}, verify.CheckSLSABuilder},
		{"no builder allow-list", "gundam-visor-cli-v1-tag", "https://slsa.dev/provenance/v1",
			verify.SLSARequirements{SourceURI: "github.com/ramonpetgrave64/gundam-visor"}, verify.CheckSLSABuilder},
		{"v1 mismatch source", "gundam-visor-cli-v1-tag", "https://slsa.dev/provenance/v1",
			verify.SLSARequirements{BuilderIDs: []string{ghHosted}, SourceURI: "github.com/ramonpetgrave64/gundam-visor2"}, verify.CheckSLSASource},
		{"v0.2 mismatch source", "supreme-googles-cli-v02-tag", "https://slsa.dev/provenance/v0.2",
			verify.SLSARequirements{BuilderIDs: []string{ghRunner}, SourceURI: "github.com/trishankatdatadog/supreme-goggles-other"}, verify.CheckSLSASource},
		{"tag, not branch", "gundam-visor-cli-v1-tag", "https://slsa.dev/provenance/v1",
			verify.SLSARequirements{BuilderIDs: []string{ghHosted}, Branch: "main"}, verify.CheckSLSABranch},
		{"wrong tag", "gundam-visor-cli-v1-tag", "https://slsa.dev/provenance/v1",
			verify.SLSARequirements{BuilderIDs: []string{ghHosted}, Tag: "v1.0.2"}, verify.CheckSLSATag},
		{"versioned tag too new", "gundam-visor-cli-v1-tag", "https://slsa.dev/provenance/v1",
			verify.SLSARequirements{BuilderIDs: []string{ghHosted}, VersionedTag: ">= 1.1"}, verify.CheckSLSAVersionedTag},
		{"wrong build type", "supreme-googles-cli-v02-tag", "https://slsa.dev/provenance/v0.2",
			verify.SLSARequirements{BuilderIDs: []string{ghRunner}, BuildType: "https://github.com/npm/cli/gha/v1"}, verify.CheckSLSABuildType},
		{"publish attestation is not provenance", "gundam-visor-cli-v1-tag", "https://github.com/npm/attestation/tree/main/specs/publish/v0.1",
			verify.SLSARequirements{BuilderIDs: []string{ghHosted}}, verify.CheckIdentity},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := npmAttestation(t, tc.artifact+".tgz.json", tc.pred)
			slsa := tc.slsa
			res, err := v.VerifyBundle(ctx, b, verify.Requirements{
				Artifact: verify.ArtifactBytes(readFile(t, "slsa-verifier", tc.artifact+".tgz")),
				Identity: anyGH,
				SLSA:     &slsa,
			})
			if tc.wantFail != "" {
				wantCheck(t, err, tc.wantFail, nil)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.SLSA == nil || res.SLSA.BuilderID == "" || res.SLSA.SourceURI == "" {
				t.Errorf("summary %+v", res.SLSA)
			}
		})
	}
}

func TestSLSABuilderIDVersions(t *testing.T) {
	st := testStatement(t, []byte("x"))
	for _, tc := range []struct {
		allowed []string
		ok      bool
	}{
		{[]string{"https://github.com/actions/runner/github-hosted"}, true},
		{[]string{"https://github.com/actions/runner/github-hosted@v2"}, false},
		{[]string{"https://github.com/actions/runner"}, false},
	} {
		_, err := verify.CheckSLSA(st, &verify.SLSARequirements{BuilderIDs: tc.allowed})
		if (err == nil) != tc.ok {
			t.Errorf("%v: err = %v, want ok=%v", tc.allowed, err, tc.ok)
		}
	}
}

// slsa-verifier's Bazel Central Registry cases (GitHub artifact
// attestations, bundle v0.3, 2025): the builder is the reusable workflow
// in the certificate, and a look-alike attestation from another workflow
// ("wrong signer") must fail.
func TestBCRGitHubAttestations(t *testing.T) {
	ctx := context.Background()
	v := newVerifier(t, loadRoot(t, "trusted_root_public_good.json"))
	const publisher = "https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml"
	req := verify.Requirements{
		Artifact: verify.ArtifactBytes(readFile(t, "slsa-verifier", "bcr", "MODULE.bazel")),
		Identity: &verify.Identity{
			Issuer:                       ghIssuer,
			SubjectAlternativeNameRegexp: regexpQuote(publisher) + `@refs/tags/v.*`,
			GitHubRepository:             "aspect-build/rules_lint",
		},
		PredicateType: "https://slsa.dev/provenance/v1",
		SLSA: &verify.SLSARequirements{
			BuilderIDs: []string{publisher},
			SourceURI:  "github.com/aspect-build/rules_lint",
			Branch:     "publish-to-bcr",
			BuildType:  "https://actions.github.io/buildtypes/workflow/v1",
		},
	}
	res, err := v.VerifyBundle(ctx, readFile(t, "slsa-verifier", "bcr", "MODULE.bazel.intoto.jsonl"), req)
	if err != nil {
		t.Fatalf("MODULE.bazel: %v", err)
	}
	if res.BundleVersion != "v0.3" {
		t.Errorf("bundle version %s", res.BundleVersion)
	}
	if res.SLSA.BuilderID != publisher+"@refs/tags/v0.0.1" {
		t.Errorf("builder %q", res.SLSA.BuilderID)
	}
	_, err = v.VerifyBundle(ctx, readFile(t, "slsa-verifier", "bcr", "MODULE-wrong-signer.bazel.intoto.jsonl"), req)
	wantCheck(t, err, verify.CheckIdentity, verify.ErrIdentityMismatch)
	// Even with any identity accepted, the SLSA builder allow-list refuses it.
	loose := req
	loose.Identity = nil
	loose.AnyIdentityUnsafe = true
	_, err = v.VerifyBundle(ctx, readFile(t, "slsa-verifier", "bcr", "MODULE-wrong-signer.bazel.intoto.jsonl"), loose)
	wantCheck(t, err, verify.CheckSLSABuilder, verify.ErrSLSARequirement)
	// Another builder in the allow-list: the release workflow did not make this one.
	loose.SLSA = &verify.SLSARequirements{BuilderIDs: []string{"https://github.com/bazel-contrib/.github/.github/workflows/release_ruleset.yaml"}}
	_, err = v.VerifyBundle(ctx, readFile(t, "slsa-verifier", "bcr", "MODULE.bazel.intoto.jsonl"), loose)
	wantCheck(t, err, verify.CheckSLSABuilder, verify.ErrSLSARequirement)
}

func regexpQuote(s string) string { return regexp.QuoteMeta(s) }

// A verified Result's SLSA provenance is read together with its signer: a
// builder ID naming a workflow other than the one the certificate was
// issued to is refused even when no SLSA requirements are given, so a
// caller that only reads the summary (the root gate) cannot be fooled by
// copied provenance.
func TestResultSLSAProvenanceChecksSigner(t *testing.T) {
	ctx := context.Background()
	v := newVerifier(t, loadRoot(t, "trusted_root_public_good.json"))
	loose := verify.Requirements{AnyIdentityUnsafe: true}

	loose.Artifact = verify.ArtifactBytes(readFile(t, "slsa-verifier", "bcr", "MODULE.bazel"))
	res, err := v.VerifyBundle(ctx, readFile(t, "slsa-verifier", "bcr", "MODULE.bazel.intoto.jsonl"), loose)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := res.SLSAProvenance(nil)
	if err != nil || !strings.HasPrefix(sum.BuilderID, "https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@") {
		t.Fatalf("genuine provenance: %+v, %v", sum, err)
	}

	loose.Artifact = verify.ArtifactBytes(readFile(t, "slsa-verifier", "bcr", "MODULE-wrong-signer.bazel"))
	res, err = v.VerifyBundle(ctx, readFile(t, "slsa-verifier", "bcr", "MODULE-wrong-signer.bazel.intoto.jsonl"), loose)
	if err != nil {
		t.Fatalf("the signature itself is valid: %v", err)
	}
	_, err = res.SLSAProvenance(nil)
	wantCheck(t, err, verify.CheckSLSABuilder, verify.ErrSLSARequirement)
	if res.Verified {
		t.Error("result still marked verified after the builder check failed")
	}
	if _, err := (&verify.Result{}).SLSAProvenance(nil); !errors.Is(err, verify.ErrInvalidInput) {
		t.Errorf("unverified result: %v", err)
	}
}
