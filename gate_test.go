package chaingate_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chaingate/chaingate"
	"github.com/chaingate/chaingate/gitops"
	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
	"github.com/chaingate/chaingate/verify"
)

// The gate's tests use the release-gate example's real data (its README
// says where each file comes from).
const dataDir = "examples/release-gate/data"

const (
	sjsDigest = "sha512:46d4e2f74c4877316640000a6fdf8a8b59f1e0847667973e9859f774dd31b8f1e0937813b777fb66a2ac67d50540fe34640966eee9fc2ccca387082b4c85cd3c"
	sjsIssuer = "https://token.actions.githubusercontent.com"
	sjsSAN    = "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main"
	shopAPI   = "sha256:ed036634c7533a39955b404c3b733432d3e756008380629ae791bf251f68e0c2"
)

var fixedNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func readData(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testPolicy is the built-in library configured as the release-gate example
// configures it.
var testPolicy = map[string]any{"chaingate": map[string]any{"config": map[string]any{
	"provenance": map[string]any{
		"allowed_builders":            []any{"https://github.com/actions/runner/github-hosted"},
		"allowed_source_repositories": []any{"https://github.com/sigstore/**"},
		"allowed_source_refs":         []any{"refs/heads/main"},
		"min_slsa_level":              2,
	},
	"vulnerabilities": map[string]any{"threshold": "low"},
	"image":           map[string]any{"allowed_registries": []any{"registry.npmjs.org", "ghcr.io"}},
	"gitops":          map[string]any{"require_signed_commits": false},
}}}

func newGate(t testing.TB, opts ...chaingate.Option) *chaingate.Gate {
	t.Helper()
	trust, err := verify.ParseTrustedRoot(readData(t, "trusted_root.json"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := verify.New(trust)
	if err != nil {
		t.Fatal(err)
	}
	db, err := vulndb.ReadIndex(bytes.NewReader(readData(t, "vulndb.idx")))
	if err != nil {
		t.Fatal(err)
	}
	engine, err := policy.New(context.Background(), policy.WithLibrary(), policy.WithData(testPolicy))
	if err != nil {
		t.Fatal(err)
	}
	g, err := chaingate.NewGate(append([]chaingate.Option{
		chaingate.WithVerifier(v), chaingate.WithVulnDB(db), chaingate.WithPolicy(engine),
		chaingate.WithClock(func() time.Time { return fixedNow }),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func sigstoreJS(t testing.TB) chaingate.Candidate {
	return chaingate.Candidate{
		Image:        "registry.npmjs.org/sigstore:2.0.0",
		Digest:       sjsDigest,
		Attestations: [][]byte{readData(t, "sigstore-2.0.0.sigstore.json")},
		Identity:     &verify.Identity{Issuer: sjsIssuer, SubjectAlternativeName: sjsSAN},
		SBOM:         readData(t, "signer-service.cdx.json"),
		Environment:  "prod",
	}
}

func shopAPICandidate(t testing.TB) chaingate.Candidate {
	return chaingate.Candidate{
		Image:       "ghcr.io/acme/shop-api:1.4.0",
		Digest:      shopAPI,
		SBOM:        readData(t, "shop-api.cdx.json"),
		Environment: "prod",
	}
}

func codes(rs []policy.Reason) map[string]int {
	m := map[string]int{}
	for _, r := range rs {
		m[r.Code]++
	}
	return m
}

func TestEvaluateAllowsVerifiedCandidate(t *testing.T) {
	g := newGate(t)
	v, err := g.Evaluate(context.Background(), sigstoreJS(t))
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	if !v.Allow {
		t.Fatalf("denied: %+v", v.Reasons)
	}
	if len(v.Verification) != 1 || !v.Verification[0].Verified {
		t.Fatalf("verification: %+v", v.Verification)
	}
	p := v.Input.Provenance
	if p == nil || !p.Verified || p.BuilderID != "https://github.com/actions/runner/github-hosted" ||
		p.SourceRepository != "https://github.com/sigstore/sigstore-js" || p.SourceRef != "refs/heads/main" || p.SLSALevel != 2 {
		t.Errorf("provenance input: %+v", p)
	}
	if v.SBOM == nil || v.SBOM.Source != "file" || v.SBOM.Components != len(v.Input.SBOM.Components) || v.SBOM.Components < 50 {
		t.Errorf("sbom summary: %+v", v.SBOM)
	}
	if v.Input.Artifact.Registry != "registry.npmjs.org" || v.Input.Artifact.Tag != "2.0.0" || v.Input.Artifact.Name != "registry.npmjs.org/sigstore" {
		t.Errorf("artifact input: %+v", v.Input.Artifact)
	}
	if v.Input.Time != "2026-11-27T12:00:00Z" {
		t.Errorf("input time %q, want the gate clock's", v.Input.Time)
	}
	// JSON round trip with its schema version.
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back["schemaVersion"] != chaingate.VerdictSchemaVersion || back["allow"] != true {
		t.Errorf("JSON: schema %v allow %v", back["schemaVersion"], back["allow"])
	}
	md := v.Markdown()
	for _, want := range []string{"✅ **Allowed**", "| verify | ok |", "signed by `" + sjsSAN + "`"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestEvaluateDeniesVulnerableUnprovenCandidate(t *testing.T) {
	g := newGate(t)
	v, err := g.Evaluate(context.Background(), shopAPICandidate(t))
	if err != nil {
		t.Fatalf("a policy deny is not an error: %v", err)
	}
	if v.Allow {
		t.Fatal("allowed a candidate without provenance and with fixable vulnerabilities")
	}
	c := codes(v.Reasons)
	if c["CG-PROV-001"] != 1 || c["CG-VULN-002"] < 10 {
		t.Errorf("reasons by code: %v", c)
	}
	if v.Risk == nil || v.Risk.Summary.Findings < 10 {
		t.Fatalf("risk report: %+v", v.Risk)
	}
	found := false
	for _, f := range v.Risk.Findings {
		found = found || (f.ID == "GO-2021-0052" && f.Component.Name == "github.com/gin-gonic/gin")
	}
	if !found {
		t.Error("GO-2021-0052 (gin v1.7.0) not found")
	}
	// The first reasons a reader sees name each rule once, most severe first.
	top := v.TopReasons(4)
	firstCodes := map[string]bool{}
	for _, r := range top {
		if firstCodes[r.Code+r.Rule] {
			t.Errorf("TopReasons repeats %s before showing every rule: %v", r.Code, codes(top))
		}
		firstCodes[r.Code+r.Rule] = true
	}
	if len(top) != 4 || codes(top)["CG-PROV-001"] != 1 {
		t.Errorf("TopReasons(4) = %v", codes(top))
	}
	if all := v.TopReasons(0); len(all) != len(v.Reasons) {
		t.Errorf("TopReasons(0) returned %d of %d", len(all), len(v.Reasons))
	}
	md := v.Markdown()
	if !strings.Contains(md, "❌ **Denied**") || !strings.Contains(md, "**CG-PROV-001**") || !strings.Contains(md, "…and ") ||
		strings.Count(md, "**CG-VULN-002**") > 12 {
		t.Errorf("markdown:\n%s", md)
	}
}

// Every failure while gathering evidence is a deny that names its stage,
// and an error matchable as *StageError.
func TestEvaluateFailsClosed(t *testing.T) {
	g := newGate(t)
	tampered := func(t *testing.T) []byte {
		var b map[string]any
		if err := json.Unmarshal(readData(t, "sigstore-2.0.0.sigstore.json"), &b); err != nil {
			t.Fatal(err)
		}
		env := b["dsseEnvelope"].(map[string]any)
		payload, _ := base64.StdEncoding.DecodeString(env["payload"].(string))
		payload = bytes.Replace(payload, []byte("refs/heads/main"), []byte("refs/heads/evil"), 1)
		env["payload"] = base64.StdEncoding.EncodeToString(payload)
		out, _ := json.Marshal(b)
		return out
	}
	cases := []struct {
		name   string
		mutate func(t *testing.T, c *chaingate.Candidate)
		stage  string
	}{
		{"tampered payload", func(t *testing.T, c *chaingate.Candidate) { c.Attestations = [][]byte{tampered(t)} }, chaingate.StageVerify},
		{"wrong signer", func(t *testing.T, c *chaingate.Candidate) {
			c.Identity = &verify.Identity{Issuer: sjsIssuer, SubjectAlternativeName: "https://github.com/evil/fork/.github/workflows/release.yml@refs/heads/main"}
		}, chaingate.StageVerify},
		{"other artifact", func(t *testing.T, c *chaingate.Candidate) { c.Digest = "sha512:" + strings.Repeat("ab", 64) }, chaingate.StageVerify},
		{"no digest", func(t *testing.T, c *chaingate.Candidate) { c.Digest = "" }, chaingate.StageVerify},
		{"not a bundle", func(t *testing.T, c *chaingate.Candidate) { c.Attestations = [][]byte{[]byte(`{"mediaType":`)} }, chaingate.StageVerify},
		{"SLSA source not allowed", func(t *testing.T, c *chaingate.Candidate) {
			c.SLSA = &verify.SLSARequirements{BuilderIDs: []string{"https://github.com/actions/runner/github-hosted"}, SourceURI: "github.com/acme/other"}
		}, chaingate.StageVerify},
		{"unreadable SBOM", func(t *testing.T, c *chaingate.Candidate) { c.SBOM = []byte("<bom") }, chaingate.StageSBOM},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := sigstoreJS(t)
			tc.mutate(t, &c)
			v, err := g.Evaluate(context.Background(), c)
			if err == nil {
				t.Fatal("no error")
			}
			var se *chaingate.StageError
			if !errors.As(err, &se) || se.Stage != tc.stage {
				t.Fatalf("error %v, want a *StageError of stage %s", err, tc.stage)
			}
			if v == nil || v.Allow {
				t.Fatalf("verdict %+v: want a deny", v)
			}
			if codes(v.Reasons)["CG-GATE-"+strings.ToUpper(tc.stage)] != 1 {
				t.Errorf("reasons %v lack the stage's gate reason", codes(v.Reasons))
			}
		})
	}

	t.Run("policy error", func(t *testing.T) {
		engine, err := policy.New(context.Background(), policy.FromModule("bad.rego", "package main\n\ndeny contains msg if {\n\tx := 1 / count(input.risk.findings)\n\tmsg := sprintf(\"%v\", [x])\n}\n"))
		if err != nil {
			t.Fatal(err)
		}
		g := newGate(t, chaingate.WithPolicy(engine))
		c := sigstoreJS(t) // no findings: the policy divides by zero
		v, err := g.Evaluate(context.Background(), c)
		var se *chaingate.StageError
		if !errors.As(err, &se) || se.Stage != chaingate.StagePolicy || v.Allow {
			t.Fatalf("err %v allow %v: want a policy StageError and a deny", err, v.Allow)
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		v, err := g.Evaluate(ctx, sigstoreJS(t))
		if !errors.Is(err, context.Canceled) || v.Allow {
			t.Fatalf("err %v allow %v", err, v.Allow)
		}
	})
}

func TestNewGateRequiresEveryStage(t *testing.T) {
	_, err := chaingate.NewGate()
	if !errors.Is(err, chaingate.ErrConfig) {
		t.Fatalf("err %v, want ErrConfig", err)
	}
	for _, want := range []string{"WithVerifier", "WithVulnDB", "WithPolicy"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

// The gate decides promotions: the bound gate allows exactly the evaluated
// digest, for the promotion's stage.
func TestGateForPromotion(t *testing.T) {
	g := newGate(t)
	c := sigstoreJS(t)
	gate := g.For(c)
	ref := gitops.Reference{Name: "registry.npmjs.org/sigstore", Tag: "2.0.0", Digest: sjsDigest}
	d, err := gate.Check(context.Background(), gitops.Candidate{Repository: "file:///gitops.git", Branch: "main", Stage: "staging", Image: ref})
	if err != nil || !d.Allow {
		t.Fatalf("allow %v err %v reasons %v", d.Allow, err, d.Reasons)
	}
	if !strings.HasPrefix(d.Digest, "sha256:") || d.PolicyRevision == "" {
		t.Errorf("decision digest %q policy %q", d.Digest, d.PolicyRevision)
	}
	ref.Digest = "sha512:" + strings.Repeat("00", 64)
	d, err = gate.Check(context.Background(), gitops.Candidate{Stage: "prod", Image: ref})
	if err != nil || d.Allow || !strings.Contains(strings.Join(d.Reasons, "\n"), "does not match the evaluated digest") {
		t.Fatalf("other digest: allow %v err %v reasons %v", d.Allow, err, d.Reasons)
	}

	// The Gate itself is a gitops.Gate once it has an evidence source.
	var asked []string
	src := chaingate.EvidenceFunc(func(_ context.Context, gc gitops.Candidate) (chaingate.Candidate, error) {
		asked = append(asked, gc.Image.Digest)
		if gc.Image.Digest != sjsDigest {
			return chaingate.Candidate{}, errors.New("no evidence stored for this digest")
		}
		return c, nil
	})
	withSrc := newGate(t, chaingate.WithEvidenceSource(src))
	ref.Digest = sjsDigest
	if d, err := withSrc.Check(context.Background(), gitops.Candidate{Stage: "prod", Image: ref}); err != nil || !d.Allow {
		t.Fatalf("evidence source: allow %v err %v %v", d.Allow, err, d.Reasons)
	}
	ref.Digest = shopAPI
	if d, err := withSrc.Check(context.Background(), gitops.Candidate{Stage: "prod", Image: ref}); err == nil || d.Allow {
		t.Fatalf("missing evidence: allow %v err %v", d.Allow, err)
	}
	if len(asked) != 2 {
		t.Errorf("evidence source asked %d times, want 2", len(asked))
	}
	// Without an evidence source nothing is promoted.
	if d, err := g.Check(context.Background(), gitops.Candidate{Stage: "prod", Image: ref}); !errors.Is(err, chaingate.ErrConfig) || d.Allow {
		t.Fatalf("no source: allow %v err %v", d.Allow, err)
	}
}

// One gate evaluates many candidates at once; the verdicts are those of
// sequential evaluation (run with -race to check the sharing).
func TestEvaluateAllConcurrent(t *testing.T) {
	g := newGate(t, chaingate.WithWorkers(4))
	var cs []chaingate.Candidate
	for i := 0; i < 12; i++ {
		if i%2 == 0 {
			cs = append(cs, sigstoreJS(t))
		} else {
			cs = append(cs, shopAPICandidate(t))
		}
	}
	verdicts, errs := g.EvaluateAll(context.Background(), cs)
	want := map[bool]string{}
	for i, v := range verdicts {
		if errs[i] != nil {
			t.Fatalf("candidate %d: %v", i, errs[i])
		}
		if v.Allow != (i%2 == 0) {
			t.Errorf("candidate %d: allow %v", i, v.Allow)
		}
		d := v.DecisionDigest()
		if prev, ok := want[v.Allow]; ok && prev != d {
			t.Errorf("candidate %d: verdict differs from an identical candidate's", i)
		}
		want[v.Allow] = d
	}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := g.Evaluate(context.Background(), sigstoreJS(t))
			if err != nil || v.DecisionDigest() != want[true] {
				t.Errorf("parallel Evaluate: err %v", err)
			}
		}()
	}
	wg.Wait()
}

func TestEvaluateUsesAttestedSBOM(t *testing.T) {
	// A Document given directly wins over bytes, and its summary says so.
	doc, err := sbom.Decode(bytes.NewReader(readData(t, "shop-api.cdx.json")))
	if err != nil {
		t.Fatal(err)
	}
	c := shopAPICandidate(t)
	c.SBOM = []byte("not read")
	c.Document = doc
	c.Context = map[string]any{"ticket": "REL-1024"}
	v, err := newGate(t).Evaluate(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if v.SBOM.Source != "document" || v.SBOM.Components != len(doc.Components) {
		t.Errorf("sbom summary %+v", v.SBOM)
	}
	if v.Input.Context["ticket"] != "REL-1024" {
		t.Errorf("caller context not in the policy input: %v", v.Input.Context)
	}
	if a := v.Input.Artifact; a.Registry != "ghcr.io" || a.Repository != "acme/shop-api" || a.Tag != "1.4.0" || a.Digest != shopAPI {
		t.Errorf("artifact %+v", a)
	}
}
