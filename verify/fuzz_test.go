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
