package provenance_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chaingate/chaingate/provenance"
	"github.com/chaingate/chaingate/sbom"
	"github.com/sigstore/sigstore/pkg/signature"
)

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseStatementAndPredicates(t *testing.T) {
	tests := []struct {
		file     string
		typ      string
		pred     string
		checkPre func(t *testing.T, p any)
	}{
		{"statement-v0.1-slsa-v0.2.json", provenance.StatementTypeV01, provenance.PredicateSLSAProvenanceV02, func(t *testing.T, p any) {
			s := p.(*provenance.SLSAProvenanceV02)
			if s.Builder.ID != "https://github.com/actions/runner" || s.BuildType != "https://github.com/npm/cli/gha/v2" {
				t.Errorf("builder %q buildType %q", s.Builder.ID, s.BuildType)
			}
		}},
		{"statement-v1-slsa-v1.json", provenance.StatementTypeV1, provenance.PredicateSLSAProvenanceV1, func(t *testing.T, p any) {
			s := p.(*provenance.SLSAProvenanceV1)
			if s.RunDetails.Builder.ID != "https://github.com/actions/runner/github-hosted" || len(s.BuildDefinition.ResolvedDependencies) != 1 {
				t.Errorf("predicate %+v", s)
			}
		}},
		{"statement-v1-vulns-v0.2.json", provenance.StatementTypeV1, provenance.PredicateVulnsV02, func(t *testing.T, p any) {
			s := p.(*provenance.VulnScan)
			f, err := s.Findings()
			if err != nil || len(f) != 1 || f[0].ID != "CVE-2021-36159" || f[0].Severity[0].Score != "9.8" {
				t.Errorf("findings %+v, %v", f, err)
			}
			if s.Metadata.ScanFinishedOn.IsZero() || s.Scanner.Version != "0.19.2" {
				t.Errorf("scan %+v", s)
			}
		}},
		{"statement-v1-cyclonedx.json", provenance.StatementTypeV1, provenance.PredicateCycloneDX, func(t *testing.T, p any) {
			s := p.(*provenance.SBOMPredicate)
			doc, err := s.Document()
			if err != nil {
				t.Fatal(err)
			}
			if doc.Format != sbom.CycloneDXJSON || len(doc.Components) == 0 {
				t.Errorf("document format %s with %d components", doc.Format, len(doc.Components))
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			st, err := provenance.ParseStatement(read(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if st.Type != tc.typ || st.PredicateType != tc.pred || len(st.Subject) == 0 {
				t.Fatalf("statement %s %s %d subjects", st.Type, st.PredicateType, len(st.Subject))
			}
			p, err := st.DecodePredicate()
			if err != nil {
				t.Fatal(err)
			}
			tc.checkPre(t, p)
			// Round trip through the in-toto/attestation binding.
			pb, err := st.Proto()
			if err != nil {
				t.Fatal(err)
			}
			back, err := provenance.StatementFromProto(pb)
			if err != nil {
				t.Fatal(err)
			}
			if back.PredicateType != st.PredicateType || back.Subject[0].Digest[firstKey(st.Subject[0].Digest)] != st.Subject[0].Digest[firstKey(st.Subject[0].Digest)] {
				t.Errorf("round trip changed the statement: %+v", back)
			}
		})
	}
}

func firstKey(m map[string]string) string {
	for k := range m {
		return k
	}
	return ""
}

func TestParseStatementErrors(t *testing.T) {
	for name, in := range map[string]string{
		"not json":       `{`,
		"bad type":       `{"_type":"https://example.com/x","subject":[{"name":"a","digest":{"sha256":"aa"}}],"predicateType":"p"}`,
		"no subject":     `{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"p"}`,
		"no digest":      `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{}}],"predicateType":"p"}`,
		"non-hex sha256": `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"zz"}}],"predicateType":"p"}`,
		"no predicate":   `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"aa"}}]}`,
		"trailing data":  `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"aa"}}],"predicateType":"p"} {}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := provenance.ParseStatement([]byte(in))
			if !errors.Is(err, provenance.ErrInvalidStatement) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	big := bytes.Repeat([]byte(" "), provenance.MaxStatementSize+1)
	if _, err := provenance.ParseStatement(big); !errors.Is(err, provenance.ErrTooLarge) {
		t.Errorf("oversize: %v", err)
	}
}

func TestUnknownPredicateIsRaw(t *testing.T) {
	st, err := provenance.NewStatement("https://example.com/custom/v1", map[string]any{"k": "v"}, provenance.Subject{Name: "a", Digest: map[string]string{"sha256": strings.Repeat("0", 64)}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.DecodePredicate()
	if err != nil {
		t.Fatal(err)
	}
	raw, ok := p.(*provenance.RawPredicate)
	if !ok || string(raw.Raw) != `{"k":"v"}` {
		t.Fatalf("got %T %+v", p, p)
	}
	if _, err := st.SLSAv1(); !errors.Is(err, provenance.ErrPredicateType) {
		t.Errorf("SLSAv1 on custom predicate: %v", err)
	}
}

func TestVSAEnvelope(t *testing.T) {
	env, err := provenance.ParseEnvelope(read(t, "vsa.dsse.json"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := provenance.EnvelopeStatement(env)
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.DecodePredicate()
	if err != nil {
		t.Fatal(err)
	}
	vsa := p.(*provenance.VerificationSummary)
	if vsa.GetVerifier().GetId() != "https://bcid.corp.google.com/verifier/bcid_package_enforcer/v0.1" || vsa.GetVerificationResult() != "PASSED" || len(vsa.GetVerifiedLevels()) != 2 {
		t.Errorf("vsa %v", vsa)
	}
}

func TestPAE(t *testing.T) {
	// The example from the DSSE specification (protocol.md).
	got := string(provenance.PAE("http://example.com/HelloWorld", []byte("hello world")))
	want := "DSSEv1 29 http://example.com/HelloWorld 11 hello world"
	if got != want {
		t.Errorf("PAE = %q, want %q", got, want)
	}
}

func TestParseEnvelopeErrors(t *testing.T) {
	for name, in := range map[string]string{
		"not json":      `[`,
		"no type":       `{"payload":"e30=","signatures":[{"sig":"AA=="}]}`,
		"bad payload":   `{"payloadType":"t","payload":"!!","signatures":[{"sig":"AA=="}]}`,
		"no signatures": `{"payloadType":"t","payload":"e30=","signatures":[]}`,
		"bad signature": `{"payloadType":"t","payload":"e30=","signatures":[{"sig":"@@"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := provenance.ParseEnvelope([]byte(in)); !errors.Is(err, provenance.ErrInvalidEnvelope) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestParseBundles(t *testing.T) {
	for _, tc := range []struct {
		file, version string
		dsse          bool
	}{
		{"bundle-v0.1.sigstore.json", "v0.1", true},
		{"bundle-v0.2.sigstore.json", "v0.2", true},
		{"bundle-v0.3.sigstore.json", "v0.3", false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			b, err := provenance.ParseBundle(read(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if b.BundleVersion() != tc.version {
				t.Errorf("version %q, want %q", b.BundleVersion(), tc.version)
			}
			st, err := b.Statement()
			if tc.dsse {
				if err != nil || st.PredicateType == "" {
					t.Errorf("statement %v %v", st, err)
				}
				env, err := b.DSSEEnvelope()
				if err != nil || len(env.Signatures) != 1 {
					t.Errorf("envelope %v %v", env, err)
				}
			} else if err == nil {
				t.Error("message-signature bundle returned a statement")
			}
		})
	}
	for name, in := range map[string]string{
		"not json":      `{`,
		"no media type": `{"verificationMaterial":{}}`,
		"unknown media": `{"mediaType":"application/x-nope"}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := provenance.ParseBundle([]byte(in)); !errors.Is(err, provenance.ErrInvalidBundle) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestBuilderAndSigning(t *testing.T) {
	ctx := context.Background()
	priv, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	signer, err := signature.LoadDefaultSigner(priv)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("app"))
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st, err := provenance.NewSLSABuilder("https://ci.example.com/builder@v1", "https://ci.example.com/buildtypes/make@v1").
		Subject("app", map[string]string{"SHA256": hex.EncodeToString(sum[:])}).
		ExternalParameter("source", "git+https://github.com/acme/app@refs/heads/main").
		InternalParameter("runner", "linux").
		ResolvedDependency("git+https://github.com/acme/app", map[string]string{"gitCommit": "abc"}).
		BuilderVersion("ci", "1.2").
		InvocationID("https://ci.example.com/runs/1").
		Times(start, start.Add(time.Minute)).
		Statement()
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.SLSAv1()
	if err != nil {
		t.Fatal(err)
	}
	if p.RunDetails.BuildMetadata.InvocationID != "https://ci.example.com/runs/1" || !p.RunDetails.BuildMetadata.StartedOn.Equal(start) {
		t.Errorf("predicate %+v", p.RunDetails)
	}
	if !st.MatchesDigest("sha256", strings.ToUpper(hex.EncodeToString(sum[:]))) {
		t.Error("subject digest not lower-cased / matched")
	}
	env, err := provenance.SignStatement(ctx, st, signer)
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := base64.StdEncoding.DecodeString(env.Signatures[0].Sig)
	payload, _ := env.DecodeB64Payload()
	verifier, _ := signature.LoadDefaultVerifier(priv.Public())
	if err := verifier.VerifySignature(bytes.NewReader(sig), bytes.NewReader(provenance.PAE(env.PayloadType, payload))); err != nil {
		t.Errorf("DSSE signature is not over PAE: %v", err)
	}
	b, err := provenance.SignStatementBundle(ctx, signer, st)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := provenance.ParseBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	hint, _ := provenance.KeyHint(priv.Public())
	if pb.BundleVersion() != "v0.3" || pb.Sigstore().GetVerificationMaterial().GetPublicKey().GetHint() != hint {
		t.Errorf("bundle %s hint %q", pb.BundleVersion(), pb.Sigstore().GetVerificationMaterial().GetPublicKey().GetHint())
	}

	// Builder errors.
	if _, err := provenance.NewSLSABuilder("", "t").Statement(); err == nil {
		t.Error("empty builder ID accepted")
	}
	if _, err := provenance.NewSLSABuilder("b", "t").Statement(); err == nil {
		t.Error("statement without subjects accepted")
	}
	if _, err := provenance.NewSLSABuilder("b", "t").Subject("x", map[string]string{"sha256": "00"}).Times(start, start.Add(-time.Second)).Statement(); err == nil {
		t.Error("finish before start accepted")
	}
}

func TestCosignSignature(t *testing.T) {
	ss := provenance.NewSimpleSigning("registry.example.com/app", "sha256:"+strings.Repeat("ab", 32))
	if ss.Critical.Type != provenance.CosignSimpleSigningCritical {
		t.Fatal("type")
	}
	if _, err := provenance.ParseSimpleSigning([]byte(`{"critical":{"type":"other"}}`)); err == nil {
		t.Error("wrong critical type accepted")
	}
	if _, err := provenance.ParseCosignSignature([]byte("{}"), "not base64!", nil, nil); err == nil {
		t.Error("bad signature accepted")
	}
	if _, err := provenance.ParseCosignSignature([]byte("{}"), "AA==", []byte("-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"), nil); err == nil {
		t.Error("bad certificate accepted")
	}
	cs, err := provenance.ParseCosignSignature([]byte("{}"), "AAEC", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := cs.Bundle("hint")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provenance.ParseBundle(b); err != nil {
		t.Errorf("converted bundle does not parse: %v", err)
	}
}
