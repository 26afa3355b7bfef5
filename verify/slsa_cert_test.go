package verify_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/provenance"
	"github.com/chaingate/chaingate/verify"
	"github.com/chaingate/chaingate/verify/verifytest"
)

const generatorWorkflows = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/"

// Real slsa-github-generator v2.1.0 provenance (slsa-verifier v2.7.1's
// test data): the certificate's SAN and Build Signer URI are the
// generator's reusable workflow, the builder ID names the same workflow,
// and the source extensions name the caller (example-package at v14).
// Each verifies with requirements held to the certificate, and its
// builder counts as proven; the maven builder, signed through the
// generator's delegator workflow, is a builder the certificate does not
// name, and is refused.
func TestSLSAGeneratorRealBundles(t *testing.T) {
	ctx := context.Background()
	v := newVerifier(t, loadRoot(t, "trusted_root_public_good.json"))
	id := &verify.Identity{Issuer: ghIssuer, SubjectAlternativeNameRegexp: regexpQuote(generatorWorkflows) + `.+@refs/tags/v2\.1\.0`, GitHubRepository: "slsa-framework/example-package"}
	src := verify.SLSARequirements{SourceURI: "github.com/slsa-framework/example-package", Tag: "v14", VersionedTag: ">= 14, < 15"}
	for _, tc := range []struct {
		name, bundle, builder, pred, workflow string
		artifact                              verify.Artifact
	}{
		{"generic v0.2", "generic-v2.1.0-push-v14.intoto.jsonl", "generator_generic_slsa3.yml", provenance.PredicateSLSAProvenanceV02,
			".github/workflows/verifier-e2e.all.workflow_dispatch.main.all.slsa3.yml", verify.ArtifactDigest("sha256", string(readFile(t, "slsa-verifier", "gha", "generic-v2.1.0-push-v14.sha256")))},
		{"go v0.2", "go-v2.1.0-push-v14.intoto.jsonl", "builder_go_slsa3.yml", provenance.PredicateSLSAProvenanceV02,
			".github/workflows/verifier-e2e.all.workflow_dispatch.main.all.slsa3.yml", verify.ArtifactDigest("sha256", string(readFile(t, "slsa-verifier", "gha", "go-v2.1.0-push-v14.sha256")))},
		{"container-based v1", "container-based-v2.1.0-push-v14.build.slsa", "builder_container-based_slsa3.yml", provenance.PredicateSLSAProvenanceV1,
			"", verify.ArtifactBytes(readFile(t, "slsa-verifier", "gha", "container-based-v2.1.0-push-v14"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := src
			req.BuilderIDs = []string{generatorWorkflows + tc.builder}
			res, err := v.VerifyBundle(ctx, readFile(t, "slsa-verifier", "gha", tc.bundle), verify.Requirements{Artifact: tc.artifact, Identity: id, PredicateType: tc.pred, SLSA: &req})
			if err != nil {
				t.Fatal(err)
			}
			want := generatorWorkflows + tc.builder + "@refs/tags/v2.1.0"
			if res.SLSA.BuilderID != want || !res.BuilderProven() {
				t.Errorf("builder %q proven %v, want %q proven", res.SLSA.BuilderID, res.BuilderProven(), want)
			}
			if res.SLSA.Ref != "refs/tags/v14" || res.SLSA.Commit != "4d329c75e7ec1725f7c9ce917a8799d408d06be3" || res.SLSA.Trigger != "push" || res.SLSA.Workflow != tc.workflow {
				t.Errorf("summary %+v", res.SLSA)
			}
			for _, c := range []string{verify.CheckSLSACertSource, verify.CheckSLSACertRef, verify.CheckSLSACertDigest, verify.CheckSLSACertTrigger} {
				if ck, ok := res.Check(c); !ok || !ck.Passed {
					t.Errorf("check %s: %+v %v", c, ck, ok)
				}
			}
			// The same bundle against a tag, branch or source it was not built from.
			for check, bad := range map[string]verify.SLSARequirements{
				verify.CheckSLSATag:          {BuilderIDs: req.BuilderIDs, Tag: "v13"},
				verify.CheckSLSAVersionedTag: {BuilderIDs: req.BuilderIDs, VersionedTag: "^15"},
				verify.CheckSLSABranch:       {BuilderIDs: req.BuilderIDs, Branch: "main"},
				verify.CheckSLSASource:       {BuilderIDs: req.BuilderIDs, SourceURI: "github.com/slsa-framework/slsa-github-generator"},
			} {
				_, err := v.VerifyBundle(ctx, readFile(t, "slsa-verifier", "gha", tc.bundle), verify.Requirements{Artifact: tc.artifact, Identity: id, SLSA: &bad})
				wantCheck(t, err, check, verify.ErrSLSARequirement)
			}
		})
	}
	t.Run("maven through the delegator", func(t *testing.T) {
		_, err := v.VerifyBundle(ctx, readFile(t, "slsa-verifier", "gha", "maven-v2.1.0-push-v14.build.slsa"), verify.Requirements{
			Artifact: verify.ArtifactBytes(readFile(t, "slsa-verifier", "gha", "maven-v2.1.0-push-v14")),
			Identity: id,
			SLSA:     &verify.SLSARequirements{BuilderIDs: []string{generatorWorkflows + "builder_maven_slsa3.yml"}},
		})
		wantCheck(t, err, verify.CheckSLSABuilder, verify.ErrSLSARequirement)
		if !strings.Contains(err.Error(), "delegator_lowperms-generic_slsa3.yml") {
			t.Errorf("error does not name the signing workflow: %v", err)
		}
	})
}

// A GitHub Actions build as Fulcio certifies it: the caller acme/api's
// release workflow at v1.2.3 calling slsa-github-generator's container
// generator.
const (
	atkGenerator = generatorWorkflows + "generator_container_slsa3.yml@refs/tags/v2.1.0"
	atkRepo      = "https://github.com/acme/api"
	atkRef       = "refs/tags/v1.2.3"
	atkCommit    = "1111111111111111111111111111111111111111"
	atkWorkflow  = ".github/workflows/release.yml"
)

func acmeExtensions() verify.Extensions {
	return verify.Extensions{
		BuildSignerURI:         atkGenerator,
		BuildSignerDigest:      "f7dd8c54c2067bafc12ca7a55595d5ee9b75204a",
		RunnerEnvironment:      "github-hosted",
		SourceRepositoryURI:    atkRepo,
		SourceRepositoryDigest: atkCommit,
		SourceRepositoryRef:    atkRef,
		BuildConfigURI:         atkRepo + "/" + atkWorkflow + "@" + atkRef,
		BuildConfigDigest:      atkCommit,
		BuildTrigger:           "push",
		RunInvocationURI:       atkRepo + "/actions/runs/1/attempts/1",
	}
}

// acmeStatement is SLSA v1 provenance of artifact in the GitHub Actions
// workflow build type, claiming the acme/api build above.
func acmeStatement(t testing.TB, builder string, artifact []byte) []byte {
	t.Helper()
	sum := sha256.Sum256(artifact)
	st, err := provenance.NewSLSABuilder(builder, "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1").
		Subject("ghcr.io/acme/api", map[string]string{"sha256": hex.EncodeToString(sum[:])}).
		ExternalParameter("workflow", map[string]any{"repository": atkRepo, "ref": atkRef, "path": atkWorkflow}).
		InternalParameter("github", map[string]any{"event_name": "push", "runner_environment": "github-hosted"}).
		ResolvedDependency("git+"+atkRepo+"@"+atkRef, map[string]string{"gitCommit": atkCommit}).
		Statement()
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every certificate extension the provenance is compared with, one case
// per field, on bundles from verifytest's in-process Sigstore: the
// genuine shape verifies (and its builder is proven); changing one field
// of the certificate fails the check that names that field, even though
// the signature, the identity and the provenance's own claims are fine.
func TestSLSACertificateExtensions(t *testing.T) {
	ctx := context.Background()
	vs, err := verifytest.New()
	if err != nil {
		t.Fatal(err)
	}
	v := newVerifier(t, vs.TrustedRoot(), verify.WithoutSCTUnsafe())
	artifact := []byte("acme api image manifest")
	generated := acmeStatement(t, atkGenerator, artifact)
	hosted := acmeStatement(t, "https://github.com/actions/runner/github-hosted", artifact)
	req := func(builder string) verify.Requirements {
		return verify.Requirements{
			Artifact: verify.ArtifactBytes(artifact),
			Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeNameRegexp: `https://github\.com/.+`},
			SLSA:     &verify.SLSARequirements{BuilderIDs: []string{builder}, SourceURI: "github.com/acme/api", Tag: "v1.2.3", VersionedTag: "^1.2"},
		}
	}
	generatorReq := req(strings.TrimSuffix(atkGenerator, "@refs/tags/v2.1.0"))
	hostedReq := req("https://github.com/actions/runner/github-hosted")

	tests := []struct {
		name      string
		san       string
		issuer    string
		statement []byte
		req       verify.Requirements
		change    func(e *verify.Extensions)
		wantCheck string // "" verifies
		wantField string // in the error
	}{
		{name: "generator, genuine", san: atkGenerator, statement: generated, req: generatorReq},
		{name: "runner, genuine", san: atkRepo + "/" + atkWorkflow + "@" + atkRef, statement: hosted, req: hostedReq,
			change: func(e *verify.Extensions) { e.BuildSignerURI = atkRepo + "/" + atkWorkflow + "@" + atkRef }},
		{name: "build signer URI", san: atkGenerator, statement: generated, req: generatorReq,
			change:    func(e *verify.Extensions) { e.BuildSignerURI = atkRepo + "/" + atkWorkflow + "@" + atkRef },
			wantCheck: verify.CheckSLSABuilder, wantField: "certificate was issued to workflow"},
		{name: "source repository URI", san: atkGenerator, statement: generated, req: generatorReq,
			change:    func(e *verify.Extensions) { e.SourceRepositoryURI = "https://github.com/acme/other" },
			wantCheck: verify.CheckSLSACertSource, wantField: "source repository"},
		{name: "source repository ref", san: atkGenerator, statement: generated, req: generatorReq,
			change:    func(e *verify.Extensions) { e.SourceRepositoryRef = "refs/heads/dev" },
			wantCheck: verify.CheckSLSACertRef, wantField: "source ref"},
		{name: "source repository digest", san: atkGenerator, statement: generated, req: generatorReq,
			change:    func(e *verify.Extensions) { e.SourceRepositoryDigest = strings.Repeat("2", 40) },
			wantCheck: verify.CheckSLSACertDigest, wantField: "source digest"},
		{name: "build config URI", san: atkGenerator, statement: generated, req: generatorReq,
			change:    func(e *verify.Extensions) { e.BuildConfigURI = atkRepo + "/.github/workflows/x.yml@" + atkRef },
			wantCheck: verify.CheckSLSACertBuildConfig, wantField: "build config"},
		{name: "build trigger", san: atkGenerator, statement: generated, req: generatorReq,
			change:    func(e *verify.Extensions) { e.BuildTrigger = "workflow_dispatch" },
			wantCheck: verify.CheckSLSACertTrigger, wantField: "build trigger"},
		{name: "runner environment", san: atkRepo + "/" + atkWorkflow + "@" + atkRef, statement: hosted, req: hostedReq,
			change: func(e *verify.Extensions) {
				e.BuildSignerURI = atkRepo + "/" + atkWorkflow + "@" + atkRef
				e.RunnerEnvironment = "self-hosted"
			},
			wantCheck: verify.CheckSLSABuilder, wantField: "runner environment"},
		{name: "issuer", san: atkRepo + "/" + atkWorkflow + "@" + atkRef, issuer: "https://gitlab.com", statement: hosted,
			req: verify.Requirements{Artifact: verify.ArtifactBytes(artifact), AnyIdentityUnsafe: true, SLSA: hostedReq.SLSA},
			change: func(e *verify.Extensions) {
				e.BuildSignerURI = atkRepo + "/" + atkWorkflow + "@" + atkRef
			},
			wantCheck: verify.CheckSLSABuilder, wantField: "not GitHub Actions"},
		{name: "deprecated GitHub extensions only (2022 certificates)", san: atkGenerator, statement: generated, req: generatorReq,
			change: func(e *verify.Extensions) {
				*e = verify.Extensions{BuildSignerURI: atkGenerator, GithubWorkflowRepository: "acme/other", GithubWorkflowRef: atkRef, GithubWorkflowSHA: atkCommit, GithubWorkflowTrigger: "push"}
			},
			wantCheck: verify.CheckSLSACertSource, wantField: "acme/other"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ext := acmeExtensions()
			if tc.change != nil {
				tc.change(&ext)
			}
			issuer := tc.issuer
			if issuer == "" {
				issuer = ghIssuer
			}
			b, err := vs.Attest(tc.san, issuer, tc.statement, verifytest.BundleOptions{Extensions: &ext})
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.VerifyBundle(ctx, b, tc.req)
			if tc.wantCheck == "" {
				if err != nil {
					t.Fatal(err)
				}
				if proven := res.BuilderProven(); proven != (tc.san == atkGenerator) {
					t.Errorf("BuilderProven = %v", proven)
				}
				return
			}
			wantCheck(t, err, tc.wantCheck, verify.ErrSLSARequirement)
			if !strings.Contains(err.Error(), tc.wantField) {
				t.Errorf("error does not name the field %q: %v", tc.wantField, err)
			}
			if res.Verified || res.BuilderProven() {
				t.Error("failed result still verified or proven")
			}
			// The same result read without requirements (as the gate does
			// when a candidate has none) fails the same way.
			loose := tc.req
			loose.SLSA = nil
			res, err = v.VerifyBundle(ctx, b, loose)
			if err != nil {
				t.Fatalf("signature alone: %v", err)
			}
			_, err = res.SLSAProvenance(nil)
			wantCheck(t, err, tc.wantCheck, verify.ErrSLSARequirement)
		})
	}
}

// Provenance that leaves out its source and ref cannot meet source or tag
// requirements by silence: they are held to the certificate, which says
// acme/other at a branch.
func TestSLSARequirementsHeldToCertificate(t *testing.T) {
	ctx := context.Background()
	vs, err := verifytest.New()
	if err != nil {
		t.Fatal(err)
	}
	v := newVerifier(t, vs.TrustedRoot(), verify.WithoutSCTUnsafe())
	artifact := []byte("acme api image manifest")
	sum := sha256.Sum256(artifact)
	st, err := provenance.NewSLSABuilder(atkGenerator, "https://slsa.dev/container-based-build/v0.1?draft").
		Subject("ghcr.io/acme/api", map[string]string{"sha256": hex.EncodeToString(sum[:])}).
		Statement()
	if err != nil {
		t.Fatal(err)
	}
	stJSON, err := st.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	ext := acmeExtensions()
	ext.SourceRepositoryURI = "https://github.com/acme/other"
	ext.SourceRepositoryRef = "refs/heads/dev"
	b, err := vs.Attest(atkGenerator, ghIssuer, stJSON, verifytest.BundleOptions{Extensions: &ext})
	if err != nil {
		t.Fatal(err)
	}
	for check, slsa := range map[string]verify.SLSARequirements{
		verify.CheckSLSASource:       {SourceURI: "github.com/acme/api"},
		verify.CheckSLSATag:          {Tag: "v1.2.3"},
		verify.CheckSLSAVersionedTag: {VersionedTag: "^1.2"},
	} {
		slsa.BuilderIDs = []string{atkGenerator}
		_, err := v.VerifyBundle(ctx, b, verify.Requirements{Artifact: verify.ArtifactBytes(artifact), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeName: atkGenerator}, SLSA: &slsa})
		wantCheck(t, err, check, verify.ErrSLSARequirement)
		if !strings.Contains(err.Error(), "signing certificate") {
			t.Errorf("%s: error does not say the certificate disagreed: %v", check, err)
		}
	}
	// What the certificate does prove is accepted, and fills the summary.
	res, err := v.VerifyBundle(ctx, b, verify.Requirements{Artifact: verify.ArtifactBytes(artifact), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeName: atkGenerator},
		SLSA: &verify.SLSARequirements{BuilderIDs: []string{atkGenerator}, SourceURI: "github.com/acme/other", Branch: "dev"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.SLSA.SourceURI != "https://github.com/acme/other" || res.SLSA.Ref != "refs/heads/dev" || res.SLSA.Commit != atkCommit {
		t.Errorf("summary not completed from the certificate: %+v", res.SLSA)
	}
}

// The two attacks of issue 14, replayed through VerifyBundle on certificates
// as verifytest issues them by default (SAN and issuer only) and with full
// GitHub extensions.
func TestSLSAAttacksFromIssue14(t *testing.T) {
	ctx := context.Background()
	vs, err := verifytest.New()
	if err != nil {
		t.Fatal(err)
	}
	v := newVerifier(t, vs.TrustedRoot(), verify.WithoutSCTUnsafe())
	artifact := []byte("acme api image manifest")
	attest := func(t *testing.T, san string, statement []byte, ext *verify.Extensions) []byte {
		b, err := vs.Attest(san, ghIssuer, statement, verifytest.BundleOptions{Extensions: ext})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	// 1. The repository's own release workflow signs provenance that names
	// slsa-github-generator as its builder.
	const ownWorkflow = atkRepo + "/" + atkWorkflow + "@" + atkRef
	for _, builder := range []string{"https://github.com/slsa-framework/slsa-github-generator/container@v2", atkGenerator} {
		ownExt := acmeExtensions()
		ownExt.BuildSignerURI = ownWorkflow
		for name, ext := range map[string]*verify.Extensions{"SAN only": nil, "GitHub extensions": &ownExt} {
			t.Run("self-claimed builder "+builder+" "+name, func(t *testing.T) {
				b := attest(t, ownWorkflow, acmeStatement(t, builder, artifact), ext)
				base, _, _ := strings.Cut(builder, "@")
				_, err := v.VerifyBundle(ctx, b, verify.Requirements{
					Artifact: verify.ArtifactBytes(artifact),
					Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeName: ownWorkflow},
					SLSA:     &verify.SLSARequirements{BuilderIDs: []string{base}},
				})
				wantCheck(t, err, verify.CheckSLSABuilder, verify.ErrSLSARequirement)
				res, err := v.VerifyBundle(ctx, b, verify.Requirements{Artifact: verify.ArtifactBytes(artifact), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeName: ownWorkflow}})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := res.SLSAProvenance(nil); err == nil || res.BuilderProven() {
					t.Fatalf("self-claimed builder accepted: proven %v, err %v", res.BuilderProven(), err)
				}
			})
		}
	}

	// 2. acme/other's workflow on a dev branch signs provenance claiming
	// acme/api at v1.2.3.
	const otherWorkflow = "https://github.com/acme/other/.github/workflows/x.yml@refs/heads/dev"
	otherExt := verify.Extensions{
		BuildSignerURI: otherWorkflow, RunnerEnvironment: "github-hosted",
		SourceRepositoryURI: "https://github.com/acme/other", SourceRepositoryRef: "refs/heads/dev", SourceRepositoryDigest: strings.Repeat("3", 40),
		BuildConfigURI: otherWorkflow, BuildTrigger: "push",
	}
	for name, ext := range map[string]*verify.Extensions{"SAN only": nil, "GitHub extensions": &otherExt} {
		t.Run("foreign source "+name, func(t *testing.T) {
			b := attest(t, otherWorkflow, acmeStatement(t, "https://github.com/actions/runner/github-hosted", artifact), ext)
			res, err := v.VerifyBundle(ctx, b, verify.Requirements{
				Artifact: verify.ArtifactBytes(artifact),
				Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeNameRegexp: `https://github\.com/acme/.+`},
				SLSA: &verify.SLSARequirements{BuilderIDs: []string{"https://github.com/actions/runner/github-hosted"},
					SourceURI: "github.com/acme/api", Tag: "v1.2.3", VersionedTag: "^1.2"},
			})
			wantCheck(t, err, verify.CheckSLSACertSource, verify.ErrSLSARequirement)
			if !strings.Contains(err.Error(), "acme/other") || res.Verified {
				t.Errorf("verified %v, err %v", res.Verified, err)
			}
			var ce *verify.CheckError
			if !errors.As(err, &ce) || ce.Check != verify.CheckSLSACertSource {
				t.Errorf("not a CheckError naming the source: %v", err)
			}
		})
	}
}

// A CI certificate from another issuer (GitLab's shape): its source and
// ref are compared like GitHub's, its builder claim is neither refused nor
// proven, and a foreign source still fails.
func TestSLSANonGitHubCertificate(t *testing.T) {
	ctx := context.Background()
	vs, err := verifytest.New()
	if err != nil {
		t.Fatal(err)
	}
	v := newVerifier(t, vs.TrustedRoot(), verify.WithoutSCTUnsafe())
	artifact := []byte("gitlab-built package")
	sum := sha256.Sum256(artifact)
	const (
		builder = "https://gitlab.com/acme/ci-builder"
		repo    = "https://gitlab.com/acme/api"
		san     = repo + "//.gitlab-ci.yml@refs/tags/v1.0.0"
	)
	st, err := provenance.NewSLSABuilder(builder, "https://gitlab.com/acme/ci-builder/buildtype@v1").
		Subject("api.tar.gz", map[string]string{"sha256": hex.EncodeToString(sum[:])}).
		ResolvedDependency("git+"+repo+"@refs/tags/v1.0.0", map[string]string{"sha1": atkCommit}).
		Statement()
	if err != nil {
		t.Fatal(err)
	}
	stJSON, err := st.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	req := verify.Requirements{
		Artifact: verify.ArtifactBytes(artifact),
		Identity: &verify.Identity{Issuer: "https://gitlab.com", SubjectAlternativeName: san},
		SLSA:     &verify.SLSARequirements{BuilderIDs: []string{builder}, SourceURI: "gitlab.com/acme/api", Tag: "v1.0.0"},
	}
	for _, tc := range []struct {
		name, source string
		wantCheck    string
	}{
		{"genuine", repo, ""},
		{"foreign source", "https://gitlab.com/acme/other", verify.CheckSLSACertSource},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ext := &verify.Extensions{BuildSignerURI: san, SourceRepositoryURI: tc.source, SourceRepositoryRef: "refs/tags/v1.0.0",
				SourceRepositoryDigest: atkCommit, BuildConfigURI: san, BuildTrigger: "push"}
			b, err := vs.Attest(san, "https://gitlab.com", stJSON, verifytest.BundleOptions{Extensions: ext})
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.VerifyBundle(ctx, b, req)
			if tc.wantCheck != "" {
				wantCheck(t, err, tc.wantCheck, verify.ErrSLSARequirement)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.BuilderProven() {
				t.Error("a GitLab builder counted as proven")
			}
		})
	}
}
