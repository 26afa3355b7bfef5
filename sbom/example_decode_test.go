package sbom_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/chaingate/chaingate/sbom"
)

// Decode detects the format and reads any CycloneDX or SPDX document into
// one model.
func ExampleDecode() {
	f, err := os.Open("testdata/cyclonedx/valid-dependency.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	doc, err := sbom.Decode(f)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(doc.Format, doc.SpecVersion)
	for _, c := range doc.Components {
		fmt.Println(c.ID, c.Name, c.Version)
	}
	for _, d := range doc.Dependencies {
		fmt.Println(d.Ref, "->", d.DependsOn)
	}
	// Output:
	// cyclonedx-json 1.6
	// library-a library-a 1.0.0
	// library-b library-b 1.0.0
	// library-c library-c 1.0.0
	// library-a -> []
	// library-b -> [library-c]
}

// Strict rejects documents that break their specification; the error
// names the format and where.
func ExampleStrict() {
	const bad = `{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
  "components": [{"type": "gadget", "name": "x"}]}`
	_, err := sbom.Decode(strings.NewReader(bad), sbom.Strict())
	var pe *sbom.ParseError
	if errors.As(err, &pe) {
		fmt.Println(pe.Format, pe.Path)
	}
	// Output:
	// cyclonedx-json /components/0/type
}

// Encode converts between formats; EncodeWithReport says what the target
// format could not carry.
func ExampleEncode() {
	doc := &sbom.Document{
		Name:    "app",
		Created: mustTime("2026-01-02T03:04:05Z"),
		Root:    "app",
		Components: []sbom.Component{
			{ID: "app", Type: sbom.TypeApplication, Name: "app", Version: "v1.0.0"},
			{ID: "x", Type: sbom.TypeLibrary, Name: "golang.org/x/text", Version: "v0.21.0",
				PURL: "pkg:golang/golang.org/x/text@v0.21.0", LicenseDeclared: "BSD-3-Clause"},
		},
		Dependencies: []sbom.Dependency{{Ref: "app", DependsOn: []string{"x"}}},
	}
	var out bytes.Buffer
	if err := sbom.Encode(&out, doc, sbom.SPDXTagValue); err != nil {
		fmt.Println(err)
		return
	}
	back, err := sbom.Decode(&out)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(back.Format, back.SpecVersion)
	x := back.Component("SPDXRef-x")
	fmt.Println(x.Name, x.Version, x.PURL, x.LicenseDeclared)
	fmt.Println(back.Dependencies[0].Ref, "->", back.Dependencies[0].DependsOn)

	rep, err := sbom.EncodeWithReport(&out, &sbom.Document{Components: []sbom.Component{
		{ID: "y", Name: "y", Hashes: []sbom.Hash{{Algorithm: "ADLER32", Value: "11e60398"}}},
	}}, sbom.CycloneDXJSON)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range rep.Losses {
		fmt.Println("lost:", l.Component, l.Field, l.Value)
	}
	// Output:
	// spdx-tag-value SPDX-2.3
	// golang.org/x/text v0.21.0 pkg:golang/golang.org/x/text@v0.21.0 BSD-3-Clause
	// SPDXRef-app -> [SPDXRef-x]
	// lost: y hashes ADLER32:11e60398
}

// Validate lists a document's semantic problems with their location.
func ExampleValidate() {
	doc := &sbom.Document{
		Components: []sbom.Component{
			{ID: "a", Name: "a", PURL: "not-a-purl"},
			{ID: "a", Name: "b", LicenseDeclared: "MIT AND"},
		},
		Dependencies: []sbom.Dependency{{Ref: "a", DependsOn: []string{"ghost"}}},
	}
	err := sbom.Validate(doc)
	var ve *sbom.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			fmt.Println(p.Path, p.Field, p.Value)
		}
	}
	// Output:
	// components[0] purl not-a-purl
	// components[1] id a
	// components[1] licenseDeclared MIT AND
	// dependencies[0].dependsOn[0] dependsOn ghost
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// Detect names a document's format from its first bytes.
func ExampleDetect() {
	for _, in := range []string{
		`{"bomFormat": "CycloneDX", "specVersion": "1.6"}`,
		`<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1"/>`,
		"SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n",
		`{"spdxVersion": "SPDX-2.3"}`,
		"hello",
	} {
		f, err := sbom.Detect(strings.NewReader(in))
		fmt.Println(f, errors.Is(err, sbom.ErrUnsupportedFormat))
	}
	// Output:
	// cyclonedx-json false
	// cyclonedx-xml false
	// spdx-tag-value false
	// spdx-json false
	// unknown true
}
