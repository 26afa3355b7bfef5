package verify_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/chaingate/chaingate/provenance"
	"github.com/chaingate/chaingate/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

type testKey struct {
	name   string
	signer signature.Signer
	pem    []byte
}

var (
	keysOnce   sync.Once
	cachedKeys []testKey
)

// genKeys returns one key of each supported type, generated once per run.
func genKeys(t testing.TB) []testKey {
	t.Helper()
	keysOnce.Do(func() { cachedKeys = makeKeys(t) })
	return cachedKeys
}

// freshKey returns a new ECDSA P-256 key no fixture signed with.
func freshKey(t testing.TB) testKey {
	t.Helper()
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s, err := signature.LoadDefaultSigner(p256)
	if err != nil {
		t.Fatal(err)
	}
	pemBytes, err := cryptoutils.MarshalPublicKeyToPEM(p256.Public())
	if err != nil {
		t.Fatal(err)
	}
	return testKey{name: "fresh", signer: s, pem: pemBytes}
}

func makeKeys(t testing.TB) []testKey {
	t.Helper()
	var out []testKey
	add := func(name string, priv crypto.PrivateKey) {
		s, err := signature.LoadDefaultSigner(priv)
		if err != nil {
			t.Fatal(err)
		}
		pub, _ := s.PublicKey()
		pemBytes, err := cryptoutils.MarshalPublicKeyToPEM(pub)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, testKey{name: name, signer: s, pem: pemBytes})
	}
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	add("ecdsa-p256", p256)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	add("ecdsa-p384", p384)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	add("ed25519", ed)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	add("rsa-2048", rk)
	return out
}

func testStatement(t testing.TB, artifact []byte) *provenance.Statement {
	t.Helper()
	sum := sha256.Sum256(artifact)
	st, err := provenance.NewSLSABuilder("https://github.com/actions/runner/github-hosted", "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1").
		Subject("app.tar.gz", map[string]string{"sha256": hex.EncodeToString(sum[:])}).
		ExternalParameter("workflow", map[string]any{"repository": "https://github.com/acme/app", "ref": "refs/tags/v1.4.2", "path": ".github/workflows/release.yml"}).
		ResolvedDependency("git+https://github.com/acme/app@refs/tags/v1.4.2", map[string]string{"gitCommit": "0123456789abcdef0123456789abcdef01234567"}).
		Statement()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestOwnSignerBundles(t *testing.T) {
	ctx := context.Background()
	artifact := []byte("release artifact v1.4.2\n")
	st := testStatement(t, artifact)
	for _, k := range genKeys(t) {
		t.Run(k.name, func(t *testing.T) {
			bundle, err := provenance.SignStatementBundle(ctx, k.signer, st)
			if err != nil {
				t.Fatal(err)
			}
			// Default policy: no trusted root and no opt-in is refused at New.
			if _, err := verify.New(nil, verify.WithPublicKey(k.pem)); err == nil {
				t.Fatal("New(nil, WithPublicKey) without opt-in succeeded")
			}
			// With a trusted root but no opt-in, the missing log entry fails.
			strict := newVerifier(t, loadRoot(t, "trusted_root_public_good.json"), verify.WithPublicKey(k.pem))
			_, err = strict.VerifyBundle(ctx, bundle, verify.Requirements{Artifact: verify.ArtifactBytes(artifact)})
			wantCheck(t, err, verify.CheckTransparencyLog, verify.ErrNoTrustedSignature)

			v := newVerifier(t, nil, verify.WithPublicKey(k.pem), verify.WithKeySignaturesWithoutTlogUnsafe())
			res, err := v.VerifyBundle(ctx, bundle, verify.Requirements{
				Artifact:      verify.ArtifactBytes(artifact),
				PredicateType: provenance.PredicateSLSAProvenanceV1,
				SLSA: &verify.SLSARequirements{
					BuilderIDs: []string{"https://github.com/actions/runner/github-hosted"},
					SourceURI:  "github.com/acme/app", Tag: "v1.4.2", VersionedTag: "^1.4",
				},
			})
			if err != nil {
				t.Fatalf("verify own bundle: %v", err)
			}
			if res.Signer.Kind != "key" || res.SLSA == nil || res.SLSA.Ref != "refs/tags/v1.4.2" {
				t.Errorf("result signer %+v slsa %+v", res.Signer, res.SLSA)
			}
			hint, _ := provenance.KeyHint(mustPub(t, k.signer))
			if res.Signer.KeyID != hint {
				t.Errorf("key id %q, want %q", res.Signer.KeyID, hint)
			}
			// Digest-only input.
			sum := sha256.Sum256(artifact)
			if _, err := v.VerifyBundle(ctx, bundle, verify.Requirements{Artifact: verify.ArtifactDigest("sha256", hex.EncodeToString(sum[:]))}); err != nil {
				t.Errorf("digest: %v", err)
			}
			// Wrong artifact.
			_, err = v.VerifyBundle(ctx, bundle, verify.Requirements{Artifact: verify.ArtifactBytes([]byte("other"))})
			wantCheck(t, err, verify.CheckArtifact, verify.ErrArtifactMismatch)
			// Another key.
			other := freshKey(t)
			vo := newVerifier(t, nil, verify.WithPublicKey(other.pem), verify.WithKeySignaturesWithoutTlogUnsafe())
			_, err = vo.VerifyBundle(ctx, bundle, verify.Requirements{Artifact: verify.ArtifactBytes(artifact)})
			wantCheck(t, err, verify.CheckSignature, verify.ErrNoTrustedSignature)
			// Identity on a key bundle is refused.
			_, err = v.VerifyBundle(ctx, bundle, verify.Requirements{Artifact: verify.ArtifactBytes(artifact), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeName: "x"}})
			wantCheck(t, err, verify.CheckIdentity, verify.ErrIdentityMismatch)
			// Tampering: payload, signature.
			for name, mut := range map[string]func(m map[string]any){
				"payload": func(m map[string]any) {
					env := m["dsseEnvelope"].(map[string]any)
					p, _ := base64.StdEncoding.DecodeString(env["payload"].(string))
					p = []byte(strings.Replace(string(p), "v1.4.2", "v1.4.3", 1))
					env["payload"] = base64.StdEncoding.EncodeToString(p)
				},
				"signature": func(m map[string]any) {
					env := m["dsseEnvelope"].(map[string]any)
					sig := env["signatures"].([]any)[0].(map[string]any)
					b, _ := base64.StdEncoding.DecodeString(sig["sig"].(string))
					b[len(b)/2] ^= 1
					sig["sig"] = base64.StdEncoding.EncodeToString(b)
				},
			} {
				var m map[string]any
				if err := json.Unmarshal(bundle, &m); err != nil {
					t.Fatal(err)
				}
				mut(m)
				tampered, _ := json.Marshal(m)
				if _, err := v.VerifyBundle(ctx, tampered, verify.Requirements{Artifact: verify.NoArtifactUnsafe()}); err == nil {
					t.Errorf("tampered %s verified", name)
				}
			}
		})
	}
}

func mustPub(t testing.TB, s signature.Signer) crypto.PublicKey {
	t.Helper()
	p, err := s.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOwnSignerMessageBundle(t *testing.T) {
	ctx := context.Background()
	artifact := []byte("blob to sign")
	for _, k := range genKeys(t) {
		t.Run(k.name, func(t *testing.T) {
			b, err := provenance.SignArtifactBundle(ctx, k.signer, artifact)
			if err != nil {
				t.Fatal(err)
			}
			v := newVerifier(t, nil, verify.WithPublicKey(k.pem), verify.WithKeySignaturesWithoutTlogUnsafe())
			if _, err := v.VerifyBundle(ctx, b, verify.Requirements{Artifact: verify.ArtifactBytes(artifact)}); err != nil {
				t.Fatalf("verify: %v", err)
			}
			if _, err := v.VerifyBundle(ctx, b, verify.Requirements{Artifact: verify.ArtifactBytes([]byte("blob to sigN"))}); err == nil {
				t.Fatal("other artifact verified")
			}
		})
	}
}

func TestRealKeySignedBundles(t *testing.T) {
	ctx := context.Background()
	npmKey := readFile(t, "sigstore-go", "publish_key.pub")
	current := loadRoot(t, "trusted_root_public_good.json")
	v := newVerifier(t, current, verify.WithPublicKey(npmKey))
	const publishPred = "https://github.com/npm/attestation/tree/main/specs/publish/v0.1"

	t.Run("npm publish sigstore@1.3.0 (bundle v0.1)", func(t *testing.T) {
		res, err := v.VerifyBundle(ctx, readFile(t, "sigstore-go", "bundle-publish.json"),
			verify.Requirements{Artifact: verify.ArtifactDigest("sha512", sigstoreJS1Dig), PredicateType: publishPred})
		if err != nil {
			t.Fatal(err)
		}
		if res.Signer.Kind != "key" || len(res.TransparencyLog) != 1 || !res.TransparencyLog[0].Verified || res.TransparencyLog[0].LogIndex != 18300940 {
			t.Errorf("result %+v", res)
		}
	})
	t.Run("npm publish gundam-visor (bundle v0.2)", func(t *testing.T) {
		_, err := v.VerifyBundle(ctx, npmAttestation(t, "gundam-visor-cli-v1-tag.tgz.json", publishPred),
			verify.Requirements{Artifact: verify.ArtifactBytes(readFile(t, "slsa-verifier", "gundam-visor-cli-v1-tag.tgz")), PredicateType: publishPred})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("npm publish invalid signature", func(t *testing.T) {
		_, err := v.VerifyBundle(ctx, npmAttestation(t, "gundam-visor-cli-v1-tag-invalidsigpub.tgz.json", publishPred),
			verify.Requirements{Artifact: verify.ArtifactBytes(readFile(t, "slsa-verifier", "gundam-visor-cli-v1-tag.tgz"))})
		if err == nil {
			t.Fatal("invalid publish signature verified")
		}
	})
	t.Run("npm publish with another key", func(t *testing.T) {
		vo := newVerifier(t, current, verify.WithPublicKey(freshKey(t).pem))
		_, err := vo.VerifyBundle(ctx, readFile(t, "sigstore-go", "bundle-publish.json"), verify.Requirements{Artifact: verify.ArtifactDigest("sha512", sigstoreJS1Dig)})
		// The log entry embeds npm's key, so the log check fails first.
		wantCheck(t, err, verify.CheckTransparencyLog, verify.ErrNoTrustedSignature)
	})
	t.Run("RFC 3161 timestamp, no log: needs the opt-in", func(t *testing.T) {
		tr := loadRoot(t, "sigstore-go", "public-key-validity.json")
		pemKey := readFile(t, "sigstore-go", "public-key-validity.pem")
		b := readFile(t, "sigstore-go", "public-key-validity.sigstore.json")
		req := verify.Requirements{Artifact: verify.ArtifactBytes([]byte("test content"))}
		_, err := newVerifier(t, tr, verify.WithPublicKey(pemKey)).VerifyBundle(ctx, b, req)
		wantCheck(t, err, verify.CheckTransparencyLog, verify.ErrNoTrustedSignature)
		res, err := newVerifier(t, tr, verify.WithPublicKey(pemKey), verify.WithKeySignaturesWithoutTlogUnsafe()).VerifyBundle(ctx, b, req)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Timestamps) != 1 || res.Timestamps[0].Kind != "TimestampAuthority" {
			t.Errorf("timestamps %+v", res.Timestamps)
		}
		// Without the TSA's root the timestamp cannot be checked: fail closed.
		_, err = newVerifier(t, nil, verify.WithPublicKey(pemKey), verify.WithKeySignaturesWithoutTlogUnsafe()).VerifyBundle(ctx, b, req)
		wantCheck(t, err, verify.CheckTimestamp, verify.ErrNoTrustedSignature)
	})
}

func TestDSSEThreshold(t *testing.T) {
	ctx := context.Background()
	keys := genKeys(t)
	artifact := []byte("artifact")
	st := testStatement(t, artifact)
	env2, err := provenance.SignStatement(ctx, st, keys[0].signer, keys[2].signer)
	if err != nil {
		t.Fatal(err)
	}
	envJSON, _ := provenance.MarshalEnvelope(env2)
	opts := []verify.Option{verify.WithKeySignaturesWithoutTlogUnsafe()}
	for _, k := range keys {
		opts = append(opts, verify.WithPublicKey(k.pem))
	}
	v := newVerifier(t, nil, opts...)
	req := verify.Requirements{Artifact: verify.ArtifactBytes(artifact), Threshold: 2}
	res, err := v.VerifyEnvelope(ctx, envJSON, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Signers) != 2 {
		t.Errorf("signers %+v", res.Signers)
	}
	req.Threshold = 3
	_, err = v.VerifyEnvelope(ctx, envJSON, req)
	wantCheck(t, err, verify.CheckThreshold, verify.ErrThresholdNotMet)

	// The same key twice counts once.
	envDup, _ := provenance.SignStatement(ctx, st, keys[0].signer, keys[0].signer)
	dupJSON, _ := provenance.MarshalEnvelope(envDup)
	req.Threshold = 2
	if _, err := v.VerifyEnvelope(ctx, dupJSON, req); err == nil {
		t.Error("one key signing twice met a threshold of 2")
	}
	// Wrong artifact.
	req.Threshold = 1
	req.Artifact = verify.ArtifactBytes([]byte("other"))
	_, err = v.VerifyEnvelope(ctx, envJSON, req)
	wantCheck(t, err, verify.CheckArtifact, verify.ErrArtifactMismatch)

	// k-of-n over bundles.
	var bundles [][]byte
	for _, k := range keys[:3] {
		b, err := provenance.SignStatementBundle(ctx, k.signer, st)
		if err != nil {
			t.Fatal(err)
		}
		bundles = append(bundles, b)
	}
	bundles = append(bundles, bundles[0]) // duplicate signer
	mres, err := v.VerifyBundles(ctx, bundles, verify.Requirements{Artifact: verify.ArtifactBytes(artifact), Threshold: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(mres.Signers) != 3 || len(mres.Statements) != 4 {
		t.Errorf("signers %d statements %d", len(mres.Signers), len(mres.Statements))
	}
	_, err = v.VerifyBundles(ctx, bundles, verify.Requirements{Artifact: verify.ArtifactBytes(artifact), Threshold: 4})
	wantCheck(t, err, verify.CheckThreshold, verify.ErrThresholdNotMet)
}

// A real VSA (Google BCID) signed by a key, as a bare DSSE envelope.
func TestVerifyEnvelopeRealVSA(t *testing.T) {
	ctx := context.Background()
	env := readFile(t, "slsa-verifier", "gke-gce-pre.bcid-vsa.jsonl")
	key := readFile(t, "slsa-verifier", "vsa_signing_public_key.pem")
	v := newVerifier(t, nil, verify.WithPublicKey(key), verify.WithKeySignaturesWithoutTlogUnsafe())
	req := verify.Requirements{Artifact: verify.NoArtifactUnsafe(), PredicateType: provenance.PredicateVSAV1}
	res, err := v.VerifyEnvelope(ctx, env, req)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Statement.MatchesDigest("gce_image_id", "8970095005306000053") {
		t.Errorf("subject %+v", res.Statement.Subject)
	}
	p, err := res.Statement.DecodePredicate()
	if err != nil {
		t.Fatal(err)
	}
	vsa := p.(*provenance.VerificationSummary)
	if vsa.GetVerificationResult() != "PASSED" || vsa.GetResourceUri() != "gce_image://gke-node-images:gke-12615-gke1418000-cos-101-17162-463-29-c-cgpv1-pre" {
		t.Errorf("vsa %v", vsa)
	}
	// Another key, a tampered payload, a wrong predicate type: all fail.
	vo := newVerifier(t, nil, verify.WithPublicKey(freshKey(t).pem), verify.WithKeySignaturesWithoutTlogUnsafe())
	_, err = vo.VerifyEnvelope(ctx, env, req)
	wantCheck(t, err, verify.CheckSignature, verify.ErrNoTrustedSignature)
	var m map[string]any
	if err := json.Unmarshal(env, &m); err != nil {
		t.Fatal(err)
	}
	payload, _ := base64.StdEncoding.DecodeString(m["payload"].(string))
	m["payload"] = base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(payload), "PASSED", "FAILED", 1)))
	tampered, _ := json.Marshal(m)
	_, err = v.VerifyEnvelope(ctx, tampered, req)
	wantCheck(t, err, verify.CheckSignature, verify.ErrNoTrustedSignature)
	req.PredicateType = provenance.PredicateSLSAProvenanceV1
	_, err = v.VerifyEnvelope(ctx, env, req)
	wantCheck(t, err, verify.CheckPredicateType, verify.ErrPredicateMismatch)
}

// Every invalid-signature variant slsa-verifier ships fails, whichever
// attestation (provenance or publish) was corrupted.
func TestNpmInvalidSignatureVariants(t *testing.T) {
	ctx := context.Background()
	tr := loadRoot(t, "trusted_root_public_good.json")
	v := newVerifier(t, tr, verify.WithPublicKey(readFile(t, "sigstore-go", "publish_key.pub")))
	const publish = "https://github.com/npm/attestation/tree/main/specs/publish/v0.1"
	for _, pkg := range []struct{ name, prov string }{
		{"gundam-visor-cli-v1-tag", "https://slsa.dev/provenance/v1"},
		{"supreme-googles-cli-v02-tag", "https://slsa.dev/provenance/v0.2"},
	} {
		tgz := readFile(t, "slsa-verifier", pkg.name+".tgz")
		for _, variant := range []string{"", "-invalidsigprov", "-invalidsigpub"} {
			for _, pred := range []string{pkg.prov, publish} {
				name := pkg.name + variant + " " + pred
				t.Run(name, func(t *testing.T) {
					req := verify.Requirements{Artifact: verify.ArtifactBytes(tgz)}
					if pred != publish {
						req.Identity = &verify.Identity{Issuer: ghIssuer, SubjectAlternativeNameRegexp: `https://github\.com/.*`}
					}
					_, err := v.VerifyBundle(ctx, npmAttestation(t, pkg.name+variant+".tgz.json", pred), req)
					corrupted := (variant == "-invalidsigprov" && pred != publish) || (variant == "-invalidsigpub" && pred == publish)
					if corrupted && err == nil {
						t.Fatal("corrupted attestation verified")
					}
					if !corrupted && err != nil {
						t.Fatalf("intact attestation failed: %v", err)
					}
				})
			}
		}
	}
}
