package vulndb

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// This file holds the two orderings where osv-scalibr's semantic package
// disagrees with the ecosystem's own rules, written from those rules:
//
//   - Packagist: Composer normalises a version (VersionParser::normalize)
//     before comparing it with PHP's version_compare. semantic compares
//     the raw strings with version_compare only, so "1.0" < "1.0.0"
//     (Composer: equal, both "1.0.0.0") and "1.0-Beta1" < "1.0-alpha1"
//     (Composer lowercases the stability: beta > alpha).
//   - Pub: pub_semver orders build metadata part by part, numbers
//     numerically ("1.2.3+10" > "1.2.3+9"); semantic compares the build
//     as one string.
//
// version_order_test.go holds both ecosystems' documented cases; semantic
// fails the ones named above and these pass all of them.

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// --- Packagist (Composer) ---

type composerScheme struct{}

func (composerScheme) name() string { return "Packagist" }

// composerModifier is VersionParser's $modifierRegex (possessive
// quantifiers dropped: RE2 has none and the pattern is anchored).
const composerModifier = `[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*)?)?([.-]?dev)?`

var (
	// VersionParser::normalize's "classical versioning" pattern.
	composerClassical = regexp.MustCompile(`(?i)^v?(\d{1,5})(\.\d+)?(\.\d+)?(\.\d+)?` + composerModifier + `$`)
	// Its "date(time) based versioning" pattern.
	composerDate = regexp.MustCompile(`(?i)^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2})` + composerModifier + `$`)
	// Its dev-branch pattern and normalizeBranch's numeric branch.
	composerDevBranch = regexp.MustCompile(`(?i)^(.*?)[.-]?dev$`)
	composerBranch    = regexp.MustCompile(`(?i)^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$`)
)

// composer is a normalised Composer version split the way PHP's
// version_compare splits it.
type composer struct {
	parts []string
	zero  bool // OSV's "0": below every version
}

func (c composerScheme) parse(s string) (vulnVersion, error) {
	if s == "0" {
		return composer{zero: true}, nil
	}
	return c.parseLiteral(s)
}

func (composerScheme) parseLiteral(s string) (vulnVersion, error) {
	if err := checkLen("Packagist", s); err != nil {
		return nil, err
	}
	n, err := composerNormalize(s)
	if err != nil {
		return nil, err
	}
	return composer{parts: phpCanonical(n)}, nil
}

// composerNormalize follows Composer's VersionParser::normalize:
// "1.0RC1" → "1.0.0.0-RC1", "v2.1-p1" → "2.1.0.0-patch1",
// "1.0-BETA2" → "1.0.0.0-beta2", "1.x-dev" → "1.9999999.9999999.9999999-dev".
func composerNormalize(s string) (string, error) {
	// No "#ref" is cut off: VersionParser::normalize rejects "1.0.0#abc"
	// (only parseConstraint drops "#refs", and only after dev branches).
	v := strings.TrimSpace(s)
	if strings.HasPrefix(strings.ToLower(v), "dev-") {
		return "", fmt.Errorf("%w: %q is a Composer branch, not a version", ErrUnassessableVersion, s)
	}
	if i := strings.IndexByte(v, '+'); i > 0 {
		v = v[:i] // build metadata
	}
	if m := composerClassical.FindStringSubmatch(v); m != nil {
		n := m[1] + or(m[2], ".0") + or(m[3], ".0") + or(m[4], ".0")
		return composerStability(n, m[5], m[6], m[7]), nil
	}
	if m := composerDate.FindStringSubmatch(v); m != nil {
		n := strings.Map(func(r rune) rune {
			if r < '0' || r > '9' {
				return '.'
			}
			return r
		}, m[1])
		return composerStability(n, m[2], m[3], m[4]), nil
	}
	if m := composerDevBranch.FindStringSubmatch(v); m != nil {
		if b := composerBranch.FindStringSubmatch(m[1]); b != nil {
			var parts []string
			for _, p := range b[1:] {
				p = strings.TrimPrefix(p, ".")
				switch p {
				case "", "x", "X", "*":
					p = "9999999"
				}
				parts = append(parts, p)
			}
			return strings.Join(parts, ".") + "-dev", nil
		}
	}
	return "", fmt.Errorf("%w: %q is not a Composer version", ErrUnassessableVersion, s)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// composerStability appends a stability suffix as normalize does.
func composerStability(v, stability, num, dev string) string {
	if stability != "" {
		st := strings.ToLower(stability)
		if st == "stable" {
			return v
		}
		switch st {
		case "a":
			st = "alpha"
		case "b":
			st = "beta"
		case "p", "pl":
			st = "patch"
		case "rc":
			st = "RC"
		}
		v += "-" + st + strings.TrimLeft(num, ".-")
	}
	if dev != "" {
		v += "-dev"
	}
	return v
}

// phpCanonical is php_canonicalize_version followed by the split
// on '.': '-', '_' and '+' become '.', a '.' goes between a digit and a
// non-digit, other non-alphanumerics become '.'.
func phpCanonical(v string) []string {
	var b strings.Builder
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	isAlnum := func(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	dot := func() {
		if b.Len() > 0 && b.String()[b.Len()-1] != '.' {
			b.WriteByte('.')
		}
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '-' || c == '_' || c == '+':
			dot()
		case i > 0 && ((isDigit(c) && !isDigit(v[i-1]) && v[i-1] != '.') || (!isDigit(c) && c != '.' && isDigit(v[i-1]))):
			dot()
			b.WriteByte(c)
		case !isAlnum(c):
			dot()
		default:
			b.WriteByte(c)
		}
	}
	return strings.FieldsFunc(b.String(), func(r rune) bool { return r == '.' })
}

// phpSpecial is compare_special_version_forms' table; a form matches
// when its name is a prefix of the part ("patch" is "p"); an unknown
// part ranks -6.
var phpSpecial = []struct {
	name string
	rank int
}{{"dev", 0}, {"alpha", 1}, {"a", 1}, {"beta", 2}, {"b", 2}, {"RC", 3}, {"rc", 3}, {"#", 4}, {"pl", 5}, {"p", 5}}

func phpSpecialRank(s string) int {
	for _, f := range phpSpecial {
		if strings.HasPrefix(s, f.name) {
			return f.rank
		}
	}
	return -6
}

func phpIsNum(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// phpNumCmp compares two digit strings numerically at any length.
func phpNumCmp(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return cmpU(uint64(len(a)), uint64(len(b)))
	}
	return strings.Compare(a, b)
}

func phpPartCmp(a, b string) int {
	an, bn := phpIsNum(a), phpIsNum(b)
	switch {
	case an && bn:
		return phpNumCmp(a, b)
	case !an && !bn:
		return sign(phpSpecialRank(a) - phpSpecialRank(b))
	case an:
		return sign(phpSpecialRank("#N#") - phpSpecialRank(b))
	default:
		return sign(phpSpecialRank(a) - phpSpecialRank("#N#"))
	}
}

// vulnCmp is PHP's version_compare on two canonical versions.
func (v composer) vulnCmp(o vulnVersion) int {
	w := o.(composer)
	switch {
	case v.zero && w.zero:
		return 0
	case v.zero:
		return -1
	case w.zero:
		return 1
	}
	a, b := v.parts, w.parts
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if c := phpPartCmp(a[i], b[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(a) > n:
		if phpIsNum(a[n]) {
			return 1
		}
		return composer{parts: a[n:]}.vulnCmp(composer{parts: []string{"#N#"}})
	case len(b) > n:
		if phpIsNum(b[n]) {
			return -1
		}
		return composer{parts: []string{"#N#"}}.vulnCmp(composer{parts: b[n:]})
	}
	return 0
}

// --- Pub (pub_semver) ---

type pubScheme struct{}

func (pubScheme) name() string { return "Pub" }

// pubPattern is pub_semver's Version.parse pattern.
var pubPattern = regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$`)

// pubPart is one pre-release or build identifier: a number when
// int.tryParse accepts it, else a string.
type pubPart struct {
	isNum bool
	n     uint64
	s     string
}

type pub struct {
	nums       [3]uint64
	pre, build []pubPart
	zero       bool
}

func (p pubScheme) parse(s string) (vulnVersion, error) {
	if s == "0" {
		return pub{zero: true}, nil
	}
	return p.parseLiteral(s)
}

func (pubScheme) parseLiteral(s string) (vulnVersion, error) {
	if err := checkLen("Pub", s); err != nil {
		return nil, err
	}
	m := pubPattern.FindStringSubmatch(s)
	if m == nil {
		return nil, fmt.Errorf("%w: %q is not a pub_semver version", ErrUnassessableVersion, s)
	}
	var v pub
	for i := range v.nums {
		n, err := strconv.ParseUint(m[i+1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: %q: number too large", ErrUnassessableVersion, s)
		}
		v.nums[i] = n
	}
	v.pre, v.build = pubParts(m[5]), pubParts(m[8])
	return v, nil
}

func pubParts(s string) []pubPart {
	if s == "" {
		return nil
	}
	var out []pubPart
	for p := range strings.SplitSeq(s, ".") {
		if n, err := strconv.ParseUint(p, 10, 64); err == nil {
			out = append(out, pubPart{isNum: true, n: n})
		} else {
			out = append(out, pubPart{s: p})
		}
	}
	return out
}

// pubLists is pub_semver's _compareLists: missing parts first,
// numbers before strings, numbers numerically, strings by code unit.
func pubLists(a, b []pubPart) int {
	for i := 0; i < max(len(a), len(b)); i++ {
		switch {
		case i >= len(a):
			return -1
		case i >= len(b):
			return 1
		}
		x, y := a[i], b[i]
		switch {
		case x.isNum && y.isNum:
			if c := cmpU(x.n, y.n); c != 0 {
				return c
			}
		case x.isNum:
			return -1
		case y.isNum:
			return 1
		default:
			if c := strings.Compare(x.s, y.s); c != 0 {
				return c
			}
		}
	}
	return 0
}

// vulnCmp is pub_semver's Version.compareTo.
func (v pub) vulnCmp(o vulnVersion) int {
	w := o.(pub)
	switch {
	case v.zero && w.zero:
		return 0
	case v.zero:
		return -1
	case w.zero:
		return 1
	}
	for i := range v.nums {
		if c := cmpU(v.nums[i], w.nums[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(v.pre) == 0 && len(w.pre) > 0:
		return 1
	case len(v.pre) > 0 && len(w.pre) == 0:
		return -1
	}
	if c := pubLists(v.pre, w.pre); c != 0 {
		return c
	}
	switch {
	case len(v.build) == 0 && len(w.build) > 0:
		return -1
	case len(v.build) > 0 && len(w.build) == 0:
		return 1
	}
	return pubLists(v.build, w.build)
}
