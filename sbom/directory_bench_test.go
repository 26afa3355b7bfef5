package sbom

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// lockBenchSources are the lockfiles of ten ecosystems the benchmark
// tree repeats (npm, Python, Rust, Ruby, PHP, Go, Java, .NET, Dart, Elixir).
var lockBenchSources = []string{
	"npm/syft-pkg-lock/package-lock.json", "yarn/syft-v1/yarn.lock", "pnpm/syft-v6/pnpm-lock.yaml",
	"poetry/scalibr-v2/poetry.lock", "uv/syft-simple-deps/uv.lock", "cargo/syft/Cargo.lock",
	"gem/scalibr-rails/Gemfile.lock", "composer/syft/composer.lock", "go/syft-root/go.mod",
	"go/syft-root/go.sum", "gradle/syft/gradle.lockfile", "maven/commons-text/pom.xml",
	"nuget/syft/packages.lock.json", "pub/syft/pubspec.lock", "mix/syft/mix.lock",
}

// lockBenchTree writes a source tree of 50 services, each with the
// lockfiles above and 100 ordinary source files (5,000 files besides
// the 750 lockfiles), and a node_modules tree that must be skipped.
func lockBenchTree(tb testing.TB, dir string) {
	tb.Helper()
	srcs := make(map[string][]byte, len(lockBenchSources))
	for _, s := range lockBenchSources {
		b, err := os.ReadFile(filepath.Join("testdata", "lockfiles", filepath.FromSlash(s)))
		if err != nil {
			tb.Fatal(err)
		}
		srcs[s] = b
	}
	write := func(p string, b []byte) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	filler := []byte("package main\n\nfunc main() {}\n")
	for svc := range 50 {
		root := filepath.Join(dir, fmt.Sprintf("svc%02d", svc))
		for _, s := range lockBenchSources {
			// One directory per ecosystem: a service's go.mod and
			// Cargo.lock live in different sub-projects.
			write(filepath.Join(root, filepath.Dir(filepath.Dir(s)), filepath.Base(s)), srcs[s])
		}
		for i := range 100 {
			write(filepath.Join(root, "src", fmt.Sprintf("pkg%d", i%10), fmt.Sprintf("file%03d.go", i)), filler)
		}
		write(filepath.Join(root, "node_modules", "left-pad", "package.json"), []byte(`{"name":"left-pad","version":"1.3.0"}`))
	}
}

// BenchmarkFromDirectory compares FromDirectory on the benchmark tree
// with its unavoidable part measured in the same run: walking the tree
// and reading the same lockfiles (the "walk+read" baseline). The ratio
// of the two is the cost of parsing and assembling the SBOM.
func BenchmarkFromDirectory(b *testing.B) {
	dir := b.TempDir()
	lockBenchTree(b, dir)
	ctx := context.Background()
	b.Run("walk+read", func(b *testing.B) {
		for b.Loop() {
			n := 0
			err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if d.IsDir() && d.Name() == "node_modules" {
					return filepath.SkipDir
				}
				if !d.IsDir() && lockParserFor(d.Name()) != nil {
					data, err := os.ReadFile(p)
					n += len(data)
					return err
				}
				return nil
			})
			if err != nil || n == 0 {
				b.Fatal(err, n)
			}
		}
	})
	b.Run("FromDirectory", func(b *testing.B) {
		for b.Loop() {
			doc, err := FromDirectory(ctx, dir)
			if err != nil {
				b.Fatal(err)
			}
			if len(doc.Components) < 400 {
				b.Fatalf("%d components", len(doc.Components))
			}
		}
	})
}

// TestLockBenchTree checks the benchmark's tree: every ecosystem's
// packages are found, each in the 50 services, and node_modules is not
// read.
func TestLockBenchTree(t *testing.T) {
	dir := t.TempDir()
	lockBenchTree(t, dir)
	doc, err := FromDirectory(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, purl := range []string{"pkg:npm/cowsay@1.4.0", "pkg:cargo/nom@4.2.3", "pkg:gem/rails@7.0.2.2",
		"pkg:maven/junit/junit@4.12", "pkg:nuget/bootstrap@5.0.0", "pkg:hex/jason@1.3.0"} {
		c := imgTestFind(doc, purl)
		if c == nil || len(c.Locations) != 50 {
			t.Errorf("%s: %+v", purl, c)
		}
	}
	if imgTestFind(doc, "pkg:npm/left-pad@") != nil {
		t.Error("node_modules was read")
	}
}
