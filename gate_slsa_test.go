package chaingate_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/chaingate/chaingate"
	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/provenance"
	"github.com/chaingate/chaingate/verify"
	"github.com/chaingate/chaingate/verify/verifytest"
)

// SLSA requirements on a candidate must be met by verified SLSA
// provenance: a plain signature, or no attestation at all, is a failed
// verify stage, whatever the policy says.
func TestEvaluateSLSARequiresProvenance(t *testing.T) {
	ctx := context.Background()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := signature.LoadECDSASignerVerifier(key, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	pemKey, err := cryptoutils.MarshalPublicKeyToPEM(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	artifact := []byte("release binary")
	sum := sha256.Sum256(artifact)
	bundle, err := provenance.SignArtifactBundle(ctx, signer, artifact)
	if err != nil {
		t.Fatal(err)
	}
	v, err := verify.New(nil, verify.WithPublicKey(pemKey), verify.WithKeySignaturesWithoutTlogUnsafe())
	if err != nil {
		t.Fatal(err)
	}
	// A policy that allows everything: only the gate's own checks can deny.
	permissive, err := policy.New(ctx, policy.FromModule("allow.rego", "package main\n\ndeny contains msg if {\n\tfalse\n\tmsg := \"never\"\n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	g := newGate(t, chaingate.WithVerifier(v), chaingate.WithPolicy(permissive))
	base := chaingate.Candidate{Image: "ghcr.io/acme/tool:1.0.0", Digest: "sha256:" + hex.EncodeToString(sum[:])}

	signed := base
	signed.Attestations = [][]byte{bundle}
	if v, err := g.Evaluate(ctx, signed); err != nil || !v.Allow {
		t.Fatalf("signed artifact without SLSA requirements: allow %v err %v", v.Allow, err)
	}

	slsa := &verify.SLSARequirements{BuilderIDs: []string{"https://github.com/actions/runner/github-hosted"}, SourceURI: "github.com/acme/tool"}
	for name, c := range map[string]chaingate.Candidate{
		"signature only":  {Image: base.Image, Digest: base.Digest, Attestations: [][]byte{bundle}, SLSA: slsa},
		"no attestations": {Image: base.Image, Digest: base.Digest, SLSA: slsa},
	} {
		t.Run(name, func(t *testing.T) {
			v, err := g.Evaluate(ctx, c)
			var se *chaingate.StageError
			if !errors.As(err, &se) || se.Stage != chaingate.StageVerify || v.Allow {
				t.Fatalf("allow %v err %v: want a verify StageError and a deny", v.Allow, err)
			}
		})
	}
}

// slsa-github-generator's workflows and the issue-14 acme/api build.
const (
	generatorWorkflows = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/"
	generatorContainer = generatorWorkflows + "generator_container_slsa3.yml@refs/tags/v2.1.0"
	acmeRepo           = "https://github.com/acme/api"
	acmeRef            = "refs/tags/v1.2.3"
	acmeCommit         = "1111111111111111111111111111111111111111"
	acmeRelease        = acmeRepo + "/.github/workflows/release.yml@" + acmeRef
)

// level3Policy is the built-in library asking for SLSA build level 3 from
// slsa-github-generator, without vulnerability or registry concerns.
func level3Policy(t *testing.T) *policy.Engine {
	t.Helper()
	e, err := policy.New(context.Background(), policy.WithLibrary(), policy.WithData(map[string]any{"chaingate": map[string]any{"config": map[string]any{
		"provenance": map[string]any{
			"allowed_builders": []any{"https://github.com/slsa-framework/slsa-github-generator/**"},
			"min_slsa_level":   3,
		},
		"vulnerabilities": map[string]any{"threshold": "critical"},
		"image":           map[string]any{"allowed_registries": []any{"ghcr.io"}},
		"gitops":          map[string]any{"require_signed_commits": false},
	}}}))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// acmeProvenance is SLSA v1 provenance for digest claiming the acme/api
// build at v1.2.3, with the given builder ID.
func acmeProvenance(t *testing.T, builder, digestHex string) []byte {
	t.Helper()
	st, err := provenance.NewSLSABuilder(builder, "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1").
		Subject("ghcr.io/acme/api", map[string]string{"sha256": digestHex}).
		ExternalParameter("workflow", map[string]any{"repository": acmeRepo, "ref": acmeRef, "path": ".github/workflows/release.yml"}).
		InternalParameter("github", map[string]any{"event_name": "push"}).
		ResolvedDependency("git+"+acmeRepo+"@"+acmeRef, map[string]string{"gitCommit": acmeCommit}).
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

// acmeCertificate is what Fulcio certifies for the acme/api build when
// the workflow signerURI signs (the generator's reusable workflow, or the
// repository's own).
func acmeCertificate(signerURI string) *verify.Extensions {
	return &verify.Extensions{
		BuildSignerURI: signerURI, RunnerEnvironment: "github-hosted",
		SourceRepositoryURI: acmeRepo, SourceRepositoryRef: acmeRef, SourceRepositoryDigest: acmeCommit,
		BuildConfigURI: acmeRelease, BuildTrigger: "push",
	}
}

type slsaFixture struct {
	vs     *verifytest.Sigstore
	gate   *chaingate.Gate
	digest string // hex sha256 of the image manifest
	sbom   []byte
}

func newSLSAFixture(t *testing.T, engine *policy.Engine) *slsaFixture {
	t.Helper()
	vs, err := verifytest.New()
	if err != nil {
		t.Fatal(err)
	}
	v, err := verify.New(vs.TrustedRoot(), verify.WithoutSCTUnsafe())
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("acme api image manifest"))
	return &slsaFixture{vs: vs, gate: newGate(t, chaingate.WithVerifier(v), chaingate.WithPolicy(engine)),
		digest: hex.EncodeToString(sum[:]), sbom: readData(t, "signer-service.cdx.json")}
}

func (f *slsaFixture) attest(t *testing.T, san, builder string, ext *verify.Extensions) []byte {
	t.Helper()
	b, err := f.vs.Attest(san, "https://token.actions.githubusercontent.com", acmeProvenance(t, builder, f.digest), verifytest.BundleOptions{Extensions: ext})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *slsaFixture) candidate(san string, attestations ...[]byte) chaingate.Candidate {
	return chaingate.Candidate{
		Image: "ghcr.io/acme/api:v1.2.3", Digest: "sha256:" + f.digest, Attestations: attestations,
		Identity: &verify.Identity{Issuer: "https://token.actions.githubusercontent.com", SubjectAlternativeName: san},
		SBOM:     f.sbom, Environment: "prod",
	}
}

// Issue 14, item 1: a bundle signed by acme/api's own release workflow
// whose provenance names slsa-github-generator as builder is not level 3,
// whether the builder ID is the generator's container builder or its
// reusable workflow, and whether the certificate carries GitHub's
// extensions or only its SAN. The genuine shape, signed by the generator's
// workflow, is level 3 and allowed by the same policy.
func TestEvaluateSelfClaimedBuilderIsNotLevel3(t *testing.T) {
	ctx := context.Background()
	f := newSLSAFixture(t, level3Policy(t))

	genuine := f.candidate(generatorContainer, f.attest(t, generatorContainer, generatorContainer, acmeCertificate(generatorContainer)))
	v, err := f.gate.Evaluate(ctx, genuine)
	if err != nil || !v.Allow || v.Input.Provenance == nil || v.Input.Provenance.SLSALevel != 3 {
		t.Fatalf("generator-signed provenance: allow %v, err %v, reasons %+v, provenance %+v", v.Allow, err, v.Reasons, v.Input.Provenance)
	}

	for _, builder := range []string{"https://github.com/slsa-framework/slsa-github-generator/container@v2", generatorContainer} {
		for name, ext := range map[string]*verify.Extensions{"SAN only": nil, "GitHub extensions": acmeCertificate(acmeRelease)} {
			t.Run(builder+" "+name, func(t *testing.T) {
				v, err := f.gate.Evaluate(ctx, f.candidate(acmeRelease, f.attest(t, acmeRelease, builder, ext)))
				if v.Allow {
					t.Fatalf("self-claimed builder allowed: %+v", v.Input.Provenance)
				}
				if v.Input != nil && v.Input.Provenance != nil && v.Input.Provenance.SLSALevel >= 3 {
					t.Fatalf("self-claimed builder given SLSA level %d", v.Input.Provenance.SLSALevel)
				}
				var se *chaingate.StageError
				if !errors.As(err, &se) || se.Stage != chaingate.StageVerify || !strings.Contains(err.Error(), verify.CheckSLSABuilder) {
					t.Errorf("want a verify stage error naming %s, got %v", verify.CheckSLSABuilder, err)
				}
			})
		}
	}
}

// Issue 14, item 2: acme/other's dev-branch workflow signs provenance
// claiming acme/api at v1.2.3; the candidate's SLSA requirements ask for
// acme/api at a 1.2 tag. The verify stage fails naming the source field.
func TestEvaluateForeignSourceFailsVerify(t *testing.T) {
	ctx := context.Background()
	f := newSLSAFixture(t, level3Policy(t))
	const other = "https://github.com/acme/other/.github/workflows/x.yml@refs/heads/dev"
	otherCert := &verify.Extensions{BuildSignerURI: other, RunnerEnvironment: "github-hosted",
		SourceRepositoryURI: "https://github.com/acme/other", SourceRepositoryRef: "refs/heads/dev", BuildConfigURI: other, BuildTrigger: "push"}
	for name, ext := range map[string]*verify.Extensions{"SAN only": nil, "GitHub extensions": otherCert} {
		t.Run(name, func(t *testing.T) {
			c := f.candidate(other, f.attest(t, other, "https://github.com/actions/runner/github-hosted", ext))
			c.Identity = &verify.Identity{Issuer: "https://token.actions.githubusercontent.com", SubjectAlternativeNameRegexp: `https://github\.com/acme/.+`}
			c.SLSA = &verify.SLSARequirements{BuilderIDs: []string{"https://github.com/actions/runner/github-hosted"}, SourceURI: "github.com/acme/api", Tag: "v1.2.3", VersionedTag: "^1.2"}
			v, err := f.gate.Evaluate(ctx, c)
			var se *chaingate.StageError
			if v.Allow || !errors.As(err, &se) || se.Stage != chaingate.StageVerify || !strings.Contains(err.Error(), verify.CheckSLSACertSource) {
				t.Fatalf("allow %v, err %v: want a verify stage error naming %s", v.Allow, err, verify.CheckSLSACertSource)
			}
		})
	}
}

// An SLSA failure in the second of two attestations is a stage error: the
// first attestation's good provenance must not hide it. A permissive
// policy leaves the gate's own handling as the only thing that can deny.
func TestEvaluateSLSAFailureInSecondAttestation(t *testing.T) {
	ctx := context.Background()
	permissive, err := policy.New(ctx, policy.FromModule("allow.rego", "package main\n\ndeny contains msg if {\n\tfalse\n\tmsg := \"never\"\n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := newSLSAFixture(t, permissive)
	good := f.attest(t, generatorContainer, generatorContainer, acmeCertificate(generatorContainer))
	// Signed by an identity the candidate accepts, but its provenance
	// claims a builder its certificate does not prove.
	bad := f.attest(t, generatorContainer, generatorWorkflows+"generator_generic_slsa3.yml@refs/tags/v2.1.0", acmeCertificate(generatorContainer))

	for name, slsa := range map[string]*verify.SLSARequirements{
		"without SLSA requirements": nil,
		"with SLSA requirements":    {BuilderIDs: []string{generatorWorkflows + "generator_container_slsa3.yml", generatorWorkflows + "generator_generic_slsa3.yml"}, SourceURI: "github.com/acme/api"},
	} {
		t.Run(name, func(t *testing.T) {
			one := f.candidate(generatorContainer, good)
			one.SLSA = slsa
			if v, err := f.gate.Evaluate(ctx, one); err != nil || !v.Allow {
				t.Fatalf("first attestation alone: allow %v, err %v", v.Allow, err)
			}
			two := f.candidate(generatorContainer, good, bad)
			two.SLSA = slsa
			v, err := f.gate.Evaluate(ctx, two)
			var se *chaingate.StageError
			if v.Allow || !errors.As(err, &se) || se.Stage != chaingate.StageVerify {
				t.Fatalf("allow %v, err %v: want a verify stage error", v.Allow, err)
			}
			if !strings.Contains(err.Error(), "attestation 1") || !strings.Contains(err.Error(), verify.CheckSLSABuilder) {
				t.Errorf("error does not name the second attestation's builder check: %v", err)
			}
			if len(v.Verification) != 2 || !v.Verification[0].Verified || v.Verification[1].Verified {
				t.Errorf("verification results: %+v", v.Verification)
			}
			if p := v.Input.Provenance; p == nil || p.Verified {
				t.Errorf("provenance input claims verified: %+v", p)
			}
		})
	}
}

// Real slsa-github-generator v2.1.0 provenance (slsa-verifier v2.7.1's test
// data, see verify/testdata/README.md) through the gate: level 3.
func TestEvaluateRealGeneratorProvenanceIsLevel3(t *testing.T) {
	ctx := context.Background()
	gha := filepath.Join("verify", "testdata", "slsa-verifier", "gha")
	bundle, err := os.ReadFile(filepath.Join(gha, "generic-v2.1.0-push-v14.intoto.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	digest, err := os.ReadFile(filepath.Join(gha, "generic-v2.1.0-push-v14.sha256"))
	if err != nil {
		t.Fatal(err)
	}
	g := newGate(t, chaingate.WithPolicy(level3Policy(t)))
	c := chaingate.Candidate{
		Image: "ghcr.io/slsa-framework/example-package:v14", Digest: "sha256:" + strings.TrimSpace(string(digest)),
		Attestations: [][]byte{bundle},
		Identity:     &verify.Identity{Issuer: "https://token.actions.githubusercontent.com", SubjectAlternativeNameRegexp: regexp.QuoteMeta(generatorWorkflows) + `.+`},
		SLSA:         &verify.SLSARequirements{BuilderIDs: []string{generatorWorkflows + "generator_generic_slsa3.yml"}, SourceURI: "github.com/slsa-framework/example-package", Tag: "v14"},
		SBOM:         readData(t, "signer-service.cdx.json"),
		Environment:  "prod",
	}
	v, err := g.Evaluate(ctx, c)
	if err != nil || !v.Allow {
		t.Fatalf("allow %v, err %v, reasons %+v", v.Allow, err, v.Reasons)
	}
	if p := v.Input.Provenance; p.SLSALevel != 3 || p.SourceRepository != "https://github.com/slsa-framework/example-package" || p.SourceRef != "refs/tags/v14" {
		t.Errorf("provenance input %+v", p)
	}
}
