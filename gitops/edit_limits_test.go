package gitops

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// flowItems is a one-line flow-style YAML file of at least size bytes:
// items: [{image: ghcr.io/a/b:1}, …], optionally with a non-ASCII
// comment-free value in every item so that its line is not ASCII.
func flowItems(size int, nonASCII bool) []byte {
	var b bytes.Buffer
	b.WriteString("items: [")
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		if nonASCII {
			b.WriteString("{note: é, image: ghcr.io/a/b:1}")
		} else {
			b.WriteString("{image: ghcr.io/a/b:1}")
		}
	}
	b.WriteString("]\n")
	return b.Bytes()
}

// TestOffsetLinear proves the line/column → byte conversion examines each
// byte of a line once, however many nodes the line holds (it rescanned the
// line from its start for every node: 18.7 s on 768 KB).
func TestOffsetLinear(t *testing.T) {
	for _, nonASCII := range []bool{false, true} {
		src := flowItems(768<<10, nonASCII)
		f, err := parseYAMLFile(t.Context(), src)
		if err != nil {
			t.Fatal(err)
		}
		nodes := 0
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			if n.Kind == yaml.ScalarNode {
				nodes++
				off, err := f.offset(n)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.HasPrefix(src[off:], []byte(n.Value)) {
					t.Fatalf("offset of %q at line %d column %d is %d: %q", n.Value, n.Line, n.Column, off, src[off:min(off+20, len(src))])
				}
			}
			for _, c := range n.Content {
				walk(c)
			}
		}
		walk(f.docs[0])
		if nodes < 60000 {
			t.Fatalf("only %d scalars", nodes)
		}
		// Each line is read at most twice: once to see whether it is
		// ASCII, once to index its runes when it is not.
		if f.scanned > 2*len(src) {
			t.Errorf("nonASCII=%v: %d scalars examined %d bytes of a %d-byte file: not linear", nonASCII, nodes, f.scanned, len(src))
		}
	}
}

// TestEditImageFlowStyleBounded is issue 14 item 12: a 768 KB one-line
// flow-style file with ~34,000 images edits within a context deadline and
// a memory budget, and a cancelled context stops the edit.
func TestEditImageFlowStyleBounded(t *testing.T) {
	src := flowItems(768<<10, false)
	items := bytes.Count(src, []byte("{image:"))
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	out, changes, err := editImage(ctx, src, ImageTarget{Name: "ghcr.io/a/b"}, "ghcr.io/a/b:2")
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatalf("EditImage: %v", err)
	}
	if len(changes) != items || bytes.Count(out, []byte("ghcr.io/a/b:2")) != items || len(out) != len(src) {
		t.Fatalf("%d changes, %d new refs, want %d; %d bytes, want %d", len(changes), bytes.Count(out, []byte("ghcr.io/a/b:2")), items, len(out), len(src))
	}
	if !bytes.Equal(bytes.ReplaceAll(out, []byte("b:2}"), []byte("b:1}")), src) {
		t.Fatal("bytes other than the image values changed")
	}
	// Measured: ~110 bytes allocated per input byte (two parses, the node
	// indexes and the edit plans). The budget is 3x that; a quadratic
	// allocation pattern would exceed it by orders of magnitude.
	const budget = 256 << 20
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > budget {
		t.Errorf("EditImage of %d bytes allocated %d MiB, budget %d MiB", len(src), alloc>>20, budget>>20)
	}
	if ctx.Err() != nil {
		t.Fatalf("EditImage ran past its deadline: %v", ctx.Err())
	}

	// A cancelled context stops it, with the context's error.
	cctx, ccancel := context.WithCancel(t.Context())
	ccancel()
	if _, _, err := editImage(cctx, src, ImageTarget{Name: "ghcr.io/a/b"}, "ghcr.io/a/b:2"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled edit = %v, want context.Canceled", err)
	}
}

// TestPromoteEditHonoursContext: the editing step of a promotion stops
// when its context ends (the fetch has already succeeded).
func TestPromoteEditHonoursContext(t *testing.T) {
	src := flowItems(256<<10, false)
	bare := newBareRepo(t, map[string]string{"flow.yaml": string(src)})
	p, err := NewPromoter(Repository{URL: bare}, WithGate(allowAll))
	if err != nil {
		t.Fatal(err)
	}
	snap, err := fetchTip(t.Context(), p.repo, 1)
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Image: "ghcr.io/a/b:2", Edits: []Edit{{File: "flow.yaml", Target: ImageTarget{Name: "ghcr.io/a/b"}}}}
	arts, err := requestArtifacts(req)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := p.makePlan(ctx, snap, req, arts); !errors.Is(err, context.Canceled) {
		t.Fatalf("plan with a cancelled context = %v, want context.Canceled", err)
	}
	pl, err := p.makePlan(t.Context(), snap, req, arts)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(pl.files["flow.yaml"]), "ghcr.io/a/b:2"); got != bytes.Count(src, []byte("{image:")) {
		t.Errorf("plan changed %d images", got)
	}
}
