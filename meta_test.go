package chaingate_test

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const modulePath = "github.com/chaingate/chaingate"

// allowedImports is DESIGN.md's dependency direction: each floor (a
// public package and the packages below its directory, or a sub-floor
// such as risk/vulndb with its own key) may import only the chaingate
// floors listed for it (internal/ helpers are open to all of them). Lower
// packages never import higher ones, and gitops reaches policy only
// through its Gate interface. Inside risk the floors run one way:
// risk → content → signal → model, and risk → vulndb.
var allowedImports = map[string][]string{
	"sbom":         {},
	"provenance":   {"sbom"},
	"verify":       {"provenance", "sbom"},
	"risk/model":   {},
	"risk/signal":  {"sbom", "risk/model"},
	"risk/content": {"sbom", "risk/signal", "risk/model"},
	"risk/vulndb":  {"sbom"},
	"risk":         {"sbom", "risk/vulndb", "risk/content", "risk/signal", "risk/model"},
	"policy":       {"sbom", "risk", "risk/vulndb", "risk/content", "risk/signal", "risk/model", "verify", "provenance"},
	"gitops":       {},
	// The internal packages behind sbom's generators read bytes into their
	// own records and know no public chaingate package.
	"internal/imagefs":  {},
	"internal/catalog":  {},
	"internal/lockfile": {},
	"internal/gobin":    {},
	"internal/errloc":   {},
}

// internal reports whether a floor is an internal/ package.
func internal(floor string) bool {
	return floor == "internal" || strings.HasPrefix(floor, "internal/")
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

// top returns the floor of a package: the longest key of allowedImports
// that is the package's path below the module or a parent directory of it
// ("risk/vulndb" for ".../risk/vulndb", "sbom" for ".../sbom/policytest"),
// else the first path element ("internal", "examples"), or "" for the
// root package.
func top(importPath string) string {
	rel := strings.TrimPrefix(strings.TrimPrefix(importPath, modulePath), "/")
	floor := ""
	for key := range allowedImports {
		if (rel == key || strings.HasPrefix(rel, key+"/")) && len(key) > len(floor) {
			floor = key
		}
	}
	if floor != "" {
		return floor
	}
	first, _, _ := strings.Cut(rel, "/")
	return first
}

// TestFloorsOneWay checks allowedImports itself: every floor it names
// exists as a key, no floor lists itself, and following the allowed
// imports never leads back to where it started, so no floor may import a
// floor above it.
func TestFloorsOneWay(t *testing.T) {
	const (
		unseen = iota
		visiting
		done
	)
	state := map[string]int{}
	var visit func(floor string, path []string)
	visit = func(floor string, path []string) {
		switch state[floor] {
		case visiting:
			t.Errorf("import cycle among floors: %s", strings.Join(append(path, floor), " → "))
			return
		case done:
			return
		}
		state[floor] = visiting
		for _, to := range allowedImports[floor] {
			if _, ok := allowedImports[to]; !ok {
				t.Errorf("%s may import %s, which is not a floor of allowedImports", floor, to)
				continue
			}
			visit(to, append(path, floor))
		}
		state[floor] = done
	}
	for floor := range allowedImports {
		visit(floor, nil)
	}
}

func TestTopFloors(t *testing.T) {
	for in, want := range map[string]string{
		modulePath:                          "",
		modulePath + "/sbom/policytest":     "sbom",
		modulePath + "/risk":                "risk",
		modulePath + "/risk/vulndb":         "risk/vulndb",
		modulePath + "/risk/signal/sub":     "risk/signal",
		modulePath + "/riskier":             "riskier",
		modulePath + "/internal/gobin":      "internal/gobin",
		modulePath + "/internal/gobin/x":    "internal/gobin",
		modulePath + "/internal/fuzzseed":   "internal",
		modulePath + "/examples/ci-scan":    "examples",
		modulePath + "/risk/modelextra/sub": "risk",
	} {
		if got := top(in); got != want {
			t.Errorf("top(%s) = %q, want %q", in, got, want)
		}
	}
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
			case from == "examples" && internal(to):
				t.Errorf("%s imports %s: examples use public packages only", p.ImportPath, imp)
			case !governed || internal(to) || to == from:
				// root, examples and the other internal packages may
				// import any public package; internal helpers are open
				// to every package.
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
