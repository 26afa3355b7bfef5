package gitops

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// ErrUnsafeEdit reports a target that exists but cannot be changed without
// touching bytes other than its value (a block or multi-line scalar, an
// aliased anchor, an empty value, an unsupported encoding). Nothing is
// written when it is returned.
var ErrUnsafeEdit = errors.New("gitops: edit cannot be spliced safely")

// ErrTooLarge reports an input over the package's size limits.
var ErrTooLarge = errors.New("gitops: input too large")

// MaxFileSize bounds one YAML file given to EditImage.
const MaxFileSize = 8 << 20

// maxDocuments bounds the documents of one YAML stream.
const maxDocuments = 10000

// yamlFile is one parsed YAML stream and the bytes it came from.
type yamlFile struct {
	ctx        context.Context
	steps      int
	resolved   map[string]string // plainResolvesTo results, by value and flow
	src        []byte
	docs       []*yaml.Node
	lineStarts []int
	bom        int
	parent     map[*yaml.Node]*yaml.Node
	aliased    map[string]bool // anchors referenced by an alias
	flow       map[*yaml.Node]bool
	scanned    int             // bytes offset examined (tests prove it linear)
	lineKind   []uint8         // per line: 0 not yet seen, 1 ASCII, 2 other
	runeStarts map[int][]int32 // line -> byte offset of each rune, non-ASCII lines
}

// parseYAMLFile parses src, checking ctx between documents and while it
// indexes nodes.
func parseYAMLFile(ctx context.Context, src []byte) (*yamlFile, error) {
	if len(src) > MaxFileSize {
		return nil, fmt.Errorf("%w: %d bytes (limit %d)", ErrTooLarge, len(src), MaxFileSize)
	}
	if bytes.HasPrefix(src, []byte{0xFE, 0xFF}) || bytes.HasPrefix(src, []byte{0xFF, 0xFE}) {
		return nil, fmt.Errorf("%w: UTF-16 input", ErrUnsafeEdit)
	}
	if !utf8.Valid(src) {
		return nil, fmt.Errorf("%w: input is not valid UTF-8", ErrUnsafeEdit)
	}
	f := &yamlFile{
		ctx:     ctx,
		src:     src,
		parent:  map[*yaml.Node]*yaml.Node{},
		aliased: map[string]bool{},
		flow:    map[*yaml.Node]bool{},
	}
	if bytes.HasPrefix(src, []byte("\xEF\xBB\xBF")) {
		f.bom = 3
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("gitops: parse YAML document %d: %w", len(f.docs), err)
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("gitops: parse YAML: %w", err)
		}
		if len(f.docs) >= maxDocuments {
			return nil, fmt.Errorf("%w: more than %d documents", ErrTooLarge, maxDocuments)
		}
		f.docs = append(f.docs, &n)
	}
	f.lineStarts = lineStarts(src)
	for _, d := range f.docs {
		if err := f.index(d, nil, false); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// step counts one unit of work and checks the context every 1024 units,
// so that long edits end when their caller gives up.
func (f *yamlFile) step() error {
	f.steps++
	if f.steps&1023 == 0 && f.ctx != nil {
		if err := f.ctx.Err(); err != nil {
			return fmt.Errorf("gitops: edit YAML: %w", err)
		}
	}
	return nil
}

func (f *yamlFile) index(n, parent *yaml.Node, inFlow bool) error {
	if err := f.step(); err != nil {
		return err
	}
	f.parent[n] = parent
	f.flow[n] = inFlow
	if n.Kind == yaml.AliasNode {
		f.aliased[n.Value] = true
		return nil
	}
	childFlow := inFlow || n.Style&yaml.FlowStyle != 0
	for _, c := range n.Content {
		if err := f.index(c, n, childFlow); err != nil {
			return err
		}
	}
	return nil
}

// lineStarts returns the byte offset of each line, counting line breaks
// the way the YAML scanner does (CRLF, CR, LF, NEL, LS, PS).
func lineStarts(src []byte) []int {
	starts := []int{0}
	for i := 0; i < len(src); i++ {
		switch {
		case src[i] == '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			starts = append(starts, i+1)
		case src[i] == '\n':
			starts = append(starts, i+1)
		case src[i] == 0xC2 && i+1 < len(src) && src[i+1] == 0x85:
			i++
			starts = append(starts, i+1)
		case src[i] == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && (src[i+2] == 0xA8 || src[i+2] == 0xA9):
			i += 2
			starts = append(starts, i+1)
		}
	}
	return starts
}

// offset converts a node's 1-based line and character column to a byte
// offset in src. It is linear overall: an ASCII line converts in O(1), and
// the rune offsets of a non-ASCII line are indexed once, on first use,
// instead of rescanning the line for every node on it (a one-line
// flow-style file holds all its nodes on one line).
func (f *yamlFile) offset(n *yaml.Node) (int, error) {
	if n.Line < 1 || n.Line > len(f.lineStarts) || n.Column < 1 {
		return 0, fmt.Errorf("%w: node at line %d column %d is outside the file", ErrUnsafeEdit, n.Line, n.Column)
	}
	line := n.Line - 1
	start := f.lineStarts[line]
	if line == 0 {
		start += f.bom
	}
	end := len(f.src)
	if line+1 < len(f.lineStarts) {
		end = f.lineStarts[line+1]
	}
	col := n.Column - 1
	past := fmt.Errorf("%w: column %d past end of line %d", ErrUnsafeEdit, n.Column, n.Line)
	if f.lineKind == nil {
		f.lineKind = make([]uint8, len(f.lineStarts))
		f.runeStarts = map[int][]int32{}
	}
	if f.lineKind[line] == 0 {
		f.lineKind[line] = 1
		f.scanned += end - start
		for _, c := range f.src[start:end] {
			if c >= utf8.RuneSelf {
				f.lineKind[line] = 2
				break
			}
		}
	}
	if f.lineKind[line] == 1 {
		if start+col > end {
			return 0, past
		}
		return start + col, nil
	}
	idx, ok := f.runeStarts[line]
	if !ok {
		f.scanned += end - start
		for i := start; i < end; {
			idx = append(idx, int32(i))
			_, size := utf8.DecodeRune(f.src[i:end])
			i += size
		}
		f.runeStarts[line] = idx
	}
	switch {
	case col < len(idx):
		return int(idx[col]), nil
	case col == len(idx):
		return end, nil
	}
	return 0, past
}

// span is one scalar's bytes in src: [start, end).
type span struct {
	start, end int
	style      yaml.Style // 0 (plain), yaml.SingleQuotedStyle or yaml.DoubleQuotedStyle
	tagged     bool       // the scalar carries an explicit tag
}

func isLineBreakAt(src []byte, i int) bool {
	c := src[i]
	if c == '\n' || c == '\r' {
		return true
	}
	if c == 0xC2 && i+1 < len(src) && src[i+1] == 0x85 {
		return true
	}
	return c == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && (src[i+2] == 0xA8 || src[i+2] == 0xA9)
}

// scalarSpan finds the bytes of a single-line scalar and proves they
// decode to the node's value; anything else is ErrUnsafeEdit.
func (f *yamlFile) scalarSpan(n *yaml.Node) (span, error) {
	where := fmt.Sprintf("line %d column %d", n.Line, n.Column)
	if n.Kind != yaml.ScalarNode {
		return span{}, fmt.Errorf("%w: %s is not a scalar", ErrUnsafeEdit, where)
	}
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return span{}, fmt.Errorf("%w: %s is a block scalar", ErrUnsafeEdit, where)
	}
	pos, err := f.offset(n)
	if err != nil {
		return span{}, err
	}
	src := f.src
	sp := span{}
	// Skip node properties: an anchor (&a) and a tag (!t, !!str, !<uri>).
	for pos < len(src) && (src[pos] == '&' || src[pos] == '!') {
		if src[pos] == '!' {
			sp.tagged = true
		}
		for pos < len(src) && src[pos] != ' ' && src[pos] != '\t' && !isLineBreakAt(src, pos) {
			pos++
		}
		for pos < len(src) && (src[pos] == ' ' || src[pos] == '\t') {
			pos++
		}
	}
	if pos >= len(src) || isLineBreakAt(src, pos) {
		return span{}, fmt.Errorf("%w: %s has no value on its line", ErrUnsafeEdit, where)
	}
	sp.start = pos
	switch src[pos] {
	case '\'':
		sp.style = yaml.SingleQuotedStyle
		i := pos + 1
		for ; i < len(src); i++ {
			if isLineBreakAt(src, i) {
				return span{}, fmt.Errorf("%w: %s is a multi-line quoted scalar", ErrUnsafeEdit, where)
			}
			if src[i] == '\'' {
				if i+1 < len(src) && src[i+1] == '\'' {
					i++
					continue
				}
				break
			}
		}
		if i >= len(src) {
			return span{}, fmt.Errorf("%w: %s: unterminated quoted scalar", ErrUnsafeEdit, where)
		}
		sp.end = i + 1
	case '"':
		sp.style = yaml.DoubleQuotedStyle
		i := pos + 1
		for ; i < len(src); i++ {
			if isLineBreakAt(src, i) {
				return span{}, fmt.Errorf("%w: %s is a multi-line quoted scalar", ErrUnsafeEdit, where)
			}
			if src[i] == '\\' {
				i++
				if i < len(src) && isLineBreakAt(src, i) {
					return span{}, fmt.Errorf("%w: %s is a multi-line quoted scalar", ErrUnsafeEdit, where)
				}
				continue
			}
			if src[i] == '"' {
				break
			}
		}
		if i >= len(src) {
			return span{}, fmt.Errorf("%w: %s: unterminated quoted scalar", ErrUnsafeEdit, where)
		}
		sp.end = i + 1
	default:
		if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
			return span{}, fmt.Errorf("%w: %s: quoted scalar not found at its position", ErrUnsafeEdit, where)
		}
		i := pos
		for ; i < len(src) && !isLineBreakAt(src, i); i++ {
			c := src[i]
			if c == '#' && i > pos && (src[i-1] == ' ' || src[i-1] == '\t') {
				break
			}
			if f.flow[n] && (c == ',' || c == ']' || c == '}') {
				break
			}
			// ": " ends a plain mapping key (a plain value cannot hold it).
			if c == ':' && (i+1 >= len(src) || src[i+1] == ' ' || src[i+1] == '\t' || isLineBreakAt(src, i+1) ||
				(f.flow[n] && strings.IndexByte(",[]{}", src[i+1]) >= 0)) {
				break
			}
		}
		for i > pos && (src[i-1] == ' ' || src[i-1] == '\t') {
			i--
		}
		sp.end = i
		if string(src[sp.start:sp.end]) != n.Value {
			return span{}, fmt.Errorf("%w: %s is a multi-line or irregular plain scalar", ErrUnsafeEdit, where)
		}
		return sp, nil
	}
	// Prove that the quoted bytes decode to the node's value.
	var got string
	if err := yaml.Unmarshal(src[sp.start:sp.end], &got); err != nil || got != n.Value {
		return span{}, fmt.Errorf("%w: %s: quoted bytes do not match the parsed value", ErrUnsafeEdit, where)
	}
	return sp, nil
}

// plainResolvesTo reports the tag a plain scalar with text s resolves to,
// or "" when s is not a valid single-line plain scalar of exactly that text.
func plainResolvesTo(s string, inFlow bool) string {
	if s == "" || strings.TrimSpace(s) != s || strings.ContainsAny(s, "\r\n\t") ||
		strings.Contains(s, " #") || strings.Contains(s, ": ") || strings.HasSuffix(s, ":") {
		return ""
	}
	if inFlow && strings.ContainsAny(s, ",[]{}") {
		return ""
	}
	if strings.ContainsRune("-?:,[]{}#&*!|>'\"%@`", rune(s[0])) {
		return ""
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err != nil || len(n.Content) != 1 {
		return ""
	}
	c := n.Content[0]
	if c.Kind != yaml.ScalarNode || c.Value != s || c.Style != 0 {
		return ""
	}
	return c.ShortTag()
}

func doubleQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7F || r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xFEFF:
			fmt.Fprintf(&b, "\\u%04X", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// scalarEdit is one intended change: node's value becomes value.
type scalarEdit struct {
	node  *yaml.Node
	value string
}

// render produces the replacement bytes for sp keeping its quoting style
// where the new value allows it, and the style the re-parse must show.
func (f *yamlFile) render(n *yaml.Node, sp span, value string) (string, yaml.Style, error) {
	if sp.tagged && n.ShortTag() != "!!str" {
		return "", 0, fmt.Errorf("%w: line %d column %d carries the explicit tag %s", ErrUnsafeEdit, n.Line, n.Column, n.Tag)
	}
	switch sp.style {
	case yaml.SingleQuotedStyle:
		if strings.ContainsAny(value, "\r\n") || strings.ContainsFunc(value, func(r rune) bool { return r < 0x20 && r != '\t' }) {
			return doubleQuote(value), yaml.DoubleQuotedStyle, nil
		}
		return "'" + strings.ReplaceAll(value, "'", "''") + "'", yaml.SingleQuotedStyle, nil
	case yaml.DoubleQuotedStyle:
		return doubleQuote(value), yaml.DoubleQuotedStyle, nil
	}
	key := value
	if f.flow[n] {
		key = "\x00" + value
	}
	tag, ok := f.resolved[key]
	if !ok {
		tag = plainResolvesTo(value, f.flow[n])
		if f.resolved == nil {
			f.resolved = map[string]string{}
		}
		f.resolved[key] = tag
	}
	switch {
	case tag == "":
	case sp.tagged, tag == "!!str", tag == n.ShortTag():
		return value, 0, nil
	}
	return doubleQuote(value), yaml.DoubleQuotedStyle, nil
}

type plannedEdit struct {
	scalarEdit
	span
	text       string
	style      yaml.Style
	structural *structEdit // set for a change of a collection (node is nil)
}

// apply splices edits into the original bytes and re-parses the result to
// prove that exactly the intended values changed.
func (f *yamlFile) apply(edits []scalarEdit, structs ...structEdit) ([]byte, error) {
	plans := make([]plannedEdit, 0, len(edits))
	for _, e := range edits {
		if err := f.step(); err != nil {
			return nil, err
		}
		if e.node.Value == e.value {
			continue
		}
		sp, err := f.scalarSpan(e.node)
		if err != nil {
			return nil, err
		}
		text, style, err := f.render(e.node, sp, e.value)
		if err != nil {
			return nil, err
		}
		plans = append(plans, plannedEdit{scalarEdit: e, span: sp, text: text, style: style})
	}
	for _, e := range structs {
		p, err := f.planStruct(e)
		if err != nil {
			return nil, err
		}
		plans = append(plans, p)
	}
	if len(plans) == 0 {
		return f.src, nil
	}
	// Stable: insertions at one position keep the order they were planned in.
	sort.SliceStable(plans, func(i, j int) bool { return plans[i].start < plans[j].start })
	var out bytes.Buffer
	out.Grow(len(f.src) + 256)
	last := 0
	for _, p := range plans {
		if p.start < last {
			return nil, fmt.Errorf("%w: overlapping edits at byte %d", ErrUnsafeEdit, p.start)
		}
		out.Write(f.src[last:p.start])
		out.WriteString(p.text)
		last = p.end
	}
	out.Write(f.src[last:])
	result := out.Bytes()
	if err := f.verify(result, plans); err != nil {
		return nil, err
	}
	return result, nil
}

// verify proves result is src with only the planned spans replaced: the
// bytes outside the spans (in order) are src's, each span holds its
// planned text, and the re-parsed tree equals the original one (the same
// documents, nodes, comments, anchors and lines, and values equal except
// for the planned edits, which must carry their new values). plans are
// sorted by start and do not overlap.
func (f *yamlFile) verify(result []byte, plans []plannedEdit) error {
	pos, last := 0, 0
	for _, p := range plans {
		keep := f.src[last:p.start]
		if !bytes.HasPrefix(result[pos:], keep) {
			return fmt.Errorf("%w: bytes before byte %d changed", ErrUnsafeEdit, p.start)
		}
		pos += len(keep)
		if !bytes.HasPrefix(result[pos:], []byte(p.text)) {
			return fmt.Errorf("%w: the text at byte %d is not the planned text", ErrUnsafeEdit, p.start)
		}
		pos += len(p.text)
		last = p.end
	}
	if !bytes.Equal(result[pos:], f.src[last:]) {
		return fmt.Errorf("%w: bytes after the last edit changed", ErrUnsafeEdit)
	}
	g, err := parseYAMLFile(f.ctx, result)
	if f.ctx != nil && f.ctx.Err() != nil {
		return fmt.Errorf("gitops: edit YAML: %w", f.ctx.Err())
	}
	if err != nil {
		return fmt.Errorf("%w: edited file does not re-parse: %v", ErrUnsafeEdit, err)
	}
	return f.sameTree(g, plans)
}

// sameTree compares the re-parsed edited file g with the tree f's plans
// must produce: every original node keeps its kind, anchor, comments, tag,
// style and value (a planned value for an edited scalar), and its line,
// shifted by the lines that splices before it add or remove; deleted pairs
// are gone and added nodes carry exactly their planned values.
func (f *yamlFile) sameTree(g *yamlFile, plans []plannedEdit) error {
	if len(g.docs) != len(f.docs) {
		return fmt.Errorf("%w: edited file has %d documents, want %d", ErrUnsafeEdit, len(g.docs), len(f.docs))
	}
	shift := f.lineShift(plans)
	wants := f.expected(plans)
	scalarPlans := 0
	for _, p := range plans {
		if p.structural == nil {
			scalarPlans++
		}
	}
	seen := 0
	var walk func(w *wantNode, b *yaml.Node) error
	walk = func(w *wantNode, b *yaml.Node) error {
		if err := f.step(); err != nil {
			return err
		}
		a := w.orig
		if a == nil {
			where := fmt.Sprintf("added node at line %d", b.Line)
			if b.Kind != w.kind || len(b.Content) != len(w.kids) || b.Anchor != "" ||
				b.HeadComment != "" || b.LineComment != "" || b.FootComment != "" {
				return fmt.Errorf("%w: re-parse differs at %s", ErrUnsafeEdit, where)
			}
			if w.kind == yaml.ScalarNode && (b.Value != w.value || b.Style&^yaml.TaggedStyle != w.style || b.ShortTag() != "!!str") {
				return fmt.Errorf("%w: re-parse at %s gives %q, want %q", ErrUnsafeEdit, where, b.Value, w.value)
			}
			if w.kind != yaml.ScalarNode && b.Style&yaml.FlowStyle != w.style&yaml.FlowStyle {
				return fmt.Errorf("%w: re-parse at %s has another style", ErrUnsafeEdit, where)
			}
		} else {
			where := func() string { return fmt.Sprintf("line %d column %d", a.Line, a.Column) }
			line := a.Line
			if off, err := f.offset(a); err == nil {
				line += shift(off)
			}
			if a.Kind != b.Kind || a.Anchor != b.Anchor || line != b.Line ||
				a.HeadComment != b.HeadComment || a.LineComment != b.LineComment || a.FootComment != b.FootComment ||
				len(w.kids) != len(b.Content) {
				return fmt.Errorf("%w: re-parse differs at %s", ErrUnsafeEdit, where())
			}
			if w.edited {
				seen++
				okTag := b.ShortTag() == a.ShortTag() || b.ShortTag() == "!!str"
				if b.Value != w.value || b.Style&^yaml.TaggedStyle != w.style || !okTag {
					return fmt.Errorf("%w: re-parse at %s gives %q (%s), want %q", ErrUnsafeEdit, where(), b.Value, b.ShortTag(), w.value)
				}
			} else if a.Value != b.Value || a.Style != b.Style || a.ShortTag() != b.ShortTag() {
				return fmt.Errorf("%w: re-parse changed the value at %s", ErrUnsafeEdit, where())
			}
			if a.Kind == yaml.AliasNode {
				return nil
			}
		}
		for i := range w.kids {
			if err := walk(w.kids[i], b.Content[i]); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range wants {
		if err := walk(wants[i], g.docs[i]); err != nil {
			return err
		}
	}
	if seen != scalarPlans {
		return fmt.Errorf("%w: %d of %d edits found on re-parse", ErrUnsafeEdit, seen, scalarPlans)
	}
	return nil
}

// anchoredAbove reports whether n or one of its ancestors carries an anchor
// that an alias refers to, so that changing n would change other places.
func (f *yamlFile) anchoredAbove(n *yaml.Node) bool {
	for p := n; p != nil; p = f.parent[p] {
		if p.Anchor != "" && f.aliased[p.Anchor] {
			return true
		}
	}
	return false
}
