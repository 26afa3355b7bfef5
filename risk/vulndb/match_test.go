package vulndb

import (
	"errors"
	"slices"
	"testing"

	"github.com/chaingate/chaingate/sbom"
)

// TestMatchRangeSemantics checks the OSV range rules on hand-made
// affected[] elements.
func TestMatchRangeSemantics(t *testing.T) {
	ev := func(k eventKind, v string) event { return event{k, v} }
	tests := []struct {
		name      string
		ecosystem string
		a         affected
		version   string
		want      bool
		rng       string
		fixed     []string
	}{
		{"introduced 0 fixed", "Go", affected{Ranges: []affectedRange{{"SEMVER", []event{ev(eventIntroduced, "0"), ev(eventFixed, "1.2.0")}}}}, "v1.1.9", true, ">=0, <1.2.0", []string{"1.2.0"}},
		{"at fixed", "Go", affected{Ranges: []affectedRange{{"SEMVER", []event{ev(eventIntroduced, "0"), ev(eventFixed, "1.2.0")}}}}, "v1.2.0", false, "", nil},
		{"before introduced", "Go", affected{Ranges: []affectedRange{{"SEMVER", []event{ev(eventIntroduced, "1.1.0"), ev(eventFixed, "1.2.0")}}}}, "v1.0.0", false, "", nil},
		{"unsorted events", "Go", affected{Ranges: []affectedRange{{"SEMVER", []event{ev(eventFixed, "1.5.0"), ev(eventIntroduced, "1.4.0"), ev(eventFixed, "1.2.0"), ev(eventIntroduced, "0")}}}}, "v1.4.2", true, ">=1.4.0, <1.5.0", []string{"1.5.0"}},
		{"between ranges", "Go", affected{Ranges: []affectedRange{{"SEMVER", []event{ev(eventFixed, "1.5.0"), ev(eventIntroduced, "1.4.0"), ev(eventFixed, "1.2.0"), ev(eventIntroduced, "0")}}}}, "v1.3.0", false, "", nil},
		{"last_affected inclusive", "npm", affected{Ranges: []affectedRange{{"ECOSYSTEM", []event{ev(eventIntroduced, "1.0.0"), ev(eventLastAffected, "1.4.2")}}}}, "1.4.2", true, ">=1.0.0, <=1.4.2", nil},
		{"after last_affected", "npm", affected{Ranges: []affectedRange{{"ECOSYSTEM", []event{ev(eventIntroduced, "1.0.0"), ev(eventLastAffected, "1.4.2")}}}}, "1.4.3", false, "", nil},
		{"open range", "Go", affected{Ranges: []affectedRange{{"SEMVER", []event{ev(eventIntroduced, "0")}}}}, "v9.9.9", true, ">=0", nil},
		{"limit bounds", "crates.io", affected{Ranges: []affectedRange{{"SEMVER", []event{ev(eventIntroduced, "0.2.7"), ev(eventLimit, "0.3.0")}}}}, "0.3.1", false, "", nil},
		{"below limit", "crates.io", affected{Ranges: []affectedRange{{"SEMVER", []event{ev(eventIntroduced, "0.2.7"), ev(eventLimit, "0.3.0")}}}}, "0.2.9", true, ">=0.2.7", nil},
		{"versions list", "PyPI", affected{Versions: []string{"2.10", "2.9.6"}}, "2.9.6", true, "versions list: 2.9.6", nil},
		{"versions list equal version", "PyPI", affected{Versions: []string{"2.10"}}, "2.10.0", true, "versions list: 2.10", nil},
		{"versions list Go prefix", "Go", affected{Versions: []string{"1.2.3"}}, "v1.2.3", true, "versions list: 1.2.3", nil},
		{"versions list miss", "PyPI", affected{Versions: []string{"2.10"}}, "2.10.1", false, "", nil},
		{"GIT ranges ignored", "Go", affected{Ranges: []affectedRange{{"GIT", []event{ev(eventIntroduced, "abc")}}}}, "v1.0.0", false, "", nil},
		{"pre-release inside", "Go", affected{Ranges: []affectedRange{{"SEMVER", []event{ev(eventIntroduced, "1.22.0-0"), ev(eventFixed, "1.22.2")}}}}, "v1.22.0-rc.1", true, ">=1.22.0-0, <1.22.2", []string{"1.22.2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := matchAffected(&tt.a, tt.ecosystem, tt.version)
			if err != nil {
				t.Fatal(err)
			}
			if m.Affected != tt.want || m.Rng != tt.rng || !slices.Equal(m.Fixed, tt.fixed) {
				t.Errorf("got affected=%v range=%q fixed=%v; want %v %q %v", m.Affected, m.Rng, m.Fixed, tt.want, tt.rng, tt.fixed)
			}
		})
	}
}

func TestMatchErrors(t *testing.T) {
	a := affected{Ranges: []affectedRange{{"ECOSYSTEM", []event{{eventIntroduced, "0"}}}}}
	if _, err := matchAffected(&a, "OSS-Fuzz", "1.0"); !errors.Is(err, ErrUnsupportedEcosystem) {
		t.Errorf("unsupported ecosystem: %v", err)
	}
	if _, err := matchAffected(&a, "npm", "x.y"); !errors.Is(err, ErrUnassessableVersion) {
		t.Errorf("bad version: %v", err)
	}
	bad := affected{Ranges: []affectedRange{{"SEMVER", []event{{eventIntroduced, "0"}, {eventFixed, "not-a-version"}}}}}
	if _, err := matchAffected(&bad, "Go", "v1.0.0"); err == nil {
		t.Error("a range whose events do not parse must not silently pass")
	}
}

func TestEcosystemIdentify(t *testing.T) {
	tests := []struct {
		purl, eco, name, version string
	}{
		{"pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azcore@v1.9.0", "Go", "github.com/Azure/azure-sdk-for-go/sdk/azcore", "v1.9.0"},
		{"pkg:golang/github.com/docker/docker@v24.0.5%2Bincompatible", "Go", "github.com/docker/docker", "v24.0.5+incompatible"},
		{"pkg:golang/stdlib@go1.26.8", "Go", "stdlib", "go1.26.8"},
		{"pkg:npm/%40babel/core@7.0.0", "npm", "@babel/core", "7.0.0"},
		{"pkg:pypi/Django_REST.framework@3.0", "PyPI", "django-rest-framework", "3.0"},
		{"pkg:maven/org.apache.commons/commons-text@1.9", "Maven", "org.apache.commons:commons-text", "1.9"},
		{"pkg:nuget/Newtonsoft.Json@13.0.1", "NuGet", "newtonsoft.json", "13.0.1"},
		{"pkg:cargo/Serde@1.0.0", "crates.io", "serde", "1.0.0"},
		{"pkg:gem/Rack@2.0", "RubyGems", "Rack", "2.0"},
		{"pkg:composer/Laravel/Framework@9.0", "Packagist", "laravel/framework", "9.0"},
		{"pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12.5", "Debian:12", "bash", "5.2.15-2+b2"},
		{"pkg:deb/ubuntu/bash@5.1-6ubuntu1?distro=ubuntu-22.04", "Ubuntu:22.04", "bash", "5.1-6ubuntu1"},
		{"pkg:apk/alpine/busybox@1.36.1-r29?distro=alpine-3.20.3", "Alpine:v3.20", "busybox", "1.36.1-r29"},
		{"pkg:apk/alpine/busybox@1.36.1-r29?distro=3.19.0", "Alpine:v3.19", "busybox", "1.36.1-r29"},
	}
	for _, tt := range tests {
		c := sbom.Component{ID: "x", PURL: tt.purl}
		id, err := Identify(&c)
		if err != nil {
			t.Errorf("%s: %v", tt.purl, err)
			continue
		}
		if id.Ecosystem != tt.eco || id.Name != tt.name || id.Version != tt.version {
			t.Errorf("%s: got %+v, want %s %s %s", tt.purl, id, tt.eco, tt.name, tt.version)
		}
	}
	for _, bad := range []string{"", "npm/lodash", "pkg:", "pkg:golang", "pkg:deb/debian/bash@1.0", "pkg:github/foo/bar@1", "pkg:golang/%zz@v1"} {
		c := sbom.Component{ID: "x", PURL: bad}
		if _, err := Identify(&c); !errors.Is(err, ErrNoIdentity) {
			t.Errorf("%q: %v, want ErrNoIdentity", bad, err)
		}
	}
	for in, want := range map[string]string{"Alpine:v3.20": "Alpine:v3.20", "alpine:3.20.1": "Alpine:v3.20", "Debian:12.5": "Debian:12", "Ubuntu:22.04:LTS": "Ubuntu:22.04", "golang": "Go", "Hex": "Hex"} {
		if got := ecosystemCanonical(in); got != want {
			t.Errorf("ecosystemCanonical(%q) = %q, want %q", in, got, want)
		}
	}
}
