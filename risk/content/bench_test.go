package content

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// contentBundle generates a minified JavaScript bundle of about n bytes on
// one line: webpack-style modules of small functions, loops, object
// literals, strings, template literals and requires, with varied names.
func contentBundle(n int) []byte {
	var b strings.Builder
	b.WriteString("!function(e){var t={};function n(r){if(t[r])return t[r].exports;var o=t[r]={i:r,l:!1,exports:{}};return e[r].call(o.exports,o,o.exports,n),o.l=!0,o.exports}n(0)}([")
	for i := 0; b.Len() < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `function(e,t,n){"use strict";var r%[1]d=n(%[2]d),o%[1]d=require("./m%[1]d"),a%[1]d={name:"m%[1]d",v:%[1]d,f:function(e){return e*%[3]d+r%[1]d.x},s:`+"`id-${e}-%[1]d`"+`};function u%[1]d(e,t){for(var n=e.length,r=[],o=0;o<n;o++)t(e[o],o)&&r.push(e[o]);return r.join(",")}function c%[1]d(e){return"string"==typeof e?e.split("").reverse().join(""):JSON.stringify(e)}t.default=function(e){try{return u%[1]d(e,function(e){return e!==a%[1]d.name})+c%[1]d(o%[1]d)}catch(t){return console.error("m%[1]d",t),null}},t.k%[1]d=a%[1]d}`, i, i%97, i%13+1)
	}
	b.WriteString("]);")
	return []byte(b.String())
}

// BenchmarkContentMinified measures the analysis of a 5 MB minified
// bundle (budget: 1 s of CPU per MB, i.e. at least 1 MB/s) beside
// tdewolff's parse alone and the regular-expression scanner it replaced.
func BenchmarkContentMinified(b *testing.B) {
	src := contentBundle(5 << 20)
	b.Run("chaingate-analyse", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		cpu0 := contentCPUTime()
		for b.Loop() {
			a := &analysis{rep: &Report{}, install: map[string]string{}}
			a.file(file{name: "dist/bundle.js", data: src}, "js", false)
		}
		// CPU seconds per MB (the process's user+system time, so that a
		// loaded machine's waiting does not count); the budget is 1.
		b.ReportMetric((contentCPUTime()-cpu0).Seconds()/float64(b.N)/(float64(len(src))/(1<<20)), "cpu-s/MB")
	})
	b.Run("raw-tdewolff-parse", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			if _, err := js.Parse(parse.NewInputBytes(bytes.Clone(src)), js.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("legacy-regex", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			(&legacyAnalysis{install: map[string]string{}}).code(file{name: "dist/bundle.js", data: src}, false)
		}
	})
}

// contentCPUTime is the process's user and system CPU time.
func contentCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// A minified bundle is analysed whole, within its step budget (which
// grows with the size: 1 MB here, 5 MB in BenchmarkContentMinified).
func TestContentMinifiedWithinBudget(t *testing.T) {
	src := contentBundle(1 << 20)
	a := newContentFileAnalysis("dist/bundle.js", "js", src, false)
	if err := analyseJS(a); err != nil {
		t.Fatal(err)
	}
	if a.exhausted {
		t.Errorf("a 1 MB minified bundle exhausted its budget (%d steps)", nodeBudget(len(src)))
	}
	a.obfuscationText()
	if _, ok := a.findings["minified\x000"]; !ok {
		t.Errorf("bundle not reported as minified: %v", a.sorted())
	}
}

// BenchmarkScanPackageArchive scans real npm tarballs (testdata/signals/npm:
// esbuild, bufferutil, es5-ext) with ScanPackageArchive, with the
// regular-expression scanner it replaced (on the same unpacked files),
// and with only unpacking them with archive/tar.
func BenchmarkScanPackageArchive(b *testing.B) {
	var tgzs [][]byte
	for _, name := range []string{"esbuild-0.25.0.tgz", "bufferutil-4.0.9.tgz", "es5-ext-0.10.64.tgz"} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "signals", "npm", name))
		if err != nil {
			b.Fatal(err)
		}
		tgzs = append(tgzs, data)
	}
	size := 0
	for _, d := range tgzs {
		size += len(d)
	}
	b.Run("chaingate-ScanPackageArchive", func(b *testing.B) {
		b.SetBytes(int64(size))
		for b.Loop() {
			for _, d := range tgzs {
				if _, err := ScanPackageArchive(context.Background(), "p.tgz", bytes.NewReader(d)); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("legacy-regex-scanner", func(b *testing.B) {
		b.SetBytes(int64(size))
		for b.Loop() {
			for _, d := range tgzs {
				files, _, err := readTarGz(context.Background(), d)
				if err != nil {
					b.Fatal(err)
				}
				a := &legacyAnalysis{install: map[string]string{}}
				for _, f := range stripTop(files) {
					switch path.Ext(f.name) {
					case ".js", ".cjs", ".mjs", ".py", ".sh":
						a.code(f, false)
					}
				}
			}
		}
	})
	b.Run("raw-archive-tar-unpack", func(b *testing.B) {
		b.SetBytes(int64(size))
		for b.Loop() {
			for _, d := range tgzs {
				zr, err := gzip.NewReader(bytes.NewReader(d))
				if err != nil {
					b.Fatal(err)
				}
				tr := tar.NewReader(zr)
				for {
					if _, err := tr.Next(); err != nil {
						break
					}
					io.Copy(io.Discard, tr)
				}
			}
		}
	})
}

// BenchmarkScanBenignNPM scans the benign npm tarballs that content-eval
// downloaded (set CHAINGATE_CONTENT_CACHE to its -cache directory; the
// benchmark is skipped without it) with ScanPackageArchive and with the
// regular-expression scanner it replaced, one op being the whole set.
func BenchmarkScanBenignNPM(b *testing.B) {
	dir := os.Getenv("CHAINGATE_CONTENT_CACHE")
	if dir == "" {
		b.Skip("CHAINGATE_CONTENT_CACHE not set")
	}
	names, err := filepath.Glob(filepath.Join(dir, "npm", "*.tgz"))
	if err != nil || len(names) == 0 {
		b.Skipf("no tarballs in %s/npm", dir)
	}
	var tgzs [][]byte
	size := 0
	for _, n := range names {
		d, err := os.ReadFile(n)
		if err != nil {
			b.Fatal(err)
		}
		tgzs = append(tgzs, d)
		size += len(d)
	}
	b.Run("chaingate-ScanPackageArchive", func(b *testing.B) {
		b.SetBytes(int64(size))
		cpu0 := contentCPUTime()
		for b.Loop() {
			for _, d := range tgzs {
				ScanPackageArchive(context.Background(), "p.tgz", bytes.NewReader(d))
			}
		}
		b.ReportMetric((contentCPUTime()-cpu0).Seconds()*1000/float64(b.N)/float64(len(tgzs)), "cpu-ms/pkg")
	})
	b.Run("legacy-regex-scanner", func(b *testing.B) {
		b.SetBytes(int64(size))
		cpu0 := contentCPUTime()
		for b.Loop() {
			for _, d := range tgzs {
				files, _, err := readTarGz(context.Background(), d)
				if err != nil {
					continue
				}
				a := &legacyAnalysis{install: map[string]string{}}
				for _, f := range stripTop(files) {
					switch path.Ext(f.name) {
					case ".js", ".cjs", ".mjs", ".py", ".sh":
						a.code(f, false)
					}
				}
			}
		}
		b.ReportMetric((contentCPUTime()-cpu0).Seconds()*1000/float64(b.N)/float64(len(tgzs)), "cpu-ms/pkg")
	})
}
