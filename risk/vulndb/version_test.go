package vulndb

import (
	"errors"
	"testing"
)

func TestVersionOrdering(t *testing.T) {
	tests := []struct {
		name      string
		ecosystem string
		rangeType string
		a, b      string
		want      int
	}{
		// Go: module versions against the vulndb's unprefixed SEMVER.
		{"go prefix", "Go", "SEMVER", "v1.2.3", "1.2.3", 0},
		{"go patch", "Go", "SEMVER", "v1.2.3", "1.2.10", -1},
		{"go pseudo below release", "Go", "SEMVER", "v0.0.0-20200622213623-75b288015ac9", "0.0.0-20201216223049-8b5274cf687f", -1},
		{"go pseudo of next patch", "Go", "SEMVER", "v1.2.4-0.20200101000000-abcdefabcdef", "1.2.3", 1},
		{"go pseudo below its base", "Go", "SEMVER", "v1.2.4-0.20200101000000-abcdefabcdef", "1.2.4", -1},
		{"go incompatible", "Go", "SEMVER", "v24.0.5+incompatible", "24.0.7", -1},
		{"go incompatible equal", "Go", "SEMVER", "v3.2.0+incompatible", "3.2.0", 0},
		{"go prerelease", "Go", "SEMVER", "v1.0.0-rc.1", "1.0.0", -1},
		{"go introduced 0", "Go", "SEMVER", "v0.0.0-00010101000000-000000000000", "0", 1},
		{"go zero prerelease bound", "Go", "SEMVER", "v1.22.0-rc.1", "1.22.0-0", 1},
		{"toolchain go1.26.8", "Go", "SEMVER", "go1.26.8", "1.26.8", 0},
		{"toolchain go1.21rc2", "Go", "SEMVER", "go1.21rc2", "1.21.0", -1},
		{"toolchain go1.20", "Go", "SEMVER", "go1.20", "1.20.0", 0},
		{"toolchain experiment", "Go", "SEMVER", "go1.22.1 X:boringcrypto", "1.22.1", 0},
		// npm: node-semver.
		{"npm", "npm", "SEMVER", "1.2.3", "1.10.0", -1},
		{"npm prerelease", "npm", "ECOSYSTEM", "2.0.0-beta.2", "2.0.0-beta.10", -1},
		{"npm release after prerelease", "npm", "ECOSYSTEM", "2.0.0", "2.0.0-rc.1", 1},
		// PyPI: PEP 440.
		{"pypi post", "PyPI", "ECOSYSTEM", "1.0.post1", "1.0", 1},
		{"pypi dev", "PyPI", "ECOSYSTEM", "1.0.dev1", "1.0a1", -1},
		{"pypi epoch", "PyPI", "ECOSYSTEM", "1!0.1", "2.0", 1},
		{"pypi padding", "PyPI", "ECOSYSTEM", "1.0", "1.0.0", 0},
		{"pypi rc", "PyPI", "ECOSYSTEM", "2.0rc1", "2.0", -1},
		// Maven.
		{"maven qualifier", "Maven", "ECOSYSTEM", "1.0-alpha-1", "1.0", -1},
		{"maven sp", "Maven", "ECOSYSTEM", "1.0-sp", "1.0", 1},
		{"maven numeric", "Maven", "ECOSYSTEM", "2.9.10.8", "2.10.0", -1},
		{"maven final", "Maven", "ECOSYSTEM", "1.0.Final", "1.0", 0},
		// Debian.
		{"deb tilde", "Debian:12", "ECOSYSTEM", "1.0~rc1-1", "1.0-1", -1},
		{"deb epoch", "Debian:12", "ECOSYSTEM", "1:1.0-1", "2.0-1", 1},
		{"deb revision", "Debian:12", "ECOSYSTEM", "3.0.11-1~deb12u2", "3.0.11-1~deb12u1", 1},
		{"deb security", "Debian:12", "ECOSYSTEM", "2.36-9+deb12u4", "2.36-9+deb12u7", -1},
		// Alpine apk.
		{"apk revision", "Alpine:v3.20", "ECOSYSTEM", "3.3.2-r0", "3.3.2-r1", -1},
		{"apk letter", "Alpine:v3.20", "ECOSYSTEM", "1.2a-r0", "1.2-r5", 1},
		{"apk rc before release", "Alpine:v3.20", "ECOSYSTEM", "1.2_rc1-r0", "1.2-r0", -1},
		{"apk p after release", "Alpine:v3.20", "ECOSYSTEM", "1.2_p1-r0", "1.2-r0", 1},
		{"apk alpha before beta", "Alpine:v3.20", "ECOSYSTEM", "1.2_alpha2", "1.2_beta1", -1},
		{"apk more components", "Alpine:v3.20", "ECOSYSTEM", "1.2.1-r0", "1.2-r9", 1},
		{"apk numeric", "Alpine:v3.20", "ECOSYSTEM", "1.10.0-r0", "1.9.0-r0", 1},
		// RubyGems.
		{"gem prerelease", "RubyGems", "ECOSYSTEM", "1.0.0.pre", "1.0.0", -1},
		{"gem trailing zero", "RubyGems", "ECOSYSTEM", "1.0", "1.0.0", 0},
		{"gem numeric", "RubyGems", "ECOSYSTEM", "1.10", "1.9", 1},
		{"gem letters", "RubyGems", "ECOSYSTEM", "1.0.a", "1.0.b", -1},
		{"gem dash is pre", "RubyGems", "ECOSYSTEM", "1.0.0-rc1", "1.0.0", -1},
		{"gem zero below prerelease", "RubyGems", "ECOSYSTEM", "0", "0.a", -1},
		// NuGet.
		{"nuget four parts", "NuGet", "ECOSYSTEM", "1.0.0.1", "1.0.0", 1},
		{"nuget padding", "NuGet", "ECOSYSTEM", "1.0", "1.0.0.0", 0},
		{"nuget prerelease case", "NuGet", "ECOSYSTEM", "1.0.0-Beta", "1.0.0-beta", 0},
		{"nuget prerelease numeric", "NuGet", "ECOSYSTEM", "1.0.0-beta.2", "1.0.0-beta.11", -1},
		{"nuget metadata ignored", "NuGet", "ECOSYSTEM", "1.0.0+abc", "1.0.0", 0},
		// crates.io and other SemVer ecosystems.
		{"crates", "crates.io", "SEMVER", "0.9.0", "0.10.0", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := schemeFor(tt.ecosystem, tt.rangeType)
			if s == nil {
				t.Fatalf("no scheme for %s %s", tt.ecosystem, tt.rangeType)
			}
			a, err := s.parse(tt.a)
			if err != nil {
				t.Fatalf("parse %q: %v", tt.a, err)
			}
			b, err := s.parse(tt.b)
			if err != nil {
				t.Fatalf("parse %q: %v", tt.b, err)
			}
			if got := a.vulnCmp(b); got != tt.want {
				t.Errorf("%s: cmp(%q, %q) = %d, want %d", s.name(), tt.a, tt.b, got, tt.want)
			}
			if got := b.vulnCmp(a); got != -tt.want {
				t.Errorf("%s: cmp(%q, %q) = %d, want %d (antisymmetry)", s.name(), tt.b, tt.a, got, -tt.want)
			}
		})
	}
}

func TestVersionRejects(t *testing.T) {
	tests := []struct{ ecosystem, v string }{
		{"Go", "(devel)"},
		{"Go", "latest"},
		{"Go", "go1"},
		{"npm", "not-a-version"},
		{"PyPI", "1.0-$"},
		{"Alpine:v3.20", "1.2_unknown1-r0"},
		{"Alpine:v3.20", "-r1"},
		{"NuGet", "1.2.3.4.5"},
		{"RubyGems", "1.0$"},
		{"Debian:12", "a:1.0"},
	}
	for _, tt := range tests {
		s := schemeFor(tt.ecosystem, "ECOSYSTEM")
		if _, err := s.parse(tt.v); !errors.Is(err, ErrUnassessableVersion) {
			t.Errorf("%s parse(%q) = %v, want ErrUnassessableVersion", tt.ecosystem, tt.v, err)
		}
	}
	for _, eco := range []string{"OSS-Fuzz", "GitHub Actions", "Linux"} {
		if schemeFor(eco, "ECOSYSTEM") != nil {
			t.Errorf("%s has no version ordering in chaingate; vulnSchemeFor must say so", eco)
		}
	}
	for _, v := range []string{"", "UNKNOWN", "(devel)", " ", "devel +abc"} {
		if !IsUnknownVersion(v) {
			t.Errorf("vulnIsUnknownVersion(%q) = false", v)
		}
	}
}
