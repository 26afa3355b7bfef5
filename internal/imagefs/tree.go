package imagefs

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Limits of link resolution in the squashed file system.
const (
	// maxLinkHops bounds the symbolic links followed to resolve one
	// path (Linux's MAXSYMLINKS is 40): a loop ends with an error.
	maxLinkHops = 40
	// maxLinkDepth bounds directory links followed inside directories
	// reached through directory links.
	maxLinkDepth = 8
	// maxLinkWork bounds the paths visited through links in one image
	// (directory links can multiply paths); past it the rest is a
	// limitation.
	maxLinkWork = 1 << 20
)

// none marks an absent node index.
const none int32 = -1

// node is a path of the squashed file system.
type node struct {
	parent, child, next int32 // parent, first child, next sibling
	name                string
	// layer is the layer of the visible entry at this path (the top-most
	// one that is not hidden), or none when the node only carries
	// marks of upper layers.
	layer int32
	// whiteout and opaque are the highest layer that deleted the path or
	// made the directory opaque (none: none); they hide lower layers.
	whiteout, opaque int32
	typ              byte
	mode, size       int64
	// link is a symbolic link's target, or a hard link's target path.
	link string
	// srcLayer is, for a hard link whose target is a regular file of the
	// same layer, that layer (the bytes to read are that layer's file at
	// link); none otherwise.
	srcLayer int32
}

// Tree is the squashed file system of an image: every visible path,
// built from the top layer down. Paths are interned per component (a
// node per component, children found through one map), so deciding
// whether an entry is hidden by an upper layer's whiteout, opaque
// directory or non-directory costs one step per component of its path:
// linear in the path's length, where looking every parent directory up
// by its full path was quadratic.
type Tree struct {
	nodes []node
	kids  map[nodeKey]int32
	// links are the nodes that were ever symbolic or hard links.
	links []int32
	// specials are the nodes that were ever devices, named pipes or
	// entries of other types that hold no readable file.
	specials []int32
}

type nodeKey struct {
	parent int32
	name   string
}

// NewTree returns an empty squashed file tree holding only its root
// directory.
func NewTree() *Tree {
	t := &Tree{kids: map[nodeKey]int32{}}
	t.nodes = append(t.nodes, node{parent: 0, child: none, next: none, layer: 1 << 30,
		whiteout: none, opaque: none, typ: tar.TypeDir, srcLayer: none})
	return t
}

// components calls fn for each component of the cleaned absolute
// path p, with whether it is the last one.
func components(p string, fn func(name string, last bool) bool) {
	p = strings.TrimPrefix(p, "/")
	for p != "" {
		name, rest, more := strings.Cut(p, "/")
		if !fn(name, !more) {
			return
		}
		p = rest
	}
}

// child returns the node for name under dir, creating it when create is
// set.
func (t *Tree) child(dir int32, name string, create bool) int32 {
	if id, ok := t.kids[nodeKey{dir, name}]; ok {
		return id
	}
	if !create {
		return none
	}
	id := int32(len(t.nodes))
	t.nodes = append(t.nodes, node{parent: dir, child: none, next: t.nodes[dir].child, name: name,
		layer: none, whiteout: none, opaque: none, srcLayer: none})
	t.nodes[dir].child = id
	t.kids[nodeKey{dir, name}] = id
	return id
}

// walk finds (creating them) the nodes of p's components as seen by
// layer i, and returns p's node, or none when an upper layer hides p:
// it or a parent whited out, a parent made opaque, a parent that is not
// a directory. Parents with no entry of their own become directories of
// layer i (the layer implies them).
func (t *Tree) walk(p string, i int32) int32 {
	cur := int32(0)
	components(p, func(name string, last bool) bool {
		id := t.child(cur, name, true)
		n := &t.nodes[id]
		if n.whiteout > i {
			cur = none
			return false
		}
		if !last {
			if n.opaque > i || (n.layer > i && n.typ != tar.TypeDir) {
				cur = none
				return false
			}
			if n.layer == none {
				n.layer, n.typ, n.mode = i, tar.TypeDir, 0o755
			}
		}
		cur = id
		return true
	})
	return cur
}

// addLayer adds layer i's entries (the layers above it are in already),
// then its whiteouts and opaque markers, which hide lower layers only.
func (t *Tree) AddLayer(ctx context.Context, i int32, sc *LayerScan) error {
	// Hard links to regular files of the same layer read that layer's
	// file, whatever upper layers did to its path.
	var regular map[string]*entry
	var hard map[string]string
	if sc.hardlinks > 0 {
		regular, hard = map[string]*entry{}, map[string]string{}
		for k := range sc.entries {
			switch e := &sc.entries[k]; e.typ {
			case tar.TypeReg:
				regular[e.path] = e
			case tar.TypeLink:
				hard[e.path] = e.link
			}
		}
	}
	for k := range sc.entries {
		if k%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		e := &sc.entries[k]
		if e.path == "/" {
			continue
		}
		id := t.walk(e.path, i)
		if id == none {
			continue
		}
		n := &t.nodes[id]
		if n.layer > i {
			continue // shadowed by an upper layer's entry
		}
		n.layer, n.typ, n.mode, n.size, n.link, n.srcLayer = i, e.typ, e.mode, e.size, e.link, none
		switch e.typ {
		case tar.TypeSymlink:
			t.links = append(t.links, id)
		case tar.TypeLink:
			t.links = append(t.links, id)
			if src := sameLayerTarget(regular, hard, e); src != nil {
				n.link, n.srcLayer, n.mode, n.size = src.path, i, src.mode, src.size
			}
		case tar.TypeReg, tar.TypeDir:
		default:
			t.specials = append(t.specials, id)
		}
	}
	for _, p := range sc.whiteouts {
		if p == "/" {
			continue
		}
		id := t.walk(p, i)
		if id != none && t.nodes[id].whiteout < i {
			t.nodes[id].whiteout = i
		}
	}
	for _, p := range sc.opaque {
		id := t.walk(p, i)
		if id == none {
			continue
		}
		n := &t.nodes[id]
		if n.layer == none {
			n.layer, n.typ, n.mode = i, tar.TypeDir, 0o755
		}
		if n.opaque < i {
			n.opaque = i
		}
	}
	return nil
}

// sameLayerTarget follows a hard link (and hard links it leads to)
// to a regular file of the same layer, or returns nil.
func sameLayerTarget(regular map[string]*entry, hard map[string]string, e *entry) *entry {
	target := e.link
	for range maxLinkHops {
		if r, ok := regular[target]; ok {
			return r
		}
		next, ok := hard[target] // a hard link to a hard link
		if !ok {
			return nil
		}
		target = next
	}
	return nil
}

// lookup returns the visible node at the cleaned absolute path p,
// following no links, or none.
func (t *Tree) lookup(p string) int32 {
	cur := int32(0)
	components(p, func(name string, _ bool) bool {
		cur = t.child(cur, name, false)
		if cur != none && t.nodes[cur].layer == none {
			cur = none
		}
		return cur != none
	})
	return cur
}

// visibleRegular reports whether the regular file layer i has at p is
// what the squashed file system shows there.
func (t *Tree) VisibleRegular(p string, i int32) bool {
	id := t.lookup(p)
	return id != none && t.nodes[id].layer == i && t.nodes[id].typ == tar.TypeReg
}

// pathOf is a node's absolute path.
func (t *Tree) pathOf(id int32) string {
	var parts []string
	for ; id != 0; id = t.nodes[id].parent {
		parts = append(parts, t.nodes[id].name)
	}
	var b strings.Builder
	for k := len(parts) - 1; k >= 0; k-- {
		b.WriteByte('/')
		b.WriteString(parts[k])
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

// Why a link cannot be followed.
var (
	errLinkMissing = errors.New("leads to nothing in the image")
	errLinkLoop    = fmt.Errorf("more than %d symbolic links (a loop?)", maxLinkHops)
	errLinkNotDir  = errors.New("goes through a file that is not a directory")
)

// resolve follows target from directory dir within the image's root, as
// the kernel would inside a chroot of the squashed file system: an
// absolute target starts at the image's root, ".." never climbs above
// it, symbolic links met on the way (the last one too) are followed, at
// most maxLinkHops in all. Nothing outside the image is ever read.
func (t *Tree) resolve(dir int32, target string, hops *int) (int32, error) {
	cur := dir
	if strings.HasPrefix(target, "/") {
		cur = 0
	}
	var err error
	rest := target
	for rest != "" && err == nil {
		var name string
		name, rest, _ = strings.Cut(rest, "/")
		switch name {
		case "", ".":
			continue
		case "..":
			cur = t.nodes[cur].parent
			continue
		}
		if t.nodes[cur].typ != tar.TypeDir {
			return none, errLinkNotDir
		}
		id := t.child(cur, name, false)
		if id == none || t.nodes[id].layer == none {
			return none, errLinkMissing
		}
		if t.nodes[id].typ == tar.TypeSymlink {
			if *hops++; *hops > maxLinkHops {
				return none, errLinkLoop
			}
			id, err = t.resolve(cur, t.nodes[id].link, hops)
		}
		cur = id
	}
	if err != nil {
		return none, err
	}
	return cur, nil
}

// content says where the bytes of the file at node id are: a regular
// file is its own content; a hard link is the regular file of its layer
// it names, else what its target path leads to in the squashed file
// system. It returns the layer and path to read, and the node giving the
// file's mode and size.
func (t *Tree) content(id int32) (layer int32, real string, attrs *node, err error) {
	for range maxLinkHops {
		n := &t.nodes[id]
		switch n.typ {
		case tar.TypeReg:
			return n.layer, t.pathOf(id), n, nil
		case tar.TypeLink:
			if n.srcLayer != none {
				return n.srcLayer, n.link, n, nil
			}
			hops := 0
			if id, err = t.resolve(0, n.link, &hops); err != nil {
				return 0, "", nil, fmt.Errorf("hard link to %s %w", n.link, err)
			}
		default:
			return 0, "", nil, fmt.Errorf("link to a file that is not a regular file (tar type %q)", n.typ)
		}
	}
	return 0, "", nil, errLinkLoop
}

// Need is a file to read again from a layer: the bytes at path of
// layer, for the cataloguer of kind, recorded under the logical path a
// link made it visible at.
type Need struct {
	Layer   int32
	Path    string
	Kind    int
	Logical string
	Size    int64
}

// Wanted tells the link walk which files cataloguers want.
type Wanted struct {
	// Kind says which cataloguer wants the regular file at the cleaned
	// absolute path p with that mode and size: 0 for none. (Mode and size
	// rather than a *tar.Header: a header passed through a func value
	// escapes, one heap allocation per file reached through a link.)
	Kind func(p string, mode, size int64) int
	// Database reports kinds whose files must be readable: a link to
	// one that cannot be followed is an error, not a limitation.
	Database func(kind int) bool
}

// linkWalk finds, through every link of the squashed file system,
// the paths cataloguers want that the first pass did not catalogue.
type linkWalk struct {
	t      *Tree
	needs  map[string]Need
	limits []string
	errs   []error
	work   int
	// truncated is set once maxLinkWork is reached.
	truncated bool
	deep      bool
	want      Wanted
}

// unreadable records a link at logical path lp that cannot be read:
// an error for an OS package database, a limitation for anything else a
// cataloguer wants, nothing for other paths.
func (w *linkWalk) unreadable(lp string, why error) {
	kind := w.want.Kind(lp, 0o644, 0)
	switch {
	case kind == 0:
	case w.want.Database(kind):
		w.errs = append(w.errs, fmt.Errorf("%s: %w: the package database cannot be read", lp, why))
	default:
		w.limits = append(w.limits, fmt.Sprintf("%s: %v: not catalogued", lp, why))
	}
}

// step counts work and reports whether the budget allows more.
func (w *linkWalk) step() bool {
	if w.work++; w.work > maxLinkWork {
		w.truncated = true
		return false
	}
	return true
}

// link handles the link node id seen at logical path lp.
func (w *linkWalk) link(lp string, id int32, depth int) {
	if !w.step() {
		return
	}
	n := &w.t.nodes[id]
	if n.typ == tar.TypeLink {
		w.file(lp, id)
		return
	}
	hops := 0
	target, err := w.t.resolve(n.parent, n.link, &hops)
	if err != nil {
		w.unreadable(lp, fmt.Errorf("link to %s %w", n.link, err))
		return
	}
	switch w.t.nodes[target].typ {
	case tar.TypeDir:
		// A file a cataloguer wants that is a directory cannot be read.
		w.unreadable(lp, fmt.Errorf("link to %s: a directory, not a file", n.link))
		if w.t.isAncestor(target, n.parent) {
			return // a loop: what is below is reachable by a shorter path
		}
		if depth >= maxLinkDepth {
			w.deep = true
			return
		}
		w.dir(lp, target, depth+1)
	case tar.TypeReg, tar.TypeLink:
		w.file(lp, target)
	default:
		w.unreadable(lp, fmt.Errorf("link to %s: not a regular file (tar type %q)", n.link, w.t.nodes[target].typ))
	}
}

// isAncestor reports whether a is d or a parent of d.
func (t *Tree) isAncestor(a, d int32) bool {
	for {
		if d == a {
			return true
		}
		if d == 0 {
			return false
		}
		d = t.nodes[d].parent
	}
}

// dir visits what directory d holds, seen at logical path lp through a
// directory link.
func (w *linkWalk) dir(lp string, d int32, depth int) {
	if len(lp) > maxPathLen {
		w.deep = true
		return
	}
	for c := w.t.nodes[d].child; c != none; c = w.t.nodes[c].next {
		n := &w.t.nodes[c]
		if n.layer == none {
			continue
		}
		if !w.step() {
			return
		}
		clp := lp + "/" + n.name
		switch n.typ {
		case tar.TypeDir:
			w.dir(clp, c, depth)
		case tar.TypeSymlink, tar.TypeLink:
			w.link(clp, c, depth)
		case tar.TypeReg:
			w.file(clp, c)
		}
	}
}

// file handles the regular file or hard link id seen at logical path
// lp: when a cataloguer wants lp and did not already catalogue the bytes
// it leads to for the same purpose, they are to be read again.
func (w *linkWalk) file(lp string, id int32) {
	// Classify first, from the entry's own mode and size (a hard link of
	// the same layer carries its target's): most files reached through
	// directory links are wanted by no cataloguer.
	n := &w.t.nodes[id]
	kind := w.want.Kind(lp, n.mode, n.size)
	if kind == 0 {
		return
	}
	layer, real, attrs, err := w.t.content(id)
	if err != nil {
		w.unreadable(lp, err)
		return
	}
	if kind = w.want.Kind(lp, attrs.mode, attrs.size); kind == 0 {
		return
	}
	if real != lp && w.want.Kind(real, attrs.mode, attrs.size) == kind && w.t.VisibleRegular(real, layer) {
		return // catalogued where it is
	}
	if _, ok := w.needs[lp]; !ok {
		w.needs[lp] = Need{Layer: layer, Path: real, Kind: kind, Logical: lp, Size: attrs.size}
	}
}

// Links follows every symbolic and hard link of the squashed file
// system, within the image's root, and returns, by logical path, the
// files that paths cataloguers want lead to and that the first pass did
// not catalogue, to be read again from their layers. A link that cannot
// be followed at such a path (to nothing, in a loop, to a special file)
// is an error for a database (want.Database) and a limitation for other
// files: never a silently smaller SBOM.
func (t *Tree) Links(ctx context.Context, want Wanted) (needs map[string]Need, limits []string, err error) {
	w := &linkWalk{t: t, needs: map[string]Need{}, want: want}
	for k, id := range t.links {
		if k%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		n := &t.nodes[id]
		if n.layer == none || (n.typ != tar.TypeSymlink && n.typ != tar.TypeLink) {
			continue
		}
		if w.truncated {
			break
		}
		w.link(t.pathOf(id), id, 0)
	}
	// A device, named pipe or other special file where a cataloguer
	// wants a file (a character device at /var/lib/dpkg/status) holds
	// nothing to read: as for a link to one, an error for an OS package
	// database and a limitation for anything else.
	for _, id := range t.specials {
		n := &t.nodes[id]
		switch {
		case n.layer == none, n.typ == tar.TypeReg, n.typ == tar.TypeDir, n.typ == tar.TypeSymlink, n.typ == tar.TypeLink:
			continue // whited out, or replaced by an upper layer's file
		}
		w.unreadable(t.pathOf(id), fmt.Errorf("not a regular file (tar type %q)", n.typ))
	}
	if err := errors.Join(w.errs...); err != nil {
		return nil, nil, err
	}
	sort.Strings(w.limits)
	limits = w.limits
	if w.truncated {
		limits = append(limits, fmt.Sprintf("links: more than %d paths reached through links; the rest were not followed", maxLinkWork))
	}
	if w.deep {
		limits = append(limits, fmt.Sprintf("links: directory links nested more than %d deep (or paths longer than %d bytes) were not followed", maxLinkDepth, maxPathLen))
	}
	return w.needs, limits, nil
}
