package verify_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/chaingate/chaingate/verify"
)

const (
	ghIssuer       = "https://token.actions.githubusercontent.com"
	sigstoreJSSAN  = "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main"
	sigstoreJS2Dig = "46d4e2f74c4877316640000a6fdf8a8b59f1e0847667973e9859f774dd31b8f1e0937813b777fb66a2ac67d50540fe34640966eee9fc2ccca387082b4c85cd3c"
	sigstoreJS1Dig = "76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6b3527515dc17c06fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751"
	slsaProvDig    = "bbfd372fc9beeb777fe35d05bb10c0c70a9733d366a75fed7dd18866c7391de3ee7e88ba74dd47abf3e15c845e547fcf0e5c3da80854c751554224d3a6d4e55f"
)

func readFile(t testing.TB, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{"testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadRoot(t testing.TB, parts ...string) *verify.TrustedRoot {
	t.Helper()
	tr, err := verify.LoadTrustedRoot(filepath.Join(append([]string{"testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func newVerifier(t testing.TB, tr *verify.TrustedRoot, opts ...verify.Option) *verify.Verifier {
	t.Helper()
	v, err := verify.New(tr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// npmAttestation returns the bundle of the given predicate type from an
// npm registry attestations document.
func npmAttestation(t testing.TB, name, predicateType string) []byte {
	t.Helper()
	var doc struct {
		Attestations []struct {
			PredicateType string          `json:"predicateType"`
			Bundle        json.RawMessage `json:"bundle"`
		} `json:"attestations"`
	}
	if err := json.Unmarshal(readFile(t, "slsa-verifier", name), &doc); err != nil {
		t.Fatal(err)
	}
	for _, a := range doc.Attestations {
		if a.PredicateType == predicateType {
			return a.Bundle
		}
	}
	t.Fatalf("%s: no %s attestation", name, predicateType)
	return nil
}

func wantCheck(t *testing.T, err error, check string, sentinel error) {
	t.Helper()
	if err == nil {
		t.Fatalf("verified; want failure of check %q", check)
	}
	var ce *verify.CheckError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *CheckError", err)
	}
	if ce.Check != check {
		t.Errorf("failed check = %q, want %q (%v)", ce.Check, check, err)
	}
	if sentinel != nil && !errors.Is(err, sentinel) {
		t.Errorf("error %v does not match %v", err, sentinel)
	}
}

func TestVerifyRealBundles(t *testing.T) {
	current := loadRoot(t, "trusted_root_public_good.json")
	old := loadRoot(t, "sigstore-go", "trusted_root_public_good_2023.json")
	sjsID := &verify.Identity{Issuer: ghIssuer, SubjectAlternativeName: sigstoreJSSAN}
	gundamTgz := readFile(t, "slsa-verifier", "gundam-visor-cli-v1-tag.tgz")
	supremeTgz := readFile(t, "slsa-verifier", "supreme-googles-cli-v02-tag.tgz")

	tests := []struct {
		name      string
		root      *verify.TrustedRoot
		bundle    []byte
		req       verify.Requirements
		wantCheck string
		wantErr   error
		wantPred  string
	}{
		{
			name:     "sigstore-js 2.0.0 SLSA v1, 2023 root",
			root:     old,
			bundle:   readFile(t, "sigstore-go", "sigstore.js@2.0.0-provenance.sigstore.json"),
			req:      verify.Requirements{Artifact: verify.ArtifactDigest("sha512", sigstoreJS2Dig), Identity: sjsID},
			wantPred: "https://slsa.dev/provenance/v1",
		},
		{
			name:     "sigstore-js 2.0.0 SLSA v1, current root",
			root:     current,
			bundle:   readFile(t, "sigstore-go", "sigstore.js@2.0.0-provenance.sigstore.json"),
			req:      verify.Requirements{Artifact: verify.ArtifactDigest("SHA-512", sigstoreJS2Dig), Identity: sjsID, PredicateType: "https://slsa.dev/provenance/v1"},
			wantPred: "https://slsa.dev/provenance/v1",
		},
		{
			name:     "sigstore-js 1.3.0 SLSA v0.2",
			root:     old,
			bundle:   readFile(t, "sigstore-go", "bundle-provenance.json"),
			req:      verify.Requirements{Artifact: verify.ArtifactDigest("sha512", sigstoreJS1Dig), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeNameRegexp: `https://github\.com/sigstore/sigstore-js/.*`}},
			wantPred: "https://slsa.dev/provenance/v0.2",
		},
		{
			name:     "dsse.sigstore.json (2022, email identity), current root",
			root:     current,
			bundle:   readFile(t, "sigstore-go", "dsse.sigstore.json"),
			req:      verify.Requirements{Artifact: verify.ArtifactDigest("sha512", slsaProvDig), Identity: &verify.Identity{Issuer: "https://github.com/login/oauth", SubjectAlternativeName: "brian@dehamer.com"}},
			wantPred: "https://slsa.dev/provenance/v0.2",
		},
		{
			name:      "dsse.sigstore.json, other email",
			root:      current,
			bundle:    readFile(t, "sigstore-go", "dsse.sigstore.json"),
			req:       verify.Requirements{Artifact: verify.ArtifactDigest("sha512", slsaProvDig), Identity: &verify.Identity{Issuer: "https://github.com/login/oauth", SubjectAlternativeName: "someone@dehamer.com"}},
			wantCheck: verify.CheckIdentity, wantErr: verify.ErrIdentityMismatch,
		},
		{
			name:     "sigstore-js 1.3.0 SLSA v0.2, current root",
			root:     current,
			bundle:   readFile(t, "sigstore-go", "bundle-provenance.json"),
			req:      verify.Requirements{Artifact: verify.ArtifactDigest("sha512", sigstoreJS1Dig), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeNameRegexp: `https://github\.com/sigstore/sigstore-js/.*`}},
			wantPred: "https://slsa.dev/provenance/v0.2",
		},
		{
			name:      "sigstore-js 1.3.0 tampered digest",
			root:      current,
			bundle:    readFile(t, "sigstore-go", "bundle-provenance.json"),
			req:       verify.Requirements{Artifact: verify.ArtifactDigest("sha512", sigstoreJS2Dig), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeNameRegexp: `https://github\.com/sigstore/sigstore-js/.*`}},
			wantCheck: verify.CheckArtifact, wantErr: verify.ErrArtifactMismatch,
		},
		{
			name:      "wrong SAN",
			root:      old,
			bundle:    readFile(t, "sigstore-go", "sigstore.js@2.0.0-provenance.sigstore.json"),
			req:       verify.Requirements{Artifact: verify.ArtifactDigest("sha512", sigstoreJS2Dig), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeName: sigstoreJSSAN + "x"}},
			wantCheck: verify.CheckIdentity, wantErr: verify.ErrIdentityMismatch,
		},
		{
			name:      "SAN regexp is anchored",
			root:      old,
			bundle:    readFile(t, "sigstore-go", "sigstore.js@2.0.0-provenance.sigstore.json"),
			req:       verify.Requirements{Artifact: verify.ArtifactDigest("sha512", sigstoreJS2Dig), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeNameRegexp: `github\.com/sigstore`}},
			wantCheck: verify.CheckIdentity, wantErr: verify.ErrIdentityMismatch,
		},
		{
			name:      "wrong issuer",
			root:      old,
			bundle:    readFile(t, "sigstore-go", "sigstore.js@2.0.0-provenance.sigstore.json"),
			req:       verify.Requirements{Artifact: verify.ArtifactDigest("sha512", sigstoreJS2Dig), Identity: &verify.Identity{Issuer: "https://accounts.google.com", SubjectAlternativeName: sigstoreJSSAN}},
			wantCheck: verify.CheckIdentity, wantErr: verify.ErrIdentityMismatch,
		},
		{
			name:      "wrong digest",
			root:      old,
			bundle:    readFile(t, "sigstore-go", "sigstore.js@2.0.0-provenance.sigstore.json"),
			req:       verify.Requirements{Artifact: verify.ArtifactDigest("sha512", sigstoreJS1Dig), Identity: sjsID},
			wantCheck: verify.CheckArtifact, wantErr: verify.ErrArtifactMismatch,
		},
		{
			name:      "wrong predicate type",
			root:      old,
			bundle:    readFile(t, "sigstore-go", "sigstore.js@2.0.0-provenance.sigstore.json"),
			req:       verify.Requirements{Artifact: verify.ArtifactDigest("sha512", sigstoreJS2Dig), Identity: sjsID, PredicateType: "https://slsa.dev/provenance/v0.2"},
			wantCheck: verify.CheckPredicateType, wantErr: verify.ErrPredicateMismatch,
		},
		{
			name:      "no identity for a certificate bundle",
			root:      old,
			bundle:    readFile(t, "sigstore-go", "sigstore.js@2.0.0-provenance.sigstore.json"),
			req:       verify.Requirements{Artifact: verify.ArtifactDigest("sha512", sigstoreJS2Dig)},
			wantCheck: verify.CheckIdentity, wantErr: verify.ErrInvalidInput,
		},
		{
			name:      "no artifact",
			root:      old,
			bundle:    readFile(t, "sigstore-go", "sigstore.js@2.0.0-provenance.sigstore.json"),
			req:       verify.Requirements{Identity: sjsID},
			wantCheck: verify.CheckArtifact, wantErr: verify.ErrInvalidInput,
		},
		{
			name:      "two DSSE signatures is not a valid bundle",
			root:      old,
			bundle:    readFile(t, "sigstore-go", "dsse-2sigs.sigstore.json"),
			req:       verify.Requirements{Artifact: verify.ArtifactDigest("sha512", slsaProvDig), AnyIdentityUnsafe: true},
			wantCheck: verify.CheckSignature, wantErr: verify.ErrNoTrustedSignature,
		},
		{
			name:     "npm gundam-visor SLSA v1 provenance (2024)",
			root:     current,
			bundle:   npmAttestation(t, "gundam-visor-cli-v1-tag.tgz.json", "https://slsa.dev/provenance/v1"),
			req:      verify.Requirements{Artifact: verify.ArtifactBytes(gundamTgz), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeName: "https://github.com/ramonpetgrave64/gundam-visor/.github/workflows/npm-publish.yml@refs/tags/v1.0.1", GitHubRepository: "ramonpetgrave64/gundam-visor", GitHubRef: "refs/tags/v1.0.1", GitHubTrigger: "release", GitHubWorkflowDigest: "599500821344b070902a7a5666064bfdaba715df"}},
			wantPred: "https://slsa.dev/provenance/v1",
		},
		{
			name:      "npm gundam-visor wrong trigger",
			root:      current,
			bundle:    npmAttestation(t, "gundam-visor-cli-v1-tag.tgz.json", "https://slsa.dev/provenance/v1"),
			req:       verify.Requirements{Artifact: verify.ArtifactBytes(gundamTgz), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeNameRegexp: `https://github\.com/ramonpetgrave64/gundam-visor/.*`, GitHubTrigger: "push"}},
			wantCheck: verify.CheckGitHubTrigger, wantErr: verify.ErrIdentityMismatch,
		},
		{
			name:      "npm gundam-visor wrong workflow digest",
			root:      current,
			bundle:    npmAttestation(t, "gundam-visor-cli-v1-tag.tgz.json", "https://slsa.dev/provenance/v1"),
			req:       verify.Requirements{Artifact: verify.ArtifactBytes(gundamTgz), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeNameRegexp: `https://github\.com/ramonpetgrave64/gundam-visor/.*`, GitHubWorkflowDigest: "0000000000000000000000000000000000000000"}},
			wantCheck: verify.CheckGitHubDigest, wantErr: verify.ErrIdentityMismatch,
		},
		{
			name:      "npm gundam-visor wrong ref",
			root:      current,
			bundle:    npmAttestation(t, "gundam-visor-cli-v1-tag.tgz.json", "https://slsa.dev/provenance/v1"),
			req:       verify.Requirements{Artifact: verify.ArtifactBytes(gundamTgz), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeNameRegexp: `https://github\.com/ramonpetgrave64/gundam-visor/.*`, GitHubRef: "refs/heads/main"}},
			wantCheck: verify.CheckGitHubRef, wantErr: verify.ErrIdentityMismatch,
		},
		{
			name:      "npm gundam-visor wrong repository",
			root:      current,
			bundle:    npmAttestation(t, "gundam-visor-cli-v1-tag.tgz.json", "https://slsa.dev/provenance/v1"),
			req:       verify.Requirements{Artifact: verify.ArtifactBytes(gundamTgz), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeNameRegexp: `https://github\.com/ramonpetgrave64/gundam-visor/.*`, GitHubRepository: "ramonpetgrave64/other"}},
			wantCheck: verify.CheckGitHubRepo, wantErr: verify.ErrIdentityMismatch,
		},
		{
			name:      "npm gundam-visor invalid provenance signature",
			root:      current,
			bundle:    npmAttestation(t, "gundam-visor-cli-v1-tag-invalidsigprov.tgz.json", "https://slsa.dev/provenance/v1"),
			req:       verify.Requirements{Artifact: verify.ArtifactBytes(gundamTgz), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeNameRegexp: `.*`}},
			wantCheck: verify.CheckTransparencyLog, wantErr: verify.ErrNoTrustedSignature,
		},
		{
			name:      "npm gundam-visor other tarball",
			root:      current,
			bundle:    npmAttestation(t, "gundam-visor-cli-v1-tag.tgz.json", "https://slsa.dev/provenance/v1"),
			req:       verify.Requirements{Artifact: verify.ArtifactBytes(supremeTgz), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeNameRegexp: `.*`}},
			wantCheck: verify.CheckArtifact, wantErr: verify.ErrArtifactMismatch,
		},
		{
			name:     "npm supreme-goggles SLSA v0.2 provenance",
			root:     current,
			bundle:   npmAttestation(t, "supreme-googles-cli-v02-tag.tgz.json", "https://slsa.dev/provenance/v0.2"),
			req:      verify.Requirements{Artifact: verify.ArtifactReader(bytesReader(supremeTgz)), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeName: "https://github.com/trishankatdatadog/supreme-goggles/.github/workflows/npm-publish.yml@refs/tags/v1.0.5"}},
			wantPred: "https://slsa.dev/provenance/v0.2",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := newVerifier(t, tc.root)
			res, err := v.VerifyBundle(context.Background(), tc.bundle, tc.req)
			if tc.wantCheck != "" {
				wantCheck(t, err, tc.wantCheck, tc.wantErr)
				if res != nil && res.Verified {
					t.Error("failed result says Verified")
				}
				return
			}
			if err != nil {
				t.Fatalf("VerifyBundle: %v", err)
			}
			if !res.Verified || res.SchemaVersion != verify.SchemaVersion {
				t.Fatalf("result not verified: %+v", res)
			}
			if res.Statement == nil || res.Statement.PredicateType != tc.wantPred {
				t.Errorf("statement = %+v, want predicate %s", res.Statement, tc.wantPred)
			}
			if res.Signer == nil || res.Signer.Kind != "certificate" || res.Signer.SubjectAlternativeName == "" {
				t.Errorf("signer = %+v", res.Signer)
			}
			if len(res.Timestamps) == 0 || len(res.TransparencyLog) == 0 || !res.TransparencyLog[0].Verified {
				t.Errorf("timestamps %v, log %v", res.Timestamps, res.TransparencyLog)
			}
			for _, c := range res.Checks {
				if !c.Passed {
					t.Errorf("verified result has failed check %+v", c)
				}
			}
			if _, err := json.Marshal(res); err != nil {
				t.Errorf("marshal result: %v", err)
			}
		})
	}
}

func TestSentinelUmbrella(t *testing.T) {
	v := newVerifier(t, loadRoot(t, "sigstore-go", "trusted_root_public_good_2023.json"))
	b := readFile(t, "sigstore-go", "sigstore.js@2.0.0-provenance.sigstore.json")
	_, err := v.VerifyBundle(context.Background(), b, verify.Requirements{
		Artifact: verify.ArtifactDigest("sha512", sigstoreJS2Dig),
		Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeName: "https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main"},
	})
	if !errors.Is(err, verify.ErrIdentityMismatch) || !errors.Is(err, verify.ErrNoTrustedSignature) {
		t.Errorf("identity mismatch %v should match both sentinels", err)
	}
	_, err = v.VerifyBundle(context.Background(), b, verify.Requirements{
		Artifact:      verify.ArtifactDigest("sha512", sigstoreJS2Dig),
		Identity:      &verify.Identity{Issuer: ghIssuer, SubjectAlternativeName: sigstoreJSSAN},
		PredicateType: "https://example.com/other",
	})
	if !errors.Is(err, verify.ErrPredicateMismatch) || errors.Is(err, verify.ErrNoTrustedSignature) {
		t.Errorf("predicate mismatch %v: the signature itself is trusted", err)
	}
}
