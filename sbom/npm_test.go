package sbom

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func readNPMLock(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "gen", "npm", name, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func findNPM(doc *Document, name, version string) *Component {
	for i := range doc.Components {
		if c := &doc.Components[i]; c.Name == name && c.Version == version {
			return c
		}
	}
	return nil
}

func dependsOnNames(doc *Document, c *Component) []string {
	var out []string
	for _, id := range dependsOnIDs(doc, c.ID) {
		d := doc.Component(id)
		out = append(out, d.Name+"@"+d.Version)
	}
	slices.Sort(out)
	return out
}

// sriHex decodes the first hash of an SRI string, independently of
// the generator.
func sriHex(t *testing.T, sri string) string {
	t.Helper()
	_, b64, _ := strings.Cut(sri, "-")
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(raw)
}

func TestFromNPMLockV3Workspaces(t *testing.T) {
	data := readNPMLock(t, "v3-workspaces")
	doc, err := FromNPMLock(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	// Count distinct installed packages independently: entries that are
	// not links, one per name+version+integrity+resolved (workspaces by
	// folder), plus the project.
	var raw struct {
		Packages map[string]map[string]any `json:"packages"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	distinct := map[string]bool{}
	for p, e := range raw.Packages {
		if p == "" || e["link"] == true {
			continue
		}
		name, _ := e["name"].(string)
		if name == "" {
			name = p[strings.LastIndex(p, "node_modules/")+len("node_modules/"):]
		}
		distinct[fmt.Sprint(name, e["version"], e["integrity"], e["resolved"])] = true
	}
	if len(doc.Components) != len(distinct)+1 {
		t.Errorf("%d components, want %d distinct packages + root", len(doc.Components), len(distinct))
	}

	root := doc.Component(doc.Root)
	if root.Name != "chaingate-npm-fixture" || root.Version != "1.0.0" || root.Type != TypeApplication ||
		root.PURL != "pkg:npm/chaingate-npm-fixture@1.0.0" || root.LicenseDeclared != "Apache-2.0" {
		t.Errorf("root = %+v", root)
	}

	express := findNPM(doc, "express", "4.21.2")
	if express == nil {
		t.Fatal("express missing")
	}
	wantHash := sriHex(t, raw.Packages["node_modules/express"]["integrity"].(string))
	if len(express.Hashes) != 1 || express.Hashes[0] != (Hash{"SHA-512", wantHash}) ||
		wantHash != "dbc1ea80c6409a28750b3b7d9f2eeaafa7a4daa75d17815c95b333c21091101e8e15f1fead7027b8d0b0a35ff016faed6e0b100dbe2449b5fd75ef6515bad79c" {
		t.Errorf("express hashes = %v", express.Hashes)
	}
	if r, _ := express.Property(PropNPMResolved); r != "https://registry.npmjs.org/express/-/express-4.21.2.tgz" {
		t.Errorf("express resolved = %q", r)
	}
	if express.Scope != ScopeRequired || express.LicenseDeclared != "MIT" {
		t.Errorf("express scope %q licence %q", express.Scope, express.LicenseDeclared)
	}
	// Node's lookup: express requires debug 2.x, nested in its own
	// node_modules; the project's dev dependency debug 4.3.7 is hoisted.
	if got := dependsOnNames(doc, express); !slices.Contains(got, "debug@2.6.9") || slices.Contains(got, "debug@4.3.7") {
		t.Errorf("express depends on %v", got)
	}
	old := findNPM(doc, "debug", "2.6.9")
	if old == nil || len(old.Locations) != 4 || old.Scope != ScopeRequired {
		t.Fatalf("debug@2.6.9 = %+v, want one component at four nested paths", old)
	}
	if got := dependsOnNames(doc, old); !slices.Equal(got, []string{"ms@2.0.0"}) {
		t.Errorf("debug@2.6.9 depends on %v", got)
	}
	dev := findNPM(doc, "debug", "4.3.7")
	if v, _ := dev.Property(PropNPMDevelopment); dev.Scope != ScopeExcluded || v != "true" {
		t.Errorf("dev debug: scope %q development %q", dev.Scope, v)
	}
	if got := dependsOnNames(doc, dev); !slices.Equal(got, []string{"ms@2.1.3"}) {
		t.Errorf("debug@4.3.7 depends on %v", got)
	}
	alias := findNPM(doc, "lodash", "4.17.21")
	if a, _ := alias.Property(PropNPMAlias); alias == nil || a != "lodash-alias" || alias.PURL != "pkg:npm/lodash@4.17.21" {
		t.Errorf("alias = %+v", alias)
	}
	is := findNPM(doc, "@sindresorhus/is", "4.6.0")
	if is == nil || is.PURL != "pkg:npm/%40sindresorhus/is@4.6.0" || is.Group != "@sindresorhus" {
		t.Errorf("scoped = %+v", is)
	}
	if fse := findNPM(doc, "fsevents", "2.3.3"); fse == nil || fse.Scope != ScopeOptional {
		t.Errorf("fsevents = %+v", fse)
	}
	ws := findNPM(doc, "@fixture/util", "0.1.0")
	if ws == nil {
		t.Fatal("workspace missing")
	}
	if v, _ := ws.Property(PropNPMWorkspace); v != "true" || ws.Locations[0].Path != "packages/util" {
		t.Errorf("workspace = %+v", ws)
	}
	if got := dependsOnNames(doc, ws); !slices.Equal(got, []string{"is-number@7.0.0", "ms@2.1.3"}) {
		t.Errorf("workspace depends on %v", got)
	}
	rootDeps := dependsOnNames(doc, root)
	for _, want := range []string{"express@4.21.2", "debug@4.3.7", "semver@7.6.3", "fsevents@2.3.3", "lodash@4.17.21", "@fixture/util@0.1.0", "@sindresorhus/is@4.6.0"} {
		if !slices.Contains(rootDeps, want) {
			t.Errorf("root does not depend on %s: %v", want, rootDeps)
		}
	}
	if len(doc.Limitations) != 0 {
		t.Errorf("limitations %v on a complete lockfile", doc.Limitations)
	}
	ids := map[string]bool{}
	for _, c := range doc.Components {
		if ids[c.ID] {
			t.Errorf("duplicate ID %s", c.ID)
		}
		ids[c.ID] = true
	}

	prod, err := FromNPMLock(bytes.NewReader(data), WithoutDevDependencies())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range prod.Components {
		if c.Scope == ScopeExcluded {
			t.Errorf("WithoutDevDependencies kept %s@%s", c.Name, c.Version)
		}
	}
	if len(prod.Components) != len(doc.Components)-3 { // debug@4.3.7, semver, is-number
		t.Errorf("WithoutDevDependencies: %d components, want %d", len(prod.Components), len(doc.Components)-3)
	}
}

func TestFromNPMLockV2Peer(t *testing.T) {
	doc, err := FromNPMLock(bytes.NewReader(readNPMLock(t, "v2-peer")))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Components) != 10 {
		t.Errorf("%d components, want 9 packages + root", len(doc.Components))
	}
	dom := findNPM(doc, "react-dom", "18.3.1")
	if got := dependsOnNames(doc, dom); !slices.Equal(got, []string{"loose-envify@1.4.0", "react@18.3.1", "scheduler@0.23.2"}) {
		t.Errorf("react-dom depends on %v (peer react expected)", got)
	}
	if ts := findNPM(doc, "typescript", "5.6.3"); ts == nil || ts.Scope != ScopeExcluded {
		t.Errorf("typescript = %+v", ts)
	}
	if p, _ := doc.Component(doc.Root).Property("chaingate:npm:lockfile-version"); p != "" {
		t.Errorf("root carries the lockfile version %q", p)
	}
	found := false
	for _, p := range doc.Properties {
		found = found || (p.Name == "chaingate:npm:lockfile-version" && p.Value == "2")
	}
	if !found {
		t.Errorf("document properties %v lack the lockfile version", doc.Properties)
	}
}

func TestFromNPMLockErrors(t *testing.T) {
	tests := []struct {
		name, in  string
		line, col int
		is        error
	}{
		{name: "v1", in: `{"name":"a","lockfileVersion":1,"dependencies":{}}`, is: ErrUnsupportedFormat},
		{name: "v4", in: `{"lockfileVersion":4,"packages":{}}`, is: ErrUnsupportedFormat},
		// The bad ',' is column 16; the shared ParseError location code
		// counts encoding/json's offset (which includes the bad byte) and
		// may say 17, so only the line is pinned here.
		{name: "syntax", in: "{\n  \"lockfileVersion\": 3,\n  \"packages\": {,}\n}", line: 3},
		{name: "type", in: "{\"lockfileVersion\":3,\n\"packages\":[]}", line: 2},
		{name: "truncated", in: `{"lockfileVersion":3,"packages":{"node_modules/a":{"version":"1"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromNPMLock(strings.NewReader(tc.in))
			if err == nil {
				t.Fatal("no error")
			}
			if tc.is != nil {
				if !errors.Is(err, tc.is) {
					t.Errorf("err = %v, want %v", err, tc.is)
				}
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Format != formatNPMLock {
				t.Fatalf("err = %v, want *ParseError", err)
			}
			if tc.line != 0 && pe.Line != tc.line {
				t.Errorf("line %d, want %d: %v", pe.Line, tc.line, err)
			}
			if tc.col != 0 && pe.Col != tc.col {
				t.Errorf("col %d, want %d: %v", pe.Col, tc.col, err)
			}
		})
	}
	data := readNPMLock(t, "v2-peer")
	if _, err := FromNPMLock(bytes.NewReader(data), WithInputLimit(int64(len(data)-1))); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := FromNPMLock(bytes.NewReader(data), WithInputLimit(int64(len(data)))); err != nil {
		t.Errorf("at the limit: %v", err)
	}
	if _, err := FromNPMLock(nil); err == nil {
		t.Error("nil reader accepted")
	}
}

func TestFromNPMLockMissingDependency(t *testing.T) {
	lock := `{"name":"p","version":"1.0.0","lockfileVersion":3,"packages":{
		"":{"name":"p","version":"1.0.0","dependencies":{"a":"^1"},"optionalDependencies":{"gone":"1"}},
		"node_modules/a":{"version":"1.0.0","dependencies":{"b":"^2"},"peerDependencies":{"c":"1"},
			"peerDependenciesMeta":{"c":{"optional":true}},"integrity":"sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk= sha512-bad"}}}`
	doc, err := FromNPMLock(strings.NewReader(lock))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Limitations) != 1 || !strings.Contains(doc.Limitations[0], "node_modules/a -> b") ||
		strings.Contains(doc.Limitations[0], "gone") || strings.Contains(doc.Limitations[0], "-> c") {
		t.Errorf("limitations = %q", doc.Limitations)
	}
	a := findNPM(doc, "a", "1.0.0")
	// sha1 of the empty string; the malformed sha512 is skipped.
	if len(a.Hashes) != 1 || a.Hashes[0] != (Hash{"SHA-1", "da39a3ee5e6b4b0d3255bfef95601890afd80709"}) {
		t.Errorf("hashes = %v", a.Hashes)
	}
}

func FuzzFromNPMLock(f *testing.F) {
	// Seeds are kept small: the fuzzer minimises every input that finds
	// new coverage, and minimising even the 5 KB real v2 lockfile takes
	// longer than a 10 s fuzz run. The real lockfiles are the tests'
	// inputs; this excerpt of them keeps their shapes (a workspace, a
	// link, an alias, nesting, dev, optional and peer dependencies).
	f.Add([]byte(`{"name":"p","version":"1.0.0","lockfileVersion":3,"packages":{
"":{"name":"p","version":"1.0.0","workspaces":["w"],"dependencies":{"a":"1","al":"npm:b@2"},"devDependencies":{"d":"1"},"optionalDependencies":{"o":"1"}},
"node_modules/a":{"version":"1.0.0","resolved":"https://registry.npmjs.org/a/-/a-1.0.0.tgz","integrity":"sha512-28HqgMZAmih1Czt9ny7qr6ek2qddF4FclbMzwhCREB6OFfH+rXAnuNCwo1/wFvrtbgsQDb4kSbX9de9lFbrXnA==","license":"MIT","dependencies":{"n":"2"},"peerDependencies":{"p2":"1"},"peerDependenciesMeta":{"p2":{"optional":true}}},
"node_modules/a/node_modules/n":{"version":"2.0.0","integrity":"sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk="},
"node_modules/n":{"version":"1.0.0","dev":true},
"node_modules/al":{"name":"b","version":"2.0.0","hasInstallScript":true},
"node_modules/d":{"version":"1.0.0","dev":true,"dependencies":{"n":"1"}},
"node_modules/o":{"version":"1.0.0","optional":true,"inBundle":true},
"node_modules/@s/w":{"resolved":"w","link":true},
"w":{"name":"@s/w","version":"0.1.0","dependencies":{"a":"1"}}}}`))
	f.Add([]byte(`{"lockfileVersion":3,"packages":{"":{},"node_modules/a":{"link":true,"resolved":"node_modules/a"},"x/node_modules/":{"dependencies":{"":""}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := FromNPMLock(bytes.NewReader(data), WithInputLimit(1<<20))
		if err != nil {
			return
		}
		ids := map[string]bool{}
		for _, c := range doc.Components {
			if ids[c.ID] || c.ID == "" {
				t.Fatalf("duplicate or empty ID %q", c.ID)
			}
			ids[c.ID] = true
		}
		for _, d := range doc.Dependencies {
			if !ids[d.Ref] {
				t.Fatalf("dangling ref %q", d.Ref)
			}
			for _, to := range d.DependsOn {
				if !ids[to] {
					t.Fatalf("dangling dependency %q", to)
				}
			}
		}
	})
}

// largeNPMLock generates a lockfileVersion 3 file of n packages, each
// with an integrity, a resolved URL, a licence and three dependencies,
// one in ten nested under another package (as npm does on version
// conflicts), one in five a dev dependency.
func largeNPMLock(n int) []byte {
	pkgs := make(map[string]any, n+1)
	rootDeps := map[string]string{}
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("pkg-%d", i)
		if i%7 == 0 {
			names[i] = fmt.Sprintf("@scope%d/pkg-%d", i%13, i)
		}
	}
	for i, name := range names {
		path := "node_modules/" + name
		if i%10 == 9 {
			path = fmt.Sprintf("node_modules/%s/node_modules/%s", names[i-1], name)
		} else if i < 50 {
			rootDeps[name] = "^1.0.0"
		}
		sum := make([]byte, 64)
		for j := range sum {
			sum[j] = byte(i*31 + j*7)
		}
		deps := map[string]string{}
		for k := 1; k <= 3; k++ {
			if d := (i*k + 17) % n; d%10 != 9 { // nested ones are not reachable from everywhere
				deps[names[d]] = "^1.0.0"
			}
		}
		pkgs[path] = map[string]any{
			"version":      fmt.Sprintf("1.%d.%d", i%50, i%7),
			"resolved":     fmt.Sprintf("https://registry.npmjs.org/%s/-/pkg-%d-1.0.0.tgz", name, i),
			"integrity":    "sha512-" + base64.StdEncoding.EncodeToString(sum),
			"license":      "MIT",
			"dev":          i%5 == 0,
			"dependencies": deps,
		}
	}
	pkgs[""] = map[string]any{"name": "big", "version": "1.0.0", "dependencies": rootDeps}
	data, err := json.Marshal(map[string]any{"name": "big", "version": "1.0.0", "lockfileVersion": 3, "packages": pkgs})
	if err != nil {
		panic(err)
	}
	return data
}

func BenchmarkFromNPMLock(b *testing.B) {
	data := largeNPMLock(20000)
	b.Run("chaingate", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			doc, err := FromNPMLock(bytes.NewReader(data))
			if err != nil || len(doc.Components) < 20000 || len(doc.Limitations) != 0 {
				b.Fatal(err, len(doc.Components), doc.Limitations)
			}
		}
	})
	// The same bytes decoded by encoding/json into the lockfile's struct
	// (what FromNPMLock decodes before building the document) and into
	// an untyped value.
	b.Run("raw-encoding-json-struct", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			var lock npmLock
			if err := json.Unmarshal(data, &lock); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw-encoding-json-any", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestFromNPMLockLicences(t *testing.T) {
	lock := `{"lockfileVersion":3,"packages":{"":{"name":"p","version":"1.0.0","license":"(MIT OR Apache-2.0)"},
		"node_modules/a":{"version":"1.0.0","license":{"type":"BSD-3-Clause","url":"https://example.com"}},
		"node_modules/b":{"version":"1.0.0","license":"SEE LICENSE IN LICENSE.md"},
		"node_modules/c":{"version":"1.0.0","license":"Apache\u002d2.0"}}}`
	doc, err := FromNPMLock(strings.NewReader(lock))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, declared, prop string }{
		{"p", "(MIT OR Apache-2.0)", ""},
		{"a", "BSD-3-Clause", ""},
		{"b", "", "SEE LICENSE IN LICENSE.md"},
		{"c", "Apache-2.0", ""},
	}
	for _, tc := range tests {
		c := findNPM(doc, tc.name, "1.0.0")
		prop, _ := c.Property(PropNPMLicense)
		if c.LicenseDeclared != tc.declared || prop != tc.prop {
			t.Errorf("%s: declared %q property %q; want %q, %q", tc.name, c.LicenseDeclared, prop, tc.declared, tc.prop)
		}
	}
	if err := Validate(doc); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestFromNPMLockHidden(t *testing.T) {
	// The shape of node_modules/.package-lock.json: no packages[""].
	lock := `{"name":"proj","lockfileVersion":3,"requires":true,"packages":{
		"node_modules/a":{"version":"1.0.0","dependencies":{"b":"1"}},
		"node_modules/a/node_modules/b":{"version":"1.0.0"},
		"node_modules/@s/c":{"version":"2.0.0"}}}`
	doc, err := FromNPMLock(strings.NewReader(lock))
	if err != nil {
		t.Fatal(err)
	}
	g := NewGraph(doc)
	if got := g.Direct(); !slices.Equal(got, []string{"pkg:npm/%40s/c@2.0.0", "pkg:npm/a@1.0.0"}) {
		t.Errorf("Direct = %v", got)
	}
	if got := g.Transitive(); !slices.Equal(got, []string{"pkg:npm/b@1.0.0"}) {
		t.Errorf("Transitive = %v", got)
	}
	if len(doc.Limitations) != 1 || !strings.Contains(doc.Limitations[0], ".package-lock.json") {
		t.Errorf("limitations = %q", doc.Limitations)
	}
	if doc.Component(doc.Root).Name != "proj" {
		t.Errorf("root = %+v", doc.Component(doc.Root))
	}
}

func TestFromNPMLockMergedScope(t *testing.T) {
	// The same package installed twice: dev-only at one path, optional at
	// another, required at a third. The component takes the strongest.
	base := `{"lockfileVersion":3,"packages":{"":{"name":"p","version":"1.0.0"},
		"node_modules/x/node_modules/m":{"version":"1.0.0","dev":true}%s}}`
	tests := []struct {
		extra string
		scope Scope
		dev   bool
		opt   bool
	}{
		{``, ScopeExcluded, true, false},
		{`,"node_modules/y/node_modules/m":{"version":"1.0.0","optional":true}`, ScopeOptional, false, true},
		{`,"node_modules/y/node_modules/m":{"version":"1.0.0","optional":true},"node_modules/z/node_modules/m":{"version":"1.0.0"}`, ScopeRequired, false, false},
	}
	for _, tc := range tests {
		doc, err := FromNPMLock(strings.NewReader(fmt.Sprintf(base, tc.extra)))
		if err != nil {
			t.Fatal(err)
		}
		m := findNPM(doc, "m", "1.0.0")
		_, dev := m.Property(PropNPMDevelopment)
		_, opt := m.Property(PropNPMOptional)
		if m.Scope != tc.scope || dev != tc.dev || opt != tc.opt {
			t.Errorf("%s: scope %q dev %v optional %v; want %q %v %v", tc.extra, m.Scope, dev, opt, tc.scope, tc.dev, tc.opt)
		}
	}
}
