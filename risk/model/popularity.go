package model

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/mod/module"
)

// The shipped popularity lists. Origin and licence: see models/README.md.
//
//go:embed models/npm-top.tsv
var typosquatNPMTop []byte

//go:embed models/pypi-top.tsv
var typosquatPyPITop []byte

//go:embed models/go-top.tsv
var typosquatGoTop []byte

// ErrNoPopularityList is returned when no popularity list is shipped or
// given for an ecosystem, so name confusion cannot be judged there.
var ErrNoPopularityList = errors.New("risk: no popularity list for ecosystem")

// ErrUnknownEcosystem is returned for an ecosystem name risk does not know.
var ErrUnknownEcosystem = errors.New("risk: unknown ecosystem")

// Maximum sizes the popularity-list reader accepts.
const (
	typosquatMaxListBytes = 8 << 20
	typosquatMaxListRows  = 200_000
	TyposquatMaxNameLen   = 214 // npm's limit on package names
)

// CanonicalEcosystem maps the spellings risk accepts for the ecosystems
// with name-confusion support ("npm"; "PyPI", "pypi"; "Go", "golang") to
// their OSV names ("npm", "PyPI", "Go"). It returns ErrUnknownEcosystem
// for any other value.
func CanonicalEcosystem(ecosystem string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(ecosystem)) {
	case "npm":
		return "npm", nil
	case "pypi", "pip", "python":
		return "PyPI", nil
	case "go", "golang":
		return "Go", nil
	}
	return "", fmt.Errorf("%w %q (want npm, PyPI or Go)", ErrUnknownEcosystem, ecosystem)
}

// NormalizePackageName returns the form of name that the ecosystem treats
// as the package's identity: PEP 503 for PyPI (lower case, runs of '-',
// '_' and '.' become one '-'), lower case for npm, unchanged for Go.
func NormalizePackageName(ecosystem, name string) string {
	name = strings.TrimSpace(name)
	switch ecosystem {
	case "PyPI":
		var b strings.Builder
		prevSep := false
		for _, r := range strings.ToLower(name) {
			if r == '-' || r == '_' || r == '.' {
				if !prevSep {
					b.WriteByte('-')
				}
				prevSep = true
				continue
			}
			prevSep = false
			b.WriteRune(r)
		}
		return b.String()
	case "npm":
		return strings.ToLower(name)
	}
	return name
}

// PopularityList is a ranked list of an ecosystem's most used package
// names with their download counts: the likely targets of name
// confusion. It is immutable after loading and safe for concurrent use.
type PopularityList struct {
	ecosystem string
	source    string
	names     []string
	runes     [][]rune // names as runes, for edit distances
	downloads []float64
	rank      map[string]int   // name -> index
	byLen     map[int][]int    // rune length -> indexes
	stripped  map[string][]int // delimiters and scope marks removed
	skeleton  map[string][]int // homoglyph skeleton of stripped
	tokenSet  map[string][]int // sorted tokens
	tokenSeq  map[string][]int // tokens in order, joined by ' '
	scopes    map[string]bool  // npm scopes with a package on the list
	family    map[string]int   // token sequence -> listed names containing it with other words
	vocab     map[string]int   // token -> listed names containing it
	bareSeq   map[string][]int // a scoped name's tokens after its scope -> indexes
	floor     float64          // smallest download count on the list
	// display holds the names as given where the matching key differs
	// (Go module paths, see typosquatKey); counts the list's own numbers
	// when they are not downloads (Go: dependents), with unit their name.
	display []string
	counts  []float64
	unit    string
}

// displayName is the i-th name as the list gives it.
func (l *PopularityList) displayName(i int) string {
	if l.display != nil {
		return l.display[i]
	}
	return l.names[i]
}

// countText is the i-th name's popularity in the list's own unit.
func (l *PopularityList) countText(i int) string {
	if l.counts != nil {
		return typosquatHumanCount(l.counts[i]) + " " + l.unit
	}
	return typosquatHumanCount(l.downloads[i]) + " downloads"
}

// typosquatKey is the form of a normalised name that the features match
// on. For Go, a module path's account plays the part of an npm scope: on
// github.com, gitlab.com and bitbucket.org "host/owner/repo/rest" becomes
// "@owner/repo/rest", elsewhere "host/rest" becomes "@host/rest" (a major
// version suffix dropped), so that an imitation under another account
// (github.com/boltdb-go/bolt for github.com/boltdb/bolt) is a swapped
// scope and a misspelt owner or repository an edit. Other ecosystems'
// names are their own key.
func typosquatKey(ecosystem, name string) string {
	if ecosystem != "Go" {
		return name
	}
	// A major version suffix (/v2, gopkg.in's .v3) names another major
	// version of the same project, not another project: it is dropped,
	// so github.com/sassoftware/relic/v7 is relic itself, not relic plus
	// an affix.
	if prefix, _, ok := module.SplitPathVersion(name); ok && prefix != "" {
		name = prefix
	}
	host, rest, ok := strings.Cut(name, "/")
	if !ok || rest == "" {
		return name
	}
	switch strings.ToLower(host) {
	case "github.com", "gitlab.com", "bitbucket.org":
		return "@" + rest
	}
	return "@" + host + "/" + rest
}

// Dependents counts (a Go list's third column, "dependents") are put on
// the log scale of the npm list's downloads, which span about 10^6.4 (the
// 10,000th name) to 10^9.4 (the first) a month: a count d of at most max
// becomes 10^(typosquatDepBase + typosquatDepSpan·log10(d)/log10(max)), so
// the most required module sits where the most downloaded npm package
// does and a module required by two seeds near the npm list's tail. The
// model's popularity features then mean the same on every list.
const (
	typosquatDepBase = 6.0
	typosquatDepSpan = 3.4
)

func typosquatDependentsScale(counts []float64) []float64 {
	maxC := 1.0
	for _, c := range counts {
		maxC = math.Max(maxC, c)
	}
	out := make([]float64, len(counts))
	for i, c := range counts {
		frac := 0.0
		if maxC > 1 && c > 1 {
			frac = math.Log10(c) / math.Log10(maxC)
		}
		out[i] = math.Pow(10, typosquatDepBase+typosquatDepSpan*frac)
	}
	return out
}

// LoadPopularityList reads a popularity list in the shipped TSV form: a
// header line, then "rank<TAB>name<TAB>downloads" rows. source names the
// list in evidence and errors. Names are normalised for the ecosystem.
// A header "rank<TAB>module<TAB>dependents" says the counts are
// dependents, not downloads (Go has no public download counts): they are
// put on the npm list's log scale of downloads for the model (see
// typosquatDependentsScale) and shown as dependents in evidence and Rank.
func LoadPopularityList(ecosystem, source string, r io.Reader) (*PopularityList, error) {
	eco, err := CanonicalEcosystem(ecosystem)
	if err != nil {
		return nil, fmt.Errorf("risk: load popularity list %s: %w", source, err)
	}
	data, err := io.ReadAll(io.LimitReader(r, typosquatMaxListBytes+1))
	if err != nil {
		return nil, fmt.Errorf("risk: load popularity list %s: %w", source, err)
	}
	if len(data) > typosquatMaxListBytes {
		return nil, fmt.Errorf("risk: load popularity list %s: larger than %d bytes", source, typosquatMaxListBytes)
	}
	l := &PopularityList{ecosystem: eco, source: source, rank: map[string]int{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 4096)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 && strings.HasPrefix(text, "rank\t") {
			if h := strings.Split(text, "\t"); len(h) == 3 && h[2] == "dependents" {
				l.unit = "dependents"
			}
			continue
		}
		if text == "" {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("risk: load popularity list %s line %d: want 3 tab-separated fields, got %d", source, line, len(f))
		}
		name := NormalizePackageName(eco, f[1])
		if name == "" || len(name) > TyposquatMaxNameLen {
			return nil, fmt.Errorf("risk: load popularity list %s line %d: bad name %q", source, line, f[1])
		}
		dl, err := strconv.ParseFloat(f[2], 64)
		if err != nil || dl < 0 || math.IsInf(dl, 0) || math.IsNaN(dl) {
			return nil, fmt.Errorf("risk: load popularity list %s line %d: bad download count %q", source, line, f[2])
		}
		key := typosquatKey(eco, name)
		if _, dup := l.rank[key]; dup {
			continue
		}
		if len(l.names) >= typosquatMaxListRows {
			return nil, fmt.Errorf("risk: load popularity list %s: more than %d rows", source, typosquatMaxListRows)
		}
		l.rank[key] = len(l.names)
		l.names = append(l.names, key)
		l.downloads = append(l.downloads, dl)
		if key != name || l.display != nil {
			if l.display == nil {
				l.display = slices.Clone(l.names[:len(l.names)-1])
			}
			l.display = append(l.display, name)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("risk: load popularity list %s line %d: %w", source, line+1, err)
	}
	if len(l.names) == 0 {
		return nil, fmt.Errorf("risk: load popularity list %s: no names", source)
	}
	if l.unit == "dependents" {
		l.counts = l.downloads
		l.downloads = typosquatDependentsScale(l.counts)
	}
	l.index()
	return l, nil
}

func (l *PopularityList) index() {
	l.byLen = map[int][]int{}
	l.stripped = map[string][]int{}
	l.skeleton = map[string][]int{}
	l.tokenSet = map[string][]int{}
	l.tokenSeq = map[string][]int{}
	l.floor = math.Inf(1)
	l.scopes = map[string]bool{}
	l.family = map[string]int{}
	l.vocab = map[string]int{}
	l.bareSeq = map[string][]int{}
	l.runes = make([][]rune, len(l.names))
	for i, n := range l.names {
		l.runes[i] = []rune(n)
		toks := typosquatTokens(n)
		for k, t := range toks {
			if !slices.Contains(toks[:k], t) {
				l.vocab[t]++
			}
		}
		if len(toks) <= 8 {
			seen := map[string]bool{}
			for a := 0; a < len(toks); a++ {
				for b := a + 1; b <= len(toks); b++ {
					if b-a == len(toks) {
						continue
					}
					k := strings.Join(toks[a:b], " ")
					if !seen[k] {
						seen[k] = true
						l.family[k]++
					}
				}
			}
		}
		if s, bare, ok := typosquatScope(n); ok {
			l.scopes[s] = true
			k := strings.Join(typosquatTokens(bare), " ")
			l.bareSeq[k] = append(l.bareSeq[k], i)
		}
		l.byLen[len(l.runes[i])] = append(l.byLen[len(l.runes[i])], i)
		s := typosquatStrip(n)
		l.stripped[s] = append(l.stripped[s], i)
		sk := typosquatSkeleton(s)
		l.skeleton[sk] = append(l.skeleton[sk], i)
		l.tokenSeq[strings.Join(toks, " ")] = append(l.tokenSeq[strings.Join(toks, " ")], i)
		sorted := append([]string(nil), toks...)
		sort.Strings(sorted)
		l.tokenSet[strings.Join(sorted, " ")] = append(l.tokenSet[strings.Join(sorted, " ")], i)
		l.floor = min(l.floor, l.downloads[i])
	}
}

// Ecosystem is the list's ecosystem ("npm", "PyPI").
func (l *PopularityList) Ecosystem() string { return l.ecosystem }

// Source names where the list came from.
func (l *PopularityList) Source() string { return l.source }

// Len is the number of names on the list.
func (l *PopularityList) Len() int { return len(l.names) }

// Name returns the name of rank i+1 (0 <= i < Len()), normalised for
// the ecosystem as LoadPopularityList normalises names (Go module paths
// keep their case), so that Rank(Name(i)) is i+1.
func (l *PopularityList) Name(i int) string { return l.displayName(i) }

// Rank returns the 1-based rank of name (normalised for the ecosystem)
// and its count (downloads; dependents for a list whose header names its
// third column "dependents"), or 0 if the name is not on the list.
func (l *PopularityList) Rank(name string) (rank int, downloads float64) {
	i, ok := l.rank[typosquatKey(l.ecosystem, NormalizePackageName(l.ecosystem, name))]
	if !ok {
		return 0, 0
	}
	if l.counts != nil {
		return i + 1, l.counts[i]
	}
	return i + 1, l.downloads[i]
}

var (
	typosquatBuiltinOnce  sync.Once
	typosquatBuiltinLists map[string]*PopularityList
	typosquatBuiltinErr   error
)

// BuiltinPopularityList returns the shipped popularity list for an
// ecosystem: the top 10,000 npm packages by monthly downloads, the top
// 10,000 PyPI projects by 30-day downloads, and 3,106 Go modules ranked
// by how many of 1,421 well-known modules require them (Go has no public
// download counts; see models/README.md and internal/cmd/mkgolist).
func BuiltinPopularityList(ecosystem string) (*PopularityList, error) {
	eco, err := CanonicalEcosystem(ecosystem)
	if err != nil {
		return nil, err
	}
	typosquatBuiltinOnce.Do(func() {
		typosquatBuiltinLists = map[string]*PopularityList{}
		for eco, data := range map[string][]byte{"npm": typosquatNPMTop, "PyPI": typosquatPyPITop, "Go": typosquatGoTop} {
			src := "models/" + strings.ToLower(eco) + "-top.tsv"
			l, err := LoadPopularityList(eco, src, bytes.NewReader(data))
			if err != nil {
				typosquatBuiltinErr = err
				return
			}
			typosquatBuiltinLists[eco] = l
		}
	})
	if typosquatBuiltinErr != nil {
		return nil, typosquatBuiltinErr
	}
	l, ok := typosquatBuiltinLists[eco]
	if !ok {
		return nil, fmt.Errorf("%w %s", ErrNoPopularityList, eco)
	}
	return l, nil
}
