// Package purl parses package URLs the way chaingate's vulnerability
// matching and VEX need: fast, and keeping the case of every part.
package purl

import (
	"fmt"
	"net/url"
	"strings"
)

// PURL is a package URL split into its parts without changing the case
// of any of them. It is hand-parsed on purpose: packageurl-go v0.1.7
// lowercases Go module paths (which are case-sensitive) and allocates a
// qualifier map for every purl, which costs more than the whole match for
// a 20,000-component SBOM.
type PURL struct {
	Type       string
	Namespace  string
	Name       string
	Version    string
	Qualifiers string // raw, "k=v&k2=v2"
	Path       string // namespace/name, decoded
}

// Parse splits a package URL (pkg:type/namespace/name@version?qualifiers)
// into its parts, percent-decoded; the qualifiers stay raw. The type is
// lowercased, nothing else is. An error names the purl and what is wrong.
func Parse(s string) (PURL, error) {
	var p PURL
	rest, ok := strings.CutPrefix(s, "pkg:")
	if !ok {
		return p, fmt.Errorf("purl %q: no pkg: scheme", s)
	}
	rest = strings.TrimLeft(rest, "/")
	rest, _, _ = strings.Cut(rest, "#")
	rest, p.Qualifiers, _ = strings.Cut(rest, "?")
	typ, path, ok := strings.Cut(rest, "/")
	if !ok || typ == "" {
		return p, fmt.Errorf("purl %q: no type or name", s)
	}
	p.Type = typ
	for i := 0; i < len(typ); i++ {
		if c := typ[i]; c >= 'A' && c <= 'Z' {
			p.Type = strings.ToLower(typ)
			break
		}
	}
	if i := strings.LastIndexByte(path, '@'); i >= 0 {
		v, err := unescape(path[i+1:])
		if err != nil {
			return p, fmt.Errorf("purl %q: version: %v", s, err)
		}
		p.Version = v
		path = path[:i]
	}
	path = strings.Trim(path, "/")
	// Percent-decoding each segment keeps an encoded '/' inside a
	// segment; purls in practice never encode one, so decoding the
	// whole path is the same and allocates once.
	path, err := unescape(path)
	if err != nil {
		return p, fmt.Errorf("purl %q: bad name: %v", s, err)
	}
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		p.Namespace, p.Name = path[:i], path[i+1:]
	} else {
		p.Name = path
	}
	if p.Name == "" {
		return p, fmt.Errorf("purl %q: empty name", s)
	}
	p.Path = path
	return p, nil
}

func unescape(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	return url.PathUnescape(s)
}

// DistroQualifiers returns the "distro", "upstream" and "epoch"
// qualifiers (keys matched without case, values query-unescaped, the
// first of each kept) in one pass over the qualifier string.
func (p PURL) DistroQualifiers() (distro, upstream, epoch string) {
	for q := range strings.SplitSeq(p.Qualifiers, "&") {
		k, v, _ := strings.Cut(q, "=")
		var dst *string
		switch {
		case strings.EqualFold(k, "distro"):
			dst = &distro
		case strings.EqualFold(k, "upstream"):
			dst = &upstream
		case strings.EqualFold(k, "epoch"):
			dst = &epoch
		default:
			continue
		}
		if *dst == "" {
			if strings.ContainsAny(v, "%+") {
				v, _ = url.QueryUnescape(v)
			}
			*dst = v
		}
	}
	return distro, upstream, epoch
}
