package model

import (
	"math"
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

// TestTyposquatExtraWordFeatures checks what an affix or combosquat adds
// to its target is described: generic words, versions, ecosystem roles.
func TestTyposquatExtraWordFeatures(t *testing.T) {
	tests := []struct {
		eco, name, kind, target string
		want                    map[string]float64
	}{
		{"npm", "lodash-utils", MatchAffix, "lodash", map[string]float64{
			"extra_generic": 1, "extra_version": 0, "extra_role": 0, "extra_single": 1, "target_leading": 1}},
		{"npm", "express-v4", MatchAffix, "express", map[string]float64{
			"extra_generic": 1, "extra_version": 1, "affix_short": 1}},
		{"npm", "typescript-5.2", MatchAffix, "typescript", map[string]float64{
			"extra_version": 1, "extra_single": 0}},
		{"PyPI", "numpy-helper", MatchAffix, "numpy", map[string]float64{
			"extra_generic": 1, "affix_known": 1, "affix_top_target": 1}},
		{"npm", "lodash-webpack-plugin", "", "", map[string]float64{"extra_role": 1, "extra_generic": 0}},
		{"PyPI", "python-requests", MatchAffix, "requests", map[string]float64{"extra_generic": 1, "target_leading": 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := BuiltinPopularityList(tc.eco)
			if err != nil {
				t.Fatal(err)
			}
			fv := l.ExtractTyposquatFeatures(tc.name)
			if tc.kind != "" && (fv.Kind != tc.kind || fv.Target != tc.target) {
				t.Errorf("kind %q target %q, want %q %q (%v)", fv.Kind, fv.Target, tc.kind, tc.target, fv.Evidence)
			}
			for n, want := range tc.want {
				got, ok := fv.Get(n)
				if !ok {
					t.Fatalf("no feature %s", n)
				}
				if math.Abs(got-want) > 1e-9 {
					t.Errorf("%s = %v, want %v", n, got, want)
				}
			}
		})
	}
	// A name that matches nothing carries no extra-word features.
	l, err := BuiltinPopularityList("npm")
	if err != nil {
		t.Fatal(err)
	}
	fv := l.ExtractTyposquatFeatures("zzqx-internal-thing")
	for _, n := range []string{"extra_generic", "extra_version", "extra_role", "extra_single", "target_coverage", "target_leading", "affix_top_target"} {
		if v, _ := fv.Get(n); v != 0 {
			t.Errorf("%s = %v for an unrelated name", n, v)
		}
	}
}

func TestTyposquatIsVersionWord(t *testing.T) {
	for w, want := range map[string]bool{"2": true, "v4": true, "5.2": true, "222222": true, "v": false, "": false, "v8a": false, "utils": false, "..": false} {
		if got := typosquatIsVersionWord(w); got != want {
			t.Errorf("%q: %v, want %v", w, got, want)
		}
	}
}

func TestTyposquatComboShapeFeatures(t *testing.T) {
	l, err := BuiltinPopularityList("npm")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name                  string
		scoped, singleUnscope float64
	}{
		{"colors-art", 0, 1},
		{"person-colors", 0, 1},
		{"@vygruppen/spor-react", 1, 0},
		{"react-native-circular-chart", 0, 0}, // two added words
		{"lodash-js", 0, 0},                   // an affix, not a combosquat
	} {
		fv := l.ExtractTyposquatFeatures(c.name)
		s, _ := fv.Get("combo_scoped")
		u, _ := fv.Get("combo_single_unscoped")
		if s != c.scoped || u != c.singleUnscope {
			t.Errorf("%s (kind %q): combo_scoped %v combo_single_unscoped %v, want %v %v", c.name, fv.Kind, s, u, c.scoped, c.singleUnscope)
		}
	}
}
