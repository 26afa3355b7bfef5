package verify_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"testing"
	"time"

	"github.com/chaingate/chaingate/verify"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	sgverify "github.com/sigstore/sigstore-go/pkg/verify"
)

const gundamSAN = "https://github.com/ramonpetgrave64/gundam-visor/.github/workflows/npm-publish.yml@refs/tags/v1.0.1"

// BenchmarkVerifyBundle compares VerifyBundle with sigstore-go's own
// Verify on the same real bundle (npm provenance of gundam-visor@1.0.1),
// the same trusted root and the same policy: log entry + observer
// timestamp + SCT, artifact bytes, exact issuer and SAN. Both parse the
// bundle JSON on every iteration.
func BenchmarkVerifyBundle(b *testing.B) {
	rootJSON := readFile(b, "trusted_root_public_good.json")
	tarball := readFile(b, "slsa-verifier", "gundam-visor-cli-v1-tag.tgz")
	bundleJSON := npmAttestation(b, "gundam-visor-cli-v1-tag.tgz.json", "https://slsa.dev/provenance/v1")

	b.Run("chaingate", func(b *testing.B) {
		tr, err := verify.ParseTrustedRoot(rootJSON)
		if err != nil {
			b.Fatal(err)
		}
		v := newVerifier(b, tr)
		req := verify.Requirements{Artifact: verify.ArtifactBytes(tarball), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeName: gundamSAN}}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.VerifyBundle(context.Background(), bundleJSON, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw-sigstore-go", func(b *testing.B) {
		tr, err := root.NewTrustedRootFromJSON(rootJSON)
		if err != nil {
			b.Fatal(err)
		}
		sv, err := sgverify.NewVerifier(tr, sgverify.WithTransparencyLog(1), sgverify.WithObserverTimestamps(1), sgverify.WithSignedCertificateTimestamps(1))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			var bun bundle.Bundle
			if err := bun.UnmarshalJSON(bundleJSON); err != nil {
				b.Fatal(err)
			}
			id, err := sgverify.NewShortCertificateIdentity(ghIssuer, "", gundamSAN, "")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := sv.Verify(&bun, sgverify.NewPolicy(sgverify.WithArtifact(bytes.NewReader(tarball)), sgverify.WithCertificateIdentity(id))); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkVerifyAll verifies 1,000 bundles (the same real bundle) with
// one worker and with GOMAXPROCS workers; compare ns/op for the speed-up.
func BenchmarkVerifyAll(b *testing.B) {
	tr := loadRoot(b, "trusted_root_public_good.json")
	tarball := readFile(b, "slsa-verifier", "gundam-visor-cli-v1-tag.tgz")
	one := npmAttestation(b, "gundam-visor-cli-v1-tag.tgz.json", "https://slsa.dev/provenance/v1")
	bundles := make([][]byte, 1000)
	for i := range bundles {
		bundles[i] = one
	}
	req := verify.Requirements{Artifact: verify.ArtifactBytes(tarball), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeName: gundamSAN}}
	for _, tc := range []struct {
		name string
		opts []verify.Option
	}{
		{"workers=1", []verify.Option{verify.WithWorkers(1)}},
		{"workers=GOMAXPROCS", nil},
	} {
		b.Run(tc.name, func(b *testing.B) {
			v := newVerifier(b, tr, tc.opts...)
			for b.Loop() {
				_, errs := v.VerifyAll(context.Background(), bundles, req)
				for _, err := range errs {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkVerifyBundleRatio alternates the two sides of
// BenchmarkVerifyBundle inside one loop, so load from other processes
// hits both alike, and reports chaingate's time over sigstore-go's.
func BenchmarkVerifyBundleRatio(b *testing.B) {
	rootJSON := readFile(b, "trusted_root_public_good.json")
	tarball := readFile(b, "slsa-verifier", "gundam-visor-cli-v1-tag.tgz")
	bundleJSON := npmAttestation(b, "gundam-visor-cli-v1-tag.tgz.json", "https://slsa.dev/provenance/v1")
	tr, err := verify.ParseTrustedRoot(rootJSON)
	if err != nil {
		b.Fatal(err)
	}
	v := newVerifier(b, tr)
	req := verify.Requirements{Artifact: verify.ArtifactBytes(tarball), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeName: gundamSAN}}
	rawRoot, err := root.NewTrustedRootFromJSON(rootJSON)
	if err != nil {
		b.Fatal(err)
	}
	sv, err := sgverify.NewVerifier(rawRoot, sgverify.WithTransparencyLog(1), sgverify.WithObserverTimestamps(1), sgverify.WithSignedCertificateTimestamps(1))
	if err != nil {
		b.Fatal(err)
	}
	var ours, raw time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := v.VerifyBundle(context.Background(), bundleJSON, req); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		var bun bundle.Bundle
		if err := bun.UnmarshalJSON(bundleJSON); err != nil {
			b.Fatal(err)
		}
		id, err := sgverify.NewShortCertificateIdentity(ghIssuer, "", gundamSAN, "")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := sv.Verify(&bun, sgverify.NewPolicy(sgverify.WithArtifact(bytes.NewReader(tarball)), sgverify.WithCertificateIdentity(id))); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		ours += t1.Sub(t0)
		raw += t2.Sub(t1)
	}
	b.ReportMetric(float64(ours)/float64(raw), "chaingate/raw")
}

// BenchmarkVerifyBundleSLSA measures the SLSA checks held to the
// certificate on a real slsa-github-generator bundle: VerifyBundle with
// identity and SLSA requirements (builder, source, tag, versioned tag,
// and the five certificate comparisons) beside sigstore-go's Verify with
// the same trust policy and identity, which reads no provenance.
func BenchmarkVerifyBundleSLSA(b *testing.B) {
	rootJSON := readFile(b, "trusted_root_public_good.json")
	bundleJSON := readFile(b, "slsa-verifier", "gha", "generic-v2.1.0-push-v14.intoto.jsonl")
	digestHex := string(bytes.TrimSpace(readFile(b, "slsa-verifier", "gha", "generic-v2.1.0-push-v14.sha256")))
	const san = generatorWorkflows + "generator_generic_slsa3.yml@refs/tags/v2.1.0"

	b.Run("chaingate", func(b *testing.B) {
		tr, err := verify.ParseTrustedRoot(rootJSON)
		if err != nil {
			b.Fatal(err)
		}
		v := newVerifier(b, tr)
		req := verify.Requirements{
			Artifact: verify.ArtifactDigest("sha256", digestHex),
			Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeName: san},
			SLSA: &verify.SLSARequirements{BuilderIDs: []string{generatorWorkflows + "generator_generic_slsa3.yml"},
				SourceURI: "github.com/slsa-framework/example-package", Tag: "v14", VersionedTag: "^14"},
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.VerifyBundle(context.Background(), bundleJSON, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw-sigstore-go", func(b *testing.B) {
		tr, err := root.NewTrustedRootFromJSON(rootJSON)
		if err != nil {
			b.Fatal(err)
		}
		sv, err := sgverify.NewVerifier(tr, sgverify.WithTransparencyLog(1), sgverify.WithObserverTimestamps(1), sgverify.WithSignedCertificateTimestamps(1))
		if err != nil {
			b.Fatal(err)
		}
		digest, err := hex.DecodeString(digestHex)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			var bun bundle.Bundle
			if err := bun.UnmarshalJSON(bundleJSON); err != nil {
				b.Fatal(err)
			}
			id, err := sgverify.NewShortCertificateIdentity(ghIssuer, "", san, "")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := sv.Verify(&bun, sgverify.NewPolicy(sgverify.WithArtifactDigest("sha256", digest), sgverify.WithCertificateIdentity(id))); err != nil {
				b.Fatal(err)
			}
		}
	})
}
