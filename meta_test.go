package chaingate_test

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const modulePath = "github.com/chaingate/chaingate"

// allowedImports is DESIGN.md's dependency direction: each public package
// may import only the chaingate packages listed for it (internal/ helpers
// are open to all of them). Lower packages never import higher ones, and
// gitops reaches policy only through its Gate interface.
var allowedImports = map[string][]string{
	"sbom":       {},
	"provenance": {"sbom"},
	"verify":     {"provenance", "sbom"},
	"risk":       {"sbom"},
	"policy":     {"sbom", "risk", "verify", "provenance"},
	"gitops":     {},
}

type listedPackage struct {
	ImportPath string
	Imports    []string
}

func goList(t *testing.T, args ...string) []listedPackage {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	cmd := exec.Command("go", append([]string{"list", "-json"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// top returns the first path element below the module ("sbom" for
// ".../sbom/policytest"), or "" for the root package.
func top(importPath string) string {
	rel := strings.TrimPrefix(strings.TrimPrefix(importPath, modulePath), "/")
	first, _, _ := strings.Cut(rel, "/")
	return first
}

func TestDependencyDirection(t *testing.T) {
	pkgs := goList(t, "./...")
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	checked := 0
	for _, p := range pkgs {
		from := top(p.ImportPath)
		allowed, governed := allowedImports[from]
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, modulePath+"/") {
				continue
			}
			to := top(imp)
			switch {
			case from == "examples" && to == "internal":
				t.Errorf("%s imports %s: examples use public packages only", p.ImportPath, imp)
			case !governed || to == "internal" || to == from:
				// root, examples and internal may import any public package.
			default:
				ok := false
				for _, a := range allowed {
					ok = ok || a == to
				}
				if !ok {
					t.Errorf("%s imports %s: %s may import only %v", p.ImportPath, imp, from, allowed)
				}
			}
			checked++
		}
	}
	t.Logf("checked %d in-module imports across %d packages", checked, len(pkgs))
}

func TestGoModTidy(t *testing.T) {
	if testing.Short() {
		t.Skip("go mod tidy loads the whole module graph")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	cmd := exec.Command("go", "mod", "tidy", "-diff")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go mod tidy would change go.mod or go.sum (run `go mod tidy`):\n%s", out)
	}
}
