package risk

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/chaingate/chaingate/sbom"
)

// ErrNoIdentity reports a component whose OSV identity (ecosystem and
// package name) cannot be established: no purl, or a purl type that has
// no OSV ecosystem.
var ErrNoIdentity = errors.New("risk: component has no OSV identity")

// vulnIdentity is a component's OSV identity.
type vulnIdentity struct {
	Ecosystem string // OSV ecosystem, with release for distros ("Debian:12")
	Name      string // normalised package name
	Version   string
}

// ecosystemPURL is a purl split into its parts without changing the case
// of any of them. It is hand-parsed on purpose: packageurl-go v0.1.7
// lowercases Go module paths (which are case-sensitive) and allocates a
// qualifier map for every purl, which costs more than the whole match for
// a 20,000-component SBOM.
type ecosystemPURL struct {
	Type       string
	Namespace  string
	Name       string
	Version    string
	Qualifiers string // raw, "k=v&k2=v2"
	Path       string // namespace/name, decoded
}

func ecosystemParsePURL(s string) (ecosystemPURL, error) {
	var p ecosystemPURL
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
		v, err := ecosystemUnescape(path[i+1:])
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
	path, err := ecosystemUnescape(path)
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

func ecosystemUnescape(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	return url.PathUnescape(s)
}

// qualifier returns a purl qualifier's value.
func (p ecosystemPURL) qualifier(key string) string {
	for q := range strings.SplitSeq(p.Qualifiers, "&") {
		k, v, _ := strings.Cut(q, "=")
		if strings.EqualFold(k, key) {
			v, _ = url.QueryUnescape(v)
			return v
		}
	}
	return ""
}

// ecosystemDebianReleases maps Debian codenames to release numbers.
var ecosystemDebianReleases = map[string]string{
	"jessie": "8", "stretch": "9", "buster": "10", "bullseye": "11",
	"bookworm": "12", "trixie": "13", "forky": "14",
}

// ecosystemIdentify returns a component's OSV identity. The explicit
// PropertyOSVEcosystem wins; otherwise the purl decides.
func ecosystemIdentify(c *sbom.Component) (vulnIdentity, error) {
	override, _ := c.Property(PropertyOSVEcosystem)
	if c.PURL == "" {
		if override != "" && c.Name != "" {
			eco := ecosystemCanonical(override)
			name := c.Name
			if c.Group != "" && strings.HasPrefix(eco, "Maven") {
				name = c.Group + ":" + c.Name
			}
			return vulnIdentity{Ecosystem: eco, Name: ecosystemNormName(eco, name), Version: c.Version}, nil
		}
		return vulnIdentity{}, fmt.Errorf("%w: no purl", ErrNoIdentity)
	}
	p, err := ecosystemParsePURL(c.PURL)
	if err != nil {
		return vulnIdentity{}, fmt.Errorf("%w: %v", ErrNoIdentity, err)
	}
	id := vulnIdentity{Version: p.Version}
	if id.Version == "" {
		id.Version = c.Version
	}
	full := p.Path
	switch p.Type {
	case "golang":
		id.Ecosystem, id.Name = "Go", full
	case "npm":
		id.Ecosystem, id.Name = "npm", full
	case "pypi":
		id.Ecosystem, id.Name = "PyPI", p.Name
	case "maven":
		id.Ecosystem, id.Name = "Maven", p.Namespace+":"+p.Name
	case "cargo":
		id.Ecosystem, id.Name = "crates.io", p.Name
	case "gem":
		id.Ecosystem, id.Name = "RubyGems", p.Name
	case "nuget":
		id.Ecosystem, id.Name = "NuGet", p.Name
	case "composer":
		id.Ecosystem, id.Name = "Packagist", full
	case "hex":
		id.Ecosystem, id.Name = "Hex", p.Name
	case "pub":
		id.Ecosystem, id.Name = "Pub", p.Name
	case "deb", "apk":
		// OSV's distro advisories name source packages; purls carry the
		// source package as the "upstream" qualifier when it differs.
		id.Name = p.Name
		if up := p.qualifier("upstream"); up != "" {
			id.Name, _, _ = strings.Cut(up, "@")
		}
		id.Ecosystem = ecosystemDistro(p.Type, p.Namespace, p.qualifier("distro"))
		if id.Ecosystem == "" && override == "" {
			return vulnIdentity{}, fmt.Errorf("%w: purl %q names no distro release", ErrNoIdentity, c.PURL)
		}
	default:
		if override == "" {
			return vulnIdentity{}, fmt.Errorf("%w: purl type %q has no OSV ecosystem", ErrNoIdentity, p.Type)
		}
		id.Name = full
	}
	if override != "" {
		id.Ecosystem = ecosystemCanonical(override)
	}
	id.Name = ecosystemNormName(id.Ecosystem, id.Name)
	return id, nil
}

// ecosystemDistro maps a deb/apk purl's distro to an OSV ecosystem:
// "debian-12", "debian-12.5" or "bookworm" to "Debian:12";
// "alpine-3.20.3" to "Alpine:v3.20"; "ubuntu-22.04" to "Ubuntu:22.04".
func ecosystemDistro(typ, namespace, distro string) string {
	d := strings.ToLower(distro)
	ns := strings.ToLower(namespace)
	name, ver, _ := strings.Cut(d, "-")
	if ver == "" && d != "" {
		if r, ok := ecosystemDebianReleases[d]; ok {
			return "Debian:" + r
		}
		ver, name = d, ns
	}
	if name == "" {
		name = ns
	}
	if ver == "" {
		return ""
	}
	switch {
	case name == "debian" || (typ == "deb" && ns == "debian"):
		if r, ok := ecosystemDebianReleases[ver]; ok {
			return "Debian:" + r
		}
		major, _, _ := strings.Cut(ver, ".")
		return "Debian:" + major
	case name == "ubuntu":
		return "Ubuntu:" + ver
	case name == "alpine" || typ == "apk":
		ver = strings.TrimPrefix(ver, "v")
		parts := strings.Split(ver, ".")
		if len(parts) >= 2 {
			ver = parts[0] + "." + parts[1]
		}
		return "Alpine:v" + ver
	}
	return ""
}

// ecosystemCanonical normalises an OSV ecosystem string so that the DB
// index and components agree: "Alpine:3.20" and "Alpine:v3.20.1" become
// "Alpine:v3.20", "Ubuntu:22.04:LTS" becomes "Ubuntu:22.04",
// "Debian:12.5" becomes "Debian:12"; names are matched case-insensitively.
func ecosystemCanonical(e string) string {
	base, rel, hasRel := strings.Cut(strings.TrimSpace(e), ":")
	switch strings.ToLower(base) {
	case "go", "golang":
		return "Go"
	case "npm":
		return "npm"
	case "pypi":
		return "PyPI"
	case "maven":
		return "Maven"
	case "crates.io", "cargo":
		return "crates.io"
	case "rubygems":
		return "RubyGems"
	case "nuget":
		return "NuGet"
	case "packagist":
		return "Packagist"
	case "debian":
		if !hasRel {
			return "Debian"
		}
		major, _, _ := strings.Cut(rel, ".")
		return "Debian:" + major
	case "alpine":
		if !hasRel {
			return "Alpine"
		}
		parts := strings.Split(strings.TrimPrefix(rel, "v"), ".")
		if len(parts) >= 2 {
			return "Alpine:v" + parts[0] + "." + parts[1]
		}
		return "Alpine:v" + parts[0]
	case "ubuntu":
		if !hasRel {
			return "Ubuntu"
		}
		r, _, _ := strings.Cut(rel, ":")
		return "Ubuntu:" + r
	}
	return strings.TrimSpace(e)
}

// ecosystemNormName normalises a package name for an ecosystem's index
// key: Go module paths stay exactly as written (they are case-sensitive),
// PyPI names follow PEP 503, npm, NuGet, Packagist, crates.io and distro
// package names are case-insensitive.
func ecosystemNormName(ecosystem, name string) string {
	base, _, _ := strings.Cut(ecosystem, ":")
	switch base {
	case "Go", "Maven", "RubyGems", "Hex", "Pub":
		return name
	case "PyPI":
		return ecosystemPEP503(name)
	}
	return strings.ToLower(name)
}

// ecosystemPEP503 normalises a Python project name (PEP 503): lowercase,
// runs of '-', '_' and '.' become one '-'.
func ecosystemPEP503(name string) string {
	normal := true
	for i := 0; i < len(name) && normal; i++ {
		c := name[i]
		switch {
		case c >= 'A' && c <= 'Z', c == '_', c == '.':
			normal = false
		case c == '-' && (i == 0 || i == len(name)-1 || name[i-1] == '-'):
			normal = false
		}
	}
	if normal {
		return name
	}
	var b strings.Builder
	b.Grow(len(name))
	sep := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '-' || c == '_' || c == '.' {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}
