package gitops

import (
	"os"
	"strings"
	"testing"
)

// TestSplitImageMaps: promoting a Helm map that splits registry and
// repository to another registry or repository edits exactly the keys
// whose part changes.
func TestSplitImageMaps(t *testing.T) {
	const values = "image:\n  registry: docker.io # hub\n  repository: bitnami/redis\n  tag: 7.2.4\n  pullPolicy: IfNotPresent\n"
	cases := []struct {
		name, ref string
		want      string
	}{
		{"tag only", "docker.io/bitnami/redis:7.4.0", "image:\n  registry: docker.io # hub\n  repository: bitnami/redis\n  tag: 7.4.0\n  pullPolicy: IfNotPresent\n"},
		{"hub spelling", "bitnami/redis:7.4.0", "image:\n  registry: docker.io # hub\n  repository: bitnami/redis\n  tag: 7.4.0\n  pullPolicy: IfNotPresent\n"},
		{"registry only", "ghcr.io/bitnami/redis:7.2.4", "image:\n  registry: ghcr.io # hub\n  repository: bitnami/redis\n  tag: 7.2.4\n  pullPolicy: IfNotPresent\n"},
		{"repository only", "docker.io/acme/redis:7.2.4", "image:\n  registry: docker.io # hub\n  repository: acme/redis\n  tag: 7.2.4\n  pullPolicy: IfNotPresent\n"},
		{"all three", "registry.example.com:5000/mirror/redis:8.0.0", "image:\n  registry: registry.example.com:5000 # hub\n  repository: mirror/redis\n  tag: 8.0.0\n  pullPolicy: IfNotPresent\n"},
		{"library image", "redis:8.0.0", "image:\n  registry: docker.io # hub\n  repository: library/redis\n  tag: 8.0.0\n  pullPolicy: IfNotPresent\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Selected by the current full name and by a path to the tag.
			out, err := EditImage([]byte(values), ImageTarget{Name: "docker.io/bitnami/redis"}, tc.ref)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", out, tc.want)
			}
			// What the map now says reads back as the reference.
			refs, err := observeImages(t.Context(), out, ImageTarget{Name: tc.ref[:strings.LastIndex(tc.ref, ":")]})
			if err != nil || len(refs) != 1 || !sameImageName(refs[0].Name, tc.ref[:strings.LastIndex(tc.ref, ":")]) {
				t.Errorf("observe after edit = %v, %v", refs, err)
			}
		})
	}

	// A real Flux HelmRelease whose redis values keep the registry inside
	// the repository: the repository takes the whole new name.
	rel, err := os.ReadFile("testdata/real/flux2-kustomize-helm-example/apps-base-podinfo-release.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := EditImage(rel, ImageTarget{Name: "public.ecr.aws/docker/library/redis"}, "ghcr.io/acme/redis:8.6.3")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(strings.Replace(string(rel), "repository: public.ecr.aws/docker/library/redis", "repository: ghcr.io/acme/redis", 1), "tag: 8.6.2", "tag: 8.6.3", 1)
	if string(out) != want {
		t.Errorf("podinfo release:\n%s", out)
	}
}
