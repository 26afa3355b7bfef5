package sbom

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// lockTestDoc runs FromDirectory on a testdata/lockfiles directory.
func lockTestDoc(t *testing.T, dir string, opts ...GenerateOption) *Document {
	t.Helper()
	doc, err := FromDirectory(context.Background(), filepath.Join("testdata", "lockfiles", dir), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// lockTestEdges counts the package-to-package edges (the root's aside).
func lockTestEdges(doc *Document) int {
	n := 0
	for _, d := range doc.Dependencies {
		if d.Ref != doc.Root {
			n += len(d.DependsOn)
		}
	}
	return n
}

// lockTestDependsOn says whether component from depends on component to.
func lockTestDependsOn(doc *Document, from, to string) bool {
	for _, d := range doc.Dependencies {
		if d.Ref == from {
			return slices.Contains(d.DependsOn, to)
		}
	}
	return false
}

// TestFromDirectoryLockfiles reads every real lockfile of testdata and
// checks the number of packages and edges (counted independently from
// the files: see the comments in testdata/README.md), that every
// component has a parseable purl with a version, its file as location,
// an OSV ecosystem, and that the root depends on something.
func TestFromDirectoryLockfiles(t *testing.T) {
	for _, tc := range []struct {
		dir          string
		count, edges int
	}{
		{"bun/scalibr-nested", 9, 6},
		{"bun/syft", 10, 5},
		{"cargo/scalibr-many", 6, 1},
		{"cargo/syft", 14, 8},
		{"cocoapods/scalibr", 2, 0},
		{"cocoapods/syft", 9, 7},
		{"composer/scalibr-drupal", 4, 2},
		{"composer/syft", 4, 1},
		{"conan/scalibr-v2", 5, 0},
		{"conan/syft-v1", 6, 5},
		{"conan/syft-v2", 2, 0},
		{"gem/scalibr-rails", 46, 95},
		{"gem/syft", 51, 68},
		{"go/syft-many", 6, 0},
		{"go/syft-root", 314, 0},
		{"gradle/scalibr-5-pkg", 5, 0},
		{"gradle/syft", 4, 0},
		{"maven/commons-text", 9, 0},
		{"maven/scalibr-depmgmt", 2, 0},
		{"maven/scalibr-interpolation", 2, 0},
		{"mix/scalibr", 2, 0},
		{"mix/syft", 15, 8},
		{"npm/scalibr-nested-v1", 5, 0},
		{"npm/scalibr-workspaces-v3", 5, 2},
		{"npm/syft-pkg-lock", 12, 0},
		{"nuget/scalibr", 8, 9},
		{"nuget/syft", 9, 5},
		{"pdm/scalibr-dev", 3, 1},
		{"pdm/syft", 10, 8},
		{"pipfile/scalibr", 3, 0},
		{"pipfile/syft", 6, 0},
		{"pnpm/scalibr-v5-peers", 9, 8},
		{"pnpm/syft-v6", 10, 3},
		{"pnpm/syft-v9", 6, 5},
		{"poetry/scalibr-v2", 11, 6},
		{"poetry/syft-simple-deps", 5, 4},
		{"pub/scalibr-mixed", 4, 0},
		{"pub/syft", 6, 0},
		{"pylock/scalibr-pdm", 10, 0},
		{"pylock/scalibr-pip", 5, 0},
		{"renv/scalibr-bioc", 2, 0},
		{"renv/scalibr-mixed", 2, 0},
		{"requirements/scalibr-example", 1, 0},
		{"requirements/syft-requires", 10, 0},
		{"uv/scalibr-grouped", 14, 11},
		{"uv/syft-simple-deps", 5, 4},
		{"yarn/scalibr-berry-aliases", 3, 0},
		{"yarn/syft-berry", 8, 0},
		{"yarn/syft-v1", 9, 0},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			doc := lockTestDoc(t, tc.dir)
			if got := len(doc.Components) - 1; got != tc.count {
				t.Errorf("%d packages, want %d", got, tc.count)
			}
			if got := lockTestEdges(doc); got != tc.edges {
				t.Errorf("%d edges, want %d", got, tc.edges)
			}
			if doc.Components[0].ID != doc.Root || doc.Components[0].Type != TypeApplication {
				t.Errorf("root %+v", doc.Components[0])
			}
			if len(doc.Dependencies) == 0 || doc.Dependencies[0].Ref != doc.Root || len(doc.Dependencies[0].DependsOn) == 0 {
				t.Errorf("root has no dependencies: %+v", doc.Dependencies)
			}
			ids := map[string]bool{}
			for _, c := range doc.Components[1:] {
				ids[c.ID] = true
				p, err := c.PackageURL()
				if err != nil || p.Version == "" || p.Name == "" {
					t.Errorf("%s: purl %q: %v", c.ID, c.PURL, err)
				}
				if len(c.Locations) == 0 || !strings.HasPrefix(tc.dir, "") || strings.Contains(c.Locations[0].Path, "/") {
					t.Errorf("%s: locations %+v, want the lockfile's name", c.ID, c.Locations)
				}
				if eco, _ := c.Property(PropOSVEcosystem); eco == "" {
					t.Errorf("%s: no OSV ecosystem", c.ID)
				}
			}
			for _, d := range doc.Dependencies {
				for _, x := range d.DependsOn {
					if !ids[x] {
						t.Errorf("edge %s -> %s: no such component", d.Ref, x)
					}
				}
			}
		})
	}
}

// TestFromDirectorySemantics checks, per format, what the lockfile
// says about particular packages: scope, direct or not, edges.
func TestFromDirectorySemantics(t *testing.T) {
	type want struct {
		purl   string
		scope  Scope
		direct string // "" when the format does not say
	}
	for _, tc := range []struct {
		dir   string
		want  []want
		edges [][2]string
		limit string
	}{
		// bun: chalk is a devDependency, has-flag@2 a dependency; chalk's
		// own supports-color@7 uses its nested has-flag@4.
		{dir: "bun/scalibr-nested", want: []want{
			{"pkg:npm/chalk@4.1.2", ScopeExcluded, "true"},
			{"pkg:npm/has-flag@2.0.0", ScopeRequired, "true"},
			{"pkg:npm/has-flag@4.0.0", ScopeExcluded, "false"},
			{"pkg:npm/supports-color@5.5.0", ScopeRequired, "true"},
		}, edges: [][2]string{{"pkg:npm/supports-color@7.2.0", "pkg:npm/has-flag@4.0.0"}, {"pkg:npm/supports-color@5.5.0", "pkg:npm/has-flag@3.0.0"}}},
		// yarn berry: an alias installs the package it names.
		{dir: "yarn/scalibr-berry-aliases", want: []want{
			{"pkg:npm/ansi-regex@5.0.1", ScopeRequired, "true"},
			{"pkg:npm/%40babel/helper-validator-identifier@7.22.20", ScopeRequired, "true"},
		}},
		{dir: "pnpm/syft-v9", want: []want{
			{"pkg:npm/cross-spawn@7.0.6", ScopeRequired, "true"},
			{"pkg:npm/which@2.0.2", ScopeRequired, "false"},
		}, edges: [][2]string{{"pkg:npm/cross-spawn@7.0.6", "pkg:npm/which@2.0.2"}}},
		{dir: "npm/scalibr-workspaces-v3", want: []want{{"pkg:npm/dotenv@16.0.0", ScopeRequired, "true"}}},
		// requirements.txt: two pinned versions of argh; ranges reported.
		{dir: "requirements/syft-requires", want: []want{
			{"pkg:pypi/argh@0.26.2", "", "true"}, {"pkg:pypi/argh@0.26.3", "", "true"},
			{"pkg:pypi/friendly-bard@1.0.0", "", "true"}, {"pkg:pypi/local-version@1.2.3%2Bgcr.2", "", "true"},
		}, limit: "sqlalchemy >= 1.0.0"},
		// poetry 2: groups ["dev"] is development; optional = true an extra.
		{dir: "poetry/scalibr-v2", want: []want{
			{"pkg:pypi/urllib3@2.3.0", ScopeExcluded, ""},
			{"pkg:pypi/async-timeout@5.0.1", ScopeOptional, ""},
		}, edges: [][2]string{{"pkg:pypi/factory-boy@3.3.1", "pkg:pypi/faker@33.3.0"}}},
		{dir: "pipfile/syft", want: []want{
			{"pkg:pypi/aio-pika@6.8.0", ScopeRequired, ""},
			{"pkg:pypi/autopep8@1.5.6", ScopeExcluded, ""},
		}},
		// uv: the virtual project requires emoji; black only through extras.
		{dir: "uv/scalibr-grouped", want: []want{
			{"pkg:pypi/emoji@2.14.0", ScopeRequired, "true"},
			{"pkg:pypi/black@24.10.0", ScopeOptional, "true"},
			{"pkg:pypi/mccabe@0.7.0", ScopeOptional, "false"},
		}},
		{dir: "pdm/scalibr-dev", want: []want{
			{"pkg:pypi/pyroute2@0.7.11", ScopeExcluded, ""},
			{"pkg:pypi/toml@0.10.2", ScopeRequired, ""},
		}},
		{dir: "cargo/syft", want: []want{{"pkg:cargo/nom@4.2.3", "", ""}},
			edges: [][2]string{{"pkg:cargo/nom@4.2.3", "pkg:cargo/memchr@2.3.3"}}},
		// Gemfile.lock: git gems are listed, PATH gems and unknown sections not.
		{dir: "gem/syft", want: []want{
			{"pkg:gem/turbolinks@3.0.0", "", "true"},
			{"pkg:gem/activerecord@4.1.1", "", "false"},
		}},
		{dir: "composer/syft", want: []want{
			{"pkg:composer/adoy/fastcgi-client@1.0.2", ScopeRequired, ""},
			{"pkg:composer/behat/gherkin@v4.6.2", ScopeExcluded, ""},
		}},
		{dir: "go/syft-root", want: []want{
			{"pkg:golang/github.com/anchore/go-rpmdb@v0.2.0", ScopeRequired, "true"},
		}},
		{dir: "gradle/syft", want: []want{
			{"pkg:maven/joda-time/joda-time@2.2", ScopeRequired, ""},
			{"pkg:maven/junit/junit@4.12", ScopeExcluded, ""},
		}},
		// pom.xml: versions from properties; a range is not guessed.
		{dir: "maven/scalibr-interpolation", want: []want{
			{"pkg:maven/org.mine/my.package@2.3.4", ScopeRequired, "true"},
		}, limit: "ranged-package: version range"},
		{dir: "maven/commons-text", want: []want{
			{"pkg:maven/org.apache.commons/commons-lang3@3.12.0", ScopeRequired, "true"},
			{"pkg:maven/org.assertj/assertj-core@3.23.1", ScopeExcluded, "true"},
		}},
		// Two target frameworks resolve log4net to two versions.
		{dir: "nuget/syft", want: []want{
			{"pkg:nuget/bootstrap@5.0.0", "", "true"},
			{"pkg:nuget/Microsoft.Extensions.Options@9.0.0", "", "false"},
			{"pkg:nuget/log4net@1.2.15", "", "true"},
			{"pkg:nuget/log4net@2.0.5", "", "true"},
		}},
		// go.mod requires adrg/xdg v0.2.1 and excludes that very version.
		{dir: "go/syft-many", want: []want{{"pkg:golang/github.com/anchore/go-testutils@v0.0.0-20200624184116-66aa578126db", ScopeRequired, "true"}},
			limit: "github.com/adrg/xdg@v0.2.1 is required but excluded"},
		// yarn v1: the registry URL names the package an entry installs.
		{dir: "yarn/syft-v1", want: []want{{"pkg:npm/something-i-made-up@7.7.7", "", ""}}},
		// npm v1: a dependency keyed by its install path.
		{dir: "npm/syft-pkg-lock", want: []want{{"pkg:npm/async@3.2.4", ScopeExcluded, ""}}},
		// Conan 1: user and channel are purl qualifiers.
		{dir: "conan/syft-v1", want: []want{{"pkg:conan/mfast@1.2.2?channel=my_channel&user=my_user", "", ""}}},
		{dir: "mix/syft", want: []want{{"pkg:hex/jason@1.3.0", "", ""}}, limit: "enacl comes from git"},
		{dir: "pub/scalibr-mixed", want: []want{
			{"pkg:pub/build_runner@2.2.1", ScopeExcluded, "true"},
			{"pkg:pub/back_button_interceptor@6.0.1", ScopeRequired, "true"},
			{"pkg:pub/shelf@1.3.2", "", "false"},
		}},
		{dir: "renv/scalibr-mixed", want: []want{{"pkg:cran/mime@0.12.1", "", ""}}},
		{dir: "cocoapods/syft", want: []want{{"pkg:cocoapods/GlossButtonNode@3.1.2", "", "true"}}},
		{dir: "conan/scalibr-v2", want: []want{{"pkg:conan/zlib@1.2.13", ScopeRequired, ""}}},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			doc := lockTestDoc(t, tc.dir)
			for _, w := range tc.want {
				c := imgTestFind(doc, w.purl)
				if c == nil || c.PURL != w.purl {
					t.Errorf("no component %s", w.purl)
					continue
				}
				if c.Scope != w.scope {
					t.Errorf("%s: scope %q, want %q", w.purl, c.Scope, w.scope)
				}
				if d, _ := c.Property(PropLockDirect); d != w.direct {
					t.Errorf("%s: direct %q, want %q", w.purl, d, w.direct)
				}
			}
			for _, e := range tc.edges {
				if !lockTestDependsOn(doc, e[0], e[1]) {
					t.Errorf("no edge %s -> %s", e[0], e[1])
				}
			}
			if tc.limit != "" && !strings.Contains(strings.Join(doc.Limitations, "\n"), tc.limit) {
				t.Errorf("limitations %q: want %q", doc.Limitations, tc.limit)
			}
		})
	}
}

// lockTestTree writes files (slash paths relative to a temp dir).
func lockTestTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, data := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func lockTestRead(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "lockfiles", filepath.FromSlash(p)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFromDirectoryTree(t *testing.T) {
	cargo := lockTestRead(t, "cargo/syft/Cargo.lock")
	dir := lockTestTree(t, map[string]string{
		"svc-a/Cargo.lock":             cargo,
		"svc-b/Cargo.lock":             cargo,
		"web/yarn.lock":                lockTestRead(t, "yarn/syft-v1/yarn.lock"),
		"web/node_modules/x/yarn.lock": "not a lockfile at all",
		"vendor/github.com/x/y/go.mod": "garbage",
		".git/Cargo.lock":              "garbage",
		"py/requirements-dev.txt":      "pytest==8.3.4\nblack>=24\n",
		"README.md":                    "# not a lockfile",
		"deep/a/b/c/d/pubspec.lock":    lockTestRead(t, "pub/scalibr-mixed/pubspec.lock"),
	})
	doc, err := FromDirectory(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	// The same crate in two services is one component with two locations.
	c := imgTestFind(doc, "pkg:cargo/nom@4.2.3")
	if c == nil || len(c.Locations) != 2 || c.Locations[0].Path != "svc-a/Cargo.lock" || c.Locations[1].Path != "svc-b/Cargo.lock" {
		t.Fatalf("nom: %+v", c)
	}
	if c := imgTestFind(doc, "pkg:pypi/pytest@8.3.4"); c == nil || c.Locations[0].Path != "py/requirements-dev.txt" {
		t.Errorf("pytest: %+v", c)
	}
	if !strings.Contains(strings.Join(doc.Limitations, "\n"), "py/requirements-dev.txt: line 2: \"black>=24\" is not pinned") {
		t.Errorf("limitations %q", doc.Limitations)
	}
	if imgTestFind(doc, "pkg:pub/shelf@1.3.2") == nil || imgTestFind(doc, "pkg:npm/%40babel/code-frame@7.10.4") == nil {
		t.Error("nested lockfiles not found")
	}
	// node_modules, vendor and .git were skipped (their garbage would fail the call).
	if _, err := FromDirectory(context.Background(), dir, WithVendoredTrees()); err == nil {
		t.Error("WithVendoredTrees: the garbage under node_modules was not read")
	}
	// WithoutDevDependencies drops development-only packages.
	doc, err = FromDirectory(context.Background(), dir, WithoutDevDependencies())
	if err != nil {
		t.Fatal(err)
	}
	if imgTestFind(doc, "pkg:pub/build_runner@") != nil || imgTestFind(doc, "pkg:pub/back_button_interceptor@") == nil {
		t.Error("WithoutDevDependencies kept build_runner or dropped a runtime package")
	}
}

func TestFromDirectoryErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		file, data string
		line       int
	}{
		{"package-lock.json", "{\"lockfileVersion\": 3,\n \"packages\": {", 2},
		{"yarn.lock", "# yarn lockfile v1\n\nlodash@^4:\n  version \"4.17.21\"\n  oops\nnot-a-header\n", 6},
		{"pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: [\n", 0},
		{"bun.lock", "{\"lockfileVersion\": 1, \"packages\": {\"a\": [1]}}", 0},
		{"poetry.lock", "[[package]]\nname = \"a\"\nversion = \n", 3},
		{"Pipfile.lock", "{\"default\": {}}", 0},
		{"uv.lock", "[[package]]\nname = \"a\"\n", 1},
		{"pdm.lock", "[[package]]\nversion = \"1\"\n", 0},
		{"pylock.toml", "[[packages]]\nname = \"a\"\n", 0},
		{"Cargo.lock", "[[package]]\nname = \"a\"\n", 0},
		{"Gemfile.lock", "    rack (2.2.3)\n", 1},
		{"Gemfile.lock", "GEM\n  specs:\n    rack 2.2.3\n", 3},
		{"composer.lock", "{\"packages\": [{\"name\": \"novendor\", \"version\": \"1\"}]}", 0},
		{"go.mod", "module x\nrequire (\n", 3},
		{"gradle.lockfile", "org.example:only-two=runtimeClasspath\n", 1},
		{"pom.xml", "<project><dependencies><dependency>", 1},
		{"packages.lock.json", "{\"version\": 1}", 0},
		{"mix.lock", "%{\n  \"a\": {:hex, \"oops\"},\n}\n", 2},
		{"pubspec.lock", "packages:\n  a:\n    source: hosted\n", 0},
		{"renv.lock", "{\"R\": {}}", 0},
		{"Podfile.lock", "PODS:\n  - NoVersion\n", 0},
		{"conan.lock", "{\"version\": \"0.5\", \"requires\": [\"noversion\"]}", 0},
	} {
		t.Run(tc.file, func(t *testing.T) {
			dir := lockTestTree(t, map[string]string{"sub/" + tc.file: tc.data})
			_, err := FromDirectory(ctx, dir)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), "sub/"+tc.file) {
				t.Errorf("error %q does not name the file", err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %q is not a *ParseError", err)
			}
			if tc.line != 0 && pe.Line != tc.line {
				t.Errorf("line %d, want %d (%v)", pe.Line, tc.line, err)
			}
		})
	}
}

func TestFromDirectoryLimits(t *testing.T) {
	ctx := context.Background()
	dir := lockTestTree(t, map[string]string{"a/Cargo.lock": lockTestRead(t, "cargo/syft/Cargo.lock"), "b/x.txt": "", "c/y.txt": ""})
	if _, err := FromDirectory(ctx, dir, WithInputLimit(100)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("input limit: err = %v, want ErrTooLarge", err)
	}
	if _, err := FromDirectory(ctx, dir, WithMaxFiles(3)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("max files: err = %v, want ErrTooLarge", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := FromDirectory(cctx, dir); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
	if _, err := FromDirectory(ctx, filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing dir: err = %v", err)
	}
	if _, err := FromDirectory(ctx, filepath.Join(dir, "b", "x.txt")); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("file: err = %v", err)
	}
	doc, err := FromDirectory(ctx, filepath.Join(dir, "b"))
	if err != nil || len(doc.Components) != 1 || len(doc.Limitations) != 1 || !strings.Contains(doc.Limitations[0], "no lockfile") {
		t.Errorf("empty tree: %v %+v", err, doc)
	}
	if _, err := FromDirectory(ctx, dir, WithMaxFiles(0)); err == nil {
		t.Error("WithMaxFiles(0) accepted")
	}
}

func TestLockfileFormats(t *testing.T) {
	got := LockfileFormats()
	for _, f := range []string{"package-lock.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock", "requirements.txt", "poetry.lock",
		"Pipfile.lock", "uv.lock", "pdm.lock", "pylock.toml", "Cargo.lock", "Gemfile.lock", "composer.lock", "go.mod",
		"gradle.lockfile", "pom.xml", "packages.lock.json", "mix.lock", "pubspec.lock", "renv.lock", "Podfile.lock", "conan.lock"} {
		if !slices.Contains(got, f) {
			t.Errorf("LockfileFormats lacks %s", f)
		}
	}
	for base, want := range map[string]string{
		"requirements-dev.txt": "requirements.txt", "requirements.txt": "requirements.txt", "pylock.dev.toml": "pylock.toml",
		"npm-shrinkwrap.json": "package-lock.json", "gems.locked": "Gemfile.lock", "requirements.in": "", "Cargo.toml": "",
	} {
		p := lockParserFor(base)
		if (p == nil) != (want == "") || (p != nil && p.Format != want) {
			t.Errorf("lockParserFor(%q) = %+v, want %q", base, p, want)
		}
	}
}

func TestFromLockfile(t *testing.T) {
	ctx := context.Background()
	doc, err := FromLockfile(ctx, filepath.Join("testdata", "lockfiles", "composer", "syft", "composer.lock"))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Components) != 5 || doc.Components[1].Locations[0].Path != "composer.lock" {
		t.Errorf("components %+v", doc.Components)
	}
	if _, err := FromLockfile(ctx, filepath.Join("testdata", "README.md")); !errors.Is(err, ErrUnsupportedFormat) {
		t.Errorf("README.md: err = %v, want ErrUnsupportedFormat", err)
	}
	if _, err := FromLockfile(ctx, filepath.Join("testdata", "missing", "poetry.lock")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: err = %v", err)
	}
}
