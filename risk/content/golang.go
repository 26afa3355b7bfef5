package content

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// The Go front end: module zips as the module proxy serves them
// (module@version/…), parsed with the standard library's go/parser. Only
// the code that runs when a program imports the package is followed:
// init functions, package-level variable initialisers, and the
// functions of the same file they call. Everything else in a library
// runs when its caller asks for it, and is the caller's business.

// goAPIs are the Go APIs the analysis knows, by import path and
// name, with their roles. They are added to apis (whose keys
// for JavaScript and Python never contain a "/" or start with an upper
// case name, so they cannot collide) when the package is initialised.
var goAPIs = map[string]capi{
	"os.Getenv": apiEnvGet, "os.LookupEnv": apiEnvGet, "os.Environ": apiEnvAll, "syscall.Getenv": apiEnvGet,
	"syscall.Environ": apiEnvAll,
	"os.ReadFile":     apiReadFile, "io/ioutil.ReadFile": apiReadFile, "os.Open": apiReadFile, "os.ReadDir": apiReadFile,
	"os.WriteFile": apiWriteFile, "io/ioutil.WriteFile": apiWriteFile,
	"os.Chmod": apiChmod, "os.UserHomeDir": apiHome, "os.Hostname": apiSysinfo, "os/user.Current": apiSysinfo,
	"net.Interfaces":     apiSysinfo,
	"path/filepath.Join": apiPathJoin, "path.Join": apiPathJoin,
	"os/exec.Command": apiSpawn, "os/exec.CommandContext": apiSpawn, "syscall.Exec": apiSpawn,
	"syscall.ForkExec": apiSpawn, "os.StartProcess": apiSpawn, "golang.org/x/sys/unix.Exec": apiSpawn,
	"net/http.Get": apiNetGet, "net/http.Post": apiNet, "net/http.PostForm": apiNet, "net/http.Head": apiNetGet,
	"net/http.NewRequest": apiNet, "net/http.NewRequestWithContext": apiNet,
	"net.Dial": apiNet, "net.DialTimeout": apiNet, "net.DialTCP": apiNet, "net.DialUDP": apiNet,
	"crypto/tls.Dial": apiNet, "net/smtp.SendMail": apiNet,
	"net.LookupHost": apiDNS, "net.LookupIP": apiDNS, "net.LookupTXT": apiDNS, "net.LookupAddr": apiDNS,
	"net.LookupCNAME": apiDNS, "net.ResolveIPAddr": apiDNS,
	"encoding/json.Marshal": apiEncode, "encoding/base64.StdEncoding.EncodeToString": apiEncode,
	"encoding/base64.URLEncoding.EncodeToString": apiEncode, "encoding/hex.EncodeToString": apiEncode,
	"net/url.QueryEscape": apiEncode, "strings.NewReader": apiEncode, "bytes.NewReader": apiEncode,
	"bytes.NewBuffer": apiEncode, "bytes.NewBufferString": apiEncode, "io.ReadAll": apiEncode, "io/ioutil.ReadAll": apiEncode,
	"strings.ToUpper": apiEncode, "strings.ToLower": apiEncode, "strings.TrimSpace": apiEncode,
	"golang.design/x/clipboard.Read": apiCollect, "github.com/atotto/clipboard.ReadAll": apiCollect,
	"github.com/kbinani/screenshot.CaptureDisplay": apiCollect,
}

func init() {
	for k, v := range goAPIs {
		apis[k] = v
	}
}

// Limits of the Go front end.
const (
	goMaxCallDepth = 8
	goMaxFuncVisit = 200 // analyses of file functions per file
	// goMaxExprNest bounds the recursion over nested expressions (a
	// chain of a million additions is a tree a million deep).
	goMaxExprNest = 512
)

// cgoFlagRe finds #cgo flags that make the compiler or the
// linker load or run code of the package's choosing at build time;
// the go command refuses most of them unless CGO_*_ALLOW is set, so a
// package that needs one asks its users to open that door.
var cgoFlagRe = regexp.MustCompile(`(^|\s)(-fplugin\S*|-specs\S*|-B\S*|--?wrapper\S*|-Wl,--plugin\S*|-Wl,-z,execstack|-fplugin-arg\S*|-load\S*|-Xclang\S*)`)

// goAnalysis is the state of one Go file's analysis.
type goAnalysis struct {
	*fileAnalysis
	fset    *token.FileSet
	imports map[string]string // local name → import path
	pkg     map[string]cval   // package-level constants and variables
	funcs   map[string]*ast.FuncDecl
	visits  int
	depth   int
	nest    int // expression nesting, bounded by goMaxExprNest
}

// goFrame is a function's local names and what it returns.
type goFrame struct {
	vars map[string]cval
	ret  cval
}

// analyseGo parses a as Go and follows the code that runs at init.
func analyseGo(a *fileAnalysis) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("go analysis failed: %v", r)
		}
	}()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, a.file, a.src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return fmt.Errorf("go syntax: %w", err)
	}
	g := &goAnalysis{fileAnalysis: a, fset: fset, imports: map[string]string{}, pkg: map[string]cval{}, funcs: map[string]*ast.FuncDecl{}}
	g.directives(f)
	for _, im := range f.Imports {
		p, err := strconv.Unquote(im.Path.Value)
		if err != nil {
			continue
		}
		local := path.Base(p)
		if strings.HasPrefix(local, "v") && len(local) > 1 && local[1] >= '0' && local[1] <= '9' {
			local = path.Base(path.Dir(p)) // example.com/mod/v2
		}
		local = strings.TrimPrefix(strings.TrimSuffix(local, ".v3"), "go-")
		if im.Name != nil {
			local = im.Name.Name
		}
		if local == "_" || local == "." {
			continue
		}
		g.imports[local] = p
	}
	var inits []*ast.FuncDecl
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
			if fd.Recv == nil && fd.Name.Name == "init" {
				inits = append(inits, fd)
			} else if fd.Recv == nil {
				g.funcs[fd.Name.Name] = fd
			}
		}
	}
	// Constants first (they hold the pieces of obfuscated strings), then
	// variables in source order: both run before init.
	for _, tokKind := range []token.Token{token.CONST, token.VAR} {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != tokKind {
				continue
			}
			for _, s := range gd.Specs {
				if vs, ok := s.(*ast.ValueSpec); ok {
					g.valueSpec(nil, vs)
				}
			}
		}
	}
	for _, fd := range inits {
		g.call(fd.Type, fd.Body, nil)
	}
	return nil
}

// directives notes //go:generate lines (they run at go generate, on
// the developer's machine) and #cgo flags that load code at build.
func (g *goAnalysis) directives(f *ast.File) {
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			line := g.fset.Position(c.Pos()).Line
			if cmd, ok := strings.CutPrefix(c.Text, "//go:generate "); ok {
				if shellDownloadRe.MatchString(cmd) {
					g.report("shell-download-exec", "process.download-exec", line, c.Text,
						fmt.Sprintf("has a go:generate command that downloads and runs a program: %q", quote(cmd)), []string{fmt.Sprintf("go:generate (line %d)", line)})
				}
			}
		}
	}
	if f.Doc == nil && len(f.Comments) == 0 {
		return
	}
	// cgo directives live in the comment just before import "C".
	for _, im := range f.Imports {
		if im.Path.Value != `"C"` {
			continue
		}
		doc := im.Doc
		if doc == nil {
			for _, d := range f.Decls {
				if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT && len(gd.Specs) == 1 && gd.Specs[0] == ast.Spec(im) {
					doc = gd.Doc
				}
			}
		}
		if doc == nil {
			continue
		}
		for _, c := range doc.List {
			for i, l := range strings.Split(c.Text, "\n") {
				l = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(l, "//"), "/*"))
				rest, ok := strings.CutPrefix(l, "#cgo ")
				if !ok {
					continue
				}
				if m := cgoFlagRe.FindStringSubmatch(rest); m != nil {
					line := g.fset.Position(c.Pos()).Line + i
					g.report("install-script", "process.hooks", line, l,
						fmt.Sprintf("has a #cgo directive with the flag %s, which makes the compiler or linker load code at build time", m[2]), nil)
				}
			}
		}
	}
}

func (g *goAnalysis) line(n ast.Node) int { return g.fset.Position(n.Pos()).Line }

func (g *goAnalysis) span(n ast.Node) string {
	s, e := g.fset.Position(n.Pos()).Offset, g.fset.Position(n.End()).Offset
	if s < 0 || e > len(g.src) || s > e {
		return ""
	}
	if e-s > 200 {
		e = s + 200
	}
	return string(g.src[s:e])
}

// call analyses a function body with its parameters bound to args and
// returns what it returns.
func (g *goAnalysis) call(ft *ast.FuncType, body *ast.BlockStmt, args []cval) cval {
	if g.depth >= goMaxCallDepth || g.visits >= goMaxFuncVisit || body == nil {
		return cunknown().join(joinAll(args))
	}
	g.depth++
	g.visits++
	defer func() { g.depth-- }()
	fr := &goFrame{vars: map[string]cval{}, ret: cval{s: unknownPart}}
	i := 0
	if ft != nil && ft.Params != nil {
		for _, p := range ft.Params.List {
			for _, n := range p.Names {
				if i < len(args) {
					fr.vars[n.Name] = args[i]
				} else {
					fr.vars[n.Name] = cunknown()
				}
				i++
			}
		}
	}
	g.block(fr, body.List)
	return fr.ret
}

func joinAll(vs []cval) cval {
	out := cval{}
	for _, v := range vs {
		out = out.join(v)
	}
	return out
}

func (g *goAnalysis) block(fr *goFrame, list []ast.Stmt) {
	for _, s := range list {
		if g.exhausted {
			return
		}
		g.stmt(fr, s)
	}
}

func (g *goAnalysis) stmt(fr *goFrame, s ast.Stmt) {
	if s == nil || !g.spend(1) {
		return
	}
	switch s := s.(type) {
	case *ast.AssignStmt:
		if len(s.Rhs) == 1 && len(s.Lhs) > 1 {
			// v, err := f(): the first result carries the value.
			v := g.expr(fr, s.Rhs[0])
			g.assign(fr, s.Lhs[0], v, s.Tok)
			return
		}
		for i, r := range s.Rhs {
			v := g.expr(fr, r)
			if i < len(s.Lhs) {
				if s.Tok == token.ADD_ASSIGN {
					v = concat(g.expr(fr, s.Lhs[i]), v)
				}
				g.assign(fr, s.Lhs[i], v, s.Tok)
			}
		}
	case *ast.DeclStmt:
		if gd, ok := s.Decl.(*ast.GenDecl); ok {
			for _, sp := range gd.Specs {
				if vs, ok := sp.(*ast.ValueSpec); ok {
					g.valueSpec(fr, vs)
				}
			}
		}
	case *ast.ExprStmt:
		g.expr(fr, s.X)
	case *ast.GoStmt:
		g.expr(fr, s.Call)
	case *ast.DeferStmt:
		g.expr(fr, s.Call)
	case *ast.ReturnStmt:
		if len(s.Results) > 0 {
			v := g.expr(fr, s.Results[0])
			if fr.ret.s == unknownPart && !fr.ret.known && fr.ret.taint == 0 {
				fr.ret = v
			} else {
				fr.ret = fr.ret.join(v)
			}
		}
	case *ast.BlockStmt:
		g.block(fr, s.List)
	case *ast.IfStmt:
		g.stmt(fr, s.Init)
		g.expr(fr, s.Cond)
		g.block(fr, s.Body.List)
		g.stmt(fr, s.Else)
	case *ast.ForStmt:
		g.stmt(fr, s.Init)
		g.block(fr, s.Body.List)
	case *ast.RangeStmt:
		v := g.expr(fr, s.X)
		if id, ok := s.Value.(*ast.Ident); ok {
			fr.vars[id.Name] = cval{s: unknownPart}.join(v)
		}
		g.block(fr, s.Body.List)
	case *ast.SwitchStmt:
		g.stmt(fr, s.Init)
		g.expr(fr, s.Tag)
		g.block(fr, s.Body.List)
	case *ast.TypeSwitchStmt:
		g.block(fr, s.Body.List)
	case *ast.CaseClause:
		g.block(fr, s.Body)
	case *ast.SelectStmt:
		g.block(fr, s.Body.List)
	case *ast.CommClause:
		g.block(fr, s.Body)
	case *ast.LabeledStmt:
		g.stmt(fr, s.Stmt)
	}
}

func (g *goAnalysis) valueSpec(fr *goFrame, vs *ast.ValueSpec) {
	for i, n := range vs.Names {
		v := cunknown()
		switch {
		case i < len(vs.Values):
			v = g.expr(fr, vs.Values[i])
		case len(vs.Values) == 1 && i > 0:
			continue
		}
		g.assign(fr, n, v, token.DEFINE)
	}
}

func (g *goAnalysis) assign(fr *goFrame, lhs ast.Expr, v cval, tok token.Token) {
	switch l := lhs.(type) {
	case *ast.Ident:
		if l.Name == "_" {
			return
		}
		if fr == nil {
			g.pkg[l.Name] = v
			return
		}
		if _, local := fr.vars[l.Name]; local || tok == token.DEFINE {
			fr.vars[l.Name] = v
		} else {
			g.pkg[l.Name] = v
		}
	case *ast.IndexExpr, *ast.SelectorExpr, *ast.StarExpr:
		// x.f = v, m[k] = v: the object carries v.
		var root ast.Expr = l
		for {
			switch r := root.(type) {
			case *ast.IndexExpr:
				root = r.X
				continue
			case *ast.SelectorExpr:
				root = r.X
				continue
			case *ast.StarExpr:
				root = r.X
				continue
			}
			break
		}
		if id, ok := root.(*ast.Ident); ok {
			old := g.lookup(fr, id.Name)
			g.assign(fr, id, old.join(v), token.ASSIGN)
		}
	}
}

func (g *goAnalysis) lookup(fr *goFrame, name string) cval {
	if fr != nil {
		if v, ok := fr.vars[name]; ok {
			return v
		}
	}
	if v, ok := g.pkg[name]; ok {
		return v
	}
	if p, ok := g.imports[name]; ok {
		return cref(p)
	}
	return cunknown()
}

// expr returns the abstract value of e, reporting what calls do.
func (g *goAnalysis) expr(fr *goFrame, e ast.Expr) cval {
	if e == nil || !g.spend(1) || g.nest >= goMaxExprNest {
		return cunknown()
	}
	g.nest++
	defer func() { g.nest-- }()
	switch e := e.(type) {
	case *ast.BasicLit:
		switch e.Kind {
		case token.STRING, token.CHAR:
			s, err := strconv.Unquote(e.Value)
			if err != nil {
				return cunknown()
			}
			v := cstr(s)
			v.lit = true
			return v
		case token.INT:
			return cval{s: e.Value, known: true, num: true}
		}
		return cunknown()
	case *ast.Ident:
		return g.lookup(fr, e.Name)
	case *ast.ParenExpr:
		return g.expr(fr, e.X)
	case *ast.BinaryExpr:
		l, r := g.expr(fr, e.X), g.expr(fr, e.Y)
		if e.Op == token.ADD {
			// Building a long string costs its length: the budget
			// bounds the copying a chain of additions can cause.
			g.spend((len(l.s) + len(r.s)) / 4)
			return concat(l, r)
		}
		return cunknown().join(l).join(r)
	case *ast.SelectorExpr:
		x := g.expr(fr, e.X)
		if x.ref != "" && !strings.HasSuffix(x.ref, "()") {
			v := cref(x.ref + "." + e.Sel.Name)
			v.obf = x.obf
			return v
		}
		// A field of a value carries what the value carries (resp.Body).
		out := cval{s: unknownPart, ref: x.ref}.join(x)
		if x.ref != "" {
			out.method, out.recv = e.Sel.Name, &x
		}
		return out
	case *ast.IndexExpr:
		x := g.expr(fr, e.X)
		g.expr(fr, e.Index)
		if el, ok := x.fn.([]cval); ok {
			if i, err := strconv.Atoi(g.expr(fr, e.Index).s); err == nil && i >= 0 && i < len(el) {
				return el[i]
			}
		}
		return cval{s: unknownPart}.join(x)
	case *ast.SliceExpr:
		return cval{s: unknownPart}.join(g.expr(fr, e.X))
	case *ast.StarExpr:
		return g.expr(fr, e.X)
	case *ast.UnaryExpr:
		return g.expr(fr, e.X)
	case *ast.CompositeLit:
		var el []cval
		all := cval{}
		for _, x := range e.Elts {
			if kv, ok := x.(*ast.KeyValueExpr); ok {
				x = kv.Value
			}
			v := g.expr(fr, x)
			el = append(el, v)
			all = all.join(v)
		}
		out := cval{s: unknownPart, fn: el}.join(all)
		return out
	case *ast.FuncLit:
		// A closure called on the spot is analysed at its call; one
		// stored for later is not init-time code.
		return cval{s: unknownPart, fn: e}
	case *ast.CallExpr:
		return g.callExpr(fr, e)
	}
	return cunknown()
}

func (g *goAnalysis) callExpr(fr *goFrame, e *ast.CallExpr) cval {
	args := make([]cval, 0, len(e.Args))
	for _, a := range e.Args {
		args = append(args, g.expr(fr, a))
	}
	if e.Ellipsis.IsValid() && len(args) > 0 {
		if el, ok := args[len(args)-1].fn.([]cval); ok {
			args = append(args[:len(args)-1], el...)
		}
	}
	line, span := g.line(e), g.span(e)
	// Conversions: string(b), []byte(s).
	switch fun := e.Fun.(type) {
	case *ast.ArrayType:
		if len(args) == 1 {
			return args[0]
		}
	case *ast.Ident:
		switch fun.Name {
		case "string", "byte", "rune":
			if len(args) == 1 {
				return args[0]
			}
		case "append":
			if len(args) > 0 {
				el, _ := args[0].fn.([]cval)
				out := cval{s: unknownPart, fn: append(append([]cval(nil), el...), args[1:]...)}.join(joinAll(args))
				return out
			}
		}
		if fd, ok := g.funcs[fun.Name]; ok {
			if fr == nil || !goShadowed(fr, fun.Name) {
				return g.call(fd.Type, fd.Body, args)
			}
		}
	case *ast.FuncLit:
		return g.call(fun.Type, fun.Body, args)
	}
	callee := g.expr(fr, e.Fun)
	if fl, ok := callee.fn.(*ast.FuncLit); ok {
		return g.call(fl.Type, fl.Body, args)
	}
	ref := callee.ref
	switch ref {
	case "strings.Join":
		if len(args) == 2 {
			if el, ok := args[0].fn.([]cval); ok {
				out := cval{known: args[1].known}
				for i, x := range el {
					if i > 0 {
						out = concat(out, args[1])
					}
					out = concat(out, x)
				}
				if len(el) == 0 {
					out = cstr("")
				}
				return out.join(args[0])
			}
		}
		return cunknown().join(joinAll(args))
	case "fmt.Sprintf", "fmt.Sprint", "fmt.Sprintln":
		return g.sprintf(ref, args)
	case "strings.Replace", "strings.ReplaceAll":
		if len(args) >= 3 && args[0].known && args[1].known && args[2].known {
			return cstr(strings.ReplaceAll(args[0].s, args[1].s, args[2].s)).join(args[0])
		}
		return cunknown().join(joinAll(args))
	case "fmt.Fprintf", "fmt.Fprint", "fmt.Fprintln", "io.WriteString", "io.Copy":
		// Writing into a connection sends data.
		if len(args) > 1 && args[0].ref != "" {
			if r := apiOf(strings.TrimSuffix(args[0].ref, "()")); r == apiNet || r == apiNetGet {
				g.netSink(strings.TrimSuffix(args[0].ref, "()")+"."+strings.TrimPrefix(ref, "fmt."), r, args[1:], line, span)
			}
		}
		return cunknown()
	}
	if callee.method != "" && callee.recv != nil {
		return g.method(*callee.recv, callee.method, args, line, span)
	}
	if dec, ok := goDecoders[ref]; ok {
		out := cval{s: unknownPart}.join(joinAll(args))
		if len(args) > 0 && args[0].known {
			if s, ok := dec(args[0].s); ok {
				out.s, out.known = s, true
			}
		}
		return out.withTaint(taintDecoded, fmt.Sprintf("decoded by %s (line %d)", ref, line))
	}
	if ref != "" && apiOf(ref) != apiNone {
		v := g.callAPI(ref, args, line, span, callee.obf)
		if r := apiOf(ref); r == apiNet || r == apiNetGet || r == apiDNS {
			v.ref = ref + "()"
		}
		return v
	}
	if ref != "" {
		// An API the analysis does not know: its result carries what
		// its arguments carry.
		return cval{s: unknownPart}.join(joinAll(args))
	}
	return cval{s: unknownPart}.join(joinAll(args))
}

// method handles a method called on a value: exec.Command(…).Run(),
// conn.Write(data), client.Do(req).
func (g *goAnalysis) method(recv cval, m string, args []cval, line int, span string) cval {
	api := strings.TrimSuffix(recv.ref, "()")
	switch apiOf(api) {
	case apiNet, apiNetGet:
		switch m {
		case "Write", "WriteString", "WriteTo", "Do":
			g.netSink(api+"."+m, apiOf(api), args, line, span)
		}
	}
	return cval{s: unknownPart, ref: recv.ref}.join(recv).join(joinAll(args))
}

// goDecoders decode constants the way the named API would.
var goDecoders = map[string]func(string) (string, bool){
	"encoding/base64.StdEncoding.DecodeString":    goB64(base64.StdEncoding),
	"encoding/base64.RawStdEncoding.DecodeString": goB64(base64.RawStdEncoding),
	"encoding/base64.URLEncoding.DecodeString":    goB64(base64.URLEncoding),
	"encoding/base64.RawURLEncoding.DecodeString": goB64(base64.RawURLEncoding),
	"encoding/hex.DecodeString": func(s string) (string, bool) {
		b, err := hex.DecodeString(s)
		return string(b), err == nil
	},
}

func goB64(enc *base64.Encoding) func(string) (string, bool) {
	return func(s string) (string, bool) {
		b, err := enc.DecodeString(s)
		return string(b), err == nil
	}
}

// sprintf formats known verbs with known arguments; unknown parts stay
// unknown.
func (g *goAnalysis) sprintf(ref string, args []cval) cval {
	if ref != "fmt.Sprintf" || len(args) == 0 || !args[0].known {
		out := cval{s: unknownPart}
		for _, a := range args {
			out = concat(out, a)
		}
		return out
	}
	f, rest := args[0].s, args[1:]
	out := cstr("")
	for len(f) > 0 {
		i := strings.IndexByte(f, '%')
		if i < 0 || i+1 >= len(f) {
			out = concat(out, cstr(f))
			break
		}
		out = concat(out, cstr(f[:i]))
		j := i + 1
		for j < len(f) && strings.IndexByte("+-# 0123456789.", f[j]) >= 0 {
			j++
		}
		if j >= len(f) {
			break
		}
		if f[j] == '%' {
			out = concat(out, cstr("%"))
		} else if len(rest) > 0 {
			out = concat(out, rest[0])
			rest = rest[1:]
		} else {
			out = concat(out, cunknown())
		}
		f = f[j+1:]
	}
	return out.join(args[0])
}

// goModulePrefix returns the module@version directory that holds
// every file of a module zip, or "" when the files are not laid out so.
func goModulePrefix(files []file) string {
	if len(files) == 0 {
		return ""
	}
	at := strings.IndexByte(files[0].name, '@')
	if at <= 0 {
		return ""
	}
	slash := strings.IndexByte(files[0].name[at:], '/')
	if slash < 0 {
		return ""
	}
	prefix := files[0].name[:at+slash+1]
	goFiles := 0
	for _, f := range files {
		if !strings.HasPrefix(f.name, prefix) {
			return ""
		}
		if strings.HasSuffix(f.name, ".go") {
			goFiles++
		}
	}
	if goFiles == 0 && find(files, prefix+"go.mod") == nil {
		return ""
	}
	return prefix
}

// goInitRe finds init functions cheaply, for the list of hooks.
var goInitRe = regexp.MustCompile(`(?m)^func init\(\)`)

// goManifest marks the module's Go files (tests aside) as code that runs
// when a program imports their package, and lists the files with init
// functions and the go:generate commands as the module's hooks.
func (a *analysis) goManifest(files []file) {
	for _, f := range files {
		if !goCode(f.name) || goIgnored(f.data) {
			continue
		}
		a.install[f.name] = "Go package initialisation"
		if goInitRe.Match(f.data) {
			a.rep.InstallHooks = append(a.rep.InstallHooks, "init(): "+f.name)
		}
		for i, l := range strings.Split(string(f.data), "\n") {
			if cmd, ok := strings.CutPrefix(l, "//go:generate "); ok && len(a.rep.InstallHooks) < 200 {
				a.rep.InstallHooks = append(a.rep.InstallHooks, fmt.Sprintf("go:generate (%s:%d): %s", f.name, i+1, quote(cmd)))
			}
		}
	}
}

// goCode says a module file is Go code a program importing the
// module may build (not a test, not under testdata).
func goCode(name string) bool {
	return strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") &&
		!strings.HasPrefix(name, "testdata/") && !strings.Contains(name, "/testdata/")
}

func goShadowed(fr *goFrame, name string) bool {
	_, ok := fr.vars[name]
	return ok
}

// goDropInvisibleInData removes the invisible-characters findings of a
// Go file whose characters sit in string literals or comments (Unicode
// tables of lexers and regular expressions); in Go, such a character
// hides code only in an identifier.
func goDropInvisibleInData(a *fileAnalysis) {
	var keys []string
	for k, f := range a.findings {
		if f.Rule == "invisible-characters" {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return
	}
	lines := map[int]bool{}
	fset := token.NewFileSet()
	if f, err := parser.ParseFile(fset, a.file, a.src, parser.SkipObjectResolution); err == nil {
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && strings.ContainsAny(id.Name, "\u3164\uffa0\u115f\u1160") {
				lines[fset.Position(id.Pos()).Line] = true
			}
			return true
		})
	} else {
		return // unparsed: keep what the text shows
	}
	for _, k := range keys {
		if !lines[a.findings[k].Line] {
			delete(a.findings, k)
		}
	}
}

// goIgnored says a Go file is excluded from every build by the
// conventional "ignore" constraint (generators, templates): the go
// command never compiles it, so nothing in it runs at init.
func goIgnored(src []byte) bool {
	head := src
	if i := bytes.Index(src, []byte("\npackage ")); i >= 0 {
		head = src[:i]
	}
	for _, l := range strings.Split(string(head), "\n") {
		l = strings.TrimSpace(l)
		if l == "//go:build ignore" || l == "// +build ignore" {
			return true
		}
	}
	return false
}
