package sbom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/graph/traverse"
)

// handGraph: root -> a, b; a -> c; b -> c; c -> d; d -> a (a cycle);
// e is unreachable; "gone" is a dangling reference.
func handGraph() *Document {
	d := &Document{Root: "root"}
	for _, id := range []string{"root", "a", "b", "c", "d", "e"} {
		d.Components = append(d.Components, Component{ID: id, Name: id})
	}
	d.Dependencies = []Dependency{
		{Ref: "root", DependsOn: []string{"a", "b", "gone"}},
		{Ref: "a", DependsOn: []string{"c", "c"}},
		{Ref: "b", DependsOn: []string{"c"}},
		{Ref: "c", DependsOn: []string{"d", "c"}},
		{Ref: "d", DependsOn: []string{"a"}},
		{Ref: "gone", DependsOn: []string{"e"}},
	}
	return d
}

func TestGraphHand(t *testing.T) {
	g := NewGraph(handGraph())
	if got := g.Direct(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("Direct = %v", got)
	}
	if got := g.Transitive(); !slices.Equal(got, []string{"c", "d"}) {
		t.Errorf("Transitive = %v", got)
	}
	if got := g.Unreachable(); !slices.Equal(got, []string{"e"}) {
		t.Errorf("Unreachable = %v", got)
	}
	for id, want := range map[string]int{"root": 0, "a": 1, "c": 2, "d": 3} {
		if got, ok := g.Depth(id); !ok || got != want {
			t.Errorf("Depth(%s) = %d, %v; want %d", id, got, ok, want)
		}
	}
	for _, id := range []string{"e", "gone"} {
		if _, ok := g.Depth(id); ok {
			t.Errorf("Depth(%s) ok", id)
		}
	}
	if got := g.DependsOn("a"); !slices.Equal(got, []string{"c"}) {
		t.Errorf("DependsOn(a) = %v (duplicates kept?)", got)
	}
	if got := g.Dependents("a"); !slices.Equal(got, []string{"root", "d"}) {
		t.Errorf("Dependents(a) = %v", got)
	}
	tests := []struct {
		id       string
		max      int
		want     [][]string
		complete bool
	}{
		{"d", 0, [][]string{{"root", "a", "c", "d"}, {"root", "b", "c", "d"}}, true},
		{"a", 0, [][]string{{"root", "a"}, {"root", "b", "c", "d", "a"}}, true},
		{"d", 1, [][]string{{"root", "a", "c", "d"}}, false},
		{"root", 0, [][]string{{"root"}}, true},
		{"e", 0, nil, true},
		{"nope", 0, nil, true},
	}
	for _, tc := range tests {
		got, complete := g.PathsTo(tc.id, tc.max)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) || complete != tc.complete {
			t.Errorf("PathsTo(%s, %d) = %v, %v; want %v, %v", tc.id, tc.max, got, complete, tc.want, tc.complete)
		}
	}
}

func TestGraphWhy(t *testing.T) {
	g := NewGraph(handGraph())
	tests := []struct {
		id   string
		want string
	}{
		{"c", `{"schemaVersion":"chaingate.dev/sbom-why/v1","component":"c","found":true,"reachable":true,"depth":2,"direct":false,"paths":[["root","a","c"],["root","b","c"]],"complete":true}`},
		{"a", `{"schemaVersion":"chaingate.dev/sbom-why/v1","component":"a","found":true,"reachable":true,"depth":1,"direct":true,"paths":[["root","a"],["root","b","c","d","a"]],"complete":true}`},
		{"e", `{"schemaVersion":"chaingate.dev/sbom-why/v1","component":"e","found":true,"reachable":false,"depth":0,"direct":false,"paths":[],"complete":true}`},
		{"zz", `{"schemaVersion":"chaingate.dev/sbom-why/v1","component":"zz","found":false,"reachable":false,"depth":0,"direct":false,"paths":[],"complete":true}`},
	}
	for _, tc := range tests {
		got, err := json.Marshal(g.Why(tc.id, 10))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("Why(%s) =\n%s\nwant\n%s", tc.id, got, tc.want)
		}
	}
}

func TestGraphNoRoot(t *testing.T) {
	d := handGraph()
	d.Root = ""
	g := NewGraph(d)
	if got := g.Roots(); !slices.Equal(got, []string{"root", "e"}) {
		t.Errorf("Roots = %v", got)
	}
	if got, ok := g.Depth("e"); !ok || got != 0 {
		t.Errorf("Depth(e) = %d, %v", got, ok)
	}
	if NewGraph(nil).Direct() != nil {
		t.Error("nil document has dependencies")
	}
}

func TestGraphDense(t *testing.T) {
	// 20 layers of 3 fully connected nodes: 3^19 paths to the last node,
	// plus a shortcut from the root straight to it.
	d := &Document{Root: "root"}
	d.Components = append(d.Components, Component{ID: "root"})
	prev := []string{"root"}
	for l := range 20 {
		var layer []string
		for i := range 3 {
			id := fmt.Sprintf("n%d.%d", l, i)
			layer = append(layer, id)
			d.Components = append(d.Components, Component{ID: id})
		}
		for _, p := range prev {
			d.Dependencies = append(d.Dependencies, Dependency{Ref: p, DependsOn: layer})
		}
		prev = layer
	}
	d.Components = append(d.Components, Component{ID: "last"})
	for _, p := range prev {
		d.Dependencies = append(d.Dependencies, Dependency{Ref: p, DependsOn: []string{"last"}})
	}
	d.Dependencies[0].DependsOn = append(d.Dependencies[0].DependsOn, "last")
	g := NewGraph(d)
	paths, complete := g.PathsTo("last", 50)
	if len(paths) != 50 || complete {
		t.Fatalf("%d paths, complete %v; want 50, false", len(paths), complete)
	}
	if !slices.Equal(paths[0], []string{"root", "last"}) {
		t.Errorf("first path %v, want the shortcut", paths[0])
	}
	if len(paths[1]) != 22 {
		t.Errorf("second path has %d elements, want 22", len(paths[1]))
	}
	if dep, _ := g.Depth("last"); dep != 1 {
		t.Errorf("Depth(last) = %d", dep)
	}
}

func TestGraphNPMLock(t *testing.T) {
	doc, err := FromNPMLock(bytes.NewReader(readNPMLock(t, "v3-workspaces")))
	if err != nil {
		t.Fatal(err)
	}
	g := NewGraph(doc)
	express := findNPM(doc, "express", "4.21.2")
	ms := findNPM(doc, "ms", "2.0.0")
	oldDebug := findNPM(doc, "debug", "2.6.9")
	if d, _ := g.Depth(express.ID); d != 1 {
		t.Errorf("express depth %d", d)
	}
	if d, _ := g.Depth(ms.ID); d != 3 {
		t.Errorf("ms@2.0.0 depth %d, want 3 (root, express, debug, ms)", d)
	}
	paths, complete := g.PathsTo(ms.ID, 0)
	if !complete || len(paths) == 0 || !slices.Equal(paths[0], []string{doc.Root, express.ID, oldDebug.ID, ms.ID}) {
		t.Errorf("PathsTo(ms@2.0.0) = %v", paths)
	}
	// body-parser, finalhandler and send pull the old debug in too.
	via := map[string]bool{}
	for _, p := range paths {
		via[g.Component(p[len(p)-3]).Name] = true
	}
	for _, n := range []string{"express", "body-parser", "finalhandler", "send"} {
		if !via[n] {
			t.Errorf("no path through %s: %v", n, paths)
		}
	}
	if len(g.Unreachable()) != 0 {
		t.Errorf("unreachable: %v", g.Unreachable())
	}
	if len(g.Direct())+len(g.Transitive())+1 != len(doc.Components) {
		t.Errorf("direct %d + transitive %d + root != %d", len(g.Direct()), len(g.Transitive()), len(doc.Components))
	}
}

// BenchmarkGraph indexes the graph of 20,000 npm packages and computes
// every component's depth, then answers "why" for one deep component,
// beside gonum (graph/simple and traverse.BreadthFirst) doing the index
// and the depths.
func BenchmarkGraph(b *testing.B) {
	doc, err := FromNPMLock(bytes.NewReader(largeNPMLock(20000)))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("chaingate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			g := NewGraph(doc)
			if len(g.Transitive()) == 0 {
				b.Fatal("no transitive dependencies")
			}
		}
	})
	b.Run("chaingate-why", func(b *testing.B) {
		g := NewGraph(doc)
		deep := g.Transitive()[len(g.Transitive())-1]
		b.ReportAllocs()
		for b.Loop() {
			if w := g.Why(deep, 10); len(w.Paths) == 0 {
				b.Fatal("no path")
			}
		}
	})
	b.Run("raw-gonum", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			gg := simple.NewDirectedGraph()
			id := make(map[string]int64, len(doc.Components))
			for i, c := range doc.Components {
				id[c.ID] = int64(i)
				gg.AddNode(simple.Node(i))
			}
			for _, d := range doc.Dependencies {
				for _, to := range d.DependsOn {
					if from, t := id[d.Ref], id[to]; from != t {
						gg.SetEdge(gg.NewEdge(simple.Node(from), simple.Node(t)))
					}
				}
			}
			depth := make(map[int64]int, len(doc.Components))
			bf := traverse.BreadthFirst{}
			bf.Walk(gg, simple.Node(id[doc.Root]), func(n graph.Node, d int) bool {
				depth[n.ID()] = d
				return false
			})
			if len(depth) < 2 {
				b.Fatal("no depths")
			}
		}
	})
}
