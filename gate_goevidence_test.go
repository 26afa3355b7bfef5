package chaingate_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/chaingate/chaingate"
	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

// TestEvaluateEvidenceLevels gates the SBOM of a real Go binary (risk's
// testdata: example.com/vulnlib linked, package vulnlib/other not) against
// five advisories: by default all five are denied; with evidence_levels
// ["symbol", "package"] the one whose only affected package is not in
// the build is not.
func TestEvaluateEvidenceLevels(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join("risk", "testdata", "gobinary")
	doc, err := sbom.FromGoBinaryFile(filepath.Join(dir, "vulnapp-linux-amd64"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := vulndb.Load(filepath.Join(dir, "osv"))
	if err != nil {
		t.Fatal(err)
	}
	all := []string{"CHAINGATE-GOBIN-0001", "CHAINGATE-GOBIN-0002", "CHAINGATE-GOBIN-0003", "CHAINGATE-GOBIN-0004", "CHAINGATE-GOBIN-0005"}
	for _, tc := range []struct {
		name   string
		levels []any
		want   []string
	}{
		{"default", nil, all},
		{"present code only", []any{"symbol", "package"}, slices.DeleteFunc(slices.Clone(all), func(s string) bool { return s == "CHAINGATE-GOBIN-0004" })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := map[string]any{"threshold": "low", "deny_unfixed": true}
			if tc.levels != nil {
				cfg["evidence_levels"] = tc.levels
			}
			g := newGate(t, chaingate.WithVulnDB(db),
				chaingate.WithPolicy(libraryEngine(t, map[string]any{"vulnerabilities": cfg}, policy.LibraryVulnerabilities)))
			v, err := g.Evaluate(ctx, chaingate.Candidate{Image: "ghcr.io/acme/vulnapp:1.0.0", Digest: shopAPI, Document: doc})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range v.Reasons {
				if r.Code == "CG-VULN-002" {
					if id, ok := r.Metadata["finding"].(string); ok {
						got = append(got, id)
					}
				}
			}
			slices.Sort(got)
			if v.Allow || !slices.Equal(got, tc.want) {
				t.Fatalf("allow %v, denied %v, want %v (reasons %+v)", v.Allow, got, tc.want, v.Reasons)
			}
			for _, f := range v.Input.Risk.Findings {
				if f.ID == "CHAINGATE-GOBIN-0004" && f.EvidenceLevel != "package-absent" {
					t.Errorf("%s evidence %q in the input, want package-absent", f.ID, f.EvidenceLevel)
				}
			}
		})
	}
}
