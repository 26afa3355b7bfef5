package risk

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
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
// Report chaingate/govulncheck ns/op and cpu-ns/op (CPU time of the
// process and of its children: the go command, govulncheck). Measured
// (2 cores shared with other builds) on a writable copy of gh v1.14.0's
// module (go mod download -json github.com/cli/cli@v1.14.0, then go mod
// download in it; 193 modules): 2.00 s against 8.06 s (0.25x), CPU 3.23 s
// against 12.1 s (0.27x); on this repository (614 modules): 2.88 s
// against 27.7 s (0.10x), CPU 0.12x.
func BenchmarkScanGoSource(b *testing.B) {
	db, _ := benchLoadFull(b)
	vulndb := benchVulnDB(b)
	dir := os.Getenv("CHAINGATE_BENCH_GOSOURCE")
	if dir == "" {
		dir = goSourceBenchApp(b)
	}
	ctx := context.Background()
	b.Run("chaingate", func(b *testing.B) {
		defer goBenchReportCPU(b)()
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
		defer goBenchReportCPU(b)()
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

// goBenchReportCPU starts measuring the CPU time of a benchmark, user
// and system, of this process and of the child processes it waits for
// (the go command; govulncheck and the go commands it runs), and returns
// the function, deferred before the b.Loop loop, that reports it per
// operation as "cpu-ns/op": on a machine shared with other builds wall
// time includes waiting for a core, CPU time does not. (benchCPU counts
// this process only.)
func goBenchReportCPU(b *testing.B) func() {
	cpu := func() int64 {
		var s, c syscall.Rusage
		if syscall.Getrusage(syscall.RUSAGE_SELF, &s) != nil || syscall.Getrusage(syscall.RUSAGE_CHILDREN, &c) != nil {
			return -1
		}
		return s.Utime.Nano() + s.Stime.Nano() + c.Utime.Nano() + c.Stime.Nano()
	}
	c0 := cpu()
	return func() {
		if c1 := cpu(); b.N > 0 && c0 >= 0 && c1 >= 0 {
			b.ReportMetric(float64(c1-c0)/float64(b.N), "cpu-ns/op")
		}
	}
}
