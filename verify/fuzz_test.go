package verify_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/provenance"
	"github.com/chaingate/chaingate/verify"
)

// FuzzVerifyBundle feeds arbitrary bundle JSON to a Verifier that trusts
// the public-good root and a key: nothing may panic, and whatever does
// not verify must come back as a *CheckError with an unverified Result.
func FuzzVerifyBundle(f *testing.F) {
	for _, dir := range []string{"sigstore-go", "release-gate", "slsa-verifier/gha", "slsa-verifier/bcr"} {
		entries, _ := os.ReadDir(filepath.Join("testdata", dir))
		for _, e := range entries {
			if ext := filepath.Ext(e.Name()); ext == ".json" || ext == ".jsonl" || ext == ".slsa" {
				b, err := os.ReadFile(filepath.Join("testdata", dir, e.Name()))
				if err == nil {
					f.Add(b)
				}
			}
		}
	}
	tr := loadRoot(f, "trusted_root_public_good.json")
	v := newVerifier(f, tr, verify.WithPublicKey(readFile(f, "release-gate", "public_key.pem")), verify.WithKeySignaturesWithoutTlogUnsafe())
	req := verify.Requirements{Artifact: verify.ArtifactDigest("sha256", "0000000000000000000000000000000000000000000000000000000000000000"), AnyIdentityUnsafe: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := v.VerifyBundle(context.Background(), data, req)
		if err == nil {
			// Only a bundle over the all-zero digest could verify, which
			// would need a forged signature.
			t.Fatalf("fuzzed bundle verified: %+v", res)
		}
		if res != nil && res.Verified {
			t.Fatal("error with Verified result")
		}
	})
}

// FuzzVerifyEnvelope: arbitrary DSSE envelopes against the real VSA key
// never panic and never verify unless they are the real VSA.
func FuzzVerifyEnvelope(f *testing.F) {
	vsaEnv := readFile(f, "slsa-verifier", "gke-gce-pre.bcid-vsa.jsonl")
	f.Add(vsaEnv)
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"sig":"AA=="}]}`))
	v := newVerifier(f, nil, verify.WithPublicKey(readFile(f, "slsa-verifier", "vsa_signing_public_key.pem")), verify.WithKeySignaturesWithoutTlogUnsafe())
	req := verify.Requirements{Artifact: verify.NoArtifactUnsafe()}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := v.VerifyEnvelope(context.Background(), data, req)
		if err != nil {
			if res != nil && res.Verified {
				t.Fatal("error with Verified result")
			}
			return
		}
		// Only the genuine statement can carry a valid signature.
		if res.Statement == nil || res.Statement.PredicateType != "https://slsa.dev/verification_summary/v1" {
			t.Fatalf("forged envelope verified: %+v", res.Statement)
		}
	})
}

// FuzzSLSAProvenance feeds arbitrary provenance and certificate
// extensions to the SLSA checks of a verified result: nothing panics, a
// builder counts as proven only when the certificate names exactly it,
// and a source the provenance claims is never accepted when the
// certificate records another. Seeds: the real slsa-github-generator
// bundles' statements and certificates, and the issue-14 attack shapes.
func FuzzSLSAProvenance(f *testing.F) {
	for _, name := range []string{"generic-v2.1.0-push-v14.intoto.jsonl", "go-v2.1.0-push-v14.intoto.jsonl", "container-based-v2.1.0-push-v14.build.slsa"} {
		b, err := provenance.ParseBundle(readFile(f, "slsa-verifier", "gha", name))
		if err != nil {
			f.Fatal(err)
		}
		st, err := b.Statement()
		if err != nil {
			f.Fatal(err)
		}
		payload, err := st.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		gen := generatorWorkflows + (map[string]string{
			"generic-v2.1.0-push-v14.intoto.jsonl":       "generator_generic_slsa3.yml",
			"go-v2.1.0-push-v14.intoto.jsonl":            "builder_go_slsa3.yml",
			"container-based-v2.1.0-push-v14.build.slsa": "builder_container-based_slsa3.yml",
		}[name]) + "@refs/tags/v2.1.0"
		const repo = "https://github.com/slsa-framework/example-package"
		f.Add(payload, ghIssuer, gen, gen, repo, "refs/tags/v14", "4d329c75e7ec1725f7c9ce917a8799d408d06be3",
			repo+"/.github/workflows/verifier-e2e.all.workflow_dispatch.main.all.slsa3.yml@refs/tags/v14", "push")
		// The same provenance under the caller's own workflow (issue 14, item 1).
		own := repo + "/.github/workflows/release.yml@refs/tags/v14"
		f.Add(payload, ghIssuer, own, own, repo, "refs/tags/v14", "", "", "")
		// Signed by another repository's dev branch (issue 14, item 2).
		other := "https://github.com/acme/other/.github/workflows/x.yml@refs/heads/dev"
		f.Add(payload, ghIssuer, other, "", "", "", "", "", "")
		f.Add(payload, ghIssuer, other, other, "https://github.com/acme/other", "refs/heads/dev", "", other, "push")
	}
	// Issue 14's generated shapes: acme/api provenance naming the
	// generator, signed by acme/api's own release workflow; and claiming
	// acme/api, signed by acme/other's dev branch.
	own := atkRepo + "/" + atkWorkflow + "@" + atkRef
	f.Add(acmeStatement(f, "https://github.com/slsa-framework/slsa-github-generator/container@v2", []byte("x")), ghIssuer, own, own, atkRepo, atkRef, atkCommit, own, "push")
	f.Add(acmeStatement(f, atkGenerator, []byte("x")), ghIssuer, own, "", "", "", "", "", "")
	f.Add(acmeStatement(f, atkGenerator, []byte("x")), ghIssuer, atkGenerator, atkGenerator, atkRepo, atkRef, atkCommit, own, "push")
	other := "https://github.com/acme/other/.github/workflows/x.yml@refs/heads/dev"
	f.Add(acmeStatement(f, "https://github.com/actions/runner/github-hosted", []byte("x")), ghIssuer, other, "", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, statement []byte, issuer, san, signer, source, ref, digest, config, trigger string) {
		st, err := provenance.ParseStatement(statement)
		if err != nil {
			return
		}
		res := &verify.Result{Verified: true, Statement: st, Signer: &verify.Signer{
			Kind: "certificate", Issuer: issuer, SubjectAlternativeName: san,
			Extensions: &verify.Extensions{Issuer: issuer, BuildSignerURI: signer, SourceRepositoryURI: source, SourceRepositoryRef: ref,
				SourceRepositoryDigest: digest, BuildConfigURI: config, BuildTrigger: trigger},
		}}
		claimed, readErr := verify.ReadSLSA(st)
		sum, err := res.SLSAProvenance(nil)
		if err != nil {
			if res.Verified || res.BuilderProven() {
				t.Fatal("failed check left the result verified or proven")
			}
			return
		}
		if readErr != nil {
			t.Fatalf("unreadable provenance accepted: %v", readErr)
		}
		if res.BuilderProven() && (sum.BuilderID != signer || sum.BuilderID != san || (issuer != ghIssuer && !strings.HasPrefix(issuer, ghIssuer+"/"))) {
			t.Fatalf("builder %q proven by signer %q, SAN %q, issuer %q", sum.BuilderID, signer, san, issuer)
		}
		if claimed.SourceURI != "" && source != "" && !sameSource(claimed.SourceURI, source) {
			t.Fatalf("provenance source %q accepted under certificate source %q", claimed.SourceURI, source)
		}
		if claimed.Ref != "" && ref != "" && claimed.Ref != ref {
			t.Fatalf("provenance ref %q accepted under certificate ref %q", claimed.Ref, ref)
		}
	})
}

// sameSource compares repository URIs the way a reader would: scheme,
// "git+", ".git", a trailing "@ref" and case do not matter.
func sameSource(a, b string) bool {
	norm := func(u string) string {
		u = strings.TrimPrefix(strings.ToLower(u), "git+")
		if _, rest, ok := strings.Cut(u, "://"); ok {
			u = rest
		}
		u, _, _ = strings.Cut(u, "@")
		return strings.TrimSuffix(strings.TrimSuffix(u, "/"), ".git")
	}
	return norm(a) == norm(b)
}
