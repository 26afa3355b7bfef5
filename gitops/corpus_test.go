package gitops

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// TestEditImageEveryImageInCorpus edits, one image name at a time, every
// `image:` reference found in every test file, and checks the result
// against an oracle independent of the splice code: the only lines that
// change are the lines holding that image, and each of them is the old
// line with the old value replaced in place by the new one.
func TestEditImageEveryImageInCorpus(t *testing.T) {
	var files []string
	for _, dir := range []string{"testdata/real", "testdata/corpus"} {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml") {
				files = append(files, filepath.Join(dir, e.Name()))
			}
		}
	}
	edits := 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parseYAMLFile(context.Background(), src)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		// name -> the image values using it, by line.
		byName := map[string]map[int]string{}
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					k, v := n.Content[i], n.Content[i+1]
					if k.Value == "image" && v.Kind == yaml.ScalarNode {
						if r, err := ParseReference(v.Value); err == nil {
							name := normalizeName(r.Name)
							if byName[name] == nil {
								byName[name] = map[int]string{}
							}
							byName[name][v.Line] = v.Value
						}
					}
				}
			}
			if n.Kind == yaml.AliasNode {
				return
			}
			for _, c := range n.Content {
				walk(c)
			}
		}
		for _, d := range f.docs {
			walk(d)
		}
		names := make([]string, 0, len(byName))
		for n := range byName {
			names = append(names, n)
		}
		sort.Strings(names)
		lines := splitLines(src)
		for _, name := range names {
			newRef := name + ":corpus-test@" + dgA
			out, err := EditImage(src, ImageTarget{Name: name}, newRef)
			if err != nil {
				t.Errorf("%s: %s: %v", file, name, err)
				continue
			}
			edits++
			got := splitLines(out)
			if len(got) != len(lines) {
				t.Errorf("%s: %s: line count changed", file, name)
				continue
			}
			for i := range lines {
				old, ok := byName[name][i+1]
				want := lines[i]
				if ok {
					want = strings.Replace(lines[i], old, newRef, 1)
				}
				if got[i] != want {
					t.Errorf("%s: %s: line %d = %q, want %q", file, name, i+1, got[i], want)
				}
			}
		}
	}
	if edits < 15 {
		t.Errorf("only %d edits made across %d files; the corpus lost its images", edits, len(files))
	}
	t.Logf("%d edits across %d files", edits, len(files))
}
