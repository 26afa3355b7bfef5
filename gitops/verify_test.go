package gitops

import (
	"errors"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// TestSpliceProofRejectsOtherChanges: the re-parse proof after an edit
// accepts exactly the planned splice and rejects a result in which any
// other byte, value, comment, anchor, line or document changed, or in
// which the planned text itself changes the tree around it.
func TestSpliceProofRejectsOtherChanges(t *testing.T) {
	const src = "# deploy\napiVersion: apps/v1\nkind: Deployment # kind\nspec:\n  base: &b {replicas: 1}\n  copy: *b\n  containers:\n    - name: web\n      image: ghcr.io/acme/web:v1 # current\n    - name: side\n      image: 'ghcr.io/acme/side:v1'\n"
	f, err := parseYAMLFile(t.Context(), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var img, side *yaml.Node
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && n.Value == "ghcr.io/acme/web:v1" {
			img = n
		}
		if n.Kind == yaml.ScalarNode && n.Value == "ghcr.io/acme/side:v1" {
			side = n
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(f.docs[0])
	plan := func(n *yaml.Node, value, text string) plannedEdit {
		sp, err := f.scalarSpan(n)
		if err != nil {
			t.Fatal(err)
		}
		rendered, style, err := f.render(n, sp, value)
		if err != nil {
			t.Fatal(err)
		}
		if text == "" {
			text = rendered
		}
		return plannedEdit{scalarEdit: scalarEdit{node: n, value: value}, span: sp, text: text, style: style}
	}
	splice := func(ps ...plannedEdit) string {
		out, last := "", 0
		for _, p := range ps {
			out += src[last:p.start] + p.text
			last = p.end
		}
		return out + src[last:]
	}
	good := plan(img, "ghcr.io/acme/web:v2", "")
	goodResult := splice(good)
	if err := f.verify([]byte(goodResult), []plannedEdit{good}); err != nil {
		t.Fatalf("the planned splice is rejected: %v", err)
	}
	sideGood := plan(side, "ghcr.io/acme/side:v2", "")
	if err := f.verify([]byte(splice(good, sideGood)), []plannedEdit{good, sideGood}); err != nil {
		t.Fatalf("two planned splices are rejected: %v", err)
	}

	other := func(old, new string) string {
		if !strings.Contains(goodResult, old) {
			t.Fatalf("%q not in the result", old)
		}
		return strings.Replace(goodResult, old, new, 1)
	}
	cases := []struct {
		name   string
		result string
		plans  []plannedEdit
	}{
		{"another value", other("replicas: 1", "replicas: 2"), []plannedEdit{good}},
		{"a key", other("kind:", "kimd:"), []plannedEdit{good}},
		{"a comment", other("# current", "# changed"), []plannedEdit{good}},
		{"a head comment", other("# deploy", "# Deploy"), []plannedEdit{good}},
		{"whitespace only", other("replicas: 1", "replicas:  1"), []plannedEdit{good}},
		{"quoting only", other("'ghcr.io/acme/side:v1'", "\"ghcr.io/acme/side:v1\""), []plannedEdit{good}},
		{"an anchor", other("&b", "&c"), []plannedEdit{good}},
		{"a line inserted", other("spec:\n", "spec:\n\n"), []plannedEdit{good}},
		{"a document appended", goodResult + "---\na: b\n", []plannedEdit{good}},
		{"trailing newline dropped", strings.TrimSuffix(goodResult, "\n"), []plannedEdit{good}},
		{"the edited value differs from the plan", other("web:v2", "web:v3"), []plannedEdit{good}},
		{"the edit is missing", src, []plannedEdit{good}},
		// The planned text itself is wrong; the bytes around it are intact,
		// so only the re-parsed tree can tell.
		{"text adds a comment", splice(plan(img, "ghcr.io/acme/web:v2", "ghcr.io/acme/web:v2 #x")), []plannedEdit{plan(img, "ghcr.io/acme/web:v2", "ghcr.io/acme/web:v2 #x")}},
		{"text opens a mapping", splice(plan(img, "ghcr.io/acme/web:v2", "a: b")), []plannedEdit{plan(img, "ghcr.io/acme/web:v2", "a: b")}},
		{"text decodes to another value", splice(plan(img, "ghcr.io/acme/web:v2", `"ghcr.io/acme/web:v\x32x"`)), []plannedEdit{plan(img, "ghcr.io/acme/web:v2", `"ghcr.io/acme/web:v\x32x"`)}},
		{"text changes the style", splice(plan(img, "ghcr.io/acme/web:v2", `'ghcr.io/acme/web:v2'`)), []plannedEdit{plan(img, "ghcr.io/acme/web:v2", `'ghcr.io/acme/web:v2'`)}},
		{"text is a number", splice(plan(img, "2", "2")), []plannedEdit{plan(img, "2", "2")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := f.verify([]byte(tc.result), tc.plans); !errors.Is(err, ErrUnsafeEdit) {
				t.Errorf("verify = %v, want ErrUnsafeEdit", err)
			}
		})
	}

	// Tree checks alone (without the byte comparison) must also catch
	// changes that keep the bytes around the spans: prove it by asking the
	// tree comparison directly, with plans that cover the changed bytes.
	for _, tc := range []struct{ name, old, new string }{
		{"another value", "replicas: 1", "replicas: 2"},
		{"a comment", "# current", "# changed"},
		{"a key", "kind:", "kimd:"},
		{"a line inserted", "spec:\n", "spec:\n\n"},
		{"quoting only", "'ghcr.io/acme/side:v1'", "\"ghcr.io/acme/side:v1\""},
	} {
		t.Run("tree/"+tc.name, func(t *testing.T) {
			g, err := parseYAMLFile(t.Context(), []byte(other(tc.old, tc.new)))
			if err != nil {
				t.Fatal(err)
			}
			if err := f.sameTree(g, []plannedEdit{good}); !errors.Is(err, ErrUnsafeEdit) {
				t.Errorf("sameTree = %v, want ErrUnsafeEdit", err)
			}
		})
	}
}
