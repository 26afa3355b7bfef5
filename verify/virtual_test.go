package verify_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chaingate/chaingate/verify"
	"github.com/chaingate/chaingate/verify/verifytest"
)

const (
	vsIssuer = "https://token.actions.githubusercontent.com"
	vsSAN    = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.4.2"
)

func mutateBundle(t *testing.T, b []byte, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func vm(m map[string]any) map[string]any { return m["verificationMaterial"].(map[string]any) }

func tlogEntry(m map[string]any) map[string]any {
	return vm(m)["tlogEntries"].([]any)[0].(map[string]any)
}

func flipB64(s string) string {
	b, _ := base64.StdEncoding.DecodeString(s)
	b[len(b)/2] ^= 0x01
	return base64.StdEncoding.EncodeToString(b)
}

func TestVirtualSigstore(t *testing.T) {
	ctx := context.Background()
	vs, err := verifytest.New()
	if err != nil {
		t.Fatal(err)
	}
	artifact := []byte("artifact built by acme CI")
	st := testStatement(t, artifact)
	stJSON, err := st.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	attest, err := vs.Attest(vsSAN, vsIssuer, stJSON, verifytest.BundleOptions{WithTimestamp: true})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := vs.Sign(vsSAN, vsIssuer, artifact, verifytest.BundleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v := newVerifier(t, vs.TrustedRoot(), verify.WithoutSCTUnsafe())
	id := &verify.Identity{Issuer: vsIssuer, SubjectAlternativeName: vsSAN}
	req := verify.Requirements{Artifact: verify.ArtifactBytes(artifact), Identity: id}
	sum := sha256.Sum256(artifact)

	t.Run("attestation verifies", func(t *testing.T) {
		res, err := v.VerifyBundle(ctx, attest, req)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Timestamps) != 2 {
			t.Errorf("want log + TSA timestamps, got %+v", res.Timestamps)
		}
	})
	t.Run("message signature verifies, bytes and digest", func(t *testing.T) {
		if _, err := v.VerifyBundle(ctx, msg, req); err != nil {
			t.Fatal(err)
		}
		r := req
		r.Artifact = verify.ArtifactDigest("sha256", hex.EncodeToString(sum[:]))
		if _, err := v.VerifyBundle(ctx, msg, r); err != nil {
			t.Fatal(err)
		}
		r.Artifact = verify.ArtifactDigest("sha256", hex.EncodeToString(make([]byte, 32)))
		_, err := v.VerifyBundle(ctx, msg, r)
		wantCheck(t, err, verify.CheckArtifact, verify.ErrArtifactMismatch)
	})
	t.Run("default policy requires SCTs", func(t *testing.T) {
		_, err := newVerifier(t, vs.TrustedRoot()).VerifyBundle(ctx, attest, req)
		wantCheck(t, err, verify.CheckSCT, verify.ErrNoTrustedSignature)
	})
	t.Run("another deployment's bundle", func(t *testing.T) {
		other, err := verifytest.New()
		if err != nil {
			t.Fatal(err)
		}
		b, err := other.Attest(vsSAN, vsIssuer, stJSON, verifytest.BundleOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.VerifyBundle(ctx, b, req)
		wantCheck(t, err, verify.CheckTransparencyLog, verify.ErrNoTrustedSignature)
	})
	t.Run("certificate not valid at the log time", func(t *testing.T) {
		b, err := vs.Attest(vsSAN, vsIssuer, stJSON, verifytest.BundleOptions{IntegratedTime: time.Now().Add(-30 * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.VerifyBundle(ctx, b, req)
		wantCheck(t, err, verify.CheckCertificate, verify.ErrNoTrustedSignature)
	})
	t.Run("timestamp threshold", func(t *testing.T) {
		v2 := newVerifier(t, vs.TrustedRoot(), verify.WithoutSCTUnsafe(), verify.WithTimestampThreshold(2))
		if _, err := v2.VerifyBundle(ctx, attest, req); err != nil {
			t.Fatalf("log + TSA meet a threshold of 2: %v", err)
		}
		_, err := v2.VerifyBundle(ctx, msg, req)
		wantCheck(t, err, verify.CheckTimestamp, verify.ErrNoTrustedSignature)
	})
	t.Run("identity", func(t *testing.T) {
		r := req
		r.Identity = &verify.Identity{Issuer: vsIssuer, SubjectAlternativeName: "https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1.4.2"}
		_, err := v.VerifyBundle(ctx, attest, r)
		wantCheck(t, err, verify.CheckIdentity, verify.ErrIdentityMismatch)
		r.Identity = &verify.Identity{IssuerRegexp: `https://token\.actions\.githubusercontent\.com`, SubjectAlternativeNameRegexp: `https://github\.com/acme/.+@refs/tags/v.*`}
		if _, err := v.VerifyBundle(ctx, attest, r); err != nil {
			t.Fatalf("regexp identity: %v", err)
		}
		r.Identities = []verify.Identity{{Issuer: vsIssuer, SubjectAlternativeName: "nobody"}}
		r.Identity = nil
		_, err = v.VerifyBundle(ctx, attest, r)
		wantCheck(t, err, verify.CheckIdentity, verify.ErrIdentityMismatch)
		r.Identities = append(r.Identities, *id)
		if _, err := v.VerifyBundle(ctx, attest, r); err != nil {
			t.Fatalf("any-of identities: %v", err)
		}
	})
	tampers := []struct {
		name  string
		f     func(m map[string]any)
		check string
	}{
		{"log body", func(m map[string]any) {
			e := tlogEntry(m)
			e["canonicalizedBody"] = flipB64(e["canonicalizedBody"].(string))
		}, ""},
		{"log integrated time", func(m map[string]any) {
			e := tlogEntry(m)
			e["integratedTime"] = json.Number("1700000000")
		}, verify.CheckTransparencyLog},
		{"log index", func(m map[string]any) { tlogEntry(m)["logIndex"] = "7" }, verify.CheckTransparencyLog},
		{"signed entry timestamp", func(m map[string]any) {
			p := tlogEntry(m)["inclusionPromise"].(map[string]any)
			p["signedEntryTimestamp"] = flipB64(p["signedEntryTimestamp"].(string))
		}, verify.CheckTransparencyLog},
		{"RFC 3161 timestamp", func(m map[string]any) {
			ts := vm(m)["timestampVerificationData"].(map[string]any)["rfc3161Timestamps"].([]any)[0].(map[string]any)
			ts["signedTimestamp"] = flipB64(ts["signedTimestamp"].(string))
		}, verify.CheckTimestamp},
		{"certificate", func(m map[string]any) {
			c := vm(m)["x509CertificateChain"].(map[string]any)["certificates"].([]any)[0].(map[string]any)
			c["rawBytes"] = flipB64(c["rawBytes"].(string))
		}, ""},
		{"payload", func(m map[string]any) {
			env := m["dsseEnvelope"].(map[string]any)
			env["payload"] = flipB64(env["payload"].(string))
		}, ""},
		{"signature", func(m map[string]any) {
			sig := m["dsseEnvelope"].(map[string]any)["signatures"].([]any)[0].(map[string]any)
			sig["sig"] = flipB64(sig["sig"].(string))
		}, ""},
		{"log entry removed", func(m map[string]any) { vm(m)["tlogEntries"] = []any{} }, ""},
	}
	for _, tc := range tampers {
		t.Run("tampered "+tc.name, func(t *testing.T) {
			b := mutateBundle(t, attest, tc.f)
			res, err := v.VerifyBundle(ctx, b, req)
			if err == nil {
				t.Fatal("tampered bundle verified")
			}
			if res != nil && res.Verified {
				t.Error("result says verified")
			}
			if tc.check != "" {
				wantCheck(t, err, tc.check, verify.ErrNoTrustedSignature)
			}
		})
	}
}

// Two-of-two keyless signers over separate bundles: distinct identities
// count, the same identity twice does not.
func TestVerifyBundlesKOfNIdentities(t *testing.T) {
	ctx := context.Background()
	vs, err := verifytest.New()
	if err != nil {
		t.Fatal(err)
	}
	artifact := []byte("release")
	st, err := testStatement(t, artifact).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	const (
		alice = "https://github.com/acme/app/.github/workflows/build.yml@refs/tags/v1.4.2"
		bob   = "https://github.com/acme/audit/.github/workflows/review.yml@refs/heads/main"
	)
	mk := func(san string) []byte {
		b, err := vs.Attest(san, vsIssuer, st, verifytest.BundleOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	v := newVerifier(t, vs.TrustedRoot(), verify.WithoutSCTUnsafe())
	req := verify.Requirements{
		Artifact:   verify.ArtifactBytes(artifact),
		Identities: []verify.Identity{{Issuer: vsIssuer, SubjectAlternativeName: alice}, {Issuer: vsIssuer, SubjectAlternativeName: bob}},
		Threshold:  2,
	}
	res, err := v.VerifyBundles(ctx, [][]byte{mk(alice), mk(bob)}, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Signers) != 2 {
		t.Errorf("signers %+v", res.Signers)
	}
	_, err = v.VerifyBundles(ctx, [][]byte{mk(alice), mk(alice)}, req)
	wantCheck(t, err, verify.CheckThreshold, verify.ErrThresholdNotMet)
	// An outsider's bundle does not count.
	_, err = v.VerifyBundles(ctx, [][]byte{mk(alice), mk("https://github.com/evil/x/.github/workflows/a.yml@refs/heads/main")}, req)
	wantCheck(t, err, verify.CheckThreshold, verify.ErrThresholdNotMet)
}

// Rekor v2 (tiles): a checkpoint + inclusion proof and an RFC 3161
// timestamp. DESIGN.md's trap: a tampered checkpoint must fail, which a
// "log entry OR signed timestamp" policy would let through.
func TestRekorV2(t *testing.T) {
	ctx := context.Background()
	vs, err := verifytest.New()
	if err != nil {
		t.Fatal(err)
	}
	artifact := []byte("artifact")
	st, err := testStatement(t, artifact).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	b, err := vs.Attest(vsSAN, vsIssuer, st, verifytest.BundleOptions{RekorV2: true})
	if err != nil {
		t.Fatal(err)
	}
	v := newVerifier(t, vs.TrustedRoot(), verify.WithoutSCTUnsafe())
	req := verify.Requirements{Artifact: verify.ArtifactBytes(artifact), Identity: &verify.Identity{Issuer: vsIssuer, SubjectAlternativeName: vsSAN}}
	res, err := v.VerifyBundle(ctx, b, req)
	if err != nil {
		t.Fatalf("Rekor v2 bundle: %v", err)
	}
	if res.BundleVersion != "v0.3" || len(res.Timestamps) == 0 {
		t.Errorf("result %+v", res)
	}
	for name, f := range map[string]func(m map[string]any){
		"checkpoint": func(m map[string]any) {
			cp := tlogEntry(m)["inclusionProof"].(map[string]any)["checkpoint"].(map[string]any)
			env := cp["envelope"].(string)
			cp["envelope"] = strings.Replace(env, "\n1\n", "\n2\n", 1)
		},
		"root hash": func(m map[string]any) {
			p := tlogEntry(m)["inclusionProof"].(map[string]any)
			p["rootHash"] = flipB64(p["rootHash"].(string))
		},
		"body": func(m map[string]any) {
			e := tlogEntry(m)
			e["canonicalizedBody"] = flipB64(e["canonicalizedBody"].(string))
		},
		"timestamp removed": func(m map[string]any) { delete(vm(m), "timestampVerificationData") },
	} {
		t.Run("tampered "+name, func(t *testing.T) {
			tb := mutateBundle(t, b, f)
			if bytes.Equal(tb, b) {
				t.Fatal("mutation changed nothing")
			}
			if _, err := v.VerifyBundle(ctx, tb, req); err == nil {
				t.Fatal("tampered Rekor v2 bundle verified")
			}
		})
	}
}
