package sbom

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSPDXFastPathMatchesToolsGolang decodes every SPDX JSON document we
// have (the real examples, tools-golang's fixtures, the golden conversions
// and a generated document) through the hot path and through
// tools-golang, and requires the same Document.
func TestSPDXFastPathMatchesToolsGolang(t *testing.T) {
	var files []string
	for _, pattern := range []string{"testdata/spdx/*.json", "testdata/golden/*.spdx.json"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	inputs := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[f] = data
	}
	var gen bytes.Buffer
	if err := Encode(&gen, benchDoc(500), SPDXJSON); err != nil {
		t.Fatal(err)
	}
	inputs["generated-500"] = gen.Bytes()
	if len(inputs) < 8 {
		t.Fatalf("only %d SPDX JSON inputs", len(inputs))
	}
	for name, data := range inputs {
		t.Run(filepath.Base(name), func(t *testing.T) {
			fast, ok, err := spdxFastJSON(data)
			if err != nil || !ok {
				t.Fatalf("hot path did not take the document: ok=%v err=%v", ok, err)
			}
			fastDoc, err := spdxToDocument(fast, SPDXJSON)
			if err != nil {
				t.Fatal(err)
			}
			td, err := spdxReadTools(data, SPDXJSON)
			if err != nil {
				t.Fatalf("tools-golang: %v", err)
			}
			slow := spdxFromTools(td)
			if m := spdxVersionRE.FindSubmatch(data); m != nil {
				slow.SPDXVersion = string(m[1])
			}
			slowDoc, err := spdxToDocument(slow, SPDXJSON)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(slowDoc, fastDoc); diff != "" {
				t.Errorf("hot path differs from tools-golang (-tools +hot):\n%s", diff)
			}
			if len(fastDoc.Components) == 0 {
				t.Error("no components")
			}
		})
	}
}

// TestSPDXFastPathGivesUp checks that documents the hot path cannot read
// exactly as tools-golang does go to tools-golang.
func TestSPDXFastPathGivesUp(t *testing.T) {
	tests := map[string]string{
		"version 2.1":         `{"spdxVersion": "SPDX-2.1", "SPDXID": "SPDXRef-DOCUMENT"}`,
		"bad package id":      `{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "packages": [{"SPDXID": "pkg"}]}`,
		"supplier w/o type":   `{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "packages": [{"SPDXID": "SPDXRef-a", "supplier": "Jane"}]}`,
		"creator w/o type":    `{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "creationInfo": {"creators": ["jane"]}}`,
		"syntax error":        `{"spdxVersion": "SPDX-2.3",`,
		"number for a string": `{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": 7}`,
		"bad relationship":    `{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "relationships": [{"spdxElementId": "x", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-a"}]}`,
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			if _, ok, _ := spdxFastJSON([]byte(in)); ok {
				t.Error("hot path took a document it must hand to tools-golang")
			}
			// Whatever tools-golang says, Decode must not panic, and an
			// error must be a located *ParseError.
			if _, err := Decode(bytes.NewReader([]byte(in))); err != nil {
				var pe *ParseError
				if !asParseError(err, &pe) || pe.Format != SPDXJSON {
					t.Errorf("error %v is not an SPDX JSON *ParseError", err)
				}
			}
		})
	}
}

func asParseError(err error, pe **ParseError) bool {
	return errors.As(err, pe)
}
