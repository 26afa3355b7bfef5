package scoring

import (
	"math"
	"testing"
)

func TestRound4(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{0.123449, 0.1234}, {0.12345, 0.1235}, {-0.00004, 0}, {1, 1}, {math.NaN(), 0}, {2.0 / 3, 0.6667},
	} {
		if got := Round4(c.in); got != c.want {
			t.Errorf("Round4(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestClamp01(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{{-0.5, 0}, {0, 0}, {0.25, 0.25}, {1, 1}, {7, 1}} {
		if got := Clamp01(c.in); got != c.want {
			t.Errorf("Clamp01(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestSortByEffect(t *testing.T) {
	type c struct {
		name   string
		effect float64
	}
	cs := []c{{"a", 0.1}, {"b", -0.9}, {"c", 0.5}, {"d", -0.1}, {"e", 0.9}}
	SortByEffect(cs, func(x *c) float64 { return x.effect })
	got := ""
	for _, x := range cs {
		got += x.name
	}
	if got != "becad" {
		t.Errorf("order %s, want becad (largest effect first, ties in input order)", got)
	}
}
