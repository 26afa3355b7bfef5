// Package fuzzseed adds real files to a fuzz target's seed corpus, for
// the fuzz targets of packages that share one testdata directory.
package fuzzseed

import (
	"os"
	"path/filepath"
	"testing"
)

// Add adds the files matching the glob pattern to f's corpus, at most
// limit of them when limit is positive, in the glob's (lexical) order. It
// fails f when nothing matches or a file cannot be read, so that a target
// never runs without the seeds it was given.
func Add(f *testing.F, pattern string, limit int) {
	f.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds for %s", pattern)
	}
	for i, p := range files {
		if limit > 0 && i >= limit {
			break
		}
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}
