package risk

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/scanner"
	"go/token"
	"go/types"
	"os"
	"runtime"
	"sync"

	"golang.org/x/tools/go/packages"
)

// goSourceTypeCheck parses and type-checks the packages of an import graph
// loaded by packages.Load without syntax or types (the go command's
// metadata only), each once its imports are, GOMAXPROCS at a time, and
// fills in their Syntax, Types and TypesInfo; errors go to each
// package's Errors, as packages.Load reports them.
//
// It does by hand what packages.Load does with NeedSyntax, NeedTypes
// and NeedTypesInfo because Load would run the go command a second time
// (goSourceGraph needs the import graph first, to choose the files whose
// bodies are skipped, and a go list of a few hundred packages costs a
// tenth of the whole scan). Files are parsed by skip.parse.
func goSourceTypeCheck(ctx context.Context, fset *token.FileSet, graph []*packages.Package, skip *goSourceSkip) error {
	var all []*packages.Package
	packages.Visit(graph, nil, func(p *packages.Package) { all = append(all, p) })
	done := make(map[*packages.Package]chan struct{}, len(all))
	for _, p := range all {
		done[p] = make(chan struct{})
	}
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for _, p := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[p])
			// Parse at once (no import needed), type-check when the
			// imports are.
			sem <- struct{}{}
			files := goSourceParse(fset, p, skip)
			<-sem
			for _, imp := range p.Imports {
				<-done[imp]
			}
			if ctx.Err() != nil {
				return
			}
			sem <- struct{}{}
			defer func() { <-sem }()
			goSourceTypeCheckOne(fset, p, files, skip.pkgs[p.PkgPath] && !goSourceHasBodies(files))
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// goSourceParse parses the files of a package.
func goSourceParse(fset *token.FileSet, p *packages.Package, skip *goSourceSkip) []*ast.File {
	if p.PkgPath == "unsafe" {
		return nil
	}
	files := make([]*ast.File, 0, len(p.CompiledGoFiles))
	for _, name := range p.CompiledGoFiles {
		src, err := os.ReadFile(name)
		if err != nil {
			p.Errors = append(p.Errors, packages.Error{Pos: name, Msg: err.Error(), Kind: packages.ParseError})
			continue
		}
		f, err := skip.parse(fset, name, src)
		var list scanner.ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				p.Errors = append(p.Errors, packages.Error{Pos: e.Pos.String(), Msg: e.Msg, Kind: packages.ParseError})
			}
		} else if err != nil {
			p.Errors = append(p.Errors, packages.Error{Pos: name, Msg: err.Error(), Kind: packages.ParseError})
		}
		if f != nil {
			files = append(files, f)
		}
	}
	return files
}

// goSourceTypeCheckOne type-checks one package whose imports are
// type-checked.
//
// With declsOnly (a skipped package without generic code) only its
// declarations are checked and neither its syntax nor type information
// is kept: its SSA package is made from its types, as from export data.
func goSourceTypeCheckOne(fset *token.FileSet, p *packages.Package, files []*ast.File, declsOnly bool) {
	if p.PkgPath == "unsafe" {
		// As packages.Load: the type checker's own, no syntax.
		p.Fset, p.Types = fset, types.Unsafe
		return
	}
	var info *types.Info
	if !declsOnly {
		info = &types.Info{
			Types:        map[ast.Expr]types.TypeAndValue{},
			Defs:         map[*ast.Ident]types.Object{},
			Uses:         map[*ast.Ident]types.Object{},
			Implicits:    map[ast.Node]types.Object{},
			Instances:    map[*ast.Ident]types.Instance{},
			Scopes:       map[ast.Node]*types.Scope{},
			Selections:   map[*ast.SelectorExpr]*types.Selection{},
			FileVersions: map[*ast.File]string{},
		}
	}
	conf := &types.Config{
		Importer: goSourceImporter(func(path string) (*types.Package, error) {
			if path == "unsafe" {
				return types.Unsafe, nil
			}
			// Keyed by the import path written in the source.
			if ip := p.Imports[path]; ip != nil && ip.Types != nil {
				return ip.Types, nil
			}
			return nil, fmt.Errorf("package %s not loaded", path)
		}),
		Sizes: p.TypesSizes,
		Error: func(err error) {
			var te types.Error
			if errors.As(err, &te) {
				p.Errors = append(p.Errors, packages.Error{Pos: te.Fset.Position(te.Pos).String(), Msg: te.Msg, Kind: packages.TypeError})
				return
			}
			p.Errors = append(p.Errors, packages.Error{Pos: "-", Msg: err.Error(), Kind: packages.TypeError})
		},
	}
	if p.Module != nil && p.Module.GoVersion != "" {
		conf.GoVersion = "go" + p.Module.GoVersion
	}
	// Without bodies to check, no "imported and not used" either.
	conf.IgnoreFuncBodies = declsOnly
	p.Fset, p.Types = fset, types.NewPackage(p.PkgPath, p.Name)
	// Errors are reported through conf.Error.
	_ = types.NewChecker(conf, fset, p.Types, info).Files(files)
	if !declsOnly {
		p.Syntax, p.TypesInfo = files, info
	}
}

// goSourceHasBodies reports whether a function of files has a body
// (after skip.parse: a generic one), init and main aside.
func goSourceHasBodies(files []*ast.File) bool {
	for _, f := range files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil && !(fd.Recv == nil && (fd.Name.Name == "init" || fd.Name.Name == "main")) {
				return true
			}
		}
	}
	return false
}

// goSourceImporter is a types.Importer of a function.
type goSourceImporter func(path string) (*types.Package, error)

// Import implements types.Importer.
func (f goSourceImporter) Import(path string) (*types.Package, error) { return f(path) }
