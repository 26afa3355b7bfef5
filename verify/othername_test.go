package verify_test

import (
	"context"
	"testing"

	"github.com/chaingate/chaingate/verify"
)

// sigstore-go's OtherName SAN bundle (a private "scaffolding" deployment).
func TestOtherNameSAN(t *testing.T) {
	ctx := context.Background()
	tr := loadRoot(t, "sigstore-go", "scaffolding.json")
	b := readFile(t, "sigstore-go", "othername.sigstore.json")
	req := verify.Requirements{
		Artifact: verify.ArtifactDigest("sha256", "bc103b4a84971ef6459b294a2b98568a2bfb72cded09d4acd1e16366a401f95b"),
		Identity: &verify.Identity{Issuer: "http://oidc.local:8080", SubjectAlternativeName: "foo!oidc.local"},
	}
	res, err := newVerifier(t, tr).VerifyBundle(ctx, b, req)
	if err != nil {
		t.Fatalf("othername: %v", err)
	}
	if res.Signer.SubjectAlternativeName != "foo!oidc.local" {
		t.Errorf("SAN %q", res.Signer.SubjectAlternativeName)
	}
	req.Identity = &verify.Identity{Issuer: "http://oidc.local:8080", SubjectAlternativeName: "foo@oidc.local"}
	_, err = newVerifier(t, tr).VerifyBundle(ctx, b, req)
	wantCheck(t, err, verify.CheckIdentity, verify.ErrIdentityMismatch)
}
