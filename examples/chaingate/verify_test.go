package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/chaingate/chaingate/provenance"
	"github.com/chaingate/chaingate/verify"
)

// bundleArgs are the flags that verify the real sigstore@2.0.0 bundle.
func bundleArgs(cmd string, extra ...string) []string {
	return append([]string{"verify", cmd, bundlePath, "--trusted-root", trustedRoot,
		"--digest", sigstoreJSDigest, "--issuer", sigstoreJSIssuer, "--san", sigstoreJSSAN}, extra...)
}

func TestVerifyBundle(t *testing.T) {
	r := cli(t, append(bundleArgs("bundle"), "-o", "json")...).want(t, exitOK)
	var res verify.Result
	r.decode(t, &res)
	if !res.Verified || res.SchemaVersion != verify.SchemaVersion || res.Signer == nil ||
		res.Signer.SubjectAlternativeName != sigstoreJSSAN || res.Statement == nil ||
		res.Statement.PredicateType != provenance.PredicateSLSAProvenanceV1 {
		t.Fatalf("result %+v", res)
	}
	for _, c := range []string{verify.CheckTransparencyLog, verify.CheckSCT, verify.CheckIdentity, verify.CheckArtifact} {
		if ck, ok := res.Check(c); !ok || !ck.Passed {
			t.Errorf("check %s: %+v", c, ck)
		}
	}

	tests := []struct {
		name string
		args []string
		code int
		want string // in stdout (text) or stderr
	}{
		{"text", bundleArgs("bundle"), exitOK, "VERIFIED"},
		{"predicate type", bundleArgs("bundle", "--predicate-type", provenance.PredicateSLSAProvenanceV1), exitOK, "VERIFIED"},
		{"another signer", []string{"verify", "bundle", bundlePath, "--trusted-root", trustedRoot, "--digest", sigstoreJSDigest,
			"--issuer", sigstoreJSIssuer, "--san", "https://github.com/evil/sigstore-js/.github/workflows/release.yml@refs/heads/main"}, exitDenied, "signer identity does not match"},
		{"another artifact", []string{"verify", "bundle", bundlePath, "--trusted-root", trustedRoot,
			"--digest", "sha512:" + strings.Repeat("ab", 64), "--issuer", sigstoreJSIssuer, "--san", sigstoreJSSAN}, exitDenied, "artifact does not match"},
		{"another trusted root", []string{"verify", "bundle", bundlePath, "--trusted-root", "../../verify/testdata/sigstore-go/scaffolding.json",
			"--digest", sigstoreJSDigest, "--issuer", sigstoreJSIssuer, "--san", sigstoreJSSAN}, exitDenied, "verification failed"},
		{"not a bundle", []string{"verify", "bundle", shopAPISBOM, "--trusted-root", trustedRoot, "--digest", sigstoreJSDigest,
			"--issuer", sigstoreJSIssuer, "--san", sigstoreJSSAN}, exitDenied, "invalid input"},
		{"no artifact", []string{"verify", "bundle", bundlePath, "--trusted-root", trustedRoot, "--issuer", sigstoreJSIssuer, "--san", sigstoreJSSAN}, exitFailure, "--digest or --artifact"},
		{"no trust", []string{"verify", "bundle", bundlePath, "--digest", sigstoreJSDigest}, exitFailure, "--trusted-root"},
		{"bad digest", []string{"verify", "bundle", bundlePath, "--trusted-root", trustedRoot, "--digest", "46d4e2"}, exitFailure, "algorithm:hex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cli(t, tt.args...).want(t, tt.code)
			if !strings.Contains(r.stdout+r.stderr, tt.want) {
				t.Errorf("output lacks %q\nstdout:\n%s\nstderr:\n%s", tt.want, r.stdout, r.stderr)
			}
		})
	}

	t.Run("key-signed bundle over an artifact file", func(t *testing.T) {
		// A real ECDSA key and a v0.3 bundle it signed (no log entry),
		// from verify/testdata; the artifact is given as a digest.
		digest, err := os.ReadFile("../../verify/testdata/release-gate/image.digest")
		if err != nil {
			t.Fatal(err)
		}
		args := []string{"verify", "bundle", "../../verify/testdata/release-gate/provenance.sigstore.json",
			"--key", "../../verify/testdata/release-gate/public_key.pem", "--digest", strings.TrimSpace(string(digest))}
		cli(t, args...).want(t, exitFailure) // a log entry is required unless waived
		r := cli(t, append(args, "--insecure-ignore-tlog", "-o", "json")...).want(t, exitOK)
		var res verify.Result
		r.decode(t, &res)
		if !res.Verified || res.Signer == nil || res.Signer.Kind != "key" {
			t.Errorf("result %+v", res)
		}
		// The artifact given as a file: the bundle's own bytes are not
		// what it signed.
		cli(t, "verify", "bundle", "../../verify/testdata/release-gate/provenance.sigstore.json",
			"--key", "../../verify/testdata/release-gate/public_key.pem", "--insecure-ignore-tlog",
			"--artifact", "../../verify/testdata/release-gate/image.digest").want(t, exitDenied)
	})
}

func TestVerifySLSA(t *testing.T) {
	slsa := func(extra ...string) []string {
		return bundleArgs("slsa", append([]string{"--builder-id", "https://github.com/actions/runner/github-hosted"}, extra...)...)
	}
	r := cli(t, append(slsa("--source-uri", "github.com/sigstore/sigstore-js", "--source-branch", "main"), "-o", "json")...).want(t, exitOK)
	var res verify.Result
	r.decode(t, &res)
	if !res.Verified || res.SLSA == nil || res.SLSA.BuilderID != "https://github.com/actions/runner/github-hosted" ||
		res.SLSA.SourceURI != "https://github.com/sigstore/sigstore-js" || res.SLSA.Ref != "refs/heads/main" || res.SLSA.Commit == "" {
		t.Fatalf("result %+v slsa %+v", res, res.SLSA)
	}
	if ck, ok := res.Check(verify.CheckSLSABranch); !ok || !ck.Passed {
		t.Errorf("branch check %+v", ck)
	}

	for _, tt := range []struct {
		name  string
		args  []string
		code  int
		check string
	}{
		{"wrong branch", slsa("--source-branch", "release"), exitDenied, verify.CheckSLSABranch},
		{"wrong source", slsa("--source-uri", "github.com/evil/sigstore-js"), exitDenied, verify.CheckSLSASource},
		{"wrong builder", bundleArgs("slsa", "--builder-id", "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml"), exitDenied, verify.CheckSLSABuilder},
		{"tag required, branch built", slsa("--source-versioned-tag", "^2.0"), exitDenied, verify.CheckSLSAVersionedTag},
		{"no builder", bundleArgs("slsa"), exitFailure, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := cli(t, append(tt.args, "-o", "json")...).want(t, tt.code)
			if tt.check == "" {
				if !strings.Contains(r.stderr, "--builder-id") {
					t.Errorf("stderr: %s", r.stderr)
				}
				return
			}
			var res verify.Result
			r.decode(t, &res)
			if ck, ok := res.Check(tt.check); res.Verified || !ok || ck.Passed {
				t.Errorf("verified %v, check %s: %+v (%v)", res.Verified, tt.check, ck, ok)
			}
		})
	}
}

// ociImage is an in-process registry (go-containerregistry's) holding one
// random image, signed the way cosign signs with a key.
type ociImage struct {
	repo   name.Repository
	ref    string
	digest string
}

func newOCIImage(t *testing.T) *ociImage {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0)), registry.WithReferrersSupport(true)))
	t.Cleanup(srv.Close)
	repo, err := name.NewRepository(strings.TrimPrefix(srv.URL, "http://")+"/acme/api", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := random.Image(512, 2)
	if err != nil {
		t.Fatal(err)
	}
	tag := repo.Tag("v1.4.2")
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return &ociImage{repo: repo, ref: tag.String(), digest: d.String()}
}

// newKey makes an ECDSA P-256 signer and writes its public key as PEM.
func newKey(t *testing.T) (signature.Signer, string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := signature.LoadDefaultSigner(priv)
	if err != nil {
		t.Fatal(err)
	}
	pemBytes, err := cryptoutils.MarshalPublicKeyToPEM(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cosign.pub")
	if err := os.WriteFile(path, pemBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	return s, path
}

// sign pushes a cosign signature (sha256-<hex>.sig) of the image.
func (o *ociImage) sign(t *testing.T, s signature.Signer) {
	t.Helper()
	payload := []byte(`{"critical":{"identity":{"docker-reference":"` + o.repo.String() + `"},"image":{"docker-manifest-digest":"` + o.digest + `"},"type":"cosign container image signature"},"optional":null}`)
	sig, err := s.SignMessage(strings.NewReader(string(payload)))
	if err != nil {
		t.Fatal(err)
	}
	o.push(t, ".sig", payload, types.MediaType(provenance.CosignSimpleSigningType), map[string]string{
		provenance.CosignSignatureAnnotation: base64.StdEncoding.EncodeToString(sig),
	})
}

// attest pushes a cosign attestation (.att): SLSA v1 provenance of the
// image from a GitHub-hosted build of acme/api at tag v1.4.2.
func (o *ociImage) attest(t *testing.T, s signature.Signer) {
	t.Helper()
	hex := strings.TrimPrefix(o.digest, "sha256:")
	st, err := provenance.NewSLSABuilder("https://github.com/actions/runner/github-hosted", "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1").
		Subject(o.repo.String(), map[string]string{"sha256": hex}).
		ExternalParameter("workflow", map[string]any{"repository": "https://github.com/acme/api", "ref": "refs/tags/v1.4.2"}).
		Statement()
	if err != nil {
		t.Fatal(err)
	}
	env, err := provenance.SignStatement(context.Background(), st, s)
	if err != nil {
		t.Fatal(err)
	}
	data, err := provenance.MarshalEnvelope(env)
	if err != nil {
		t.Fatal(err)
	}
	o.push(t, ".att", data, verify.MediaTypeDSSE, map[string]string{"predicateType": st.PredicateType})
}

func (o *ociImage) push(t *testing.T, suffix string, data []byte, mt types.MediaType, ann map[string]string) {
	t.Helper()
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: static.NewLayer(data, mt), Annotations: ann})
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(o.repo.Tag(strings.Replace(o.digest, ":", "-", 1)+suffix), img); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyImage(t *testing.T) {
	signer, pub := newKey(t)
	_, otherPub := newKey(t)
	img := newOCIImage(t)
	img.sign(t, signer)
	img.attest(t, signer)
	args := func(key string, extra ...string) []string {
		return append([]string{"verify", "image", img.ref, "--key", key, "--insecure-ignore-tlog", "--allow-insecure-registry"}, extra...)
	}

	r := cli(t, args(pub, "--allow-network", "--require-signature", "--require-attestation",
		"--builder-id", "https://github.com/actions/runner/github-hosted", "--source-uri", "github.com/acme/api", "--source-tag", "v1.4.2", "-o", "json")...).want(t, exitOK)
	var res verify.ImageResult
	r.decode(t, &res)
	if !res.Verified || res.Digest != img.digest || len(res.Signatures) != 1 || len(res.Attestations) != 1 {
		t.Fatalf("result %+v", res)
	}
	if a := res.Attestations[0]; a.SLSA == nil || a.SLSA.SourceURI != "https://github.com/acme/api" {
		t.Errorf("attestation %+v", a.SLSA)
	}
	txt := cli(t, args(pub, "--allow-network")...).want(t, exitOK).stdout
	if !strings.Contains(txt, "VERIFIED") || !strings.Contains(txt, "1 verified") {
		t.Errorf("text:\n%s", txt)
	}

	// Network is opt-in.
	if r := cli(t, args(pub)...).want(t, exitFailure); !strings.Contains(r.stderr, "--allow-network") {
		t.Errorf("stderr: %s", r.stderr)
	}
	// Another key verifies nothing.
	r = cli(t, args(otherPub, "--allow-network", "-o", "json")...).want(t, exitDenied)
	res = verify.ImageResult{}
	r.decode(t, &res)
	if res.Verified || len(res.Signatures)+len(res.Attestations) != 0 {
		t.Errorf("other key: %+v", res)
	}
	// A SLSA requirement the provenance does not meet.
	cli(t, args(pub, "--allow-network", "--require-attestation", "--builder-id", "https://github.com/actions/runner/github-hosted", "--source-tag", "v2.0.0")...).want(t, exitDenied)
	// An image with nothing published.
	bare := newOCIImage(t)
	cli(t, "verify", "image", bare.ref, "--key", pub, "--insecure-ignore-tlog", "--allow-insecure-registry", "--allow-network").want(t, exitDenied)
}
