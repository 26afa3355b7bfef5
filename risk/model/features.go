package model

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/chaingate/chaingate/internal/scoring"
)

// TyposquatFeatureSchema names the version of the name-confusion feature
// set. A model artefact records the hash of the schema it was trained on
// (TyposquatFeatureSchemaHash) and LoadModel refuses any other.
const TyposquatFeatureSchema = "chaingate.risk.typosquat-features/v2"

// Match kinds: how a name imitates its target.
const (
	MatchDelimiter     = "delimiter"      // crossenv vs cross-env
	MatchHomoglyph     = "homoglyph"      // 1odash vs lodash, rn vs m
	MatchScopeUnscoped = "scope-unscoped" // types-node vs @types/node
	MatchScopeAdded    = "scope-added"    // @evil/lodash vs lodash
	MatchReorder       = "reorder"        // env-cross vs cross-env
	MatchAffix         = "affix"          // lodash-js, node-lodash, lodash2
	MatchEdit1         = "edit1"          // one insertion, deletion, substitution or transposition
	MatchEdit2         = "edit2"          // two edits
	MatchCombosquat    = "combosquat"     // lodash-utils-secure
)

// typosquatFeatureNames is the feature schema, in vector order. Every
// value lies in [0, 1] except popularity_gap, in [-1, 1].
var typosquatFeatureNames = []string{
	"edit1",            // best target is one edit away
	"edit2",            // best target is two edits away (names of 5+ characters)
	"transposition",    // the one edit swaps two adjacent characters
	"edit_similarity",  // 1 - distance/len(target) for distance <= 2
	"delimiter",        // same characters once '-', '_', '.', '@', '/' are dropped
	"homoglyph",        // same after folding look-alikes (0/o, 1/l/i, rn/m, vv/w)
	"affix_known",      // target plus a known affix (-js, node-, py-, -cli, ...)
	"affix_short",      // target plus digits or one or two characters
	"combosquat",       // target's tokens plus other words
	"combo_multitoken", // the combosquat target has two or more tokens
	"scope_unscoped",   // a scoped target's scope flattened into the name
	"scope_added",      // a scope added to, or swapped on, a target
	"reorder",          // the target's tokens in another order
	"target_popularity",
	"popularity_gap",  // (log10 target downloads - log10 own downloads)/4
	"short_name",      // the name has four characters or fewer and matches
	"neighbours",      // other list names one edit away (crowded, generic names)
	"convention",      // an ecosystem naming convention (eslint-plugin-, types-, django-...)
	"self_popularity", // the name's own popularity if it is on the list (an established package)
	"scope_unlisted",  // a resembling scoped name whose scope has no package on the list
	"target_family",   // how many listed names contain the target's words (react-*, eslint-*): a namespace, not a product
	// Interactions, so that a linear model can weigh a resemblance by its
	// target: a combination with a very popular, product-like target is
	// worse than one with a namespace-like or modest target.
	"combo_target_popularity",
	"combo_target_family",
	"scope_target_popularity",
	"affix_target_popularity",
	// Kinds of typing error: two edits of which one is a delimiter
	// (jasminecor, httpsrver), a doubled or dropped repeated letter
	// (chalkk, tkcallendar), a neighbouring key on a QWERTY keyboard.
	"delimiter_typo",
	"edit_repeat",
	"edit_keyboard",
	// Any of the specific resemblances (delimiter, homoglyph, reorder,
	// flattened scope): each is rare, together they are frequent enough
	// to weigh.
	"specific_kind",
	// The target's length (letters and digits, /12, at most 1): short,
	// generic targets (xml, uid, temp) collide by chance; long product
	// names (beautifulsoup4, typescript) do not.
	"target_length",
	"affix_target_length",
	// A combination with one of the ecosystem's most downloaded packages
	// (target_popularity >= 0.95, about 400M downloads a month) that is
	// not a namespace many listed packages build on (target_family <=
	// 0.5): axios-builder, crypto-chalk; not react-heart.
	"combo_top_target",
	// What an affix or combosquat adds to its target (the words that are
	// not the target's). Attackers add generic words (-utils, -helper,
	// -js, python-, -latest) or version numbers (-5.2, -v4) to look like
	// an official variant; legitimate extensions add descriptive words or
	// an ecosystem role (-plugin, -loader, -stubs). The words themselves
	// are patterns, not target names.
	"extra_generic",    // share of the added words that are generic (utils, helper, js, dev, latest, ...)
	"extra_version",    // an added word is a version (2, v4, 5.2, 222222)
	"extra_role",       // an added word names an ecosystem role (plugin, loader, preset, stubs, types, ...)
	"extra_single",     // exactly one word is added
	"target_coverage",  // share of the name's letters that are the target's
	"target_leading",   // the name starts with the target (a namespace position: react-foo)
	"affix_top_target", // an affix on one of the ecosystem's most downloaded packages (target_popularity >= 0.9)
	// The structure of a combosquat name: scoped (@org/react-foo: an
	// organisation's own package, rarely an attack in the training data)
	// or an unscoped name of the target plus exactly one word
	// (colors-art, axios-older: the commonest attack shape).
	"combo_scoped",
	"combo_single_unscoped",
	// Whether what differs from the target is made of words that
	// popular packages use (v2). A one- or two-edit neighbour whose
	// words are real (traverser, scss-loader, alter) is usually a
	// package of its own; a misspelling (crypo, py-cordq) is not a word.
	// A scope whose words popular packages use (@chakra-ui, @azure) is
	// an organisation's; an invented scope (@harrysforge) is not. The
	// vocabulary is the popularity list's own tokens, used by two or
	// more listed names: legitimate names only, no labels.
	"edit_words_known",
	"scope_words_known",
}

// TyposquatFeatureNames returns the feature schema in vector order.
func TyposquatFeatureNames() []string { return slices.Clone(typosquatFeatureNames) }

// TyposquatFeatureSchemaHash is "sha256:" and the hex SHA-256 of the
// schema name and its feature names, one a line.
func TyposquatFeatureSchemaHash() string { return typosquatSchemaHash() }

var typosquatSchemaHash = sync.OnceValue(func() string {
	h := sha256.New()
	h.Write([]byte(TyposquatFeatureSchema + "\n"))
	for _, n := range typosquatFeatureNames {
		h.Write([]byte(n + "\n"))
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
})

const (
	featEdit1 = iota
	featEdit2
	featTransposition
	featEditSim
	featDelimiter
	featHomoglyph
	featAffixKnown
	featAffixShort
	featCombo
	featComboMulti
	featScopeUnscoped
	featScopeAdded
	featReorder
	featTargetPop
	featPopGap
	featShort
	featNeighbours
	featConvention
	featSelfPop
	featScopeUnlisted
	featTargetFamily
	featComboTargetPop
	featComboTargetFamily
	featScopeTargetPop
	featAffixTargetPop
	featDelimTypo
	featEditRepeat
	featEditKeyboard
	featSpecificKind
	featTargetLength
	featAffixTargetLength
	featComboTopTarget
	featExtraGeneric
	featExtraVersion
	featExtraRole
	featExtraSingle
	featTargetCoverage
	featTargetLeading
	featAffixTopTarget
	featComboScoped
	featComboSingleUnscoped
	featEditWordsKnown
	featScopeWordsKnown
	typosquatNumFeatures
)

// FeatureVector is what a Model scores: named feature values of one
// input, plus what the features were computed against.
type FeatureVector struct {
	// SchemaHash is the TyposquatFeatureSchemaHash the values follow.
	SchemaHash string `json:"schemaHash"`
	// Names and Values are the features in schema order.
	Names  []string  `json:"names"`
	Values []float64 `json:"values"`
	// Ecosystem and Name are the input, Name normalised.
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	// Listed is the name's own 1-based rank on the popularity list, 0 if
	// absent. Absence is not evidence by itself: most real packages are
	// not popular.
	Listed int `json:"listed,omitempty"`
	// Target is the popular name the input most resembles, with its rank,
	// and Kind how it resembles it (Match… constants); empty if none.
	Target     string `json:"target,omitempty"`
	TargetRank int    `json:"targetRank,omitempty"`
	Kind       string `json:"kind,omitempty"`
	// Evidence says, in words, every resemblance found.
	Evidence []string `json:"evidence,omitempty"`
}

// Get returns the value of the named feature and whether it exists.
func (f FeatureVector) Get(name string) (float64, bool) {
	for i, n := range f.Names {
		if n == name && i < len(f.Values) {
			return f.Values[i], true
		}
	}
	return 0, false
}

// Known affixes that typosquats add to a popular name.
var typosquatAffixes = map[string]bool{
	"js": true, "node": true, "nodejs": true, "py": true, "python": true, "python3": true, "py3": true,
	"cli": true, "dev": true, "lib": true, "sdk": true, "api": true, "core": true, "utils": true,
	"util": true, "tool": true, "tools": true, "pkg": true, "official": true, "new": true, "pro": true,
	"plus": true, "ts": true, "io": true, "lite": true, "fix": true, "fixed": true, "latest": true,
	"beta": true, "next": true, "legacy": true, "v2": true, "v3": true, "x": true, "es": true,
	"module": true, "mod": true, "lang": true, "sync": true,
}

// Naming conventions under which a legitimate package carries another
// package's name.
var typosquatConventions = map[string]struct{ prefixes, suffixes []string }{
	"npm": {
		prefixes: []string{"@types/", "eslint-plugin-", "eslint-config-", "babel-plugin-", "babel-preset-", "@babel/",
			"postcss-", "rollup-plugin-", "vite-plugin-", "gulp-", "grunt-", "karma-", "jest-", "@storybook/",
			"react-native-", "@vue/", "@angular/", "@aws-sdk/", "@esbuild/", "@rollup/", "@swc/", "stylelint-"},
		suffixes: []string{"-loader", "-webpack-plugin", "-polyfill"},
	},
	"PyPI": {
		prefixes: []string{"types-", "django-", "flask-", "pytest-", "sphinx-", "sphinxcontrib-", "flake8-", "mkdocs-",
			"apache-airflow-providers-", "jupyter-", "jupyterlab-", "opentelemetry-", "azure-", "google-cloud-", "mypy-boto3-",
			"backports-", "types-aiobotocore-", "pyobjc-framework-"},
		suffixes: []string{"-stubs", "-plugin", "-extension"},
	},
}

func typosquatIsDelim(r rune) bool {
	return r == '-' || r == '_' || r == '.' || r == '@' || r == '/' || r == ' '
}

// typosquatStrip drops delimiters and scope marks.
func typosquatStrip(s string) string {
	return strings.Map(func(r rune) rune {
		if typosquatIsDelim(r) {
			return -1
		}
		return r
	}, s)
}

// typosquatTokens splits a name into lower-case words at delimiters.
func typosquatTokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), typosquatIsDelim)
}

var typosquatGlyphs = strings.NewReplacer("rn", "m", "vv", "w", "cl", "d", "0", "o", "1", "l", "i", "l", "|", "l", "3", "e", "5", "s", "$", "s")

// typosquatSkeleton folds characters that look alike.
func typosquatSkeleton(stripped string) string {
	return typosquatGlyphs.Replace(strings.ToLower(stripped))
}

func typosquatScope(name string) (scope, bare string, ok bool) {
	if !strings.HasPrefix(name, "@") {
		return "", name, false
	}
	i := strings.IndexByte(name, '/')
	if i < 0 {
		return "", name, false
	}
	return name[1:i], name[i+1:], true
}

// typosquatOSA is the optimal-string-alignment (restricted
// Damerau-Levenshtein) distance between a and b, or max+1 once it exceeds
// max. Hand-written because the pinned modules offer only plain
// Levenshtein (agnivade/levenshtein, indirect) without transpositions or
// an early cut-off, and this runs 10,000 times per scored name.
func typosquatOSA(a, b []rune, max int) int {
	la, lb := len(a), len(b)
	if d := la - lb; d > max || -d > max {
		return max + 1
	}
	if la == 0 || lb == 0 {
		return la + lb
	}
	var buf [3][64]int
	var rows [3][]int
	for i := range rows {
		if lb+1 <= 64 {
			rows[i] = buf[i][:lb+1]
		} else {
			rows[i] = make([]int, lb+1)
		}
	}
	prev2, prev, cur := rows[0], rows[1], rows[2]
	inf := max + 1
	for j := 0; j <= lb; j++ {
		prev[j] = min(j, inf)
		prev2[j] = inf
	}
	// Only cells within max of the diagonal can stay within max: the band
	// makes this O(len·max) instead of O(len²).
	for i := 1; i <= la; i++ {
		lo, hi := i-max, i+max
		if lo < 1 {
			lo = 1
		}
		if hi > lb {
			hi = lb
		}
		for j := range cur {
			cur[j] = inf
		}
		if i <= max {
			cur[0] = i
		}
		rowMin := inf
		for j := lo; j <= hi; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			if v > inf {
				v = inf
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return inf
		}
		prev2, prev, cur = prev, cur, prev2
	}
	if prev[lb] > max {
		return inf
	}
	return prev[lb]
}

func typosquatIsTransposition(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	diff := -1
	for i := range a {
		if a[i] != b[i] {
			diff = i
			break
		}
	}
	if diff < 0 || diff+1 >= len(a) {
		return false
	}
	return a[diff] == b[diff+1] && a[diff+1] == b[diff] && string(a[diff+2:]) == string(b[diff+2:])
}

type typosquatMatch struct {
	kind   string
	target int
	detail string
	extra  []string // the words an affix or combosquat adds to the target
}

// typosquatKindOrder ranks kinds from the most to the least specific; the
// first kind found names the target.
var typosquatKindOrder = []string{MatchDelimiter, MatchHomoglyph, MatchScopeUnscoped, MatchScopeAdded, MatchReorder, MatchAffix, MatchEdit1, MatchEdit2, MatchCombosquat}

// better prefers the more popular target, then the lower rank index.
func (l *PopularityList) typosquatBetter(i, j int) bool {
	if j < 0 {
		return true
	}
	if l.downloads[i] != l.downloads[j] {
		return l.downloads[i] > l.downloads[j]
	}
	return i < j
}

func (l *PopularityList) typosquatPick(cands []int, self int, skip func(int) bool) int {
	best := -1
	for _, c := range cands {
		if c == self || (skip != nil && skip(c)) {
			continue
		}
		if l.typosquatBetter(c, best) {
			best = c
		}
	}
	return best
}

// ExtractTyposquatFeatures computes the name-confusion features of name
// against the popularity list. It never fails: an empty or unusual name
// yields a vector without resemblances.
func (l *PopularityList) ExtractTyposquatFeatures(name string) FeatureVector {
	name = NormalizePackageName(l.ecosystem, name)
	if len(name) > TyposquatMaxNameLen {
		name = name[:TyposquatMaxNameLen]
	}
	fv := FeatureVector{
		SchemaHash: TyposquatFeatureSchemaHash(),
		Names:      TyposquatFeatureNames(),
		Values:     make([]float64, typosquatNumFeatures),
		Ecosystem:  l.ecosystem,
		Name:       name,
	}
	display := name
	name = typosquatKey(l.ecosystem, name)
	if strings.TrimFunc(name, func(r rune) bool { return typosquatIsDelim(r) || unicode.IsSpace(r) }) == "" {
		return fv
	}
	self := -1
	x := fv.Values
	if i, ok := l.rank[name]; ok {
		self = i
		fv.Listed = i + 1
		x[featSelfPop] = scoring.Clamp01((math.Log10(l.downloads[i]+1) - 5) / 4)
	}
	found := map[string]typosquatMatch{}
	addExtra := func(kind string, target int, detail string, extra []string) {
		if target < 0 {
			return
		}
		if old, ok := found[kind]; ok && !l.typosquatBetter(target, old.target) {
			return
		}
		found[kind] = typosquatMatch{kind, target, detail, extra}
	}
	add := func(kind string, target int, detail string) { addExtra(kind, target, detail, nil) }

	nameRunes := []rune(name)
	stripped := typosquatStrip(name)
	scope, bare, scoped := typosquatScope(name)
	toks := typosquatTokens(name)

	// Delimiter and scope flattening: same characters without delimiters.
	if len(stripped) >= 3 {
		t := l.typosquatPick(l.stripped[stripped], self, func(c int) bool { return l.names[c] == name })
		if t >= 0 {
			_, _, tScoped := typosquatScope(l.names[t])
			if tScoped != scoped {
				add(MatchScopeUnscoped, t, "its scope flattened into the name")
			} else {
				add(MatchDelimiter, t, "the same characters with other delimiters")
			}
		}
		// Homoglyphs: the same after folding look-alike characters.
		sk := typosquatSkeleton(stripped)
		t = l.typosquatPick(l.skeleton[sk], self, func(c int) bool { return typosquatStrip(l.names[c]) == stripped })
		add(MatchHomoglyph, t, "look-alike characters")
	}

	// Reordered tokens.
	if len(toks) >= 2 {
		sorted := slices.Clone(toks)
		sort.Strings(sorted)
		seq := strings.Join(toks, " ")
		t := l.typosquatPick(l.tokenSet[strings.Join(sorted, " ")], self, func(c int) bool {
			return strings.Join(typosquatTokens(l.names[c]), " ") == seq
		})
		add(MatchReorder, t, "the same words in another order")
	}

	// A scope added to, or swapped on, a popular name.
	if scoped && scope != "" {
		bareKey := strings.Join(typosquatTokens(bare), " ")
		t := l.typosquatPick(l.tokenSeq[bareKey], self, func(c int) bool {
			s, _, ok := typosquatScope(l.names[c])
			return ok && s == scope
		})
		add(MatchScopeAdded, t, "a popular name under the scope @"+scope)
		if t < 0 && l.ecosystem == "Go" {
			// The same repository under another account. Only for Go:
			// on npm, where many organisations publish "@org/core" or
			// "@org/parser", matching swapped scopes cut the validation
			// recall from 0.57 to 0.48 at the same false-positive rate.
			t = l.typosquatPick(l.bareSeq[bareKey], self, func(c int) bool {
				s, _, ok := typosquatScope(l.names[c])
				return !ok || s == scope
			})
			if t >= 0 {
				ts, _, _ := typosquatScope(l.names[t])
				add(MatchScopeAdded, t, "a popular module under another account ("+scope+" instead of "+ts+")")
			}
		}
	}
	// A scoped popular name with the scope dropped or turned into a word.
	if !scoped {
		t := l.typosquatPick(l.tokenSeq[strings.Join(toks, " ")], self, func(c int) bool {
			_, _, ok := typosquatScope(l.names[c])
			return !ok
		})
		add(MatchScopeUnscoped, t, "its scope turned into a word")
	}

	// Affixes and combosquats: a popular name's words inside more words.
	bestCombo, bestComboToks := -1, 0
	var comboExtra []string
	for i := 0; i < len(toks); i++ {
		for j := i + 1; j <= len(toks); j++ {
			if j-i == len(toks) {
				continue
			}
			sub := toks[i:j]
			if len(strings.Join(sub, "")) < 3 {
				continue
			}
			cands := l.tokenSeq[strings.Join(sub, " ")]
			t := l.typosquatPick(cands, self, nil)
			if t < 0 {
				continue
			}
			rest := append(slices.Clone(toks[:i]), toks[j:]...)
			if scoped && i > 0 && len(typosquatTokens(scope)) == i && j == len(toks) {
				// "@scope/popular" is handled as scope-added above.
				continue
			}
			allAffix, allShort := true, true
			for _, r := range rest {
				if !typosquatAffixes[r] && !typosquatGenericWords[r] {
					allAffix = false
				}
				if !typosquatIsShortAffix(r) {
					allShort = false
				}
			}
			switch {
			case allAffix:
				addExtra(MatchAffix, t, "with the affix "+strings.Join(rest, "-"), rest)
				x[featAffixKnown] = 1
			case allShort:
				addExtra(MatchAffix, t, "with the affix "+strings.Join(rest, "-"), rest)
				x[featAffixShort] = 1
			default:
				if len(strings.Join(sub, "")) < 4 {
					continue
				}
				if j-i > bestComboToks || (j-i == bestComboToks && l.typosquatBetter(t, bestCombo)) {
					bestCombo, bestComboToks, comboExtra = t, j-i, rest
				}
			}
		}
	}
	// Affixes glued on without a delimiter: markedjs, pylodash, lodash2.
	if !scoped && len(stripped) >= 5 {
		for a := range typosquatAffixes {
			for _, cand := range []string{strings.TrimPrefix(stripped, a), strings.TrimSuffix(stripped, a)} {
				if cand == stripped || len(cand) < 3 {
					continue
				}
				if t := l.typosquatPick(l.stripped[cand], self, nil); t >= 0 {
					addExtra(MatchAffix, t, "with the affix "+a, []string{a})
					x[featAffixKnown] = 1
				}
			}
		}
		if trimmed := strings.TrimRightFunc(stripped, unicode.IsDigit); trimmed != stripped && len(trimmed) >= 3 {
			if t := l.typosquatPick(l.stripped[trimmed], self, nil); t >= 0 {
				addExtra(MatchAffix, t, "with the affix "+stripped[len(trimmed):], []string{stripped[len(trimmed):]})
				x[featAffixShort] = 1
			}
		}
	}
	if bestCombo >= 0 {
		addExtra(MatchCombosquat, bestCombo, "combined with "+strings.Join(comboExtra, "-"), comboExtra)
		x[featCombo] = 1
		if bestComboToks >= 2 {
			x[featComboMulti] = 1
		}
	}

	// Edit distance to the nearest popular name.
	if len(nameRunes) >= 3 {
		bestD, best := 3, -1
		neighbours := 0
		for L := len(nameRunes) - 2; L <= len(nameRunes)+2; L++ {
			for _, c := range l.byLen[L] {
				if c == self {
					continue
				}
				d := typosquatOSA(nameRunes, l.runes[c], 2)
				if d == 1 {
					neighbours++
				}
				if d < bestD || (d == bestD && d <= 2 && l.typosquatBetter(c, best)) {
					bestD, best = d, c
				}
			}
		}
		if best >= 0 && bestD <= 2 {
			tr := []rune(l.names[best])
			switch {
			case bestD == 1:
				x[featEdit1] = 1
				if typosquatIsTransposition(nameRunes, tr) {
					x[featTransposition] = 1
				}
				add(MatchEdit1, best, "one edit away")
			case min(len(nameRunes), len(tr)) >= 5:
				x[featEdit2] = 1
				add(MatchEdit2, best, "two edits away")
			}
			if x[featEdit1]+x[featEdit2] > 0 {
				x[featEditSim] = 1 - float64(bestD)/float64(max(len(tr), 1))
			}
			if bestD == 2 && typosquatOSA([]rune(stripped), []rune(typosquatStrip(l.names[best])), 1) == 1 {
				x[featDelimTypo] = 1
			}
			if bestD == 1 {
				if typosquatIsRepeatEdit(nameRunes, tr) {
					x[featEditRepeat] = 1
				}
				if typosquatIsKeyboardEdit(nameRunes, tr) {
					x[featEditKeyboard] = 1
				}
			}
		}
		x[featNeighbours] = math.Min(float64(max(neighbours-1, 0))/5, 1)
	}

	if _, ok := found[MatchDelimiter]; ok {
		x[featDelimiter] = 1
	}
	if _, ok := found[MatchHomoglyph]; ok {
		x[featHomoglyph] = 1
	}
	if _, ok := found[MatchScopeUnscoped]; ok {
		x[featScopeUnscoped] = 1
	}
	if _, ok := found[MatchScopeAdded]; ok {
		x[featScopeAdded] = 1
	}
	if _, ok := found[MatchReorder]; ok {
		x[featReorder] = 1
	}
	x[featSpecificKind] = max(x[featDelimiter], x[featHomoglyph], x[featReorder], x[featScopeUnscoped])
	conv := typosquatConventions[l.ecosystem]
	for _, p := range conv.prefixes {
		if strings.HasPrefix(name, p) {
			x[featConvention] = 1
		}
	}
	for _, s := range conv.suffixes {
		if strings.HasSuffix(name, s) {
			x[featConvention] = 1
		}
	}

	for _, kind := range typosquatKindOrder {
		m, ok := found[kind]
		if !ok {
			continue
		}
		tgt := l.names[m.target]
		fv.Evidence = append(fv.Evidence, fmt.Sprintf("%s: %q resembles %q (rank %d, %s): %s",
			kind, display, l.displayName(m.target), m.target+1, l.countText(m.target), m.detail))
		if fv.Target != "" {
			continue
		}
		fv.Target, fv.TargetRank, fv.Kind = l.displayName(m.target), m.target+1, kind
		tdl := math.Log10(l.downloads[m.target] + 1)
		x[featTargetPop] = scoring.Clamp01((tdl - 5) / 4)
		own := l.floor
		if self >= 0 {
			own = l.downloads[self]
		}
		x[featPopGap] = math.Max(-1, math.Min(1, (tdl-math.Log10(own+1))/4))
		if len(nameRunes) <= 4 {
			x[featShort] = 1
		}
		if scoped && !l.scopes[scope] {
			x[featScopeUnlisted] = 1
		}
		x[featTargetLength] = math.Min(float64(len([]rune(typosquatStrip(tgt))))/12, 1)
		if kind == MatchAffix {
			x[featAffixTargetLength] = x[featTargetLength]
		}
		fam := l.family[strings.Join(typosquatTokens(tgt), " ")]
		x[featTargetFamily] = scoring.Clamp01(math.Log1p(float64(fam)) / math.Log1p(100))
		switch kind {
		case MatchCombosquat:
			x[featComboTargetPop] = x[featTargetPop]
			x[featComboTargetFamily] = x[featTargetFamily]
			if x[featTargetPop] >= 0.95 && x[featTargetFamily] <= 0.5 {
				x[featComboTopTarget] = 1
			}
		case MatchScopeAdded, MatchScopeUnscoped:
			x[featScopeTargetPop] = x[featTargetPop]
		case MatchAffix:
			x[featAffixTargetPop] = x[featTargetPop]
			if x[featTargetPop] >= 0.9 {
				x[featAffixTopTarget] = 1
			}
		}
		if kind == MatchAffix || kind == MatchCombosquat {
			l.typosquatExtraFeatures(x, name, m)
		}
		switch kind {
		case MatchEdit1, MatchEdit2, MatchHomoglyph:
			x[featEditWordsKnown] = l.typosquatKnownShare(typosquatTokens(name), typosquatTokens(tgt))
		}
		if scoped {
			x[featScopeWordsKnown] = l.typosquatKnownShare(typosquatTokens(scope), nil)
		}
	}
	return fv
}

// Generic words that name no feature of their own: what an attacker adds
// to a popular name to pass for an official variant or helper.
var typosquatGenericWords = map[string]bool{
	"js": true, "node": true, "nodejs": true, "npm": true, "py": true, "python": true, "python3": true, "py3": true,
	"ts": true, "lib": true, "library": true, "libs": true, "sdk": true, "api": true, "cli": true, "core": true,
	"util": true, "utils": true, "utility": true, "utilities": true, "helper": true, "helpers": true, "tool": true,
	"tools": true, "toolkit": true, "kit": true, "wrapper": true, "dev": true, "devel": true, "test": true, "tests": true,
	"testing": true, "app": true, "main": true, "official": true, "new": true, "latest": true, "beta": true,
	"alpha": true, "pre": true, "next": true, "update": true, "updated": true, "upgrade": true, "fix": true,
	"fixed": true, "patch": true, "patched": true, "secure": true, "security": true, "safe": true, "pro": true,
	"plus": true, "lite": true, "mini": true, "extra": true, "extended": true, "enhanced": true, "improved": true,
	"better": true, "fast": true, "simple": true, "easy": true, "pkg": true, "package": true, "packages": true,
	"module": true, "mod": true, "build": true, "builder": true, "sync": true, "async": true, "install": true,
	"installer": true, "setup": true, "free": true, "premium": true, "real": true, "original": true, "stable": true,
	"release": true, "x": true, "io": true, "dist": true, "bundle": true, "full": true, "demo": true, "poc": true,
	"legacy": true, "classic": true, "lang": true, "web": true, "online": true,
}

// Words that name an ecosystem role: an extension, its types, its
// integration with a framework.
var typosquatRoleWords = map[string]bool{
	"plugin": true, "plugins": true, "loader": true, "preset": true, "presets": true, "config": true, "types": true,
	"stubs": true, "typings": true, "adapter": true, "provider": true, "providers": true, "middleware": true,
	"extension": true, "extensions": true, "contrib": true, "ext": true, "addon": true, "addons": true,
	"integration": true, "backend": true, "driver": true, "transformer": true, "parser": true, "resolver": true,
	"reporter": true, "formatter": true, "theme": true, "component": true, "components": true, "bindings": true,
	"binding": true, "instrumentation": true, "exporter": true, "connector": true, "schema": true, "schemas": true,
}

func typosquatIsVersionWord(w string) bool {
	w = strings.TrimPrefix(w, "v")
	if w == "" {
		return false
	}
	digits := 0
	for _, r := range w {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.':
		default:
			return false
		}
	}
	return digits > 0
}

// typosquatExtraFeatures describes the words an affix or combosquat
// match adds to its target.
func (l *PopularityList) typosquatExtraFeatures(x []float64, name string, m typosquatMatch) {
	tgt := l.names[m.target]
	var extra []string
	for _, w := range m.extra {
		if w != "" {
			extra = append(extra, w)
		}
	}
	generic, role := 0, 0
	for _, w := range extra {
		switch {
		case typosquatGenericWords[w]:
			generic++
		case typosquatIsVersionWord(w):
			x[featExtraVersion] = 1
			generic++
		case typosquatRoleWords[w]:
			role++
		}
	}
	if len(extra) > 0 {
		x[featExtraGeneric] = float64(generic) / float64(len(extra))
	}
	if role > 0 {
		x[featExtraRole] = 1
	}
	if m.kind == MatchCombosquat {
		_, _, scoped := typosquatScope(name)
		switch {
		case scoped:
			x[featComboScoped] = 1
		case len(extra) == 1:
			x[featComboSingleUnscoped] = 1
		}
	}
	if len(extra) == 1 {
		x[featExtraSingle] = 1
	}
	ns, ts := len(typosquatStrip(name)), len(typosquatStrip(tgt))
	if ns > 0 {
		x[featTargetCoverage] = math.Min(float64(ts)/float64(ns), 1)
	}
	_, bare, _ := typosquatScope(name)
	if strings.HasPrefix(typosquatStrip(bare), typosquatStrip(tgt)) {
		x[featTargetLeading] = 1
	}
}

// typosquatVocabMin is how many listed names must use a word for it to
// count as known.
const typosquatVocabMin = 2

// typosquatKnownShare is the share of the words of toks, other than the
// target's words, that listed names use; 0 when every word is the
// target's.
func (l *PopularityList) typosquatKnownShare(toks, target []string) float64 {
	n, known := 0, 0
	for _, t := range toks {
		if slices.Contains(target, t) {
			continue
		}
		n++
		if l.vocab[t] >= typosquatVocabMin {
			known++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(known) / float64(n)
}

// typosquatIsRepeatEdit reports whether a and b differ by one repeated
// letter added or dropped (chalk/chalkk).
func typosquatIsRepeatEdit(a, b []rune) bool {
	if len(a) == len(b) {
		return false
	}
	if len(a) < len(b) {
		a, b = b, a
	}
	for i := range a {
		if string(a[:i])+string(a[i+1:]) == string(b) {
			return (i > 0 && a[i-1] == a[i]) || (i+1 < len(a) && a[i+1] == a[i])
		}
	}
	return false
}

var typosquatKeyboardRows = []string{"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"}

func typosquatKeyPos(r rune) (row, col int, ok bool) {
	for i, k := range typosquatKeyboardRows {
		if j := strings.IndexRune(k, r); j >= 0 {
			return i, j, true
		}
	}
	return 0, 0, false
}

// typosquatIsKeyboardEdit reports whether a and b differ by one
// substitution of neighbouring keys on a QWERTY keyboard.
func typosquatIsKeyboardEdit(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	diff := -1
	for i := range a {
		if a[i] != b[i] {
			if diff >= 0 {
				return false
			}
			diff = i
		}
	}
	if diff < 0 {
		return false
	}
	r1, c1, ok1 := typosquatKeyPos(unicode.ToLower(a[diff]))
	r2, c2, ok2 := typosquatKeyPos(unicode.ToLower(b[diff]))
	if !ok1 || !ok2 {
		return false
	}
	dr, dc := r1-r2, c1-c2
	return dr >= -1 && dr <= 1 && dc >= -1 && dc <= 1
}

func typosquatIsShortAffix(s string) bool {
	if len(s) <= 2 || typosquatIsVersionWord(s) {
		return true
	}
	_, err := strconv.Atoi(s)
	return err == nil
}

func typosquatHumanCount(v float64) string {
	switch {
	case v >= 1e9:
		return strconv.FormatFloat(v/1e9, 'f', 1, 64) + "G"
	case v >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', 1, 64) + "M"
	case v >= 1e3:
		return strconv.FormatFloat(v/1e3, 'f', 1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}
