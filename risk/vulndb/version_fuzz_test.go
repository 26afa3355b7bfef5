package vulndb

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/sbom"
)

// testVersionSeeds returns real versions from testdata: the event and
// versions-list strings of the distro records and of the hand-written
// multi-ecosystem entries, and the operands of rpm's and apk-tools'
// ordering tables.
func testVersionSeeds(f *testing.F) []string {
	f.Helper()
	var out []string
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "osv-distro", "*.json"))
	more, _ := filepath.Glob(filepath.Join("..", "testdata", "osv", "other", "*.json"))
	for _, p := range append(files, more...) {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		var rec struct {
			Affected []struct {
				Ranges []struct {
					Events []map[string]string `json:"events"`
				} `json:"ranges"`
				Versions []string `json:"versions"`
			} `json:"affected"`
		}
		if err := json.Unmarshal(raw, &rec); err != nil {
			f.Fatalf("%s: %v", p, err)
		}
		for _, a := range rec.Affected {
			out = append(out, a.Versions...)
			for _, r := range a.Ranges {
				for _, e := range r.Events {
					for _, v := range e {
						out = append(out, v)
					}
				}
			}
		}
	}
	rpm, err := os.ReadFile(filepath.Join("..", "testdata", "osv-distro", "ordering", "rpmvercmp.at"))
	if err != nil {
		f.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?m)^RPMVERCMP\(([^,]*), ([^,]*),`).FindAllStringSubmatch(string(rpm), 40) {
		out = append(out, m[1], m[2])
	}
	apk, err := os.ReadFile(filepath.Join("..", "testdata", "osv-distro", "ordering", "apk-version.data"))
	if err != nil {
		f.Fatal(err)
	}
	for i, l := range strings.Split(string(apk), "\n") {
		if fl := strings.Fields(l); len(fl) == 3 && i%8 == 0 {
			out = append(out, fl[0], fl[2])
		}
	}
	return out
}

// FuzzVersionCompare: for every ecosystem, any two strings parse or fail
// with ErrUnassessableVersion, never panic, and parsed versions compare
// reflexively and antisymmetrically (the property range evaluation
// relies on when it sorts events).
func FuzzVersionCompare(f *testing.F) {
	seeds := testVersionSeeds(f)
	for i := 0; i+1 < len(seeds); i += 2 {
		f.Add(uint8(i), seeds[i], seeds[i+1])
	}
	f.Add(uint8(0), "1.0RC1", "1.0-p1")
	f.Add(uint8(1), "1.2.3+9", "1.2.3+10")
	ecos := make([]string, 0, len(schemes)+1)
	for e := range schemes {
		ecos = append(ecos, e)
	}
	ecos = append(ecos, "Go")
	slices.Sort(ecos)
	f.Fuzz(func(t *testing.T, pick uint8, a, b string) {
		eco := ecos[int(pick)%len(ecos)]
		s := schemeFor(eco, "ECOSYSTEM")
		va, errA := s.parse(a)
		vb, errB := s.parse(b)
		for _, err := range []error{errA, errB} {
			if err != nil && !strings.Contains(err.Error(), "cannot be assessed") {
				t.Fatalf("%s: error not ErrUnassessableVersion: %v", eco, err)
			}
		}
		if errA != nil || errB != nil {
			return
		}
		if va.vulnCmp(va) != 0 {
			t.Fatalf("%s: %q != itself", eco, a)
		}
		if x, y := va.vulnCmp(vb), vb.vulnCmp(va); x != -y {
			t.Fatalf("%s: cmp(%q, %q) = %d but cmp reversed = %d", eco, a, b, x, y)
		}
		// A component's version (parsed literally) against a range event.
		la, err := s.parseLiteral(a)
		if err != nil {
			if !strings.Contains(err.Error(), "cannot be assessed") {
				t.Fatalf("%s: literal error not ErrUnassessableVersion: %v", eco, err)
			}
			return
		}
		if a != "0" && la.vulnCmp(va) != 0 {
			t.Fatalf("%s: literal %q != event %q", eco, a, a)
		}
		if x, y := la.vulnCmp(vb), vb.vulnCmp(la); x != -y {
			t.Fatalf("%s: cmp(literal %q, %q) = %d but cmp reversed = %d", eco, a, b, x, y)
		}
	})
}

// FuzzEcosystemIdentify: any purl identifies or fails with
// ErrNoIdentity, never panics; an identified distro component's
// ecosystem is already canonical (the index key).
func FuzzEcosystemIdentify(f *testing.F) {
	for _, p := range []string{
		"pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&epoch=1&distro=rhel-9.4",
		"pkg:rpm/suse/openssl-3@3.0.8-150400.4.30.1?distro=sles-15-sp4&epoch=1",
		"pkg:rpm/opensuse/curl@8.9.1-1.1?distro=opensuse-tumbleweed-20240801",
		"pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3",
		"pkg:apk/wolfi/haproxy-3.1@3.1.6-r2?arch=x86_64",
		"pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.29?arch=amd64&upstream=openssl&distro=jammy",
		"pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&upstream=glibc&distro=bookworm",
		"pkg:composer/laravel/framework@v10.0.0-RC1",
		"pkg:swift/github.com/apple/swift-nio@2.40.0",
	} {
		f.Add(p)
	}
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "osv-distro", "USN-8847-1.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`"purl": "([^"]+)"`).FindAllStringSubmatch(string(raw), -1) {
		f.Add(m[1] + "&x=1")
	}
	f.Fuzz(func(t *testing.T, purl string) {
		c := sbom.Component{ID: "x", PURL: purl}
		id, err := Identify(&c)
		if err != nil {
			if !strings.Contains(err.Error(), "no OSV identity") {
				t.Fatalf("%q: error not ErrNoIdentity: %v", purl, err)
			}
			return
		}
		if got := ecosystemCanonical(id.Ecosystem); got != id.Ecosystem {
			t.Fatalf("%q: ecosystem %q is not canonical (%q)", purl, id.Ecosystem, got)
		}
	})
}

// FuzzEcosystemCanonical: canonicalising is idempotent, so the index key
// of a record and of WithEcosystems agree whatever spelling came first.
func FuzzEcosystemCanonical(f *testing.F) {
	for _, e := range []string{"Ubuntu:Pro:18.04:LTS", "Red Hat:enterprise_linux:9::appstream", "SUSE:Linux Enterprise Server 15 SP4-LTSS",
		"Alpine:3.20.1", "Photon OS:5", "Azure Linux:3.0", "debian:bookworm", "openSUSE:Leap 15.5", "Maven:https://repo1.maven.org/maven2/"} {
		f.Add(e)
	}
	f.Fuzz(func(t *testing.T, e string) {
		c := ecosystemCanonical(e)
		if c2 := ecosystemCanonical(c); c2 != c {
			t.Fatalf("ecosystemCanonical(%q) = %q, then %q", e, c, c2)
		}
	})
}
