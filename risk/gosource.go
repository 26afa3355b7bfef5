package risk

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/callgraph"
	"golang.org/x/tools/go/callgraph/vta"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"

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
// returns an error matching ErrGoSourceIncomplete that names it. The
// standard library is not scanned (a module does not fix its toolchain:
// scan the binary with ScanGoBinary for that). Reflection and unsafe
// calls are not followed, as in govulncheck. The packages are loaded and
// the call graph built only when a finding has an affected package
// imported.
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
	if slices.ContainsFunc(pre.Findings, goSourceNeedsGraph) {
		if g, err = goSourceGraph(ctx, dir, mainPath); err != nil {
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
func goSourceGraph(ctx context.Context, dir, mainPath string) (*goSourceCallGraph, error) {
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
	cfg := &packages.Config{
		Context: ctx,
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedDeps |
			packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedModule,
		Dir: dir,
		// As sbom.FromGoModule: offline, on a copy of go.mod and go.sum.
		Env: append(os.Environ(), "GOFLAGS=-mod=mod -modfile="+filepath.Join(tmp, "go.mod"),
			"GOPROXY=off", "GOSUMDB=off", "GOWORK=off", "GOTOOLCHAIN=local"),
	}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		return nil, fmt.Errorf("%w: load packages: %w (the module's dependencies must be in the module cache: go mod download)", ErrGoSourceIncomplete, err)
	}
	var loadErrs []string
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
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
	prog, ssaPkgs := ssautil.AllPackages(pkgs, ssa.InstantiateGenerics)
	prog.Build()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cg := vta.CallGraph(ssautil.AllFunctions(prog), nil)

	var entries []*ssa.Function
	for _, p := range ssaPkgs {
		if p == nil || (p.Pkg.Path() != mainPath && !strings.HasPrefix(p.Pkg.Path(), mainPath+"/")) {
			continue
		}
		entries = append(entries, goSourceEntries(prog, p)...)
	}
	g := &goSourceCallGraph{reachable: map[string][]string{}, parent: map[*ssa.Function]*ssa.Function{}, byName: map[string]*ssa.Function{}, first: map[string]string{}}
	queue := []*ssa.Function{}
	for _, fn := range entries {
		if _, seen := g.parent[fn]; !seen {
			g.parent[fn] = nil
			queue = append(queue, fn)
		}
	}
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
		n := cg.Nodes[fn]
		if n == nil {
			continue
		}
		// In call-site order, so the paths do not depend on the order
		// of the graph's edges.
		out := slices.Clone(n.Out)
		slices.SortStableFunc(out, func(a, b *callgraph.Edge) int {
			if c := cmp.Compare(a.Pos(), b.Pos()); c != 0 {
				return c
			}
			return strings.Compare(a.Callee.Func.String(), b.Callee.Func.String())
		})
		for _, e := range out {
			if callee := e.Callee.Func; callee != nil {
				if _, seen := g.parent[callee]; !seen {
					g.parent[callee] = fn
					queue = append(queue, callee)
				}
			}
		}
	}
	for _, names := range g.reachable {
		slices.Sort(names)
	}
	return g, nil
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
