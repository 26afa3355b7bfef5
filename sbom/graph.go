package sbom

import (
	"slices"
)

// Graph is the dependency graph of a Document, indexed for the questions
// a reviewer asks: what does the root depend on directly, what only
// transitively, how deep is a component, and why is it here at all (the
// paths from the root to it). Build it once with NewGraph and query it
// many times; it does not change when the Document does and is safe for
// concurrent use.
//
// Edges come from Document.Dependencies; references to IDs that are not
// components are ignored (Validate reports them). Cycles are allowed.
// When the document names no root (Document.Root empty or unknown), the
// graph uses every component nothing depends on as a root, so a document
// with several top-level packages still answers.
type Graph struct {
	doc   *Document
	index map[string]int // component ID -> index in doc.Components
	out   [][]int        // edges, in document order, deduplicated
	in    [][]int        // reverse edges
	roots []int          // the root, or the components nothing depends on
	depth []int          // shortest distance from a root, -1 if unreachable
}

// NewGraph indexes the dependency graph of d.
func NewGraph(d *Document) *Graph {
	if d == nil {
		d = &Document{}
	}
	n := len(d.Components)
	g := &Graph{doc: d, index: make(map[string]int, n), out: make([][]int, n), in: make([][]int, n)}
	for i := range d.Components {
		if _, dup := g.index[d.Components[i].ID]; !dup {
			g.index[d.Components[i].ID] = i
		}
	}
	for _, dep := range d.Dependencies {
		from, ok := g.index[dep.Ref]
		if !ok {
			continue
		}
		for _, id := range dep.DependsOn {
			to, ok := g.index[id]
			if !ok || to == from || slices.Contains(g.out[from], to) {
				continue
			}
			g.out[from] = append(g.out[from], to)
			g.in[to] = append(g.in[to], from)
		}
	}
	if r, ok := g.index[d.Root]; ok && d.Root != "" {
		g.roots = []int{r}
	} else {
		for i := range n {
			if len(g.in[i]) == 0 {
				g.roots = append(g.roots, i)
			}
		}
	}
	g.depth = make([]int, n)
	for i := range g.depth {
		g.depth[i] = -1
	}
	queue := make([]int, 0, n)
	for _, r := range g.roots {
		g.depth[r] = 0
		queue = append(queue, r)
	}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, w := range g.out[v] {
			if g.depth[w] < 0 {
				g.depth[w] = g.depth[v] + 1
				queue = append(queue, w)
			}
		}
	}
	return g
}

func (g *Graph) ids(idx []int) []string {
	out := make([]string, len(idx))
	for i, x := range idx {
		out[i] = g.doc.Components[x].ID
	}
	return out
}

// Roots returns the IDs the queries start from: the document's root, or,
// without one, every component nothing depends on.
func (g *Graph) Roots() []string { return g.ids(g.roots) }

// Component returns the component with the given ID, or nil.
func (g *Graph) Component(id string) *Component {
	if i, ok := g.index[id]; ok {
		return &g.doc.Components[i]
	}
	return nil
}

// DependsOn returns the IDs id depends on directly, in the order the
// document lists them.
func (g *Graph) DependsOn(id string) []string {
	if i, ok := g.index[id]; ok {
		return g.ids(g.out[i])
	}
	return nil
}

// Dependents returns the IDs of the components that depend directly on id.
func (g *Graph) Dependents(id string) []string {
	if i, ok := g.index[id]; ok {
		return g.ids(g.in[i])
	}
	return nil
}

// Direct returns the IDs of the root's direct dependencies (depth 1), in
// document order.
func (g *Graph) Direct() []string { return g.atDepth(func(d int) bool { return d == 1 }) }

// Transitive returns the IDs of the components the root reaches only
// through other dependencies (depth 2 or more), in document order.
func (g *Graph) Transitive() []string { return g.atDepth(func(d int) bool { return d >= 2 }) }

// Unreachable returns the IDs of the components no root reaches.
func (g *Graph) Unreachable() []string { return g.atDepth(func(d int) bool { return d < 0 }) }

func (g *Graph) atDepth(keep func(int) bool) []string {
	var out []string
	for i, d := range g.depth {
		if keep(d) {
			out = append(out, g.doc.Components[i].ID)
		}
	}
	return out
}

// Depth returns the length of the shortest dependency path from the root
// to id: 0 for the root, 1 for a direct dependency. ok is false when id
// is not a component or no root reaches it.
func (g *Graph) Depth(id string) (depth int, ok bool) {
	i, found := g.index[id]
	if !found || g.depth[i] < 0 {
		return 0, false
	}
	return g.depth[i], true
}

// graphMaxSteps bounds the work of one PathsTo call: a dense graph has
// exponentially many paths.
const graphMaxSteps = 1_000_000

// PathsTo answers "why is this component here?": the dependency paths from
// the root to id, each a list of IDs from the root to id, without
// repeating a component (cycles are not followed), shortest first. It
// returns at most max paths (max <= 0 means 100); complete is false when
// there are more paths than it returned, or it stopped after a bounded
// amount of work. The first path is always a shortest one.
func (g *Graph) PathsTo(id string, max int) (paths [][]string, complete bool) {
	if max <= 0 {
		max = 100
	}
	target, ok := g.index[id]
	if !ok || g.depth[target] < 0 {
		return nil, true
	}
	// dist[v] is the shortest distance from v to the target (reverse
	// BFS); nodes that cannot reach it are never entered, and trying
	// neighbours nearest-first finds a shortest path first.
	dist := make([]int, len(g.out))
	for i := range dist {
		dist[i] = -1
	}
	dist[target] = 0
	queue := []int{target}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, u := range g.in[v] {
			if dist[u] < 0 {
				dist[u] = dist[v] + 1
				queue = append(queue, u)
			}
		}
	}
	// The neighbours of v that reach the target, nearest first; built
	// when the walk first enters v.
	next := make([][]int, len(g.out))
	built := make([]bool, len(g.out))
	nextOf := func(v int) []int {
		if !built[v] {
			built[v] = true
			for _, w := range g.out[v] {
				if dist[w] >= 0 {
					next[v] = append(next[v], w)
				}
			}
			slices.SortStableFunc(next[v], func(a, b int) int { return dist[a] - dist[b] })
		}
		return next[v]
	}
	onPath := make([]bool, len(g.out))
	var stack []int
	steps := 0
	complete = true
	var walk func(v int) bool // false: stop
	walk = func(v int) bool {
		steps++
		if steps > graphMaxSteps {
			complete = false
			return false
		}
		stack = append(stack, v)
		defer func() { stack = stack[:len(stack)-1] }()
		if v == target {
			if len(paths) == max {
				complete = false
				return false
			}
			paths = append(paths, g.ids(stack))
			return true
		}
		onPath[v] = true
		defer func() { onPath[v] = false }()
		for _, w := range nextOf(v) {
			if !onPath[w] && !walk(w) {
				return false
			}
		}
		return true
	}
	for _, r := range g.roots {
		if dist[r] >= 0 && !walk(r) {
			break
		}
	}
	slices.SortStableFunc(paths, func(a, b []string) int { return len(a) - len(b) })
	return paths, complete
}

// WhySchemaVersion is the version of the JSON shape of WhyResult.
const WhySchemaVersion = "chaingate.dev/sbom-why/v1"

// WhyResult explains why a component is in an SBOM, as a value that can
// be serialised and fed to a policy.
type WhyResult struct {
	SchemaVersion string `json:"schemaVersion"`
	// Component is the ID asked about.
	Component string `json:"component"`
	// Found is false when the document has no such component.
	Found bool `json:"found"`
	// Reachable is false when no root depends on it, even transitively.
	Reachable bool `json:"reachable"`
	// Depth is the length of the shortest path from the root (0 for the
	// root, 1 for a direct dependency).
	Depth int `json:"depth"`
	// Direct is true for a direct dependency of the root.
	Direct bool `json:"direct"`
	// Paths are dependency paths from the root to the component,
	// shortest first (see PathsTo).
	Paths [][]string `json:"paths"`
	// Complete is false when there are more paths than Paths holds.
	Complete bool `json:"complete"`
}

// Why gathers what the graph knows about why id is present: its depth,
// whether it is direct, and up to max paths from the root (see PathsTo).
func (g *Graph) Why(id string, max int) WhyResult {
	r := WhyResult{SchemaVersion: WhySchemaVersion, Component: id, Paths: [][]string{}, Complete: true}
	if _, ok := g.index[id]; !ok {
		return r
	}
	r.Found = true
	d, ok := g.Depth(id)
	if !ok {
		return r
	}
	r.Reachable, r.Depth, r.Direct = true, d, d == 1
	r.Paths, r.Complete = g.PathsTo(id, max)
	return r
}
