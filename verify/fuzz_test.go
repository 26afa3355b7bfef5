package verify_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chaingate/chaingate/verify"
)

// FuzzVerifyBundle feeds arbitrary bundle JSON to a Verifier that trusts
// the public-good root and a key: nothing may panic, and whatever does
// not verify must come back as a *CheckError with an unverified Result.
func FuzzVerifyBundle(f *testing.F) {
	for _, dir := range []string{"sigstore-go", "release-gate"} {
		entries, _ := os.ReadDir(filepath.Join("testdata", dir))
		for _, e := range entries {
			if filepath.Ext(e.Name()) == ".json" {
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
