package risk

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadEPSS: any input is read or rejected with an error; accepted
// scores are in [0, 1].
func FuzzReadEPSS(f *testing.F) {
	testSeeds(f, "epss/*.csv", 0)
	f.Add([]byte("cve,epss,percentile\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ReadEPSS(bytes.NewReader(data))
		if err != nil {
			return
		}
		for cve := range e.scores {
			s, _ := e.Lookup(cve)
			if s.Score < 0 || s.Score > 1 || s.Percentile < 0 || s.Percentile > 1 {
				t.Fatalf("accepted out-of-range score %+v", s)
			}
		}
	})
}

// FuzzReadKEV: any input is read or rejected with an error, never panics.
func FuzzReadKEV(f *testing.F) {
	testSeeds(f, "kev/*.json", 0)
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ReadKEV(bytes.NewReader(data))
		if err != nil {
			return
		}
		for cve := range k.entries {
			if !isCVE(cve) {
				t.Fatalf("accepted %q", cve)
			}
		}
	})
}

// testSeeds adds the files matching pattern under testdata to f's corpus.
func testSeeds(f *testing.F, pattern string, limit int) {
	files, err := filepath.Glob(filepath.Join("testdata", pattern))
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
