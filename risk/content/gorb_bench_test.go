package content

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Hostile shapes of Go code end without a panic (which the front end
// would return as an "analysis failed" error) or a stack overflow: a chain
// of a million string additions (a tree a million deep) and deeply
// nested calls do not overflow the stack or copy without bound.
func TestContentGoHostileShapes(t *testing.T) {
	for name, src := range map[string]string{
		"long concatenation": "package m\nimport \"os/exec\"\nconst c = \"a\"" + strings.Repeat(" + \"abcdefgh\"", 300_000) + "\nfunc init() { exec.Command(c).Run() }\n",
		"nested calls":       "package m\nfunc f(x string) string { return x }\nvar v = " + strings.Repeat("f(", 2000) + "\"x\"" + strings.Repeat(")", 2000) + "\n",
		"recursive init":     "package m\nfunc a() { b() }\nfunc b() { a() }\nfunc init() { a() }\n",
	} {
		t.Run(name, func(t *testing.T) {
			fa := newContentFileAnalysis("m.go", "go", []byte(src), true)
			if err := analyseGo(fa); err != nil && !strings.Contains(err.Error(), "go syntax") {
				t.Fatal(err)
			}
		})
	}
}

// The same for Ruby: deep unary chains, many blocks, long statements
// end without a panic or a stack overflow.
func TestContentRubyHostileShapes(t *testing.T) {
	for name, src := range map[string]string{
		"unary chain":     "x = " + strings.Repeat("!", 1_000_000) + "y\n",
		"many do blocks":  strings.Repeat("a do\n", 200_000),
		"long statement":  "x = foo(" + strings.Repeat("a if b, ", 100_000) + "1)\n",
		"long concat":     "x = 'a'" + strings.Repeat(" + 'abcdefgh'", 300_000) + "\neval(x)\n",
		"many modifiers":  "x" + strings.Repeat(" if y", 100_000) + "\n",
		"nested brackets": strings.Repeat("[", 300) + strings.Repeat("]", 300) + "\n",
		"nested interp":   strings.Repeat(`"#{`, 60) + strings.Repeat(`}"`, 60) + "\n",
		"hash of hashes":  "h = {" + strings.Repeat("a: 1, ", 200_000) + "}\n",
	} {
		t.Run(name, func(t *testing.T) {
			fa := newContentFileAnalysis("lib/m.rb", "rb", []byte(src), true)
			if err := analyseRuby(fa); err != nil && !strings.Contains(err.Error(), "ruby syntax") {
				t.Fatal(err)
			}
		})
	}
}

// BenchmarkContentGoModule scans golang.org/x/sys (module cache) with
// ScanPackageArchive beside go/parser parsing the same files alone.
func BenchmarkContentGoModule(b *testing.B) {
	p, data := contentModCacheZip(b, "golang.org/x/sys", "v0.49.0")
	b.Run("chaingate-scan", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := ScanPackageArchive(context.Background(), filepath.Base(p), bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw-unzip-go-parser", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				b.Fatal(err)
			}
			for _, f := range zr.File {
				if !goCode(f.Name[strings.IndexByte(f.Name, '/')+1:]) || strings.Contains(f.Name, "/testdata/") {
					continue
				}
				rc, _ := f.Open()
				src, _ := io.ReadAll(rc)
				rc.Close()
				parser.ParseFile(token.NewFileSet(), f.Name, src, parser.ParseComments|parser.SkipObjectResolution)
			}
		}
	})
}

// BenchmarkContentRuby analyses 1 MB of real Ruby (testdata/content/
// ruby-real, repeated) beside tokenizing it alone.
func BenchmarkContentRuby(b *testing.B) {
	var src bytes.Buffer
	for src.Len() < 1<<20 {
		for _, f := range []string{"rack-2.2.22-lint.rb", "thor-1.2.1-actions.rb"} {
			d, err := os.ReadFile(filepath.Join("..", "testdata", "content", "ruby-real", f))
			if err != nil {
				b.Fatal(err)
			}
			src.Write(d)
			fmt.Fprintln(&src)
		}
	}
	data := src.Bytes()
	b.Run("chaingate-analyse", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		cpu0 := contentCPUTime()
		for b.Loop() {
			fa := newContentFileAnalysis("lib/m.rb", "rb", data, true)
			if err := analyseRuby(fa); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric((contentCPUTime()-cpu0).Seconds()/float64(b.N)/(float64(len(data))/(1<<20)), "cpu-s/MB")
	})
	b.Run("raw-tokenize", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := rbTokenize(string(data), 1, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
}
