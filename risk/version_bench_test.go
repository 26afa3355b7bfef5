package risk

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

// benchDistroEcosystems are the distro ecosystems of the distro
// benchmark: one record per package per release, as osv.dev publishes
// them, and a component purl template per release.
var benchDistroEcosystems = []struct {
	eco, purl, fixed, below string
}{
	{"Debian:12", "pkg:deb/debian/pkg%d@%s?arch=amd64&distro=debian-12.5", "1.%d.4-1+deb12u2", "1.%d.4-1+deb12u1"},
	{"Ubuntu:22.04:LTS", "pkg:deb/ubuntu/pkg%d@%s?arch=amd64&distro=ubuntu-22.04", "1.%d.4-0ubuntu0.22.04.3", "1.%d.4-0ubuntu0.22.04.2"},
	{"Alpine:v3.20", "pkg:apk/alpine/pkg%d@%s?arch=x86_64&distro=alpine-3.20.3", "1.%d.4-r2", "1.%d.4-r1"},
	{"Red Hat:enterprise_linux:9::appstream", "pkg:rpm/redhat/pkg%d@%s?arch=x86_64&distro=rhel-9.4", "1:1.%d.4-27.el9_4", "1.%d.4-26.el9"},
	{"SUSE:Linux Enterprise Module for Basesystem 15 SP5", "pkg:rpm/suse/pkg%d@%s?arch=x86_64&distro=sles-15.5", "1.%d.4-150500.5.42.1", "1.%d.4-150500.5.8.1"},
	{"Wolfi", "pkg:apk/wolfi/pkg%d@%s?arch=x86_64", "1.%d.4_p1-r0", "1.%d.4-r3"},
}

// benchDistro writes a multi-distro OSV directory (records packages
// pkg0..pkgN-1 in every ecosystem) and an SBOM of n distro components,
// one in ten of them a recorded package below its fix.
func benchDistro(b *testing.B, records, n int) (*vulndb.DB, *sbom.Document) {
	b.Helper()
	dir := b.TempDir()
	for i := 0; i < records; i++ {
		var affected []any
		for _, e := range benchDistroEcosystems {
			affected = append(affected, map[string]any{
				"package": map[string]string{"ecosystem": e.eco, "name": fmt.Sprintf("pkg%d", i)},
				"ranges": []any{map[string]any{"type": "ECOSYSTEM", "events": []any{
					map[string]string{"introduced": "0"}, map[string]string{"fixed": fmt.Sprintf(e.fixed, i%50)}}}},
			})
		}
		rec := map[string]any{"id": fmt.Sprintf("CHAINGATE-BENCH-%d", i), "modified": "2026-01-01T00:00:00Z", "affected": affected}
		raw, _ := json.Marshal(rec)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("r%d.json", i)), raw, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	db, err := vulndb.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	doc := &sbom.Document{Name: "distro-bench"}
	for i := 0; i < n; i++ {
		e := benchDistroEcosystems[i%len(benchDistroEcosystems)]
		pkg := records + i // not in the database
		if i%10 == 0 {
			pkg = (i / 10) % records
		}
		v := fmt.Sprintf(e.below, pkg%50)
		doc.Components = append(doc.Components, sbom.Component{ID: fmt.Sprintf("c%d", i), Type: sbom.TypeLibrary,
			Name: fmt.Sprintf("pkg%d", pkg), PURL: fmt.Sprintf(e.purl, pkg, v)})
	}
	return db, doc
}

// BenchmarkScanDistro scans 20,000 distro components (six distro
// families, rpm/deb/apk orderings) against 3,000 multi-release records,
// beside the naive scan in the same run.
func BenchmarkScanDistro(b *testing.B) {
	db, doc := benchDistro(b, 3000, 20000)
	ctx := context.Background()
	rep, err := Scan(ctx, doc, db)
	if err != nil {
		b.Fatal(err)
	}
	if want := 2000; len(rep.Findings) != want || len(rep.Unassessed) != 0 {
		b.Fatalf("%d findings (want %d), %d unassessed", len(rep.Findings), want, len(rep.Unassessed))
	}
	b.Run("chaingate", func(b *testing.B) {
		benchCPU(b, func() {
			if _, err := Scan(ctx, doc, db); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("naive", func(b *testing.B) {
		benchCPU(b, func() {
			if _, err := Scan(ctx, doc, db, withNaive()); err != nil {
				b.Fatal(err)
			}
		})
	})
}
