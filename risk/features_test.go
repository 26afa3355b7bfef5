package risk

import (
	"math/rand"
	"testing"
)

func refOSA(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+c)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

func TestTyposquatOSAMatchesReference(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for n := 0; n < 200000; n++ {
		a := make([]rune, r.Intn(8))
		b := make([]rune, r.Intn(8))
		for i := range a {
			a[i] = rune('a' + r.Intn(3))
		}
		for i := range b {
			b[i] = rune('a' + r.Intn(3))
		}
		for _, mx := range []int{1, 2} {
			want := min(refOSA(a, b), mx+1)
			if got := typosquatOSA(a, b, mx); got != want {
				t.Fatalf("%q %q max %d: %d want %d", string(a), string(b), mx, got, want)
			}
		}
	}
}
