package vulndb

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/osv-scalibr/semantic"
)

// This file proves each ecosystem's ordering on that ecosystem's own
// documented rules or test suite; every table names its source. A line
// "a < b" (or ">", "=") is checked both ways through schemeFor, the
// same scheme risk.Scan uses for ECOSYSTEM ranges.

// testOrderLines checks "a OP b" lines with the ECOSYSTEM scheme of eco.
func testOrderLines(t *testing.T, eco, source string, lines []string) {
	t.Helper()
	s := schemeFor(eco, "ECOSYSTEM")
	if s == nil {
		t.Fatalf("%s: no scheme", eco)
	}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 3 {
			t.Fatalf("%s: bad table line %q", source, l)
		}
		testOrderPair(t, s, source, f[0], f[1], f[2])
	}
}

func testOrderPair(t *testing.T, s scheme, source, a, op, b string) {
	t.Helper()
	want := map[string]int{"<": -1, "=": 0, ">": 1}[op]
	va, err := s.parse(a)
	if err != nil {
		t.Errorf("%s (%s): parse %q: %v", s.name(), source, a, err)
		return
	}
	vb, err := s.parse(b)
	if err != nil {
		t.Errorf("%s (%s): parse %q: %v", s.name(), source, b, err)
		return
	}
	if got := va.vulnCmp(vb); got != want {
		t.Errorf("%s (%s): %s %s %s, got cmp %d", s.name(), source, a, op, b, got)
	}
	if got := vb.vulnCmp(va); got != -want {
		t.Errorf("%s (%s): %s vs %s not antisymmetric: %d", s.name(), source, b, a, got)
	}
}

// testOrderChain checks that versions are strictly ascending, every
// pair (as the upstream suites that publish sorted lists do).
func testOrderChain(t *testing.T, eco, source string, versions []string) {
	t.Helper()
	s := schemeFor(eco, "ECOSYSTEM")
	for i := range versions {
		for j := i + 1; j < len(versions); j++ {
			testOrderPair(t, s, source, versions[i], "<", versions[j])
		}
	}
}

// TestVersionOrderRPM runs rpm's own rpmvercmp test table
// (tests/rpmvercmp.at, copied unmodified) and rpm's EVR rules (epoch
// first, then version, then release; a missing epoch is 0) through every
// RPM-based osv.dev ecosystem.
func TestVersionOrderRPM(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "osv-distro", "ordering", "rpmvercmp.at"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^RPMVERCMP\(([^,]*), ([^,]*), (-?1|0)\)$`)
	cases := re.FindAllStringSubmatch(string(raw), -1)
	if len(cases) < 90 {
		t.Fatalf("only %d RPMVERCMP cases read from rpmvercmp.at", len(cases))
	}
	ops := map[string]string{"-1": "<", "0": "=", "1": ">"}
	for _, eco := range rpmEcosystems {
		s := schemeFor(eco+":9", "ECOSYSTEM")
		if s == nil || s.name() != "RPM" {
			t.Fatalf("%s: scheme %v, want RPM", eco, s)
		}
		for _, c := range cases {
			if strings.ContainsAny(c[1]+c[2], "-:") {
				t.Fatalf("rpmvercmp case %q %q compares raw strings; it has EVR separators", c[1], c[2])
			}
			testOrderPair(t, s, "rpmvercmp.at", c[1], ops[c[3]], c[2])
		}
	}
	// EVR: rpm's rpmVersionCompare and the Fedora packaging guidelines
	// ("Versioning"), on versions as OSV records write them.
	testOrderLines(t, "Red Hat", "rpm EVR", []string{
		"1:1.0-1 > 0:2.0-1",
		"0:1.0-1 = 1.0-1",
		"1.0-1 < 1.0-2",
		"1.0-1.el9 < 1.0-1.el9_4",
		"1:3.0.1-38.el9_0 < 1:3.0.1-41.el9_0",
		"1:3.0.7-27.el9 > 1:3.0.1-41.el9_0",
		"0:1.9.5p2-9.el9 < 0:1.9.5p2-10.el9_6.1",
		"1.9.5p2-10.el9 < 1.9.5p2-10.el9_6.1",
		"2.0~rc1-1 < 2.0-1",
		"2.0^20240101git-1 > 2.0-1",
		"3.0.8-150500.5.8.1 < 3.0.8-150500.5.42.1",
	})
}

// TestVersionOrderAPK runs apk-tools' own version test data
// (test/unit/version.data, copied unmodified): every "a < b", "a > b"
// and "a = b" line whose versions apk-tools accepts, and every validity
// line ("v" valid, "!v" invalid), through Alpine, Wolfi and Chainguard.
func TestVersionOrderAPK(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "testdata", "osv-distro", "ordering", "apk-version.data"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cmp [][3]string
	var valid, invalid []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fl := strings.Fields(line)
		switch {
		case len(fl) == 1 && strings.HasPrefix(fl[0], "!"):
			invalid = append(invalid, fl[0][1:])
		case len(fl) == 1:
			valid = append(valid, fl[0])
		case len(fl) == 3 && (fl[1] == "<" || fl[1] == ">" || fl[1] == "="):
			cmp = append(cmp, [3]string{fl[0], fl[1], fl[2]})
		}
	}
	if len(cmp) < 500 || len(valid) < 5 || len(invalid) < 20 {
		t.Fatalf("read %d comparisons, %d valid, %d invalid from version.data", len(cmp), len(valid), len(invalid))
	}
	for _, eco := range []string{"Alpine:v3.20", "Wolfi", "Chainguard"} {
		s := schemeFor(eco, "ECOSYSTEM")
		checked := 0
		for _, c := range cmp {
			if !checkAPK(c[0]) || !checkAPK(c[2]) {
				continue // apk-tools itself calls these invalid ("1.0bc", "23_foo")
			}
			testOrderPair(t, s, "apk version.data", c[0], c[1], c[2])
			checked++
		}
		if checked < 500 {
			t.Errorf("%s: only %d comparisons checked", eco, checked)
		}
		for _, v := range valid {
			if _, err := s.parse(v); err != nil {
				t.Errorf("%s: apk-tools accepts %q: %v", eco, v, err)
			}
		}
		for _, v := range invalid {
			if _, err := s.parse(v); !errors.Is(err, ErrUnassessableVersion) {
				t.Errorf("%s: apk-tools rejects %q; parse = %v", eco, v, err)
			}
		}
	}
}

// TestVersionOrderDebian follows deb-version(7) / Debian Policy §5.6.12
// ("~" sorts before everything, even the end of a part; letters sort
// before non-letters; digits compare numerically; the epoch first, then
// upstream version, then revision) and dpkg's lib/dpkg/t/t-version.c.
func TestVersionOrderDebian(t *testing.T) {
	lines := []string{
		// deb-version(7): "~~ < ~~a < ~ < (empty) < a".
		"1.0~~ < 1.0~~a", "1.0~~a < 1.0~", "1.0~ < 1.0", "1.0 < 1.0a",
		// Letters before non-letters.
		"1.0a < 1.0+", "1.0a < 1.0.1",
		// t-version.c: equality, epochs, version and revision parts.
		"0-00 = 00-0", "1:2-3 = 1:2-3", "0:0-0 < 1:0-0", "0:a-0 < 0:b-0", "0:0-a < 0:0-b",
		"0:0 = 00", "1:0 > 9999", "5:1 > 4:99",
		// Real Debian and Ubuntu version shapes.
		"1.18.25 < 1.18.26", "2.36-9+deb12u4 < 2.36-9+deb12u7", "3.0.11-1~deb12u2 > 3.0.11-1~deb12u1",
		"1.0-1~bpo12+1 < 1.0-1", "1.0-1 < 1.0-1+b1", "3.0.2-0ubuntu1.10 > 3.0.2-0ubuntu1.9",
		"2.35-0ubuntu3.8 < 2.35-0ubuntu3.14", "1:9.18.28-0ubuntu0.22.04.1 > 1:9.18.18-0ubuntu0.22.04.2",
	}
	testOrderLines(t, "Debian:12", "deb-version(7), dpkg t-version.c", lines)
	testOrderLines(t, "Ubuntu:22.04:LTS", "deb-version(7), dpkg t-version.c", lines)
}

// TestVersionOrderLanguages holds the sorted lists and pairs each
// language ecosystem publishes in its own specification or test suite.
func TestVersionOrderLanguages(t *testing.T) {
	// semver.org §11 (npm's node-semver, Cargo, Hex, SwiftPM follow it).
	semverSpec := []string{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1"}
	for _, eco := range []string{"npm", "crates.io", "Hex", "SwiftURL", "ConanCenter"} {
		testOrderChain(t, eco, "semver.org §11", semverSpec)
		// §10: build metadata has no precedence (node-semver's compare,
		// Elixir's Version.compare, Cargo's VersionReq matching).
		testOrderLines(t, eco, "semver.org §10", []string{"1.0.0+build.1 = 1.0.0", "1.0.0-rc.1+x = 1.0.0-rc.1"})
	}
	// Elixir Version.compare documentation.
	testOrderLines(t, "Hex", "Elixir Version.compare docs", []string{
		"2.0.1-alpha1 > 2.0.0", "1.0.0-beta < 1.0.0-rc1", "1.0.0-10 > 1.0.0-2", "2.0.1+build0 = 2.0.1",
	})

	// PEP 440 "Summary of permitted suffixes and relative ordering" and
	// pypa/packaging's tests/test_version.py sorted VERSIONS list (a part).
	testOrderChain(t, "PyPI", "PEP 440, packaging test_version.py", []string{
		"1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2",
		"1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7",
		"1.0+5", "1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1", "1!0.1",
	})
	testOrderLines(t, "PyPI", "PEP 440 normalisation", []string{
		"1.0 = 1.0.0", "1.0RC1 = 1.0rc1", "1.0-post1 = 1.0.post1", "1.0alpha1 = 1.0a1", "v1.0 = 1.0",
		"1.0c1 = 1.0rc1", "1.0.0-1 = 1.0.post1",
	})

	// Maven: apache/maven ComparableVersionTest (VERSIONS_QUALIFIER,
	// VERSIONS_NUMBER, testVersionsEqual, testVersionComparing).
	testOrderChain(t, "Maven", "ComparableVersionTest VERSIONS_QUALIFIER", []string{
		"1-alpha2snapshot", "1-alpha2", "1-alpha-123", "1-beta-2", "1-beta123", "1-m2", "1-m11", "1-rc", "1-cr2",
		"1-rc123", "1-SNAPSHOT", "1", "1-sp", "1-sp2", "1-sp123", "1-abc", "1-def", "1-pom-1", "1-1-snapshot",
		"1-1", "1-2", "1-123",
	})
	testOrderChain(t, "Maven", "ComparableVersionTest VERSIONS_NUMBER", []string{
		"2.0", "2-1", "2.0.a", "2.0.0.a", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1", "2.1.0.1",
		"2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11", "11", "11.a", "11b", "11c", "11m",
	})
	testOrderLines(t, "Maven", "ComparableVersionTest", []string{
		"1 = 1.0", "1 = 1.0.0", "1 = 1-0", "1.0 = 1.0-0", "1a = 1-a", "1a = 1.0.0-a", "1ga = 1", "1final = 1",
		"1cr = 1rc", "1a1 = 1alpha1", "1b2 = 1beta2", "1m3 = 1milestone3", "1X = 1x", "1Final = 1",
		"1.0-alpha-1 < 1.0", "1.0-beta-1 < 1.0-SNAPSHOT", "1.0-SNAPSHOT < 1.0", "1.0 < 1.0-1", "2.0-1 < 2.0.1",
		"2.0.1-klm < 2.0.1-lmn", "2.0.1 < 2.0.1-xyz", "2.0.1-xyz < 2.0.1-123",
	})

	// RubyGems: Gem::Version#<=> (rubygems' test_gem_version.rb
	// test_spaceship) and the rule that "-" starts a pre-release.
	testOrderLines(t, "RubyGems", "test_gem_version.rb", []string{
		"1.0 = 1.0.0", "1.0 > 1.0.a", "1.8.2 > 0.0.0", "1.8.2 > 1.8.2.a", "1.8.2.b > 1.8.2.a", "1.8.2.a < 1.8.2",
		"1.8.2.a10 > 1.8.2.a9", "0.beta.1 = 0.0.beta.1", "0.0.beta < 0.0.beta.1", "0.0.beta < 0.beta.1",
		"5.a < 5.0.0.rc2", "5.x > 5.0.0.rc2", "1.0.0-rc1 < 1.0.0",
	})

	// NuGet: "Version precedence" in Microsoft's package-versioning
	// documentation (SemVer 2.0 pre-release order, case-insensitive,
	// four parts, metadata ignored).
	testOrderChain(t, "NuGet", "NuGet package versioning", []string{
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
		"1.0.0-rc.1", "1.0.0", "1.0.0.1", "1.0.1",
	})
	testOrderLines(t, "NuGet", "NuGet package versioning", []string{
		"1.0 = 1.0.0.0", "1.0.0-Beta = 1.0.0-beta", "1.0.0+abc = 1.0.0", "4.0.0-RC.1 < 4.0.0",
	})

	// pub_semver test/version_test.dart: its sorted "comparison" list
	// (build metadata is ordered, numbers numerically) and "equality".
	testOrderChain(t, "Pub", "pub_semver version_test.dart", []string{
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0-rc.1+build.1",
		"1.0.0", "1.0.0+0.3.7", "1.3.7+build", "1.3.7+build.2.b8f12d7", "1.3.7+build.11.e0f985a", "2.0.0",
		"2.1.0", "2.2.0", "2.11.0", "2.11.1",
	})
	testOrderLines(t, "Pub", "pub_semver version_test.dart", []string{
		"01.2.3 = 1.2.3", "1.02.3 = 1.2.3", "1.2.03 = 1.2.3", "1.2.3-01 = 1.2.3-1", "1.2.3+01 = 1.2.3+1",
	})

	// CRAN: R's package_version / compareVersion (numeric parts separated
	// by "." or "-").
	testOrderLines(t, "CRAN", "R package_version", []string{
		"1.2-3 = 1.2.3", "1.0 < 1.0.1", "1.10-1 > 1.9-9", "0.4-15 > 0.4-2", "2.0.0 > 1.99.99",
	})

	// Hackage: Data.Version's Ord (branches compared as lists, so a
	// longer branch with the same prefix is greater) and the PVP.
	testOrderLines(t, "Hackage", "Data.Version, PVP", []string{
		"1.2 < 1.2.0", "1.10 > 1.9", "0.2.0.1 < 0.2.1", "2.0 > 1.999.999",
	})
}

// TestVersionOrderComposer proves the Packagist ordering on Composer's
// own rules: VersionParser::normalize (composer/semver's
// VersionParserTest::successfulNormalizedVersions) and the comparison
// Composer makes on normalised versions with PHP's version_compare.
func TestVersionOrderComposer(t *testing.T) {
	for in, want := range map[string]string{
		"1.0.0": "1.0.0.0", "1.2.3.4": "1.2.3.4", "1.0.0RC1dev": "1.0.0.0-RC1-dev", "1.0.0-rC15-dev": "1.0.0.0-RC15-dev",
		"1.0.0.RC.15-dev": "1.0.0.0-RC15-dev", "1.0.0-rc1": "1.0.0.0-RC1", "1.0.0.pl3-dev": "1.0.0.0-patch3-dev",
		"1.0-dev": "1.0.0.0-dev", "0": "0.0.0.0", "10.4.13-beta": "10.4.13.0-beta", "10.4.13beta2": "10.4.13.0-beta2",
		"10.4.13beta.2": "10.4.13.0-beta2", "10.4.13-b": "10.4.13.0-beta", "10.4.13-b5": "10.4.13.0-beta5",
		"v1.0.0": "1.0.0.0", "2010.01": "2010.01.0.0", "2010.01.02": "2010.01.02.0", "2010-01-02": "2010.01.02",
		"20100102-203040": "20100102.203040", "1.0.0-beta.5+foo": "1.0.0.0-beta5", "1.0.0+foo": "1.0.0.0",
		"1.x-dev": "1.9999999.9999999.9999999-dev", "v1.0.0-stable": "1.0.0.0", "1.0RC1": "1.0.0.0-RC1",
		"1.0-p1": "1.0.0.0-patch1", "1.0-patch": "1.0.0.0-patch", "1.0-BETA2": "1.0.0.0-beta2",
	} {
		got, err := composerNormalize(in)
		if err != nil || got != want {
			t.Errorf("normalize(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	// "1.2.3.#", "1.2.3.#.p3": php-src's version_compare test cases
	// (osv-scalibr's packagist-versions.txt), which Composer's normalize
	// rejects; found in acceptance review (issue 13) accepted as 1.2.3.
	for _, bad := range []string{"dev-master", "1.0.0.0.0", "a", "1.0.0-foo", "", "1.0.0#abc", "1.2.3.#", "1.2.3.#.p3", "dev-main#0a1b2c"} {
		if _, err := (composerScheme{}).parse(bad); !errors.Is(err, ErrUnassessableVersion) {
			t.Errorf("parse(%q) = %v, want ErrUnassessableVersion", bad, err)
		}
	}
	testOrderLines(t, "Packagist", "Composer normalize + version_compare", []string{
		// "-p1"/"-patch" sort after the release, before the next one.
		"1.0-p1 > 1.0", "1.0-patch2 > 1.0-p1", "1.0-pl1 = 1.0-p1", "1.0-p1 < 1.0.1",
		// Four-part versions and padding.
		"1.0 = 1.0.0", "1.0.0 = 1.0.0.0", "1.0.0.1 > 1.0.0", "2.9.9.9 < 3.0",
		// Stabilities: dev < alpha < beta < RC < stable < patch, any case.
		"1.0-dev < 1.0-alpha1", "1.0-alpha1 < 1.0-beta1", "1.0-Beta1 > 1.0-alpha1", "1.0-BETA1 = 1.0-beta1",
		"1.0-beta2 < 1.0-RC1", "1.0RC1 = 1.0-rc1", "1.0RC1 < 1.0", "1.0-rc2 > 1.0RC1", "1.0-a3 = 1.0-alpha3",
		"1.0-beta1-dev < 1.0-beta1", "v2.0.0 = 2.0.0", "1.0.0+build = 1.0.0",
		// Date-based versions.
		"2010.01.02 < 2010.01.03", "20100102-203040 > 20100102-203039",
	})
}

// TestVersionHandwrittenVsSemantic records why Packagist and Pub keep
// their own ordering: osv-scalibr's semantic gets these documented cases
// wrong and ours gets them right. If semantic is fixed upstream, this
// test fails and the hand-written scheme should be replaced.
func TestVersionHandwrittenVsSemantic(t *testing.T) {
	cases := []struct {
		eco, a, op, b, source string
	}{
		{"Packagist", "1.0", "=", "1.0.0", "Composer normalizes both to 1.0.0.0"},
		{"Packagist", "1.0-Beta1", ">", "1.0-alpha1", "Composer lowercases the stability"},
		{"Packagist", "1.0-BETA1", "=", "1.0-beta1", "Composer lowercases the stability"},
		{"Pub", "1.3.7+build.2.b8f12d7", "<", "1.3.7+build.11.e0f985a", "pub_semver version_test.dart"},
		{"Pub", "1.2.3+9", "<", "1.2.3+10", "pub_semver _compareLists: numbers numerically"},
	}
	want := map[string]int{"<": -1, "=": 0, ">": 1}
	for _, c := range cases {
		sa, _ := semantic.Parse(c.a, c.eco)
		sb, _ := semantic.Parse(c.b, c.eco)
		got, err := sa.Compare(sb)
		if err != nil {
			t.Fatal(err)
		}
		if sign(got) == want[c.op] {
			t.Errorf("semantic now orders %s %s %s %s (%s): switch %s to semantic", c.eco, c.a, c.op, c.b, c.source, c.eco)
		}
		testOrderPair(t, schemeFor(c.eco, "ECOSYSTEM"), c.source, c.a, c.op, c.b)
	}
}

// TestVersionIntroducedZero checks OSV's "introduced: 0" sorts below the
// lowest version of every ecosystem, pre-releases included.
func TestVersionIntroducedZero(t *testing.T) {
	lowest := map[string]string{
		"Red Hat": "0:0-0", "AlmaLinux": "0.0.1~rc1-1", "Debian:12": "0~~", "Alpine:v3.20": "0.0.0_alpha",
		"npm": "0.0.0-0", "PyPI": "0.dev0", "Maven": "0-alpha", "RubyGems": "0.a", "NuGet": "0.0.0-a",
		"Packagist": "0.0.0-dev", "Pub": "0.0.0-0", "Hex": "0.0.0-0", "crates.io": "0.0.0-0", "CRAN": "0.0",
		"Hackage": "0", "SwiftURL": "0.0.0-a", "ConanCenter": "0.0.0-a", "Wolfi": "0_alpha",
	}
	for eco, v := range lowest {
		s := schemeFor(eco, "ECOSYSTEM")
		z, err := s.parse("0")
		if err != nil {
			t.Fatalf("%s: parse 0: %v", eco, err)
		}
		pv, err := s.parse(v)
		if err != nil {
			t.Fatalf("%s: parse %q: %v", eco, v, err)
		}
		if eco == "Hackage" {
			continue // "0" is both OSV's zero and Hackage's lowest version
		}
		if z.vulnCmp(pv) != -1 || pv.vulnCmp(z) != 1 {
			t.Errorf("%s: introduced 0 does not sort below %q", eco, v)
		}
	}
}

// TestVersionRejectsGarbage checks each grammar rejects what its
// ecosystem rejects, with an error naming the version and the scheme.
func TestVersionRejectsGarbage(t *testing.T) {
	for eco, bad := range map[string][]string{
		"npm":          {"x.y", "1.0.0 beta", ""},
		"PyPI":         {"1.0-$", "one"},
		"RubyGems":     {"1.0$", "-1"},
		"NuGet":        {"1.2.3.4.5", "1.0-", "a"},
		"Red Hat":      {"", "1.0 1", "1.0\x00"},
		"Maven":        {"", "1 0"},
		"Alpine:v3.20": {"1.2_unknown1-r0", "-r1"},
		"Debian:12":    {"a:1.0", ""},
		"Pub":          {"1.0", "1.2.3.4", "1.3+bu?!3ild"},
		"Packagist":    {"dev-main", "x"},
		"crates.io":    {"latest"},
	} {
		s := schemeFor(eco, "ECOSYSTEM")
		for _, v := range bad {
			_, err := s.parse(v)
			if !errors.Is(err, ErrUnassessableVersion) {
				t.Errorf("%s parse(%q) = %v, want ErrUnassessableVersion", eco, v, err)
				continue
			}
			if v != "" && !strings.Contains(err.Error(), strconv.Quote(v)) {
				t.Errorf("%s parse(%q): error %q does not name the version", eco, v, err)
			}
		}
	}
	// semantic's own error stays matchable beside ErrUnassessableVersion.
	_, err := schemeFor("Debian:12", "ECOSYSTEM").parse("a:1.0")
	if !errors.Is(err, ErrUnassessableVersion) || !errors.Is(err, semantic.ErrInvalidVersion) {
		t.Errorf("Debian a:1.0: %v, want both ErrUnassessableVersion and semantic.ErrInvalidVersion", err)
	}
	long := strings.Repeat("1.", 200) + "1"
	if _, err := schemeFor("npm", "ECOSYSTEM").parse(long); !errors.Is(err, ErrUnassessableVersion) || !strings.Contains(err.Error(), "limit") {
		t.Errorf("over-long version: %v", err)
	}
}
