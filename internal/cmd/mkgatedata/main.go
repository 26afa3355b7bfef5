// Command mkgatedata regenerates the embedded data of examples/release-gate
// from real sources, so that every byte the example ships can be traced:
//
//	go run ./internal/cmd/mkgatedata \
//	    -gobinary shop-api -npmlock package-lock.json \
//	    -vulndb "$(go env GOMODCACHE)/golang.org/x/vulndb@v0.0.0-20261105234957-e22db6528018/data/osv" \
//	    -out examples/release-gate/data
//
// It writes shop-api.cdx.json (the SBOM of a Go binary, by
// sbom.FromGoBinary), signer-service.cdx.json (the SBOM of an npm project,
// by sbom.FromNPMLock), and vulndb.idx: a compact risk index of every real
// OSV entry that names a module of either SBOM.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

func main() {
	gobin := flag.String("gobinary", "", "Go binary to generate the shop-api SBOM from")
	npmlock := flag.String("npmlock", "", "package-lock.json of the signer service")
	vulnDir := flag.String("vulndb", "", "directory of Go vulndb OSV entries (data/osv)")
	out := flag.String("out", "", "output directory")
	flag.Parse()
	if err := run(*gobin, *npmlock, *vulnDir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "mkgatedata:", err)
		os.Exit(1)
	}
}

func run(gobin, npmlock, vulnDir, out string) error {
	created := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	f, err := os.Open(gobin)
	if err != nil {
		return err
	}
	defer f.Close()
	goDoc, err := sbom.FromGoBinary(f, sbom.WithCreated(created), sbom.WithSerialNumber("urn:uuid:5b0e6f2c-8a34-4c1e-9d1b-2f6d7c3a9e01"))
	if err != nil {
		return err
	}
	lock, err := os.Open(npmlock)
	if err != nil {
		return err
	}
	defer lock.Close()
	npmDoc, err := sbom.FromNPMLock(lock, sbom.WithCreated(created), sbom.WithSerialNumber("urn:uuid:0f3c1d7e-6b2a-4e59-8c41-7a9d2e5b6c03"))
	if err != nil {
		return err
	}
	for name, doc := range map[string]*sbom.Document{"shop-api.cdx.json": goDoc, "signer-service.cdx.json": npmDoc} {
		var buf bytes.Buffer
		if err := sbom.Encode(&buf, doc, sbom.CycloneDXJSON); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(out, name), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}

	// The subset: every entry that names a module of either SBOM, matching
	// or not, so the example's database behaves like the whole one for them.
	wanted := map[string]bool{}
	for _, doc := range []*sbom.Document{goDoc, npmDoc} {
		for _, c := range doc.Components {
			wanted[c.Name] = true
		}
	}
	full, err := os.ReadDir(vulnDir)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "mkgatedata")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	n := 0
	for _, e := range full {
		b, err := os.ReadFile(filepath.Join(vulnDir, e.Name()))
		if err != nil {
			return err
		}
		v, err := vulndb.ParseOSV(b)
		if err != nil {
			continue // not an entry (index files)
		}
		keep := false
		for _, a := range v.Affected {
			keep = keep || wanted[a.Package.Name]
		}
		if keep {
			if err := os.WriteFile(filepath.Join(tmp, e.Name()), b, 0o644); err != nil {
				return err
			}
			n++
		}
	}
	db, err := vulndb.Load(tmp)
	if err != nil {
		return err
	}
	idx, err := os.Create(filepath.Join(out, "vulndb.idx"))
	if err != nil {
		return err
	}
	if err := db.WriteIndex(idx); err != nil {
		idx.Close()
		return err
	}
	fmt.Printf("wrote SBOMs (%d and %d components) and an index of %d OSV entries\n", len(goDoc.Components), len(npmDoc.Components), n)
	return idx.Close()
}
