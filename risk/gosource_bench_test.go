package risk

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkScanGoSource compares, in one run, ScanGoSource with
// govulncheck's source mode (`-scan symbol`) on the same module and the
// full Go vulndb of the module cache. CHAINGATE_BENCH_GOSOURCE names the
// module's directory (its dependencies in the module cache; default: a
// copy of testdata/gosource/app with a module cache filled from
// testdata/gosource/proxy). Sub-benchmarks:
//
//   - chaingate: ScanGoSource with the database loaded once;
//   - govulncheck: `govulncheck -scan symbol -format json ./...` as a
//     child process over the same entries in the Go vulndb layout, offline
//     (skipped when govulncheck is not on PATH).
//
// Report chaingate/govulncheck ns/op.
func BenchmarkScanGoSource(b *testing.B) {
	db, _ := benchLoadFull(b)
	vulndb := benchVulnDB(b)
	dir := os.Getenv("CHAINGATE_BENCH_GOSOURCE")
	if dir == "" {
		dir = goSourceBenchApp(b)
	}
	ctx := context.Background()
	b.Run("chaingate", func(b *testing.B) {
		for b.Loop() {
			if _, err := ScanGoSource(ctx, dir, db); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("govulncheck", func(b *testing.B) {
		gvc, err := exec.LookPath("govulncheck")
		if err != nil {
			b.Skip("govulncheck not on PATH")
		}
		layout := goVulnDBLayout(b, vulndb)
		for b.Loop() {
			cmd := exec.Command(gvc, "-scan", "symbol", "-db", "file://"+filepath.ToSlash(layout), "-format", "json", "./...")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local")
			if out, err := cmd.Output(); err != nil || len(out) == 0 {
				b.Fatalf("govulncheck: %v", err)
			}
		}
	})
}

// goSourceBenchApp copies testdata/gosource/app to a temporary directory
// (govulncheck may write its go.sum) and fills a module cache of the
// benchmark with its dependency from testdata/gosource/proxy.
func goSourceBenchApp(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	for _, name := range []string{"go.mod", "main.go"} {
		data, err := os.ReadFile(filepath.Join("testdata", "gosource", "app", name))
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	proxy, err := filepath.Abs(filepath.Join("testdata", "gosource", "proxy"))
	if err != nil {
		b.Fatal(err)
	}
	cache := filepath.Join(b.TempDir(), "modcache")
	cmd := exec.Command("go", "mod", "download", "example.com/vulnlib@v1.0.0")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOMODCACHE="+cache, "GOPROXY=file://"+filepath.ToSlash(proxy),
		"GOFLAGS=-mod=mod -modcacherw", "GOSUMDB=off", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go mod download: %v: %s", err, out)
	}
	b.Setenv("GOMODCACHE", cache)
	return dir
}
