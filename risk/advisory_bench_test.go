package risk

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/risk/vulndb"
)

// benchTwinDB is the full Go vulndb plus, for every GO record with a
// GHSA alias, a GHSA twin generated from it (same affected ranges, the
// GO id and its CVEs as aliases, a CVSS vector and a severity word as
// GitHub gives them), so every vulnerable match is an advisory of two
// records to merge. The records are written as OSV JSON to a directory
// and loaded from there.
func benchTwinDB(b *testing.B) *vulndb.DB {
	src := benchVulnDB(b)
	files, err := filepath.Glob(filepath.Join(src, "*.json"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no OSV records in %s: %v", src, err)
	}
	dir := b.TempDir()
	ids := map[string]bool{}
	var records []map[string]any
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			b.Fatalf("%s: %v", f, err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), raw, 0o644); err != nil {
			b.Fatal(err)
		}
		ids[m["id"].(string)] = true
		records = append(records, m)
	}
	twins := 0
	for _, m := range records {
		aliases, _ := m["aliases"].([]any)
		j := slices.IndexFunc(aliases, func(a any) bool { s, _ := a.(string); return strings.HasPrefix(s, "GHSA-") })
		if j < 0 || ids[aliases[j].(string)] {
			continue
		}
		twin := maps.Clone(m)
		twin["id"] = aliases[j]
		twin["aliases"] = append([]any{m["id"]}, slices.Delete(slices.Clone(aliases), j, j+1)...)
		delete(twin, "upstream")
		twin["severity"] = []any{map[string]any{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}}
		ds, _ := m["database_specific"].(map[string]any)
		ds = maps.Clone(ds)
		if ds == nil {
			ds = map[string]any{}
		}
		ds["severity"] = "HIGH"
		twin["database_specific"] = ds
		raw, err := json.Marshal(twin)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, aliases[j].(string)+".json"), raw, 0o644); err != nil {
			b.Fatal(err)
		}
		twins++
	}
	if twins == 0 {
		b.Fatal("no GO record with a GHSA alias to twin")
	}
	db, err := vulndb.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	return db
}

// BenchmarkScanTwins scans the 20,000-component SBOM of BenchmarkScan
// against benchTwinDB: alias grouping on and busy, beside the naive scan
// of the same database.
func BenchmarkScanTwins(b *testing.B) {
	db := benchTwinDB(b)
	doc := benchSBOM(20000)
	ctx := context.Background()
	rep, err := Scan(ctx, doc, db)
	if err != nil {
		b.Fatal(err)
	}
	merged := 0
	for _, f := range rep.Findings {
		if len(f.Evidence.Records) > 1 {
			merged++
		}
	}
	if merged == 0 {
		b.Fatal("no advisory of several records in the scan")
	}
	nrep, err := Scan(ctx, doc, db, withNaive())
	if err != nil {
		b.Fatal(err)
	}
	ja, _ := json.Marshal(rep.Findings)
	jb, _ := json.Marshal(nrep.Findings)
	if !bytes.Equal(ja, jb) {
		b.Fatal("naive and indexed scans differ")
	}
	b.Run("chaingate", func(b *testing.B) {
		benchCPU(b, func() {
			if _, err := Scan(ctx, doc, db); err != nil {
				b.Fatal(err)
			}
		})
		b.ReportMetric(float64(len(rep.Findings)), "findings")
		b.ReportMetric(float64(merged), "merged")
	})
	b.Run("naive", func(b *testing.B) {
		benchCPU(b, func() {
			if _, err := Scan(ctx, doc, db, withNaive()); err != nil {
				b.Fatal(err)
			}
		})
	})
}
