package lockfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/package-url/packageurl-go"
)

// parserFor returns this package's parser of a file name, or nil.
func parserFor(base string) *Parser {
	for _, p := range Parsers() {
		if p.Match(base) {
			return &p
		}
	}
	return nil
}

// fuzzParser fuzzes the parser of one lockfile format, seeded with every
// file of that name under sbom's testdata/lockfiles. The parser is
// called without sbom's recover, so a panic fails the fuzzer. Whatever
// it accepts must have a versioned purl of the type the package's
// component gets.
func fuzzParser(f *testing.F, base string) {
	p := parserFor(base)
	if p == nil {
		f.Fatalf("no parser for %s", base)
	}
	seeds, _ := filepath.Glob(filepath.Join("..", "..", "sbom", "testdata", "lockfiles", "*", "*", base))
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
		lf, err := p.Run(Input{Data: data, Name: "fuzz/" + base})
		if err != nil {
			return
		}
		// What the checks let through must make a component whose purl
		// parses back with a version (sbom's Component.PackageURL).
		for _, pk := range lf.Packages {
			pu, err := packageurl.FromString(pk.PURL)
			if err != nil || pu.Version == "" {
				t.Fatalf("package %+v: %v", pk, err)
			}
		}
	})
}

func FuzzLockYarn(f *testing.F)         { fuzzParser(f, "yarn.lock") }
func FuzzLockPnpm(f *testing.F)         { fuzzParser(f, "pnpm-lock.yaml") }
func FuzzLockBun(f *testing.F)          { fuzzParser(f, "bun.lock") }
func FuzzLockRequirements(f *testing.F) { fuzzParser(f, "requirements.txt") }
func FuzzLockPoetry(f *testing.F)       { fuzzParser(f, "poetry.lock") }
func FuzzLockPipfile(f *testing.F)      { fuzzParser(f, "Pipfile.lock") }
func FuzzLockUV(f *testing.F)           { fuzzParser(f, "uv.lock") }
func FuzzLockPDM(f *testing.F)          { fuzzParser(f, "pdm.lock") }
func FuzzLockPylock(f *testing.F)       { fuzzParser(f, "pylock.toml") }
func FuzzLockCargo(f *testing.F)        { fuzzParser(f, "Cargo.lock") }
func FuzzLockGemfile(f *testing.F)      { fuzzParser(f, "Gemfile.lock") }
func FuzzLockComposer(f *testing.F)     { fuzzParser(f, "composer.lock") }
func FuzzLockGradle(f *testing.F)       { fuzzParser(f, "gradle.lockfile") }
func FuzzLockPom(f *testing.F)          { fuzzParser(f, "pom.xml") }
func FuzzLockNuGet(f *testing.F)        { fuzzParser(f, "packages.lock.json") }
func FuzzLockMix(f *testing.F)          { fuzzParser(f, "mix.lock") }
func FuzzLockPubspec(f *testing.F)      { fuzzParser(f, "pubspec.lock") }
func FuzzLockRenv(f *testing.F)         { fuzzParser(f, "renv.lock") }
func FuzzLockPodfile(f *testing.F)      { fuzzParser(f, "Podfile.lock") }
func FuzzLockConan(f *testing.F)        { fuzzParser(f, "conan.lock") }
