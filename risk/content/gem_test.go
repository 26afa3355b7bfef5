package content

import (
	"bytes"
	"context"
	"testing"
)

// The Go and Ruby API tables are merged into apis at init; none
// of their names may shadow (or be shadowed by) a JavaScript or Python
// name with another role.
func TestContentGoRubyAPIsMerged(t *testing.T) {
	for _, m := range []map[string]capi{goAPIs, rubyAPIs} {
		for k, want := range m {
			if got := apiOf(k); got != want {
				t.Errorf("%s: role %v in contentAPIs, %v in its front end's table", k, got, want)
			}
		}
	}
}

// The archive readers for module zips and gems (zip layout, the gem's
// outer tar, its gzipped YAML specification, data.tar.gz) never panic
// and keep the score a probability.
func FuzzScanGoGemArchive(f *testing.F) {
	for _, s := range contentSamples(f) {
		if s.Ecosystem != "Go" && s.Ecosystem != "RubyGems" {
			continue
		}
		file, b := contentPackSample(f, s)
		f.Add(file, b)
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		rep, err := ScanPackageArchive(context.Background(), name, bytes.NewReader(data))
		if err != nil {
			return
		}
		if rep.Score < 0 || rep.Score > 1 || rep.Schema != Schema {
			t.Fatalf("score %v schema %q", rep.Score, rep.Schema)
		}
	})
}
