package policy_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/risk/vulndb"
)

// TestLibraryEvidenceLevels scans a real Go binary (risk's testdata:
// example.com/vulnlib linked, one OSV entry per evidence level), carries
// the report into the input with RiskFromReport and decides with the
// library: by default every finding blocks; with evidence_levels
// ["symbol"] only the two whose vulnerable function is linked do.
func TestLibraryEvidenceLevels(t *testing.T) {
	ctx := t.Context()
	dir := filepath.Join("..", "risk", "testdata", "gobinary")
	db, err := vulndb.Load(filepath.Join(dir, "osv"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := risk.ScanGoBinary(ctx, filepath.Join(dir, "vulnapp-linux-amd64"), db)
	if err != nil {
		t.Fatal(err)
	}
	in, err := policy.NewInputBuilder().WithArtifact(policy.Artifact{Name: "vulnapp", Type: "file"}).WithRisk(rep).Build()
	if err != nil {
		t.Fatal(err)
	}
	levels := map[string]string{}
	for _, f := range in.Risk.Findings {
		levels[f.ID] = f.EvidenceLevel
		if f.EvidenceLevel == "symbol" && len(f.Symbols) == 0 {
			t.Errorf("%s: symbol level without symbols", f.ID)
		}
	}
	want := map[string]string{
		"CHAINGATE-GOBIN-0001": "symbol", "CHAINGATE-GOBIN-0002": "symbol", "CHAINGATE-GOBIN-0003": "symbol-absent",
		"CHAINGATE-GOBIN-0004": "package-absent", "CHAINGATE-GOBIN-0005": "package",
	}
	for id, l := range want {
		if levels[id] != l {
			t.Errorf("%s: evidence level %q in the input, want %q (all: %v)", id, levels[id], l, levels)
		}
	}

	base := map[string]any{"threshold": "low", "deny_unfixed": true}
	for _, tc := range []struct {
		name   string
		levels any // nil: the setting is not given
		deny   []string
		codes  []string
	}{
		{"default", nil, []string{"CHAINGATE-GOBIN-0001", "CHAINGATE-GOBIN-0002", "CHAINGATE-GOBIN-0003", "CHAINGATE-GOBIN-0004", "CHAINGATE-GOBIN-0005"}, []string{"CG-VULN-002"}},
		{"symbol only", []any{"symbol"}, []string{"CHAINGATE-GOBIN-0001", "CHAINGATE-GOBIN-0002"}, []string{"CG-VULN-002"}},
		{"present code", []any{"symbol", "package"}, []string{"CHAINGATE-GOBIN-0001", "CHAINGATE-GOBIN-0002", "CHAINGATE-GOBIN-0005"}, []string{"CG-VULN-002"}},
		{"typo fails closed", []any{"symbols"}, []string{"CHAINGATE-GOBIN-0001", "CHAINGATE-GOBIN-0002", "CHAINGATE-GOBIN-0003", "CHAINGATE-GOBIN-0004", "CHAINGATE-GOBIN-0005"}, []string{"CG-VULN-002", "CG-VULN-011"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := map[string]any{}
			for k, v := range base {
				cfg[k] = v
			}
			if tc.levels != nil {
				cfg["evidence_levels"] = tc.levels
			}
			e, err := policy.New(ctx, policy.WithLibrary(policy.LibraryVulnerabilities),
				policy.WithData(map[string]any{"chaingate": map[string]any{"config": map[string]any{"vulnerabilities": cfg}}}))
			if err != nil {
				t.Fatal(err)
			}
			d, err := e.Decide(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			var denied, codes []string
			for _, r := range d.Deny {
				if !slices.Contains(codes, r.Code) {
					codes = append(codes, r.Code)
				}
				if r.Code != "CG-VULN-002" {
					continue
				}
				for id := range want {
					if strings.Contains(r.Message, id) {
						denied = append(denied, id)
						if want[id] == "symbol" && !strings.Contains(r.Message, "vulnerable code in the build: example.com/vulnlib.") {
							t.Errorf("%s: message does not name the linked symbols: %s", id, r.Message)
						}
					}
				}
			}
			slices.Sort(denied)
			slices.Sort(codes)
			if !slices.Equal(denied, tc.deny) || !slices.Equal(codes, tc.codes) {
				t.Errorf("denied %v (codes %v), want %v (codes %v)", denied, codes, tc.deny, tc.codes)
			}
			if d.Allow {
				t.Error("allowed with findings denied")
			}
		})
	}
}
