package risk

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/chaingate/chaingate/internal/gobin"
)

// BenchmarkScanGoBinary compares, in one run, ScanGoBinary with
// govulncheck's binary mode on the same binary and the full Go vulndb of
// the module cache: CHAINGATE_BENCH_GOBINARY names the binary (default:
// the committed test program). Sub-benchmarks:
//
//   - chaingate: ScanGoBinary with the database loaded once, as an
//     embedding program does;
//   - chaingate-with-load: LoadOSV of the compact index plus
//     ScanGoBinary, the cost of a one-shot run;
//   - read-symbols: only the symbol-table reader (internal/gobin);
//   - govulncheck: `govulncheck -mode binary -format json` as a child
//     process over the same entries in the Go vulndb layout (skipped when
//     govulncheck is not on PATH). Report chaingate/govulncheck ns/op
//     and cpu-ns/op. Measured on the 103 MB binary of this repository's
//     examples/chaingate (go build, not stripped): 68 ms against 481 ms
//     (0.14x), CPU 0.15x; with the index load 0.17x.
func BenchmarkScanGoBinary(b *testing.B) {
	exe := os.Getenv("CHAINGATE_BENCH_GOBINARY")
	if exe == "" {
		exe = "testdata/gobinary/vulnapp-linux-amd64"
	}
	db, idx := benchLoadFull(b)
	ctx := context.Background()
	b.Run("chaingate", func(b *testing.B) {
		defer goBenchReportCPU(b)()
		for b.Loop() {
			if _, err := ScanGoBinary(ctx, exe, db); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("chaingate-with-load", func(b *testing.B) {
		p := filepath.Join(b.TempDir(), "go.idx")
		if err := os.WriteFile(p, idx, 0o644); err != nil {
			b.Fatal(err)
		}
		defer goBenchReportCPU(b)()
		for b.Loop() {
			d, err := LoadOSV(p)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := ScanGoBinary(ctx, exe, d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("read-symbols", func(b *testing.B) {
		defer goBenchReportCPU(b)()
		for b.Loop() {
			if _, err := gobin.ReadFile(exe, goBinaryLimit); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("govulncheck", func(b *testing.B) {
		gvc, err := exec.LookPath("govulncheck")
		if err != nil {
			b.Skip("govulncheck not on PATH")
		}
		layout := goVulnDBLayout(b, benchVulnDB(b))
		defer goBenchReportCPU(b)()
		for b.Loop() {
			cmd := exec.Command(gvc, "-mode", "binary", "-db", "file://"+filepath.ToSlash(layout), "-format", "json", exe)
			if out, err := cmd.Output(); err != nil || len(out) == 0 {
				b.Fatalf("govulncheck: %v", err)
			}
		}
	})
}
