package verify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/provenance"
	"github.com/chaingate/chaingate/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

var update = flag.Bool("update", false, "regenerate generated test fixtures")

// The release-gate fixture: a key-signed SLSA v1 provenance bundle for an
// image digest, for the composed gate's example and tests.
const (
	fixtureImage   = "registry.example.com/acme/app"
	fixtureBuilder = "https://github.com/actions/runner/github-hosted"
)

func fixtureDigest() string {
	sum := sha256.Sum256([]byte("chaingate release-gate example image manifest"))
	return hex.EncodeToString(sum[:])
}

func TestGenerateReleaseGateFixture(t *testing.T) {
	dir := filepath.Join("testdata", "release-gate")
	if *update {
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		signer, err := signature.LoadDefaultSigner(priv)
		if err != nil {
			t.Fatal(err)
		}
		st, err := provenance.NewSLSABuilder(fixtureBuilder, "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1").
			Subject(fixtureImage, map[string]string{"sha256": fixtureDigest()}).
			ExternalParameter("workflow", map[string]any{"repository": "https://github.com/acme/app", "ref": "refs/tags/v1.4.2", "path": ".github/workflows/release.yml"}).
			ResolvedDependency("git+https://github.com/acme/app@refs/tags/v1.4.2", map[string]string{"gitCommit": "3f1c2a9d4b5e6f708192a3b4c5d6e7f8091a2b3c"}).
			InvocationID("https://github.com/acme/app/actions/runs/1/attempts/1").
			Statement()
		if err != nil {
			t.Fatal(err)
		}
		b, err := provenance.SignStatementBundle(context.Background(), signer, st)
		if err != nil {
			t.Fatal(err)
		}
		pemBytes, err := cryptoutils.MarshalPublicKeyToPEM(priv.Public())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range map[string][]byte{
			"provenance.sigstore.json": b,
			"public_key.pem":           pemBytes,
			"image.digest":             []byte("sha256:" + fixtureDigest() + "\n"),
		} {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The committed fixture verifies, with the documented opt-in only.
	digest := strings.TrimSpace(string(readFile(t, "release-gate", "image.digest")))
	alg, hexDigest, _ := strings.Cut(digest, ":")
	key := readFile(t, "release-gate", "public_key.pem")
	b := readFile(t, "release-gate", "provenance.sigstore.json")
	req := verify.Requirements{
		Artifact:      verify.ArtifactDigest(alg, hexDigest),
		PredicateType: provenance.PredicateSLSAProvenanceV1,
		SLSA:          &verify.SLSARequirements{BuilderIDs: []string{fixtureBuilder}, SourceURI: "github.com/acme/app", Tag: "v1.4.2"},
	}
	v := newVerifier(t, nil, verify.WithPublicKey(key), verify.WithKeySignaturesWithoutTlogUnsafe())
	if _, err := v.VerifyBundle(context.Background(), b, req); err != nil {
		t.Fatalf("release-gate fixture: %v", err)
	}
	strict := newVerifier(t, loadRoot(t, "trusted_root_public_good.json"), verify.WithPublicKey(key))
	if _, err := strict.VerifyBundle(context.Background(), b, req); err == nil {
		t.Fatal("unlogged fixture verified without the opt-in")
	}
}
