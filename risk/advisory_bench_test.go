package risk

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/chaingate/chaingate/risk/vulndb"
)

// withoutLinks loads without linking records into advisories: today's
// load path before one-finding-per-advisory, the baseline of
// BenchmarkLoadMultiEcosystemZip.
func withoutLinks() vulndb.Option {
	return func(c *vulndb.Config) error { c.NoGroups = true; return nil }
}

// benchMultiZip writes a zip of n OSV records generated from the real
// records of testdata/osv/multi and testdata/osv/other (npm, PyPI, Go,
// Maven, RubyGems, NuGet, crates.io, Debian, Alpine; MAL, GHSA, GO,
// PYSEC, DSA): batch k renames every id, alias, upstream id and package
// name with the suffix "-k", so twins stay twins and batches stay apart.
func benchMultiZip(b *testing.B, n int) (string, int) {
	b.Helper()
	var templates []map[string]any
	seen := map[string]bool{}
	for _, dir := range []string{"multi", "other"} {
		files, err := filepath.Glob(filepath.Join("testdata", "osv", dir, "*.json"))
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				b.Fatal(err)
			}
			if id := m["id"].(string); !seen[id] { // PYSEC-2019-217 is in both
				seen[id] = true
				templates = append(templates, m)
			}
		}
	}
	suffix := func(v any, k int) any {
		switch x := v.(type) {
		case string:
			return fmt.Sprintf("%s-%d", x, k)
		case []any:
			out := make([]any, len(x))
			for i, s := range x {
				out[i] = fmt.Sprintf("%v-%d", s, k)
			}
			return out
		}
		return v
	}
	path := filepath.Join(b.TempDir(), "all.zip")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	zw := zip.NewWriter(f)
	bytesOut := 0
	for i := range n {
		k, t := i/len(templates), templates[i%len(templates)]
		m := map[string]any{}
		for key, v := range t {
			m[key] = v
		}
		for _, key := range []string{"id", "aliases", "upstream"} {
			if v, ok := m[key]; ok {
				m[key] = suffix(v, k)
			}
		}
		var affected []any
		for _, a := range t["affected"].([]any) {
			a2 := map[string]any{}
			for key, v := range a.(map[string]any) {
				a2[key] = v
			}
			p := map[string]any{}
			for key, v := range a2["package"].(map[string]any) {
				p[key] = v
			}
			p["name"] = suffix(p["name"], k)
			delete(p, "purl")
			a2["package"] = p
			affected = append(affected, a2)
		}
		m["affected"] = affected
		raw, err := json.Marshal(m)
		if err != nil {
			b.Fatal(err)
		}
		w, err := zw.Create(m["id"].(string) + ".json")
		if err != nil {
			b.Fatal(err)
		}
		w.Write(raw)
		bytesOut += len(raw)
	}
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path, bytesOut
}

// BenchmarkLoadMultiEcosystemZip loads a 50,000-record zip of several
// ecosystems and sources with advisories linked ("chaingate") and, in
// the same run, without ("no-links": today's path).
func BenchmarkLoadMultiEcosystemZip(b *testing.B) {
	path, size := benchMultiZip(b, 50000)
	db, err := vulndb.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	if db.Len() != 50000 {
		b.Fatalf("%d records", db.Len())
	}
	for _, bc := range []struct {
		name string
		opts []vulndb.Option
	}{{"chaingate", nil}, {"no-links", []vulndb.Option{withoutLinks()}}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			benchCPU(b, func() {
				if _, err := vulndb.Load(path, bc.opts...); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// benchTwinDB is the full Go vulndb plus, for every GO record with a
// GHSA alias, a GHSA twin generated from it (same affected ranges, the
// GO id and its CVEs as aliases, a CVSS vector as GitHub gives one), so
// every vulnerable match is an advisory of two records to merge.
func benchTwinDB(b *testing.B) *vulndb.DB {
	full, _ := benchLoadFull(b)
	entries := slices.Clone(full.Entries)
	for i := range full.Entries {
		e := &full.Entries[i]
		j := slices.IndexFunc(e.Aliases, func(a string) bool { return len(a) > 5 && a[:5] == "GHSA-" })
		if j < 0 || full.Has(e.Aliases[j]) {
			continue
		}
		x := *full.Extra(int32(i))
		x.Severity = []vulndb.Severity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}}
		x.GHSASeverity = "HIGH"
		twin := vulndb.Entry{ID: e.Aliases[j], Aliases: append([]string{e.ID}, slices.Delete(slices.Clone(e.Aliases), j, j+1)...),
			Modified: e.Modified, Withdrawn: e.Withdrawn, Affected: e.Affected, Decoded: &x}
		entries = append(entries, twin)
	}
	for i := range entries[:len(full.Entries)] {
		entries[i].Decoded = full.Extra(int32(i))
	}
	return vulndb.Build(entries, "bench", nil)
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
