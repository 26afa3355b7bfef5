package content

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The Python front end is a tokenizer and a small expression parser of
// our own. No pure-Go Python 3 parser is both kept up to date and usable
// as a library: go-python/gpython's parser stops at Python 3.4 (no
// f-strings, no walrus, no match), and the others are generated from old
// grammars or unmaintained. The analysis needs less than a full tree:
// imports and their aliases, assignments, calls with their arguments,
// attribute and subscript chains, string literals (all prefixes,
// f-strings, escapes), comprehensions, def/class/with/for headers. What
// the tokenizer cannot read (an unterminated string, unbalanced
// brackets) makes the file "skipped" with the reason.

type pyTok struct {
	kind  byte // 'n' name, 's' string, 'f' f-string, 'd' number, 'o' operator, 'L' end of logical line
	text  string
	val   string   // a string's value
	parts []string // an f-string's literal and expression parts, alternating (literal first)
	line  int
	col   int
	raw   bool // the string had no escapes to resolve (a plain literal)
}

const pyMaxTokens = 2_000_000

// pyTokenize splits src into tokens; logical lines end with an 'L'
// token.
func pyTokenize(src []byte) ([]pyTok, error) {
	var toks []pyTok
	depth := 0
	line, lineStart := 1, 0
	i := 0
	atLineStart := true
	emitEnd := func() {
		if len(toks) > 0 && toks[len(toks)-1].kind != 'L' {
			toks = append(toks, pyTok{kind: 'L', line: line})
		}
	}
	for i < len(src) {
		if len(toks) > pyMaxTokens {
			return nil, fmt.Errorf("python: more than %d tokens", pyMaxTokens)
		}
		c := src[i]
		switch {
		case c == '\n':
			if depth == 0 {
				emitEnd()
			}
			line++
			i++
			lineStart = i
			atLineStart = true
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			i++
			continue
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			continue
		case c == '\\' && i+1 < len(src) && (src[i+1] == '\n' || src[i+1] == '\r'):
			i += 2
			if i < len(src) && src[i-1] == '\r' && src[i] == '\n' {
				i++
			}
			line++
			lineStart = i
			continue
		}
		col := i - lineStart
		_ = atLineStart
		atLineStart = false
		// String prefixes.
		if c == '"' || c == '\'' || pyIsPrefix(src, i) {
			j := i
			for j < len(src) && src[j] != '"' && src[j] != '\'' {
				j++
			}
			prefix := strings.ToLower(string(src[i:j]))
			tok, n, nl, err := pyString(src[j:], prefix)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			tok.line, tok.col = line, col
			tok.text = string(src[i : j+n])
			toks = append(toks, tok)
			line += nl
			if nl > 0 {
				if k := strings.LastIndexByte(tok.text, '\n'); k >= 0 {
					lineStart = i + (j - i) + k + 1 - (j - i) + (j - i)
					lineStart = j + strings.LastIndexByte(string(src[j:j+n]), '\n') + 1
				}
			}
			i = j + n
			continue
		}
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80 {
			j := i
			for j < len(src) {
				r, n := utf8.DecodeRune(src[j:])
				if r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || r >= 0x80 && !unicode.IsSpace(r) && r != utf8.RuneError {
					j += n
					continue
				}
				break
			}
			if j == i {
				j = i + 1
			}
			toks = append(toks, pyTok{kind: 'n', text: string(src[i:j]), line: line, col: col})
			i = j
			continue
		}
		if c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9' {
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] == '_' || src[j] == '.') {
				j++
			}
			toks = append(toks, pyTok{kind: 'd', text: string(src[i:j]), line: line, col: col})
			i = j
			continue
		}
		op := pyOperator(src[i:])
		switch op {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("line %d: unbalanced %q", line, op)
			}
		}
		toks = append(toks, pyTok{kind: 'o', text: op, line: line, col: col})
		i += len(op)
	}
	if depth > 0 {
		return nil, fmt.Errorf("line %d: unclosed bracket at end of file", line)
	}
	emitEnd()
	return toks, nil
}

func pyIsPrefix(src []byte, i int) bool {
	j := i
	for j < len(src) && j-i < 3 && strings.IndexByte("rRbBuUfF", src[j]) >= 0 {
		j++
	}
	if j == i || j >= len(src) || src[j] != '"' && src[j] != '\'' {
		return false
	}
	// The prefix must be a whole word.
	return i == 0 || !(src[i-1] == '_' || src[i-1] >= 'a' && src[i-1] <= 'z' || src[i-1] >= 'A' && src[i-1] <= 'Z' || src[i-1] >= '0' && src[i-1] <= '9')
}

var pyOps = []string{"**=", "//=", ">>=", "<<=", "...", "->", ":=", "**", "//", "==", "!=", "<=", ">=", "<<", ">>",
	"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@="}

func pyOperator(b []byte) string {
	for _, op := range pyOps {
		if len(b) >= len(op) && string(b[:len(op)]) == op {
			return op
		}
	}
	r, n := utf8.DecodeRune(b)
	if r == utf8.RuneError {
		return string(b[:1])
	}
	return string(b[:n])
}

// pyString reads a string literal starting at its quote; it returns the
// token, the bytes consumed and the newlines inside.
func pyString(b []byte, prefix string) (pyTok, int, int, error) {
	q := b[0]
	triple := len(b) >= 3 && b[1] == q && b[2] == q
	start := 1
	if triple {
		start = 3
	}
	raw := strings.Contains(prefix, "r")
	i := start
	nl := 0
	for {
		if i >= len(b) {
			return pyTok{}, 0, 0, fmt.Errorf("unterminated string")
		}
		c := b[i]
		if c == '\\' && i+1 < len(b) {
			if b[i+1] == '\n' {
				nl++
			}
			i += 2
			continue
		}
		if c == '\n' {
			if !triple {
				return pyTok{}, 0, 0, fmt.Errorf("unterminated string")
			}
			nl++
		}
		if c == q && (!triple || i+2 < len(b) && b[i+1] == q && b[i+2] == q) {
			break
		}
		i++
	}
	body := b[start:i]
	end := i + 1
	if triple {
		end = i + 3
	}
	tok := pyTok{kind: 's', raw: true}
	if strings.Contains(prefix, "f") {
		tok.kind = 'f'
		tok.parts = pyFStringParts(string(body), raw)
		return tok, end, nl, nil
	}
	if raw {
		tok.val = string(body)
	} else {
		tok.val = pyUnescape(string(body))
		tok.raw = tok.val == string(body)
	}
	return tok, end, nl, nil
}

// pyFStringParts splits an f-string body into literal and expression
// parts, alternating, literal first.
func pyFStringParts(s string, raw bool) []string {
	var parts []string
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '{' && i+1 < len(s) && s[i+1] == '{' || c == '}' && i+1 < len(s) && s[i+1] == '}' {
			lit.WriteByte(c)
			i++
			continue
		}
		if c != '{' {
			lit.WriteByte(c)
			continue
		}
		depth := 0
		j := i + 1
		end := -1
		for ; j < len(s); j++ {
			switch s[j] {
			case '{', '(', '[':
				depth++
			case ')', ']':
				depth--
			case '}':
				if depth == 0 {
					end = j
				} else {
					depth--
				}
			case ':', '!':
				if depth == 0 && end < 0 && (s[j] != '!' || j+1 < len(s) && s[j+1] != '=') {
					if end < 0 {
						k := strings.IndexByte(s[j:], '}')
						if k >= 0 {
							parts = append(parts, pyLit(lit.String(), raw), s[i+1:j])
							lit.Reset()
							i = j + k
							end = -2
						}
					}
				}
			}
			if end != -1 {
				break
			}
		}
		if end >= 0 {
			parts = append(parts, pyLit(lit.String(), raw), s[i+1:end])
			lit.Reset()
			i = end
		} else if end == -1 {
			lit.WriteString(s[i:])
			break
		}
	}
	parts = append(parts, pyLit(lit.String(), raw))
	return parts
}

func pyLit(s string, raw bool) string {
	if raw {
		return s
	}
	return pyUnescape(s)
}

// pyUnescape resolves Python string escapes.
func pyUnescape(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			out.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'n':
			out.WriteByte('\n')
		case 't':
			out.WriteByte('\t')
		case 'r':
			out.WriteByte('\r')
		case '\\', '\'', '"':
			out.WriteByte(s[i])
		case '\n':
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[s[i]]
			if i+n < len(s) {
				if v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32); err == nil && utf8.ValidRune(rune(v)) {
					out.WriteRune(rune(v))
					i += n
					continue
				}
			}
			out.WriteByte('\\')
			out.WriteByte(s[i])
		case '0', '1', '2', '3', '4', '5', '6', '7':
			k := i
			for k < len(s) && k < i+3 && s[k] >= '0' && s[k] <= '7' {
				k++
			}
			v, _ := strconv.ParseUint(s[i:k], 8, 16)
			out.WriteRune(rune(v))
			i = k - 1
		default:
			out.WriteByte('\\')
			out.WriteByte(s[i])
		}
	}
	return out.String()
}

// pyFunc is a function defined in the file.
type pyFunc struct {
	id     int // scope prefix of its local names
	params []string
	ret    cval
	args   []cval
}

type pyAnalysis struct {
	*fileAnalysis
	env     map[string]cval
	funcs   map[string]*pyFunc
	lines   []string
	changed bool
	// the current logical line's tokens and position
	toks []pyTok
	pos  int
	fn   []struct {
		indent int
		f      *pyFunc
	}
}

// pyBuiltins are the builtin names the analysis knows.
var pyBuiltins = map[string]bool{
	"exec": true, "eval": true, "compile": true, "__import__": true, "getattr": true, "open": true, "chr": true,
	"str": true, "bytes": true, "dict": true, "list": true, "repr": true,
}

// analysePython tokenizes and analyses a as Python 3.
func analysePython(a *fileAnalysis) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("python analysis failed: %v", r)
		}
	}()
	toks, err := pyTokenize(a.src)
	if err != nil {
		return fmt.Errorf("python syntax: %w", err)
	}
	p := &pyAnalysis{fileAnalysis: a, env: map[string]cval{}, funcs: map[string]*pyFunc{},
		lines: strings.Split(string(a.src), "\n")}
	for pass := 0; pass < 3; pass++ {
		// Only the last pass's findings stand (see analyseJS).
		clear(a.findings)
		p.changed = false
		p.fn = p.fn[:0]
		start := 0
		for i, t := range toks {
			if t.kind != 'L' {
				continue
			}
			if i > start {
				p.logicalLine(toks[start:i])
			}
			start = i + 1
			if a.exhausted {
				return nil
			}
		}
		if !p.changed {
			break
		}
	}
	return nil
}

func (p *pyAnalysis) spanAt(line int) string {
	if line >= 1 && line <= len(p.lines) {
		return p.lines[line-1]
	}
	return ""
}

// logicalLine analyses one logical line: a compound statement's header
// and the simple statements after its colon or semicolons.
func (p *pyAnalysis) logicalLine(toks []pyTok) {
	if !p.spend(len(toks)) {
		return
	}
	indent := toks[0].col
	for len(p.fn) > 0 && indent <= p.fn[len(p.fn)-1].indent {
		p.fn = p.fn[:len(p.fn)-1]
	}
	// Decorators.
	for len(toks) > 0 && toks[0].kind == 'o' && toks[0].text == "@" {
		p.expr(toks[1:])
		return
	}
	if toks[0].kind == 'n' {
		switch toks[0].text {
		case "async":
			if len(toks) > 1 {
				toks = toks[1:]
			}
		}
		switch toks[0].text {
		case "def":
			p.def(toks, indent)
			return
		case "class", "if", "elif", "else", "while", "for", "with", "try", "except", "finally", "match", "case":
			if toks[0].text == "match" || toks[0].text == "case" {
				// soft keywords: a statement only with a colon at the end
				if toks[len(toks)-1].text != ":" {
					break
				}
			}
			colon := pyTopLevel(toks, ":")
			if colon < 0 {
				break
			}
			p.header(toks[0].text, toks[1:colon])
			if colon+1 < len(toks) {
				p.simple(toks[colon+1:])
			}
			return
		}
	}
	p.simple(toks)
}

// pyTopLevel returns the index of the first op outside brackets (and not
// inside a lambda for ':'), or -1.
func pyTopLevel(toks []pyTok, op string) int {
	depth, lambdas := 0, 0
	for i, t := range toks {
		if t.kind == 'n' && t.text == "lambda" && depth == 0 {
			lambdas++
		}
		if t.kind != 'o' {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
		default:
			if depth == 0 && t.text == op {
				if op == ":" && lambdas > 0 {
					lambdas--
					continue
				}
				return i
			}
		}
	}
	return -1
}

// pySplit splits toks at op outside brackets.
func pySplit(toks []pyTok, op string) [][]pyTok {
	var out [][]pyTok
	depth, start := 0, 0
	for i, t := range toks {
		if t.kind != 'o' {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
		default:
			if depth == 0 && t.text == op {
				out = append(out, toks[start:i])
				start = i + 1
			}
		}
	}
	return append(out, toks[start:])
}

func (p *pyAnalysis) header(kw string, toks []pyTok) {
	switch kw {
	case "with":
		for _, item := range pySplit(toks, ",") {
			parts := pySplitName(item, "as")
			v := p.expr(parts[0])
			if len(parts) > 1 {
				p.assign(parts[1], v)
			}
		}
	case "for":
		in := pyIndexName(toks, "in")
		if in < 0 {
			return
		}
		seq := p.expr(toks[in+1:])
		el := cval{s: unknownPart}.join(seq)
		p.assign(toks[:in], el)
	case "except":
		parts := pySplitName(toks, "as")
		p.expr(parts[0])
	default:
		p.expr(toks)
	}
}

func pyIndexName(toks []pyTok, name string) int {
	depth := 0
	for i, t := range toks {
		if t.kind == 'o' {
			switch t.text {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth--
			}
		}
		if depth == 0 && t.kind == 'n' && t.text == name {
			return i
		}
	}
	return -1
}

func pySplitName(toks []pyTok, name string) [][]pyTok {
	if i := pyIndexName(toks, name); i >= 0 {
		return [][]pyTok{toks[:i], toks[i+1:]}
	}
	return [][]pyTok{toks}
}

func (p *pyAnalysis) def(toks []pyTok, indent int) {
	if len(toks) < 2 {
		return
	}
	name := toks[1].text
	f := p.funcs[name]
	if f == nil {
		f = &pyFunc{id: len(p.funcs) + 1}
		p.funcs[name] = f
		open := -1
		for k, t := range toks {
			if t.kind == 'o' && t.text == "(" {
				open = k
				break
			}
		}
		if open >= 0 {
			close := open
			depth := 0
			for k := open; k < len(toks); k++ {
				if toks[k].kind == 'o' && (toks[k].text == "(" || toks[k].text == "[" || toks[k].text == "{") {
					depth++
				}
				if toks[k].kind == 'o' && (toks[k].text == ")" || toks[k].text == "]" || toks[k].text == "}") {
					depth--
					if depth == 0 {
						close = k
						break
					}
				}
			}
			for _, prm := range pySplit(toks[open+1:close], ",") {
				for len(prm) > 0 && prm[0].kind == 'o' && (prm[0].text == "*" || prm[0].text == "**") {
					prm = prm[1:]
				}
				if len(prm) > 0 && prm[0].kind == 'n' {
					f.params = append(f.params, prm[0].text)
				}
			}
		}
	}
	p.env[p.scoped(name)] = cval{s: unknownPart, fn: f}
	p.fn = append(p.fn, struct {
		indent int
		f      *pyFunc
	}{indent, f})
	for i, prm := range f.params {
		if i < len(f.args) {
			p.env[p.scoped(prm)] = f.args[i]
		} else {
			p.env[p.scoped(prm)] = cunknown()
		}
	}
	// A one-line body after the colon.
	if colon := pyTopLevel(toks, ":"); colon >= 0 && colon+1 < len(toks) {
		p.simple(toks[colon+1:])
	}
}

// simple analyses simple statements separated by semicolons.
func (p *pyAnalysis) simple(toks []pyTok) {
	for _, st := range pySplit(toks, ";") {
		if len(st) == 0 {
			continue
		}
		p.statement(st)
	}
}

func (p *pyAnalysis) statement(st []pyTok) {
	if st[0].kind == 'n' {
		switch st[0].text {
		case "import":
			for _, item := range pySplit(st[1:], ",") {
				parts := pySplitName(item, "as")
				mod := pyDotted(parts[0])
				if mod == "" {
					continue
				}
				if len(parts) > 1 && len(parts[1]) > 0 {
					p.env[parts[1][0].text] = cref(mod)
				} else {
					top, _, _ := strings.Cut(mod, ".")
					p.env[top] = cref(top)
				}
			}
			return
		case "from":
			imp := pyIndexName(st, "import")
			if imp < 0 {
				return
			}
			mod := pyDotted(st[1:imp])
			if mod == "" || strings.HasPrefix(mod, ".") {
				return
			}
			rest := st[imp+1:]
			if len(rest) > 0 && rest[0].text == "(" {
				rest = rest[1:]
				if len(rest) > 0 && rest[len(rest)-1].text == ")" {
					rest = rest[:len(rest)-1]
				}
			}
			if len(rest) == 1 && rest[0].text == "*" {
				for name := range apis {
					if n, ok := strings.CutPrefix(name, mod+"."); ok && !strings.Contains(n, ".") {
						p.env[n] = cref(name)
					}
				}
				return
			}
			for _, item := range pySplit(rest, ",") {
				parts := pySplitName(item, "as")
				if len(parts[0]) == 0 {
					continue
				}
				name := parts[0][0].text
				bind := name
				if len(parts) > 1 && len(parts[1]) > 0 {
					bind = parts[1][0].text
				}
				p.env[bind] = cref(mod + "." + name)
			}
			return
		case "return":
			v := p.expr(st[1:])
			if len(p.fn) > 0 {
				f := p.fn[len(p.fn)-1].f
				ret := f.ret.join(v)
				if v.ref != "" {
					ret.ref = v.ref
				}
				if v.known && len(f.params) == 0 {
					ret.s, ret.known = v.s, true
				}
				f.ret = ret
			}
			return
		case "global", "nonlocal", "pass", "break", "continue", "del":
			return
		case "raise", "assert", "yield", "await":
			p.expr(st[1:])
			return
		}
	}
	// Assignment: a = b = value, a += value, a: T = value.
	if eq := pySplit(st, "="); len(eq) > 1 {
		v := p.expr(eq[len(eq)-1])
		for _, target := range eq[:len(eq)-1] {
			if c := pyTopLevel(target, ":"); c >= 0 {
				target = target[:c]
			}
			p.assign(target, v)
		}
		return
	}
	for _, op := range []string{"+=", "|=", "-=", "*=", "%="} {
		if i := pyTopLevel(st, op); i >= 0 {
			v := p.expr(st[i+1:])
			old := p.expr(st[:i])
			if op == "+=" {
				v = concat(old, v)
			} else {
				v = cval{s: unknownPart}.join(old).join(v)
			}
			p.assign(st[:i], v)
			return
		}
	}
	p.expr(st)
}

func pyDotted(toks []pyTok) string {
	var b strings.Builder
	for _, t := range toks {
		if t.kind == 'n' || t.kind == 'o' && t.text == "." {
			b.WriteString(t.text)
		}
	}
	return b.String()
}

// assign binds v to a target: a name, a tuple of names, or an
// attribute/subscript (whose object then carries v).
func (p *pyAnalysis) assign(target []pyTok, v cval) {
	if len(target) == 0 {
		return
	}
	if len(target) >= 2 && target[0].text == "(" && target[len(target)-1].text == ")" {
		target = target[1 : len(target)-1]
	}
	if items := pySplit(target, ","); len(items) > 1 {
		for i, it := range items {
			e := v
			if el := v.elems(); i < len(el) {
				e = el[i]
			}
			p.assign(it, e)
		}
		return
	}
	if target[0].text == "*" {
		target = target[1:]
		if len(target) == 0 {
			return
		}
	}
	if len(target) == 1 && target[0].kind == 'n' {
		name := p.scoped(target[0].text)
		if old, ok := p.env[name]; ok && (old.taint|v.taint) != v.taint {
			v = v.join(old)
		}
		p.env[name] = v
		return
	}
	// obj.attr = v / obj[k] = v: the object carries v.
	if target[0].kind == 'n' && v.taint != 0 {
		name := p.scoped(target[0].text)
		p.env[name] = p.name(target[0].text).join(v)
	}
}

// pyParser parses one expression from a token slice.
type pyParser struct {
	p    *pyAnalysis
	toks []pyTok
	i    int
}

func (p *pyAnalysis) expr(toks []pyTok) cval {
	if len(toks) == 0 {
		return cunknown()
	}
	ps := &pyParser{p: p, toks: toks}
	v := ps.tuple()
	return v
}

func (ps *pyParser) peek() pyTok {
	if ps.i < len(ps.toks) {
		return ps.toks[ps.i]
	}
	return pyTok{kind: 'L'}
}

func (ps *pyParser) isOp(op string) bool {
	t := ps.peek()
	return t.kind == 'o' && t.text == op
}

func (ps *pyParser) isName(n string) bool {
	t := ps.peek()
	return t.kind == 'n' && t.text == n
}

func (ps *pyParser) line() int {
	if ps.i < len(ps.toks) {
		return ps.toks[ps.i].line
	}
	if len(ps.toks) > 0 {
		return ps.toks[len(ps.toks)-1].line
	}
	return 0
}

// tuple parses a comma-separated list (a tuple when there are several).
func (ps *pyParser) tuple() cval {
	first := ps.test()
	if !ps.isOp(",") {
		return first
	}
	el := []cval{first}
	out := cval{s: unknownPart}.join(first)
	for ps.isOp(",") {
		ps.i++
		if ps.i >= len(ps.toks) || ps.isOp(")") || ps.isOp("]") || ps.isOp("}") || ps.isOp("=") {
			break
		}
		v := ps.test()
		el = append(el, v)
		out = out.join(v)
	}
	out.fn = el
	out.s = joinStrings(el)
	return out
}

// test parses a conditional expression, lambda or walrus.
func (ps *pyParser) test() cval {
	if !ps.p.spend(1) {
		ps.i = len(ps.toks)
		return cunknown()
	}
	if ps.isName("lambda") {
		// Skip the parameters; analyse the body.
		for ps.i < len(ps.toks) && !ps.isOp(":") {
			ps.i++
		}
		ps.i++
		ps.test()
		return cunknown()
	}
	if ps.isOp("*") || ps.isOp("**") {
		ps.i++
	}
	v := ps.or()
	if ps.isOp(":=") {
		ps.i++
		w := ps.test()
		if ps.i >= 2 {
			ps.p.assign(ps.toks[ps.i-1-1:ps.i-1], w)
		}
		return w
	}
	if ps.isName("if") {
		ps.i++
		ps.or()
		if ps.isName("else") {
			ps.i++
			w := ps.test()
			out := v.join(w)
			if out.ref == "" {
				out.ref = w.ref
			}
			return out
		}
	}
	return v
}

func (ps *pyParser) or() cval {
	v := ps.and()
	for ps.isName("or") {
		ps.i++
		w := ps.and()
		out := v.join(w)
		if !v.known && w.known {
			out.s, out.known = w.s, false
		}
		if out.ref == "" {
			out.ref = w.ref
		}
		v = out
	}
	return v
}

func (ps *pyParser) and() cval {
	v := ps.not()
	for ps.isName("and") {
		ps.i++
		v = v.join(ps.not())
	}
	return v
}

func (ps *pyParser) not() cval {
	if ps.isName("not") {
		ps.i++
		ps.not()
		return cunknown()
	}
	return ps.comparison()
}

func (ps *pyParser) comparison() cval {
	v := ps.binary(0)
	for {
		t := ps.peek()
		if t.kind == 'o' && (t.text == "<" || t.text == ">" || t.text == "==" || t.text == "!=" || t.text == "<=" || t.text == ">=") ||
			t.kind == 'n' && (t.text == "in" || t.text == "is" || t.text == "not") {
			ps.i++
			if t.text == "not" && ps.isName("in") || t.text == "is" && ps.isName("not") {
				ps.i++
			}
			ps.binary(0)
			v = cunknown()
			continue
		}
		return v
	}
}

var pyBinaryLevels = [][]string{{"|"}, {"^"}, {"&"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "//", "%", "@"}}

func (ps *pyParser) binary(level int) cval {
	if level >= len(pyBinaryLevels) {
		return ps.unary()
	}
	v := ps.binary(level + 1)
	for {
		t := ps.peek()
		matched := false
		for _, op := range pyBinaryLevels[level] {
			if t.kind == 'o' && t.text == op {
				matched = true
			}
		}
		if !matched {
			return v
		}
		ps.i++
		w := ps.binary(level + 1)
		switch {
		case t.text == "+" && v.num && w.num:
			a, _ := strconv.ParseInt(v.s, 10, 64)
			b, _ := strconv.ParseInt(w.s, 10, 64)
			v = cval{s: strconv.FormatInt(a+b, 10), known: true, num: true}
		case t.text == "+":
			v = concat(v, w)
		case t.text == "/" && v.ref != "" && strings.HasPrefix(v.ref, "path:"):
			v = concat(concat(v, cstr("/")), w)
		case t.text == "/" && v.known:
			v = concat(concat(v, cstr("/")), w) // pathlib: home / '.ssh'
		case t.text == "%" && v.known:
			out := cval{s: v.s}.join(w)
			if el := w.elems(); el != nil {
				// keep the format's text visible (URLs with %s)
				out.s = v.s
			}
			v = out
		default:
			if v.num && w.num {
				a, _ := strconv.ParseInt(v.s, 10, 64)
				b, _ := strconv.ParseInt(w.s, 10, 64)
				var r int64
				switch t.text {
				case "-":
					r = a - b
				case "*":
					r = a * b
				case "^":
					r = a ^ b
				case "&":
					r = a & b
				case "|":
					r = a | b
				case "%", "//":
					if b == 0 {
						v = cunknown()
						continue
					}
					if t.text == "%" {
						r = a % b
					} else {
						r = a / b
					}
				default:
					v = cunknown()
					continue
				}
				v = cval{s: strconv.FormatInt(r, 10), known: true, num: true}
				continue
			}
			if t.text == "*" && v.known && w.num {
				n, _ := strconv.Atoi(w.s)
				if n >= 0 && n*len(v.s) <= 4096 {
					v = cstr(strings.Repeat(v.s, n))
					continue
				}
			}
			v = cval{s: unknownPart}.join(v).join(w)
		}
	}
}

func (ps *pyParser) unary() cval {
	if ps.isOp("-") || ps.isOp("+") || ps.isOp("~") {
		op := ps.peek().text
		ps.i++
		v := ps.unary()
		if v.num && op == "-" {
			return cval{s: "-" + v.s, known: true, num: true}
		}
		return v
	}
	if ps.isName("await") {
		ps.i++
	}
	v := ps.postfix()
	if ps.isOp("**") {
		ps.i++
		ps.unary()
		return cunknown()
	}
	return v
}

func (ps *pyParser) postfix() cval {
	start := ps.i
	v := ps.atom()
	for {
		if !ps.p.spend(1) {
			ps.i = len(ps.toks)
			return v
		}
		switch {
		case ps.isOp("."):
			ps.i++
			t := ps.peek()
			if t.kind != 'n' {
				return v
			}
			ps.i++
			v = ps.p.member(v, t.text, false, false, t.line)
		case ps.isOp("("):
			method := v.method
			v = ps.call(v)
			// name.append(x), name.update(x), name.write(x): the object
			// named carries x from now on.
			if ps.i-start >= 4 && ps.toks[start].kind == 'n' && ps.toks[start+1].text == "." && ps.toks[start+2].text == method &&
				(method == "append" || method == "extend" || method == "update" || method == "insert" || method == "add") {
				name := ps.toks[start].text
				inner := ps.toks[start+4 : ps.i-1]
				ps.p.env[ps.p.scoped(name)] = ps.p.name(name).join(ps.p.expr(inner))
			}
		case ps.isOp("["):
			v = ps.subscript(v)
		default:
			return v
		}
	}
}

// group returns the tokens between the bracket at ps.i and its match,
// moving past it.
func (ps *pyParser) group() []pyTok {
	open := ps.i
	depth := 0
	for k := open; k < len(ps.toks); k++ {
		if ps.toks[k].kind != 'o' {
			continue
		}
		switch ps.toks[k].text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth == 0 {
				ps.i = k + 1
				return ps.toks[open+1 : k]
			}
		}
	}
	ps.i = len(ps.toks)
	return ps.toks[open+1:]
}

func (ps *pyParser) subscript(v cval) cval {
	inner := ps.group()
	// [::-1] reverses a known string.
	if len(inner) == 3 && inner[0].text == ":" && inner[1].text == ":" && inner[2].text == "-" ||
		len(inner) == 4 && inner[0].text == ":" && inner[1].text == ":" && inner[2].text == "-" && inner[3].text == "1" {
		if v.known {
			r := []rune(v.s)
			for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
				r[i], r[j] = r[j], r[i]
			}
			return cstr(string(r)).join(v)
		}
		if el := v.elems(); el != nil {
			out := make([]cval, len(el))
			for i := range el {
				out[len(el)-1-i] = el[i]
			}
			return cval{s: unknownPart, fn: out}.join(v)
		}
		return cval{s: unknownPart}.join(v)
	}
	if pyTopLevel(inner, ":") >= 0 {
		return cval{s: unknownPart}.join(v)
	}
	k := ps.p.expr(inner)
	if v.ref == "os.environ" {
		return ps.p.envVar(k, "os.environ", ps.line())
	}
	if k.num {
		if el := v.elems(); el != nil {
			if i, err := strconv.Atoi(k.s); err == nil && i >= 0 && i < len(el) {
				return el[i]
			}
		}
	}
	if v.ref == "global" && k.known {
		return ps.p.member(v, k.s, true, !(len(inner) == 1 && inner[0].kind == 's'), ps.line())
	}
	out := cval{s: unknownPart}.join(v)
	if v.ref != "" && k.known && !strings.HasSuffix(v.ref, "()") {
		return ps.p.member(v, k.s, true, !(len(inner) == 1 && inner[0].kind == 's'), ps.line())
	}
	return out
}

// call parses an argument list and applies the callee.
func (ps *pyParser) call(callee cval) cval {
	line := ps.line()
	inner := ps.group()
	var args []cval
	kw := map[string]cval{}
	if gen := pyIndexName(inner, "for"); gen >= 0 && pyTopLevel(inner, ",") < 0 {
		args = append(args, ps.p.comprehension(inner, gen))
	} else if len(inner) > 0 {
		for _, a := range pySplit(inner, ",") {
			if len(a) == 0 {
				continue
			}
			if len(a) >= 2 && a[0].kind == 'n' && a[1].kind == 'o' && a[1].text == "=" {
				v := ps.p.expr(a[2:])
				kw[a[0].text] = v
				continue
			}
			star := len(a) > 0 && a[0].kind == 'o' && a[0].text == "*"
			v := ps.p.expr(a)
			if star && v.elems() != nil {
				args = append(args, v.elems()...)
				continue
			}
			args = append(args, v)
		}
	}
	// Keyword arguments that carry data (data=, headers=, json=, params=)
	// come after the positional ones.
	all := append([]cval(nil), args...)
	for _, k := range []string{"url", "data", "json", "headers", "params", "files", "cookies", "content", "body", "args", "cmd", "source", "object", "mode", "filename"} {
		if v, ok := kw[k]; ok {
			all = append(all, v)
		}
	}
	return ps.p.apply(callee, args, all, kw, line)
}

// comprehension evaluates elem for each element of the iterable: the
// generator in ”.join(chr(c) for c in [...]).
func (p *pyAnalysis) comprehension(toks []pyTok, forAt int) cval {
	elem := toks[:forAt]
	rest := toks[forAt+1:]
	in := pyIndexName(rest, "in")
	if in < 0 {
		return cunknown()
	}
	target := rest[:in]
	iter := rest[in+1:]
	if k := pyIndexName(iter, "if"); k >= 0 {
		iter = iter[:k]
	}
	if k := pyIndexName(iter, "for"); k >= 0 {
		iter = iter[:k]
	}
	seq := p.expr(iter)
	if el := seq.elems(); el != nil && len(el) <= 4096 {
		out := make([]cval, 0, len(el))
		for _, e := range el {
			p.assign(target, e)
			out = append(out, p.expr(elem))
		}
		return cval{s: unknownPart, fn: out}.join(seq)
	}
	if seq.known && len(seq.s) <= 4096 {
		out := make([]cval, 0, len(seq.s))
		for _, r := range seq.s {
			p.assign(target, cstr(string(r)))
			out = append(out, p.expr(elem))
		}
		return cval{s: unknownPart, fn: out}
	}
	p.assign(target, cval{s: unknownPart}.join(seq))
	return cval{s: unknownPart}.join(p.expr(elem))
}

func (ps *pyParser) atom() cval {
	t := ps.peek()
	switch t.kind {
	case 'n':
		ps.i++
		switch t.text {
		case "True", "False", "None":
			return cunknown()
		}
		return ps.p.name(t.text)
	case 'd':
		ps.i++
		text := strings.ReplaceAll(t.text, "_", "")
		if v, err := strconv.ParseInt(text, 0, 64); err == nil {
			return cval{s: strconv.FormatInt(v, 10), known: true, num: true}
		}
		return cunknown()
	case 's', 'f':
		out := cstr("")
		lit := true
		n := 0
		for ps.i < len(ps.toks) && (ps.toks[ps.i].kind == 's' || ps.toks[ps.i].kind == 'f') {
			st := ps.toks[ps.i]
			ps.i++
			n++
			if st.kind == 's' {
				out = concat(out, cstr(st.val))
				continue
			}
			lit = false
			for k, part := range st.parts {
				if k%2 == 0 {
					out = concat(out, cstr(part))
					continue
				}
				sub, err := pyTokenize([]byte(part))
				if err != nil || len(sub) == 0 {
					out = concat(out, cunknown())
					continue
				}
				for si := range sub {
					sub[si].line = st.line
				}
				if sub[len(sub)-1].kind == 'L' {
					sub = sub[:len(sub)-1]
				}
				out = concat(out, ps.p.expr(sub))
			}
		}
		out.obf = false
		if lit && n == 1 {
			out.lit = true
		}
		return out
	case 'o':
		switch t.text {
		case "(":
			inner := ps.group()
			if len(inner) == 0 {
				return cval{s: unknownPart, fn: []cval{}}
			}
			if gen := pyIndexName(inner, "for"); gen >= 0 {
				return ps.p.comprehension(inner, gen)
			}
			v := ps.p.expr(inner)
			return v
		case "[":
			inner := ps.group()
			if gen := pyIndexName(inner, "for"); gen >= 0 {
				return ps.p.comprehension(inner, gen)
			}
			if len(inner) == 0 {
				return cval{s: unknownPart, fn: []cval{}}
			}
			v := ps.p.expr(inner)
			if v.elems() == nil {
				w := cval{s: v.s}.join(v)
				w.fn = []cval{v}
				return w
			}
			return v
		case "{":
			inner := ps.group()
			out := cval{s: unknownPart}
			var parts []string
			for _, item := range pySplit(inner, ",") {
				for _, kv := range pySplit(item, ":") {
					if len(kv) > 0 && kv[0].text == "**" {
						kv = kv[1:]
					}
					v := ps.p.expr(kv)
					out = out.join(v)
					if v.known && len(parts) < 32 {
						parts = append(parts, v.s)
					}
				}
			}
			if len(parts) > 0 {
				out.s = strings.Join(parts, " ")
			}
			return out
		}
	}
	ps.i++
	return cunknown()
}

// scoped is the key of a name assigned in the current function (module
// names when at top level): Python's names are local to their function,
// and a flat namespace would join unrelated variables of one name.
func (p *pyAnalysis) scoped(n string) string {
	if len(p.fn) == 0 {
		return n
	}
	return strconv.Itoa(p.fn[len(p.fn)-1].f.id) + "\x00" + n
}

func (p *pyAnalysis) name(n string) cval {
	if v, ok := p.env[p.scoped(n)]; ok {
		return v
	}
	for i := len(p.fn) - 2; i >= 0; i-- {
		if v, ok := p.env[strconv.Itoa(p.fn[i].f.id)+"\x00"+n]; ok {
			return v
		}
	}
	if v, ok := p.env[n]; ok {
		return v
	}
	switch n {
	case "__builtins__", "builtins", "globals", "locals", "vars":
		return cref("global")
	}
	if pyBuiltins[n] {
		return cref(n)
	}
	return cunknown()
}

// member is base.name.
func (p *pyAnalysis) member(base cval, name string, computed, obf bool, line int) cval {
	if base.ref == "global" {
		v := cref(name)
		v.obf = obf
		return v
	}
	if base.ref != "" && !strings.HasSuffix(base.ref, "()") && !strings.HasPrefix(base.ref, "file:") && !strings.HasPrefix(base.ref, "wfile:") && !strings.HasPrefix(base.ref, "filedata:") {
		ref := base.ref + "." + name
		if ref == "os.environ" {
			return cval{s: unknownPart, ref: "os.environ", taint: taintEnvAll, flow: []string{fmt.Sprintf("the whole environment (os.environ, line %d)", line)}}
		}
		v := cref(ref)
		if base.ref == "os.environ" && name != "get" && name != "copy" && name != "items" {
			v.taint, v.flow = base.taint, base.flow
		}
		v.obf = obf || base.obf
		return v
	}
	out := cval{s: unknownPart}.join(base)
	if strings.HasSuffix(base.ref, "()") || strings.HasPrefix(base.ref, "file:") || strings.HasPrefix(base.ref, "wfile:") {
		out.ref = base.ref + "." + name
	}
	out.s = base.s
	out.method = name
	out.recv = &base
	return out
}

// apply calls callee with args (positional) and all (with the data
// keywords); kw are the keyword arguments.
func (p *pyAnalysis) apply(callee cval, args, all []cval, kw map[string]cval, line int) cval {
	span := p.spanAt(line)
	switch {
	case callee.ref == "getattr" && len(args) >= 2:
		return p.member(args[0], args[1].s, true, !args[1].lit, line)
	case callee.ref == "__import__" || callee.ref == "importlib.import_module":
		if len(args) > 0 && args[0].known {
			v := cref(args[0].s)
			v.obf = !args[0].lit
			return v
		}
		return cunknown()
	case callee.ref != "" && apiOf(callee.ref) != apiNone:
		role := apiOf(callee.ref)
		if role == apiSpawn {
			if sh, ok := kw["shell"]; ok && sh.s == "True" {
				_ = sh
			}
		}
		in := args
		if role == apiNet || role == apiNetGet || role == apiDNS || role == apiSpawn || role == apiEval {
			in = all
		}
		if role == apiOpen {
			if m, ok := kw["mode"]; ok && len(in) < 2 {
				in = append(append([]cval(nil), in...), m)
			}
		}
		out := p.callAPI(callee.ref, in, line, span, callee.obf)
		if role == apiEval && len(args) > 0 && args[0].known {
			p.nested(args[0].s, line)
		}
		// Functions of the file passed to an API (a keyboard listener's
		// on_press, a request's callback) receive what it produces.
		for _, a := range all {
			if f, ok := a.fn.(*pyFunc); ok {
				vals := make([]cval, max(1, len(f.params)))
				for i := range vals {
					vals[i] = out
				}
				p.callLocal(f, vals)
			}
		}
		for _, v := range kw {
			if f, ok := v.fn.(*pyFunc); ok {
				vals := make([]cval, max(1, len(f.params)))
				for i := range vals {
					vals[i] = out
				}
				p.callLocal(f, vals)
			}
		}
		return out
	case callee.ref != "" && (strings.Contains(callee.ref, "().") || strings.HasPrefix(callee.ref, "file:") || strings.HasPrefix(callee.ref, "wfile:")):
		return p.methodOnObject(callee, all, line, span)
	case callee.method != "" && callee.recv != nil:
		return p.method(*callee.recv, callee.method, args, line)
	}
	if f, ok := callee.fn.(*pyFunc); ok {
		return p.callLocal(f, args)
	}
	out := cunknown()
	if callee.ref != "" && !strings.Contains(callee.ref, "()") && callee.ref != "global" {
		// A function of a module the analysis does not know (re.findall,
		// hashlib.sha256) transforms its arguments: what they carry
		// goes on.
		for _, a := range all {
			out = out.join(a)
		}
	}
	return out
}

func (p *pyAnalysis) callLocal(f *pyFunc, args []cval) cval {
	if cvalPassArgs(&f.args, args) {
		p.changed = true
	}
	return f.ret
}

// method applies a method of a plain value.
func (p *pyAnalysis) method(recv cval, m string, args []cval, line int) cval {
	arg := func(i int) cval {
		if i < len(args) {
			return args[i]
		}
		return cunknown()
	}
	r := recv
	r.method, r.recv = "", nil
	switch m {
	case "join":
		if recv.known {
			el := arg(0).elems()
			if el == nil {
				return cval{s: unknownPart}.join(arg(0))
			}
			out := cstr("")
			for i, e := range el {
				if i > 0 {
					out = concat(out, cstr(recv.s))
				}
				out = concat(out, e)
			}
			return out.join(arg(0))
		}
	case "decode", "encode", "strip", "rstrip", "lstrip", "read", "text", "json", "getvalue", "readline", "readlines", "hex":
		if m == "decode" && recv.known && arg(0).known && strings.Contains(strings.ToLower(arg(0).s), "rot") {
			return cstr(rot13(recv.s)).join(recv)
		}
		if recv.known && (m == "decode" || m == "encode" || m == "strip") {
			if m == "strip" {
				return cstr(strings.TrimSpace(recv.s)).join(recv)
			}
			return cstr(recv.s).join(recv)
		}
		return cval{s: unknownPart}.join(recv)
	case "format":
		out := cval{s: recv.s, known: false}.join(recv)
		for _, a := range args {
			out = out.join(a)
		}
		return out
	case "replace":
		if recv.known && arg(0).known && arg(1).known {
			return cstr(strings.ReplaceAll(recv.s, arg(0).s, arg(1).s)).join(recv)
		}
	case "lower", "upper":
		if recv.known {
			if m == "lower" {
				return cstr(strings.ToLower(recv.s))
			}
			return cstr(strings.ToUpper(recv.s))
		}
	case "split":
		if recv.known {
			var parts []string
			if len(args) == 0 {
				parts = strings.Fields(recv.s)
			} else if arg(0).known && arg(0).s != "" {
				parts = strings.Split(recv.s, arg(0).s)
			}
			el := make([]cval, 0, len(parts))
			for _, s := range parts {
				el = append(el, cstr(s))
			}
			return cval{s: unknownPart, fn: el}
		}
	case "get":
		if recv.has(taintEnvAll) {
			return p.envVar(arg(0), "environ.get", line)
		}
	}
	return cval{s: unknownPart}.join(recv)
}

// nested analyses a string run as Python code.
func (p *pyAnalysis) nested(code string, line int) {
	if p.depth >= 2 || len(code) == 0 || len(code) > 1<<20 {
		return
	}
	sub := newContentFileAnalysis(p.file, "py", []byte(code), p.install)
	sub.depth = p.depth + 1
	sub.budget = min(p.budget, sub.budget)
	if err := analysePython(sub); err != nil {
		return
	}
	for _, f := range sub.sorted() {
		p.report(f.Rule, f.Category, line, p.spanAt(line), f.Message+" (in code decoded at run time)", f.Flow)
	}
	p.budget = min(p.budget, sub.budget)
}
