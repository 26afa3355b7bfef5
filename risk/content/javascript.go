package content

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// The JavaScript front end parses with tdewolff/parse's js package
// (ES2022+, CommonJS and ESM) and follows values through the tree: an
// abstract interpretation, flow-insensitive within a file, that knows
// strings as far as they are constant and what each value carries.
//
// tdewolff's AST has no positions; its literals and identifiers are
// slices of the input buffer, so a node's offset is the distance between
// their addresses (jsAnalysis.offset).

// jsFunc is a function defined in the file: its parameters and what it
// returns, so that a call with tainted arguments taints its body.
type jsFunc struct {
	params []js.IBinding
	body   *js.BlockStmt
	ret    cval
	args   []cval // joined values of the arguments of its calls
}

type jsAnalysis struct {
	*fileAnalysis
	buf      []byte // the parser's input, with its trailing NUL
	vars     map[*js.Var]cval
	names    map[string]cval // imports, which the AST binds by name
	funcs    map[*js.Var]*jsFunc
	bodies   map[*js.BlockStmt]*jsFunc
	fnStack  []*jsFunc
	line     int    // line of the last located node
	off      int    // its offset
	spanOff  int    // the offset span was computed at
	spanText string // and its text
	// lineStarts are the offsets at which lines start.
	lineStarts []int
	changed    bool // a function's arguments gained taint in this pass
}

// jsGlobals are the undeclared names the analysis knows.
var jsGlobals = map[string]string{
	"eval": "eval", "Function": "Function", "require": "require", "process": "process", "Buffer": "Buffer",
	"atob": "atob", "btoa": "btoa", "fetch": "fetch", "String": "String", "JSON": "JSON", "Object": "Object",
	"globalThis": "global", "global": "global", "window": "global", "self": "global", "module": "module",
	"XMLHttpRequest": "XMLHttpRequest", "WebSocket": "WebSocket", "decodeURIComponent": "decodeURIComponent",
	"unescape": "unescape", "encodeURIComponent": "encodeURIComponent", "setTimeout": "setTimeout",
	"setInterval": "setInterval",
}

// analyseJS parses src as JavaScript and adds its findings to a. It
// returns an error when the file does not parse.
func analyseJS(a *fileAnalysis) (err error) {
	defer func() {
		// The parser is bounded (js.NestedExprLimit), but a panic in a
		// dependency on crafted input must not take the scan down: the
		// file is reported as skipped instead.
		if r := recover(); r != nil {
			err = fmt.Errorf("javascript parser failed: %v", r)
		}
	}()
	buf := make([]byte, len(a.src), len(a.src)+1)
	copy(buf, a.src)
	in := parse.NewInputBytes(buf)
	ast, err := js.Parse(in, js.Options{})
	if err != nil {
		msg := err.Error()
		if pe, ok := err.(*parse.Error); ok {
			msg = fmt.Sprintf("line %d column %d: %s", pe.Line, pe.Column, pe.Message)
		}
		return fmt.Errorf("javascript syntax: %s", msg)
	}
	lineStarts := []int{0}
	for i, c := range a.src {
		if c == '\n' {
			lineStarts = append(lineStarts, i+1)
		}
	}
	j := &jsAnalysis{fileAnalysis: a, lineStarts: lineStarts, buf: buf[:cap(buf)], vars: map[*js.Var]cval{}, names: map[string]cval{}, funcs: map[*js.Var]*jsFunc{}, bodies: map[*js.BlockStmt]*jsFunc{}, line: 1}
	// Passes until the arguments of the file's own functions stop
	// gaining taint (three at most: a chain of helpers is short).
	for pass := 0; pass < 3; pass++ {
		// Each pass walks the whole file with what the earlier ones
		// learnt; only the last one's findings stand (an early pass
		// does not yet know every argument's value).
		clear(a.findings)
		j.changed = false
		j.block(ast.BlockStmt.List)
		// A second pass always: callbacks run before the statements
		// after them bind the values they use (const c = net.connect(…,
		// () => c.write(…))).
		if pass > 0 && !j.changed || a.exhausted {
			break
		}
	}
	return nil
}

// offset returns the position of b in the input, or -1.
func (j *jsAnalysis) offset(b []byte) int {
	if len(b) == 0 {
		return -1
	}
	// tdewolff's slices are capped at their length, so their offset
	// cannot be read from capacities: compare addresses in the one
	// buffer instead, and check the bytes, so that a slice from
	// elsewhere is never taken for a position.
	off := int(uintptr(unsafe.Pointer(unsafe.SliceData(b))) - uintptr(unsafe.Pointer(unsafe.SliceData(j.buf))))
	if off < 0 || off+len(b) > len(j.buf) || !bytes.Equal(j.buf[off:off+len(b)], b) {
		return -1
	}
	return off
}

// locate moves the current position to b's when b is in the input.
func (j *jsAnalysis) locate(b []byte) {
	if off := j.offset(b); off >= 0 {
		j.off = off
		j.line = sort.SearchInts(j.lineStarts, off+1)
	}
}

// span is the code around the current position: its line, or 300 bytes
// of it in a long (minified) line.
func (j *jsAnalysis) span() string {
	if j.line < 1 || j.line > len(j.lineStarts) {
		return ""
	}
	if j.spanOff == j.off && j.spanText != "" {
		return j.spanText
	}
	j.spanOff = j.off
	start := j.lineStarts[j.line-1]
	end := len(j.src)
	if j.line < len(j.lineStarts) {
		end = j.lineStarts[j.line] - 1
	}
	off := min(max(j.off, start), end)
	if end-start > 300 {
		start = max(start, off-100)
		end = min(end, off+200)
	}
	j.spanText = string(j.src[start:end])
	return j.spanText
}

func (j *jsAnalysis) block(list []js.IStmt) {
	for _, s := range list {
		j.stmt(s)
	}
}

func (j *jsAnalysis) stmt(s js.IStmt) {
	if s == nil || !j.spend(1) {
		return
	}
	switch n := s.(type) {
	case *js.BlockStmt:
		j.block(n.List)
	case *js.ExprStmt:
		j.eval(n.Value)
	case *js.VarDecl:
		j.varDecl(n)
	case *js.IfStmt:
		j.eval(n.Cond)
		j.stmt(n.Body)
		j.stmt(n.Else)
	case *js.DoWhileStmt:
		j.stmt(n.Body)
		j.eval(n.Cond)
	case *js.WhileStmt:
		j.eval(n.Cond)
		j.stmt(n.Body)
	case *js.ForStmt:
		j.eval(n.Init)
		j.eval(n.Cond)
		j.eval(n.Post)
		if n.Body != nil {
			j.block(n.Body.List)
		}
	case *js.ForInStmt:
		j.bindExpr(n.Init, j.eval(n.Value))
		if n.Body != nil {
			j.block(n.Body.List)
		}
	case *js.ForOfStmt:
		v := j.eval(n.Value)
		v.s, v.known, v.ref = unknownPart, false, ""
		j.bindExpr(n.Init, v)
		if n.Body != nil {
			j.block(n.Body.List)
		}
	case *js.SwitchStmt:
		j.eval(n.Init)
		for _, c := range n.List {
			j.eval(c.Cond)
			j.block(c.List)
		}
	case *js.ReturnStmt:
		v := j.eval(n.Value)
		if len(j.fnStack) > 0 {
			f := j.fnStack[len(j.fnStack)-1]
			// A constant result only for functions without parameters:
			// a parameter's value is joined over every call, so what one
			// call returns is not what another does.
			if v.known && f.ret.s == "" && len(f.params) == 0 {
				f.ret = v
			} else {
				f.ret = f.ret.join(v)
				if v.ref != "" {
					f.ret.ref = v.ref
				}
			}
		}
	case *js.LabelledStmt:
		j.stmt(n.Value)
	case *js.ThrowStmt:
		j.eval(n.Value)
	case *js.TryStmt:
		if n.Body != nil {
			j.block(n.Body.List)
		}
		if n.Catch != nil {
			j.block(n.Catch.List)
		}
		if n.Finally != nil {
			j.block(n.Finally.List)
		}
	case *js.WithStmt:
		j.eval(n.Cond)
		j.stmt(n.Body)
	case *js.FuncDecl:
		j.function(n.Name, n.Params, &n.Body)
	case *js.ClassDecl:
		j.class(n)
	case *js.ImportStmt:
		j.importStmt(n)
	case *js.ExportStmt:
		if n.Decl != nil {
			j.eval(n.Decl)
		}
	}
}

func (j *jsAnalysis) importStmt(n *js.ImportStmt) {
	mod := jsUnquote(n.Module)
	j.locate(n.Module)
	if n.Default != nil {
		j.names[string(n.Default)] = cref(mod)
	}
	for _, al := range n.List {
		name := string(al.Name)
		bind := string(al.Binding)
		if bind == "" {
			bind = name
		}
		if name == "*" || name == "default" || name == "" {
			j.names[bind] = cref(mod)
		} else {
			j.names[bind] = cref(mod + "." + name)
		}
	}
}

func (j *jsAnalysis) class(n *js.ClassDecl) {
	j.eval(n.Extends)
	for _, it := range n.List {
		switch {
		case it.StaticBlock != nil:
			j.block(it.StaticBlock.List)
		case it.Method != nil:
			j.function(nil, it.Method.Params, &it.Method.Body)
		default:
			j.eval(it.Field.Init)
		}
	}
}

// function registers a function (by its body, so that every pass finds
// the same one) and walks its body with its parameters bound to what its
// callers passed so far.
func (j *jsAnalysis) function(name *js.Var, params js.Params, body *js.BlockStmt) *jsFunc {
	f := j.funcFor(name, params, body)
	j.walkFunc(f, params)
	return f
}

func (j *jsAnalysis) funcFor(name *js.Var, params js.Params, body *js.BlockStmt) *jsFunc {
	f := j.bodies[body]
	if f == nil {
		f = &jsFunc{body: body}
		for _, p := range params.List {
			f.params = append(f.params, p.Binding)
		}
		j.bodies[body] = f
	}
	if name != nil {
		j.funcs[jsRoot(name)] = f
	}
	return f
}

func (j *jsAnalysis) walkFunc(f *jsFunc, params js.Params) {
	for i, p := range params.List {
		v := cunknown()
		if i < len(f.args) {
			v = f.args[i]
		}
		j.bind(p.Binding, v)
		if p.Default != nil {
			j.eval(p.Default)
		}
	}
	if len(j.fnStack) < 64 {
		j.fnStack = append(j.fnStack, f)
		j.block(f.body.List)
		j.fnStack = j.fnStack[:len(j.fnStack)-1]
	}
}

// callLocal passes args to a function of the file.
func (j *jsAnalysis) callLocal(f *jsFunc, args []cval) cval {
	if cvalPassArgs(&f.args, args) {
		j.changed = true
	}
	return f.ret
}

func jsIsFunc(v cval) bool {
	_, ok := v.fn.(*jsFunc)
	return ok
}

func jsRoot(v *js.Var) *js.Var {
	for v.Link != nil {
		v = v.Link
	}
	return v
}

func (j *jsAnalysis) varDecl(n *js.VarDecl) {
	for _, b := range n.List {
		var v cval
		if b.Default != nil {
			v = j.eval(b.Default)
		} else {
			v = cunknown()
		}
		j.bind(b.Binding, v)
	}
}

// bind assigns v to a binding pattern.
func (j *jsAnalysis) bind(b js.IBinding, v cval) {
	switch n := b.(type) {
	case *js.Var:
		j.locate(n.Data)
		r := jsRoot(n)
		old, ok := j.vars[r]
		if ok && (old.taint|v.taint) != v.taint {
			v = v.join(old) // keep what earlier assignments carried
		}
		j.vars[r] = v
	case *js.BindingObject:
		for _, it := range n.List {
			name := ""
			if it.Key != nil {
				if it.Key.IsComputed() {
					k := j.eval(it.Key.Computed)
					name = k.s
				} else {
					name = jsUnquote(it.Key.Literal.Data)
				}
			} else if vv, ok := it.Value.Binding.(*js.Var); ok {
				name = string(vv.Name())
			}
			j.bind(it.Value.Binding, j.member(v, name, false, false))
		}
		if n.Rest != nil {
			j.bind(n.Rest, v)
		}
	case *js.BindingArray:
		for i, it := range n.List {
			e := v
			if i < len(v.elems()) {
				e = v.elems()[i]
			}
			j.bind(it.Binding, e)
		}
		if n.Rest != nil {
			j.bind(n.Rest, v)
		}
	}
}

// bindExpr assigns v to an assignment target expression.
func (j *jsAnalysis) bindExpr(e js.IExpr, v cval) {
	switch n := e.(type) {
	case *js.Var:
		j.bind(n, v)
	case *js.VarDecl:
		for _, b := range n.List {
			j.bind(b.Binding, v)
		}
	case *js.DotExpr:
		// obj.x = v: the object carries v from now on.
		if root := jsBaseVar(n.X); root != nil && v.taint != 0 {
			r := jsRoot(root)
			j.vars[r] = j.vars[r].join(v)
		}
	case *js.IndexExpr:
		if root := jsBaseVar(n.X); root != nil && v.taint != 0 {
			r := jsRoot(root)
			j.vars[r] = j.vars[r].join(v)
		}
	}
}

func jsBaseVar(e js.IExpr) *js.Var {
	for {
		switch n := e.(type) {
		case *js.Var:
			return n
		case *js.DotExpr:
			e = n.X
		case *js.IndexExpr:
			e = n.X
		default:
			return nil
		}
	}
}

// elems are the elements of an array value, kept in the cval's flow-free
// side table (arrays of constants: string-array obfuscation).
func (v cval) elems() []cval {
	if a, ok := v.fn.([]cval); ok {
		return a
	}
	return nil
}

func (j *jsAnalysis) eval(e js.IExpr) cval {
	if e == nil {
		return cunknown()
	}
	if !j.spend(1) {
		return cunknown()
	}
	switch n := e.(type) {
	case *js.Var:
		return j.varValue(n)
	case *js.LiteralExpr:
		j.locate(n.Data)
		switch n.TokenType {
		case js.StringToken:
			v := cstr(jsUnquote(n.Data))
			v.lit = true
			return v
		case js.DecimalToken, js.HexadecimalToken, js.OctalToken, js.BinaryToken, js.IntegerToken:
			if v, err := strconv.ParseInt(strings.ReplaceAll(string(n.Data), "_", ""), 0, 64); err == nil {
				return cval{s: strconv.FormatInt(v, 10), known: true, num: true}
			}
			if f, err := strconv.ParseFloat(string(n.Data), 64); err == nil && f == float64(int64(f)) {
				return cval{s: strconv.FormatInt(int64(f), 10), known: true, num: true}
			}
			return cunknown()
		case js.ImportToken:
			return cref("require")
		}
		return cunknown()
	case *js.TemplateExpr:
		return j.template(n)
	case *js.GroupExpr:
		return j.eval(n.X)
	case *js.CommaExpr:
		v := cunknown()
		for _, x := range n.List {
			v = j.eval(x)
		}
		return v
	case *js.CondExpr:
		j.eval(n.Cond)
		x, y := j.eval(n.X), j.eval(n.Y)
		out := x.join(y)
		if x.ref == "" {
			out.ref = y.ref
		}
		return out
	case *js.UnaryExpr:
		v := j.eval(n.X)
		switch n.Op {
		case js.AwaitToken, js.EllipsisToken:
			return v
		case js.TypeofToken, js.NotToken, js.VoidToken, js.DeleteToken:
			return cunknown()
		}
		return cval{s: unknownPart}.join(v)
	case *js.BinaryExpr:
		return j.binary(n)
	case *js.DotExpr:
		base := j.eval(n.X)
		name := ""
		switch y := n.Y.(type) {
		case js.LiteralExpr:
			j.locate(y.Data)
			name = string(y.Data)
		case *js.LiteralExpr:
			j.locate(y.Data)
			name = string(y.Data)
		case *js.Var:
			name = string(y.Name())
		}
		return j.member(base, name, false, false)
	case *js.IndexExpr:
		base := j.eval(n.X)
		key := j.eval(n.Y)
		if !key.known {
			out := cval{s: unknownPart}.join(base)
			if base.ref == "process.env" {
				return j.envVar(key, "process.env[…]", j.line)
			}
			return out
		}
		if key.num {
			if el := base.elems(); el != nil {
				if i, err := strconv.Atoi(key.s); err == nil && i >= 0 && i < len(el) {
					return el[i]
				}
			}
		}
		_, literal := n.Y.(*js.LiteralExpr)
		return j.member(base, key.s, true, !literal || key.obf || key.has(taintDecoded))
	case *js.CallExpr:
		return j.call(n.X, n.Args.List, false)
	case *js.NewExpr:
		var args []js.Arg
		if n.Args != nil {
			args = n.Args.List
		}
		return j.call(n.X, args, true)
	case *js.ArrayExpr:
		var el []cval
		out := cval{s: unknownPart}
		for _, it := range n.List {
			v := j.eval(it.Value)
			out = out.join(v)
			if len(el) < 4096 {
				el = append(el, v)
			}
		}
		out.fn = el
		out.s = joinStrings(el)
		return out
	case *js.ObjectExpr:
		out := cval{s: unknownPart}
		var parts []string
		for _, p := range n.List {
			if p.Name != nil && p.Name.IsComputed() {
				j.eval(p.Name.Computed)
			}
			v := j.eval(p.Value)
			if p.Init != nil {
				v = v.join(j.eval(p.Init))
			}
			out = out.join(v)
			if v.known && len(parts) < 32 {
				parts = append(parts, v.s)
			}
		}
		// The object's constant strings (a request's hostname and
		// path) stay visible to the host checks.
		if len(parts) > 0 {
			out.s = strings.Join(parts, " ")
		}
		return out
	case *js.ArrowFunc:
		f := j.function(nil, n.Params, &n.Body)
		return cval{s: unknownPart, fn: f}
	case *js.FuncDecl:
		f := j.function(n.Name, n.Params, &n.Body)
		return cval{s: unknownPart, fn: f}
	case *js.ClassDecl:
		j.class(n)
		return cunknown()
	case *js.YieldExpr:
		return j.eval(n.X)
	}
	return cunknown()
}

func (j *jsAnalysis) varValue(n *js.Var) cval {
	r := jsRoot(n)
	if v, ok := j.vars[r]; ok {
		return v
	}
	if f, ok := j.funcs[r]; ok {
		return cval{s: unknownPart, fn: f}
	}
	name := string(n.Name())
	if v, ok := j.names[name]; ok {
		return v
	}
	if r.Decl == js.NoDecl {
		if g, ok := jsGlobals[name]; ok {
			return cref(g)
		}
	}
	return cunknown()
}

func (j *jsAnalysis) template(n *js.TemplateExpr) cval {
	var tag cval
	if n.Tag != nil {
		tag = j.eval(n.Tag)
	}
	out := cstr("")
	for i, p := range n.List {
		raw := p.Value
		if i == 0 {
			raw = bytes.TrimPrefix(raw, []byte("`"))
		} else {
			raw = bytes.TrimPrefix(raw, []byte("}"))
		}
		raw = bytes.TrimSuffix(raw, []byte("${"))
		out = concat(out, cstr(jsUnescape(raw)))
		out = concat(out, j.eval(p.Expr))
	}
	tail := n.Tail
	if len(n.List) > 0 {
		tail = bytes.TrimPrefix(tail, []byte("}"))
	} else {
		tail = bytes.TrimPrefix(tail, []byte("`"))
	}
	tail = bytes.TrimSuffix(tail, []byte("`"))
	out = concat(out, cstr(jsUnescape(tail)))
	if n.Tag != nil && tag.ref != "String.raw" {
		return cval{s: unknownPart}.join(out).join(tag)
	}
	return out
}

func (j *jsAnalysis) binary(n *js.BinaryExpr) cval {
	switch n.Op {
	case js.EqToken:
		v := j.eval(n.Y)
		j.bindExpr(n.X, v)
		return v
	case js.AddEqToken:
		v := concat(j.eval(n.X), j.eval(n.Y))
		j.bindExpr(n.X, v)
		return v
	case js.AddToken:
		x, y := j.eval(n.X), j.eval(n.Y)
		if x.num && y.num {
			a, _ := strconv.ParseInt(x.s, 10, 64)
			b, _ := strconv.ParseInt(y.s, 10, 64)
			return cval{s: strconv.FormatInt(a+b, 10), known: true, num: true}
		}
		return concat(x, y)
	case js.OrToken, js.NullishToken, js.AndToken, js.OrEqToken, js.NullishEqToken:
		x, y := j.eval(n.X), j.eval(n.Y)
		out := x.join(y)
		if out.ref == "" {
			out.ref = y.ref
		}
		if !x.known && y.known && n.Op != js.AndToken {
			out.s = y.s // a default value: process.env.X || 'https://…'
		}
		if n.Op == js.OrEqToken || n.Op == js.NullishEqToken {
			j.bindExpr(n.X, out)
		}
		return out
	case js.SubToken, js.MulToken, js.DivToken, js.ModToken, js.BitXorToken, js.BitAndToken, js.BitOrToken:
		x, y := j.eval(n.X), j.eval(n.Y)
		if x.num && y.num {
			a, _ := strconv.ParseInt(x.s, 10, 64)
			b, _ := strconv.ParseInt(y.s, 10, 64)
			var r int64
			switch n.Op {
			case js.SubToken:
				r = a - b
			case js.MulToken:
				r = a * b
			case js.DivToken, js.ModToken:
				if b == 0 {
					return cunknown()
				}
				if n.Op == js.DivToken {
					r = a / b
				} else {
					r = a % b
				}
			case js.BitXorToken:
				r = a ^ b
			case js.BitAndToken:
				r = a & b
			case js.BitOrToken:
				r = a | b
			}
			return cval{s: strconv.FormatInt(r, 10), known: true, num: true}
		}
		return cval{s: unknownPart}.join(x).join(y)
	}
	x, y := j.eval(n.X), j.eval(n.Y)
	if jsIsAssign(n.Op) {
		v := cval{s: unknownPart}.join(x).join(y)
		j.bindExpr(n.X, v)
		return v
	}
	return cunknown()
}

func jsIsAssign(op js.TokenType) bool {
	switch op {
	case js.SubEqToken, js.MulEqToken, js.DivEqToken, js.ModEqToken, js.ExpEqToken, js.LtLtEqToken, js.GtGtEqToken,
		js.GtGtGtEqToken, js.BitAndEqToken, js.BitOrEqToken, js.BitXorEqToken, js.AndEqToken:
		return true
	}
	return false
}

// member is base.name.
func (j *jsAnalysis) member(base cval, name string, computed, obf bool) cval {
	if base.ref == "global" {
		v := cref(name)
		if g, ok := jsGlobals[name]; ok {
			v = cref(g)
		}
		v.obf = obf
		return v
	}
	if base.ref != "" && !strings.HasSuffix(base.ref, "()") && !strings.HasPrefix(base.ref, "file:") {
		ref := base.ref + "." + name
		switch {
		case ref == "process.env":
			return cval{s: unknownPart, ref: "process.env", taint: taintEnvAll, flow: []string{fmt.Sprintf("the whole environment (process.env, line %d)", j.line)}}
		case base.ref == "process.env":
			return j.envVar(cstr(name), "process.env", j.line)
		case strings.HasPrefix(ref, "process.mainModule.") && ref != "process.mainModule.require":
			ref = strings.TrimPrefix(ref, "process.mainModule.")
		}
		v := cref(ref)
		v.obf = obf || base.obf
		if computed && !obf {
			// A constant bracket access to a process or eval API
			// (cp['exec']) is how hand-obfuscated code hides the
			// name from text search; minifiers write cp.exec.
			if r := apiOf(ref); r == apiSpawn || r == apiEval {
				v.obf = true
			}
		}
		return v
	}
	if base.ref == "process.env" {
		return j.envVar(cstr(name), "process.env", j.line)
	}
	out := cval{s: unknownPart}.join(base)
	if strings.HasSuffix(base.ref, "()") || strings.HasPrefix(base.ref, "file:") || strings.HasPrefix(base.ref, "wfile:") {
		out.ref = base.ref + "." + name // a method of a request, socket or file
	}
	if name == "length" {
		return cunknown()
	}
	out.fn = base.fn
	if name != "" {
		out.s = base.s // methods on a known string keep it (receiver for split/join)
		out.known = false
		out.method = name
		out.recv = &base
	}
	return out
}

// call evaluates a call or new expression.
func (j *jsAnalysis) call(x js.IExpr, argList []js.Arg, isNew bool) cval {
	callee := j.eval(x)
	line := j.line
	args := make([]cval, 0, len(argList))
	type callback struct {
		f      *jsFunc
		params js.Params
	}
	var fns []callback
	for _, a := range argList {
		var f *jsFunc
		switch fv := a.Value.(type) {
		case *js.ArrowFunc:
			f = j.funcFor(nil, fv.Params, &fv.Body)
			fns = append(fns, callback{f, fv.Params})
		case *js.FuncDecl:
			f = j.funcFor(fv.Name, fv.Params, &fv.Body)
			fns = append(fns, callback{f, fv.Params})
		}
		if f != nil {
			args = append(args, cval{s: unknownPart, fn: f})
			continue
		}
		v := j.eval(a.Value)
		if a.Rest {
			for _, e := range v.elems() {
				args = append(args, e)
			}
			if v.elems() == nil {
				args = append(args, v)
			}
			continue
		}
		args = append(args, v)
	}
	if j.line != line {
		line = j.line
	}
	span := j.span()
	var out cval
	switch {
	case callee.ref != "" && apiOf(callee.ref) != apiNone:
		out = j.callAPI(callee.ref, args, line, span, callee.obf)
		if apiOf(callee.ref) == apiEval && len(args) > 0 && args[0].known && (callee.ref != "Function" || len(args) > 0) {
			j.nested(args[len(args)-1].s, line)
		}
		if (callee.ref == "setTimeout" || callee.ref == "setInterval") && len(args) > 0 && args[0].fn == nil {
			j.execSink(callee.ref, apiEval, args[:1], line, span)
		}
	case callee.ref != "" && strings.Contains(callee.ref, "().") || strings.HasPrefix(callee.ref, "wfile:"):
		out = j.methodOnObject(callee, args, line, span)
	case callee.method != "" && callee.recv != nil:
		out = j.method(*callee.recv, callee.method, args, line, span)
		if callee.method == "push" || callee.method == "unshift" || callee.method == "concat" || callee.method == "write" {
			if d, ok := x.(*js.DotExpr); ok {
				if root := jsBaseVar(d.X); root != nil {
					r := jsRoot(root)
					for _, a := range args {
						j.vars[r] = j.vars[r].join(a)
					}
				}
			}
		}
	case jsIsFunc(callee):
		out = j.callLocal(callee.fn.(*jsFunc), args)
	default:
		out = cunknown()
		if callee.ref == "" {
			out = out.join(callee)
		} else if !strings.Contains(callee.ref, "()") {
			// A function of a module the analysis does not know
			// (crypto.createHash, querystring.escape) transforms its
			// arguments: what they carry goes on.
			for _, a := range args {
				out = out.join(a)
			}
		}
		if callee.ref == "setTimeout" || callee.ref == "setInterval" {
			out = cunknown()
		}
	}
	// Callbacks receive what the call produced (a response, a file's
	// content) or what the receiver carried (promise.then), and are
	// walked after the call.
	if len(fns) > 0 {
		cb := out
		if callee.recv != nil {
			cb = cb.join(*callee.recv)
		}
		cb.ref = out.ref
		for _, c := range fns {
			vals := make([]cval, len(c.f.params))
			for i := range vals {
				vals[i] = cb
			}
			j.callLocal(c.f, vals)
			j.walkFunc(c.f, c.params)
		}
	}
	// A dangerous function passed as a callback to a promise of
	// downloaded data: fetch(u).then(r => r.text()).then(eval).
	if callee.recv != nil && callee.recv.taint != 0 {
		for _, a := range args {
			if r := apiOf(a.ref); r == apiEval || r == apiSpawn {
				j.execSink(a.ref, r, []cval{*callee.recv}, line, span)
			}
		}
	}
	_ = isNew
	return out
}

// method applies a method of a plain value (a string, an array, a
// promise): the string methods obfuscators use are computed, others
// pass the receiver's taint on.
func (j *jsAnalysis) method(recv cval, m string, args []cval, line int, span string) cval {
	arg := func(i int) cval {
		if i < len(args) {
			return args[i]
		}
		return cunknown()
	}
	switch m {
	case "toString", "trim", "valueOf", "toLowerCase", "toUpperCase", "normalize":
		if recv.known && m == "toLowerCase" {
			return cstr(strings.ToLower(recv.s)).join(recv)
		}
		if recv.known && m == "toUpperCase" {
			return cstr(strings.ToUpper(recv.s)).join(recv)
		}
		if len(args) > 0 && (arg(0).s == "base64" || arg(0).s == "hex") {
			out := recv
			out.s, out.known = unknownPart, false
			return out
		}
		r := recv
		r.method, r.recv = "", nil
		return r
	case "split":
		if recv.known && arg(0).known {
			parts := strings.Split(recv.s, arg(0).s)
			if arg(0).s == "" {
				parts = strings.Split(recv.s, "")
			}
			el := make([]cval, 0, len(parts))
			for _, p := range parts {
				el = append(el, cstr(p))
			}
			return cval{s: unknownPart, fn: el}.join(recv)
		}
	case "reverse":
		if el := recv.elems(); el != nil {
			r := make([]cval, len(el))
			for i := range el {
				r[len(el)-1-i] = el[i]
			}
			return cval{s: unknownPart, fn: r}.join(recv)
		}
	case "join":
		if el := recv.elems(); el != nil {
			sep := ","
			if len(args) > 0 && arg(0).known {
				sep = arg(0).s
			}
			out := cstr("")
			for i, e := range el {
				if i > 0 {
					out = concat(out, cstr(sep))
				}
				out = concat(out, e)
			}
			return out.join(recv)
		}
	case "concat":
		out := recv
		out.method, out.recv = "", nil
		for _, a := range args {
			out = concat(out, a)
		}
		return out
	case "replace", "replaceAll":
		if recv.known && arg(0).known && arg(1).known {
			if m == "replace" {
				return cstr(strings.Replace(recv.s, arg(0).s, arg(1).s, 1))
			}
			return cstr(strings.ReplaceAll(recv.s, arg(0).s, arg(1).s))
		}
	case "charCodeAt", "indexOf", "includes", "startsWith", "endsWith", "test", "match":
		return cunknown()
	case "pipe":
		if d := arg(0); strings.HasPrefix(d.ref, "wfile:") {
			j.wrote(cstr(strings.TrimPrefix(d.ref, "wfile:")), recv, line, span)
		}
		return cval{s: unknownPart}.join(recv)
	case "map", "forEach", "filter", "then", "catch", "finally", "on", "once":
		return cval{s: unknownPart}.join(recv)
	}
	out := cval{s: unknownPart}.join(recv)
	return out
}

// nested analyses a string that is run as code (eval of a decoded
// payload), two levels deep at most.
func (j *jsAnalysis) nested(code string, line int) {
	if j.depth >= 2 || len(code) == 0 || len(code) > 1<<20 {
		return
	}
	sub := newContentFileAnalysis(j.file, "js", []byte(code), j.install)
	sub.depth = j.depth + 1
	sub.budget = min(j.budget, sub.budget)
	if err := analyseJS(sub); err != nil {
		return
	}
	for _, f := range sub.sorted() {
		f.Line = line
		f.Message += " (in code decoded at run time)"
		j.report(f.Rule, f.Category, line, f.Span, f.Message, f.Flow)
	}
	j.budget = min(j.budget, sub.budget)
}

// jsUnquote returns the value of a string literal (with its quotes).
func jsUnquote(b []byte) string {
	if len(b) >= 2 && (b[0] == '"' || b[0] == '\'' || b[0] == '`') && b[len(b)-1] == b[0] {
		b = b[1 : len(b)-1]
	}
	return jsUnescape(b)
}

// jsUnescape resolves JavaScript escapes: \xHH, \uHHHH, \u{H…}, octal,
// and the single-character ones.
func jsUnescape(b []byte) string {
	if bytes.IndexByte(b, '\\') < 0 {
		return string(b)
	}
	var out strings.Builder
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' || i+1 >= len(b) {
			out.WriteByte(c)
			continue
		}
		i++
		switch b[i] {
		case 'n':
			out.WriteByte('\n')
		case 't':
			out.WriteByte('\t')
		case 'r':
			out.WriteByte('\r')
		case 'b':
			out.WriteByte('\b')
		case 'f':
			out.WriteByte('\f')
		case 'v':
			out.WriteByte('\v')
		case '\n':
		case 'x':
			if i+2 < len(b) {
				if v, err := strconv.ParseUint(string(b[i+1:i+3]), 16, 8); err == nil {
					out.WriteRune(rune(v))
					i += 2
					continue
				}
			}
			out.WriteByte('x')
		case 'u':
			if i+1 < len(b) && b[i+1] == '{' {
				if k := bytes.IndexByte(b[i:], '}'); k > 0 {
					if v, err := strconv.ParseUint(string(b[i+2:i+k]), 16, 32); err == nil && utf8.ValidRune(rune(v)) {
						out.WriteRune(rune(v))
						i += k
						continue
					}
				}
			} else if i+4 < len(b) {
				if v, err := strconv.ParseUint(string(b[i+1:i+5]), 16, 16); err == nil {
					out.WriteRune(rune(v))
					i += 4
					continue
				}
			}
			out.WriteByte('u')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			k := i
			for k < len(b) && k < i+3 && b[k] >= '0' && b[k] <= '7' {
				k++
			}
			v, _ := strconv.ParseUint(string(b[i:k]), 8, 16)
			out.WriteRune(rune(v))
			i = k - 1
		default:
			out.WriteByte(b[i])
		}
	}
	return out.String()
}
