package gitops

import (
	"errors"
	"strings"
	"testing"
)

const renderBase = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  selector:\n    matchLabels: {app: app}\n  template:\n    metadata:\n      labels: {app: app}\n    spec:\n      containers:\n        - name: app\n          image: ghcr.io/acme/app:v1\n"

func TestRenderCheck(t *testing.T) {
	files := map[string]string{
		"base/deploy.yaml":                 renderBase,
		"base/kustomization.yaml":          "resources: [deploy.yaml]\n",
		"overlays/prod/kustomization.yaml": "resources: [../../base]\nimages:\n- name: ghcr.io/acme/app\n  newTag: v1\n",
		// images: names an image the base does not run: the edit lands
		// but the rendered objects do not change.
		"overlays/typo/kustomization.yaml":   "resources: [deploy.yaml]\nimages:\n- name: ghcr.io/acme/ap\n  newTag: v1\n",
		"overlays/typo/deploy.yaml":          renderBase,
		"overlays/remote/kustomization.yaml": "resources:\n- https://github.com/acme/base//deploy?ref=v1\nimages:\n- name: ghcr.io/acme/app\n  newTag: v1\n",
		"overlays/broken/kustomization.yaml": "resources: [deploy.yaml]\npatches:\n- path: missing.yaml\nimages:\n- name: ghcr.io/acme/app\n  newTag: v1\n",
		"overlays/broken/deploy.yaml":        renderBase,
		// The base itself, edited directly, is rendered through the overlay
		// that lists it too.
		"plain/kustomization.yaml": "resources: [../base]\n",
	}
	bare := newBareRepo(t, files)
	p, err := NewPromoter(Repository{URL: bare}, WithGate(allowAll), WithRenderCheck())
	if err != nil {
		t.Fatal(err)
	}
	ref := "ghcr.io/acme/app@" + dgA
	promote := func(file, name string) error {
		_, err := p.Promote(t.Context(), Request{Image: ref, Edits: []Edit{{File: file, Target: ImageTarget{Name: name}}}})
		return err
	}
	if err := promote("overlays/prod/kustomization.yaml", "ghcr.io/acme/app"); err != nil {
		t.Fatalf("good overlay refused: %v", err)
	}
	if err := promote("base/deploy.yaml", "ghcr.io/acme/app"); err != nil {
		t.Fatalf("base edit refused: %v", err)
	}
	before := tip(t, bare)
	for _, tc := range []struct{ file, name, want string }{
		{"overlays/typo/kustomization.yaml", "ghcr.io/acme/ap", "does not contain"},
		{"overlays/remote/kustomization.yaml", "ghcr.io/acme/app", "is not fetched"},
		{"overlays/broken/kustomization.yaml", "ghcr.io/acme/app", "kustomize build overlays/broken"},
	} {
		err := promote(tc.file, tc.name)
		if !errors.Is(err, ErrRenderFailed) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want ErrRenderFailed with %q", tc.file, err, tc.want)
		}
	}
	if tip(t, bare) != before {
		t.Error("a refused render moved the branch")
	}
	// Without the option the same edit lands: the check is what refused it.
	q, _ := NewPromoter(Repository{URL: bare}, WithGate(allowAll))
	if _, err := q.Promote(t.Context(), Request{Image: ref, Edits: []Edit{{File: "overlays/typo/kustomization.yaml", Target: ImageTarget{Name: "ghcr.io/acme/ap"}}}}); err != nil {
		t.Errorf("without the render check: %v", err)
	}
}
