package risk

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/chaingate/chaingate/internal/fuzzseed"
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
	f.Helper()
	fuzzseed.Add(f, filepath.Join("testdata", pattern), limit)
}
