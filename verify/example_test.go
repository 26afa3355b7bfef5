package verify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"

	"github.com/chaingate/chaingate/provenance"
	"github.com/chaingate/chaingate/verify"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// npmProvenance reads the SLSA provenance bundle out of an npm registry
// attestations document.
func npmProvenance(path, predicateType string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	var doc struct {
		Attestations []struct {
			PredicateType string          `json:"predicateType"`
			Bundle        json.RawMessage `json:"bundle"`
		} `json:"attestations"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		log.Fatal(err)
	}
	for _, a := range doc.Attestations {
		if a.PredicateType == predicateType {
			return a.Bundle
		}
	}
	log.Fatal("no provenance")
	return nil
}

// Verify the npm provenance of a real package, offline, against the pinned
// public-good trusted root: signature, certificate chain, log entry,
// timestamps, SCT, the tarball's digest and the GitHub Actions identity.
func ExampleVerifier_VerifyBundle() {
	trust, err := verify.LoadTrustedRoot("testdata/trusted_root_public_good.json")
	if err != nil {
		log.Fatal(err)
	}
	v, err := verify.New(trust)
	if err != nil {
		log.Fatal(err)
	}
	tarball, err := os.ReadFile("testdata/slsa-verifier/gundam-visor-cli-v1-tag.tgz")
	if err != nil {
		log.Fatal(err)
	}
	bundle := npmProvenance("testdata/slsa-verifier/gundam-visor-cli-v1-tag.tgz.json", "https://slsa.dev/provenance/v1")

	res, err := v.VerifyBundle(context.Background(), bundle, verify.Requirements{
		Artifact: verify.ArtifactBytes(tarball),
		Identity: &verify.Identity{
			Issuer:                 "https://token.actions.githubusercontent.com",
			SubjectAlternativeName: "https://github.com/ramonpetgrave64/gundam-visor/.github/workflows/npm-publish.yml@refs/tags/v1.0.1",
			GitHubRepository:       "ramonpetgrave64/gundam-visor",
			GitHubTrigger:          "release",
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("verified:", res.Verified)
	fmt.Println("predicate:", res.Statement.PredicateType)
	fmt.Println("subject:", res.Statement.Subject[0].Name)
	fmt.Println("log index:", res.TransparencyLog[0].LogIndex)

	// The same bundle for another tarball is refused, naming the check.
	_, err = v.VerifyBundle(context.Background(), bundle, verify.Requirements{
		Artifact: verify.ArtifactBytes([]byte("not the tarball")),
		Identity: &verify.Identity{Issuer: "https://token.actions.githubusercontent.com", SubjectAlternativeNameRegexp: "https://github.com/ramonpetgrave64/.*"},
	})
	var ce *verify.CheckError
	fmt.Println("other artifact:", errors.As(err, &ce), ce.Check, errors.Is(err, verify.ErrArtifactMismatch))
	// Output:
	// verified: true
	// predicate: https://slsa.dev/provenance/v1
	// subject: pkg:npm/gundam-visor@1.0.1
	// log index: 99434462
	// other artifact: true artifact true
}

// Check SLSA provenance as slsa-verifier does: builder allow-list, source
// repository and tag, on provenance that first verified cryptographically.
func ExampleSLSARequirements() {
	trust, err := verify.LoadTrustedRoot("testdata/trusted_root_public_good.json")
	if err != nil {
		log.Fatal(err)
	}
	v, err := verify.New(trust)
	if err != nil {
		log.Fatal(err)
	}
	tarball, err := os.ReadFile("testdata/slsa-verifier/supreme-googles-cli-v02-tag.tgz")
	if err != nil {
		log.Fatal(err)
	}
	bundle := npmProvenance("testdata/slsa-verifier/supreme-googles-cli-v02-tag.tgz.json", "https://slsa.dev/provenance/v0.2")
	req := verify.Requirements{
		Artifact: verify.ArtifactBytes(tarball),
		Identity: &verify.Identity{Issuer: "https://token.actions.githubusercontent.com", SubjectAlternativeNameRegexp: `https://github\.com/trishankatdatadog/supreme-goggles/.*`},
		SLSA: &verify.SLSARequirements{
			BuilderIDs:   []string{"https://github.com/actions/runner"},
			SourceURI:    "github.com/trishankatdatadog/supreme-goggles",
			VersionedTag: "^1.0",
		},
	}
	res, err := v.VerifyBundle(context.Background(), bundle, req)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("builder:", res.SLSA.BuilderID)
	fmt.Println("source:", res.SLSA.SourceURI)
	fmt.Println("ref:", res.SLSA.Ref)

	req.SLSA.Branch = "main"
	_, err = v.VerifyBundle(context.Background(), bundle, req)
	var ce *verify.CheckError
	errors.As(err, &ce)
	fmt.Println("branch main:", ce.Check)
	// Output:
	// builder: https://github.com/actions/runner
	// source: https://github.com/trishankatdatadog/supreme-goggles
	// ref: refs/tags/v1.0.5
	// branch main: slsa.branch
}

// Verify an image in a registry: discover its cosign signature and its
// OCI 1.1 referrer attestation, and verify both against a key. The
// registry here is go-containerregistry's in-process one.
func ExampleVerifier_VerifyImage() {
	ctx := context.Background()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0)), registry.WithReferrersSupport(true)))
	defer srv.Close()
	repo, _ := name.NewRepository(strings.TrimPrefix(srv.URL, "http://") + "/acme/app")

	// Publish an image, its attestation (as a referrer) and a signature.
	img, _ := random.Image(256, 1)
	_ = remote.Write(repo.Tag("v1"), img)
	digest, _ := img.Digest()
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	signer, _ := signature.LoadDefaultSigner(priv)
	pubPEM, _ := cryptoutils.MarshalPublicKeyToPEM(priv.Public())

	st, _ := provenance.NewSLSABuilder("https://github.com/actions/runner/github-hosted", "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1").
		Subject(repo.String(), map[string]string{"sha256": digest.Hex}).
		ExternalParameter("workflow", map[string]any{"repository": "https://github.com/acme/app", "ref": "refs/tags/v1"}).
		Statement()
	bundle, _ := provenance.SignStatementBundle(ctx, signer, st)
	att, _ := mutate.Append(empty.Image, mutate.Addendum{Layer: static.NewLayer(bundle, "application/vnd.dev.sigstore.bundle.v0.3+json")})
	att = mutate.ConfigMediaType(att, "application/vnd.dev.sigstore.bundle.v0.3+json")
	desc, _ := remote.Head(repo.Digest(digest.String()))
	referrer := mutate.Subject(att, *desc).(v1.Image)
	referrerDigest, _ := referrer.Digest()
	if err := remote.Write(repo.Digest(referrerDigest.String()), referrer); err != nil {
		log.Fatal(err)
	}

	v, err := verify.New(nil, verify.WithPublicKey(pubPEM), verify.WithKeySignaturesWithoutTlogUnsafe())
	if err != nil {
		log.Fatal(err)
	}
	res, err := v.VerifyImage(ctx, repo.Tag("v1").String(), verify.ImageRequirements{
		Requirements:       verify.Requirements{SLSA: &verify.SLSARequirements{BuilderIDs: []string{"https://github.com/actions/runner/github-hosted"}, SourceURI: "github.com/acme/app"}},
		RequireAttestation: true,
	}, verify.RegistryOptions{Client: srv.Client()})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("verified:", res.Verified, "attestations:", len(res.Attestations))
	fmt.Println("builder:", res.Attestations[0].SLSA.BuilderID)
	// Output:
	// verified: true attestations: 1
	// builder: https://github.com/actions/runner/github-hosted
}

// Verify a bundle made by chaingate's own key signer
// (provenance.SignStatementBundle): it has no transparency-log entry, so
// it verifies only with the explicit opt-in, and with no trusted root.
func ExampleWithKeySignaturesWithoutTlogUnsafe() {
	key, _ := os.ReadFile("testdata/release-gate/public_key.pem")
	bundle, _ := os.ReadFile("testdata/release-gate/provenance.sigstore.json")
	digest, _ := os.ReadFile("testdata/release-gate/image.digest")
	alg, hexDigest, _ := strings.Cut(strings.TrimSpace(string(digest)), ":")
	req := verify.Requirements{
		Artifact: verify.ArtifactDigest(alg, hexDigest),
		SLSA:     &verify.SLSARequirements{BuilderIDs: []string{"https://github.com/actions/runner/github-hosted"}, SourceURI: "github.com/acme/app", Tag: "v1.4.2"},
	}

	// Default policy: a key-signed bundle needs a verified log entry.
	trust, _ := verify.LoadTrustedRoot("testdata/trusted_root_public_good.json")
	strict, _ := verify.New(trust, verify.WithPublicKey(key))
	_, err := strict.VerifyBundle(context.Background(), bundle, req)
	var ce *verify.CheckError
	errors.As(err, &ce)
	fmt.Println("default:", ce.Check)

	v, err := verify.New(nil, verify.WithPublicKey(key), verify.WithKeySignaturesWithoutTlogUnsafe())
	if err != nil {
		log.Fatal(err)
	}
	res, err := v.VerifyBundle(context.Background(), bundle, req)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("opt-in:", res.Verified, res.Signer.Kind, res.SLSA.Ref)
	// Output:
	// default: transparency-log
	// opt-in: true key refs/tags/v1.4.2
}

// Real provenance from slsa-github-generator's generic generator: the
// certificate was issued to the generator's reusable workflow, which is
// also the builder the provenance names, so the builder is proven (the
// gate's SLSA build level 3). The source, ref and commit are the caller's,
// as the certificate's extensions record them.
func ExampleResult_BuilderProven() {
	trust, err := verify.LoadTrustedRoot("testdata/trusted_root_public_good.json")
	if err != nil {
		log.Fatal(err)
	}
	v, err := verify.New(trust)
	if err != nil {
		log.Fatal(err)
	}
	bundle, err := os.ReadFile("testdata/slsa-verifier/gha/generic-v2.1.0-push-v14.intoto.jsonl")
	if err != nil {
		log.Fatal(err)
	}
	digest, err := os.ReadFile("testdata/slsa-verifier/gha/generic-v2.1.0-push-v14.sha256")
	if err != nil {
		log.Fatal(err)
	}
	const generator = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml"
	res, err := v.VerifyBundle(context.Background(), bundle, verify.Requirements{
		Artifact: verify.ArtifactDigest("sha256", string(digest)),
		Identity: &verify.Identity{Issuer: "https://token.actions.githubusercontent.com", SubjectAlternativeNameRegexp: regexp.QuoteMeta(generator) + "@refs/tags/v.+"},
		SLSA:     &verify.SLSARequirements{BuilderIDs: []string{generator}, SourceURI: "github.com/slsa-framework/example-package", Tag: "v14"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("builder proven:", res.BuilderProven())
	fmt.Println("source:", res.SLSA.SourceURI, res.SLSA.Ref, res.SLSA.Commit)
	c, _ := res.Check(verify.CheckSLSACertSource)
	fmt.Println(c.Name, c.Passed)
	// Output:
	// builder proven: true
	// source: https://github.com/slsa-framework/example-package refs/tags/v14 4d329c75e7ec1725f7c9ce917a8799d408d06be3
	// slsa.certificate.source-repository true
}
