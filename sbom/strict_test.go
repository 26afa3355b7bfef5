package sbom

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStrictAcceptsRealDocuments: every real CycloneDX test document (the
// specification's valid examples at 1.6, and the same BOM at every spec
// version) and every SPDX example tools-golang reads passes Strict.
// strictRejectedReal are real test documents that break their spec, which
// Strict must reject: tools-golang's fixtures of null and empty
// relationships, and its JSON fixture whose namespace is "test" (not an
// absolute URI).
var strictRejectedReal = map[string]bool{
	"null-relationships-2.2.json":   true,
	"null-relationships-2.3.json":   true,
	"tools-golang-fixture-2.3.json": true,
}

func TestStrictAcceptsRealDocuments(t *testing.T) {
	files := append(coreFiles(t, "cyclonedx"), coreFiles(t, "spdx")...)
	for _, f := range files {
		if coreToolsGolangFails[filepath.Base(f)] {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			if decRaceEnabled && strings.HasSuffix(f, ".rdf") {
				t.Skip("gordf, under tools-golang's RDF reader, races internally")
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Decode(bytes.NewReader(data), Strict())
			if strictRejectedReal[filepath.Base(f)] {
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("Decode(Strict) = %v, want a *ParseError", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode(Strict): %v", err)
			}
		})
	}
}

func TestStrictAcceptsMinimal(t *testing.T) {
	for _, in := range []string{
		`{"bomFormat": "CycloneDX", "specVersion": "1.6"}`, // version defaults to 1
		`{"bomFormat": "CycloneDX", "specVersion": "1.2", "version": 1, "components": []}`,
		`<bom xmlns="http://cyclonedx.org/schema/bom/1.0"/>`,
	} {
		if _, err := Decode(strings.NewReader(in), Strict()); err != nil {
			t.Errorf("Decode(Strict) of %s: %v", in, err)
		}
	}
	d, err := Decode(strings.NewReader(`{"bomFormat": "CycloneDX"}`))
	if err != nil {
		t.Fatal(err)
	}
	if d.SpecVersion != "" {
		t.Errorf("no specVersion in the input, SpecVersion %q", d.SpecVersion)
	}
}

func TestStrictRejects(t *testing.T) {
	valid16 := func(extra string) string {
		return `{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1` + extra + `}`
	}
	tests := []struct {
		name   string
		in     string
		format Format
		path   string // the error must name this location
	}{
		{"cdx json: component without name", valid16(`, "components": [{"type": "library"}]`), CycloneDXJSON, "/components/0"},
		{"cdx json: unknown component type", valid16(`, "components": [{"type": "gadget", "name": "x"}]`), CycloneDXJSON, "/components/0/type"},
		{"cdx json: bad serial", valid16(`, "serialNumber": "42"`), CycloneDXJSON, "/serialNumber"},
		{"cdx json: bad hash", valid16(`, "components": [{"type": "library", "name": "x", "hashes": [{"alg": "SHA-256", "content": "zz"}]}]`), CycloneDXJSON, "/components/0/hashes/0/content"},
		{"cdx json: unknown property", valid16(`, "colour": "red"`), CycloneDXJSON, "/"},
		{"cdx json 1.2: unknown licence id", `{"bomFormat": "CycloneDX", "specVersion": "1.2", "version": 1, "components": [{"type": "library", "name": "x", "licenses": [{"license": {"id": "Not-A-Licence"}}]}]}`, CycloneDXJSON, "/components/0/licenses/0/license"},
		{"cdx json: invalid purl", valid16(`, "components": [{"type": "library", "name": "x", "purl": "not a purl"}]`), CycloneDXJSON, "components/0/purl"},
		{"cdx json: invalid licence expression", valid16(`, "components": [{"type": "library", "name": "x", "licenses": [{"expression": "MIT AND"}]}]`), CycloneDXJSON, "components/0/licenses/0/expression"},
		{"cdx xml: invalid purl", `<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1"><components><component type="library"><name>x</name><purl>pkg:</purl></component></components></bom>`, CycloneDXXML, "components/0/purl"},
		{"spdx json: invalid purl", `{"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "d", "documentNamespace": "https://x/y", "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: x"]}, "packages": [{"name": "p", "SPDXID": "SPDXRef-p", "downloadLocation": "NOASSERTION", "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "npm/left-pad"}]}]}`, SPDXJSON, "packages[0].externalRefs[0]"},
		{"spdx json: invalid licence", `{"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "d", "documentNamespace": "https://x/y", "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: x"]}, "packages": [{"name": "p", "SPDXID": "SPDXRef-p", "downloadLocation": "NOASSERTION", "licenseDeclared": "GPL-2.0 OR"}]}`, SPDXJSON, "packages[0].licenseDeclared"},
		{"cdx json 1.7: no schema", `{"bomFormat": "CycloneDX", "specVersion": "1.7", "version": 1}`, CycloneDXJSON, "/specVersion"},
		{"cdx xml: component without name", `<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1"><components><component type="library"></component></components></bom>`, CycloneDXXML, "components/0/name"},
		{"cdx xml: bad hash", `<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1"><components><component type="library"><name>x</name><hashes><hash alg="SHA-256">nothex</hash></hashes></component></components></bom>`, CycloneDXXML, "components/0/hashes/0"},
		{"cdx xml: bad type", `<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1"><components><component type="gadget"><name>x</name></component></components></bom>`, CycloneDXXML, "components/0/type"},
		{"spdx json: no namespace", `{"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "d", "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: x"]}}`, SPDXJSON, "documentNamespace"},
		{"spdx json: wrong data licence", `{"spdxVersion": "SPDX-2.3", "dataLicense": "MIT", "SPDXID": "SPDXRef-DOCUMENT", "name": "d", "documentNamespace": "https://x/y", "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: x"]}}`, SPDXJSON, "dataLicense"},
		{"spdx json: package without downloadLocation", `{"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "d", "documentNamespace": "https://x/y", "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: x"]}, "packages": [{"name": "p", "SPDXID": "SPDXRef-p"}]}`, SPDXJSON, "packages[0].downloadLocation"},
		{"spdx json: bad created", `{"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "d", "documentNamespace": "https://x/y", "creationInfo": {"created": "yesterday", "creators": ["Tool: x"]}}`, SPDXJSON, "creationInfo.created"},
		{"spdx tag-value: no creators", "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: d\nDocumentNamespace: https://x/y\nCreated: 2024-01-01T00:00:00Z\n", SPDXTagValue, "creationInfo.creators"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Without Strict the document decodes (decoding is not validation)...
			if _, err := Decode(strings.NewReader(tt.in)); err != nil && !strings.Contains(tt.name, "1.7") {
				t.Fatalf("Decode without Strict: %v", err)
			}
			// ...with Strict it is a located *ParseError.
			_, err := Decode(strings.NewReader(tt.in), Strict())
			if err == nil {
				t.Fatal("Decode(Strict) accepted an invalid document")
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if pe.Format != tt.format {
				t.Errorf("format %v, want %v", pe.Format, tt.format)
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("error %q does not name %q", err, tt.path)
			}
		})
	}
}

// TestStrictConcurrent decodes with Strict from many goroutines: the
// schemas are compiled once and shared.
func TestStrictConcurrent(t *testing.T) {
	files := []string{"testdata/cyclonedx/snapshot-1.4.bom.json", "testdata/cyclonedx/snapshot-1.5.bom.json", "testdata/cyclonedx/valid-bom.json"}
	var inputs [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, data)
	}
	errs := make(chan error, 12)
	for i := range 12 {
		go func() {
			_, err := Decode(bytes.NewReader(inputs[i%len(inputs)]), Strict())
			errs <- err
		}()
	}
	for range 12 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
