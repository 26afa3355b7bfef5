package chaingate_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/chaingate/chaingate"
	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/provenance"
	"github.com/chaingate/chaingate/verify"
)

// SLSA requirements on a candidate must be met by verified SLSA
// provenance: a plain signature, or no attestation at all, is a failed
// verify stage, whatever the policy says.
func TestEvaluateSLSARequiresProvenance(t *testing.T) {
	ctx := context.Background()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := signature.LoadECDSASignerVerifier(key, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	pemKey, err := cryptoutils.MarshalPublicKeyToPEM(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	artifact := []byte("release binary")
	sum := sha256.Sum256(artifact)
	bundle, err := provenance.SignArtifactBundle(ctx, signer, artifact)
	if err != nil {
		t.Fatal(err)
	}
	v, err := verify.New(nil, verify.WithPublicKey(pemKey), verify.WithKeySignaturesWithoutTlogUnsafe())
	if err != nil {
		t.Fatal(err)
	}
	// A policy that allows everything: only the gate's own checks can deny.
	permissive, err := policy.New(ctx, policy.FromModule("allow.rego", "package main\n\ndeny contains msg if {\n\tfalse\n\tmsg := \"never\"\n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	g := newGate(t, chaingate.WithVerifier(v), chaingate.WithPolicy(permissive))
	base := chaingate.Candidate{Image: "ghcr.io/acme/tool:1.0.0", Digest: "sha256:" + hex.EncodeToString(sum[:])}

	signed := base
	signed.Attestations = [][]byte{bundle}
	if v, err := g.Evaluate(ctx, signed); err != nil || !v.Allow {
		t.Fatalf("signed artifact without SLSA requirements: allow %v err %v", v.Allow, err)
	}

	slsa := &verify.SLSARequirements{BuilderIDs: []string{"https://github.com/actions/runner/github-hosted"}, SourceURI: "github.com/acme/tool"}
	for name, c := range map[string]chaingate.Candidate{
		"signature only":  {Image: base.Image, Digest: base.Digest, Attestations: [][]byte{bundle}, SLSA: slsa},
		"no attestations": {Image: base.Image, Digest: base.Digest, SLSA: slsa},
	} {
		t.Run(name, func(t *testing.T) {
			v, err := g.Evaluate(ctx, c)
			var se *chaingate.StageError
			if !errors.As(err, &se) || se.Stage != chaingate.StageVerify || v.Allow {
				t.Fatalf("allow %v err %v: want a verify StageError and a deny", v.Allow, err)
			}
		})
	}
}
