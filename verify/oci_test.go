package verify_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/provenance"
	"github.com/chaingate/chaingate/verify"
	"github.com/chaingate/chaingate/verify/verifytest"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/sigstore/pkg/signature"
)

// ociFixture is an in-process registry holding one image.
type ociFixture struct {
	srv    *httptest.Server
	repo   name.Repository
	ref    string
	digest v1.Hash
}

func newOCIFixture(t *testing.T) *ociFixture {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0)), registry.WithReferrersSupport(true)))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	repo, err := name.NewRepository(host + "/acme/app")
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
	return &ociFixture{srv: srv, repo: repo, ref: tag.String(), digest: d}
}

// pushCosignSig pushes a cosign-style sha256-<hex>.sig signature.
func (f *ociFixture) pushCosignSig(t *testing.T, signer signature.Signer, signedDigest string) {
	t.Helper()
	payload := []byte(`{"critical":{"identity":{"docker-reference":"` + f.repo.String() + `"},"image":{"docker-manifest-digest":"` + signedDigest + `"},"type":"cosign container image signature"},"optional":null}`)
	sig, err := signer.SignMessage(strings.NewReader(string(payload)))
	if err != nil {
		t.Fatal(err)
	}
	layer := static.NewLayer(payload, types.MediaType(provenance.CosignSimpleSigningType))
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: layer, Annotations: map[string]string{
		provenance.CosignSignatureAnnotation: base64.StdEncoding.EncodeToString(sig),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(f.repo.Tag("sha256-"+f.digest.Hex+".sig"), img); err != nil {
		t.Fatal(err)
	}
}

// pushCosignAtt pushes a cosign-style .att DSSE attestation.
func (f *ociFixture) pushCosignAtt(t *testing.T, signer signature.Signer, st *provenance.Statement) {
	t.Helper()
	env, err := provenance.SignStatement(context.Background(), st, signer)
	if err != nil {
		t.Fatal(err)
	}
	data, err := provenance.MarshalEnvelope(env)
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: static.NewLayer(data, verify.MediaTypeDSSE), Annotations: map[string]string{"predicateType": st.PredicateType}})
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(f.repo.Tag("sha256-"+f.digest.Hex+".att"), img); err != nil {
		t.Fatal(err)
	}
}

// pushReferrer pushes a Sigstore bundle as an OCI 1.1 referrer of the image.
func (f *ociFixture) pushReferrer(t *testing.T, bundle []byte) {
	t.Helper()
	const bundleType = "application/vnd.dev.sigstore.bundle.v0.3+json"
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: static.NewLayer(bundle, bundleType)})
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.ConfigMediaType(img, bundleType)
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	sub, err := remote.Head(f.repo.Digest(f.digest.String()))
	if err != nil {
		t.Fatal(err)
	}
	withSubject, ok := mutate.Subject(img, *sub).(v1.Image)
	if !ok {
		t.Fatal("subject did not keep an image")
	}
	d, err := withSubject.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(f.repo.Digest(d.String()), withSubject); err != nil {
		t.Fatal(err)
	}
}

func imageStatement(t *testing.T, f *ociFixture) *provenance.Statement {
	t.Helper()
	st, err := provenance.NewSLSABuilder("https://github.com/actions/runner/github-hosted", "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1").
		Subject(f.repo.String(), map[string]string{"sha256": f.digest.Hex}).
		ExternalParameter("workflow", map[string]any{"repository": "https://github.com/acme/app", "ref": "refs/tags/v1.4.2"}).
		Statement()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestVerifyImageEndToEnd(t *testing.T) {
	ctx := context.Background()
	keys := genKeys(t)
	signer := keys[0]
	ro := verify.RegistryOptions{Client: &http.Client{}}
	v := newVerifier(t, nil, verify.WithPublicKey(signer.pem), verify.WithKeySignaturesWithoutTlogUnsafe())
	slsaReq := &verify.SLSARequirements{BuilderIDs: []string{"https://github.com/actions/runner/github-hosted"}, SourceURI: "github.com/acme/app", Tag: "v1.4.2"}

	t.Run("cosign tags", func(t *testing.T) {
		f := newOCIFixture(t)
		f.pushCosignSig(t, signer.signer, f.digest.String())
		f.pushCosignAtt(t, signer.signer, imageStatement(t, f))
		res, err := v.VerifyImage(ctx, f.ref, verify.ImageRequirements{
			Requirements:     verify.Requirements{PredicateType: provenance.PredicateSLSAProvenanceV1, SLSA: slsaReq},
			RequireSignature: true, RequireAttestation: true,
		}, ro)
		if err != nil {
			t.Fatalf("VerifyImage: %v\n%+v", err, res)
		}
		if res.Digest != f.digest.String() || len(res.Signatures) != 1 || len(res.Attestations) != 1 {
			t.Fatalf("result %+v", res)
		}
		if res.Attestations[0].SLSA == nil || res.Attestations[0].SLSA.SourceURI != "https://github.com/acme/app" {
			t.Errorf("slsa %+v", res.Attestations[0].SLSA)
		}
		// One key signed both: a threshold of two distinct signers fails.
		_, err = v.VerifyImage(ctx, f.ref, verify.ImageRequirements{Requirements: verify.Requirements{Threshold: 2}}, ro)
		if !errors.Is(err, verify.ErrThresholdNotMet) {
			t.Errorf("threshold 2 with one signer: %v", err)
		}
		// Another key verifies nothing.
		vo := newVerifier(t, nil, verify.WithPublicKey(freshKey(t).pem), verify.WithKeySignaturesWithoutTlogUnsafe())
		if _, err := vo.VerifyImage(ctx, f.ref, verify.ImageRequirements{}, ro); !errors.Is(err, verify.ErrNoTrustedSignature) {
			t.Errorf("other key: %v", err)
		}
	})
	t.Run("OCI 1.1 referrers", func(t *testing.T) {
		f := newOCIFixture(t)
		b, err := provenance.SignStatementBundle(ctx, signer.signer, imageStatement(t, f))
		if err != nil {
			t.Fatal(err)
		}
		f.pushReferrer(t, b)
		res, err := v.VerifyImage(ctx, f.ref, verify.ImageRequirements{Requirements: verify.Requirements{SLSA: slsaReq}, RequireAttestation: true}, ro)
		if err != nil {
			t.Fatalf("VerifyImage: %v\n%+v", err, res)
		}
		if len(res.Attestations) != 1 || res.Attestations[0].Statement == nil {
			t.Fatalf("result %+v", res)
		}
	})
	t.Run("signature for another digest", func(t *testing.T) {
		f := newOCIFixture(t)
		f.pushCosignSig(t, signer.signer, "sha256:"+strings.Repeat("ab", 32))
		_, err := v.VerifyImage(ctx, f.ref, verify.ImageRequirements{RequireSignature: true}, ro)
		if !errors.Is(err, verify.ErrNoTrustedSignature) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a signature cannot stand in for required provenance", func(t *testing.T) {
		f := newOCIFixture(t)
		f.pushCosignSig(t, signer.signer, f.digest.String())
		for name, req := range map[string]verify.Requirements{
			"SLSA":           {SLSA: slsaReq},
			"predicate type": {PredicateType: provenance.PredicateSLSAProvenanceV1},
		} {
			res, err := v.VerifyImage(ctx, f.ref, verify.ImageRequirements{Requirements: req}, ro)
			if !errors.Is(err, verify.ErrNoTrustedSignature) {
				t.Errorf("%s required, only a signature published: err = %v, result %+v", name, err, res)
			}
		}
	})
	t.Run("attestation about another image", func(t *testing.T) {
		f := newOCIFixture(t)
		other := newOCIFixture(t)
		f.pushCosignAtt(t, signer.signer, imageStatement(t, other))
		_, err := v.VerifyImage(ctx, f.ref, verify.ImageRequirements{RequireAttestation: true}, ro)
		if err == nil {
			t.Fatal("attestation for another digest verified")
		}
	})
	t.Run("nothing published", func(t *testing.T) {
		f := newOCIFixture(t)
		_, err := v.VerifyImage(ctx, f.ref, verify.ImageRequirements{}, ro)
		if !errors.Is(err, verify.ErrNotFound) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("no client, no network", func(t *testing.T) {
		_, err := v.VerifyImage(ctx, "example.com/a:b", verify.ImageRequirements{}, verify.RegistryOptions{})
		if !errors.Is(err, verify.ErrInvalidInput) {
			t.Fatalf("err = %v", err)
		}
	})
}

// A keyless cosign signature (certificate + Rekor bundle annotations),
// issued by the in-process Sigstore, verified from the registry offline.
func TestVerifyImageKeylessCosign(t *testing.T) {
	ctx := context.Background()
	vs, err := verifytest.New()
	if err != nil {
		t.Fatal(err)
	}
	f := newOCIFixture(t)
	payload := []byte(`{"critical":{"identity":{"docker-reference":"` + f.repo.String() + `"},"image":{"docker-manifest-digest":"` + f.digest.String() + `"},"type":"cosign container image signature"},"optional":null}`)
	sig, certPEM, rekor, err := vs.CosignSignature(vsSAN, vsIssuer, payload)
	if err != nil {
		t.Fatal(err)
	}
	push := func(ann map[string]string) {
		t.Helper()
		img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: static.NewLayer(payload, types.MediaType(provenance.CosignSimpleSigningType)), Annotations: ann})
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(f.repo.Tag("sha256-"+f.digest.Hex+".sig"), img); err != nil {
			t.Fatal(err)
		}
	}
	full := map[string]string{
		provenance.CosignSignatureAnnotation:   sig,
		provenance.CosignCertificateAnnotation: string(certPEM),
		provenance.CosignBundleAnnotation:      string(rekor),
	}
	push(full)
	ro := verify.RegistryOptions{Client: &http.Client{}}
	v := newVerifier(t, vs.TrustedRoot(), verify.WithoutSCTUnsafe())
	req := verify.ImageRequirements{Requirements: verify.Requirements{Identity: &verify.Identity{Issuer: vsIssuer, SubjectAlternativeName: vsSAN}}, RequireSignature: true}
	res, err := v.VerifyImage(ctx, f.ref, req, ro)
	if err != nil {
		t.Fatalf("VerifyImage: %v\n%+v", err, res)
	}
	if len(res.Signatures) != 1 || res.Signatures[0].Signer.SubjectAlternativeName != vsSAN || len(res.Signatures[0].TransparencyLog) != 1 {
		t.Fatalf("signatures %+v", res.Signatures)
	}
	// Wrong identity, no log entry, tampered log entry: all refused.
	bad := req
	bad.Identity = &verify.Identity{Issuer: vsIssuer, SubjectAlternativeName: "https://github.com/evil/x/.github/workflows/a.yml@refs/heads/main"}
	if _, err := v.VerifyImage(ctx, f.ref, bad, ro); err == nil {
		t.Error("wrong identity verified")
	}
	noLog := map[string]string{provenance.CosignSignatureAnnotation: sig, provenance.CosignCertificateAnnotation: string(certPEM)}
	push(noLog)
	if _, err := v.VerifyImage(ctx, f.ref, req, ro); err == nil {
		t.Error("keyless signature without a log entry verified")
	}
	tampered := map[string]string{}
	for k, val := range full {
		tampered[k] = val
	}
	var rb map[string]any
	if err := json.Unmarshal(rekor, &rb); err != nil {
		t.Fatal(err)
	}
	p := rb["Payload"].(map[string]any)
	p["logIndex"] = p["logIndex"].(float64) + 1
	tamperedJSON, _ := json.Marshal(rb)
	tampered[provenance.CosignBundleAnnotation] = string(tamperedJSON)
	push(tampered)
	if _, err := v.VerifyImage(ctx, f.ref, req, ro); err == nil {
		t.Error("tampered Rekor bundle verified")
	}
}

// A keyless cosign attestation (.att with certificate and Rekor bundle
// annotations) from the in-process Sigstore, verified with SLSA checks.
func TestVerifyImageKeylessCosignAttestation(t *testing.T) {
	ctx := context.Background()
	vs, err := verifytest.New()
	if err != nil {
		t.Fatal(err)
	}
	f := newOCIFixture(t)
	st, err := imageStatement(t, f).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	env, certPEM, rekor, err := vs.CosignAttestation(vsSAN, vsIssuer, st)
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: static.NewLayer(env, verify.MediaTypeDSSE), Annotations: map[string]string{
		provenance.CosignCertificateAnnotation: string(certPEM),
		provenance.CosignBundleAnnotation:      string(rekor),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(f.repo.Tag("sha256-"+f.digest.Hex+".att"), img); err != nil {
		t.Fatal(err)
	}
	v := newVerifier(t, vs.TrustedRoot(), verify.WithoutSCTUnsafe())
	req := verify.ImageRequirements{Requirements: verify.Requirements{
		Identity:      &verify.Identity{Issuer: vsIssuer, SubjectAlternativeName: vsSAN},
		PredicateType: provenance.PredicateSLSAProvenanceV1,
		SLSA:          &verify.SLSARequirements{BuilderIDs: []string{"https://github.com/actions/runner/github-hosted"}, SourceURI: "github.com/acme/app"},
	}, RequireAttestation: true}
	res, err := v.VerifyImage(ctx, f.ref, req, verify.RegistryOptions{Client: &http.Client{}})
	if err != nil {
		t.Fatalf("VerifyImage: %v\n%+v", err, res)
	}
	if len(res.Attestations) != 1 || res.Attestations[0].SLSA == nil {
		t.Fatalf("attestations %+v", res.Attestations)
	}
	req.SLSA.SourceURI = "github.com/acme/other"
	if _, err := v.VerifyImage(ctx, f.ref, req, verify.RegistryOptions{Client: &http.Client{}}); err == nil {
		t.Error("wrong source accepted")
	}
}
