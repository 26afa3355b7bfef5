package gitops

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// kImage is a kustomize images: entry as kustomize's types.Image reads it.
type kImage struct {
	Name    string `yaml:"name"`
	NewName string `yaml:"newName,omitempty"`
	NewTag  string `yaml:"newTag,omitempty"`
	Digest  string `yaml:"digest,omitempty"`
}

func kustomizeImages(t *testing.T, b []byte) map[string]kImage {
	t.Helper()
	var k struct {
		Images []kImage `yaml:"images"`
	}
	// The first document is the kustomization.
	if err := yaml.NewDecoder(bytes.NewReader(b)).Decode(&k); err != nil {
		t.Fatalf("decode kustomization: %v\n%s", err, b)
	}
	out := map[string]kImage{}
	for _, im := range k.Images {
		out[im.Name] = im
	}
	return out
}

// kustomizeSetImage runs `kustomize edit set image arg` on content and
// returns the file kustomize writes.
func kustomizeSetImage(t *testing.T, bin string, content []byte, arg string) []byte {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "kustomization.yaml")
	if err := os.WriteFile(file, content, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "edit", "set", "image", arg)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kustomize edit set image %s: %v\n%s", arg, err, out)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestKustomizeImagesMatchKustomize proves EditImage's kustomize images:
// semantics equal `kustomize edit set image` (v5.8.2) on real and written
// kustomizations: the images entries after both edits are the same, and
// EditImage changed no byte outside the entry it edited or added.
func TestKustomizeImagesMatchKustomize(t *testing.T) {
	bin, err := exec.LookPath("kustomize")
	if err != nil {
		t.Skip("kustomize not on PATH: install it with `go install sigs.k8s.io/kustomize/kustomize/v5@v5.8.2` to compare with kustomize itself")
	}
	if out, _ := exec.Command(bin, "version").CombinedOutput(); !strings.Contains(string(out), "v5.8.2") {
		t.Logf("kustomize %s is not v5.8.2; comparing anyway", strings.TrimSpace(string(out)))
	}
	real := func(name string) string {
		b, err := os.ReadFile(filepath.Join("testdata/real/flux2-kustomize-helm-example", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	trillian, err := os.ReadFile("testdata/real/trillian-kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	corpus, err := os.ReadFile("testdata/corpus/kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"flux podinfo base":   real("apps-base-podinfo-kustomization.yaml"),
		"flux staging":        real("apps-staging-kustomization.yaml"),
		"flux cluster":        real("clusters-production-flux-system-kustomization.yaml"),
		"trillian":            string(trillian),
		"corpus":              string(corpus),
		"tag entry":           "resources: [deploy.yaml]\nimages:\n  - name: ghcr.io/acme/app # the app\n    newTag: v1 # current\n  - name: nginx\n    digest: " + dgA + "\n",
		"tag and digest":      "kind: Kustomization\nimages:\n- name: ghcr.io/acme/app\n  newTag: v1\n  digest: " + dgB + "\n",
		"digest first":        "kind: Kustomization\nimages:\n- name: ghcr.io/acme/app\n  digest: " + dgB + "\n  newTag: v1\n",
		"flow entries":        "kind: Kustomization\nimages: [{name: ghcr.io/acme/app, newTag: v1}, {name: nginx, newTag: '1.25'}]\n",
		"flow, both keys":     "kind: Kustomization\nimages: [{name: ghcr.io/acme/app, newTag: v1, digest: " + dgB + "}]\n",
		"empty flow list":     "kind: Kustomization\nresources: [a.yaml]\nimages: []\n",
		"crlf, no final eol":  "kind: Kustomization\r\nimages:\r\n- name: ghcr.io/acme/app\r\n  newTag: v1",
		"renamed entry":       "kind: Kustomization\nimages:\n- name: app\n  newName: ghcr.io/acme/app\n  newTag: v1\n",
		"name only":           "kind: Kustomization\nimages:\n- name: ghcr.io/acme/app\n",
		"no images, comments": "# overlay\nkind: Kustomization\nresources:\n- ../base # base\n",
	}
	refs := []string{
		"ghcr.io/acme/app@" + dgA,
		"ghcr.io/acme/app:v2",
		"ghcr.io/acme/app:v2@" + dgA,
		"registry.example.com/mirror/app:v3",
		"registry.example.com/mirror/app@" + dgA,
	}
	for fname, content := range files {
		for _, name := range []string{"ghcr.io/acme/app", "app", "nginx"} {
			for _, ref := range refs {
				if name == "nginx" {
					ref = strings.Replace(ref, "ghcr.io/acme/app", "nginx", 1)
				}
				before := kustomizeImages(t, []byte(content))
				out, err := EditImage([]byte(content), ImageTarget{Name: name}, ref)
				if err != nil {
					t.Errorf("%s: %s -> %s: %v", fname, name, ref, err)
					continue
				}
				// kustomize matches the entry by its name; the image is
				// renamed (NAME=REF) when the reference names another image
				// or the entry already renames it.
				// An entry matched by its newName is addressed by its name.
				r, _ := ParseReference(ref)
				key := name
				if _, ok := before[name]; !ok {
					for _, e := range before {
						if e.NewName == name {
							key = e.Name
						}
					}
				}
				arg := ref
				if e, ok := before[key]; (ok && e.NewName != "") || !sameImageName(r.Name, key) {
					arg = key + "=" + ref
				}
				want := kustomizeImages(t, kustomizeSetImage(t, bin, []byte(content), arg))
				got := kustomizeImages(t, out)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: set image %s:\n got %+v\nwant %+v\n%s", fname, arg, got, want, out)
				}
				// Every other entry and every line not in the edited
				// entry is kept byte for byte.
				for _, line := range strings.SplitAfter(content, "\n") {
					l := strings.TrimRight(line, "\r\n")
					if l == "" || strings.Contains(l, "newTag") || strings.Contains(l, "digest") || strings.Contains(l, "newName") || strings.Contains(l, "images:") {
						continue
					}
					if !strings.Contains(string(out), l) {
						t.Errorf("%s: set image %s lost line %q:\n%s", fname, arg, l, out)
					}
				}
			}
		}
	}
}
