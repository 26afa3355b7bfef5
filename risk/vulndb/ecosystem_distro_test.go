package vulndb

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/sbom"
)

// TestEcosystemCanonicalOSVNames maps ecosystem names as osv.dev writes
// them (and as users write them) to the index key.
func TestEcosystemCanonicalOSVNames(t *testing.T) {
	for in, want := range map[string]string{
		"Debian:12":                             "Debian:12",
		"Debian:12.5":                           "Debian:12",
		"debian:bookworm":                       "Debian:12",
		"Ubuntu:22.04:LTS":                      "Ubuntu:22.04",
		"Ubuntu:24.10":                          "Ubuntu:24.10",
		"Ubuntu:Pro:18.04:LTS":                  "Ubuntu:Pro:18.04",
		"Ubuntu:Pro:FIPS-updates:20.04:LTS":     "Ubuntu:Pro:FIPS-updates:20.04",
		"Alpine:v3.20":                          "Alpine:v3.20",
		"Alpine:3.20.1":                         "Alpine:v3.20",
		"Alpine:edge":                           "Alpine:edge",
		"Red Hat:enterprise_linux:9::appstream": "Red Hat:enterprise_linux:9",
		"Red Hat:enterprise_linux:9::baseos":    "Red Hat:enterprise_linux:9",
		"Red Hat:enterprise_linux:8::crb":       "Red Hat:enterprise_linux:8",
		"Red Hat:rhel_eus:9.4::appstream":       "Red Hat:rhel_eus:9.4",
		"red hat":                               "Red Hat",
		"AlmaLinux:9":                           "AlmaLinux:9",
		"AlmaLinux:9.4":                         "AlmaLinux:9",
		"Rocky Linux:9":                         "Rocky Linux:9",
		"SUSE:Linux Enterprise Server 15 SP5":   "SUSE:Linux Enterprise 15 SP5",
		"SUSE:Linux Enterprise Module for Basesystem 15 SP5": "SUSE:Linux Enterprise 15 SP5",
		"SUSE:Linux Enterprise Server 15 SP4-LTSS":           "SUSE:Linux Enterprise 15 SP4",
		"SUSE:Linux Enterprise Server 12":                    "SUSE:Linux Enterprise 12",
		"SUSE:Linux Enterprise Micro 5.5":                    "SUSE:Linux Enterprise Micro 5.5",
		"SUSE:Manager Server 4.3":                            "SUSE:Manager Server 4.3",
		"openSUSE:Leap 15.5":                                 "openSUSE:Leap 15.5",
		"openSUSE:Tumbleweed":                                "openSUSE:Tumbleweed",
		"Photon OS:5.0":                                      "Photon OS:5.0",
		"Photon OS:5":                                        "Photon OS:5.0",
		"Mageia:9":                                           "Mageia:9",
		"Azure Linux:3":                                      "Azure Linux:3",
		"Azure Linux:3.0":                                    "Azure Linux:3",
		"mariner:2.0":                                        "Azure Linux:2",
		"openEuler:24.03-LTS":                                "openEuler:24.03-LTS",
		"Wolfi":                                              "Wolfi",
		"Chainguard":                                         "Chainguard",
		"Maven:https://repo1.maven.org/maven2/":              "Maven",
		"golang":                                             "Go",
		"PYPI":                                               "PyPI",
		"Hex":                                                "Hex",
		"Packagist":                                          "Packagist",
		"CRAN":                                               "CRAN",
		"Hackage":                                            "Hackage",
		"SwiftURL":                                           "SwiftURL",
		"ConanCenter":                                        "ConanCenter",
		"Not An Ecosystem:1":                                 "Not An Ecosystem:1",
	} {
		if got := ecosystemCanonical(in); got != want {
			t.Errorf("ecosystemCanonical(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEcosystemDistroPURLs identifies components from the purls SBOM
// tools write for distro packages (syft, trivy, osv-scalibr spellings).
func TestEcosystemDistroPURLs(t *testing.T) {
	tests := []struct{ purl, eco, name, version string }{
		{"pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm&distro=rhel-9.4", "Red Hat:enterprise_linux:9", "openssl-libs", "1:3.0.7-27.el9"},
		{"pkg:rpm/redhat/sudo@1.9.5p2-9.el9?arch=x86_64&distro=rhel-9", "Red Hat:enterprise_linux:9", "sudo", "1.9.5p2-9.el9"},
		{"pkg:rpm/almalinux/openssl@3.0.1-38.el9_0?epoch=1&distro=almalinux-9.0", "AlmaLinux:9", "openssl", "1:3.0.1-38.el9_0"},
		{"pkg:rpm/rocky/bash@5.1.8-9.el9?arch=x86_64&distro=rocky-9.3", "Rocky Linux:9", "bash", "5.1.8-9.el9"},
		{"pkg:rpm/suse/openssl-3@3.0.8-150500.5.8.1?arch=x86_64&distro=sles-15.5", "SUSE:Linux Enterprise 15 SP5", "openssl-3", "3.0.8-150500.5.8.1"},
		{"pkg:rpm/suse/openssl-3@3.0.8-150400.4.30.1?distro=sles-15-sp4&epoch=1", "SUSE:Linux Enterprise 15 SP4", "openssl-3", "3.0.8-150400.4.30.1"},
		{"pkg:rpm/opensuse/curl@8.0.1-150400.5.41.1?distro=opensuse-leap-15.5", "openSUSE:Leap 15.5", "curl", "8.0.1-150400.5.41.1"},
		{"pkg:rpm/opensuse/curl@8.9.1-1.1?distro=opensuse-tumbleweed-20240801", "openSUSE:Tumbleweed", "curl", "8.9.1-1.1"},
		{"pkg:rpm/mageia/nginx@1.24.0-1.mga9?distro=mageia-9", "Mageia:9", "nginx", "1.24.0-1.mga9"},
		{"pkg:rpm/photon/openssl@3.0.13-5.ph5?distro=photon-5.0", "Photon OS:5.0", "openssl", "3.0.13-5.ph5"},
		{"pkg:rpm/azurelinux/openssl@3.3.2-1.azl3?distro=azurelinux-3.0", "Azure Linux:3", "openssl", "3.3.2-1.azl3"},
		{"pkg:rpm/mariner/openssl@1.1.1k-29.cm2?distro=mariner-2.0", "Azure Linux:2", "openssl", "1.1.1k-29.cm2"},
		{"pkg:rpm/openeuler/openssl@3.0.12-5.oe2403?distro=openeuler-24.03-lts", "openEuler:24.03-LTS", "openssl", "3.0.12-5.oe2403"},
		{"pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3", "Alpine:v3.20", "musl", "1.2.5-r0"},
		{"pkg:apk/alpine/musl@1.2.5-r0?distro=v3.20", "Alpine:v3.20", "musl", "1.2.5-r0"},
		{"pkg:apk/alpine/musl@1.2.5-r10?distro=alpine-edge", "Alpine:edge", "musl", "1.2.5-r10"},
		{"pkg:apk/wolfi/haproxy-3.1@3.1.6-r2?arch=x86_64", "Wolfi", "haproxy-3.1", "3.1.6-r2"},
		{"pkg:apk/chainguard/haproxy-3.1@3.1.6-r2?arch=x86_64&distro=chainguard-20230214", "Chainguard", "haproxy-3.1", "3.1.6-r2"},
		{"pkg:deb/debian/dpkg@1.18.25?distro=debian-9.13", "Debian:9", "dpkg", "1.18.25"},
		{"pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&upstream=glibc&distro=bookworm", "Debian:12", "glibc", "2.36-9+deb12u4"},
		{"pkg:deb/debian/bind9@9.18.28-1~deb12u2?epoch=1&distro=debian-12", "Debian:12", "bind9", "1:9.18.28-1~deb12u2"},
		{"pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.29?arch=amd64&upstream=openssl&distro=ubuntu-22.04", "Ubuntu:22.04", "openssl", "3.0.2-0ubuntu1.29"},
		{"pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.29?distro=jammy", "Ubuntu:22.04", "openssl", "3.0.2-0ubuntu1.29"},
		{"pkg:deb/ubuntu/openssl@3.0.13-0ubuntu3.15?distro=ubuntu-noble", "Ubuntu:24.04", "openssl", "3.0.13-0ubuntu3.15"},
		{"pkg:composer/laravel/framework@v10.0.0-RC1", "Packagist", "laravel/framework", "v10.0.0-RC1"},
		{"pkg:pub/http@1.2.0", "Pub", "http", "1.2.0"},
		{"pkg:cran/ggplot2@3.4.0", "CRAN", "ggplot2", "3.4.0"},
		{"pkg:hackage/aeson@2.1.2.1", "Hackage", "aeson", "2.1.2.1"},
		{"pkg:swift/github.com/apple/swift-nio@2.40.0", "SwiftURL", "github.com/apple/swift-nio", "2.40.0"},
		{"pkg:conan/openssl@3.0.8", "ConanCenter", "openssl", "3.0.8"},
		{"pkg:hex/plug@1.14.0", "Hex", "plug", "1.14.0"},
	}
	for _, tt := range tests {
		c := sbom.Component{ID: "x", PURL: tt.purl}
		id, err := Identify(&c)
		if err != nil {
			t.Errorf("%s: %v", tt.purl, err)
			continue
		}
		if id.Ecosystem != tt.eco || id.Name != tt.name || id.Version != tt.version {
			t.Errorf("%s:\n got %q %q %q\nwant %q %q %q", tt.purl, id.Ecosystem, id.Name, id.Version, tt.eco, tt.name, tt.version)
		}
	}
	amzn := sbom.Component{ID: "x", PURL: "pkg:rpm/amazon/openssl@3.0.8-1.amzn2023.0.12?epoch=1&distro=amzn-2023",
		Properties: []sbom.Property{{Name: PropertyOSVEcosystem, Value: "Amazon Linux:2023"}}}
	if id, err := Identify(&amzn); err != nil || id.Ecosystem != "Amazon Linux:2023" || id.Version != "3.0.8-1.amzn2023.0.12" {
		t.Errorf("Amazon Linux through PropertyOSVEcosystem: %+v, %v", id, err)
	}
	for purl, why := range map[string]string{
		"pkg:rpm/redhat/sudo@1.9.5p2-9.el9":                 "names no distro release",
		"pkg:rpm/fedora/curl@8.0.1-1.fc38?distro=fedora-38": `distro "fedora-38" has no OSV ecosystem`,
		"pkg:apk/alpine/musl@1.2.5-r0":                      "names no distro release",
	} {
		c := sbom.Component{ID: "x", PURL: purl}
		_, err := Identify(&c)
		if !errors.Is(err, ErrNoIdentity) || !strings.Contains(err.Error(), why) || !strings.Contains(err.Error(), purl) {
			t.Errorf("%s: %v, want ErrNoIdentity naming the purl and %q", purl, err, why)
		}
	}
}

// TestWithEcosystemsSuffixes filters a multi-distro database by names
// as osv.dev writes them, shorter prefixes and user spellings.
func TestWithEcosystemsSuffixes(t *testing.T) {
	dir := filepath.Join("..", "testdata", "osv-distro")
	tests := []struct {
		names []string
		want  []string
	}{
		{[]string{"Ubuntu:22.04:LTS"}, []string{"USN-8847-1"}},
		{[]string{"Ubuntu"}, []string{"USN-8847-1"}},
		{[]string{"Ubuntu:20.04:LTS"}, nil},
		{[]string{"Red Hat:enterprise_linux:9::appstream"}, []string{"RHSA-2025:9978"}},
		{[]string{"Red Hat"}, []string{"RHSA-2025:9978"}},
		{[]string{"Red Hat:enterprise_linux:8"}, nil},
		{[]string{"Alpine:v3.20"}, []string{"ALPINE-CVE-2025-26519"}},
		{[]string{"alpine:3.20.3"}, []string{"ALPINE-CVE-2025-26519"}},
		{[]string{"AlmaLinux:9.4", "debian:stretch"}, []string{"ALSA-2022:6224", "DLA-3022-1"}},
		{[]string{"SUSE:Linux Enterprise Server 15 SP5"}, []string{"CHAINGATE-TEST-SUSE-0001"}},
		{[]string{"openSUSE"}, []string{"CHAINGATE-TEST-SUSE-0001"}},
		{[]string{"Wolfi"}, []string{"CGA-test-1234"}},
	}
	for _, tt := range tests {
		db, err := Load(dir, WithEcosystems(tt.names...))
		if err != nil {
			t.Fatal(err)
		}
		if got := testIDs(db); !slices.Equal(got, tt.want) {
			t.Errorf("WithEcosystems(%q) kept %v, want %v", tt.names, got, tt.want)
		}
	}
	// The Ubuntu filter keeps only the 22.04 entry of the record.
	db, err := Load(dir, WithEcosystems("Ubuntu:22.04:LTS"))
	if err != nil {
		t.Fatal(err)
	}
	if info := db.Info(); !slices.Equal(info.Ecosystems, []string{"Ubuntu:22.04"}) {
		t.Errorf("ecosystems after filter: %v", info.Ecosystems)
	}
}
