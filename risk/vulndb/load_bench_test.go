package vulndb

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/chaingate/chaingate/internal/benchutil"
)

// BenchmarkLoad reads the compact index of the full Go vulndb, measures
// the memory of a database whose every range and detail has been used,
// and loads the JSON directory, each beside the others.
func BenchmarkLoad(b *testing.B) {
	dir := benchutil.GoVulnDB(b)
	full, err := Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := full.WriteIndex(&buf); err != nil {
		b.Fatal(err)
	}
	idx := buf.Bytes()
	b.Run("index", func(b *testing.B) {
		b.SetBytes(int64(len(idx)))
		benchutil.CPU(b, func() {
			if _, err := ReadIndex(bytes.NewReader(idx)); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("memory", func(b *testing.B) {
		var ms runtime.MemStats
		var keep *DB
		var heap uint64
		for b.Loop() {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			before := ms.HeapAlloc
			db, err := ReadIndex(bytes.NewReader(idx))
			if err != nil {
				b.Fatal(err)
			}
			// Match everything once so every lazily parsed range and
			// every entry's details are in memory: the worst case.
			for i := range db.entries {
				db.details(int32(i))
			}
			for _, byName := range db.index {
				for _, refs := range byName {
					for _, r := range refs {
						db.prepare(r, "Go")
					}
				}
			}
			runtime.GC()
			runtime.ReadMemStats(&ms)
			heap = ms.HeapAlloc - before
			keep = db
		}
		b.ReportMetric(float64(heap)/(1<<20), "db-MB")
		b.ReportMetric(float64(keep.Len()), "entries")
		runtime.KeepAlive(keep)
	})
	b.Run("json-dir", func(b *testing.B) {
		benchutil.CPU(b, func() {
			if _, err := Load(dir); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// withoutLinks loads without linking records into advisories: today's
// load path before one-finding-per-advisory, the baseline of
// BenchmarkLoadMultiEcosystemZip.
func withoutLinks() Option {
	return func(c *Config) error { c.noGroups = true; return nil }
}

// benchMultiZip writes a zip of n OSV records generated from the real
// records of risk/testdata/osv/multi and risk/testdata/osv/other (npm, PyPI, Go,
// Maven, RubyGems, NuGet, crates.io, Debian, Alpine; MAL, GHSA, GO,
// PYSEC, DSA): batch k renames every id, alias, upstream id and package
// name with the suffix "-k", so twins stay twins and batches stay apart.
func benchMultiZip(b *testing.B, n int) (string, int) {
	b.Helper()
	var templates []map[string]any
	seen := map[string]bool{}
	for _, dir := range []string{"multi", "other"} {
		files, err := filepath.Glob(filepath.Join("..", "testdata", "osv", dir, "*.json"))
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
	db, err := Load(path)
	if err != nil {
		b.Fatal(err)
	}
	if db.Len() != 50000 {
		b.Fatalf("%d records", db.Len())
	}
	for _, bc := range []struct {
		name string
		opts []Option
	}{{"chaingate", nil}, {"no-links", []Option{withoutLinks()}}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			benchutil.CPU(b, func() {
				if _, err := Load(path, bc.opts...); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
