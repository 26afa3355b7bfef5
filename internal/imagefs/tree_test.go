package imagefs

import (
	"archive/tar"
	"context"
	"errors"
	"testing"
)

// TestTreeResolve checks resolution within the root directly,
// including that no path ever leaves it.
func TestTreeResolve(t *testing.T) {
	tr := NewTree()
	sc := &LayerScan{entries: []entry{
		{path: "/etc", typ: tar.TypeDir},
		{path: "/etc/f", typ: tar.TypeReg},
		{path: "/a", typ: tar.TypeSymlink, link: "/etc"},
		{path: "/b", typ: tar.TypeSymlink, link: "../../../../etc/../etc/./f"},
		{path: "/c", typ: tar.TypeSymlink, link: "/proc/self/root/etc/f"},
	}}
	if err := tr.AddLayer(context.Background(), 0, sc); err != nil {
		t.Fatal(err)
	}
	f := tr.lookup("/etc/f")
	for _, tc := range []struct {
		target string
		want   int32
		err    error
	}{
		{"/a/f", f, nil},
		{"b", f, nil},
		{"/../../a/../a/f", f, nil},
		{"c", none, errLinkMissing}, // never the host's /proc
		{"/etc/f/x", none, errLinkNotDir},
	} {
		hops := 0
		got, err := tr.resolve(0, tc.target, &hops)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("resolve(%q) = %d, %v; want %d, %v", tc.target, got, err, tc.want, tc.err)
		}
	}
}
