package risk_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

// Scan against records from several sources, as osv.dev publishes them:
// an OpenSSF malicious-packages report and its GitHub twin are one
// finding, known-malicious and ranked first; the Go vulndb's record and
// its GitHub twin are one finding, scored from the twin's CVSS vector.
func ExampleScan_advisories() {
	db, err := vulndb.Load("testdata/osv/multi")
	if err != nil {
		log.Fatal(err)
	}
	doc := &sbom.Document{Components: []sbom.Component{
		{ID: "gin", Name: "github.com/gin-gonic/gin", Version: "v1.9.0", PURL: "pkg:golang/github.com/gin-gonic/gin@v1.9.0"},
		{ID: "blur", Name: "blur-plugins", Version: "1.0.0", PURL: "pkg:npm/blur-plugins@1.0.0"},
	}}
	rep, err := risk.Scan(context.Background(), doc, db)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range rep.Findings {
		fmt.Printf("%s (%s) %s malicious=%v %s %.0f\n", f.ID, strings.Join(f.Aliases, ", "), f.Component.Name, f.Malicious, f.Priority.Decision, f.Priority.Score)
		for _, s := range f.Severity {
			fmt.Printf("  %s %.1f from %s\n", s.Type, s.Score, s.Source)
		}
	}
	// Output:
	// MAL-2025-3546 (GHSA-p396-9cxf-5q3r) blur-plugins malicious=true Act 100
	//   GHSA 9.0 from GHSA-p396-9cxf-5q3r
	// GO-2023-1737 (GHSA-2c4m-59x9-fr2g, CVE-2023-29401) github.com/gin-gonic/gin malicious=false Track 7
	//   CVSS_V3 4.3 from GHSA-2c4m-59x9-fr2g
}
