package gitops

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// scalarsOf flattens every scalar value of every document, in order.
func scalarsOf(t *testing.T, b []byte) []string {
	t.Helper()
	f, err := parseYAMLFile(b)
	if err != nil {
		t.Fatalf("output does not parse: %v\n%q", err, b)
	}
	var out []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			out = append(out, n.Value)
		}
		if n.Kind == yaml.AliasNode {
			out = append(out, "*"+n.Value)
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, d := range f.docs {
		walk(d)
	}
	return out
}

// FuzzEditImage checks the splice: every edit either fails with one of the
// package's errors or yields a file whose re-parse differs from the input
// only in scalar values that take a part of the new reference, on the same
// lines, with every other byte untouched.
func FuzzEditImage(f *testing.F) {
	for _, dir := range []string{"testdata/corpus", "testdata/real"} {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err == nil {
				f.Add(b, uint8(0), "ghcr.io/acme/web", "ghcr.io/acme/web:v2")
				f.Add(b, uint8(1), "spec.template.spec.containers[0].image", "nginx:1.2@"+dgA)
				f.Add(b, uint8(2), "flux-system:podinfo", "ghcr.io/x/podinfo:1@"+dgB)
				f.Add(b, uint8(3), "web", "web@"+dgA)
			}
		}
	}
	f.Add([]byte("image: {repository: nginx, tag: '1', digest: \"\"}\n"), uint8(0), "nginx", "nginx:2@"+dgA)
	f.Add([]byte("a: &x nginx:1\nb: *x\nimage: nginx:1 # {\"$imagepolicy\": \"a:b:tag\"}\n"), uint8(2), "a:b", "nginx:3")
	f.Fuzz(func(t *testing.T, src []byte, mode uint8, sel, ref string) {
		if len(src) > 64<<10 {
			return
		}
		var target ImageTarget
		switch mode % 4 {
		case 0:
			target.Name = sel
		case 1:
			target.Path = sel
			target.Doc = int(mode / 4 % 3)
		case 2:
			target.Policy = sel
		case 3:
			target.Container = sel
		}
		out, err := EditImage(src, target, ref)
		if err != nil {
			if !(errors.Is(err, ErrNoTarget) || errors.Is(err, ErrUnsafeEdit) || errors.Is(err, ErrInvalidTarget) ||
				errors.Is(err, ErrInvalidReference) || errors.Is(err, ErrTooLarge)) {
				// A parse error of the input is the only other outcome.
				if _, perr := parseYAMLFile(src); perr == nil {
					t.Fatalf("unexpected error class: %v", err)
				}
			}
			return
		}
		r, _ := ParseReference(ref)
		allowed := map[string]bool{r.String(): true, r.Name: true, r.Tag: true, r.Digest: true, r.Tag + "@" + r.Digest: true}
		a, b := scalarsOf(t, src), scalarsOf(t, out)
		if len(a) != len(b) {
			t.Fatalf("scalar count %d -> %d", len(a), len(b))
		}
		for i := range a {
			if a[i] != b[i] && !allowed[b[i]] {
				t.Fatalf("scalar %d changed %q -> %q, not a part of %s", i, a[i], b[i], ref)
			}
		}
		la, lb := splitLines(src), splitLines(out)
		if len(la) != len(lb) {
			t.Fatalf("line count %d -> %d", len(la), len(lb))
		}
		if bytes.Equal(src, out) {
			return
		}
		for i := range la {
			if la[i] != lb[i] {
				// The line ending and the text before the first changed
				// byte are kept.
				ea, eb := la[i][len(bytes.TrimRight([]byte(la[i]), "\r\n")):], lb[i][len(bytes.TrimRight([]byte(lb[i]), "\r\n")):]
				if ea != eb {
					t.Fatalf("line %d ending changed %q -> %q", i+1, ea, eb)
				}
			}
		}
	})
}
