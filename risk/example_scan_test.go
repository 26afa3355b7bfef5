package risk_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

// Scan an SBOM against a directory of OSV entries (here a subset of the
// Go vulnerability database) and print what matched, with the range and
// the fix.
func ExampleScan() {
	db, err := vulndb.Load("testdata/osv/go")
	if err != nil {
		log.Fatal(err)
	}
	doc := &sbom.Document{Components: []sbom.Component{
		{ID: "yaml", Name: "gopkg.in/yaml.v2", Version: "v2.2.2", PURL: "pkg:golang/gopkg.in/yaml.v2@v2.2.2"},
		{ID: "app", Name: "example.com/app", Version: "(devel)", PURL: "pkg:golang/example.com/app@(devel)"},
	}}
	rep, err := risk.Scan(context.Background(), doc, db)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range rep.Findings {
		fmt.Printf("%s %s %s: %s, fixed in %s\n", f.ID, strings.Join(f.Aliases, ","), f.Component.Name, f.Range, strings.Join(f.Fixed, ", "))
	}
	for _, u := range rep.Unassessed {
		fmt.Printf("not assessed: %s (%s)\n", u.Component.Name, u.Reason)
	}
	// Output:
	// GO-2020-0036 CVE-2019-11254,GHSA-wxc4-f4m6-wwqv gopkg.in/yaml.v2: >=0, <2.2.8, fixed in 2.2.8
	// GO-2021-0061 CVE-2021-4235,GHSA-r88r-gmrh-7j83 gopkg.in/yaml.v2: >=0, <2.2.3, fixed in 2.2.3
	// GO-2022-0956 CVE-2022-3064,GHSA-6q6q-88xp-6f2r gopkg.in/yaml.v2: >=0, <2.2.4, fixed in 2.2.4
	// not assessed: example.com/app (version "(devel)" is unknown: not matched)
}

// Enrich findings with CISA KEV and EPSS and read the SSVC-style
// priority: the known-exploited finding comes first with decision Act.
func ExampleScan_prioritised() {
	db, err := vulndb.Load("testdata/osv/go")
	if err != nil {
		log.Fatal(err)
	}
	kf, err := os.Open("testdata/kev/kev-2025-08-25-subset.json")
	if err != nil {
		log.Fatal(err)
	}
	defer kf.Close()
	kev, err := risk.ReadKEV(kf)
	if err != nil {
		log.Fatal(err)
	}
	doc := &sbom.Document{Components: []sbom.Component{
		{ID: "go", Name: "stdlib", Version: "go1.12.0", PURL: "pkg:golang/stdlib@go1.12.0"},
	}}
	rep, err := risk.Scan(context.Background(), doc, db, risk.WithKEV(kev))
	if err != nil {
		log.Fatal(err)
	}
	top := rep.Findings[0]
	fmt.Println(top.ID, top.Aliases[0], top.Priority.Decision)
	for _, r := range top.Priority.Reasons[:1] {
		fmt.Println(r.Factor+":", r.Message)
	}
	fmt.Println(rep.Summary.ByDecision[risk.Act], "to act on of", rep.Summary.Findings)
	// Output:
	// GO-2022-0535 CVE-2020-0601 Act
	// kev: known exploited in the wild (CISA KEV, added 2021-11-03)
	// 1 to act on of 155
}

// Apply an OpenVEX document: the suppressed finding stays in the report,
// marked with the statement that suppressed it.
func ExampleReadOpenVEX() {
	db, err := vulndb.Load("testdata/osv/go")
	if err != nil {
		log.Fatal(err)
	}
	vf, err := os.Open("testdata/vex/openvex-app.json")
	if err != nil {
		log.Fatal(err)
	}
	defer vf.Close()
	vex, err := risk.ReadOpenVEX(vf)
	if err != nil {
		log.Fatal(err)
	}
	doc := &sbom.Document{Root: "app", Components: []sbom.Component{
		{ID: "app", Name: "example.com/app", Version: "v1.0.0", PURL: "pkg:golang/example.com/app@v1.0.0"},
		{ID: "yaml", Name: "gopkg.in/yaml.v2", Version: "v2.2.2", PURL: "pkg:golang/gopkg.in/yaml.v2@v2.2.2"},
	}}
	rep, err := risk.Scan(context.Background(), doc, db, risk.WithVEX(vex))
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range rep.Findings {
		if f.Suppressed != nil {
			fmt.Println(f.ID, "suppressed:", f.Suppressed.Status, "by", f.Suppressed.Statement)
		} else {
			fmt.Println(f.ID, "active:", f.Priority.Decision)
		}
	}
	// Output:
	// GO-2021-0061 active: Track
	// GO-2022-0956 active: Track
	// GO-2020-0036 suppressed: fixed by statements[1]
}

// Write the Markdown summary a CI step posts on a pull request.
func ExampleReport_WriteMarkdown() {
	db, err := vulndb.Load("testdata/osv/other")
	if err != nil {
		log.Fatal(err)
	}
	doc := &sbom.Document{Components: []sbom.Component{
		{ID: "log4j", Name: "log4j-core", Version: "2.14.1", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
	}}
	rep, err := risk.Scan(context.Background(), doc, db)
	if err != nil {
		log.Fatal(err)
	}
	if err := rep.WriteMarkdown(os.Stdout, risk.MarkdownOptions{}); err != nil {
		log.Fatal(err)
	}
	// Output:
	// ### chaingate risk report
	//
	// **1** active finding(s): 0 Act, 0 Attend, 1 Track\*, 0 Track; 0 suppressed by VEX; 0 component(s) not assessed.
	//
	// | Priority | ID | Component | Fixed in | Why |
	// |---|---|---|---|---|
	// | Track\* (34.6) | GHSA-jfh8-c2jp-5v3q (CVE-2021-44228) | log4j-core 2.14.1 | 2.15.0 | CRITICAL 10.0; module-level |
}
