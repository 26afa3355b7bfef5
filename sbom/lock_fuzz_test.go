package sbom

import (
	"os"
	"path/filepath"
	"testing"
)

// lockFuzz fuzzes the parser of one lockfile format, seeded with every
// file of that name under testdata/lockfiles. The parser is called
// without lockParse's recover, so a panic fails the fuzzer. Whatever it
// accepts must make components with a versioned purl.
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
		lf, err := lockParseWith(p, lockInput{data: data, name: "fuzz/" + base})
		if err != nil {
			return
		}
		// What the checks let through must build a component whose purl
		// parses back to the same type.
		for _, pk := range lf.pkgs {
			c := lockComponent(lf, pk, []Location{{Path: "fuzz/" + base}})
			pu, err := c.PackageURL()
			if err != nil || pu.Version == "" {
				t.Fatalf("component %+v: %v", c, err)
			}
		}
	})
}

func FuzzLockNPM(f *testing.F)          { lockFuzz(f, "package-lock.json") }
func FuzzLockYarn(f *testing.F)         { lockFuzz(f, "yarn.lock") }
func FuzzLockPnpm(f *testing.F)         { lockFuzz(f, "pnpm-lock.yaml") }
func FuzzLockBun(f *testing.F)          { lockFuzz(f, "bun.lock") }
func FuzzLockRequirements(f *testing.F) { lockFuzz(f, "requirements.txt") }
func FuzzLockPoetry(f *testing.F)       { lockFuzz(f, "poetry.lock") }
func FuzzLockPipfile(f *testing.F)      { lockFuzz(f, "Pipfile.lock") }
func FuzzLockUV(f *testing.F)           { lockFuzz(f, "uv.lock") }
func FuzzLockPDM(f *testing.F)          { lockFuzz(f, "pdm.lock") }
func FuzzLockPylock(f *testing.F)       { lockFuzz(f, "pylock.toml") }
func FuzzLockCargo(f *testing.F)        { lockFuzz(f, "Cargo.lock") }
func FuzzLockGemfile(f *testing.F)      { lockFuzz(f, "Gemfile.lock") }
func FuzzLockComposer(f *testing.F)     { lockFuzz(f, "composer.lock") }
func FuzzLockGoMod(f *testing.F)        { lockFuzz(f, "go.mod") }
func FuzzLockGradle(f *testing.F)       { lockFuzz(f, "gradle.lockfile") }
func FuzzLockPom(f *testing.F)          { lockFuzz(f, "pom.xml") }
func FuzzLockNuGet(f *testing.F)        { lockFuzz(f, "packages.lock.json") }
func FuzzLockMix(f *testing.F)          { lockFuzz(f, "mix.lock") }
func FuzzLockPubspec(f *testing.F)      { lockFuzz(f, "pubspec.lock") }
func FuzzLockRenv(f *testing.F)         { lockFuzz(f, "renv.lock") }
func FuzzLockPodfile(f *testing.F)      { lockFuzz(f, "Podfile.lock") }
func FuzzLockConan(f *testing.F)        { lockFuzz(f, "conan.lock") }
