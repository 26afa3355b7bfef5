package gitops_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/chaingate/chaingate/gitops"
)

func ExampleEditImage() {
	manifest := []byte(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: "ghcr.io/acme/web:v1.4.0"   # pinned by the release gate
`)
	out, err := gitops.EditImage(manifest, gitops.ImageTarget{Name: "ghcr.io/acme/web"},
		"ghcr.io/acme/web:v1.5.0@sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// apiVersion: apps/v1
	// kind: Deployment
	// metadata:
	//   name: web
	// spec:
	//   template:
	//     spec:
	//       containers:
	//         - name: web
	//           image: "ghcr.io/acme/web:v1.5.0@sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b"   # pinned by the release gate
}

func ExampleEditImage_helmValues() {
	values := []byte("image:\n    repository: ghcr.io/acme/api\n    tag: \"2.3.1\"   # chart default\n")
	out, err := gitops.EditImage(values, gitops.ImageTarget{Path: "image.tag"}, "ghcr.io/acme/api:2.4.0")
	fmt.Print(string(out), err)
	// Output:
	// image:
	//     repository: ghcr.io/acme/api
	//     tag: "2.4.0"   # chart default
	// <nil>
}

func ExamplePromoter_Promote() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "gitops-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	// A GitOps repository with one environment.
	bare := filepath.Join(dir, "gitops.git")
	err = gitops.InitRepository(ctx, bare, "main", map[string][]byte{
		"apps/web/prod/kustomization.yaml": []byte("resources: [../base]\nimages:\n  - name: ghcr.io/acme/web\n    newTag: v1.4.0 # current\n"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// The gate: in a real release this is the policy decision.
	gate := gitops.GateFunc(func(ctx context.Context, c gitops.Candidate) (gitops.Decision, error) {
		if c.Image.Digest == "" {
			return gitops.Decision{Allow: false, Reasons: []string{"an image must be promoted by digest"}}, nil
		}
		return gitops.Decision{Allow: true, Reasons: []string{"verified provenance"}}, nil
	})
	p, err := gitops.NewPromoter(gitops.Repository{URL: bare, Branch: "main"}, gitops.WithGate(gate))
	if err != nil {
		fmt.Println(err)
		return
	}
	edits := []gitops.Edit{{File: "apps/web/prod/kustomization.yaml", Target: gitops.ImageTarget{Name: "ghcr.io/acme/web"}}}

	_, err = p.Promote(ctx, gitops.Request{Image: "ghcr.io/acme/web:v1.5.0", Edits: edits})
	fmt.Println("by tag:", err)

	prom, err := p.Promote(ctx, gitops.Request{
		Image: "ghcr.io/acme/web:v1.5.0@sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b",
		Edits: edits,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range prom.Files {
		for _, c := range f.Changes {
			fmt.Printf("%s line %d: %s -> %s\n", f.File, c.Line, c.Old, c.New)
		}
	}
	recs, err := p.History(ctx, gitops.HistoryOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("recorded:", recs[0].Image.Tag, "previous:", recs[0].Previous)
	// Output:
	// by tag: gitops: promotion denied: an image must be promoted by digest
	// apps/web/prod/kustomization.yaml line 4: v1.4.0 -> v1.5.0
	// apps/web/prod/kustomization.yaml line 5:  -> digest: sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b
	// recorded: v1.5.0 previous: [ghcr.io/acme/web:v1.4.0]
}

func ExampleEditImage_kustomizeDigest() {
	// kustomize edit set image ghcr.io/acme/web@sha256:… writes digest:
	// in place of newTag; EditImage does the same without touching the
	// other bytes.
	k := []byte("resources: [../base]\nimages:\n  - name: ghcr.io/acme/web # frontend\n    newTag: v1.4.0\n")
	out, err := gitops.EditImage(k, gitops.ImageTarget{Name: "ghcr.io/acme/web"},
		"ghcr.io/acme/web@sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b")
	fmt.Print(string(out), err)
	// Output:
	// resources: [../base]
	// images:
	//   - name: ghcr.io/acme/web # frontend
	//     digest: sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b
	// <nil>
}

func ExamplePromoter_Promote_release() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "gitops-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	bare := filepath.Join(dir, "gitops.git")
	err = gitops.InitRepository(ctx, bare, "main", map[string][]byte{
		"prod/kustomization.yaml": []byte("resources: [../base]\nimages:\n- name: ghcr.io/acme/api\n  newTag: v1\n- name: ghcr.io/acme/web\n  newTag: v1\n"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	gate := gitops.GateFunc(func(ctx context.Context, c gitops.Candidate) (gitops.Decision, error) {
		return gitops.Decision{Allow: c.Image.Digest != "", Reasons: []string{"digest required"}}, nil
	})
	p, err := gitops.NewPromoter(gitops.Repository{URL: bare}, gitops.WithGate(gate))
	if err != nil {
		fmt.Println(err)
		return
	}
	file := "prod/kustomization.yaml"
	release := gitops.Request{
		Image: "ghcr.io/acme/api@sha256:1111111111111111111111111111111111111111111111111111111111111111",
		Edits: []gitops.Edit{{File: file, Target: gitops.ImageTarget{Name: "ghcr.io/acme/api"}}},
		Artifacts: []gitops.Artifact{{
			Image: "ghcr.io/acme/web:v2",
			Edits: []gitops.Edit{{File: file, Target: gitops.ImageTarget{Name: "ghcr.io/acme/web"}}},
		}},
	}
	// web is denied, so api is not promoted either.
	_, err = p.Promote(ctx, release)
	fmt.Println(err)

	release.Artifacts[0].Image = "ghcr.io/acme/web@sha256:2222222222222222222222222222222222222222222222222222222222222222"
	prom, err := p.Promote(ctx, release)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range prom.Artifacts {
		fmt.Println("promoted", a.Image.Name, a.Files, "previous", a.Previous)
	}
	recs, _ := p.History(ctx, gitops.HistoryOptions{Limit: 1})
	fmt.Println("one commit records", len(recs[0].Artifacts), "artifacts")
	// Output:
	// gitops: promotion denied: ghcr.io/acme/web:v2: digest required
	// promoted ghcr.io/acme/api [prod/kustomization.yaml] previous [ghcr.io/acme/api:v1]
	// promoted ghcr.io/acme/web [prod/kustomization.yaml] previous [ghcr.io/acme/web:v1]
	// one commit records 2 artifacts
}

func ExampleEditChart() {
	release := []byte(`apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
spec:
  chart:
    spec:
      chart: podinfo
      version: "6.4.0" # pinned by the release gate
`)
	out, err := gitops.EditChart(release, gitops.ChartVersion{Name: "podinfo", Version: "6.5.0"})
	fmt.Print(string(out), err)
	// Output:
	// apiVersion: helm.toolkit.fluxcd.io/v2
	// kind: HelmRelease
	// metadata:
	//   name: podinfo
	// spec:
	//   chart:
	//     spec:
	//       chart: podinfo
	//       version: "6.5.0" # pinned by the release gate
	// <nil>
}

func ExampleParseChartVersion() {
	c, err := gitops.ParseChartVersion("cert-manager v1.15.0")
	fmt.Println(c.Name, c.Version, err)
	// Output: cert-manager v1.15.0 <nil>
}

func ExampleWithRenderCheck() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "gitops-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	bare := filepath.Join(dir, "gitops.git")
	err = gitops.InitRepository(ctx, bare, "main", map[string][]byte{
		"base/kustomization.yaml": []byte("resources: [deploy.yaml]\n"),
		"base/deploy.yaml":        []byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: ghcr.io/acme/web:v1\n"),
		// The overlay's images: entry misspells the image the base runs.
		"prod/kustomization.yaml": []byte("resources: [../base]\nimages:\n- name: ghcr.io/acme/wbe\n  newTag: v1\n"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := gitops.NewPromoter(gitops.Repository{URL: bare}, gitops.WithoutGateUnsafe(), gitops.WithRenderCheck())
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = p.Promote(ctx, gitops.Request{Image: "ghcr.io/acme/wbe:v2",
		Edits: []gitops.Edit{{File: "prod/kustomization.yaml", Target: gitops.ImageTarget{Name: "ghcr.io/acme/wbe"}}}})
	fmt.Println(err)
	// Output: gitops: rendered check failed: kustomize build prod does not contain ghcr.io/acme/wbe:v2
}
