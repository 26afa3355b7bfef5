package vulndb_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

// Load the compact index of a curated Go vulndb subset (the file a
// program can embed with go:embed) and scan with it.
func ExampleReadIndex() {
	f, err := os.Open("../testdata/osv-go-subset.idx")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	db, err := vulndb.ReadIndex(f)
	if err != nil {
		log.Fatal(err)
	}
	info := db.Info()
	fmt.Println(info.Entries, "entries,", info.Withdrawn, "withdrawn, ecosystems", info.Ecosystems)
	doc := &sbom.Document{Components: []sbom.Component{
		{ID: "jwt", Name: "github.com/dgrijalva/jwt-go", Version: "v3.2.0+incompatible", PURL: "pkg:golang/github.com/dgrijalva/jwt-go@v3.2.0%2Bincompatible"},
	}}
	rep, err := risk.Scan(context.Background(), doc, db)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range rep.Findings {
		fmt.Println(f.ID, f.Summary)
	}
	// Output:
	// 441 entries, 18 withdrawn, ecosystems [Go]
	// GO-2020-0017 Authorization bypass in github.com/dgrijalva/jwt-go
}

// Fetch an ecosystem's all.zip (here from a local test server standing in
// for OSV's bucket), then refresh it: the second request is conditional
// and nothing is rewritten.
func ExampleDownload() {
	var zipData bytes.Buffer
	zw := zip.NewWriter(&zipData)
	for _, name := range []string{"GO-2020-0036.json", "GO-2022-0956.json"} {
		data, err := os.ReadFile("../testdata/osv/go/" + name)
		if err != nil {
			log.Fatal(err)
		}
		w, _ := zw.Create(name)
		w.Write(data)
	}
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"snapshot-1"`)
		if r.Header.Get("If-None-Match") == `"snapshot-1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(zipData.Bytes())
	}))
	defer srv.Close()
	dir, err := os.MkdirTemp("", "osv")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	for range 2 {
		res, err := vulndb.Download(ctx, srv.Client(), "Go", dir, vulndb.WithBaseURL(srv.URL))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("updated:", res.Updated, "entries verified:", res.Entries)
	}
	db, err := vulndb.Load(filepath.Join(dir, "Go", "all.zip"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(db.Len(), "entries loaded from", db.Info().Source)
	// Output:
	// updated: true entries verified: 2
	// updated: false entries verified: 0
	// 2 entries loaded from zip
}

// Match one SBOM component against the database without risk.Scan:
// Identify gives its OSV identity, Match each record's verdict, Record
// the record a verdict names. The GO record and its GHSA twin are one
// advisory.
func ExampleDB_Match() {
	db, err := vulndb.Load("../testdata/osv/multi")
	if err != nil {
		log.Fatal(err)
	}
	c := sbom.Component{Name: "github.com/gin-gonic/gin", Version: "v1.9.0", PURL: "pkg:golang/github.com/gin-gonic/gin@v1.9.0"}
	id, err := vulndb.Identify(&c)
	if err != nil {
		log.Fatal(err)
	}
	m := db.Match(id, nil)
	for _, v := range m.Verdicts {
		rec := db.Record(v.Record)
		fmt.Printf("%s affected=%v range %q fixed %v same advisory as the first: %v\n",
			rec.ID, v.Affected, v.Range, v.Fixed, v.Advisory == m.Verdicts[0].Advisory)
	}
	// Output:
	// GHSA-2c4m-59x9-fr2g affected=true range ">=1.3.1-0.20190301021747-ccb9e902956d, <1.9.1" fixed [1.9.1] same advisory as the first: true
	// GO-2023-1737 affected=true range ">=1.3.1-0.20190301021747-ccb9e902956d, <1.9.1" fixed [1.9.1] same advisory as the first: true
}
