package vulndb

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/osv-scalibr/semantic"
	"golang.org/x/mod/semver"
)

// ErrUnassessableVersion reports a component version that cannot be
// compared under its ecosystem's rules ("", "UNKNOWN", "(devel)", or a
// string the ecosystem's version grammar rejects). Such components are
// reported as unassessed, never matched and never silently passed.
var ErrUnassessableVersion = errors.New("risk: version cannot be assessed")

// vulnVersion is one parsed version of some ecosystem.
type vulnVersion interface {
	// vulnCmp compares with another version of the same scheme.
	vulnCmp(o vulnVersion) int
}

// scheme parses versions of one ecosystem.
type scheme interface {
	// parse parses a range event's version, where "0" is OSV's "every
	// version" and sorts below every version of the ecosystem.
	parse(s string) (vulnVersion, error)
	// parseLiteral parses a version as written, a component's version or
	// an entry of an affected versions list: "0" is the ecosystem's
	// version 0 ("0.0.0" in Maven and Composer, "0.0" in PyPI, above
	// Debian's "0~rc1"), not OSV's sentinel.
	parseLiteral(s string) (vulnVersion, error)
	name() string
}

// schemeFor returns the version scheme for an OSV ecosystem (its base
// name, before any ':', as osv.dev writes it or in any case) and range
// type ("SEMVER", "ECOSYSTEM"). It returns nil when chaingate has no
// version ordering for it.
//
// The orderings come from osv-scanner's own library,
// github.com/google/osv-scalibr/semantic, wherever it agrees with the
// ecosystem's published rules (version_order_test.go proves each one on
// the ecosystem's own documented cases). Three stay hand-written, each
// because semantic disagrees with its ecosystem: Go (module versions,
// pseudo-versions and toolchain names "go1.21rc2", which semantic orders
// as plain SemVer), Packagist (Composer's VersionParser: semantic follows
// PHP's version_compare and so orders "1.0" below "1.0.0" and "1.0-Beta"
// below "1.0-alpha") and Pub (pub_semver orders numeric build
// identifiers numerically; semantic orders "+10" below "+9").
func schemeFor(ecosystem, rangeType string) scheme {
	base, _, _ := strings.Cut(ecosystem, ":")
	if _, ok := schemes[base]; !ok && base != "Go" {
		// Not written as osv.dev writes it ("debian", "golang").
		base, _, _ = strings.Cut(ecosystemCanonical(ecosystem), ":")
	}
	if base == "Go" {
		// The Go vulndb writes unprefixed SEMVER events; Go modules are
		// ordered by golang.org/x/mod/semver either way.
		return goScheme{}
	}
	if rangeType == "SEMVER" {
		return semverScheme{}
	}
	if s, ok := schemes[base]; ok {
		return s
	}
	return nil
}

// schemes maps osv.dev base ecosystem names to their ECOSYSTEM-range
// ordering.
var schemes = func() map[string]scheme {
	m := map[string]scheme{
		"Packagist": composerScheme{},
		"Pub":       pubScheme{},
	}
	rpm := &semScheme{label: "RPM", fn: func(s string) (semantic.Version, error) {
		return semantic.ParseRedHatVersion(s), nil
	}, check: checkRPM}
	for _, e := range rpmEcosystems {
		m[e] = rpm
	}
	deb := &semScheme{label: "Debian", fn: func(s string) (semantic.Version, error) {
		return semantic.ParseDebianVersion(s)
	}, check: checkToken}
	m["Debian"], m["Ubuntu"] = deb, deb
	for _, e := range apkEcosystems {
		m[e] = apkScheme{}
	}
	semverLike := &semScheme{label: "SemVer", fn: func(s string) (semantic.Version, error) {
		return semantic.ParseSemverVersion(s), nil
	}, check: checkSemverLike}
	for _, e := range []string{"npm", "crates.io", "Hex", "SwiftURL", "Bitnami", "Julia", "GHC", "Bioconductor"} {
		m[e] = semverLike
	}
	// ConanCenter versions are free-form ("cci.20230101", "1.2.3");
	// semantic orders them as SemVer-like, which is what osv.dev does.
	m["ConanCenter"] = &semScheme{label: "ConanCenter", fn: func(s string) (semantic.Version, error) {
		return semantic.ParseSemverVersion(s), nil
	}, check: checkToken}
	m["PyPI"] = &semScheme{label: "PyPI", fn: func(s string) (semantic.Version, error) {
		return semantic.ParsePyPIVersion(s)
	}, check: checkPEP440}
	m["Maven"] = &semScheme{label: "Maven", fn: func(s string) (semantic.Version, error) {
		return semantic.ParseMavenVersion(s), nil
	}, check: checkToken}
	m["RubyGems"] = &semScheme{label: "RubyGems", fn: func(s string) (semantic.Version, error) {
		return semantic.ParseRubyGemsVersion(s), nil
	}, check: checkGem}
	m["NuGet"] = &semScheme{label: "NuGet", fn: func(s string) (semantic.Version, error) {
		return semantic.ParseNuGetVersion(s), nil
	}, check: checkNuGet}
	m["CRAN"] = &semScheme{label: "CRAN", fn: func(s string) (semantic.Version, error) {
		return semantic.ParseCRANVersion(s)
	}}
	m["Hackage"] = &semScheme{label: "Hackage", fn: func(s string) (semantic.Version, error) {
		return semantic.ParseHackageVersion(s)
	}}
	return m
}()

// rpmEcosystems are the osv.dev ecosystems whose packages are RPMs,
// ordered by rpmvercmp with epoch and release ("e:v-r").
var rpmEcosystems = []string{
	"Red Hat", "AlmaLinux", "Rocky Linux", "SUSE", "openSUSE", "Mageia",
	"openEuler", "Photon OS", "Azure Linux", "Amazon Linux",
}

// apkEcosystems are the osv.dev ecosystems whose packages are apks.
var apkEcosystems = []string{
	"Alpine", "Wolfi", "Chainguard", "Alpaquita", "MinimOS", "BellSoft Hardened Containers",
}

// --- osv-scalibr semantic ---

// semScheme orders versions with a semantic parser. semantic accepts
// any string for several ecosystems (it never fails for npm, RPM,
// RubyGems, NuGet, Maven); check rejects what the ecosystem's own grammar
// rejects, so garbage is reported as unassessable instead of being
// ordered somewhere.
type semScheme struct {
	label string
	fn    func(string) (semantic.Version, error)
	check func(string) bool
}

// sem is a semantic version, or OSV's "0" (below every version).
type sem struct {
	v    semantic.Version
	zero bool
}

func (s *semScheme) name() string { return s.label }

func (s *semScheme) parse(v string) (vulnVersion, error) {
	if v == "0" {
		// OSV's "introduced: 0" means "from the first version".
		return sem{zero: true}, nil
	}
	return s.parseLiteral(v)
}

func (s *semScheme) parseLiteral(v string) (vulnVersion, error) {
	if err := checkLen(s.label, v); err != nil {
		return nil, err
	}
	if s.check != nil && !s.check(v) {
		return nil, fmt.Errorf("%w: %q is not a %s version", ErrUnassessableVersion, v, s.label)
	}
	sv, err := s.fn(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not a %s version: %w", ErrUnassessableVersion, v, s.label, err)
	}
	return sem{v: sv}, nil
}

func (v sem) vulnCmp(o vulnVersion) int {
	w := o.(sem)
	switch {
	case v.zero && w.zero:
		return 0
	case v.zero:
		return -1
	case w.zero:
		return 1
	}
	// Compare fails only for two different semantic types, which one
	// scheme never produces.
	c, _ := v.v.Compare(w.v)
	return sign(c)
}

// maxVersionLen bounds a version string; no ecosystem publishes
// longer ones, and semantic's parsers are linear but allocate per
// component.
const maxVersionLen = 256

// checkLen refuses a version longer than maxVersionLen, naming
// the scheme (label).
func checkLen(label, v string) error {
	if len(v) > maxVersionLen {
		return fmt.Errorf("%w: %s version of %d bytes (limit %d)", ErrUnassessableVersion, label, len(v), maxVersionLen)
	}
	return nil
}

// checkRPM accepts an rpm EVR: non-empty, printable, no spaces.
func checkRPM(s string) bool {
	return s != "" && printable(s, false)
}

// checkToken accepts any non-empty printable token without spaces.
func checkToken(s string) bool {
	return s != "" && printable(s, false)
}

func printable(s string, spaces bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || (c == ' ' && !spaces) {
			return false
		}
	}
	return true
}

// checkSemverLike accepts what node-semver's loose parser, Cargo,
// Elixir's Version and SwiftPM accept in practice: an optional "v" or
// "=", a number, more dot-separated numbers, then an optional
// pre-release and build made of [0-9A-Za-z.-+].
func checkSemverLike(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "="), "v")
	if s == "" || s[0] < '0' || s[0] > '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == '-' || c == '+') {
			return false
		}
	}
	return true
}

// checkGem is Gem::Version's ANCHORED_VERSION_PATTERN:
// [0-9]+(.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(.[0-9A-Za-z-]+)*)?
var gemPattern = regexp.MustCompile(`^\s*[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?\s*$`)

func checkGem(s string) bool { return gemPattern.MatchString(s) }

// checkPEP440 is PEP 440's VERSION_PATTERN (Appendix B, as
// packaging.version writes it). semantic orders anything else as a
// pre-PEP 440 "legacy" version below every real one, which PyPI no
// longer accepts and which would put garbage below every fix.
var pep440Pattern = regexp.MustCompile(`(?i)^\s*v?(?:(?:[0-9]+)!)?[0-9]+(?:\.[0-9]+)*(?:[-_\.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_\.]?[0-9]*)?(?:-[0-9]+|[-_\.]?(?:post|rev|r)[-_\.]?[0-9]*)?(?:[-_\.]?dev[-_\.]?[0-9]*)?(?:\+[a-z0-9]+(?:[-_\.][a-z0-9]+)*)?\s*$`)

func checkPEP440(s string) bool { return pep440Pattern.MatchString(s) }

// --- apk (Alpine, Wolfi, Chainguard) ---

// apkScheme orders apk versions with semantic's Alpine ordering,
// which follows apk-tools' version.c, except for the "~<commit hash>"
// token apk-tools 3 added: semantic ignores it. apk-tools' own test data
// (test/unit/version.data) orders "1.0~1234-r1" below "1.0~2345-r0": the
// hash is compared after the version and before the revision, so this
// scheme splits both off, orders the rest with semantic, then the hashes
// as strings (a version without a hash first), then the revisions.
type apkScheme struct{}

type apk struct {
	base semantic.Version
	hash string
	rev  uint64
	zero bool
}

func (apkScheme) name() string { return "apk" }

func (a apkScheme) parse(s string) (vulnVersion, error) {
	if s == "0" {
		return apk{zero: true}, nil
	}
	return a.parseLiteral(s)
}

func (apkScheme) parseLiteral(s string) (vulnVersion, error) {
	if err := checkLen("apk", s); err != nil {
		return nil, err
	}
	if !checkAPK(s) {
		return nil, fmt.Errorf("%w: %q is not an apk version", ErrUnassessableVersion, s)
	}
	var v apk
	rest := s
	if i := strings.LastIndex(rest, "-r"); i >= 0 {
		// The grammar guarantees digits after "-r".
		n, err := strconv.ParseUint(rest[i+2:], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: %q: revision: %v", ErrUnassessableVersion, s, err)
		}
		v.rev, rest = n, rest[:i]
	}
	rest, v.hash, _ = strings.Cut(rest, "~")
	base, err := semantic.ParseAlpineVersion(rest)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not an apk version: %w", ErrUnassessableVersion, s, err)
	}
	v.base = base
	return v, nil
}

func (v apk) vulnCmp(o vulnVersion) int {
	w := o.(apk)
	switch {
	case v.zero && w.zero:
		return 0
	case v.zero:
		return -1
	case w.zero:
		return 1
	}
	if c, _ := v.base.Compare(w.base); c != 0 {
		return sign(c)
	}
	if c := strings.Compare(v.hash, w.hash); c != 0 {
		return c
	}
	switch {
	case v.rev < w.rev:
		return -1
	case v.rev > w.rev:
		return 1
	}
	return 0
}

// checkAPK is apk-tools' version grammar (apk_version_validate):
// numbers separated by dots, an optional letter, suffixes _alpha, _beta,
// _pre, _rc, _cvs, _svn, _git, _hg, _p with an optional number, an
// optional ~hash and an optional -rN revision.
var apkPattern = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]*)*(~[0-9a-f]+)?(-r[0-9]+)?$`)

func checkAPK(s string) bool { return apkPattern.MatchString(s) }

// checkNuGet accepts NuGet.Versioning's grammar: one to four numeric
// parts, an optional pre-release and build metadata.
var nuGetPattern = regexp.MustCompile(`^[vV]?[0-9]+(\.[0-9]+){0,3}(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`)

func checkNuGet(s string) bool { return nuGetPattern.MatchString(strings.TrimSpace(s)) }

// IsUnknownVersion reports the versions that must never be matched: the
// placeholders SBOM tools write for a version nobody recorded ("",
// "UNKNOWN", "(devel)", "NOASSERTION", ...). (*DB).Match compares no such
// version; it lists the records that name the package as unassessed.
func IsUnknownVersion(v string) bool {
	switch strings.TrimSpace(v) {
	case "", "UNKNOWN", "unknown", "(devel)", "devel", "*", "latest", "NOASSERTION", "NONE":
		return true
	}
	return strings.HasPrefix(v, "devel ")
}

// --- Go and SEMVER (golang.org/x/mod/semver) ---

type goScheme struct{}

type semverString string

func (v semverString) vulnCmp(o vulnVersion) int {
	return semver.Compare(string(v), string(o.(semverString)))
}

func (goScheme) name() string { return "Go" }

func (goScheme) parse(s string) (vulnVersion, error) {
	c, err := canonicalGo(s)
	if err != nil {
		return nil, err
	}
	return semverString(c), nil
}

// parseLiteral: "0" is no Go module version (modules are v0.0.0 at least).
func (g goScheme) parseLiteral(s string) (vulnVersion, error) {
	if strings.TrimSpace(s) == "0" {
		return nil, fmt.Errorf("%w: %q is not a Go module version", ErrUnassessableVersion, s)
	}
	return g.parse(s)
}

// canonicalGo turns a Go module version ("v1.2.3", pseudo-versions,
// "+incompatible"), an unprefixed vulndb SEMVER ("1.2.3", "1.22.0-0") or
// a Go toolchain version ("go1.26.8", "go1.21rc2", "go1.20") into a
// golang.org/x/mod/semver string.
func canonicalGo(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return "v0.0.0-0", nil // below every version, pre-releases included
	}
	if strings.HasPrefix(s, "go1") {
		// A toolchain may carry experiments after a space
		// ("go1.22.1 X:boringcrypto").
		s, _, _ = strings.Cut(s, " ")
		t, err := goToolchainToSemver(s)
		if err != nil {
			return "", err
		}
		s = t
	}
	if !strings.HasPrefix(s, "v") {
		s = "v" + s
	}
	if !semver.IsValid(s) {
		return "", fmt.Errorf("%w: %q is not a Go module version", ErrUnassessableVersion, s)
	}
	return s, nil
}

// goToolchainToSemver converts "go1.21.3" to "v1.21.3", "go1.21rc2"
// to "v1.21.0-rc.2" and "go1.20" to "v1.20.0", as the Go vulndb does.
func goToolchainToSemver(s string) (string, error) {
	rest := strings.TrimPrefix(s, "go")
	pre := ""
	for _, tag := range []string{"rc", "beta", "alpha"} {
		if i := strings.Index(rest, tag); i > 0 {
			pre = "-" + tag + "." + rest[i+len(tag):]
			rest = rest[:i]
			break
		}
	}
	parts := strings.Split(rest, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return "", fmt.Errorf("%w: %q is not a Go toolchain version", ErrUnassessableVersion, s)
	}
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err != nil {
			return "", fmt.Errorf("%w: %q is not a Go toolchain version", ErrUnassessableVersion, s)
		}
	}
	if len(parts) == 2 {
		parts = append(parts, "0")
	}
	return "v" + strings.Join(parts, ".") + pre, nil
}

type semverScheme struct{}

func (semverScheme) name() string { return "SEMVER" }

func (v semverScheme) parse(s string) (vulnVersion, error) {
	if s == "0" {
		return semverString("v0.0.0-0"), nil
	}
	return v.parseLiteral(s)
}

// parseLiteral reads "0" as 0.0.0, as it reads "1" as 1.0.0.
func (semverScheme) parseLiteral(s string) (vulnVersion, error) {
	if !strings.HasPrefix(s, "v") {
		s = "v" + s
	}
	if !semver.IsValid(s) {
		return nil, fmt.Errorf("%w: %q is not a semantic version", ErrUnassessableVersion, s)
	}
	return semverString(s), nil
}

// sign maps a library's comparison result to -1, 0 or 1.
func sign(c int) int {
	switch {
	case c < 0:
		return -1
	case c > 0:
		return 1
	}
	return 0
}
