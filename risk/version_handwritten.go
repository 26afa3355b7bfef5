package risk

import (
	"fmt"
	"strconv"
	"strings"
)

// This file holds the version orderings that no well-kept Go library in
// go.mod implements: Alpine's apk (apk-tools' version.c rules), RubyGems
// (Gem::Version) and NuGet (NuGet.Versioning's four-part SemVer). Each is
// small, written from the ecosystem's own specification, and covered by
// table tests in version_test.go.

// --- Alpine apk ---

type vulnAPKScheme struct{}

func (vulnAPKScheme) name() string { return "Alpine" }

// apk suffix ranks: _alpha < _beta < _pre < _rc < (none) < _cvs < _svn <
// _git < _hg < _p.
var vulnAPKSuffixRank = map[string]int{
	"alpha": -4, "beta": -3, "pre": -2, "rc": -1,
	"cvs": 1, "svn": 2, "git": 3, "hg": 4, "p": 5,
}

type vulnAPKSuffix struct {
	rank int
	num  uint64
}

type vulnAPK struct {
	nums     []uint64
	letter   byte
	suffixes []vulnAPKSuffix
	rev      uint64
}

func (vulnAPKScheme) parse(s string) (vulnVersion, error) {
	if s == "0" {
		return vulnAPK{nums: []uint64{0}, suffixes: []vulnAPKSuffix{{rank: -5}}}, nil
	}
	bad := func(why string) error {
		return fmt.Errorf("%w: %q is not an apk version: %s", ErrUnassessableVersion, s, why)
	}
	var v vulnAPK
	rest := s
	if i := strings.LastIndex(rest, "-r"); i >= 0 {
		n, err := strconv.ParseUint(rest[i+2:], 10, 64)
		if err != nil {
			return nil, bad("revision")
		}
		v.rev = n
		rest = rest[:i]
	}
	main, sufs, _ := strings.Cut(rest, "_")
	if main == "" {
		return nil, bad("no version number")
	}
	if c := main[len(main)-1]; c >= 'a' && c <= 'z' {
		v.letter = c
		main = main[:len(main)-1]
	}
	for _, p := range strings.Split(main, ".") {
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return nil, bad("component " + strconv.Quote(p))
		}
		v.nums = append(v.nums, n)
	}
	if sufs != "" {
		for _, suf := range strings.Split(sufs, "_") {
			name := strings.TrimRight(suf, "0123456789")
			rank, ok := vulnAPKSuffixRank[name]
			if !ok {
				return nil, bad("suffix " + strconv.Quote(suf))
			}
			var n uint64
			if d := suf[len(name):]; d != "" {
				var err error
				if n, err = strconv.ParseUint(d, 10, 64); err != nil {
					return nil, bad("suffix number")
				}
			}
			v.suffixes = append(v.suffixes, vulnAPKSuffix{rank, n})
		}
	}
	return v, nil
}

func vulnCmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (v vulnAPK) vulnCmp(o vulnVersion) int {
	w := o.(vulnAPK)
	for i := 0; i < len(v.nums) && i < len(w.nums); i++ {
		if c := vulnCmpU(v.nums[i], w.nums[i]); c != 0 {
			return c
		}
	}
	if c := vulnCmpU(uint64(len(v.nums)), uint64(len(w.nums))); c != 0 {
		return c
	}
	if c := vulnCmpU(uint64(v.letter), uint64(w.letter)); c != 0 {
		return c
	}
	n := max(len(v.suffixes), len(w.suffixes))
	for i := 0; i < n; i++ {
		var a, b vulnAPKSuffix // rank 0 is "no suffix"
		if i < len(v.suffixes) {
			a = v.suffixes[i]
		}
		if i < len(w.suffixes) {
			b = w.suffixes[i]
		}
		if a.rank != b.rank {
			if a.rank < b.rank {
				return -1
			}
			return 1
		}
		if c := vulnCmpU(a.num, b.num); c != 0 {
			return c
		}
	}
	return vulnCmpU(v.rev, w.rev)
}

// --- RubyGems (Gem::Version) ---

type vulnGemScheme struct{}

func (vulnGemScheme) name() string { return "RubyGems" }

// vulnGemSeg is a Gem::Version segment: a number or a (pre-release) string.
type vulnGemSeg struct {
	isStr bool
	n     uint64
	s     string
}

type vulnGem struct{ segs []vulnGemSeg }

func (vulnGemScheme) parse(s string) (vulnVersion, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		// OSV's "introduced: 0" is below every version, pre-releases
		// ("0.a") included: an empty string segment sorts first.
		return vulnGem{[]vulnGemSeg{{isStr: true}}}, nil
	}
	if s == "" {
		return nil, fmt.Errorf("%w: empty gem version", ErrUnassessableVersion)
	}
	s = strings.ReplaceAll(s, "-", ".pre.")
	var segs []vulnGemSeg
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			n, err := strconv.ParseUint(s[i:j], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%w: %q: number too large", ErrUnassessableVersion, s)
			}
			segs = append(segs, vulnGemSeg{n: n})
			i = j
		case (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
			j := i
			for j < len(s) && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z')) {
				j++
			}
			segs = append(segs, vulnGemSeg{isStr: true, s: s[i:j]})
			i = j
		case c == '.':
			i++
		default:
			return nil, fmt.Errorf("%w: %q is not a gem version", ErrUnassessableVersion, s)
		}
	}
	if len(segs) == 0 {
		return nil, fmt.Errorf("%w: %q is not a gem version", ErrUnassessableVersion, s)
	}
	// Gem::Version#canonical_segments drops trailing zeros of the release
	// part and of the pre-release part.
	first := len(segs)
	for i, sg := range segs {
		if sg.isStr {
			first = i
			break
		}
	}
	rel := vulnGemTrimZeros(segs[:first])
	pre := vulnGemTrimZeros(segs[first:])
	return vulnGem{append(append([]vulnGemSeg{}, rel...), pre...)}, nil
}

func vulnGemTrimZeros(s []vulnGemSeg) []vulnGemSeg {
	for len(s) > 0 && !s[len(s)-1].isStr && s[len(s)-1].n == 0 {
		s = s[:len(s)-1]
	}
	return s
}

func (v vulnGem) vulnCmp(o vulnVersion) int {
	w := o.(vulnGem)
	n := max(len(v.segs), len(w.segs))
	for i := 0; i < n; i++ {
		a, b := vulnGemSeg{}, vulnGemSeg{}
		if i < len(v.segs) {
			a = v.segs[i]
		}
		if i < len(w.segs) {
			b = w.segs[i]
		}
		switch {
		case a.isStr && b.isStr:
			if c := strings.Compare(a.s, b.s); c != 0 {
				return c
			}
		case a.isStr:
			return -1
		case b.isStr:
			return 1
		default:
			if c := vulnCmpU(a.n, b.n); c != 0 {
				return c
			}
		}
	}
	return 0
}

// --- NuGet ---

type vulnNuGetScheme struct{}

func (vulnNuGetScheme) name() string { return "NuGet" }

type vulnNuGet struct {
	nums [4]uint64
	pre  []string
}

func (vulnNuGetScheme) parse(s string) (vulnVersion, error) {
	bad := fmt.Errorf("%w: %q is not a NuGet version", ErrUnassessableVersion, s)
	if s == "0" {
		return vulnNuGet{pre: []string{"0"}}, nil
	}
	s, _, _ = strings.Cut(strings.TrimSpace(s), "+")
	core, pre, hasPre := strings.Cut(s, "-")
	parts := strings.Split(core, ".")
	if len(parts) == 0 || len(parts) > 4 {
		return nil, bad
	}
	var v vulnNuGet
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return nil, bad
		}
		v.nums[i] = n
	}
	if hasPre {
		if pre == "" {
			return nil, bad
		}
		v.pre = strings.Split(strings.ToLower(pre), ".")
	}
	return v, nil
}

func (v vulnNuGet) vulnCmp(o vulnVersion) int {
	w := o.(vulnNuGet)
	for i := range v.nums {
		if c := vulnCmpU(v.nums[i], w.nums[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(v.pre) == 0 && len(w.pre) == 0:
		return 0
	case len(v.pre) == 0:
		return 1
	case len(w.pre) == 0:
		return -1
	}
	for i := 0; i < len(v.pre) && i < len(w.pre); i++ {
		a, b := v.pre[i], w.pre[i]
		an, aErr := strconv.ParseUint(a, 10, 64)
		bn, bErr := strconv.ParseUint(b, 10, 64)
		switch {
		case aErr == nil && bErr == nil:
			if c := vulnCmpU(an, bn); c != 0 {
				return c
			}
		case aErr == nil:
			return -1
		case bErr == nil:
			return 1
		default:
			if c := strings.Compare(a, b); c != 0 {
				return c
			}
		}
	}
	return vulnCmpU(uint64(len(v.pre)), uint64(len(w.pre)))
}
