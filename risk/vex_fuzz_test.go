package risk

import (
	"bytes"
	"context"
	"testing"

	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

// FuzzReadOpenVEX: any input is read or rejected, never panics; an
// accepted document can be applied to a scan.
func FuzzReadOpenVEX(f *testing.F) {
	testSeeds(f, "vex/*openvex*.json", 0)
	testSeeds(f, "vex/go-vex-*.json", 0)
	doc := testVEXDoc()
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ReadOpenVEX(bytes.NewReader(data))
		if err != nil {
			return
		}
		f := Finding{ID: "GO-2023-2102", Aliases: []string{"CVE-2023-39325"}, Component: doc.Components[1]}
		v.suppresses(doc, &f)
	})
}

// FuzzReadCycloneDXVEX: as FuzzReadOpenVEX for CycloneDX documents.
func FuzzReadCycloneDXVEX(f *testing.F) {
	testSeeds(f, "vex/cyclonedx-*.json", 0)
	doc := testVEXDoc()
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ReadCycloneDXVEX(bytes.NewReader(data))
		if err != nil {
			return
		}
		f := Finding{ID: "GO-2022-0956", Component: doc.Components[3]}
		v.suppresses(doc, &f)
	})
}

// FuzzReadSARIF: any input is read or rejected; accepted results can be
// prioritised and written back out.
func FuzzReadSARIF(f *testing.F) {
	testSeeds(f, "sarif/*.sarif", 0)
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := ReadSARIF(bytes.NewReader(data))
		if err != nil {
			return
		}
		rep, err := Scan(context.Background(), &sbom.Document{}, &vulndb.DB{}, WithSARIF(in))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := rep.WriteSARIF(&buf); err != nil {
			t.Fatal(err)
		}
		if err := rep.WriteMarkdown(&buf, MarkdownOptions{}); err != nil {
			t.Fatal(err)
		}
	})
}
