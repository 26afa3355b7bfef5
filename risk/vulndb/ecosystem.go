package vulndb

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/chaingate/chaingate/internal/purl"
	"github.com/chaingate/chaingate/sbom"
)

// ErrNoIdentity reports a component whose OSV identity (ecosystem and
// package name) cannot be established: no purl, or a purl type that has
// no OSV ecosystem.
var ErrNoIdentity = errors.New("risk: component has no OSV identity")

// Identity is a component's OSV identity, what (*DB).Match takes:
// Identify gives it from an SBOM component.
type Identity struct {
	Ecosystem string // OSV ecosystem, with release for distros ("Debian:12")
	Name      string // normalised package name
	Version   string
}

// ecosystemDebianReleases maps Debian codenames to release numbers.
var ecosystemDebianReleases = map[string]string{
	"wheezy": "7", "jessie": "8", "stretch": "9", "buster": "10", "bullseye": "11",
	"bookworm": "12", "trixie": "13", "forky": "14", "duke": "15",
}

// ecosystemUbuntuReleases maps Ubuntu codenames to release numbers.
var ecosystemUbuntuReleases = map[string]string{
	"trusty": "14.04", "xenial": "16.04", "bionic": "18.04", "focal": "20.04",
	"groovy": "20.10", "hirsute": "21.04", "impish": "21.10", "jammy": "22.04",
	"kinetic": "22.10", "lunar": "23.04", "mantic": "23.10", "noble": "24.04",
	"oracular": "24.10", "plucky": "25.04", "questing": "25.10", "resolute": "26.04",
}

// Identify returns a component's OSV identity. The explicit
// PropertyOSVEcosystem wins; otherwise the purl decides.
func Identify(c *sbom.Component) (Identity, error) {
	override, _ := c.Property(PropertyOSVEcosystem)
	if c.PURL == "" {
		if override != "" && c.Name != "" {
			eco := ecosystemCanonical(override)
			name := c.Name
			if c.Group != "" && strings.HasPrefix(eco, "Maven") {
				name = c.Group + ":" + c.Name
			}
			return Identity{Ecosystem: eco, Name: ecosystemNormName(eco, name), Version: c.Version}, nil
		}
		return Identity{}, fmt.Errorf("%w: no purl", ErrNoIdentity)
	}
	p, err := purl.Parse(c.PURL)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %v", ErrNoIdentity, err)
	}
	id := Identity{Version: p.Version}
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
	case "cran":
		id.Ecosystem, id.Name = "CRAN", p.Name
	case "hackage":
		id.Ecosystem, id.Name = "Hackage", p.Name
	case "swift":
		// OSV's SwiftURL names a package by its repository URL without a
		// scheme ("github.com/apple/swift-nio"), as the purl path does.
		id.Ecosystem, id.Name = "SwiftURL", full
	case "conan":
		id.Ecosystem, id.Name = "ConanCenter", p.Name
	case "deb", "apk", "rpm":
		id.Name = p.Name
		distro, upstream, epoch := p.DistroQualifiers()
		if p.Type != "rpm" && upstream != "" {
			// OSV's Debian, Ubuntu and Alpine advisories name source
			// packages; purls carry the source package as the "upstream"
			// qualifier when it differs. RPM advisories name binary
			// packages.
			id.Name, _, _ = strings.Cut(upstream, "@")
		}
		var why string
		id.Ecosystem, why = ecosystemDistro(p.Type, p.Namespace, distro)
		if id.Ecosystem == "" && override == "" {
			return Identity{}, fmt.Errorf("%w: purl %q: %s", ErrNoIdentity, c.PURL, why)
		}
		if override != "" {
			id.Ecosystem = ecosystemCanonical(override)
		}
		id.Version = ecosystemWithEpoch(id.Ecosystem, id.Version, epoch)
	default:
		if override == "" {
			return Identity{}, fmt.Errorf("%w: purl type %q has no OSV ecosystem", ErrNoIdentity, p.Type)
		}
		id.Name = full
	}
	if override != "" {
		id.Ecosystem = ecosystemCanonical(override)
	}
	id.Name = ecosystemNormName(id.Ecosystem, id.Name)
	return id, nil
}

// ecosystemWithEpoch puts a purl's "epoch" qualifier in front of a
// distro package version that carries none, where the ecosystem's OSV
// records write epochs: Debian and Ubuntu ("1:2.3-4") and the Red Hat
// family (Red Hat, AlmaLinux, Rocky Linux write "1:3.0.7-27.el9").
// SUSE, openSUSE, Mageia, Photon OS, Azure Linux and openEuler records
// write no epoch, so adding one there would put every installed version
// above every fix; osv-scanner makes the same choice.
func ecosystemWithEpoch(ecosystem, version, epoch string) string {
	if epoch == "" || epoch == "0" || version == "" || strings.Contains(version, ":") {
		return version
	}
	for i := 0; i < len(epoch); i++ {
		if epoch[i] < '0' || epoch[i] > '9' {
			return version // not an epoch; the version stays as written
		}
	}
	base, _, _ := strings.Cut(ecosystem, ":")
	switch base {
	case "Debian", "Ubuntu", "Red Hat", "AlmaLinux", "Rocky Linux":
		return epoch + ":" + version
	}
	return version
}

// ecosystemDistro maps a deb, apk or rpm purl's namespace and "distro"
// qualifier to the OSV ecosystem key its records are indexed under
// (ecosystemCanonical's form), or says why it cannot:
//
//	deb debian  distro=debian-12.5 | bookworm      Debian:12
//	deb ubuntu  distro=ubuntu-22.04 | jammy        Ubuntu:22.04
//	apk alpine  distro=alpine-3.20.1 | 3.20        Alpine:v3.20
//	apk wolfi, apk chainguard (any distro)          Wolfi, Chainguard
//	rpm redhat  distro=rhel-9.4                    Red Hat:enterprise_linux:9
//	rpm almalinux distro=almalinux-9.4             AlmaLinux:9
//	rpm rocky   distro=rocky-9.3                   Rocky Linux:9
//	rpm suse    distro=sles-15.5 | sles-15-sp5     SUSE:Linux Enterprise 15 SP5
//	rpm opensuse distro=opensuse-leap-15.5         openSUSE:Leap 15.5
//	rpm opensuse distro=opensuse-tumbleweed        openSUSE:Tumbleweed
//	rpm mageia  distro=mageia-9                    Mageia:9
//	rpm photon  distro=photon-5.0                  Photon OS:5.0
//	rpm azurelinux|mariner distro=azurelinux-3.0   Azure Linux:3
//	rpm openeuler distro=openEuler-24.03-LTS       openEuler:24.03-LTS
//
// Amazon Linux (distro=amzn-2023) has no osv.dev ecosystem; its
// components are reported unassessed unless PropertyOSVEcosystem names
// one.
//
// A Red Hat component matches every record of its major release's
// enterprise_linux product, whatever repository ("::appstream",
// "::baseos", "::crb") the record names, because a purl does not say
// which repository a package came from (see ecosystemCanonical).
func ecosystemDistro(typ, namespace, distro string) (eco, why string) {
	d := strings.ToLower(strings.TrimSpace(distro))
	ns := strings.ToLower(namespace)
	switch typ {
	case "apk":
		switch {
		case ns == "wolfi" || strings.HasPrefix(d, "wolfi"):
			return "Wolfi", ""
		case ns == "chainguard" || strings.HasPrefix(d, "chainguard"):
			return "Chainguard", ""
		}
	}
	name, ver := ecosystemSplitDistro(d)
	if name == "" {
		name = ns
	}
	if d == "" {
		return "", "names no distro release (distro qualifier)"
	}
	if ver == "" {
		// A bare codename ("bookworm", "jammy") or a bare release ("3.20").
		if r, ok := ecosystemDebianReleases[name]; ok {
			return "Debian:" + r, ""
		}
		if r, ok := ecosystemUbuntuReleases[name]; ok {
			return "Ubuntu:" + r, ""
		}
		if r := strings.TrimPrefix(name, "v"); r != "" && r[0] >= '0' && r[0] <= '9' {
			ver, name = r, ns
		}
	}
	if ver == "" && name != "opensuse-tumbleweed" && name != "tumbleweed" {
		return "", fmt.Sprintf("distro %q names no release", distro)
	}
	switch name {
	case "debian":
		if r, ok := ecosystemDebianReleases[ver]; ok {
			return "Debian:" + r, ""
		}
		return ecosystemCanonical("Debian:" + ver), ""
	case "ubuntu":
		if r, ok := ecosystemUbuntuReleases[ver]; ok {
			return "Ubuntu:" + r, ""
		}
		return ecosystemCanonical("Ubuntu:" + ver), ""
	case "alpine":
		if ver == "edge" {
			return "Alpine:edge", ""
		}
		return ecosystemCanonical("Alpine:" + ver), ""
	case "rhel", "redhat", "red hat":
		major, _, _ := strings.Cut(ver, ".")
		return "Red Hat:enterprise_linux:" + major, ""
	case "almalinux", "alma":
		return ecosystemCanonical("AlmaLinux:" + ver), ""
	case "rocky", "rockylinux", "rocky linux":
		return ecosystemCanonical("Rocky Linux:" + ver), ""
	case "sles", "sled", "suse", "sle":
		if e := ecosystemSUSE(ver); e != "" {
			return e, ""
		}
		return "", fmt.Sprintf("distro %q names no SUSE Linux Enterprise release", distro)
	case "sle-micro", "sle micro", "suse-microos", "sl-micro":
		return "SUSE:Linux Enterprise Micro " + ver, ""
	case "opensuse-leap", "opensuse leap", "leap":
		return "openSUSE:Leap " + ver, ""
	case "opensuse-leap-micro", "leap-micro":
		return "openSUSE:Leap Micro " + ver, ""
	case "opensuse-tumbleweed", "tumbleweed":
		return "openSUSE:Tumbleweed", ""
	case "mageia":
		return "Mageia:" + ver, ""
	case "photon", "vmware":
		return ecosystemCanonical("Photon OS:" + ver), ""
	case "azurelinux", "azure-linux", "mariner", "cbl-mariner", "microsoft":
		return ecosystemCanonical("Azure Linux:" + ver), ""
	case "openeuler":
		return ecosystemCanonical("openEuler:" + strings.ToUpper(ver)), ""
	case "amzn", "amazon", "amazonlinux":
		// osv.dev publishes no Amazon Linux advisories: say so rather
		// than report the package as checked. Records of one's own are
		// reached through PropertyOSVEcosystem ("Amazon Linux:2023").
		return "", fmt.Sprintf("distro %q: osv.dev has no Amazon Linux ecosystem (set %s to match records of your own)", distro, PropertyOSVEcosystem)
	}
	return "", fmt.Sprintf("distro %q has no OSV ecosystem", distro)
}

// ecosystemSplitDistro splits a distro qualifier at the first '-' that
// is followed by a digit: "opensuse-leap-15.5" → ("opensuse-leap",
// "15.5"), "debian-12" → ("debian", "12"), "opensuse-tumbleweed" →
// ("opensuse-tumbleweed", "").
func ecosystemSplitDistro(d string) (name, ver string) {
	for i := 0; i+1 < len(d); i++ {
		if d[i] == '-' && d[i+1] >= '0' && d[i+1] <= '9' {
			return d[:i], d[i+1:]
		}
	}
	if i := strings.LastIndexByte(d, '-'); i >= 0 {
		// "opensuse-tumbleweed-20240101" is caught above; "ubuntu-jammy",
		// "alpine-edge" name a codename after the dash.
		if r := d[i+1:]; r == "edge" || ecosystemUbuntuReleases[r] != "" || ecosystemDebianReleases[r] != "" {
			return d[:i], r
		}
	}
	return d, ""
}

// ecosystemSLESRelease is a SLES release as distro qualifiers write it:
// "15", "15.5", "15-sp5", "15sp5", "15_sp5".
var ecosystemSLESRelease = regexp.MustCompile(`^(\d+)(?:(?:[._-]?sp|\.)(\d+))?$`)

// ecosystemSUSE turns a SLES release into the key of ecosystemCanonical's
// SUSE family ("SUSE:Linux Enterprise 15 SP5"), or "" if it is none.
func ecosystemSUSE(ver string) string {
	m := ecosystemSLESRelease.FindStringSubmatch(strings.ToLower(ver))
	switch {
	case m == nil:
		return ""
	case m[2] == "" || strings.TrimLeft(m[2], "0") == "":
		return "SUSE:Linux Enterprise " + m[1]
	}
	return "SUSE:Linux Enterprise " + m[1] + " SP" + m[2]
}

// ecosystemNames are osv.dev's ecosystem names (the base, before any
// ':'), keyed by lowercase, plus spellings users write for them.
var ecosystemNames = func() map[string]string {
	m := map[string]string{"golang": "Go", "cargo": "crates.io", "rhel": "Red Hat", "redhat": "Red Hat",
		"mariner": "Azure Linux", "photon": "Photon OS", "rocky": "Rocky Linux", "almalinux": "AlmaLinux",
		"composer": "Packagist", "swift": "SwiftURL", "conan": "ConanCenter", "amazon": "Amazon Linux"}
	for _, n := range []string{
		"AlmaLinux", "Alpaquita", "Alpine", "Android", "Azure Linux", "BellSoft Hardened Containers",
		"Bioconductor", "Bitnami", "Chainguard", "CleanStart", "ConanCenter", "CRAN", "crates.io",
		"Debian", "Docker Hardened Images", "Echo", "FreeBSD", "GHC", "GitHub Actions", "Go", "Hackage",
		"Hex", "Julia", "Kubernetes", "Linux", "Mageia", "Maven", "MinimOS", "npm", "NuGet", "opam",
		"openEuler", "openSUSE", "OSS-Fuzz", "Packagist", "Photon OS", "Pub", "PyPI", "Red Hat",
		"Rocky Linux", "Root", "RubyGems", "SUSE", "SwiftURL", "TuxCare", "Ubuntu", "VSCode", "Wolfi",
		"Amazon Linux",
	} {
		m[strings.ToLower(n)] = n
	}
	return m
}()

// ecosystemSUSEFamily matches a SUSE Linux Enterprise product with a
// "<major>[ SP<n>][-<stream>]" release: "Linux Enterprise Server 15 SP5",
// "Linux Enterprise Module for Basesystem 15 SP5", "Linux Enterprise
// Server 15 SP4-LTSS".
var ecosystemSUSEFamily = regexp.MustCompile(`^Linux Enterprise (.+) (\d+)(?: SP(\d+))?(?:-[A-Za-z]+)?$`)

// ecosystemCanonical normalises an OSV ecosystem string, as osv.dev
// writes it or as a user does, to the key the DB index and components
// share. Base names are matched case-insensitively and written as
// osv.dev does. Release suffixes are reduced to what a component's purl
// can tell:
//
//	Debian:12.5, Debian:bookworm             Debian:12
//	Ubuntu:22.04:LTS                         Ubuntu:22.04
//	Ubuntu:Pro:18.04:LTS                     Ubuntu:Pro:18.04 (Pro stays apart)
//	Alpine:3.20, Alpine:v3.20.1              Alpine:v3.20
//	Red Hat:enterprise_linux:9::appstream    Red Hat:enterprise_linux:9
//	Red Hat:rhel_eus:9.4::baseos             Red Hat:rhel_eus:9.4
//	AlmaLinux:9.4, Rocky Linux:9.3           AlmaLinux:9, Rocky Linux:9
//	SUSE:Linux Enterprise Server 15 SP5      SUSE:Linux Enterprise 15 SP5
//	SUSE:Linux Enterprise Module for Basesystem 15 SP5  (the same key)
//	SUSE:Linux Enterprise Server 15 SP4-LTSS SUSE:Linux Enterprise 15 SP4
//	Photon OS:5                              Photon OS:5.0
//	Azure Linux:3.0                          Azure Linux:3
//	Maven:https://repo1.maven.org/maven2/    Maven
//
// The Red Hat repository ("::appstream", "::baseos", "::crb") is dropped
// because a package's purl does not name it. (osv-scanner takes the whole
// suffix from the host's CPE_NAME, "enterprise_linux:9::baseos", and
// matches it exactly, so a RHEL 9 host misses the appstream records of
// packages it installed from AppStream; and osv-scalibr v0.5.3's purl
// conversion handles only apk and deb purls, so an rpm purl read from an
// SBOM gets no ecosystem at all. Keying by product and major release
// avoids both.) Extended Update Support
// streams (rhel_eus, rhel_aus, rhel_e4s) keep their own key, reached only
// through PropertyOSVEcosystem, because their fixes are backports a
// mainline host does not get. SUSE products of one release are one key
// because a SLES host installs packages from every module of its
// release; SUSE Linux Enterprise Micro and the other SUSE products keep
// their names. Language ecosystems drop any suffix. Anything else is
// returned trimmed.
func ecosystemCanonical(e string) string {
	c := strings.TrimSpace(ecosystemCanonicalize(strings.TrimSpace(e)))
	if strings.HasSuffix(c, ":") {
		// An empty release ("Debian:", "Azure Linux:.") is no release.
		return ecosystemCanonical(strings.TrimRight(c, ":"))
	}
	return c
}

func ecosystemCanonicalize(e string) string {
	base, rel, hasRel := strings.Cut(e, ":")
	name, ok := ecosystemNames[strings.ToLower(base)]
	if !ok {
		return e
	}
	if !hasRel || rel == "" {
		return name
	}
	switch name {
	case "Debian":
		if r, ok := ecosystemDebianReleases[strings.ToLower(rel)]; ok {
			return "Debian:" + r
		}
		major, _, _ := strings.Cut(rel, ".")
		return "Debian:" + major
	case "Ubuntu":
		rel = strings.TrimSuffix(rel, ":LTS")
		if r, ok := ecosystemUbuntuReleases[strings.ToLower(rel)]; ok {
			rel = r
		}
		return "Ubuntu:" + rel
	case "Alpine", "Alpaquita", "BellSoft Hardened Containers":
		r := strings.TrimPrefix(strings.TrimPrefix(rel, "v"), "V")
		if r == "edge" || name != "Alpine" {
			return name + ":" + r
		}
		parts := strings.Split(r, ".")
		if len(parts) >= 2 {
			return "Alpine:v" + parts[0] + "." + parts[1]
		}
		return "Alpine:v" + parts[0]
	case "Red Hat":
		product, _, _ := strings.Cut(rel, "::")
		return "Red Hat:" + product
	case "AlmaLinux", "Rocky Linux", "Azure Linux":
		major, _, _ := strings.Cut(rel, ".")
		return name + ":" + major
	case "Photon OS":
		if !strings.Contains(rel, ".") {
			rel += ".0"
		}
		return "Photon OS:" + rel
	case "SUSE":
		if m := ecosystemSUSEFamily.FindStringSubmatch(rel); m != nil && !strings.HasPrefix(m[1], "Micro") {
			if m[3] == "" || m[3] == "0" {
				return "SUSE:Linux Enterprise " + m[2]
			}
			return "SUSE:Linux Enterprise " + m[2] + " SP" + m[3]
		}
		return "SUSE:" + rel
	case "openSUSE", "Mageia", "openEuler", "Amazon Linux", "Wolfi", "Chainguard", "MinimOS",
		"Android", "Linux", "Bitnami", "Echo", "CleanStart", "Docker Hardened Images", "TuxCare", "FreeBSD":
		return name + ":" + rel
	}
	return name
}

// ecosystemSelected reports whether an ecosystem is in a WithEcosystems
// set of canonical names: the set holds its canonical form or a
// ':'-separated prefix of it.
func ecosystemSelected(set map[string]bool, ecosystem string) bool {
	canon := ecosystemCanonical(ecosystem)
	if set[canon] {
		return true
	}
	for i := 0; i < len(canon); i++ {
		if canon[i] == ':' && set[canon[:i]] {
			return true
		}
	}
	return false
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

// PropertyOSVEcosystem is the component property that names the OSV
// ecosystem of a component explicitly ("Debian:12", "Alpine:v3.20"),
// overriding what the purl implies.
const PropertyOSVEcosystem = "chaingate:osv:ecosystem"
