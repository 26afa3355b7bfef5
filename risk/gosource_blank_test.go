package risk

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

// goSourceBlankCheck checks goSourceBlank on src: same length and
// newlines; when src parses, the result parses to the same declarations,
// the bodies of the non-generic functions empty, the generic ones kept,
// and the interface methods are go/parser's.
func goSourceBlankCheck(t *testing.T, name string, src []byte) {
	t.Helper()
	out, methods, ok := goSourceBlank(src)
	orig, perr := parser.ParseFile(token.NewFileSet(), name, src, parser.SkipObjectResolution)
	if !ok {
		if perr == nil {
			t.Errorf("%s: parses but goSourceBlank refused it", name)
		}
		return
	}
	if len(out) != len(src) || bytes.Count(out, []byte("\n")) != bytes.Count(src, []byte("\n")) {
		t.Fatalf("%s: length or lines changed", name)
	}
	if perr != nil {
		return
	}
	got, err := parser.ParseFile(token.NewFileSet(), name, out, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("%s: blanked source does not parse: %v", name, err)
	}
	if len(got.Decls) != len(orig.Decls) {
		t.Fatalf("%s: %d declarations, want %d", name, len(got.Decls), len(orig.Decls))
	}
	for i, d := range orig.Decls {
		fd, isFunc := d.(*ast.FuncDecl)
		if !isFunc {
			// Not a function: not a byte changed.
			// (Offsets are positions less 1: one file in a new FileSet.)
			if start, end := int(d.Pos())-1, int(d.End())-1; !bytes.Equal(src[start:end], out[start:end]) {
				t.Errorf("%s: declaration at offset %d changed", name, start)
			}
			continue
		}
		if fd.Body == nil {
			continue
		}
		gd := got.Decls[i].(*ast.FuncDecl)
		generic := fd.Type.TypeParams.NumFields() > 0 || goSourceGenericRecv(fd.Recv)
		switch {
		case generic && len(gd.Body.List) != len(fd.Body.List):
			t.Errorf("%s: generic %s lost its body", name, fd.Name.Name)
		case !generic && len(gd.Body.List) != 0:
			t.Errorf("%s: %s kept its body", name, fd.Name.Name)
		}
	}
	want := goSourceInterfaceMethods(orig)
	slices.Sort(want)
	slices.Sort(methods)
	if !slices.Equal(slices.Compact(want), slices.Compact(methods)) {
		t.Errorf("%s: interface methods %v, want %v", name, methods, want)
	}
}

// TestGoSourceBlank runs goSourceBlank on real Go files: the standard
// library packages the skipped bodies come from most (sort, fmt, io,
// net/http, slices, iter, sync/atomic, runtime, go/types) and this
// package's own sources.
func TestGoSourceBlank(t *testing.T) {
	var files []string
	for _, dir := range []string{"sort", "fmt", "io", "net/http", "slices", "iter", "sync/atomic", "go/types", "runtime"} {
		m, err := filepath.Glob(filepath.Join(runtime.GOROOT(), "src", dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	own, _ := filepath.Glob("*.go")
	files = append(files, own...)
	if len(files) < 100 {
		t.Fatalf("only %d Go files found", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		goSourceBlankCheck(t, f, src)
	}
}

// FuzzGoSourceBlank: goSourceBlank never panics, keeps lengths and
// lines, and agrees with go/parser, on edited Go sources: the test
// module's main.go and declarations of every kind below (the fuzzing
// engine makes almost no progress from seeds of tens of kilobytes, such
// as this package's files; TestGoSourceBlank runs those).
func FuzzGoSourceBlank(f *testing.F) {
	for _, p := range []string{filepath.Join("testdata", "gosource", "app", "main.go")} {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("package p\n\nfunc (t *T[K]) M() int { return 1 }\nfunc G[T any](x T) T { return x }\nfunc F() (struct{ a int }, interface{ M(int) }) { return struct{ a int }{}, nil }\nfunc A()\n"))
	f.Add([]byte("package p\n\nimport \"iter\"\n\ntype I interface {\n\tio.Reader\n\tN(x interface{ O() }) (int, error)\n}\n\nfunc (s *S) All() iter.Seq[int] {\n\tvar x interface{ Is(error) bool }\n\t_ = x\n\treturn func(yield func(int) bool) { for i := range 3 { if !yield(i) { return } } }\n}\n\nvar v = func() int { return 1 }()\n\nvar w = struct{ f func() int }{f: func() int { return 2 }}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<20 {
			return
		}
		goSourceBlankCheck(t, "fuzz.go", src)
	})
}
