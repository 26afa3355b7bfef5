package signal

import (
	"testing"

	"github.com/chaingate/chaingate/risk/model"
)

// benchNames are real names from the labelled set: typosquats, popular
// names and less popular legitimate ones.
var benchNames = []string{"crossenv", "lodahs", "reqeusts", "python-dateutil", "@types/node", "types-node",
	"react-heart", "zhconv", "eslint-plugin-ssc", "jasminecor", "tkcallendar", "my-internal-lib"}

// levenshteinList is a popularity list's names, each also as runes,
// prepared once as the list prepares them for its own edit distances.
type levenshteinList struct {
	names []string
	runes [][]rune
}

func newLevenshteinList(l *model.PopularityList) *levenshteinList {
	ll := &levenshteinList{names: make([]string, l.Len()), runes: make([][]rune, l.Len())}
	for i := range ll.names {
		ll.names[i] = l.Name(i)
		ll.runes[i] = []rune(ll.names[i])
	}
	return ll
}

// levenshteinNearest is the baseline: plain Levenshtein distance to every
// name on the list, keeping the nearest (no cut-off, no band).
func levenshteinNearest(l *levenshteinList, name string) (best string, dist int) {
	a := []rune(name)
	dist = 1 << 30
	prev := make([]int, 0, 64)
	cur := make([]int, 0, 64)
	for i, n := range l.names {
		b := l.runes[i]
		prev = prev[:0]
		for j := 0; j <= len(b); j++ {
			prev = append(prev, j)
		}
		cur = append(cur[:0], prev...)
		for x := 1; x <= len(a); x++ {
			cur[0] = x
			for y := 1; y <= len(b); y++ {
				c := 1
				if a[x-1] == b[y-1] {
					c = 0
				}
				cur[y] = min(prev[y]+1, cur[y-1]+1, prev[y-1]+c)
			}
			prev, cur = cur, prev
		}
		if d := prev[len(b)]; d < dist {
			best, dist = n, d
		}
	}
	return best, dist
}

// BenchmarkTyposquat compares TyposquatScore (all features, the model)
// with the plain nearest-neighbour Levenshtein baseline over the same
// list, per name.
func BenchmarkTyposquat(b *testing.B) {
	list, err := model.BuiltinPopularityList("npm")
	if err != nil {
		b.Fatal(err)
	}
	npm := newLevenshteinList(list)
	if _, err := TyposquatScore("npm", "warm-up"); err != nil {
		b.Fatal(err)
	}
	b.Run("chaingate-TyposquatScore", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := TyposquatScore("npm", benchNames[i%len(benchNames)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline-levenshtein-nearest", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			levenshteinNearest(npm, benchNames[i%len(benchNames)])
		}
	})
}

func TestLevenshteinBaseline(t *testing.T) {
	list, err := model.BuiltinPopularityList("npm")
	if err != nil {
		t.Fatal(err)
	}
	npm := newLevenshteinList(list)
	if npm.names[0] != list.Name(0) || len(npm.names) != list.Len() {
		t.Fatalf("baseline list of %d names, first %q; popularity list of %d, first %q", len(npm.names), npm.names[0], list.Len(), list.Name(0))
	}
	if best, d := levenshteinNearest(npm, "crossenv"); best != "cross-env" || d != 1 {
		t.Errorf("baseline nearest %s %d", best, d)
	}
}
