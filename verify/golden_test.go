package verify_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/chaingate/chaingate/verify"
	"github.com/google/go-cmp/cmp"
)

// TestResultGolden pins the JSON shape of a Result for a real bundle.
// Regenerate with: go test ./verify -run TestResultGolden -update
func TestResultGolden(t *testing.T) {
	v := newVerifier(t, loadRoot(t, "trusted_root_public_good.json"))
	res, err := v.VerifyBundle(context.Background(), npmAttestation(t, "gundam-visor-cli-v1-tag.tgz.json", "https://slsa.dev/provenance/v1"), verify.Requirements{
		Artifact: verify.ArtifactBytes(readFile(t, "slsa-verifier", "gundam-visor-cli-v1-tag.tgz")),
		Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeName: gundamSAN, GitHubRepository: "ramonpetgrave64/gundam-visor"},
		SLSA:     &verify.SLSARequirements{BuilderIDs: []string{"https://github.com/actions/runner/github-hosted"}, SourceURI: "github.com/ramonpetgrave64/gundam-visor", Tag: "v1.0.1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "golden", "result-gundam-visor.json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("Result JSON changed (-want +got):\n%s", diff)
	}
}
