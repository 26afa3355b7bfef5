package chaingate_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/chaingate/chaingate"
	"github.com/chaingate/chaingate/gitops"
	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/provenance"
	"github.com/chaingate/chaingate/sbom"
	"github.com/chaingate/chaingate/verify"
)

// keySigned is a key pair, a verifier trusting it and an artifact.
type keySigned struct {
	signer   signature.Signer
	verifier *verify.Verifier
	artifact []byte
	digest   string // sha256:<hex> of artifact
}

func newKeySigned(t *testing.T) *keySigned {
	t.Helper()
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
	v, err := verify.New(nil, verify.WithPublicKey(pemKey), verify.WithKeySignaturesWithoutTlogUnsafe())
	if err != nil {
		t.Fatal(err)
	}
	artifact := []byte("shop-api release binary")
	sum := sha256.Sum256(artifact)
	return &keySigned{signer: signer, verifier: v, artifact: artifact, digest: "sha256:" + hex.EncodeToString(sum[:])}
}

// attestSBOM signs an in-toto SBOM attestation (CycloneDX predicate) about
// the artifact.
func (k *keySigned) attestSBOM(t *testing.T, cdx []byte) []byte {
	t.Helper()
	alg, hexDigest, _ := strings.Cut(k.digest, ":")
	st, err := provenance.NewStatement(provenance.PredicateCycloneDX, json.RawMessage(cdx),
		provenance.Subject{Name: "shop-api", Digest: map[string]string{alg: hexDigest}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := provenance.SignStatementBundle(context.Background(), k.signer, st)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func libraryEngine(t *testing.T, config map[string]any, areas ...string) *policy.Engine {
	t.Helper()
	e, err := policy.New(context.Background(), policy.WithLibrary(areas...),
		policy.WithData(map[string]any{"chaingate": map[string]any{"config": config}}))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// ginOnly is the shop-api SBOM cut down to its root and gin, with gin at
// the given version.
func ginOnly(t *testing.T, version string) *sbom.Document {
	t.Helper()
	doc, err := sbom.Decode(bytes.NewReader(readData(t, "shop-api.cdx.json")))
	if err != nil {
		t.Fatal(err)
	}
	var kept []sbom.Component
	for _, c := range doc.Components {
		switch {
		case c.ID == doc.Root:
			kept = append(kept, c)
		case c.Name == "github.com/gin-gonic/gin":
			c.Version = version
			c.PURL = "pkg:golang/github.com/gin-gonic/gin@" + version
			kept = append(kept, c)
		}
	}
	if len(kept) != 2 {
		t.Fatalf("shop-api SBOM: root and gin not found (%d kept)", len(kept))
	}
	doc.Components, doc.Dependencies = kept, nil
	return doc
}

func denied(v *chaingate.Verdict, code, component string) bool {
	for _, r := range v.Reasons {
		if r.Code == code && (component == "" || r.Metadata["component"] == component || strings.Contains(r.Message, component)) {
			return true
		}
	}
	return false
}

// A gin version that is not a valid Go version cannot be assessed: the
// library denies it, where gin v1.7.0 is denied for its advisories; the
// setting turns it off.
func TestEvaluateDeniesUnassessedVersion(t *testing.T) {
	ctx := context.Background()
	vuln := map[string]any{"vulnerabilities": map[string]any{"threshold": "low"}}
	g := newGate(t, chaingate.WithPolicy(libraryEngine(t, vuln, policy.LibraryVulnerabilities)))
	const gin = "github.com/gin-gonic/gin"

	c := chaingate.Candidate{Image: "ghcr.io/acme/shop-api:1.4.0", Digest: shopAPI, Document: ginOnly(t, "v1.7.0")}
	v, err := g.Evaluate(ctx, c)
	if err != nil || v.Allow || !denied(v, "CG-VULN-002", gin) || denied(v, "CG-VULN-009", gin) {
		t.Fatalf("gin v1.7.0: allow %v err %v reasons %+v", v.Allow, err, v.Reasons)
	}

	c.Document = ginOnly(t, "v1.7.0.1")
	v, err = g.Evaluate(ctx, c)
	if err != nil || v.Allow || !denied(v, "CG-VULN-009", gin) || denied(v, "CG-VULN-002", gin) {
		t.Fatalf("gin v1.7.0.1: allow %v err %v reasons %+v", v.Allow, err, v.Reasons)
	}
	if v.Stages[2].Name != chaingate.StageRisk || v.Stages[2].Status != "ok" {
		t.Errorf("risk stage %+v", v.Stages[2])
	}
	var u *policy.Unassessed
	for i := range v.Input.Risk.Unassessed {
		if v.Input.Risk.Unassessed[i].Package == gin {
			u = &v.Input.Risk.Unassessed[i]
		}
	}
	if u == nil || u.Ecosystem != "Go" || u.Version != "v1.7.0.1" || len(u.Advisories) == 0 || u.Root || v.Input.Risk.Summary.Unassessed != len(v.Input.Risk.Unassessed) {
		t.Fatalf("unassessed input %+v (summary %+v)", v.Input.Risk.Unassessed, v.Input.Risk.Summary)
	}
	// The root component (no version, no advisory) is listed but not denied.
	if len(v.Reasons) != 1 {
		t.Errorf("reasons %+v, want gin's only", v.Reasons)
	}

	off := map[string]any{"vulnerabilities": map[string]any{"threshold": "low", "deny_unassessed": false}}
	g = newGate(t, chaingate.WithPolicy(libraryEngine(t, off, policy.LibraryVulnerabilities)))
	if v, err := g.Evaluate(ctx, c); err != nil || !v.Allow {
		t.Fatalf("deny_unassessed false: allow %v err %v reasons %+v", v.Allow, err, v.Reasons)
	}
}

// A verified SBOM attestation wins over the caller's unsigned SBOM, and
// the input says which SBOM was used; require_attested refuses a supplied
// one.
func TestEvaluatePrefersAttestedSBOM(t *testing.T) {
	ctx := context.Background()
	k := newKeySigned(t)
	attested := k.attestSBOM(t, readData(t, "shop-api.cdx.json")) // gin v1.7.0 and its advisories
	clean := ginOnly(t, "v1.10.1")                                // what a caller could claim instead
	cfg := map[string]any{"vulnerabilities": map[string]any{"threshold": "low"}}
	g := newGate(t, chaingate.WithVerifier(k.verifier), chaingate.WithPolicy(libraryEngine(t, cfg, policy.LibraryVulnerabilities)))
	const gin = "github.com/gin-gonic/gin"

	for name, c := range map[string]chaingate.Candidate{
		"document": {Image: "ghcr.io/acme/shop-api:1.4.0", Digest: k.digest, Attestations: [][]byte{attested}, Document: clean},
		"bytes":    {Image: "ghcr.io/acme/shop-api:1.4.0", Digest: k.digest, Attestations: [][]byte{attested}, SBOM: []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[]}`)},
	} {
		t.Run(name, func(t *testing.T) {
			v, err := g.Evaluate(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			if v.SBOM == nil || v.SBOM.Source != "attestation" || v.Input.SBOM.Source != "attested" || v.SBOM.Components < 10 {
				t.Fatalf("sbom %+v, input source %q", v.SBOM, v.Input.SBOM.Source)
			}
			if !strings.Contains(v.Stages[1].Detail, "the supplied SBOM was not used") {
				t.Errorf("sbom stage %+v", v.Stages[1])
			}
			if v.Allow || !denied(v, "CG-VULN-002", gin) {
				t.Errorf("the attested SBOM's vulnerable gin was not judged: allow %v reasons %+v", v.Allow, v.Reasons)
			}
		})
	}

	// Without an attestation the supplied SBOM is used, and says so.
	supplied := chaingate.Candidate{Image: "ghcr.io/acme/shop-api:1.4.0", Digest: k.digest, Document: clean}
	v, err := g.Evaluate(ctx, supplied)
	if err != nil || v.Input.SBOM.Source != "supplied" || v.SBOM.Source != "document" {
		t.Fatalf("supplied: err %v sbom %+v", err, v.SBOM)
	}
	if denied(v, "CG-VULN-002", gin) {
		t.Errorf("clean supplied SBOM denied for gin: %+v", v.Reasons)
	}

	// require_attested: the supplied SBOM is refused, the attested one is not.
	strict := map[string]any{"sbom": map[string]any{"require_attested": true, "require_complete": false}}
	g = newGate(t, chaingate.WithVerifier(k.verifier), chaingate.WithPolicy(libraryEngine(t, strict, policy.LibrarySBOM)))
	if v, err := g.Evaluate(ctx, supplied); err != nil || v.Allow || !denied(v, "CG-SBOM-009", "") {
		t.Fatalf("require_attested, supplied: allow %v err %v reasons %+v", v.Allow, err, v.Reasons)
	}
	withAtt := supplied
	withAtt.Attestations = [][]byte{attested}
	if v, err := g.Evaluate(ctx, withAtt); err != nil || !v.Allow {
		t.Fatalf("require_attested, attested: allow %v err %v reasons %+v", v.Allow, err, v.Reasons)
	}
}

// A promotion must name the evaluated image: the same digest under another
// name is denied, and the policy judges the promoted reference.
func TestGateForChecksPromotedName(t *testing.T) {
	ctx := context.Background()
	g := newGate(t)
	gate := g.For(sigstoreJS(t))
	for name, ref := range map[string]gitops.Reference{
		"other registry":   {Name: "evil.example.com/sigstore", Tag: "2.0.0", Digest: sjsDigest},
		"other repository": {Name: "registry.npmjs.org/sigstore-evil", Tag: "2.0.0", Digest: sjsDigest},
		"no name":          {Digest: sjsDigest},
		// A tag or digest inside the name escapes the policy's view of
		// the promoted tag and digest.
		"tag inside the name":    {Name: "registry.npmjs.org/sigstore:latest", Digest: sjsDigest},
		"digest inside the name": {Name: "registry.npmjs.org/sigstore@" + sjsDigest, Digest: sjsDigest},
	} {
		d, err := gate.Check(ctx, gitops.Candidate{Stage: "prod", Image: ref})
		if err != nil || d.Allow || !strings.Contains(strings.Join(d.Reasons, "\n"), "does not match the evaluated image") {
			t.Errorf("%s: allow %v err %v reasons %v", name, d.Allow, err, d.Reasons)
		}
	}
	// The canonical form of a name matches.
	if !sameRepositoryViaGate(t, "nginx:1.27", "index.docker.io/library/nginx") {
		t.Error("nginx and index.docker.io/library/nginx differ")
	}

	// The promoted reference is what the policy sees: a rule on the
	// artifact's tag judges the promoted tag, not the candidate's.
	tags, err := policy.New(ctx, policy.FromModule("tag.rego", "package main\n\ndeny contains sprintf(\"tag %s\", [input.artifact.tag]) if input.artifact.tag == \"latest\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	gt := newGate(t, chaingate.WithPolicy(tags)).For(sigstoreJS(t))
	ref := gitops.Reference{Name: "registry.npmjs.org/sigstore", Tag: "latest", Digest: sjsDigest}
	if d, err := gt.Check(ctx, gitops.Candidate{Stage: "prod", Image: ref}); err != nil || d.Allow || !strings.Contains(strings.Join(d.Reasons, "\n"), "tag latest") {
		t.Fatalf("promoted tag latest: allow %v err %v reasons %v", d.Allow, err, d.Reasons)
	}
	ref.Tag = "2.0.0"
	if d, err := gt.Check(ctx, gitops.Candidate{Stage: "prod", Image: ref}); err != nil || !d.Allow {
		t.Fatalf("promoted tag 2.0.0: allow %v err %v reasons %v", d.Allow, err, d.Reasons)
	}
}

// sameRepositoryViaGate promotes a digest evaluated as image under the name
// promoted, with a policy that allows everything, and says whether the
// names were taken as the same.
func sameRepositoryViaGate(t *testing.T, image, promoted string) bool {
	t.Helper()
	allowAll, err := policy.New(context.Background(), policy.FromModule("allow.rego", "package main\n\ndeny contains \"never\" if false\n"))
	if err != nil {
		t.Fatal(err)
	}
	g := newGate(t, chaingate.WithPolicy(allowAll))
	digest := "sha256:" + strings.Repeat("ab", 32)
	d, err := g.For(chaingate.Candidate{Image: image, Digest: digest}).Check(context.Background(),
		gitops.Candidate{Stage: "prod", Image: gitops.Reference{Name: promoted, Digest: digest}})
	if err != nil {
		t.Fatal(err)
	}
	return d.Allow
}
