package gitops

import (
	"os"
	"strings"
	"testing"
)

// TestReleaseWithCharts promotes two images and two Helm charts (real Flux
// files) in one gated commit, reads the release back and rolls it back
// whole.
func TestReleaseWithCharts(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile("testdata/real/flux2-kustomize-helm-example/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	stages := `stages:
  - name: prod
    edits:
      - {file: apps/prod/kustomization.yaml, target: {name: ghcr.io/acme/api}}
      - {file: apps/prod/kustomization.yaml, target: {name: ghcr.io/acme/web}}
      - {file: apps/podinfo/release.yaml, target: {name: podinfo}}
      - {file: infrastructure/cert-manager.yaml, target: {name: cert-manager}}
`
	bare := newBareRepo(t, map[string]string{
		".chaingate/stages.yaml":           stages,
		"apps/prod/kustomization.yaml":     "kind: Kustomization\nresources: [../base]\nimages:\n- name: ghcr.io/acme/api\n  newTag: v1\n- name: ghcr.io/acme/web\n  newTag: v1\n",
		"apps/podinfo/release.yaml":        read("apps-base-podinfo-release.yaml"),
		"infrastructure/cert-manager.yaml": read("infrastructure-controllers-cert-manager.yaml"),
	})
	gate := &recordingGate{}
	p, err := NewPromoter(Repository{URL: bare}, WithGate(gate))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	digest := "sha256:" + strings.Repeat("e", 64)
	req := Request{Image: "ghcr.io/acme/api@" + dgA, Stage: "prod", Artifacts: []Artifact{
		{Chart: &ChartVersion{Name: "podinfo", Version: "6.5.0"}},
		{Image: "ghcr.io/acme/web@" + dgB},
		{Chart: &ChartVersion{Name: "cert-manager", Version: "v1.15.0", Digest: digest}},
	}}
	before := tip(t, bare)
	prom, err := p.Promote(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if n := gitCmd(t, bare, "rev-list", "--count", before+"..main"); n != "1" {
		t.Fatalf("%s commits", n)
	}
	// Images first, then charts: the order of trailers and decisions.
	if len(gate.seen) != 4 || gate.seen[2].Chart == nil || gate.seen[2].Chart.Name != "podinfo" || gate.seen[3].Previous[0] != "cert-manager 1.x" || gate.seen[3].Image.Name != "" {
		t.Errorf("gate saw %+v", gate.seen)
	}
	if len(prom.Artifacts) != 4 || prom.Artifacts[3].Chart.Digest != digest {
		t.Errorf("promotion artifacts %+v", prom.Artifacts)
	}
	if got := showFile(t, bare, "main", "apps/podinfo/release.yaml"); !strings.Contains(got, "        name: podinfo\n      version: 6.5.0\n  install:") {
		t.Errorf("podinfo release:\n%s", got)
	}
	if got := showFile(t, bare, "main", "infrastructure/cert-manager.yaml"); !strings.Contains(got, "  ref:\n    tag: \"v1.15.0\"\n    digest: "+digest+"\n---") {
		t.Errorf("cert-manager:\n%s", got)
	}
	msg := gitCmd(t, bare, "log", "-1", "--format=%B", "main")
	if strings.Count(msg, "Chaingate-Chart: ") != 2 || strings.Count(msg, "Chaingate-Decision: ") != 4 || !strings.Contains(msg, "Chaingate-Chart: cert-manager v1.15.0@"+digest) {
		t.Errorf("trailers:\n%s", msg)
	}
	recs, err := p.History(ctx, HistoryOptions{Stage: "prod"})
	if err != nil || len(recs) != 1 || len(recs[0].Charts) != 2 || len(recs[0].Artifacts) != 2 || len(recs[0].Decisions) != 4 {
		t.Fatalf("history = %+v, %v", recs, err)
	}
	snapshot := func() string {
		var b strings.Builder
		for _, f := range []string{"apps/prod/kustomization.yaml", "apps/podinfo/release.yaml", "infrastructure/cert-manager.yaml"} {
			b.WriteString(showFile(t, bare, "main", f))
		}
		return b.String()
	}
	first := snapshot()
	req2 := Request{Image: "ghcr.io/acme/api:v3", Stage: "prod", Artifacts: []Artifact{
		{Image: "ghcr.io/acme/web:v3"},
		{Chart: &ChartVersion{Name: "podinfo", Version: "6.6.0"}},
		{Chart: &ChartVersion{Name: "cert-manager", Version: "v1.16.0"}},
	}}
	if _, err := p.Promote(ctx, req2); err != nil {
		t.Fatal(err)
	}
	if got := showFile(t, bare, "main", "infrastructure/cert-manager.yaml"); strings.Contains(got, "digest:") {
		t.Errorf("a tag without a digest left the old digest overriding it:\n%s", got)
	}
	if _, err := p.Rollback(ctx, RollbackRequest{Stage: "prod"}); err != nil {
		t.Fatalf("rollback: %v", err)
	}
	if now := snapshot(); now != first {
		t.Errorf("rollback did not restore the release:\n%s\nwant\n%s", now, first)
	}
	gitCmd(t, bare, "fsck", "--strict")
}
