package risk_test

import (
	"context"
	"fmt"
	"log"

	"github.com/chaingate/chaingate/risk"
)

// Scan a compiled Go program: each finding says whether the vulnerable
// code is in the binary. testdata/gobinary/vulnapp-linux-amd64 links
// example.com/vulnlib v1.0.0 (see testdata/gobinary/README.md).
func ExampleScanGoBinary() {
	db, err := risk.LoadOSV("testdata/gobinary/osv")
	if err != nil {
		log.Fatal(err)
	}
	rep, err := risk.ScanGoBinary(context.Background(), "testdata/gobinary/vulnapp-linux-amd64", db)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range rep.Findings {
		if f.Component.Name == "example.com/vulnlib" {
			fmt.Println(f.ID, f.Evidence.Level, f.Evidence.Symbols, f.Priority.Decision)
		}
	}
	// Output:
	// CHAINGATE-GOBIN-0001 symbol [example.com/vulnlib.Parse] Track
	// CHAINGATE-GOBIN-0002 symbol [example.com/vulnlib.Small] Track
	// CHAINGATE-GOBIN-0005 package [] Track
	// CHAINGATE-GOBIN-0003 symbol-absent [] Track
	// CHAINGATE-GOBIN-0004 package-absent [] Track
}
