package risk

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/callgraph"
	"golang.org/x/tools/go/callgraph/vta"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/chaingate/chaingate/sbom"
)

// ErrGoSourceIncomplete is returned by ScanGoSource when the module's
// packages cannot all be loaded: a dependency missing from the module
// cache (the scan is offline), or code that does not compile.
var ErrGoSourceIncomplete = errors.New("risk: Go source incomplete")

// ScanGoSource scans the Go module in dir (the directory holding its
// go.mod) and gives each Go finding the evidence of a call graph, as
// govulncheck's source mode does. The SBOM scanned is
// sbom.FromGoModule's, with the packages the module's packages import;
// then the module and its dependencies are loaded from source
// (golang.org/x/tools/go/packages), built in SSA form and a call graph
// is made with VTA (go/callgraph/vta over CHA). The entry points are
// those govulncheck uses: main and init of main packages, and the
// exported functions and methods and init of the others, in the main
// module.
//
//   - "symbol": a vulnerable function or method the entry lists is
//     reachable from an entry point; Evidence.Symbols names them and
//     Evidence.CallPath gives one shortest call path, entry first;
//   - "package": an affected package is imported, the entry lists no
//     symbols for it (all of it is vulnerable) and none of its functions
//     is reachable (when one is, the finding is at symbol level with
//     that function, as govulncheck counts it);
//   - "symbol-absent": an affected package is imported but none of the
//     vulnerable functions is reachable;
//   - "package-absent": none of the affected packages is imported (for
//     an entry that lists no packages, no package of the module), or the
//     entry restricts them to other platforms;
//
// The platform is the go command's (GOOS and GOARCH from the
// environment). The go command runs offline (GOPROXY=off) on a temporary
// copy of go.mod and go.sum: the dependencies must be in the module
// cache (go mod download); when a package cannot be loaded ScanGoSource
// returns an error matching ErrGoSourceIncomplete that names it (so does
// code that does not compile, save in the function bodies of packages
// not analysed, see below, which are not type-checked). The
// standard library is not scanned (a module does not fix its toolchain:
// scan the binary with ScanGoBinary for that). Reflection and unsafe
// calls are not followed, as in govulncheck. The packages are loaded and
// the call graph built only when a finding has an affected package
// imported.
//
// Only the packages that import an affected package (directly or not)
// are analysed with their function bodies; the others, the standard
// library among them, are type-checked from their declarations. What
// their bodies may call back (a function value, or a method of a type
// converted to an interface, made in reachable code, whose signature
// they can name) counts as called.
// So the findings are those of govulncheck's source mode or more: a
// vulnerable method of a value handed to such a package as an interface
// is reachable here even when that package never calls it. The call
// path then goes from the function that made the value to the value's
// function, without the skipped frames. A value that goes through such
// a package and comes back (a context value, a sync.Map entry) counts
// as called by the reachable calls it fits (an interface method it
// implements, a dynamic call of its signature). And, as govulncheck runs
// VTA over code no entry point reaches (the forward slice of the class
// hierarchy call graph), so that a callback made there and stored in
// the standard library is called once the standard library's call site
// is (x/net/http2's configureTransport), the callbacks made anywhere in
// the analysed packages count as called once a skipped package is
// entered; their call path goes through the skipped function entered
// first (fmt.Errorf, say), which stands for the skipped frames.
func ScanGoSource(ctx context.Context, dir string, db *DB, opts ...ScanOption) (*Report, error) {
	if db == nil {
		return nil, errors.New("risk: scan Go source: nil database")
	}
	doc, err := sbom.FromGoModule(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("risk: scan Go source %s: %w", dir, err)
	}
	if len(doc.Limitations) > 0 {
		return nil, fmt.Errorf("risk: scan Go source %s: %w: %s", dir, ErrGoSourceIncomplete, strings.Join(doc.Limitations, "; "))
	}
	mainPath := ""
	if root := doc.Component(doc.Root); root != nil {
		mainPath = root.Name
	}
	// The call graph is the expensive part: build it only when a finding
	// has an affected package imported (package level before it).
	pre, err := Scan(ctx, doc, db, opts...)
	if err != nil {
		return nil, fmt.Errorf("risk: scan Go source %s: %w", dir, err)
	}
	g := &goSourceCallGraph{reachable: map[string][]string{}}
	// The affected packages imported: only the packages that import one
	// of them, directly or not, can call it; the bodies of the others
	// are not analysed (see goSourceGraph).
	affected := map[string]bool{}
	for _, f := range pre.Findings {
		if !goSourceNeedsGraph(f) {
			continue
		}
		for _, p := range f.Evidence.Packages {
			affected[p] = true
		}
		if len(f.AffectedPackages) == 0 {
			ps, _ := f.Component.Property(sbom.PropGoPackages)
			for _, p := range strings.Split(ps, ",") {
				affected[p] = true
			}
		}
	}
	if len(affected) > 0 {
		if g, err = goSourceGraph(ctx, dir, mainPath, affected); err != nil {
			return nil, fmt.Errorf("risk: scan Go source %s: %w", dir, err)
		}
	}
	byModule := goSourceByModule(doc)
	// Every imported package is "present", with its reachable functions
	// (none for a package imported for its types only): the affected
	// packages not imported are the absent ones.
	for _, ps := range byModule {
		for _, p := range ps {
			if _, ok := g.reachable[p]; !ok {
				g.reachable[p] = nil
			}
		}
	}
	opts = append(slices.Clip(opts), func(c *scanConfig) error {
		c.goBin = &goBinSymbols{symbols: g.reachable, byModule: byModule, inlined: true}
		return nil
	})
	rep, err := Scan(ctx, doc, db, opts...)
	if err != nil {
		return nil, fmt.Errorf("risk: scan Go source %s: %w", dir, err)
	}
	for i := range rep.Findings {
		f := &rep.Findings[i]
		ev := &f.Evidence
		if ev.Level == EvidencePackage {
			// All of an affected package is vulnerable (the entry lists
			// no symbols): a symbol when any of its functions is
			// reachable, as govulncheck counts it.
			var syms []string
			for _, p := range ev.Packages {
				if s := g.first[p]; s != "" {
					syms = append(syms, s)
				}
			}
			if len(syms) > 0 {
				ev.Level, ev.Symbols = EvidenceSymbol, syms
			}
		}
		if _, listed := f.Component.Property(sbom.PropGoPackages); ev.Level == EvidenceModule && listed && len(f.AffectedPackages) == 0 {
			// A whole-module entry about a module of the build list none
			// of whose packages is imported (the scan gave package level
			// had one been).
			ev.Level, ev.Reason = EvidencePackageAbsent, "the entry lists no packages (all of the module is vulnerable) and no package of the module is imported"
			continue
		}
		switch ev.Level {
		case EvidenceSymbol:
			ev.CallPath = g.path(ev.Symbols)
			ev.Reason = "vulnerable functions reachable from the module's packages: " + strings.Join(ev.Symbols, ", ") +
				"; call path: " + strings.Join(ev.CallPath, " → ")
		case EvidenceSymbolAbsent:
			ev.Reason = "affected package imported but none of the vulnerable functions the entry lists is reachable from the module's packages: " + strings.Join(ev.Packages, ", ")
		case EvidencePackage:
			ev.Reason = "affected package imported, all of it vulnerable (the entry lists no symbols): " + strings.Join(ev.Packages, ", ")
		case EvidencePackageAbsent:
			if !strings.Contains(ev.Reason, "platforms") {
				ev.Reason = "none of the affected packages is imported by the module's packages"
			}
		}
	}
	return rep, nil
}

// goSourceNeedsGraph reports whether a finding of the package-level scan
// needs the call graph: an affected package is imported, or the entry
// lists no packages and the module has packages imported.
func goSourceNeedsGraph(f Finding) bool {
	if f.Evidence.Level == EvidencePackage {
		return true
	}
	ps, _ := f.Component.Property(sbom.PropGoPackages)
	return f.Evidence.Level == EvidenceModule && len(f.AffectedPackages) == 0 && ps != ""
}

// goSourceByModule lists the packages imported by module path, from the
// SBOM FromGoModule made.
func goSourceByModule(doc *sbom.Document) map[string][]string {
	out := map[string][]string{}
	for _, c := range doc.Components {
		v, ok := c.Property(sbom.PropGoPackages)
		if !ok || v == "" {
			continue
		}
		mod := c.Name
		if orig, ok := c.Property(sbom.PropGoReplaces); ok {
			mod, _, _ = strings.Cut(orig, "@")
		}
		out[mod] = strings.Split(v, ",")
	}
	return out
}

// goSourceCallGraph is the call graph of a module from its entry points.
type goSourceCallGraph struct {
	// reachable maps each package to the sorted names of its functions
	// reachable from an entry point ("Func", "Type.Method").
	reachable map[string][]string
	// parent is the caller on a shortest path from an entry point (nil
	// for an entry point); byName finds a reachable function by its
	// "import/path.Name".
	parent map[*ssa.Function]*ssa.Function
	byName map[string]*ssa.Function
	// first is, per package, its function reached first (on a shortest
	// path), as "import/path.Name".
	first map[string]string
}

// goSourceGraph loads the module's packages and their dependencies from
// source and walks the VTA call graph from the entry points.
//
// Only the packages that import an affected package, directly or
// through others (and the affected packages), are analysed with their
// function bodies: a static call into a package comes only from a
// package importing it. The other packages (the standard library among
// them) are type-checked without the bodies of their non-generic
// functions and without the elements of their variables' literal tables
// (those with no generic code from their declarations alone, their SSA
// made from their types), which makes loading, SSA and VTA several times
// cheaper: 0.25x govulncheck's time on a 193-module program, 0.10x on
// a 614-module one.
// What those bodies could do with code of the analysed packages is
// over-approximated, as RTA does: such a package cannot name a type or a
// function of an analysed one (it would import it), so it can only call
// analysed code through a function value or an interface value made in
// analysed code (a callback: sort.Slice(f), http.Handler, fmt calling
// String). So a function value (closure, function or method value) made
// in reachable code counts as called, and so do the methods of a type
// converted to an interface in reachable code whose name is a method of
// an interface type declared or used in the skipped code (or Error);
// in both cases only when the skipped code can name the function's type
// (no analysed package's type in its signature: see nameable). The
// result has every call govulncheck's whole-program VTA finds, and may
// have more: a vulnerable method of a type handed to a skipped package
// as an interface counts as reachable even if that package never calls
// it. A value that goes through skipped code and comes back (a
// context value, a sync.Map entry) is followed the same way: the methods
// of a type converted to an interface in reachable code count as called
// by the reachable invokes of interface methods it implements
// (goSourceInvokes), and so do function values of a signature converted
// to an interface and called dynamically. Generic functions keep their bodies (their
// instances are built where they are instantiated).
func goSourceGraph(ctx context.Context, dir, mainPath string, affected map[string]bool) (*goSourceCallGraph, error) {
	tmp, err := os.MkdirTemp("", "chaingate-gosrc-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	for _, name := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil && !(name == "go.sum" && errors.Is(err, os.ErrNotExist)) {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(tmp, name), b, 0o600); err != nil {
			return nil, err
		}
	}
	// As sbom.FromGoModule: offline, on a copy of go.mod and go.sum.
	env := append(os.Environ(), "GOFLAGS=-mod=mod -modfile="+filepath.Join(tmp, "go.mod"),
		"GOPROXY=off", "GOSUMDB=off", "GOWORK=off", "GOTOOLCHAIN=local")
	loadErr := func(err error) error {
		return fmt.Errorf("%w: load packages: %w (the module's dependencies must be in the module cache: go mod download)", ErrGoSourceIncomplete, err)
	}
	// The import graph (go list), to choose the packages whose bodies
	// are analysed; then goSourceTypeCheck parses and type-checks them.
	pkgs, err := packages.Load(&packages.Config{
		Context: ctx, Dir: dir, Env: env,
		Mode: packages.NeedName | packages.NeedCompiledGoFiles | packages.NeedImports | packages.NeedDeps |
			packages.NeedModule | packages.NeedTypesSizes,
	}, "./...")
	if err != nil {
		return nil, loadErr(err)
	}
	skip := goSourceSkipped(pkgs, affected)
	fset := token.NewFileSet()
	if err := goSourceTypeCheck(ctx, fset, pkgs, skip); err != nil {
		return nil, err
	}
	var loadErrs []string
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			// Imports used only in the bodies skipped.
			if skip.pkgs[p.PkgPath] && e.Kind == packages.TypeError && strings.Contains(e.Msg, "imported") && strings.HasSuffix(e.Msg, "and not used") {
				continue
			}
			if len(loadErrs) < 5 {
				where := p.PkgPath
				if e.Pos != "" && e.Pos != "-" {
					where = e.Pos
				}
				loadErrs = append(loadErrs, where+": "+e.Msg)
			}
		}
	})
	if len(loadErrs) > 0 {
		return nil, fmt.Errorf("%w: %s (a dependency missing from the module cache: go mod download; or code that does not compile)", ErrGoSourceIncomplete, strings.Join(loadErrs, "; "))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// As ssautil.AllPackages, save that a package whose only errors are
	// the imports of skipped bodies is built.
	prog := ssa.NewProgram(fset, ssa.InstantiateGenerics)
	created := map[*packages.Package]*ssa.Package{}
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		if p.Types != nil {
			created[p] = prog.CreatePackage(p.Types, p.Syntax, p.TypesInfo, true)
		}
	})
	prog.Build()
	// The syntax trees and type information are no longer needed (the
	// SSA packages dropped theirs): let the collector have them.
	packages.Visit(pkgs, nil, func(p *packages.Package) { p.Syntax, p.TypesInfo = nil, nil })
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var entries []*ssa.Function
	for _, lp := range pkgs {
		p := created[lp]
		if p == nil || (p.Pkg.Path() != mainPath && !strings.HasPrefix(p.Pkg.Path(), mainPath+"/")) {
			continue
		}
		entries = append(entries, goSourceEntries(prog, p)...)
	}
	// In a fixed order (package members are a map), so that the call
	// paths, shortest with the first entry, are the same on every run.
	names := goSourceNames{}
	slices.SortFunc(entries, func(a, b *ssa.Function) int { return strings.Compare(names.of(a), names.of(b)) })
	all := ssautil.AllFunctions(prog)
	cg := vta.CallGraph(all, nil)

	g := &goSourceCallGraph{reachable: map[string][]string{}, parent: map[*ssa.Function]*ssa.Function{}, byName: map[string]*ssa.Function{}, first: map[string]string{}}
	queue := []*ssa.Function{}
	// anchor is the first function reached with no body of a skipped
	// package: skipped code is entered there.
	var anchor *ssa.Function
	visit := func(callee, caller *ssa.Function) {
		if _, seen := g.parent[callee]; !seen {
			g.parent[callee] = caller
			queue = append(queue, callee)
			if anchor == nil && len(callee.Blocks) == 0 && callee.Pkg != nil && skip.pkgs[callee.Pkg.Pkg.Path()] {
				anchor = callee
			}
		}
	}
	rta := &goSourceInvokes{prog: prog, skip: skip, types: map[string][]types.Type{}, invokes: map[string][]goSourceInvoke{}, seenInv: map[*types.Func]bool{}}
	for _, fn := range entries {
		visit(fn, nil)
	}
	drain := func() {
		for len(queue) > 0 {
			fn := queue[0]
			queue = queue[1:]
			if pkg, name, ok := goSourceSymbol(fn); ok {
				if _, dup := g.byName[pkg+"."+name]; !dup {
					g.byName[pkg+"."+name] = fn
					g.reachable[pkg] = append(g.reachable[pkg], name)
					if g.first[pkg] == "" {
						g.first[pkg] = pkg + "." + name
					}
				}
			}
			if n := cg.Nodes[fn]; n != nil {
				// In call-site order, so the paths do not depend on the
				// order of the graph's edges.
				out := slices.Clone(n.Out)
				slices.SortStableFunc(out, func(a, b *callgraph.Edge) int {
					if c := cmp.Compare(a.Pos(), b.Pos()); c != 0 {
						return c
					}
					if c := cmp.Compare(a.Callee.Func.Pos(), b.Callee.Func.Pos()); c != 0 {
						return c
					}
					// Synthetic functions (wrappers, instances) share
					// positions: their names, computed once.
					return strings.Compare(names.of(a.Callee.Func), names.of(b.Callee.Func))
				})
				for _, e := range out {
					if e.Callee.Func != nil {
						visit(e.Callee.Func, fn)
					}
				}
			}
			skip.callbacks(prog, fn, cg.Nodes[fn] == nil, func(callee *ssa.Function) { visit(callee, fn) })
			rta.scan(fn, true, visit)
		}
	}
	drain()
	// govulncheck runs VTA over every function of the class-hierarchy
	// call graph's forward slice from the entry points, reached by VTA or
	// not: a callback made in code VTA never reaches (x/net/http2's
	// configureTransport setting Transport.TLSNextProto) still flows
	// into the standard library's fields, and is called once the
	// standard library's call site is reached. So once skipped code is
	// entered, the callbacks made anywhere in the code with bodies count
	// as called from the skipped function entered first (a superset of
	// that slice: the slice of the standard library's invokes, which
	// CHA resolves to every method of the name, is not known here).
	if anchor != nil {
		var rest []*ssa.Function
		for fn := range all {
			if _, seen := g.parent[fn]; !seen && len(fn.Blocks) > 0 {
				rest = append(rest, fn)
			}
		}
		slices.SortFunc(rest, func(a, b *ssa.Function) int { return strings.Compare(names.of(a), names.of(b)) })
		for _, fn := range rest {
			skip.callbacks(prog, fn, false, func(callee *ssa.Function) { visit(callee, anchor) })
			rta.scan(fn, false, visit)
		}
		drain()
	}
	for _, names := range g.reachable {
		slices.Sort(names)
	}
	return g, nil
}

// goSourceSkip is what goSourceGraph does not analyse: the files whose
// function bodies are dropped when parsed, their packages, and the
// names of the methods of the interface types those files declare or
// use (a skipped body can only call analysed code through them).
type goSourceSkip struct {
	files map[string]bool
	pkgs  map[string]bool

	mu      sync.Mutex
	methods map[string]bool
}

// goSourceSkipped chooses the packages of the import graph whose bodies
// are not analysed: those that neither are nor import, directly or not,
// an affected package.
func goSourceSkipped(graph []*packages.Package, affected map[string]bool) *goSourceSkip {
	s := &goSourceSkip{files: map[string]bool{}, pkgs: map[string]bool{}, methods: map[string]bool{"Error": true}}
	keep := map[*packages.Package]bool{}
	var reaches func(p *packages.Package) bool
	reaches = func(p *packages.Package) bool {
		if k, done := keep[p]; done {
			return k
		}
		keep[p] = false // import cycles cannot happen; guard anyway
		k := affected[p.PkgPath]
		for _, imp := range p.Imports {
			if reaches(imp) {
				k = true
			}
		}
		keep[p] = k
		return k
	}
	packages.Visit(graph, nil, func(p *packages.Package) {
		if !reaches(p) {
			s.pkgs[p.PkgPath] = true
			for _, f := range p.CompiledGoFiles {
				s.files[f] = true
			}
		}
	})
	return s
}

// parse is the ParseFile hook of packages.Config: it parses a file and,
// for a skipped one, records the interface methods it names and drops
// the bodies of its non-generic functions (init keeps an empty one: the
// type checker wants it).
func (s *goSourceSkip) parse(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
	if !s.files[filename] {
		return parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
	}
	// The bodies blanked before parsing, cheaper than parsing them.
	blanked, methods, ok := goSourceBlank(src)
	if ok {
		src = blanked
	}
	f, err := parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
	if f == nil {
		return f, err
	}
	if !ok {
		methods = goSourceInterfaceMethods(f)
	}
	s.mu.Lock()
	for _, m := range methods {
		s.methods[m] = true
	}
	s.mu.Unlock()
	for _, d := range f.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.VAR {
			goSourceDropElements(gd)
			continue
		}
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil || fd.Type.TypeParams.NumFields() > 0 || goSourceGenericRecv(fd.Recv) {
			continue
		}
		if fd.Recv == nil && (fd.Name.Name == "init" || fd.Name.Name == "main") {
			fd.Body = &ast.BlockStmt{Lbrace: fd.Body.Lbrace, Rbrace: fd.Body.Rbrace}
			continue
		}
		fd.Body = nil
	}
	return f, err
}

// goSourceInterfaceMethods returns the names of the methods of the
// interface types written in f.
func goSourceInterfaceMethods(f *ast.File) []string {
	var methods []string
	ast.Inspect(f, func(n ast.Node) bool {
		if it, ok := n.(*ast.InterfaceType); ok && it.Methods != nil {
			for _, m := range it.Methods.List {
				for _, name := range m.Names {
					methods = append(methods, name.Name)
				}
			}
		}
		return true
	})
	return methods
}

// nameable reports whether skipped code could name type t (a function's
// signature, its receiver aside): whether no type declared in an analysed
// package appears in it. A skipped package imports no analysed package
// (it would be analysed), so it cannot call a function value or an
// interface method whose signature names such a type: only an analysed
// generic instance could, and its body is analysed. So such callbacks
// are left to VTA (norm's init storing nextComposed in a table of
// func(*norm.Iter) []byte is not a call).
func (s *goSourceSkip) nameable(t types.Type) bool {
	switch t := types.Unalias(t).(type) {
	case *types.Named:
		if obj := t.Obj(); obj.Pkg() != nil && !s.pkgs[obj.Pkg().Path()] {
			return false
		}
		for a := range t.TypeArgs().Types() {
			if !s.nameable(a) {
				return false
			}
		}
		return true
	case *types.Pointer:
		return s.nameable(t.Elem())
	case *types.Slice:
		return s.nameable(t.Elem())
	case *types.Array:
		return s.nameable(t.Elem())
	case *types.Chan:
		return s.nameable(t.Elem())
	case *types.Map:
		return s.nameable(t.Key()) && s.nameable(t.Elem())
	case *types.Signature:
		return s.nameable(t.Params()) && s.nameable(t.Results())
	case *types.Tuple:
		for v := range t.Variables() {
			if !s.nameable(v.Type()) {
				return false
			}
		}
		return true
	case *types.Struct:
		for f := range t.Fields() {
			if !s.nameable(f.Type()) {
				return false
			}
		}
		return true
	case *types.Interface:
		for m := range t.Methods() {
			if !s.nameable(m.Type()) {
				return false
			}
		}
		for e := range t.EmbeddedTypes() {
			if !s.nameable(e) {
				return false
			}
		}
		return true
	default: // basic types, type parameters
		return true
	}
}

// goSourceDropElements drops the elements of the composite literals that
// initialise package-level variables of a skipped file (the tables of
// unicode, x/text, x/net/publicsuffix...: type-checking them and building
// their SSA initialisation cost as much as the rest of those packages).
// The variables keep their types: a literal of an array of elided length
// ([...]T) keeps its elements. What they held cannot be analysed code
// (a skipped package cannot name it).
func goSourceDropElements(gd *ast.GenDecl) {
	for _, spec := range gd.Specs {
		vs, ok := spec.(*ast.ValueSpec)
		if !ok {
			continue
		}
		for _, v := range vs.Values {
			if u, ok := v.(*ast.UnaryExpr); ok && u.Op == token.AND {
				v = u.X
			}
			cl, ok := v.(*ast.CompositeLit)
			if !ok || cl.Type == nil {
				continue
			}
			if at, ok := cl.Type.(*ast.ArrayType); ok {
				if _, elided := at.Len.(*ast.Ellipsis); elided {
					continue
				}
			}
			cl.Elts = nil
		}
	}
}

// goSourceGenericRecv reports whether a method's receiver is a generic
// type (T[P] or *T[P]).
func goSourceGenericRecv(recv *ast.FieldList) bool {
	if recv.NumFields() == 0 {
		return false
	}
	t := recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.ParenExpr:
			t = x.X
		case *ast.IndexExpr, *ast.IndexListExpr:
			return true
		default:
			return false
		}
	}
}

// callbacks calls visit with what a reachable function fn may hand to
// skipped code to be called back (goSourceGraph): the function values it
// makes and the methods of the types it converts to interfaces, those
// named like an interface method of the skipped code. With static, also
// its static callees (fn was made after the call graph: a wrapper).
func (s *goSourceSkip) callbacks(prog *ssa.Program, fn *ssa.Function, static bool, visit func(*ssa.Function)) {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			var callee *ssa.Value
			if call, ok := instr.(ssa.CallInstruction); ok {
				callee = &call.Common().Value
				if sc := call.Common().StaticCallee(); sc != nil && static {
					visit(sc)
				}
			}
			if mi, ok := instr.(*ssa.MakeInterface); ok {
				t := mi.X.Type()
				if types.IsInterface(t) {
					continue
				}
				ms := prog.MethodSets.MethodSet(t)
				for i := range ms.Len() {
					sel := ms.At(i)
					if !s.methods[sel.Obj().Name()] || !s.nameable(sel.Obj().Type()) {
						continue
					}
					if m := prog.MethodValue(sel); m != nil {
						visit(m)
					}
				}
			}
			var ops [8]*ssa.Value
			for _, op := range instr.Operands(ops[:0]) {
				if op == callee || op == nil {
					continue
				}
				if f, ok := (*op).(*ssa.Function); ok && s.nameable(f.Signature) && (f.Signature.Recv() == nil || s.nameable(f.Signature.Recv().Type())) {
					visit(f)
				}
			}
		}
	}
}

// goSourceEntries are a package's entry points, as govulncheck chooses
// them: main and init in package main; init and the exported functions
// and methods (of exported or unexported types) elsewhere.
func goSourceEntries(prog *ssa.Program, p *ssa.Package) []*ssa.Function {
	var out []*ssa.Function
	if p.Pkg.Name() == "main" {
		for _, n := range []string{"main", "init"} {
			if fn := p.Func(n); fn != nil {
				out = append(out, fn)
			}
		}
		return out
	}
	if fn := p.Func("init"); fn != nil {
		out = append(out, fn)
	}
	for _, m := range p.Members {
		switch m := m.(type) {
		case *ssa.Function:
			if m.Object() != nil && m.Object().Exported() && m.TypeParams().Len() == 0 {
				out = append(out, m)
			}
		case *ssa.Type:
			named, ok := m.Type().(*types.Named)
			if !ok || named.TypeParams().Len() > 0 {
				continue
			}
			for _, t := range []types.Type{named, types.NewPointer(named)} {
				ms := prog.MethodSets.MethodSet(t)
				for i := range ms.Len() {
					sel := ms.At(i)
					if !sel.Obj().Exported() {
						continue
					}
					if fn := prog.MethodValue(sel); fn != nil && fn.Synthetic == "" {
						out = append(out, fn)
					}
				}
			}
		}
	}
	return out
}

// goSourceSymbol names a function as the Go vulnerability database names
// symbols: its package's import path, and "Func" or "Type.Method" (the
// receiver's type without pointer or type arguments). Instantiations of a
// generic function are named by their origin; closures, wrappers and
// other synthetic functions have no symbol name (their parent or the
// function they wrap is reachable too).
func goSourceSymbol(fn *ssa.Function) (pkg, name string, ok bool) {
	if o := fn.Origin(); o != nil {
		fn = o
	}
	if fn.Synthetic != "" || fn.Parent() != nil || fn.Pkg == nil || fn.Object() == nil {
		return "", "", false
	}
	pkg = fn.Pkg.Pkg.Path()
	if recv := fn.Signature.Recv(); recv != nil {
		t := recv.Type()
		if p, isPtr := t.(*types.Pointer); isPtr {
			t = p.Elem()
		}
		named, isNamed := types.Unalias(t).(*types.Named)
		if !isNamed {
			return "", "", false
		}
		return pkg, named.Obj().Name() + "." + fn.Name(), true
	}
	return pkg, fn.Name(), true
}

// goSourceName names a function on a call path: its symbol name, else
// the SSA name (closures "pkg.F$1", wrappers).
func goSourceName(fn *ssa.Function) string {
	if pkg, name, ok := goSourceSymbol(fn); ok {
		return pkg + "." + name
	}
	return fn.String()
}

// path returns a shortest call path from an entry point to the first of
// symbols reachable ("import/path.Func" names), entry first.
func (g *goSourceCallGraph) path(symbols []string) []string {
	var best []string
	for _, s := range symbols {
		fn := g.byName[s]
		if fn == nil {
			continue
		}
		var p []string
		for f := fn; f != nil; f = g.parent[f] {
			p = append(p, goSourceName(f))
			if len(p) > len(g.parent) {
				break // cannot happen: parent pointers form a tree
			}
		}
		slices.Reverse(p)
		if best == nil || len(p) < len(best) {
			best = p
		}
	}
	return best
}

// goSourceNames caches ssa.Function.String, which formats the whole
// signature of a synthetic function each time.
type goSourceNames map[*ssa.Function]string

func (n goSourceNames) of(fn *ssa.Function) string {
	s, ok := n[fn]
	if !ok {
		s = fn.String()
		n[fn] = s
	}
	return s
}

// goSourceInvokes over-approximates, as RTA does, the interface method
// calls of analysed code on values that went through skipped code and
// came back (context.WithValue and Context.Value, sync.Map's Store and
// Load): VTA follows a value through the fields of the code it has, so
// without the skipped bodies the value given back has no type and the
// call no callee, where govulncheck's whole-program VTA finds one. So a
// method of a type converted to an interface in reachable code counts as
// called by every reachable invoke of an interface method of that name
// the type implements. The methods goSourceSkip.callbacks already
// counts (named like a skipped interface's method, of a signature the
// skipped code can name) are left out: they are visited anyway. Function
// values likewise (goSourceFuncs): one whose signature names an analysed
// type counts as called once a value of that signature is converted to
// an interface in reachable code (the only way skipped code can hold
// it) and a reachable dynamic call has that signature; one the skipped
// code can name counts as called anyway.
type goSourceInvokes struct {
	prog *ssa.Program
	skip *goSourceSkip
	// types are the concrete types converted to an interface in
	// reachable code, by the names of their methods; seen dedups them.
	types map[string][]types.Type
	seen  typeutil.Map
	// invokes are the interface methods invoked in reachable code, by
	// name, with the first function invoking each.
	invokes map[string][]goSourceInvoke
	seenInv map[*types.Func]bool
	// funcs are, by signature, the function values made in reachable
	// code whose signature names an analysed type (the others count as
	// called, see goSourceSkip.callbacks): a *goSourceFuncs.
	funcs typeutil.Map
}

// goSourceFuncs are the function values of one signature made in
// reachable code: they count as called once a value of the signature is
// converted to an interface in reachable code (so it can go through
// skipped code and come back: sync.Map, context values) and a reachable
// dynamic call has the signature (caller).
type goSourceFuncs struct {
	escaped bool
	caller  *ssa.Function
	fns     []*ssa.Function
	seen    map[*ssa.Function]bool
}

// goSourceInvoke is an interface method invoked by fn.
type goSourceInvoke struct {
	method *types.Func
	iface  *types.Interface
	fn     *ssa.Function
}

// covered reports whether goSourceSkip.callbacks counts a method of this
// name and signature of a type converted to an interface.
func (r *goSourceInvokes) covered(m *types.Func) bool {
	return r.skip.methods[m.Name()] && r.skip.nameable(m.Type())
}

// scan records the conversions to interfaces and the invokes of a
// reachable function fn, and visits the methods they newly match.
//
// With reached false (fn is not reached, see goSourceGraph), only its
// conversions and function values are recorded, not its calls.
func (r *goSourceInvokes) scan(fn *ssa.Function, reached bool, visit func(callee, caller *ssa.Function)) {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			r.funcValues(instr, visit)
			switch instr := instr.(type) {
			case *ssa.MakeInterface:
				t := instr.X.Type()
				if sig, ok := t.Underlying().(*types.Signature); ok && !r.skip.nameable(sig) {
					if fs := r.sig(sig); !fs.escaped {
						fs.escaped = true
						r.release(fs, visit)
					}
				}
				if types.IsInterface(t) || r.seen.At(t) != nil {
					continue
				}
				r.seen.Set(t, true)
				ms := r.prog.MethodSets.MethodSet(t)
				for i := range ms.Len() {
					m, ok := ms.At(i).Obj().(*types.Func)
					if !ok || r.covered(m) {
						continue
					}
					r.types[m.Name()] = append(r.types[m.Name()], t)
					for _, inv := range r.invokes[m.Name()] {
						r.match(t, inv, visit)
					}
				}
			case ssa.CallInstruction:
				c := instr.Common()
				if !reached {
					continue
				}
				if !c.IsInvoke() && c.StaticCallee() == nil {
					if fs := r.sig(c.Signature()); fs.caller == nil {
						fs.caller = fn
						r.release(fs, visit)
					}
				}
				if !c.IsInvoke() || r.seenInv[c.Method] || r.covered(c.Method) {
					continue
				}
				iface, ok := c.Value.Type().Underlying().(*types.Interface)
				if !ok {
					continue
				}
				r.seenInv[c.Method] = true
				inv := goSourceInvoke{method: c.Method, iface: iface, fn: fn}
				r.invokes[c.Method.Name()] = append(r.invokes[c.Method.Name()], inv)
				for _, t := range r.types[c.Method.Name()] {
					r.match(t, inv, visit)
				}
			}
		}
	}
}

// funcValues records the function values instr makes (operands that
// are functions, a call's callee aside) whose signature names an
// analysed type.
func (r *goSourceInvokes) funcValues(instr ssa.Instruction, visit func(callee, caller *ssa.Function)) {
	var callee *ssa.Value
	if call, ok := instr.(ssa.CallInstruction); ok {
		callee = &call.Common().Value
	}
	var ops [8]*ssa.Value
	for _, op := range instr.Operands(ops[:0]) {
		if op == callee || op == nil {
			continue
		}
		f, ok := (*op).(*ssa.Function)
		if !ok || f.Signature.Recv() != nil || r.skip.nameable(f.Signature) {
			continue
		}
		fs := r.sig(f.Signature)
		if fs.seen[f] {
			continue
		}
		fs.seen[f] = true
		fs.fns = append(fs.fns, f)
		if fs.escaped && fs.caller != nil {
			visit(f, fs.caller)
		}
	}
}

// sig returns the function values of a signature.
func (r *goSourceInvokes) sig(sig *types.Signature) *goSourceFuncs {
	if fs, ok := r.funcs.At(sig).(*goSourceFuncs); ok {
		return fs
	}
	fs := &goSourceFuncs{seen: map[*ssa.Function]bool{}}
	r.funcs.Set(sig, fs)
	return fs
}

// release visits the function values of fs once they count as called.
func (r *goSourceInvokes) release(fs *goSourceFuncs, visit func(callee, caller *ssa.Function)) {
	if !fs.escaped || fs.caller == nil {
		return
	}
	for _, f := range fs.fns {
		visit(f, fs.caller)
	}
}

// match visits t's method inv invokes when t implements its interface.
func (r *goSourceInvokes) match(t types.Type, inv goSourceInvoke, visit func(callee, caller *ssa.Function)) {
	if !types.Implements(t, inv.iface) {
		return
	}
	sel := r.prog.MethodSets.MethodSet(t).Lookup(inv.method.Pkg(), inv.method.Name())
	if sel == nil {
		return
	}
	if m := r.prog.MethodValue(sel); m != nil {
		visit(m, inv.fn)
	}
}
