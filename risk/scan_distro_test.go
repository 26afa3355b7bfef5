package risk

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

// TestScanEveryEcosystemOrdering writes OSV records with ECOSYSTEM
// ranges for every ecosystem chaingate orders and checks, through Scan
// and real purls, the versions just below and at each fix: the cases
// where the ecosystem's own rules differ from plain SemVer.
func TestScanEveryEcosystemOrdering(t *testing.T) {
	type probe struct {
		version string
		hit     bool
	}
	cases := []struct {
		eco, name, introduced, fixed string
		purl                         string // with %s for the version
		probes                       []probe
	}{
		{"Packagist", "laravel/framework", "0", "10.0.0", "pkg:composer/laravel/framework@%s",
			[]probe{{"v10.0.0-RC1", true}, {"10.0.0-beta2", true}, {"10.0", false}, {"10.0.0.0", false}, {"9.52.16", true}}},
		{"Packagist", "drupal/core", "8.0.0", "10.1.8", "pkg:composer/drupal/core@%s",
			[]probe{{"10.1.7-p1", true}, {"10.1.8-Beta1", true}, {"10.1.8-p1", false}, {"7.98", false}}},
		{"Pub", "http", "0", "1.2.0+2", "pkg:pub/http@%s",
			[]probe{{"1.2.0", true}, {"1.2.0+1", true}, {"1.2.0+10", false}, {"1.2.0-dev", true}}},
		{"CRAN", "ggplot2", "0", "3.4.0", "pkg:cran/ggplot2@%s",
			[]probe{{"3.3-6", true}, {"3.4-0", false}, {"3.10.0", false}}},
		{"Hackage", "aeson", "0", "2.0.1.0", "pkg:hackage/aeson@%s",
			[]probe{{"2.0.0.9", true}, {"2.0.1", true}, {"2.0.1.0", false}, {"2.0.10", false}}},
		{"SwiftURL", "github.com/apple/swift-nio", "2.29.0", "2.29.1", "pkg:swift/github.com/apple/swift-nio@%s",
			[]probe{{"2.29.0", true}, {"2.29.1", false}, {"2.3.0", false}}},
		{"ConanCenter", "openssl", "3.0.0", "3.0.8", "pkg:conan/openssl@%s",
			[]probe{{"3.0.7", true}, {"3.0.10", false}, {"1.1.1t", false}}},
		{"Hex", "plug", "1.14.0", "1.14.2", "pkg:hex/plug@%s",
			[]probe{{"1.14.1", true}, {"1.14.2-rc.1", true}, {"1.14.2", false}, {"1.14.2+build", false}}},
		{"crates.io", "time", "0.2.0", "0.2.23", "pkg:cargo/time@%s",
			[]probe{{"0.2.9", true}, {"0.2.23-alpha.1", true}, {"0.2.23", false}}},
		{"npm", "lodash", "4.0.0", "4.17.21", "pkg:npm/lodash@%s",
			[]probe{{"4.17.9", true}, {"4.17.21-beta.1", true}, {"4.17.21", false}}},
		{"PyPI", "django", "4.2", "4.2.14", "pkg:pypi/django@%s",
			[]probe{{"4.2rc1", false}, {"4.2", true}, {"4.2.14rc1", true}, {"4.2.14", false}, {"4.2.14.post1", false}}},
		{"Maven", "org.example:lib", "2.0", "2.1", "pkg:maven/org.example/lib@%s",
			[]probe{{"2.1-SNAPSHOT", true}, {"2.1-rc1", true}, {"2.1.Final", false}, {"2.0-sp1", true}}},
		{"RubyGems", "rack", "3.0.0", "3.0.4.2", "pkg:gem/rack@%s",
			[]probe{{"3.0.4.1", true}, {"3.0.4.2.pre", true}, {"3.0.4.2", false}, {"3.0.0.beta1", false}}},
		{"NuGet", "Newtonsoft.Json", "0", "13.0.1", "pkg:nuget/Newtonsoft.Json@%s",
			[]probe{{"13.0.0.1", true}, {"13.0.1-BETA1", true}, {"13.0.1", false}}},
		{"Rocky Linux:9", "bash", "0", "5.1.8-9.el9", "pkg:rpm/rocky/bash@%s?distro=rocky-9.3",
			[]probe{{"5.1.8-6.el9_1", true}, {"5.1.8-9.el9", false}, {"5.1.8~rc1-9.el9", true}}},
		{"Mageia:9", "nginx", "0", "1.24.0-1.1.mga9", "pkg:rpm/mageia/nginx@%s?distro=mageia-9",
			[]probe{{"1.24.0-1.mga9", true}, {"1.24.0-1.1.mga9", false}}},
		{"Photon OS:5.0", "openssl", "0", "3.0.13-5.ph5", "pkg:rpm/photon/openssl@%s?distro=photon-5.0",
			[]probe{{"3.0.13-4.ph5", true}, {"3.0.14-1.ph5", false}}},
		{"Azure Linux:3", "openssl", "0", "3.3.2-1.azl3", "pkg:rpm/azurelinux/openssl@%s?distro=azurelinux-3.0",
			[]probe{{"3.3.0-2.azl3", true}, {"3.3.2-1.azl3", false}}},
		{"openEuler:24.03-LTS", "openssl", "0", "3.0.12-6.oe2403", "pkg:rpm/openeuler/openssl@%s?distro=openeuler-24.03-LTS",
			[]probe{{"3.0.12-5.oe2403", true}, {"3.0.12-6.oe2403", false}}},
		{"openSUSE:Tumbleweed", "curl", "0", "8.9.1-2.1", "pkg:rpm/opensuse/curl@%s?distro=opensuse-tumbleweed",
			[]probe{{"8.9.1-1.1", true}, {"8.10.0-1.1", false}}},
		{"Chainguard", "curl", "0", "8.9.1-r1", "pkg:apk/chainguard/curl@%s",
			[]probe{{"8.9.1-r0", true}, {"8.9.1_p1-r0", false}}},
	}
	dir := t.TempDir()
	doc := &sbom.Document{}
	type want struct {
		hit bool
		id  string
	}
	wants := map[string]want{}
	for i, c := range cases {
		id := "CHAINGATE-ORDER-" + strings.ReplaceAll(strings.ReplaceAll(c.eco, ":", "-"), " ", "-") + "-" + string(rune('a'+i))
		rec := map[string]any{
			"id": id, "modified": "2026-01-01T00:00:00Z",
			"affected": []any{map[string]any{
				"package": map[string]string{"ecosystem": c.eco, "name": c.name},
				"ranges": []any{map[string]any{"type": "ECOSYSTEM", "events": []any{
					map[string]string{"introduced": c.introduced}, map[string]string{"fixed": c.fixed}}}},
			}},
		}
		b, _ := json.Marshal(rec)
		if err := os.WriteFile(filepath.Join(dir, id+".json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		for j, p := range c.probes {
			cid := id + "/" + p.version + "/" + string(rune('0'+j))
			doc.Components = append(doc.Components, testComp(cid, strings.Replace(c.purl, "%s", p.version, 1)))
			wants[cid] = want{p.hit, id}
		}
	}
	db, err := vulndb.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Scan(context.Background(), doc, db)
	if err != nil {
		t.Fatal(err)
	}
	for cid, w := range wants {
		got := testFindingIDs(rep, cid)
		if w.hit != slices.Equal(got, []string{w.id}) || (!w.hit && len(got) != 0) {
			t.Errorf("%s: findings %v, want affected=%v", cid, got, w.hit)
		}
		if u := testUnassessed(rep, cid); u != nil {
			t.Errorf("%s unassessed: %s", cid, u.Reason)
		}
	}
}

// TestScanDistroRecords scans components with real distro purls against
// the distro records in testdata/osv-distro (real osv.dev records, and
// records in the published layout where no real one was available
// offline; see its README).
func TestScanDistroRecords(t *testing.T) {
	db, err := vulndb.Load(filepath.Join("testdata", "osv-distro"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		id, purl string
		want     string // OSV id, or "" for no finding
		fixed    string
	}{
		// AlmaLinux ALSA-2022:6224: fixed 1:3.0.1-41.el9_0, binary package names.
		{"alma-libs", "pkg:rpm/almalinux/openssl-libs@3.0.1-38.el9_0?arch=x86_64&epoch=1&distro=almalinux-9.0", "ALSA-2022:6224", "1:3.0.1-41.el9_0"},
		{"alma-fixed", "pkg:rpm/almalinux/openssl-libs@3.0.1-41.el9_0?arch=x86_64&epoch=1&distro=almalinux-9.0", "", ""},
		// Without the purl's epoch, 3.0.7 would sort below 1:3.0.1 and match.
		{"alma-newer-epoch", "pkg:rpm/almalinux/openssl@3.0.7-27.el9?epoch=1&distro=almalinux-9.4", "", ""},
		{"alma-8", "pkg:rpm/almalinux/openssl@1.1.1k-7.el8_6?epoch=1&distro=almalinux-8.6", "", ""},
		// Red Hat RHSA-2025:9978: appstream and baseos entries, one finding.
		{"rhel-sudo", "pkg:rpm/redhat/sudo@1.9.5p2-9.el9?arch=x86_64&distro=rhel-9.4", "RHSA-2025:9978", "0:1.9.5p2-10.el9_6.1"},
		{"rhel-sudo-fixed", "pkg:rpm/redhat/sudo@1.9.5p2-10.el9_6.1?arch=x86_64&distro=rhel-9.6", "", ""},
		{"rhel-sudo-8", "pkg:rpm/redhat/sudo@1.9.5p2-1.el8?distro=rhel-8.10", "", ""},
		// Alpine ALPINE-CVE-2025-26519: a fix per release.
		{"alpine-320", "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3", "ALPINE-CVE-2025-26519", "1.2.5-r1"},
		{"alpine-320-fixed", "pkg:apk/alpine/musl@1.2.5-r1?arch=x86_64&distro=alpine-3.20.3", "", ""},
		{"alpine-319-git", "pkg:apk/alpine/musl@1.2.4_git20230717-r4?distro=alpine-3.19.1", "ALPINE-CVE-2025-26519", "1.2.4_git20230717-r5"},
		{"alpine-319-fixed", "pkg:apk/alpine/musl@1.2.4_git20230717-r5?distro=alpine-3.19.1", "", ""},
		{"alpine-before-intro", "pkg:apk/alpine/musl@0.9.12-r0?distro=alpine-3.22.0", "", ""},
		{"alpine-322", "pkg:apk/alpine/musl@1.2.5-r9?distro=alpine-3.22.0", "ALPINE-CVE-2025-26519", "1.2.5-r10"},
		// Debian DLA-3022-1 (Debian:9).
		{"deb-dpkg", "pkg:deb/debian/dpkg@1.18.25?arch=amd64&distro=debian-9.13", "DLA-3022-1", "1.18.26"},
		{"deb-dpkg-codename", "pkg:deb/debian/dpkg@1.18.24?distro=stretch", "DLA-3022-1", "1.18.26"},
		{"deb-dpkg-fixed", "pkg:deb/debian/dpkg@1.18.26?distro=debian-9", "", ""},
		{"deb-dpkg-10", "pkg:deb/debian/dpkg@1.18.25?distro=debian-10", "", ""},
		// Ubuntu USN-8847-1: release from "ubuntu-22.04" or the codename,
		// binary package to source package through "upstream".
		{"ubuntu-openssl", "pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.29?arch=amd64&distro=ubuntu-22.04", "USN-8847-1", "3.0.2-0ubuntu1.30"},
		{"ubuntu-libssl", "pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.10?arch=amd64&upstream=openssl&distro=jammy", "USN-8847-1", "3.0.2-0ubuntu1.30"},
		{"ubuntu-fixed", "pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.30?distro=ubuntu-22.04", "", ""},
		{"ubuntu-2404", "pkg:deb/ubuntu/openssl@3.0.13-0ubuntu3.15?distro=ubuntu-24.04", "USN-8847-1", "3.0.13-0ubuntu3.16"},
		{"ubuntu-2404-fixed", "pkg:deb/ubuntu/openssl@3.0.13-0ubuntu3.16?distro=noble", "", ""},
		// SUSE: a SLES 15 SP5 host gets the Basesystem module's records;
		// SP4 the LTSS ones; openSUSE Leap its own.
		{"sles-155", "pkg:rpm/suse/openssl-3@3.0.8-150500.5.8.1?arch=x86_64&distro=sles-15.5", "CHAINGATE-TEST-SUSE-0001", "3.0.8-150500.5.42.1"},
		{"sles-155-fixed", "pkg:rpm/suse/openssl-3@3.0.8-150500.5.42.1?distro=sles-15.5", "", ""},
		{"sles-154", "pkg:rpm/suse/openssl-3@3.0.8-150400.4.30.1?distro=sles-15-sp4", "CHAINGATE-TEST-SUSE-0001", "3.0.8-150400.4.63.1"},
		{"leap-155", "pkg:rpm/opensuse/openssl-3@3.0.8-150500.5.8.1?distro=opensuse-leap-15.5", "CHAINGATE-TEST-SUSE-0001", "3.0.8-150500.5.42.1"},
		{"sles-156", "pkg:rpm/suse/openssl-3@3.0.8-150600.5.8.1?distro=sles-15.6", "", ""},
		// Wolfi and Chainguard (no release suffix).
		{"wolfi", "pkg:apk/wolfi/haproxy-3.1@3.1.6-r2?arch=x86_64", "CGA-test-1234", "3.1.7-r0"},
		{"wolfi-fixed", "pkg:apk/wolfi/haproxy-3.1@3.1.7-r0?arch=x86_64", "", ""},
		{"chainguard", "pkg:apk/chainguard/haproxy-3.1@3.1.6-r2?arch=x86_64", "CGA-test-1234", "3.1.7-r0"},
	}
	doc := &sbom.Document{}
	for _, c := range cases {
		doc.Components = append(doc.Components, testComp(c.id, c.purl))
	}
	rep, err := Scan(context.Background(), doc, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		got := testFindingIDs(rep, c.id)
		if c.want == "" {
			if len(got) != 0 {
				t.Errorf("%s (%s): unexpected %v", c.id, c.purl, got)
			}
		} else if !slices.Equal(got, []string{c.want}) {
			t.Errorf("%s (%s): got %v, want [%s]", c.id, c.purl, got, c.want)
		} else if f := testFinding(rep, c.id, c.want); !slices.Contains(f.Fixed, c.fixed) {
			t.Errorf("%s: fixed %v, want %s", c.id, f.Fixed, c.fixed)
		}
		if u := testUnassessed(rep, c.id); u != nil {
			t.Errorf("%s unassessed: %s", c.id, u.Reason)
		}
	}
}
