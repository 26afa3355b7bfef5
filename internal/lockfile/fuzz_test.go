package lockfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/package-url/packageurl-go"
)

// lockParserFor returns this package's parser of a file name, or nil.
func lockParserFor(base string) *Parser {
	for _, p := range Parsers() {
		if p.Match(base) {
			return &p
		}
	}
	return nil
}

// lockFuzz fuzzes the parser of one lockfile format, seeded with every
// file of that name under sbom's testdata/lockfiles. The parser is
// called without sbom's recover, so a panic fails the fuzzer. Whatever
// it accepts must have a versioned purl of the type the package's
// component gets.
func lockFuzz(f *testing.F, base string) {
	p := lockParserFor(base)
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
func FuzzLockGradle(f *testing.F)       { lockFuzz(f, "gradle.lockfile") }
func FuzzLockPom(f *testing.F)          { lockFuzz(f, "pom.xml") }
func FuzzLockNuGet(f *testing.F)        { lockFuzz(f, "packages.lock.json") }
func FuzzLockMix(f *testing.F)          { lockFuzz(f, "mix.lock") }
func FuzzLockPubspec(f *testing.F)      { lockFuzz(f, "pubspec.lock") }
func FuzzLockRenv(f *testing.F)         { lockFuzz(f, "renv.lock") }
func FuzzLockPodfile(f *testing.F)      { lockFuzz(f, "Podfile.lock") }
func FuzzLockConan(f *testing.F)        { lockFuzz(f, "conan.lock") }
