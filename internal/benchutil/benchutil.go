// Package benchutil holds what the benchmarks of several packages share:
// the CPU-time metric and the location of the real Go vulnerability
// database in the module cache (risk's Scan benchmarks and vulndb's
// Load benchmarks read the same one).
package benchutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// GoVulnDBVersion is the golang.org/x/vulndb module the benchmarks read
// from the module cache (never downloaded by a test).
const GoVulnDBVersion = "v0.0.0-20261105234957-e22db6528018"

// GoVulnDB returns data/osv of the full Go vulndb in the module cache,
// or skips tb when it is not there.
func GoVulnDB(tb testing.TB) string {
	tb.Helper()
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		out, err := exec.Command("go", "env", "GOMODCACHE").Output()
		if err != nil {
			tb.Skip("go env GOMODCACHE failed; full vulndb not available")
		}
		cache = strings.TrimSpace(string(out))
	}
	dir := filepath.Join(cache, "golang.org", "x", "vulndb@"+GoVulnDBVersion, "data", "osv")
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("full Go vulndb not in the module cache (go mod download golang.org/x/vulndb@%s)", GoVulnDBVersion)
	}
	return dir
}

// CPU runs fn b.N times and also reports the process CPU time per
// operation ("cpu-ns/op"): on a machine shared with other jobs, wall time
// includes waiting for a core, CPU time does not.
func CPU(b *testing.B, fn func()) {
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	n := 0
	for b.Loop() {
		fn()
		n++
	}
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) * time.Nanosecond
	if n > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/op")
	}
}
