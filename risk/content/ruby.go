package content

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// The Ruby front end is a tokenizer and a small expression parser of
// our own, like the Python one: no pure-Go Ruby parser is maintained
// (the tree-sitter grammar needs cgo; the few Go ports of Ruby's parser
// are abandoned and stop at Ruby 2). The analysis needs statements,
// assignments, calls with and without parentheses, method chains,
// constant paths (Net::HTTP), strings with interpolation, %-literals,
// heredocs and backticks, and the def/class/do … end structure to tell
// a lib file's top-level code (run at require) from its method bodies.
// What the tokenizer cannot read (an unterminated string or heredoc,
// unbalanced brackets) makes the file "skipped" with the reason.

type rbTok struct {
	kind byte // 'n' name, 'c' constant path, 's' string, 'x' command string, 'i' number, 'y' symbol, 'o' operator, 'L' end of statement
	text string
	line int
	// parts of a string: literal text and interpolated code, in order
	// (code parts are tokens).
	parts []rbPart
	space bool // whitespace before the token
}

type rbPart struct {
	lit    string
	code   []rbTok
	isCode bool
}

// rbMaxNesting bounds interpolation and bracket nesting.
const rbMaxNesting = 64

var errRbSyntax = errors.New("ruby syntax")

func rbErr(line int, format string, args ...any) error {
	return fmt.Errorf("%w: line %d: %s", errRbSyntax, line, fmt.Sprintf(format, args...))
}

// rbTokenize splits src into tokens; statements end with 'L' tokens.
func rbTokenize(src string, line0, nest int) ([]rbTok, error) {
	if nest > rbMaxNesting {
		return nil, rbErr(line0, "interpolation nested more than %d deep", rbMaxNesting)
	}
	var toks []rbTok
	var brackets []byte
	line := line0
	i := 0
	space := false
	// heredocs waiting for the end of the current line
	type pending struct {
		tok           int
		term          string
		indented, raw bool
	}
	var heredocs []pending
	prevValue := func() bool {
		if len(toks) == 0 {
			return false
		}
		t := toks[len(toks)-1]
		switch t.kind {
		case 'n':
			return !rbKeywordsBeforeValue[t.text]
		case 'c', 's', 'x', 'i', 'y':
			return true
		case 'o':
			return t.text == ")" || t.text == "]" || t.text == "}"
		}
		return false
	}
	emit := func(t rbTok) {
		t.space = space
		toks = append(toks, t)
		space = false
	}
	lineStart := true
	for i < len(src) {
		c := src[i]
		if lineStart && strings.HasPrefix(src[i:], "=begin") {
			end := strings.Index(src[i:], "\n=end")
			if end < 0 {
				return nil, rbErr(line, "=begin without =end")
			}
			line += strings.Count(src[i:i+end+5], "\n")
			i += end + 5
			for i < len(src) && src[i] != '\n' {
				i++
			}
			continue
		}
		if lineStart && strings.HasPrefix(src[i:], "__END__") && (i+7 == len(src) || src[i+7] == '\n' || src[i+7] == '\r') {
			break
		}
		lineStart = false
		switch {
		case c == '\n':
			line++
			lineStart = true
			i++
			if len(heredocs) > 0 {
				for _, h := range heredocs {
					body, n, lines, ok := rbHeredocBody(src[i:], h.term, h.indented)
					if !ok {
						return nil, rbErr(toks[h.tok].line, "heredoc %s without its terminator", h.term)
					}
					t := &toks[h.tok]
					if h.raw {
						t.parts = []rbPart{{lit: body}}
					} else {
						parts, err := rbInterpolate(body, line, nest)
						if err != nil {
							return nil, err
						}
						t.parts = parts
					}
					i += n
					line += lines
				}
				heredocs = nil
			}
			if len(brackets) > 0 && brackets[len(brackets)-1] != '{' {
				continue
			}
			if len(toks) > 0 {
				last := toks[len(toks)-1]
				if last.kind == 'L' || last.kind == 'o' && rbContinues[last.text] || last.kind == 'n' && (last.text == "and" || last.text == "or") {
					continue
				}
			}
			// A line starting with .method continues the chain.
			j := i
			for j < len(src) && (src[j] == ' ' || src[j] == '\t' || src[j] == '\r') {
				j++
			}
			if j < len(src) && (src[j] == '.' && (j+1 >= len(src) || src[j+1] != '.') || strings.HasPrefix(src[j:], "&.")) {
				continue
			}
			emit(rbTok{kind: 'L', line: line - 1})
		case c == ' ' || c == '\t' || c == '\r':
			space = true
			i++
		case c == '\\' && i+1 < len(src) && src[i+1] == '\n':
			i += 2
			line++
			space = true
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == ';':
			emit(rbTok{kind: 'L', line: line})
			i++
		case c == '"' || c == '\'' || c == '`':
			body, n, lines, err := rbDelimited(src[i+1:], c, c, line)
			if err != nil {
				return nil, err
			}
			t := rbTok{kind: 's', line: line}
			if c == '`' {
				t.kind = 'x'
			}
			if c == '\'' {
				t.parts = []rbPart{{lit: rbSingleUnescape(body)}}
			} else {
				parts, err := rbInterpolate(body, line, nest)
				if err != nil {
					return nil, err
				}
				t.parts = parts
			}
			emit(t)
			i += 1 + n
			line += lines
		case c == '%' && i+1 < len(src) && !prevValue() && rbPercentStart(src[i+1:]):
			j := i + 1
			typ := byte('Q')
			if src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' {
				typ = src[j]
				j++
			}
			if j >= len(src) {
				return nil, rbErr(line, "%% literal without a delimiter")
			}
			open := src[j]
			closeCh := rbCloser(open)
			body, n, lines, err := rbDelimited(src[j+1:], open, closeCh, line)
			if err != nil {
				return nil, err
			}
			t := rbTok{kind: 's', line: line}
			switch typ {
			case 'q', 'w', 'i', 's':
				t.parts = []rbPart{{lit: body}}
				if typ == 'w' || typ == 'i' {
					t.kind = 'o'
					t.text = "%w"
				}
			case 'x':
				t.kind = 'x'
				fallthrough
			default:
				parts, err := rbInterpolate(body, line, nest)
				if err != nil {
					return nil, err
				}
				t.parts = parts
			}
			if typ == 'r' {
				t.parts = nil // a regular expression: not a string value
			}
			emit(t)
			i = j + 1 + n
			line += lines
		case c == '<' && strings.HasPrefix(src[i:], "<<") && rbHeredocStart(src[i+2:], prevValue(), space):
			j := i + 2
			// <<~ and <<- allow an indented terminator; reading every
			// heredoc so is lenient with <<EOS only.
			if src[j] == '~' || src[j] == '-' {
				j++
			}
			raw := false
			var term string
			if src[j] == '\'' || src[j] == '"' || src[j] == '`' {
				q := src[j]
				raw = q == '\''
				e := strings.IndexByte(src[j+1:], q)
				if e < 0 || strings.Contains(src[j+1:j+1+e], "\n") {
					return nil, rbErr(line, "unterminated heredoc name")
				}
				term = src[j+1 : j+1+e]
				j += e + 2
			} else {
				e := j
				for e < len(src) && rbIdentChar(src[e]) {
					e++
				}
				term = src[j:e]
				j = e
			}
			emit(rbTok{kind: 's', line: line})
			heredocs = append(heredocs, pending{tok: len(toks) - 1, term: term, indented: true, raw: raw})
			i = j
		case c == '/' && (!prevValue() || space && i+1 < len(src) && src[i+1] != ' ' && src[i+1] != '=' && len(toks) > 0 && toks[len(toks)-1].kind == 'n'):
			_, n, lines, err := rbDelimited(src[i+1:], '/', '/', line)
			if err != nil {
				return nil, err
			}
			i += 1 + n
			line += lines
			for i < len(src) && src[i] >= 'a' && src[i] <= 'z' {
				i++
			}
			emit(rbTok{kind: 's', line: line}) // a regular expression: no string value
		case c == '?' && i+1 < len(src) && !prevValue() && src[i+1] != ' ' && src[i+1] != '\n' && src[i+1] != '\t' &&
			(i+2 >= len(src) || !rbIdentChar(src[i+2]) || !rbIdentChar(src[i+1])):
			// A character literal: ?a, ?/, ?\n.
			n := 2
			if src[i+1] == '\\' && i+2 < len(src) {
				n = 3
			}
			emit(rbTok{kind: 's', line: line, parts: []rbPart{{lit: src[i+1 : i+n]}}})
			i += n
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && (rbIdentChar(src[j]) || src[j] == '.' && j+1 < len(src) && src[j+1] >= '0' && src[j+1] <= '9') {
				j++
			}
			emit(rbTok{kind: 'i', text: strings.ReplaceAll(src[i:j], "_", ""), line: line})
			i = j
		case c == ':' && i+1 < len(src) && (src[i+1] == '"' || src[i+1] == '\''):
			body, n, lines, err := rbDelimited(src[i+2:], src[i+1], src[i+1], line)
			if err != nil {
				return nil, err
			}
			emit(rbTok{kind: 'y', text: body, line: line})
			i += 2 + n
			line += lines
		case c == ':' && i+1 < len(src) && rbIdentStart(src[i+1]) && (len(toks) == 0 || !prevValue() || space):
			j := i + 1
			for j < len(src) && rbIdentChar(src[j]) {
				j++
			}
			if j < len(src) && (src[j] == '?' || src[j] == '!' || src[j] == '=') {
				j++
			}
			emit(rbTok{kind: 'y', text: src[i+1 : j], line: line})
			i = j
		case rbIdentStart(c) || c == '@' || c == '$':
			j := i
			if c == '$' && i+1 < len(src) && !rbIdentStart(src[i+1]) {
				j = i + 2 // $0, $!, …
			} else {
				for j < len(src) && (src[j] == '@' || src[j] == '$') {
					j++
				}
				for j < len(src) && rbIdentChar(src[j]) {
					j++
				}
			}
			if j < len(src) && (src[j] == '?' || src[j] == '!') && (j+1 >= len(src) || src[j+1] != '=') {
				j++
			}
			word := src[i:j]
			kind := byte('n')
			if c >= 'A' && c <= 'Z' {
				kind = 'c'
				// A constant path: Net::HTTP::Post.
				for strings.HasPrefix(src[j:], "::") && j+2 < len(src) && src[j+2] >= 'A' && src[j+2] <= 'Z' {
					k := j + 2
					for k < len(src) && rbIdentChar(src[k]) {
						k++
					}
					word += src[j:k]
					j = k
				}
			}
			emit(rbTok{kind: kind, text: word, line: line})
			i = j
		default:
			op := rbOperator(src[i:])
			switch op {
			case "(", "[", "{":
				if len(brackets) >= rbMaxNesting*4 {
					return nil, rbErr(line, "brackets nested more than %d deep", rbMaxNesting*4)
				}
				brackets = append(brackets, op[0])
			case ")", "]", "}":
				if len(brackets) == 0 || rbCloser(brackets[len(brackets)-1]) != op[0] {
					return nil, rbErr(line, "unbalanced %q", op)
				}
				brackets = brackets[:len(brackets)-1]
			}
			emit(rbTok{kind: 'o', text: op, line: line})
			i += len(op)
		}
	}
	if len(brackets) > 0 {
		return nil, rbErr(line, "unclosed %q", string(brackets[len(brackets)-1]))
	}
	if len(heredocs) > 0 {
		return nil, rbErr(line, "heredoc %s without its terminator", heredocs[0].term)
	}
	toks = append(toks, rbTok{kind: 'L', line: line})
	return toks, nil
}

// Keywords after which an operator-looking character starts a value.
var rbKeywordsBeforeValue = map[string]bool{
	"if": true, "unless": true, "while": true, "until": true, "and": true, "or": true, "not": true,
	"return": true, "when": true, "then": true, "else": true, "elsif": true, "do": true, "in": true, "puts": true, "p": true,
}

// Operators after which a newline does not end the statement.
var rbContinues = map[string]bool{
	",": true, ".": true, "&.": true, "+": true, "-": true, "*": true, "/": true, "&&": true, "||": true, "=": true,
	"(": true, "[": true, "{": true, "\\": true, "::": true, "+=": true, "||=": true, "<<": true, "=>": true,
	"?": true, ":": true, "==": true, "!=": true, "%w": false,
}

var rbOperators = []string{"**=", "<=>", "===", "...", "<<=", ">>=", "&&=", "||=", "**", "==", "!=", ">=", "<=", "&&", "||",
	"<<", ">>", "=~", "!~", "..", "::", "->", "=>", "+=", "-=", "*=", "/=", "|=", "&=", "&."}

func rbOperator(s string) string {
	for _, op := range rbOperators {
		if strings.HasPrefix(s, op) {
			return op
		}
	}
	// One byte, or one UTF-8 rune outside ASCII.
	if s[0] >= 0x80 {
		n := 1
		for n < len(s) && n < 4 && s[n]&0xc0 == 0x80 {
			n++
		}
		return s[:n]
	}
	return s[:1]
}

func rbIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func rbIdentChar(c byte) bool { return rbIdentStart(c) || c >= '0' && c <= '9' }

func rbCloser(c byte) byte {
	switch c {
	case '(':
		return ')'
	case '[':
		return ']'
	case '{':
		return '}'
	case '<':
		return '>'
	}
	return c
}

func rbPercentStart(s string) bool {
	c := s[0]
	if c == '(' || c == '[' || c == '{' || c == '|' || c == '!' || c == '<' {
		return true
	}
	return len(s) > 1 && strings.IndexByte("qQwWiIxrs", c) >= 0 && strings.IndexByte("([{<|!/^", s[1]) >= 0
}

func rbHeredocStart(s string, prevValue, space bool) bool {
	if s == "" {
		return false
	}
	if s[0] == '~' || s[0] == '-' {
		s = s[1:]
	} else if prevValue && !space {
		return false
	}
	if s == "" {
		return false
	}
	if s[0] == '\'' || s[0] == '"' || s[0] == '`' {
		return true
	}
	// <<EOS: an upper-case word (x << y is an append).
	n := 0
	for n < len(s) && (s[n] >= 'A' && s[n] <= 'Z' || s[n] == '_' || n > 0 && s[n] >= '0' && s[n] <= '9') {
		n++
	}
	return n > 0 && (n == len(s) || !rbIdentChar(s[n]))
}

// rbHeredocBody returns a heredoc's body from the line after its start.
func rbHeredocBody(s, term string, indented bool) (body string, n, lines int, ok bool) {
	for off := 0; off <= len(s); {
		e := strings.IndexByte(s[off:], '\n')
		l := s[off:]
		if e >= 0 {
			l = s[off : off+e]
		}
		t := strings.TrimRight(l, "\r")
		if indented {
			t = strings.TrimLeft(t, " \t")
		}
		if t == term {
			n = off + len(l)
			return s[:off], n, lines, true
		}
		if e < 0 {
			return "", 0, 0, false
		}
		off += e + 1
		lines++
	}
	return "", 0, 0, false
}

// rbDelimited reads up to the closing delimiter (nesting brackets),
// returning the body, the bytes consumed (closer included) and the
// newlines inside.
func rbDelimited(s string, open, closeCh byte, line int) (string, int, int, error) {
	depth := 0
	lines := 0
	interp := open == '"' || open == '`' || open == '(' || open == '[' || open == '{' || open == '<' || open == '|' || open == '/'
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case interp && c == '#' && i+1 < len(s) && s[i+1] == '{':
			n, nl, err := rbSkipCode(s[i+2:], line+lines, 0)
			if err != nil {
				return "", 0, 0, err
			}
			i += 1 + n
			lines += nl
		case c == '\\':
			i++
			if i < len(s) && s[i] == '\n' {
				lines++
			}
		case c == '\n':
			lines++
		case c == closeCh && depth == 0:
			return s[:i], i + 1, lines, nil
		case c == closeCh:
			depth--
		case c == open && open != closeCh:
			depth++
		}
	}
	return "", 0, 0, rbErr(line, "unterminated %q literal", string(open))
}

func rbSingleUnescape(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\'`, `'`).Replace(s)
}

// rbInterpolate splits a double-quoted body into literal parts (escapes
// resolved) and #{code} parts (tokenized).
func rbInterpolate(s string, line, nest int) ([]rbPart, error) {
	var parts []rbPart
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			switch e := s[i]; e {
			case 'n':
				lit.WriteByte('\n')
			case 't':
				lit.WriteByte('\t')
			case 'e':
				lit.WriteByte(27)
			case 's':
				lit.WriteByte(' ')
			case '0':
				lit.WriteByte(0)
			case 'x':
				j := i + 1
				for j < len(s) && j < i+3 && strings.IndexByte("0123456789abcdefABCDEF", s[j]) >= 0 {
					j++
				}
				if v, err := strconv.ParseUint(s[i+1:j], 16, 8); err == nil {
					lit.WriteByte(byte(v))
					i = j - 1
				}
			case 'u':
				j := i + 1
				if j < len(s) && s[j] == '{' {
					k := strings.IndexByte(s[j:], '}')
					if k > 0 {
						if v, err := strconv.ParseUint(s[j+1:j+k], 16, 32); err == nil {
							lit.WriteRune(rune(v))
						}
						i = j + k
					}
				} else if j+4 <= len(s) {
					if v, err := strconv.ParseUint(s[j:j+4], 16, 32); err == nil {
						lit.WriteRune(rune(v))
						i = j + 3
					}
				}
			default:
				lit.WriteByte(e)
			}
		case c == '\n':
			line++
			lit.WriteByte(c)
		case c == '#' && i+1 < len(s) && s[i+1] == '{':
			n, _, err := rbSkipCode(s[i+2:], line, nest)
			if err != nil {
				return nil, err
			}
			end := i + 2 + n - 1
			parts = append(parts, rbPart{lit: lit.String()})
			lit.Reset()
			code, err := rbTokenize(s[i+2:end], line, nest+1)
			if err != nil {
				return nil, err
			}
			parts = append(parts, rbPart{code: code, isCode: true})
			i = end
		default:
			lit.WriteByte(c)
		}
	}
	return append(parts, rbPart{lit: lit.String()}), nil
}

// rubyAPIs are the Ruby APIs the analysis knows. Kernel methods
// are named Kernel#name (a bare "exec" is Python's eval-like builtin in
// apis); class methods by their constant path. They are added to
// apis when the package is initialised.
var rubyAPIs = map[string]capi{
	"Kernel#eval": apiEval, "Kernel#instance_eval": apiEval, "Kernel#class_eval": apiEval, "Kernel#module_eval": apiEval,
	"Kernel.eval": apiEval, "RubyVM::InstructionSequence.compile": apiEval, "Marshal.load": apiEval,
	"Kernel#system": apiSpawn, "Kernel#exec": apiSpawn, "Kernel#spawn": apiSpawn, "Kernel#`": apiSpawn, "Kernel.system": apiSpawn,
	"Kernel.exec": apiSpawn, "Kernel.spawn": apiSpawn, "Process.spawn": apiSpawn, "Process.exec": apiSpawn, "IO.popen": apiSpawn,
	"Open3.capture2": apiSpawn, "Open3.capture2e": apiSpawn, "Open3.capture3": apiSpawn, "Open3.popen3": apiSpawn,
	"Open3.popen2": apiSpawn, "Open3.popen2e": apiSpawn, "PTY.spawn": apiSpawn,
	"Net::HTTP.get": apiNetGet, "Net::HTTP.get_response": apiNetGet, "Net::HTTP.post": apiNet, "Net::HTTP.post_form": apiNet,
	"Net::HTTP.new": apiNet, "Net::HTTP.start": apiNet, "Net::HTTP::Post.new": apiNet, "Net::HTTP::Get.new": apiNetGet,
	"URI.open": apiNetGet, "OpenURI.open_uri": apiNetGet, "HTTParty.get": apiNetGet, "HTTParty.post": apiNet,
	"Faraday.get": apiNetGet, "Faraday.post": apiNet, "RestClient.get": apiNetGet, "RestClient.post": apiNet,
	"TCPSocket.new": apiNet, "TCPSocket.open": apiNet, "Socket.tcp": apiNet, "UDPSocket.new": apiNet, "Net::SMTP.start": apiNet,
	"Resolv.getaddress": apiDNS, "Resolv.getaddresses": apiDNS, "Addrinfo.getaddrinfo": apiDNS, "Socket.getaddrinfo": apiDNS,
	"IPSocket.getaddress": apiDNS, "Resolv::DNS.new": apiDNS,
	"Base64.decode64": apiDecode, "Base64.strict_decode64": apiDecode, "Base64.urlsafe_decode64": apiDecode,
	"Zlib::Inflate.inflate": apiDecode, "Zlib.inflate": apiDecode, "Zlib.gunzip": apiDecode,
	"Base64.encode64": apiEncode, "Base64.strict_encode64": apiEncode, "Base64.urlsafe_encode64": apiEncode,
	"JSON.generate": apiEncode, "JSON.dump": apiEncode, "URI.encode_www_form": apiEncode, "URI": apiEncode, "URI.parse": apiEncode,
	"File.read": apiReadFile, "File.readlines": apiReadFile, "File.binread": apiReadFile, "IO.read": apiReadFile,
	"IO.readlines": apiReadFile, "File.open": apiReadFile, "File.new": apiReadFile, "Dir.glob": apiReadFile, "Dir.entries": apiReadFile,
	"File.write": apiWriteFile, "File.binwrite": apiWriteFile, "IO.write": apiWriteFile, "IO.binwrite": apiWriteFile,
	"File.chmod": apiChmod, "FileUtils.chmod": apiChmod,
	"File.expand_path": apiPathJoin, "File.join": apiPathJoin, "Dir.home": apiHome,
	"Socket.gethostname": apiSysinfo, "Etc.getlogin": apiSysinfo, "Etc.getpwuid": apiSysinfo, "Etc.uname": apiSysinfo,
	"ENV.to_h": apiEnvAll, "ENV.to_a": apiEnvAll, "ENV.to_hash": apiEnvAll, "ENV.inspect": apiEnvAll, "ENV.each": apiEnvAll,
	"ENV.map": apiEnvAll, "ENV.select": apiEnvAll, "ENV.filter": apiEnvAll, "ENV.fetch": apiEnvGet,
	"Clipboard.paste": apiCollect, "Win32::Clipboard.data": apiCollect,
}

func init() {
	for _, m := range []map[string]capi{rubyAPIs} {
		for k, v := range m {
			if _, taken := apis[k]; !taken {
				apis[k] = v
			}
		}
	}
}

// Kernel methods called without a receiver.
var rbKernel = map[string]bool{
	"eval": true, "instance_eval": true, "class_eval": true, "module_eval": true, "system": true, "exec": true,
	"spawn": true, "open": true, "require": false,
}

// rbAnalysis is the state of one Ruby file's analysis.
type rbAnalysis struct {
	*fileAnalysis
	env      map[string]cval
	toks     []rbTok
	pos      int
	lines    []string
	topLevel bool // analyse only code outside method bodies
}

// rbRunsWhole says a gem file runs as a whole at install (every method
// it defines is there to be called by it).
func rbRunsWhole(name string) bool {
	base := path.Base(name)
	return base == "extconf.rb" || base == "mkrf_conf.rb" || base == "Rakefile" || base == "rakefile" || base == "Rakefile.rb" ||
		base == "rubygems_plugin.rb"
}

// analyseRuby tokenizes a as Ruby and analyses its statements.
func analyseRuby(a *fileAnalysis) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("ruby analysis failed: %v", r)
		}
	}()
	toks, err := rbTokenize(string(a.src), 1, 0)
	if err != nil {
		return err
	}
	r := &rbAnalysis{fileAnalysis: a, env: map[string]cval{}, lines: strings.Split(string(a.src), "\n"), topLevel: !rbRunsWhole(a.file)}
	var stack []string // open blocks: "def", "class", "do", "ctl"
	defs := 0          // the "def" entries of stack
	inDef := func() bool { return defs > 0 }
	start := 0
	for i, t := range toks {
		if t.kind != 'L' {
			continue
		}
		st := toks[start:i]
		start = i + 1
		if len(st) == 0 {
			continue
		}
		skip := r.topLevel && inDef()
		// Block structure.
		first := st[0]
		opened := false
		if first.kind == 'n' {
			switch first.text {
			case "def":
				if !rbEndlessDef(st) {
					stack = append(stack, "def")
					defs++
					opened = true
				}
				skip = true
			case "class", "module":
				stack = append(stack, "class")
				opened = true
			case "if", "unless", "while", "until", "case", "begin", "for":
				stack = append(stack, "ctl")
				opened = true
			}
		}
		for k, t := range st {
			if t.kind != 'n' {
				continue
			}
			switch t.text {
			case "do":
				if !(opened && (first.text == "while" || first.text == "until" || first.text == "for")) {
					stack = append(stack, "do")
				}
			case "if", "unless", "while", "until", "case", "begin":
				if k > 0 && st[k-1].kind == 'o' && (st[k-1].text == "=" || st[k-1].text == "(" || st[k-1].text == "||=") {
					stack = append(stack, "ctl")
				}
			case "end":
				if len(stack) > 0 {
					if stack[len(stack)-1] == "def" {
						defs--
					}
					stack = stack[:len(stack)-1]
				}
			}
		}
		if skip || first.kind == 'n' && (first.text == "end" || first.text == "def" || first.text == "class" || first.text == "module") {
			continue
		}
		r.statement(rbBlockSplit(r, st))
		if a.exhausted {
			return nil
		}
	}
	return nil
}

// rbEndlessDef says a def statement has no end: def name(args) = expr.
func rbEndlessDef(st []rbTok) bool {
	depth := 0
	for k, t := range st {
		if t.kind != 'o' {
			continue
		}
		switch t.text {
		case "(":
			depth++
		case ")":
			depth--
		case "=":
			if depth == 0 && k > 1 {
				return true
			}
		}
	}
	return false
}

func (r *rbAnalysis) spanAt(line int) string {
	if line >= 1 && line <= len(r.lines) {
		return r.lines[line-1]
	}
	return ""
}

// statement analyses one statement.
func (r *rbAnalysis) statement(st []rbTok) {
	if !r.spend(len(st)) {
		return
	}
	// Leading keywords.
	for len(st) > 0 && st[0].kind == 'n' && (st[0].text == "if" || st[0].text == "unless" || st[0].text == "while" ||
		st[0].text == "until" || st[0].text == "return" || st[0].text == "elsif" || st[0].text == "when" || st[0].text == "else" ||
		st[0].text == "begin" || st[0].text == "ensure" || st[0].text == "then" || st[0].text == "not" || st[0].text == "case") {
		st = st[1:]
	}
	if len(st) == 0 {
		return
	}
	// Modifiers: a if b, a rescue b.
	depth := 0
	for k := 1; k < len(st); k++ {
		depth += rbDepthStep(st[k-1])
		if depth == 0 && st[k].kind == 'n' && (st[k].text == "if" || st[k].text == "unless" || st[k].text == "rescue" || st[k].text == "while" || st[k].text == "until") {
			r.statement(st[k+1:])
			st = st[:k]
			break
		}
	}
	// Assignment.
	for k := 1; k < len(st) && k < 6; k++ {
		if st[k].kind == 'o' && (st[k].text == "=" || st[k].text == "||=" || st[k].text == "+=" || st[k].text == "<<") && rbTopLevelAt(st, k) {
			if st[k].text == "<<" && !(st[0].kind == 'n' && k == 1) {
				break
			}
			v := r.expr(st[k+1:])
			target := st[0]
			if target.kind == 'n' || target.kind == 'c' {
				name := target.text
				if st[k].text == "+=" || st[k].text == "<<" {
					v = concat(r.env[name], v)
				} else if st[k].text == "||=" {
					if old, ok := r.env[name]; ok {
						v = old.join(v)
					}
				}
				if k == 1 || st[1].kind == 'o' && st[1].text == "," {
					r.env[name] = v
				} else if old, ok := r.env[name]; ok {
					// x[k] = v, x.f = v: the object carries v.
					r.env[name] = old.join(v)
				}
			}
			return
		}
	}
	r.expr(st)
}

// rbTopLevelAt says st[k] is outside brackets.
func rbTopLevelAt(st []rbTok, k int) bool {
	depth := 0
	for _, t := range st[:k] {
		if t.kind == 'o' {
			switch t.text {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth--
			}
		}
	}
	return depth == 0
}

// rbParser parses one expression.
type rbParser struct {
	r    *rbAnalysis
	toks []rbTok
	i    int
}

func (r *rbAnalysis) expr(toks []rbTok) cval {
	p := &rbParser{r: r, toks: toks}
	v := p.binary()
	// Whatever is left (a block, a trailing do) is ignored.
	return v
}

func (p *rbParser) peek() rbTok {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return rbTok{kind: 'L'}
}

func (p *rbParser) isOp(op string) bool { t := p.peek(); return t.kind == 'o' && t.text == op }

func (p *rbParser) line() int {
	if p.i < len(p.toks) {
		return p.toks[p.i].line
	}
	if len(p.toks) > 0 {
		return p.toks[len(p.toks)-1].line
	}
	return 0
}

var rbBinary = map[string]bool{"+": true, "-": true, "*": true, "||": true, "&&": true, "==": true, "!=": true, "%": true,
	"and": true, "or": true, "?": true, ":": true, "=~": true, "<": true, ">": true, ">=": true, "<=": true, "..": true, "...": true, "|": true, "&": true}

func (p *rbParser) binary() cval {
	v := p.unary()
	for p.i < len(p.toks) && p.r.spend(1) {
		t := p.peek()
		if !(t.kind == 'o' || t.kind == 'n' && (t.text == "and" || t.text == "or")) || !rbBinary[t.text] {
			break
		}
		p.i++
		w := p.unary()
		if t.text == "+" {
			p.r.spend((len(v.s) + len(w.s)) / 4) // see goAnalysis.expr
			v = concat(v, w)
		} else if t.text == "||" || t.text == "or" || t.text == "?" || t.text == ":" {
			// Either side: keep what both carry, and a known string.
			if !v.known && w.known {
				v = w.join(v)
			} else {
				v = v.join(w)
			}
		} else {
			v = cunknown().join(v).join(w)
		}
	}
	return v
}

func (p *rbParser) unary() cval {
	for {
		t := p.peek()
		if t.kind == 'o' && (t.text == "!" || t.text == "-" || t.text == "*" || t.text == "&" || t.text == "**" || t.text == "::") || t.kind == 'n' && (t.text == "not" || t.text == "defined?") {
			p.i++
			continue
		}
		return p.postfix(p.atom())
	}
}

// startsValue says the token can start a command call's argument.
func rbStartsValue(t rbTok) bool {
	switch t.kind {
	case 's', 'x', 'i', 'y', 'c':
		return true
	case 'n':
		return !rbKeywordsBeforeValue[t.text] && t.text != "do" && t.text != "end" && t.text != "rescue"
	case 'o':
		return t.text == "%w" || t.text == "[" && t.space || t.text == "::" || t.text == "(" && t.space
	}
	return false
}

func (p *rbParser) atom() cval {
	t := p.peek()
	if !p.r.spend(1) {
		return cunknown()
	}
	p.i++
	switch t.kind {
	case 's':
		return p.r.str(t)
	case 'x':
		cmd := p.r.str(t)
		return p.r.rbCall("Kernel#`", []cval{cmd}, t.line)
	case 'i':
		return cval{s: t.text, known: true, num: true}
	case 'y':
		return cstr(t.text)
	case 'o':
		switch t.text {
		case "(":
			inner := p.group("(", ")")
			return p.r.expr(inner)
		case "[":
			return p.list(p.group("[", "]"))
		case "{":
			inner := p.group("{", "}")
			return cunknown().join(p.list(inner))
		case "%w":
			var el []cval
			for _, w := range strings.Fields(t.parts[0].lit) {
				el = append(el, cstr(w))
			}
			return cval{s: unknownPart, fn: el}
		case "->":
			return cunknown()
		}
		return cunknown()
	case 'c':
		if t.text == "ENV" {
			return cref("ENV")
		}
		if v, ok := p.r.env[t.text]; ok {
			return v
		}
		if (t.text == "URI" || t.text == "Integer" || t.text == "String") && p.isOp("(") && !p.peek().space {
			args := p.args()
			return p.r.rbCall(t.text, args, t.line)
		}
		return cref(t.text)
	case 'n':
		switch t.text {
		case "nil", "true", "false", "self", "__FILE__", "__dir__", "__method__":
			return cunknown()
		case "lambda", "proc":
			return cunknown()
		}
		if v, ok := p.r.env[t.text]; ok {
			return v
		}
		// A call without a receiver: name(args) or name args.
		var args []cval
		called := false
		if p.isOp("(") && !p.peek().space {
			args, called = p.args(), true
		} else if nt := p.peek(); nt.space && rbStartsValue(nt) && p.i < len(p.toks) {
			args, called = p.commandArgs(), true
		}
		if rbKernel[t.text] {
			if t.text == "open" {
				return p.r.rbOpen(args, t.line)
			}
			return p.r.rbCall("Kernel#"+t.text, args, t.line)
		}
		if called {
			return cunknown().join(joinAll(args))
		}
		return cunknown()
	}
	return cunknown()
}

// group returns the tokens up to the bracket closing the one just read.
func (p *rbParser) group(open, closeOp string) []rbTok {
	start, depth := p.i, 0
	for p.i < len(p.toks) {
		t := p.toks[p.i]
		p.i++
		if t.kind != 'o' {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			if depth == 0 {
				return p.toks[start : p.i-1]
			}
			depth--
		}
	}
	return p.toks[start:]
}

// list evaluates comma-separated expressions (hash pairs keep their values).
func (p *rbParser) list(toks []rbTok) cval {
	var el []cval
	all := cval{}
	for _, part := range rbSplit(toks) {
		// key: value and key => value.
		depth := 0
		for k := 0; k < len(part); k++ {
			if k > 0 {
				depth += rbDepthStep(part[k-1])
			}
			if depth == 0 && part[k].kind == 'o' && (part[k].text == "=>" || part[k].text == ":") {
				part = part[k+1:]
				break
			}
		}
		v := p.r.expr(part)
		el = append(el, v)
		all = all.join(v)
	}
	return cval{s: unknownPart, fn: el}.join(all)
}

func rbSplit(toks []rbTok) [][]rbTok {
	var out [][]rbTok
	depth, start := 0, 0
	for k, t := range toks {
		if t.kind != 'o' {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
		case ",":
			if depth == 0 {
				out = append(out, toks[start:k])
				start = k + 1
			}
		}
	}
	if start < len(toks) {
		out = append(out, toks[start:])
	}
	return out
}

// args reads (a, b) after a callee.
func (p *rbParser) args() []cval {
	p.i++ // (
	inner := p.group("(", ")")
	return p.argList(inner)
}

func (p *rbParser) argList(toks []rbTok) []cval {
	var out []cval
	for _, part := range rbSplit(toks) {
		for k := 0; k < len(part); k++ {
			if part[k].kind == 'o' && (part[k].text == "=>" || part[k].text == ":") && k <= 1 {
				part = part[k+1:]
				break
			}
		}
		out = append(out, p.r.expr(part))
	}
	return out
}

// commandArgs reads the arguments of a call without parentheses, up to
// a block or a modifier.
func (p *rbParser) commandArgs() []cval {
	start, depth := p.i, 0
	for p.i < len(p.toks) {
		t := p.toks[p.i]
		if t.kind == 'o' {
			switch t.text {
			case "(", "[":
				depth++
			case "{":
				if depth == 0 {
					goto done
				}
				depth++
			case ")", "]", "}":
				depth--
			}
		}
		if depth == 0 && t.kind == 'n' && (t.text == "do" || t.text == "if" || t.text == "unless" || t.text == "rescue" || t.text == "and" || t.text == "or") {
			break
		}
		p.i++
	}
done:
	return p.argList(p.toks[start:p.i])
}

// postfix applies .method, ::Const, [index] and calls to v.
func (p *rbParser) postfix(v cval) cval {
	for p.i < len(p.toks) && p.r.spend(1) {
		t := p.peek()
		switch {
		case t.kind == 'o' && (t.text == "." || t.text == "&."):
			p.i++
			m := p.peek()
			if m.kind != 'n' && m.kind != 'c' {
				return cunknown().join(v)
			}
			p.i++
			var args []cval
			hasArgs := false
			if p.isOp("(") && !p.peek().space {
				args, hasArgs = p.args(), true
			} else if nt := p.peek(); nt.space && rbStartsValue(nt) && (nt.kind != 'n' || true) && v.ref != "" && !strings.HasSuffix(v.ref, "()") {
				args, hasArgs = p.commandArgs(), true
			}
			v = p.r.method(v, m.text, args, hasArgs, m.line)
		case t.kind == 'o' && t.text == "[" && !t.space:
			p.i++
			idx := p.r.expr(p.group("[", "]"))
			if v.ref == "ENV" {
				v = p.r.envVar(idx, "ENV[]", t.line)
				continue
			}
			if el, ok := v.fn.([]cval); ok {
				if n, err := strconv.Atoi(idx.s); err == nil && idx.num && n >= 0 && n < len(el) {
					v = el[n]
					continue
				}
			}
			v = cval{s: unknownPart}.join(v).join(idx)
		case t.kind == 'o' && t.text == "::":
			p.i++
			if m := p.peek(); m.kind == 'n' || m.kind == 'c' {
				p.i++
				v = cref(v.ref + "::" + m.text)
			}
		default:
			return v
		}
	}
	return v
}

// str evaluates a string token with its interpolations.
func (r *rbAnalysis) str(t rbTok) cval {
	if t.parts == nil {
		return cunknown() // a regular expression
	}
	out := cstr("")
	for _, part := range t.parts {
		if part.isCode {
			v := r.expr(rbStripL(part.code))
			if !v.known {
				v.s = unknownPart
			}
			out = concat(out, v)
		} else {
			out = concat(out, cstr(part.lit))
		}
	}
	out.lit = len(t.parts) == 1
	return out
}

func rbStripL(toks []rbTok) []rbTok {
	out := toks[:0:0]
	for _, t := range toks {
		if t.kind != 'L' {
			out = append(out, t)
		}
	}
	return out
}

// method applies a method call to a value.
func (r *rbAnalysis) method(v cval, m string, args []cval, hasArgs bool, line int) cval {
	if m == "send" || m == "public_send" || m == "__send__" {
		if len(args) > 0 && args[0].known && rbKernel[args[0].s] {
			r.report("api-obfuscation", "runtime.obfuscation", line, r.spanAt(line), fmt.Sprintf("calls %s through %s", args[0].s, m), nil)
			return r.rbCall("Kernel#"+args[0].s, args[1:], line)
		}
	}
	// A class or module: an API call (Net::HTTP.get, Base64.decode64).
	if v.ref != "" && !strings.HasSuffix(v.ref, "()") && !strings.HasPrefix(v.ref, "filedata:") {
		ref := v.ref + "." + m
		if v.ref == "Kernel" && rbKernel[m] {
			ref = "Kernel#" + m
		}
		if v.ref == "ENV" && (m == "[]" || m == "fetch") && len(args) > 0 {
			return r.envVar(args[0], "ENV.fetch", line)
		}
		if apiOf(ref) != apiNone {
			return r.rbCall(ref, args, line)
		}
		if !hasArgs && m != "new" {
			return cref(ref)
		}
		return cunknown().join(joinAll(args))
	}
	// A connection or response object.
	if api := strings.TrimSuffix(v.ref, "()"); v.ref != "" && strings.HasSuffix(v.ref, "()") {
		switch role := apiOf(api); role {
		case apiNet, apiNetGet, apiDNS:
			switch m {
			case "write", "puts", "print", "send", "post", "request", "get", "start", "syswrite", "<<":
				r.netSink(api+"#"+m, role, args, line, r.spanAt(line))
			}
		}
		return cval{s: unknownPart, ref: v.ref}.join(v).join(joinAll(args))
	}
	switch m {
	case "unpack", "unpack1":
		f := ""
		if len(args) > 0 {
			f = args[0].s
		}
		// unpack1("m") decodes base64; unpack1("H*") encodes as hex.
		if strings.HasPrefix(f, "m") {
			out := cval{s: unknownPart}.join(v)
			if v.known {
				if s, ok := rbUnpack(v.s, f); ok {
					out.s, out.known = s, true
				}
			}
			return out.withTaint(taintDecoded, fmt.Sprintf("decoded by String#%s(%q) (line %d)", m, f, line))
		}
	case "pack":
		f := ""
		if len(args) > 0 {
			f = args[0].s
		}
		el, _ := v.fn.([]cval)
		// pack("H*") decodes hex; pack("m") encodes as base64.
		if strings.HasPrefix(f, "H") && len(el) > 0 {
			out := cval{s: unknownPart}.join(v)
			if el[0].known {
				if s, ok := rbUnpack(el[0].s, f); ok {
					out.s, out.known = s, true
				}
			}
			return out.withTaint(taintDecoded, fmt.Sprintf("decoded by Array#pack(%q) (line %d)", f, line))
		}
		if strings.HasPrefix(f, "U") || strings.HasPrefix(f, "C") || strings.HasPrefix(f, "c") {
			var b strings.Builder
			known := true
			for _, x := range el {
				n, err := strconv.Atoi(x.s)
				if err != nil || !x.num || n < 0 || n > 0x10ffff {
					known = false
					break
				}
				b.WriteRune(rune(n))
			}
			out := cval{s: unknownPart}.join(v)
			if known && len(el) > 0 {
				out.s, out.known = b.String(), true
			}
			if len(el) >= 8 {
				out = out.withTaint(taintDecoded, fmt.Sprintf("built from character codes by Array#pack (line %d)", line))
			}
			return out
		}
	case "reverse":
		if v.known {
			b := []rune(v.s)
			for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
				b[i], b[j] = b[j], b[i]
			}
			out := v
			out.s = string(b)
			return out
		}
	case "join":
		if el, ok := v.fn.([]cval); ok {
			sep := cstr("")
			if len(args) > 0 {
				sep = args[0]
			}
			out := cstr("")
			for i, x := range el {
				if i > 0 {
					out = concat(out, sep)
				}
				out = concat(out, x)
			}
			return out.join(v)
		}
	case "to_s", "strip", "chomp", "to_str", "dup", "freeze", "force_encoding", "b", "body", "read", "to_json", "inspect", "value":
		out := v
		out.lit = false
		if m == "strip" || m == "chomp" {
			out.s = strings.TrimSpace(out.s)
		}
		return out
	case "gsub", "tr", "sub", "delete":
		if len(args) >= 1 && v.known && args[0].known && (len(args) < 2 || args[1].known) && m != "tr" {
			rep := ""
			if len(args) > 1 {
				rep = args[1].s
			}
			n := -1
			if m == "sub" {
				n = 1
			}
			out := v
			out.s = strings.Replace(v.s, args[0].s, rep, n)
			return out
		}
	case "call":
		// method(:eval).call(x)
		if v.method != "" {
			return r.rbCall("Kernel#"+v.method, args, line)
		}
	}
	if m == "method" && len(args) > 0 && args[0].known && rbKernel[args[0].s] {
		out := cunknown()
		out.method = args[0].s
		return out
	}
	return cval{s: unknownPart}.join(v).join(joinAll(args))
}

// rbCall calls a Ruby API.
func (r *rbAnalysis) rbCall(ref string, args []cval, line int) cval {
	span := r.spanAt(line)
	switch apiOf(ref) {
	case apiDecode:
		out := cval{s: unknownPart}.join(joinAll(args))
		if len(args) > 0 && args[0].known && strings.Contains(ref, "64") {
			if b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(args[0].s), "")); err == nil {
				out.s, out.known = string(b), true
			} else if b, err := base64.URLEncoding.DecodeString(args[0].s); err == nil {
				out.s, out.known = string(b), true
			}
		}
		return out.withTaint(taintDecoded, fmt.Sprintf("decoded by %s (line %d)", ref, line))
	case apiChmod:
		// File.chmod(mode, path…): the path comes second.
		if len(args) > 1 {
			args = []cval{args[1], args[0]}
		}
	}
	v := r.callAPI(ref, args, line, span, false)
	if role := apiOf(ref); role == apiNet || role == apiNetGet || role == apiDNS {
		v.ref = ref + "()"
	}
	return v
}

// rbOpen is Kernel#open: a URL (with open-uri), a pipe ("|cmd") or a
// file.
func (r *rbAnalysis) rbOpen(args []cval, line int) cval {
	if len(args) == 0 {
		return cunknown()
	}
	a0 := args[0]
	switch {
	case strings.HasPrefix(a0.s, "|"):
		cmd := a0
		cmd.s = strings.TrimPrefix(a0.s, "|")
		return r.rbCall("Kernel#spawn", []cval{cmd}, line)
	case strings.HasPrefix(a0.s, "http://") || strings.HasPrefix(a0.s, "https://") || strings.HasPrefix(a0.s, "ftp://") || a0.ref == "URI()":
		return r.rbCall("OpenURI.open_uri", args, line)
	}
	return r.rbCall("File.read", args[:1], line)
}

// rbUnpack decodes s as String#unpack1(f) would for base64 (m) and hex
// (H) formats.
func rbUnpack(s, f string) (string, bool) {
	if strings.HasPrefix(f, "H") {
		b, err := hex.DecodeString(s)
		return string(b), err == nil
	}
	b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	return string(b), err == nil
}

// rbBlockSplit analyses the code after a block's opening on the same
// line (foo do |x| bar(x)) as a statement of its own and returns the
// part before the block.
func rbBlockSplit(r *rbAnalysis, st []rbTok) []rbTok {
	depth := 0
	for k, t := range st {
		if k > 0 {
			depth += rbDepthStep(st[k-1])
		}
		if t.kind != 'n' || t.text != "do" || depth != 0 {
			continue
		}
		rest := st[k+1:]
		if len(rest) > 0 && rest[0].kind == 'o' && rest[0].text == "|" {
			for j := 1; j < len(rest); j++ {
				if rest[j].kind == 'o' && rest[j].text == "|" {
					rest = rest[j+1:]
					break
				}
			}
		}
		if len(rest) > 0 {
			r.statement(rest)
		}
		return st[:k]
	}
	return st
}

// rbSkipCode returns the length of the interpolated code up to and
// including its closing brace, skipping the strings inside it.
func rbSkipCode(s string, line, nest int) (int, int, error) {
	if nest > rbMaxNesting {
		return 0, 0, rbErr(line, "interpolation nested more than %d deep", rbMaxNesting)
	}
	depth, lines := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\n':
			lines++
		case '{':
			depth++
		case '}':
			if depth == 0 {
				return i + 1, lines, nil
			}
			depth--
		case '"', '\'', '`':
			_, n, nl, err := rbDelimitedNest(s[i+1:], c, line+lines, nest+1)
			if err != nil {
				return 0, 0, err
			}
			i += n
			lines += nl
		}
	}
	return 0, 0, rbErr(line, "unterminated #{ in a string")
}

// rbDelimitedNest is rbDelimited for strings inside interpolated code,
// with the nesting bounded.
func rbDelimitedNest(s string, q byte, line, nest int) (string, int, int, error) {
	if q == '\'' {
		return rbDelimited(s, q, q, line)
	}
	lines := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '#' && i+1 < len(s) && s[i+1] == '{':
			n, nl, err := rbSkipCode(s[i+2:], line+lines, nest)
			if err != nil {
				return "", 0, 0, err
			}
			i += 1 + n
			lines += nl
		case c == '\\':
			i++
		case c == '\n':
			lines++
		case c == q:
			return s[:i], i + 1, lines, nil
		}
	}
	return "", 0, 0, rbErr(line, "unterminated %q literal", string(q))
}

// rbDepthStep is how a token changes the bracket depth.
func rbDepthStep(t rbTok) int {
	if t.kind == 'o' {
		switch t.text {
		case "(", "[", "{":
			return 1
		case ")", "]", "}":
			return -1
		}
	}
	return 0
}
