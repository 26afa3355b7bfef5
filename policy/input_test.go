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
	f.Add([]byte(`[]`))
	f.Add([]byte(`"\u0000"`))
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
