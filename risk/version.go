package risk

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	mvnversion "github.com/masahiro331/go-mvn-version"

	mmsemver "github.com/Masterminds/semver/v3"
	pep440 "github.com/aquasecurity/go-pep440-version"
	debversion "github.com/knqyf263/go-deb-version"
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

// vulnScheme parses versions of one ecosystem.
type vulnScheme interface {
	parse(s string) (vulnVersion, error)
	name() string
}

// vulnSchemeFor returns the version scheme for an OSV ecosystem (its base
// name, before any ':') and range type ("SEMVER", "ECOSYSTEM"). It returns
// nil when chaingate has no version ordering for it.
func vulnSchemeFor(ecosystem, rangeType string) vulnScheme {
	base, _, _ := strings.Cut(ecosystem, ":")
	if base == "Go" {
		// The Go vulndb writes unprefixed SEMVER events; Go modules are
		// ordered by golang.org/x/mod/semver either way.
		return vulnGoScheme{}
	}
	if rangeType == "SEMVER" {
		return vulnSemverScheme{}
	}
	switch base {
	case "npm":
		return vulnNPMScheme{}
	case "PyPI":
		return vulnPyPIScheme{}
	case "Maven":
		return vulnMavenScheme{}
	case "Debian", "Ubuntu":
		return vulnDebScheme{}
	case "Alpine":
		return vulnAPKScheme{}
	case "RubyGems":
		return vulnGemScheme{}
	case "NuGet":
		return vulnNuGetScheme{}
	case "crates.io", "Packagist", "Hex", "Pub":
		// These ecosystems publish semantic versions; Masterminds' loose
		// parser accepts the common "1.2" and "v1.2.3" spellings.
		return vulnNPMScheme{}
	}
	return nil
}

// vulnIsUnknownVersion reports versions that must never be matched.
func vulnIsUnknownVersion(v string) bool {
	switch strings.TrimSpace(v) {
	case "", "UNKNOWN", "unknown", "(devel)", "devel", "*", "latest", "NOASSERTION", "NONE":
		return true
	}
	return strings.HasPrefix(v, "devel ")
}

// --- Go and SEMVER (golang.org/x/mod/semver) ---

type vulnGoScheme struct{}

type vulnSemverString string

func (v vulnSemverString) vulnCmp(o vulnVersion) int {
	return semver.Compare(string(v), string(o.(vulnSemverString)))
}

func (vulnGoScheme) name() string { return "Go" }

func (vulnGoScheme) parse(s string) (vulnVersion, error) {
	c, err := vulnCanonicalGo(s)
	if err != nil {
		return nil, err
	}
	return vulnSemverString(c), nil
}

// vulnCanonicalGo turns a Go module version ("v1.2.3", pseudo-versions,
// "+incompatible"), an unprefixed vulndb SEMVER ("1.2.3", "1.22.0-0") or
// a Go toolchain version ("go1.26.8", "go1.21rc2", "go1.20") into a
// golang.org/x/mod/semver string.
func vulnCanonicalGo(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return "v0.0.0-0", nil // below every version, pre-releases included
	}
	if strings.HasPrefix(s, "go1") {
		// A toolchain may carry experiments after a space
		// ("go1.22.1 X:boringcrypto").
		s, _, _ = strings.Cut(s, " ")
		t, err := vulnGoToolchainToSemver(s)
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

// vulnGoToolchainToSemver converts "go1.21.3" to "v1.21.3", "go1.21rc2"
// to "v1.21.0-rc.2" and "go1.20" to "v1.20.0", as the Go vulndb does.
func vulnGoToolchainToSemver(s string) (string, error) {
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

type vulnSemverScheme struct{}

func (vulnSemverScheme) name() string { return "SEMVER" }

func (vulnSemverScheme) parse(s string) (vulnVersion, error) {
	if s == "0" {
		return vulnSemverString("v0.0.0-0"), nil
	}
	if !strings.HasPrefix(s, "v") {
		s = "v" + s
	}
	if !semver.IsValid(s) {
		return nil, fmt.Errorf("%w: %q is not a semantic version", ErrUnassessableVersion, s)
	}
	return vulnSemverString(s), nil
}

// --- npm and other semantic-version ecosystems (Masterminds/semver) ---

type vulnNPMScheme struct{}

type vulnMMVersion struct{ v *mmsemver.Version }

func (v vulnMMVersion) vulnCmp(o vulnVersion) int { return vulnSign(v.v.Compare(o.(vulnMMVersion).v)) }

func (vulnNPMScheme) name() string { return "npm" }

func (vulnNPMScheme) parse(s string) (vulnVersion, error) {
	if s == "0" {
		s = "0.0.0-0"
	}
	v, err := mmsemver.NewVersion(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrUnassessableVersion, s, err)
	}
	return vulnMMVersion{v}, nil
}

// --- PyPI (PEP 440) ---

type vulnPyPIScheme struct{}

type vulnPEP440 struct{ v pep440.Version }

func (v vulnPEP440) vulnCmp(o vulnVersion) int { return vulnSign(v.v.Compare(o.(vulnPEP440).v)) }

func (vulnPyPIScheme) name() string { return "PyPI" }

func (vulnPyPIScheme) parse(s string) (vulnVersion, error) {
	if s == "0" {
		s = "0.dev0"
	}
	v, err := pep440.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrUnassessableVersion, s, err)
	}
	return vulnPEP440{v}, nil
}

// --- Maven ---

type vulnMavenScheme struct{}

type vulnMaven struct{ v mvnversion.Version }

func (v vulnMaven) vulnCmp(o vulnVersion) int { return vulnSign(v.v.Compare(o.(vulnMaven).v)) }

func (vulnMavenScheme) name() string { return "Maven" }

func (vulnMavenScheme) parse(s string) (vulnVersion, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: empty Maven version", ErrUnassessableVersion)
	}
	v, err := mvnversion.NewVersion(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrUnassessableVersion, s, err)
	}
	return vulnMaven{v}, nil
}

// --- Debian and Ubuntu (dpkg ordering) ---

type vulnDebScheme struct{}

type vulnDeb struct{ v debversion.Version }

func (v vulnDeb) vulnCmp(o vulnVersion) int {
	return vulnSign(v.v.Compare(o.(vulnDeb).v))
}

func (vulnDebScheme) name() string { return "Debian" }

func (vulnDebScheme) parse(s string) (vulnVersion, error) {
	if s == "0" {
		s = "0:0~"
	}
	v, err := debversion.NewVersion(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrUnassessableVersion, s, err)
	}
	return vulnDeb{v}, nil
}

// vulnSign maps a library's comparison result to -1, 0 or 1.
func vulnSign(c int) int {
	switch {
	case c < 0:
		return -1
	case c > 0:
		return 1
	}
	return 0
}
