package sbom

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// coreUpdate is the package's -update flag: golden files are rewritten
// instead of compared. (One definition per package: other test files of
// this package use this variable rather than defining the flag again.)
var coreUpdate = flag.Bool("update", false, "rewrite golden files in testdata/golden")

// coreView is what a conversion must keep of a component: every field the
// issue names (names, versions, purls, CPEs, hashes, declared and
// concluded licences, suppliers) and the ones chaingate carries too.
type coreView struct {
	Type             ComponentType
	Group            string
	Name             string
	Version          string
	PURL             string
	CPEs             []string
	Hashes           []Hash
	LicenseDeclared  string
	LicenseConcluded string
	Supplier         string
	Author           string
	Description      string
	Scope            Scope
	Parent           int // index of the parent component, -1 for none
	Properties       []Property
	Locations        []Location
}

// coreProject maps a document to canonical positions (components sorted
// by content), so documents whose identifiers were rewritten (bom-ref to
// SPDXID) or whose components were reordered (the tag-value writer sorts
// packages) compare equal when they describe the same components and
// edges.
func coreProject(d *Document) (comps []coreView, root int, edges [][2]int, dangling []string) {
	order := make([]int, len(d.Components))
	for i := range order {
		order[i] = i
	}
	key := func(c *Component) string {
		k := c.Name + "\x00" + c.Version + "\x00" + c.PURL + "\x00" + c.Group + "\x00" + string(c.Type)
		for _, h := range c.Hashes {
			k += "\x00" + h.Value
		}
		return k
	}
	sort.SliceStable(order, func(a, b int) bool {
		return key(&d.Components[order[a]]) < key(&d.Components[order[b]])
	})
	rank := make([]int, len(order))
	for r, i := range order {
		rank[i] = r
	}
	pos := map[string]int{}
	for i := range d.Components {
		if _, ok := pos[d.Components[i].ID]; !ok {
			pos[d.Components[i].ID] = rank[i]
		}
	}
	at := func(id string) int {
		if i, ok := pos[id]; ok && id != "" {
			return i
		}
		return -1
	}
	for _, i := range order {
		c := &d.Components[i]
		comps = append(comps, coreView{
			Type: c.Type, Group: c.Group, Name: c.Name, Version: c.Version, PURL: c.PURL,
			CPEs: c.CPEs, Hashes: c.Hashes, LicenseDeclared: c.LicenseDeclared,
			LicenseConcluded: c.LicenseConcluded, Supplier: c.Supplier, Author: c.Author,
			Description: c.Description, Scope: c.Scope, Parent: at(c.Parent),
			Properties: c.Properties, Locations: c.Locations,
		})
	}
	for _, dep := range d.Dependencies {
		for _, to := range dep.DependsOn {
			a, b := at(dep.Ref), at(to)
			if a < 0 || b < 0 {
				dangling = append(dangling, dep.Ref+" -> "+to)
				continue
			}
			edges = append(edges, [2]int{a, b})
		}
	}
	sort.Slice(edges, func(i, j int) bool {
		if edges[i][0] != edges[j][0] {
			return edges[i][0] < edges[j][0]
		}
		return edges[i][1] < edges[j][1]
	})
	return comps, at(d.Root), edges, dangling
}

func coreDecodeFile(t *testing.T, name string) *Document {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Decode %s: %v", name, err)
	}
	return d
}

func coreEncode(t *testing.T, d *Document, f Format) ([]byte, *ConversionReport) {
	t.Helper()
	var buf bytes.Buffer
	rep, err := EncodeWithReport(&buf, d, f)
	if err != nil {
		t.Fatalf("Encode %s: %v", f, err)
	}
	return buf.Bytes(), rep
}

func coreRedecode(t *testing.T, data []byte, f Format) *Document {
	t.Helper()
	d, err := Decode(bytes.NewReader(data), Strict())
	if err != nil {
		t.Fatalf("Decode(Strict) of encoded %s: %v\n%s", f, err, data)
	}
	if d.Format != f {
		t.Fatalf("encoded %s decoded as %s", f, d.Format)
	}
	return d
}

// TestRoundTripCycloneDXSPDX converts every real CycloneDX test document
// to SPDX (JSON and tag-value) and back, and checks that names, versions,
// purls, CPEs, hashes, licences, suppliers and every dependency edge
// survive: whatever the report does not list as lost must be equal.
func TestRoundTripCycloneDXSPDX(t *testing.T) {
	for _, file := range coreFiles(t, "cyclonedx") {
		for _, via := range []Format{SPDXJSON, SPDXTagValue} {
			t.Run(filepath.Base(file)+"/"+string(via), func(t *testing.T) {
				orig := coreDecodeFile(t, strings.TrimPrefix(file, "testdata/"))
				spdxBytes, rep := coreEncode(t, orig, via)
				mid := coreRedecode(t, spdxBytes, via)
				cdxBytes, rep2 := coreEncode(t, mid, CycloneDXJSON)
				back := coreRedecode(t, cdxBytes, CycloneDXJSON)

				if Validate(orig) == nil {
					if err := Validate(mid); err != nil {
						t.Errorf("%s output does not validate: %v", via, err)
					}
					if err := Validate(back); err != nil {
						t.Errorf("CycloneDX output does not validate: %v", err)
					}
				}
				c1, r1, e1, d1 := coreProject(orig)
				c2, r2, e2, d2 := coreProject(back)
				if len(rep2.Losses) != 0 {
					t.Errorf("SPDX -> CycloneDX lost %+v", rep2.Losses)
				}
				if diff := cmp.Diff(c1, c2); diff != "" {
					t.Errorf("components changed (-orig +round trip):\n%s\nreport: %+v", diff, rep.Losses)
				}
				if r1 != r2 {
					t.Errorf("root %d, round trip %d", r1, r2)
				}
				// An empty name or creation time is filled in for SPDX,
				// which requires them, and the report says so.
				if orig.Name != back.Name && !coreNoted(rep, "name") {
					t.Errorf("name %q, round trip %q", orig.Name, back.Name)
				}
				if !orig.Created.Equal(back.Created) && !coreNoted(rep, "created") {
					t.Errorf("created %v, round trip %v", orig.Created, back.Created)
				}
				if diff := cmp.Diff(e1, e2); diff != "" {
					t.Errorf("dependency edges changed (-orig +round trip):\n%s", diff)
				}
				// Edges that name no component cannot be written to SPDX;
				// each must be in the report.
				for _, d := range d1 {
					if !coreReported(rep, "dependencies", d) {
						t.Errorf("dangling edge %s dropped without a report entry", d)
					}
				}
				if len(d2) != 0 {
					t.Errorf("round trip produced dangling edges %v", d2)
				}
			})
		}
	}
}

// coreNoted reports whether the report lists a loss or note for field.
func coreNoted(rep *ConversionReport, field string) bool {
	for _, l := range append(append([]Loss(nil), rep.Losses...), rep.Notes...) {
		if l.Field == field {
			return true
		}
	}
	return false
}

func coreReported(rep *ConversionReport, field, value string) bool {
	for _, l := range rep.Losses {
		if l.Field == field && l.Value == value {
			return true
		}
	}
	return false
}

// TestSPDXToCycloneDXLossless converts the real SPDX examples to CycloneDX
// and back to SPDX: the model must survive unchanged.
func TestSPDXToCycloneDXRoundTrip(t *testing.T) {
	for _, file := range coreFiles(t, "spdx") {
		if coreToolsGolangFails[filepath.Base(file)] {
			continue
		}
		if decRaceEnabled && strings.HasSuffix(file, ".rdf") {
			continue // gordf races internally (see decode_race_test.go)
		}
		for _, via := range []Format{CycloneDXJSON, CycloneDXXML} {
			t.Run(filepath.Base(file)+"/"+string(via), func(t *testing.T) {
				orig := coreDecodeFile(t, strings.TrimPrefix(file, "testdata/"))
				cdxBytes, rep := coreEncode(t, orig, via)
				for _, l := range rep.Losses {
					if l.Field != "source" { // what the model did not read is listed as "source"
						t.Errorf("SPDX -> %s lost %+v", via, l)
					}
				}
				if len(rep.Losses) != len(orig.Unmodelled) {
					t.Errorf("report lists %d losses, the source has %d unmodelled parts", len(rep.Losses), len(orig.Unmodelled))
				}
				mid := coreRedecode(t, cdxBytes, via)
				spdxBytes, _ := coreEncode(t, mid, SPDXJSON)
				back := coreRedecode(t, spdxBytes, SPDXJSON)
				c1, r1, e1, _ := coreProject(orig)
				c2, r2, e2, _ := coreProject(back)
				if diff := cmp.Diff(c1, c2); diff != "" {
					t.Errorf("components changed (-orig +round trip):\n%s", diff)
				}
				if r1 != r2 {
					t.Errorf("root %d, round trip %d", r1, r2)
				}
				// An empty name or creation time is filled in for SPDX,
				// which requires them, and the report says so.
				if orig.Name != back.Name && !coreNoted(rep, "name") {
					t.Errorf("name %q, round trip %q", orig.Name, back.Name)
				}
				if !orig.Created.Equal(back.Created) && !coreNoted(rep, "created") {
					t.Errorf("created %v, round trip %v", orig.Created, back.Created)
				}
				if diff := cmp.Diff(e1, e2); diff != "" {
					t.Errorf("edges changed (-orig +round trip):\n%s", diff)
				}
			})
		}
	}
}

// TestConversionGolden writes conversions of real documents and compares
// them with testdata/golden (regenerate with -update).
func TestConversionGolden(t *testing.T) {
	cases := []struct {
		in   string
		to   Format
		name string
	}{
		{"cyclonedx/valid-bom.json", SPDXJSON, "valid-bom.spdx.json"},
		{"cyclonedx/valid-bom.json", SPDXTagValue, "valid-bom.spdx"},
		{"cyclonedx/valid-assembly.json", SPDXJSON, "valid-assembly.spdx.json"},
		{"cyclonedx/valid-dependency.xml", CycloneDXJSON, "valid-dependency.cdx.json"},
		{"cyclonedx/valid-license-licensing.json", SPDXJSON, "valid-license-licensing.spdx.json"},
		{"spdx/SPDXJSONExample-v2.3.spdx.json", CycloneDXJSON, "SPDXJSONExample-v2.3.cdx.json"},
		{"spdx/SPDXTagExample-v2.3.spdx", CycloneDXXML, "SPDXTagExample-v2.3.cdx.xml"},
		{"spdx/hello.spdx", SPDXJSON, "hello.spdx.json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := coreDecodeFile(t, tc.in)
			out, rep := coreEncode(t, d, tc.to)
			repJSON, err := json.MarshalIndent(rep, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			coreGolden(t, tc.name, out)
			coreGolden(t, tc.name+".report.json", append(repJSON, '\n'))
			coreRedecode(t, out, tc.to)
		})
	}
}

func coreGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *coreUpdate {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run Golden -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from golden (-want +got):\n%s", name, diff)
	}
}

// TestTagValueNoInjection: a line break in a value cannot start a new tag
// in tag-value output; the change is reported.
func TestTagValueNoInjection(t *testing.T) {
	d := &Document{Name: "d", Components: []Component{{
		ID: "a", Name: "evil\nPackageName: injected", Version: "1\r\nSPDXID: SPDXRef-x",
		Description: "ends </text>\nPackageName: injected",
	}}}
	out, rep := coreEncode(t, d, SPDXTagValue)
	back := coreRedecode(t, out, SPDXTagValue)
	if len(back.Components) != 1 {
		t.Fatalf("%d components after decoding, want 1:\n%s", len(back.Components), out)
	}
	c := back.Components[0]
	if c.Name != "evil PackageName: injected" || c.Version != "1 SPDXID: SPDXRef-x" {
		t.Errorf("name %q version %q", c.Name, c.Version)
	}
	for _, field := range []string{"name", "version", "description"} {
		if !coreNoted(rep, field) {
			t.Errorf("change of %s not reported: %+v", field, rep.Losses)
		}
	}
}

// TestEncodeCarriesWholeModel encodes a document that uses every field of
// the model to each output format and decodes it again: what the format
// has no field for travels as chaingate properties (CycloneDX) or
// annotations (SPDX), so the report lists no loss and the model survives.
func TestEncodeCarriesWholeModel(t *testing.T) {
	full := &Document{
		Name:        "full",
		Version:     1,
		Created:     time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC),
		Tools:       []Tool{{Name: "gen", Version: "1.0"}},
		Authors:     []string{"Jane Doe (jane@example.com)"},
		Root:        "app",
		Properties:  []Property{{Name: "build", Value: "42"}},
		Limitations: []string{"built from go.mod alone"},
		Image: &ImageInfo{Reference: "registry.example/app:1", Digest: "sha256:" + strings.Repeat("a", 64),
			Layers: []string{"sha256:" + strings.Repeat("b", 64)}, Distro: &Distro{ID: "debian", VersionID: "12"}},
		Components: []Component{
			{ID: "app", Type: TypeApplication, Name: "app", Version: "v1.0.0", PURL: "pkg:golang/example.com/App@v1.0.0"},
			{ID: "lib", Type: TypeLibrary, Group: "@scope", Name: "lib", Version: "2.0.0",
				PURL:            "pkg:npm/%40scope/lib@2.0.0",
				CPEs:            []string{"cpe:2.3:a:scope:lib:2.0.0:*:*:*:*:*:*:*", "cpe:/a:scope:lib:2.0.0"},
				Hashes:          []Hash{{Algorithm: "SHA-512", Value: strings.Repeat("c", 128)}, {Algorithm: "SHA-1", Value: strings.Repeat("d", 40)}},
				LicenseDeclared: "MIT OR Apache-2.0", LicenseConcluded: "MIT",
				Supplier: "Scope Inc", Author: "Jane Doe", Description: "a library\nover two lines",
				Scope: ScopeExcluded, Parent: "app",
				Locations:  []Location{{Path: "/usr/lib/node_modules/lib/package.json", Layer: "sha256:" + strings.Repeat("b", 64)}},
				Properties: []Property{{Name: "cdx:npm:package:development", Value: "true"}}},
			{ID: "os", Type: TypePlatform, Name: "linux", Version: "6.1", Scope: ScopeRequired},
			{ID: "two", Name: "two", LicenseDeclared: "Apache-2.0", LicenseConcluded: "LicenseRef-custom", Type: TypeFile},
			{ID: "expr", Name: "expr", LicenseConcluded: "GPL-2.0-only WITH Classpath-exception-2.0", Type: TypeFirmware},
		},
		Dependencies: []Dependency{{Ref: "app", DependsOn: []string{"lib", "os"}}, {Ref: "lib", DependsOn: []string{"os"}}},
	}
	if err := Validate(full); err != nil {
		t.Fatalf("fixture does not validate: %v", err)
	}
	for _, f := range []Format{CycloneDXJSON, CycloneDXXML, SPDXJSON, SPDXTagValue} {
		t.Run(string(f), func(t *testing.T) {
			out, rep := coreEncode(t, full, f)
			if len(rep.Losses) != 0 {
				t.Errorf("losses: %+v", rep.Losses)
			}
			back := coreRedecode(t, out, f)
			c1, r1, e1, _ := coreProject(full)
			c2, r2, e2, _ := coreProject(back)
			if diff := cmp.Diff(c1, c2); diff != "" {
				t.Errorf("components (-want +got):\n%s", diff)
			}
			if r1 != r2 || !cmp.Equal(e1, e2) {
				t.Errorf("root %d edges %v, got %d %v", r1, e1, r2, e2)
			}
			if diff := cmp.Diff(
				[]any{full.Name, full.Created, full.Tools, full.Authors, full.Properties, full.Limitations, full.Image},
				[]any{back.Name, back.Created, back.Tools, back.Authors, back.Properties, back.Limitations, back.Image}); diff != "" {
				t.Errorf("document fields (-want +got):\n%s", diff)
			}
		})
	}
}
