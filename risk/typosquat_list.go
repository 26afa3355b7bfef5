package risk

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
)

// The shipped popularity lists. Origin and licence: see models/README.md.
//
//go:embed models/npm-top.tsv
var typosquatNPMTop []byte

//go:embed models/pypi-top.tsv
var typosquatPyPITop []byte

// ErrNoPopularityList is returned when no popularity list is shipped or
// given for an ecosystem, so name confusion cannot be judged there.
var ErrNoPopularityList = errors.New("risk: no popularity list for ecosystem")

// ErrUnknownEcosystem is returned for an ecosystem name risk does not know.
var ErrUnknownEcosystem = errors.New("risk: unknown ecosystem")

// Maximum sizes the popularity-list reader accepts.
const (
	typosquatMaxListBytes = 8 << 20
	typosquatMaxListRows  = 200_000
	typosquatMaxNameLen   = 214 // npm's limit on package names
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
	floor     float64          // smallest download count on the list
}

// LoadPopularityList reads a popularity list in the shipped TSV form: a
// header line, then "rank<TAB>name<TAB>downloads" rows. source names the
// list in evidence and errors. Names are normalised for the ecosystem.
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
		if name == "" || len(name) > typosquatMaxNameLen {
			return nil, fmt.Errorf("risk: load popularity list %s line %d: bad name %q", source, line, f[1])
		}
		dl, err := strconv.ParseFloat(f[2], 64)
		if err != nil || dl < 0 || math.IsInf(dl, 0) || math.IsNaN(dl) {
			return nil, fmt.Errorf("risk: load popularity list %s line %d: bad download count %q", source, line, f[2])
		}
		if _, dup := l.rank[name]; dup {
			continue
		}
		if len(l.names) >= typosquatMaxListRows {
			return nil, fmt.Errorf("risk: load popularity list %s: more than %d rows", source, typosquatMaxListRows)
		}
		l.rank[name] = len(l.names)
		l.names = append(l.names, name)
		l.downloads = append(l.downloads, dl)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("risk: load popularity list %s line %d: %w", source, line+1, err)
	}
	if len(l.names) == 0 {
		return nil, fmt.Errorf("risk: load popularity list %s: no names", source)
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
		if s, _, ok := typosquatScope(n); ok {
			l.scopes[s] = true
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

// Rank returns the 1-based rank of name (normalised for the ecosystem)
// and its downloads, or 0 if the name is not on the list.
func (l *PopularityList) Rank(name string) (rank int, downloads float64) {
	i, ok := l.rank[NormalizePackageName(l.ecosystem, name)]
	if !ok {
		return 0, 0
	}
	return i + 1, l.downloads[i]
}

var (
	typosquatBuiltinOnce  sync.Once
	typosquatBuiltinLists map[string]*PopularityList
	typosquatBuiltinErr   error
)

// BuiltinPopularityList returns the shipped popularity list for an
// ecosystem: the top 10,000 npm packages by monthly downloads and the top
// 10,000 PyPI projects by 30-day downloads. Go has no shipped list: the
// error wraps ErrNoPopularityList and names the missing list.
func BuiltinPopularityList(ecosystem string) (*PopularityList, error) {
	eco, err := CanonicalEcosystem(ecosystem)
	if err != nil {
		return nil, err
	}
	typosquatBuiltinOnce.Do(func() {
		typosquatBuiltinLists = map[string]*PopularityList{}
		for eco, data := range map[string][]byte{"npm": typosquatNPMTop, "PyPI": typosquatPyPITop} {
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
		return nil, fmt.Errorf("%w %s: risk ships no popularity list of Go modules (a go-top.tsv); load one with LoadPopularityList and use NewTyposquatScorer", ErrNoPopularityList, eco)
	}
	return l, nil
}
