package sbom

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/internal/gobin/gobintest"
)

// TestFromGoModulePackages generates the SBOM of a real module built in
// the test (example.com/app importing two of example.com/vulnlib's three
// packages, from a module cache filled from a file proxy) and checks the
// packages recorded per module: those `go list -deps` says the main
// module's packages import, none for a required module nothing imports.
func TestFromGoModulePackages(t *testing.T) {
	dir, modcache := gobintest.Source(t, true)
	t.Setenv("GOMODCACHE", modcache)
	// A second module, required but not imported, as a local replacement.
	writeFiles(t, dir, map[string]string{
		"unused/go.mod": "module example.com/unused\n\ngo 1.22\n",
		"unused/u.go":   "package unused\n",
		"util/util.go":  "package util\n",
		"cmd/x/main.go": "package main\n\nimport _ \"example.com/app/util\"\n\nfunc main() {}\n",
	})
	mod, err := os.ReadFile(dir + "/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	mod = append(mod, "\nrequire example.com/unused v1.0.0\n\nreplace example.com/unused => ./unused\n"...)
	if err := os.WriteFile(dir+"/go.mod", mod, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOOS", "windows")
	t.Setenv("GOARCH", "arm64")
	doc, err := FromGoModule(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Limitations) != 0 {
		t.Fatalf("limitations: %v", doc.Limitations)
	}
	want := map[string]string{
		"example.com/app":    "example.com/app,example.com/app/cmd/x,example.com/app/util",
		gobintest.Module:     gobintest.PkgMain + "," + gobintest.PkgNotCalled, // not vulnlib/other
		"example.com/unused": "",
	}
	for name, ps := range want {
		c := componentNamed(doc, name)
		if c == nil {
			t.Fatalf("no component %s in %+v", name, doc.Components)
		}
		got, ok := c.Property(PropGoPackages)
		if !ok || got != ps {
			t.Errorf("%s: packages %q (set %v), want %q", name, got, ok, ps)
		}
	}
	root := doc.Component(doc.Root)
	goos, _ := root.Property(PropGoBuildPrefix + "GOOS")
	goarch, _ := root.Property(PropGoBuildPrefix + "GOARCH")
	if goos != "windows" || goarch != "arm64" {
		t.Errorf("platform %s/%s, want the environment's windows/arm64", goos, goarch)
	}
	plat := map[string]string{}
	for _, p := range doc.Properties {
		plat[p.Name] = p.Value
	}
	if plat[PropGoBuildPrefix+"GOOS"] != "windows" || plat[PropGoBuildPrefix+"GOARCH"] != "arm64" {
		t.Errorf("document properties %v lack the platform", doc.Properties)
	}
}

// TestFromGoModulePackagesMissingSources: with only the go.mod files in
// the module cache the build list is still read, but no packages are
// recorded (a partial list would call imported code absent) and the
// limitation says what is missing.
func TestFromGoModulePackagesMissingSources(t *testing.T) {
	dir, modcache := gobintest.Source(t, false)
	t.Setenv("GOMODCACHE", modcache)
	doc, err := FromGoModule(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if src, _ := doc.Component(doc.Root).Property(PropGoModuleSource); src != "go-command" {
		t.Fatalf("the build list did not come from the go command: %v", doc.Limitations)
	}
	for _, c := range doc.Components {
		if v, ok := c.Property(PropGoPackages); ok {
			t.Errorf("%s: packages %q recorded without the sources", c.Name, v)
		}
	}
	if len(doc.Limitations) != 1 || !strings.Contains(doc.Limitations[0], "packages in the build are not recorded") ||
		!strings.Contains(doc.Limitations[0], "go mod download") || !strings.Contains(doc.Limitations[0], "list -deps") {
		t.Errorf("limitations %q", doc.Limitations)
	}
}
