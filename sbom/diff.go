package sbom

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"

	mmsemver "github.com/Masterminds/semver/v3"
	"github.com/package-url/packageurl-go"
	"golang.org/x/mod/semver"
)

// DiffSchemaVersion is the version of the JSON shape of DiffResult.
const DiffSchemaVersion = "chaingate.dev/sbom-diff/v1"

// ChangeKind names how a component differs between two SBOMs.
type ChangeKind string

// Change kinds.
const (
	ChangeAdded      ChangeKind = "added"
	ChangeRemoved    ChangeKind = "removed"
	ChangeUpgraded   ChangeKind = "upgraded"
	ChangeDowngraded ChangeKind = "downgraded"
	// ChangeModified is a component with the same identity and version
	// on both sides but a different hash or source (resolved URL, purl
	// qualifiers, Go replacement): the same release name now refers to
	// other content, a tampering signal.
	ChangeModified ChangeKind = "modified"
)

// Change is one component that differs between the two SBOMs Diff
// compares, with both sides where both exist.
type Change struct {
	Kind ChangeKind `json:"kind"`
	// Key is the component's identity: "<purl type>/<namespace>/<name>"
	// for a component with a purl (Go module paths keep their case),
	// else its group and name.
	Key string `json:"key"`
	// Before is the component in the first SBOM (nil when added).
	Before *Component `json:"before,omitempty"`
	// After is the component in the second SBOM (nil when removed).
	After *Component `json:"after,omitempty"`
	// Ordering names the version ordering that decided an upgrade or
	// downgrade: "go-semver", "npm-semver" or "string".
	Ordering string `json:"ordering,omitempty"`
	// Reasons say what differs, for ChangeModified.
	Reasons []string `json:"reasons,omitempty"`
}

// DiffResult is what Diff found. Each list is sorted by key, then version.
type DiffResult struct {
	SchemaVersion string   `json:"schemaVersion"`
	Added         []Change `json:"added"`
	Removed       []Change `json:"removed"`
	Upgraded      []Change `json:"upgraded"`
	Downgraded    []Change `json:"downgraded"`
	// Modified are components whose version did not change but whose
	// hash or source did (see ChangeModified).
	Modified []Change `json:"modified"`
	// Unchanged counts the components that are the same on both sides.
	Unchanged int `json:"unchanged"`
}

// Empty reports whether the two SBOMs had no differences.
func (r *DiffResult) Empty() bool {
	return len(r.Added)+len(r.Removed)+len(r.Upgraded)+len(r.Downgraded)+len(r.Modified) == 0
}

// Diff compares two SBOMs: a is the before, b the after.
//
// Components are matched by identity: purl type, namespace and name for
// a component with a purl (Go module paths case-sensitively, as written;
// other types as packageurl-go normalises them), else group and name.
// With the same identity on both sides, equal versions are paired first;
// the remaining versions are paired in ascending order, and each pair is
// an upgrade or a downgrade; whatever is left is added or removed.
//
// Versions are ordered by the rules of their ecosystem: Go module
// versions with golang.org/x/mod/semver (pseudo-versions included; the
// "+incompatible" suffix is ignored in ordering), npm versions with
// Masterminds/semver/v3. Anything else, or a version those reject, is
// ordered by a documented string order: the versions are split into runs
// of digits and of other characters, digit runs compare as numbers and
// other runs byte-wise, and when that ties the plain string comparison
// decides.
//
// Components with the same identity and version are ChangeModified when
// a hash of the same algorithm differs, every hash was removed, or the
// resolved URL (when both sides record one), the Go replacement or the
// purl (qualifiers such as repository_url) differs.
func Diff(a, b *Document) (*DiffResult, error) {
	if a == nil || b == nil {
		return nil, fmt.Errorf("sbom: diff: nil document")
	}
	res := &DiffResult{SchemaVersion: DiffSchemaVersion,
		Added: []Change{}, Removed: []Change{}, Upgraded: []Change{}, Downgraded: []Change{}, Modified: []Change{}}
	before, order := diffGroup(a)
	after, orderB := diffGroup(b)
	for _, k := range orderB {
		if _, ok := before[k]; !ok {
			order = append(order, k)
		}
	}
	for _, key := range order {
		olds, news := before[key], after[key]
		var leftOld, leftNew []*Component
		used := make([]bool, len(news))
		for _, o := range olds {
			j := slices.IndexFunc(news, func(n *Component) bool { return n.Version == o.Version })
			for j >= 0 && used[j] { // several with the same version
				k := slices.IndexFunc(news[j+1:], func(n *Component) bool { return n.Version == o.Version })
				if k < 0 {
					j = -1
					break
				}
				j += 1 + k
			}
			if j < 0 {
				leftOld = append(leftOld, o)
				continue
			}
			used[j] = true
			if reasons := diffModified(o, news[j]); len(reasons) > 0 {
				res.Modified = append(res.Modified, Change{Kind: ChangeModified, Key: key, Before: o, After: news[j], Reasons: reasons})
			} else {
				res.Unchanged++
			}
		}
		for j, n := range news {
			if !used[j] {
				leftNew = append(leftNew, n)
			}
		}
		cmpv := func(x, y *Component) int { c, _ := diffCompareVersions(key, x.Version, y.Version); return c }
		slices.SortStableFunc(leftOld, cmpv)
		slices.SortStableFunc(leftNew, cmpv)
		for len(leftOld) > 0 && len(leftNew) > 0 {
			o, n := leftOld[0], leftNew[0]
			leftOld, leftNew = leftOld[1:], leftNew[1:]
			c, ordering := diffCompareVersions(key, o.Version, n.Version)
			ch := Change{Kind: ChangeUpgraded, Key: key, Before: o, After: n, Ordering: ordering}
			if c == 0 { // the same version spelt differently ("1.2.3", "v1.2.3")
				if reasons := diffModified(o, n); len(reasons) > 0 {
					res.Modified = append(res.Modified, Change{Kind: ChangeModified, Key: key, Before: o, After: n, Reasons: reasons})
				} else {
					res.Unchanged++
				}
				continue
			}
			if c > 0 {
				ch.Kind = ChangeDowngraded
				res.Downgraded = append(res.Downgraded, ch)
			} else {
				res.Upgraded = append(res.Upgraded, ch)
			}
		}
		for _, o := range leftOld {
			res.Removed = append(res.Removed, Change{Kind: ChangeRemoved, Key: key, Before: o})
		}
		for _, n := range leftNew {
			res.Added = append(res.Added, Change{Kind: ChangeAdded, Key: key, After: n})
		}
	}
	for _, list := range [][]Change{res.Added, res.Removed, res.Upgraded, res.Downgraded, res.Modified} {
		slices.SortStableFunc(list, func(x, y Change) int {
			return cmp.Or(strings.Compare(x.Key, y.Key), strings.Compare(diffVersion(x), diffVersion(y)))
		})
	}
	return res, nil
}

func diffVersion(c Change) string {
	if c.Before != nil {
		return c.Before.Version
	}
	return c.After.Version
}

// diffGroup groups a document's components by identity; order lists the
// keys in the order they first appear.
func diffGroup(d *Document) (m map[string][]*Component, order []string) {
	m = make(map[string][]*Component, len(d.Components))
	for i := range d.Components {
		c := &d.Components[i]
		k := DiffKey(c)
		prev, seen := m[k]
		if !seen {
			order = append(order, k)
		}
		m[k] = append(prev, c)
	}
	return m, order
}

// DiffKey returns the identity Diff matches components by:
// "<type>/<namespace>/<name>" from the purl ("golang/github.com/Azure/azure-sdk-for-go",
// "npm/@babel/core"), or "name:<group>/<name>" for a component without a
// usable purl.
func DiffKey(c *Component) string {
	if c.PURL != "" {
		if k, ok := diffPURLKey(c.PURL); ok {
			return k
		}
	}
	if c.Group != "" {
		return "name:" + c.Group + "/" + c.Name
	}
	return "name:" + c.Name
}

func diffPURLKey(s string) (string, bool) {
	p, err := packageurl.FromString(s)
	if err != nil {
		return "", false
	}
	ns, name := p.Namespace, p.Name
	if p.Type == packageurl.TypeGolang {
		// packageurl-go lowercases Go module paths; take them from the
		// string as written: pkg:golang/<segments>@<version>?...#...
		rest := s[len("pkg:"):]
		rest = rest[strings.IndexByte(rest, '/')+1:]
		if i := strings.IndexAny(rest, "?#"); i >= 0 {
			rest = rest[:i]
		}
		if i := strings.LastIndexByte(rest, '@'); i >= 0 {
			rest = rest[:i]
		}
		path, err := url.PathUnescape(strings.Trim(rest, "/"))
		if err != nil {
			return "", false
		}
		ns, name = splitLast(path)
	}
	if ns == "" {
		return p.Type + "/" + name, true
	}
	return p.Type + "/" + ns + "/" + name, true
}

// diffCompareVersions orders two versions of the component with the given
// key, and names the ordering used.
func diffCompareVersions(key, x, y string) (int, string) {
	switch {
	case strings.HasPrefix(key, "golang/"):
		// Some tools write Go module versions without the "v".
		if x != "" && !strings.HasPrefix(x, "v") {
			x = "v" + x
		}
		if y != "" && !strings.HasPrefix(y, "v") {
			y = "v" + y
		}
		if semver.IsValid(x) && semver.IsValid(y) {
			return semver.Compare(x, y), "go-semver"
		}
	case strings.HasPrefix(key, "npm/"):
		vx, errx := mmsemver.NewVersion(x)
		vy, erry := mmsemver.NewVersion(y)
		if errx == nil && erry == nil {
			return vx.Compare(vy), "npm-semver"
		}
	}
	return DiffStringOrder(x, y), "string"
}

// DiffStringOrder is the fallback version order of Diff: x and y are split
// into runs of ASCII digits and runs of other bytes; digit runs compare
// as numbers (leading zeros ignored) and before a run of other bytes,
// other runs compare byte-wise, and a version that is a prefix of the
// other sorts first ("1.2" < "1.2.1" < "1.10" < "10" < "a"). When that ties ("1.0" and
// "1.00"), strings.Compare decides.
func DiffStringOrder(x, y string) int {
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		dx, dy := diffIsDigit(x[i]), diffIsDigit(y[j])
		ei, ej := i, j
		for ei < len(x) && diffIsDigit(x[ei]) == dx {
			ei++
		}
		for ej < len(y) && diffIsDigit(y[ej]) == dy {
			ej++
		}
		a, b := x[i:ei], y[j:ej]
		var c int
		switch {
		case dx && dy:
			a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
			c = cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
		case dx: // a number sorts before other characters, as in ASCII
			c = -1
		case dy:
			c = 1
		default:
			c = strings.Compare(a, b)
		}
		if c != 0 {
			return c
		}
		i, j = ei, ej
	}
	return cmp.Or(cmp.Compare(len(x)-i, len(y)-j), strings.Compare(x, y))
}

func diffIsDigit(c byte) bool { return c >= '0' && c <= '9' }

// diffModified says why two components of the same identity and version
// differ in content or source; nil when they do not.
func diffModified(a, b *Component) []string {
	var reasons []string
	for _, ha := range a.Hashes {
		for _, hb := range b.Hashes {
			if strings.EqualFold(ha.Algorithm, hb.Algorithm) && !strings.EqualFold(ha.Value, hb.Value) {
				reasons = append(reasons, fmt.Sprintf("%s hash differs: %s before, %s after", ha.Algorithm, ha.Value, hb.Value))
			}
		}
	}
	if len(a.Hashes) > 0 && len(b.Hashes) == 0 {
		reasons = append(reasons, fmt.Sprintf("hashes removed: %d before, none after", len(a.Hashes)))
	}
	for _, p := range []string{PropGoH1, PropNPMIntegrity, PropNPMResolved, PropGoReplaces, PropGoReplacedByDir} {
		va, oka := a.Property(p)
		vb, okb := b.Property(p)
		if oka && okb && va != vb && !(p == PropGoH1 || p == PropNPMIntegrity) {
			reasons = append(reasons, fmt.Sprintf("%s differs: %q before, %q after", p, va, vb))
		}
		if oka != okb && (p == PropGoReplaces || p == PropGoReplacedByDir) {
			reasons = append(reasons, fmt.Sprintf("%s differs: %q before, %q after", p, va, vb))
		}
	}
	if a.PURL != b.PURL && a.PURL != "" && b.PURL != "" {
		// Identity and version are equal; compare what else a purl says
		// (repository_url, download_url, vcs_url, subpath), parsed so
		// that spelling differences ("+" or "%2B") are not reported.
		pa, erra := packageurl.FromString(a.PURL)
		pb, errb := packageurl.FromString(b.PURL)
		if erra != nil || errb != nil || pa.Qualifiers.String() != pb.Qualifiers.String() || pa.Subpath != pb.Subpath {
			reasons = append(reasons, fmt.Sprintf("purl differs: %s before, %s after", a.PURL, b.PURL))
		}
	}
	return reasons
}
