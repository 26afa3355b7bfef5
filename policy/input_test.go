package policy_test

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/policy"
	"github.com/open-policy-agent/opa/v1/ast"
)

// jsonValue is what OPA makes of v's JSON: the reference for the direct
// conversion.
func jsonValue(t testing.TB, v any) ast.Value {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	av, err := ast.InterfaceToValue(x)
	if err != nil {
		t.Fatal(err)
	}
	return av
}

func TestPrepareInputMatchesJSON(t *testing.T) {
	f := loadBenchFixture(t)
	cases := map[string]*policy.Input{
		"fixture": &f.typed,
		"empty":   {},
		"zero-parts": {
			SBOM:       &policy.SBOM{},
			Risk:       &policy.Risk{Findings: []policy.Finding{{ID: "x"}}},
			Provenance: &policy.Provenance{},
			GitOps:     &policy.GitOps{History: []policy.Deployment{{}}},
			Context:    map[string]any{"a": []any{1.0, "x\n\"y\"\u2028<&>", nil, true}, "b": map[string]string{"k": "v"}},
		},
	}
	cases["full"] = &policy.Input{
		SchemaVersion: policy.InputSchemaVersion, Time: "2026-01-02T03:04:05Z",
		Artifact: policy.Artifact{Name: "n", Reference: "r", Digest: "d", Registry: "g", Repository: "p", Tag: "t", Type: "image"},
		SBOM: &policy.SBOM{Format: "f", SpecVersion: "1.6", Digest: "sha256:x",
			Summary: policy.SBOMSummary{Components: 1, WithVersion: 2, WithPURL: 3, WithLicense: 4, WithHash: 5, Direct: 6, Dependencies: 7, Unknown: 8, Limitations: 9, DevComponents: 10},
			Components: []policy.Component{{ID: "i", Type: "library", Group: "g", Name: "n", Version: "v", PURL: "p", License: "MIT", Scope: "required",
				Hashes: map[string]string{"SHA-512": "b", "SHA-256": "a", "MD5": "c", "SHA-1": "d", "BLAKE3": "e", "SHA-384": "f", "SHA3-256": "g", "SHA3-512": "h", "BLAKE2b-256": "i"}}}},
		Risk: &policy.Risk{Summary: policy.RiskSummary{Total: 1, Critical: 2, High: 3, Medium: 4, Low: 5, KEV: 6, Suppressed: 7, Signals: 8, SignalsFlagged: 9, SourcesFlagged: 10},
			Signals: []policy.Signal{{ID: "typosquat", Source: "pkg:npm/x@1", Value: 0.843, Flagged: true, Model: "m@1", Target: "y", Evidence: []string{"e1", "e2"}},
				{ID: "install-script", Source: "s"}},
			SignalRisk: []policy.SignalRisk{{Source: "pkg:npm/x@1", Signals: []string{"a", "b"}, Value: 0.9, Flagged: true, Evidence: []string{"e"}}, {Source: "z"}},
			Findings: []policy.Finding{{ID: "i", Aliases: []string{"a", "b"}, Kind: "k", Component: "c", Package: "p", Version: "v", PURL: "u",
				Severity: "high", CVSS: 7.5, EPSS: 0.123456789, KEV: true, Priority: "critical", Score: 1e21, FixedVersions: []string{"1", "2"},
				FixedSince: "s", Published: "p", Suppressed: true, VEXStatus: "fixed", VEXJustification: "j", Malicious: true,
				EvidenceLevel: "symbol", Symbols: []string{"golang.org/x/net/html.Parse", "golang.org/x/net/html.Tokenizer.Next"}},
				{ID: "j", EvidenceLevel: "symbol-absent"}}},
		Provenance: &policy.Provenance{Present: true, Verified: true, PredicateType: "p", BuilderID: "b", BuildType: "t", SourceRepository: "r",
			SourceRef: "f", SourceDigest: "d", SLSALevel: 3, Signers: []policy.Signer{{Issuer: "i", Subject: "s", KeyID: "k"}, {KeyID: "k2"}}, Errors: []string{"e"}},
		GitOps: &policy.GitOps{Environment: "prod", Repository: "r", Commit: "c", Signed: true, SignedBy: "s",
			History: []policy.Deployment{{Environment: "e", Digest: "d", Commit: "c", Time: "t"}, {Environment: "e2", Digest: "d2"}}},
		Context: map[string]any{"z": 1.5, "a": map[string]any{"y": []any{"\t\u0001", 3.0}}, "m": "é"},
	}
	cases["unassessed and sbom source"] = &policy.Input{
		SBOM: &policy.SBOM{Format: "cyclonedx-json", Source: "attested", Components: []policy.Component{}},
		Risk: &policy.Risk{Summary: policy.RiskSummary{Total: 1, Unassessed: 2}, Findings: []policy.Finding{},
			Unassessed: []policy.Unassessed{
				{Component: "c", Package: "github.com/gin-gonic/gin", Version: "v1.7.0.1", PURL: "pkg:golang/github.com/gin-gonic/gin@v1.7.0.1",
					Ecosystem: "Go", Root: true, Reason: "version \"v1.7.0.1\" could not be compared", Advisories: []string{"GO-2023-1737", "GO-2020-0001"}},
				{Component: "d", Reason: "no purl"},
			}},
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			p, err := policy.PrepareInput(in)
			if err != nil {
				t.Fatal(err)
			}
			want := jsonValue(t, in)
			// Compare through the same rendering to avoid depending on
			// ast internals.
			pm, err := policy.PrepareInput(want)
			if err != nil {
				t.Fatal(err)
			}
			if p.Digest() != pm.Digest() {
				t.Errorf("digest of typed %s != digest of JSON form %s", p.Digest(), pm.Digest())
			}
			var raw map[string]any
			b, _ := json.Marshal(in)
			if err := json.Unmarshal(b, &raw); err != nil {
				t.Fatal(err)
			}
			pr, err := policy.PrepareInput(raw)
			if err != nil {
				t.Fatal(err)
			}
			if p.Digest() != pr.Digest() {
				t.Errorf("digest of typed %s != digest of map %s", p.Digest(), pr.Digest())
			}
			pb, err := policy.PrepareInput(b)
			if err != nil {
				t.Fatal(err)
			}
			if p.Digest() != pb.Digest() {
				t.Errorf("digest of typed %s != digest of JSON bytes %s", p.Digest(), pb.Digest())
			}
			if !strings.HasPrefix(p.Digest(), "sha256:") || len(p.Digest()) != 71 {
				t.Errorf("digest %q", p.Digest())
			}
		})
	}
}

func TestPrepareInputEqualsOPAValue(t *testing.T) {
	f := loadBenchFixture(t)
	p, err := policy.PrepareInput(&f.typed)
	if err != nil {
		t.Fatal(err)
	}
	got := policy.PreparedValue(p)
	want := jsonValue(t, &f.typed)
	if got.Compare(want) != 0 {
		t.Fatalf("direct conversion differs from OPA's JSON conversion:\n got %.300s\nwant %.300s", got.String(), want.String())
	}
}

func TestPrepareInputLimits(t *testing.T) {
	big := &policy.Input{Context: map[string]any{"blob": strings.Repeat("x", 2<<20)}}
	if _, err := policy.PrepareInput(big); err != nil {
		t.Fatalf("2 MiB input refused: %v", err)
	}
	ctx := t.Context()
	e, err := policy.New(ctx, policy.FromModule("p.rego", "package main\ndeny contains 1 if false\n"), policy.WithMaxInputBytes(1<<20))
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]any{
		"typed": big,
		"map":   map[string]any{"blob": strings.Repeat("x", 2<<20)},
		"json":  []byte(`{"blob":"` + strings.Repeat("x", 2<<20) + `"}`),
	} {
		if _, err := e.Decide(ctx, in); !errors.Is(err, policy.ErrInputTooLarge) {
			t.Errorf("%s: err = %v, want ErrInputTooLarge", name, err)
		}
	}
	p, err := policy.PrepareInput(big)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.DecideValue(ctx, p); !errors.Is(err, policy.ErrInputTooLarge) {
		t.Errorf("DecideValue: err = %v, want ErrInputTooLarge", err)
	}
	for name, in := range map[string]any{
		"nil":        nil,
		"nil-input":  (*policy.Input)(nil),
		"nan":        map[string]any{"x": math.NaN()},
		"bad-json":   []byte(`{"x":`),
		"trailing":   []byte(`{} {}`),
		"func":       func() {},
		"nan-typed":  &policy.Input{Risk: &policy.Risk{Findings: []policy.Finding{{ID: "x", CVSS: math.Inf(1)}}}},
		"bad-number": map[string]any{"n": json.Number("1e")},
	} {
		if _, err := e.Decide(ctx, in); !errors.Is(err, policy.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
}

func FuzzPrepareInput(f *testing.F) {
	b, err := os.ReadFile("testdata/bench/input.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"artifact":{"name":"x"},"context":{"a":[1,2.5,"s",null,true,{"b":{}}]}}`))
	f.Add([]byte(`{"artifact":{"name":"x"},"risk":{"findings":[{"id":"GO-1","evidenceLevel":"symbol","symbols":["a.F","a.T.M"]},{"id":"GO-2","evidenceLevel":"package-absent","symbols":[]}]}}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`"\u0000"`))
	// Nested past the depth limit (1000), under encoding/json's (10000).
	f.Add([]byte(`{"artifact":{"name":"x"},"context":{"d":` + strings.Repeat(`[`, 1500) + strings.Repeat(`]`, 1500) + `}}`))
	f.Add([]byte(strings.Repeat(`{"a":`, 1200) + `1` + strings.Repeat(`}`, 1200)))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := policy.PrepareInput(data)
		var x any
		jerr := json.Unmarshal(data, &x)
		if err != nil {
			if jerr == nil && !errors.Is(err, policy.ErrInvalidInput) && !errors.Is(err, policy.ErrInputTooLarge) {
				t.Fatalf("valid JSON refused with an unexpected error: %v", err)
			}
			return
		}
		if jerr != nil {
			return // encoding/json is stricter about a few things (e.g. invalid UTF-8 is replaced)
		}
		// The typed decoding of the same JSON, converted directly, agrees
		// with OPA's own conversion.
		var in policy.Input
		if json.Unmarshal(data, &in) == nil {
			pi, err := policy.PrepareInput(&in)
			if err != nil {
				return
			}
			if policy.PreparedValue(pi).Compare(jsonValue(t, &in)) != 0 {
				t.Fatalf("typed conversion differs from OPA's for %q", data)
			}
		}
		if p.Digest() == "" {
			t.Fatal("empty digest")
		}
		// The digest written from the struct equals the one of its JSON form.
		var in2 policy.Input
		if json.Unmarshal(data, &in2) == nil {
			pt, err := policy.PrepareInput(&in2)
			if err != nil {
				return
			}
			b, _ := json.Marshal(&in2)
			var m any
			if json.Unmarshal(b, &m) != nil {
				return
			}
			pm, err := policy.PrepareInput(m)
			if err == nil && pm.Digest() != pt.Digest() {
				t.Fatalf("typed digest %s != map digest %s for %s", pt.Digest(), pm.Digest(), b)
			}
		}
	})
}

func TestValidateInput(t *testing.T) {
	f := loadBenchFixture(t)
	if err := policy.ValidateInput(&f.typed); err != nil {
		t.Fatalf("fixture does not match the schema: %v", err)
	}
	b, err := os.ReadFile("testdata/bench/input.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := policy.ValidateInput(b); err != nil {
		t.Fatalf("fixture JSON: %v", err)
	}
	for name, in := range map[string]string{
		"wrong version":   `{"schemaVersion":"v0","artifact":{"name":"x"}}`,
		"unknown field":   `{"schemaVersion":"chaingate.dev/policy-input/v1","artifact":{"name":"x"},"extra":1}`,
		"wrong type":      `{"schemaVersion":"chaingate.dev/policy-input/v1","artifact":{"name":5}}`,
		"missing":         `{"schemaVersion":"chaingate.dev/policy-input/v1"}`,
		"kev not boolean": `{"schemaVersion":"chaingate.dev/policy-input/v1","artifact":{"name":"x"},"risk":{"summary":{"total":1,"critical":0,"high":0,"medium":0,"low":0,"kev":0,"suppressed":0},"findings":[{"id":"x","kev":"yes"}]}}`,
	} {
		if err := policy.ValidateInput([]byte(in)); !errors.Is(err, policy.ErrInvalidInput) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if !strings.Contains(string(policy.InputSchema()), policy.InputSchemaVersion) {
		t.Error("schema does not carry its version")
	}
}
