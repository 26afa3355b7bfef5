package sbom

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chaingate/chaingate/internal/lockfile"
)

// lockFuzz fuzzes one of this package's lockfile adapters (the other
// formats are fuzzed in internal/lockfile), seeded with every file of
// that name under testdata/lockfiles. The parser is called without
// lockParse's recover, so a panic fails the fuzzer. Whatever it accepts
// must make components with a versioned purl.
func lockFuzz(f *testing.F, base string) {
	p := lockParserFor(base)
	if p == nil {
		f.Fatalf("no parser for %s", base)
	}
	seeds, _ := filepath.Glob(filepath.Join("testdata", "lockfiles", "*", "*", base))
	if len(seeds) == 0 {
		f.Fatalf("no seed for %s", base)
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lf, err := p.Run(lockfile.Input{Data: data, Name: "fuzz/" + base})
		if err != nil {
			return
		}
		// What the checks let through must build a component whose purl
		// parses back to the same type.
		for _, pk := range lf.Packages {
			c := lockComponent(lf, pk, []Location{{Path: "fuzz/" + base}})
			pu, err := c.PackageURL()
			if err != nil || pu.Version == "" {
				t.Fatalf("component %+v: %v", c, err)
			}
		}
	})
}

func FuzzLockNPM(f *testing.F)   { lockFuzz(f, "package-lock.json") }
func FuzzLockGoMod(f *testing.F) { lockFuzz(f, "go.mod") }
