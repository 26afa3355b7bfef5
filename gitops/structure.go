package gitops

import (
	"fmt"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// structOp is a change of a collection that a scalar splice cannot make.
type structOp int

const (
	// opDelete removes the pair at index of mapping parent.
	opDelete structOp = iota + 1
	// opInsert appends pairs to mapping parent.
	opInsert
	// opAppendItem appends a mapping made of pairs to sequence parent.
	opAppendItem
	// opAppendKey appends "key:" holding a one-item sequence of a mapping
	// made of pairs to the root mapping parent.
	opAppendKey
)

// kv is one key and scalar value to write.
type kv struct{ key, value string }

// structEdit is one planned change of a mapping or sequence.
type structEdit struct {
	op     structOp
	parent *yaml.Node
	index  int // opDelete: index of the key in parent.Content
	key    string
	pairs  []kv
}

// eol is the file's line break: CRLF when it has any, otherwise LF.
func (f *yamlFile) eol() string {
	if strings.Contains(string(f.src), "\r\n") {
		return "\r\n"
	}
	return "\n"
}

// lineBounds returns the start of the line holding off and the offset just
// after its line break (len(src) when it has none, with hasBreak false).
func (f *yamlFile) lineBounds(off int) (start, next int, hasBreak bool) {
	i := sort.Search(len(f.lineStarts), func(i int) bool { return f.lineStarts[i] > off })
	start = f.lineStarts[i-1]
	if i < len(f.lineStarts) {
		return start, f.lineStarts[i], true
	}
	return start, len(f.src), false
}

// newScalar renders a new scalar value: plain when it reads back as the
// same string, double-quoted otherwise.
func newScalar(v string, inFlow bool) (string, yaml.Style) {
	if plainResolvesTo(v, inFlow) == "!!str" {
		return v, 0
	}
	return doubleQuote(v), yaml.DoubleQuotedStyle
}

func pairsText(pairs []kv, inFlow bool) string {
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		t, _ := newScalar(p.value, inFlow)
		parts[i] = p.key + ": " + t
	}
	return strings.Join(parts, ", ")
}

// endOf returns the byte just after n when n is a single-line scalar or a
// flow collection ending on a line of its own kind; ErrUnsafeEdit
// otherwise.
func (f *yamlFile) endOf(n *yaml.Node) (int, error) {
	switch {
	case n.Kind == yaml.ScalarNode:
		sp, err := f.scalarSpan(n)
		return sp.end, err
	case (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && n.Style&yaml.FlowStyle != 0:
		closer := byte('}')
		if n.Kind == yaml.SequenceNode {
			closer = ']'
		}
		pos := 0
		if len(n.Content) == 0 {
			o, err := f.offset(n)
			if err != nil {
				return 0, err
			}
			pos = o + 1
		} else {
			e, err := f.endOf(n.Content[len(n.Content)-1])
			if err != nil {
				return 0, err
			}
			pos = e
		}
		for pos < len(f.src) && (f.src[pos] == ' ' || f.src[pos] == '\t' || f.src[pos] == ',') {
			pos++
		}
		if pos >= len(f.src) || f.src[pos] != closer {
			return 0, fmt.Errorf("%w: flow collection at line %d does not close on the line of its last item", ErrUnsafeEdit, n.Line)
		}
		return pos + 1, nil
	}
	return 0, fmt.Errorf("%w: line %d column %d: %s value cannot be delimited", ErrUnsafeEdit, n.Line, n.Column, kindName(n.Kind))
}

// lastLeaf is the last node of n in document order.
func lastLeaf(n *yaml.Node) *yaml.Node {
	for (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode || n.Kind == yaml.DocumentNode) && len(n.Content) > 0 && n.Style&yaml.FlowStyle == 0 {
		n = n.Content[len(n.Content)-1]
	}
	return n
}

// afterLastLine returns where a new line goes after the block collection n
// (just after the line break ending its last node's line) and the text to
// put before it when that line has no break.
func (f *yamlFile) afterLastLine(n *yaml.Node) (pos int, lead string, err error) {
	last := lastLeaf(n)
	end, err := f.endOf(last)
	if err != nil {
		return 0, "", err
	}
	_, next, hasBreak := f.lineBounds(end)
	rest := strings.TrimRight(string(f.src[end:next]), "\r\n\u0085\u2028\u2029")
	if t := strings.TrimLeft(rest, " \t"); t != "" && !strings.HasPrefix(t, "#") {
		return 0, "", fmt.Errorf("%w: line %d continues after its last value", ErrUnsafeEdit, last.Line)
	}
	if !hasBreak {
		return next, f.eol(), nil
	}
	return next, "", nil
}

// blockIndent returns the indentation (spaces) of the keys of block
// mapping m, proving that only spaces and a "- " item marker precede its
// first key on its line.
func (f *yamlFile) blockIndent(m *yaml.Node) (string, error) {
	k := m.Content[0]
	off, err := f.offset(k)
	if err != nil {
		return "", err
	}
	start, _, _ := f.lineBounds(off)
	before := string(f.src[start:off])
	if strings.Trim(before, " -") != "" || strings.Contains(strings.TrimLeft(before, " "), "--") {
		return "", fmt.Errorf("%w: mapping at line %d is not indented with spaces", ErrUnsafeEdit, k.Line)
	}
	return strings.Repeat(" ", len(before)), nil
}

// insertLines is the splice that puts lines (each ending in eol) at pos;
// lead, when the line before has no break, goes first and the last eol is
// dropped, so that a file without a final newline keeps none.
func insertLines(pos int, lead, lines, eol string) (span, string) {
	if lead != "" {
		return span{start: pos, end: pos}, lead + strings.TrimSuffix(lines, eol)
	}
	return span{start: pos, end: pos}, lines
}

// planStruct turns one structural edit into a splice.
func (f *yamlFile) planStruct(e structEdit) (plannedEdit, error) {
	p := plannedEdit{structural: &e}
	flow := e.parent.Style&yaml.FlowStyle != 0 || f.flow[e.parent]
	eol := f.eol()
	switch e.op {
	case opDelete:
		k, v := e.parent.Content[e.index], e.parent.Content[e.index+1]
		if f.anchoredAbove(k) {
			return p, fmt.Errorf("%w: line %d is under an anchor that an alias refers to", ErrUnsafeEdit, k.Line)
		}
		kOff, err := f.offset(k)
		if err != nil {
			return p, err
		}
		vEnd, err := f.endOf(v)
		if err != nil {
			return p, err
		}
		if flow {
			sep := func(a, b int) bool {
				s := strings.TrimSpace(string(f.src[a:b]))
				return s == "," && !strings.ContainsAny(string(f.src[a:b]), "\r\n")
			}
			switch {
			case e.index > 0:
				pEnd, err := f.endOf(e.parent.Content[e.index-1])
				if err != nil || !sep(pEnd, kOff) {
					return p, fmt.Errorf("%w: flow pair at line %d is not delimited by a comma", ErrUnsafeEdit, k.Line)
				}
				p.span = span{start: pEnd, end: vEnd}
			case len(e.parent.Content) > 2:
				nOff, err := f.offset(e.parent.Content[2])
				if err != nil || !sep(vEnd, nOff) {
					return p, fmt.Errorf("%w: flow pair at line %d is not delimited by a comma", ErrUnsafeEdit, k.Line)
				}
				p.span = span{start: kOff, end: nOff}
			default:
				p.span = span{start: kOff, end: vEnd}
			}
			return p, nil
		}
		start, _, _ := f.lineBounds(kOff)
		if strings.Trim(string(f.src[start:kOff]), " ") != "" {
			return p, fmt.Errorf("%w: key %q at line %d does not start its line", ErrUnsafeEdit, k.Value, k.Line)
		}
		_, next, _ := f.lineBounds(vEnd)
		rest := strings.TrimLeft(strings.TrimRight(string(f.src[vEnd:next]), "\r\n\u0085\u2028\u2029"), " \t")
		if rest != "" && !strings.HasPrefix(rest, "#") {
			return p, fmt.Errorf("%w: line %d continues after %q", ErrUnsafeEdit, k.Line, k.Value)
		}
		p.span = span{start: start, end: next}
		return p, nil
	case opInsert:
		if len(e.parent.Content) == 0 {
			return p, fmt.Errorf("%w: empty mapping at line %d", ErrUnsafeEdit, e.parent.Line)
		}
		if flow {
			lastEnd, err := f.endOf(e.parent.Content[len(e.parent.Content)-1])
			if err != nil {
				return p, err
			}
			p.span = span{start: lastEnd, end: lastEnd}
			p.text = ", " + pairsText(e.pairs, true)
			return p, nil
		}
		indent, err := f.blockIndent(e.parent)
		if err != nil {
			return p, err
		}
		pos, lead, err := f.afterLastLine(e.parent)
		if err != nil {
			return p, err
		}
		var b strings.Builder
		for _, pr := range e.pairs {
			b.WriteString(indent + pairsText([]kv{pr}, false) + eol)
		}
		p.span, p.text = insertLines(pos, lead, b.String(), eol)
		return p, nil
	case opAppendItem:
		seq := e.parent
		if flow {
			pos := 0
			if len(seq.Content) == 0 {
				o, err := f.offset(seq)
				if err != nil || f.src[o] != '[' {
					return p, fmt.Errorf("%w: flow sequence at line %d", ErrUnsafeEdit, seq.Line)
				}
				pos = o + 1
				p.text = "{" + pairsText(e.pairs, true) + "}"
			} else {
				end, err := f.endOf(seq.Content[len(seq.Content)-1])
				if err != nil {
					return p, err
				}
				pos = end
				p.text = ", {" + pairsText(e.pairs, true) + "}"
			}
			p.span = span{start: pos, end: pos}
			return p, nil
		}
		if len(seq.Content) == 0 || seq.Content[0].Kind != yaml.MappingNode || len(seq.Content[0].Content) == 0 || seq.Content[0].Style&yaml.FlowStyle != 0 {
			return p, fmt.Errorf("%w: sequence at line %d has no block mapping item to follow", ErrUnsafeEdit, seq.Line)
		}
		keyIndent, err := f.blockIndent(seq.Content[0])
		if err != nil {
			return p, err
		}
		dash := strings.Repeat(" ", seq.Column-1)
		if len(keyIndent) < len(dash)+2 {
			return p, fmt.Errorf("%w: sequence at line %d: unexpected item indentation", ErrUnsafeEdit, seq.Line)
		}
		pos, lead, err := f.afterLastLine(seq)
		if err != nil {
			return p, err
		}
		var b strings.Builder
		for i, pr := range e.pairs {
			if i == 0 {
				b.WriteString(dash + "-" + keyIndent[len(dash)+1:])
			} else {
				b.WriteString(keyIndent)
			}
			b.WriteString(pairsText([]kv{pr}, false) + eol)
		}
		p.span, p.text = insertLines(pos, lead, b.String(), eol)
		return p, nil
	case opAppendKey:
		root := e.parent
		if root.Kind != yaml.MappingNode || len(root.Content) == 0 || flow {
			return p, fmt.Errorf("%w: document at line %d is not a block mapping", ErrUnsafeEdit, root.Line)
		}
		indent, err := f.blockIndent(root)
		if err != nil {
			return p, err
		}
		pos, lead, err := f.afterLastLine(root)
		if err != nil {
			return p, err
		}
		var b strings.Builder
		b.WriteString(indent + e.key + ":" + eol)
		for i, pr := range e.pairs {
			if i == 0 {
				b.WriteString(indent + "- ")
			} else {
				b.WriteString(indent + "  ")
			}
			b.WriteString(pairsText([]kv{pr}, false) + eol)
		}
		p.span, p.text = insertLines(pos, lead, b.String(), eol)
		return p, nil
	}
	return p, fmt.Errorf("gitops: unknown structural edit %d", e.op)
}

// wantNode is the expected re-parse of one node after the planned edits.
type wantNode struct {
	orig   *yaml.Node // nil for a node the edits add
	kind   yaml.Kind
	value  string
	style  yaml.Style
	edited bool
	kids   []*wantNode
}

func newWantScalar(v string, inFlow bool) *wantNode {
	_, st := newScalar(v, inFlow)
	return &wantNode{kind: yaml.ScalarNode, value: v, style: st}
}

func newWantMap(pairs []kv, inFlow bool) *wantNode {
	m := &wantNode{kind: yaml.MappingNode}
	if inFlow {
		m.style = yaml.FlowStyle
	}
	for _, p := range pairs {
		m.kids = append(m.kids, newWantScalar(p.key, inFlow), newWantScalar(p.value, inFlow))
	}
	return m
}

// expected builds the tree the edited file must parse to.
func (f *yamlFile) expected(plans []plannedEdit) []*wantNode {
	scalars := map[*yaml.Node]*plannedEdit{}
	deleted := map[*yaml.Node]map[int]bool{}
	added := map[*yaml.Node][]*wantNode{}
	for i := range plans {
		p := &plans[i]
		if p.structural == nil {
			scalars[p.node] = p
			continue
		}
		e := p.structural
		flow := e.parent.Style&yaml.FlowStyle != 0 || f.flow[e.parent]
		switch e.op {
		case opDelete:
			if deleted[e.parent] == nil {
				deleted[e.parent] = map[int]bool{}
			}
			deleted[e.parent][e.index] = true
		case opInsert:
			for _, pr := range e.pairs {
				added[e.parent] = append(added[e.parent], newWantScalar(pr.key, flow), newWantScalar(pr.value, flow))
			}
		case opAppendItem:
			added[e.parent] = append(added[e.parent], newWantMap(e.pairs, flow))
		case opAppendKey:
			seq := &wantNode{kind: yaml.SequenceNode, kids: []*wantNode{newWantMap(e.pairs, false)}}
			added[e.parent] = append(added[e.parent], newWantScalar(e.key, false), seq)
		}
	}
	var build func(n *yaml.Node) *wantNode
	build = func(n *yaml.Node) *wantNode {
		w := &wantNode{orig: n, kind: n.Kind, value: n.Value, style: n.Style}
		if p, ok := scalars[n]; ok {
			w.value, w.style, w.edited = p.value, p.style, true
		}
		if n.Kind == yaml.AliasNode {
			return w
		}
		for i := 0; i < len(n.Content); i++ {
			if n.Kind == yaml.MappingNode && i%2 == 0 && deleted[n][i] {
				i++
				continue
			}
			w.kids = append(w.kids, build(n.Content[i]))
		}
		w.kids = append(w.kids, added[n]...)
		return w
	}
	out := make([]*wantNode, len(f.docs))
	for i, d := range f.docs {
		out[i] = build(d)
	}
	return out
}

// lineShift returns, for a byte offset of the original file, how many
// lines the planned splices before it add (negative: remove).
func (f *yamlFile) lineShift(plans []plannedEdit) func(off int) int {
	type step struct{ at, delta int }
	var steps []step
	for _, p := range plans {
		d := len(lineStarts([]byte(p.text))) - len(lineStarts(f.src[p.start:p.end]))
		if d != 0 {
			at := p.start
			if p.start == p.end {
				at-- // an insertion moves a node that starts where it is inserted
			}
			steps = append(steps, step{at, d})
		}
	}
	if len(steps) == 0 {
		return func(int) int { return 0 }
	}
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].at < steps[j].at })
	sum := make([]int, len(steps)+1)
	for i, s := range steps {
		sum[i+1] = sum[i] + s.delta
	}
	return func(off int) int {
		i := sort.Search(len(steps), func(i int) bool { return steps[i].at >= off })
		return sum[i]
	}
}
