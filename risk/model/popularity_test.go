package model

import (
	"strings"
	"testing"
)

// TestPopularityListName: Name enumerates a list in rank order, each
// name normalised as Rank compares it, for the shipped lists and for a
// list read from text.
func TestPopularityListName(t *testing.T) {
	for _, eco := range []string{"npm", "PyPI", "Go"} {
		l, err := BuiltinPopularityList(eco)
		if err != nil {
			t.Fatal(err)
		}
		if l.Len() < 1000 {
			t.Fatalf("%s: %d names", eco, l.Len())
		}
		if eco != "Go" && l.display != nil {
			// The typosquat benchmark's baseline measures edit
			// distances to Name(i): for npm and PyPI they must be the
			// names the list itself compares.
			t.Errorf("%s: names as given differ from the matching keys", eco)
		}
		for i := 0; i < l.Len(); i += 97 {
			if r, _ := l.Rank(l.Name(i)); r != i+1 {
				t.Errorf("%s: Rank(Name(%d) = %q) = %d, want %d", eco, i, l.Name(i), r, i+1)
			}
		}
	}
	l, err := LoadPopularityList("PyPI", "test", strings.NewReader("rank\tname\tdownloads\n1\tRequests\t100\n2\tPy_Yaml\t50\n"))
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != 2 || l.Name(0) != "requests" || l.Name(1) != "py-yaml" {
		t.Errorf("names %d: %q %q", l.Len(), l.Name(0), l.Name(1))
	}
}
