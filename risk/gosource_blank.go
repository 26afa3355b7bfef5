package risk

import (
	"go/scanner"
	"go/token"
)

// goSourceBlank returns a copy of the Go source src in which the bodies
// of the top-level non-generic functions are blanked (every byte but
// newlines replaced by a space, so positions do not move), and the names
// of the methods of the interface types written anywhere in src, bodies
// included. ok is false when src does not scan as Go (the caller then
// parses it as it is).
//
// Written by hand over go/scanner because go/parser has no mode that
// skips function bodies, and parsing the bodies of the packages
// ScanGoSource does not analyse (the standard library among them), only
// to drop them, was a sixth of its time; scanning costs a fraction of
// parsing. A mistake here can only make a body stay (the parse and the
// type check then see it) or a file fail to parse (an error, never a
// silent result), and the methods are checked against go/parser's by
// FuzzGoSourceBlank.
func goSourceBlank(src []byte) (out []byte, methods []string, ok bool) {
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(src))
	var sc scanner.Scanner
	bad := false
	sc.Init(file, src, func(token.Position, string) { bad = true }, 0)

	type frame struct {
		iface        bool // an interface type's braces
		body         bool // a function body to blank
		paren, brack int  // depths when opened
		open         int  // offset of '{'
	}
	var (
		stack        []frame
		paren, brack int
		prev         token.Token
		prevLit      string
		// A top-level function declaration: state 1 after "func", 2 in
		// its receiver, 3 after the receiver, 5 right after its name, 4
		// in its signature.
		fn      int
		generic bool
		blanks  [][2]int
	)
	for {
		pos, tok, lit := sc.Scan()
		if tok == token.EOF {
			break
		}
		off := file.Offset(pos)
		top := len(stack) == 0 && paren == 0 && brack == 0
		switch {
		case tok == token.FUNC && top && fn == 0 && (prev == token.SEMICOLON || prev == token.ILLEGAL):
			// A declaration, not a literal ("var x = func() T {...}()").
			fn, generic = 1, false
		case fn == 1 && tok == token.LPAREN:
			fn = 2
		case fn == 1 && tok == token.IDENT, fn == 3 && tok == token.IDENT:
			fn = 5
		case fn == 2 && tok == token.LBRACK:
			generic = true
		case fn == 5:
			// Type parameters: "[" right after the name.
			fn, generic = 4, generic || tok == token.LBRACK
		}
		switch tok {
		case token.LPAREN:
			// A method name: an identifier followed by "(" directly in
			// an interface type's braces.
			if n := len(stack); n > 0 && stack[n-1].iface && prev == token.IDENT && paren == stack[n-1].paren && brack == stack[n-1].brack {
				methods = append(methods, prevLit)
			}
			paren++
		case token.RPAREN:
			paren--
			if fn == 2 && paren == 0 {
				fn = 3
			}
		case token.LBRACK:
			brack++
		case token.RBRACK:
			brack--
		case token.LBRACE:
			f := frame{iface: prev == token.INTERFACE, paren: paren, brack: brack, open: off}
			if fn == 4 && top && prev != token.STRUCT && prev != token.INTERFACE {
				f.body, fn = !generic, 0
			}
			stack = append(stack, f)
		case token.RBRACE:
			n := len(stack)
			if n == 0 {
				return nil, nil, false
			}
			if f := stack[n-1]; f.body {
				blanks = append(blanks, [2]int{f.open + 1, off})
			}
			stack = stack[:n-1]
		case token.SEMICOLON:
			if top && fn != 0 && fn != 2 {
				fn = 0 // a declaration without a body
			}
		}
		if paren < 0 || brack < 0 {
			return nil, nil, false
		}
		prev, prevLit = tok, lit
	}
	if bad || len(stack) != 0 || paren != 0 || brack != 0 {
		return nil, nil, false
	}
	out = make([]byte, len(src))
	copy(out, src)
	for _, b := range blanks {
		for i := b[0]; i < b[1]; i++ {
			if out[i] != '\n' {
				out[i] = ' '
			}
		}
	}
	return out, methods, true
}
