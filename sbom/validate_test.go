package sbom

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateRealDocuments(t *testing.T) {
	for _, name := range []string{
		"cyclonedx/valid-bom.json", "cyclonedx/valid-dependency.json", "cyclonedx/valid-assembly.xml",
		"cyclonedx/valid-license-expression.json", "cyclonedx/snapshot-1.0.bom.xml",
		"spdx/SPDXJSONExample-v2.3.spdx.json", "spdx/SPDXTagExample-v2.3.spdx", "spdx/hello.spdx",
	} {
		t.Run(name, func(t *testing.T) {
			if err := Validate(coreDecodeFile(t, name)); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestValidateProblems(t *testing.T) {
	good := func() *Document {
		return &Document{
			Root: "app",
			Components: []Component{
				{ID: "app", Name: "app", Type: TypeApplication},
				{ID: "lib", Name: "lib", PURL: "pkg:golang/github.com/Azure/azure-sdk-for-go@v1.2.3",
					Hashes:          []Hash{{Algorithm: "SHA-256", Value: strings.Repeat("ab", 32)}},
					CPEs:            []string{"cpe:2.3:a:microsoft:azure_sdk:1.2.3:*:*:*:*:*:*:*"},
					LicenseDeclared: "MIT OR Apache-2.0", LicenseConcluded: "LicenseRef-custom", Parent: "app"},
			},
			Dependencies: []Dependency{{Ref: "app", DependsOn: []string{"lib"}}},
		}
	}
	if err := Validate(good()); err != nil {
		t.Fatalf("valid document: %v", err)
	}
	tests := []struct {
		name   string
		break_ func(d *Document)
		path   string
		field  string
	}{
		{"bad purl", func(d *Document) { d.Components[1].PURL = "pkg:golang" }, "components[1]", "purl"},
		{"purl without scheme", func(d *Document) { d.Components[1].PURL = "github.com/x/y@v1" }, "components[1]", "purl"},
		{"duplicate id", func(d *Document) { d.Components[1].ID = "app"; d.Components[1].Parent = "" }, "components[1]", "id"},
		{"dangling dependsOn", func(d *Document) { d.Dependencies[0].DependsOn = append(d.Dependencies[0].DependsOn, "ghost") }, "dependencies[0].dependsOn[1]", "dependsOn"},
		{"dangling ref", func(d *Document) { d.Dependencies = append(d.Dependencies, Dependency{Ref: "ghost"}) }, "dependencies[1]", "ref"},
		{"bad licence", func(d *Document) { d.Components[1].LicenseDeclared = "MIT AND" }, "components[1]", "licenseDeclared"},
		{"unknown licence", func(d *Document) { d.Components[1].LicenseConcluded = "Apache License 2.0" }, "components[1]", "licenseConcluded"},
		{"short digest", func(d *Document) { d.Components[1].Hashes[0].Value = "abcd" }, "components[1].hashes[0]", "content"},
		{"non-hex digest", func(d *Document) { d.Components[1].Hashes[0].Value = "h1:xyz=" }, "components[1].hashes[0]", "content"},
		{"bad cpe", func(d *Document) { d.Components[1].CPEs = []string{"cpe:2.3:a:x"} }, "components[1].cpes[0]", "cpe"},
		{"missing parent", func(d *Document) { d.Components[1].Parent = "ghost" }, "components[1]", "parent"},
		{"missing root", func(d *Document) { d.Root = "ghost" }, "root", "root"},
		{"no name", func(d *Document) { d.Components[1].Name = "" }, "components[1]", "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := good()
			tt.break_(d)
			err := Validate(d)
			if err == nil {
				t.Fatal("Validate accepted a broken document")
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %T is not a *ValidationError", err)
			}
			var p *Problem
			if !errors.As(err, &p) {
				t.Fatal("errors.As does not find a *Problem")
			}
			found := false
			for _, p := range ve.Problems {
				if p.Path == tt.path && p.Field == tt.field {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem at %s %s in:\n%v", tt.path, tt.field, err)
			}
		})
	}
	if err := Validate(nil); err == nil {
		t.Error("Validate(nil) = nil")
	}
}

// TestValidateKeepsGoModulePathCase checks the DESIGN.md trap: a valid Go
// purl with upper case passes and the component keeps it verbatim.
func TestValidateKeepsGoModulePathCase(t *testing.T) {
	const purl = "pkg:golang/github.com/Azure/azure-sdk-for-go@v1.2.3%2Bincompatible"
	d := &Document{Components: []Component{{ID: "a", Name: "github.com/Azure/azure-sdk-for-go", PURL: purl}}}
	if err := Validate(d); err != nil {
		t.Fatal(err)
	}
	for _, f := range []Format{CycloneDXJSON, CycloneDXXML, SPDXJSON, SPDXTagValue} {
		var sb strings.Builder
		if err := Encode(&sb, d, f); err != nil {
			t.Fatal(err)
		}
		back, err := Decode(strings.NewReader(sb.String()))
		if err != nil {
			t.Fatal(err)
		}
		if back.Components[0].PURL != purl {
			t.Errorf("%s: purl %q, want %q verbatim", f, back.Components[0].PURL, purl)
		}
	}
}
