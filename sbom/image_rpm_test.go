package sbom

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/internal/catalog/catalogtest"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

func TestRPMOSVEcosystem(t *testing.T) {
	for _, tc := range []struct {
		osRelease, want, purlDistro string
	}{
		{"ID=\"rhel\"\nVERSION_ID=\"9.4\"\n", "Red Hat", "rhel-9.4"},
		{"ID=\"almalinux\"\nVERSION_ID=\"9.3\"\n", "AlmaLinux:9", "almalinux-9.3"},
		{"ID=\"rocky\"\nVERSION_ID=\"8.9\"\n", "Rocky Linux:8", "rocky-8.9"},
		{"ID=\"sles\"\nVERSION_ID=\"15.4\"\n", "SUSE:Linux Enterprise Server 15 SP4", "sles-15.4"},
		{"ID=\"sles\"\nVERSION_ID=\"15\"\n", "SUSE:Linux Enterprise Server 15", "sles-15"},
		{"ID=\"opensuse-leap\"\nVERSION_ID=\"15.5\"\n", "openSUSE:Leap 15.5", "opensuse-leap-15.5"},
		{"ID=\"opensuse-tumbleweed\"\nVERSION_ID=\"20240101\"\n", "openSUSE:Tumbleweed", "opensuse-tumbleweed-20240101"},
		{"ID=\"azurelinux\"\nVERSION_ID=\"3.0\"\n", "Azure Linux:3", "azurelinux-3.0"},
		{"ID=fedora\nVERSION_ID=40\n", "", "fedora-40"},
		{"ID=\"amzn\"\nVERSION_ID=\"2023\"\n", "", "amzn-2023"},
		{"ID=debian\nVERSION_ID=\"12\"\n", "", "debian-12"},
	} {
		d, err := ParseOSRelease([]byte(tc.osRelease))
		if err != nil {
			t.Fatal(err)
		}
		if got := d.RPMOSVEcosystem(); got != tc.want {
			t.Errorf("%s: RPMOSVEcosystem = %q, want %q", d.ID, got, tc.want)
		}
		if got := d.PURLDistro(); got != tc.purlDistro {
			t.Errorf("%s: PURLDistro = %q, want %q", d.ID, got, tc.purlDistro)
		}
	}
}

// rpmTestImageTarball writes an image tarball whose layers hold a real
// RPM database at dbPath and a generated os-release, and returns its path.
func rpmTestImageTarball(t *testing.T, osRelease string, dbPath string, db []byte, extra ...imgTestFile) string {
	t.Helper()
	base := imgTestLayer(t, imgTestReg("etc/os-release", []byte(osRelease)))
	files := append([]imgTestFile{imgTestReg(dbPath, db)}, extra...)
	img := imgTestImage(t, "amd64", nil, base, imgTestLayer(t, files...))
	tag, err := name.NewTag("registry.example/rpm-test:1")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "image.tar")
	if err := tarball.WriteToFile(p, tag, img); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFromImageRPM(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, osRelease, dbPath, db string
		count                       int
		purl, eco, srcName          string
	}{
		{"sqlite (CBL-Mariner 2.0 database, Azure Linux 3 os-release)", "ID=azurelinux\nVERSION_ID=\"3.0\"\n",
			"usr/lib/sysimage/rpm/rpmdb.sqlite", "cbl-mariner-2.0.rpmdb.sqlite.gz", 129,
			"pkg:rpm/azurelinux/curl@7.76.0-6.cm2?arch=x86_64&distro=azurelinux-3.0&upstream=curl-7.76.0-6.cm2.src.rpm",
			"Azure Linux:3", "curl"},
		{"ndb (SLE 15 BCI)", "NAME=\"SLES\"\nVERSION=\"15-SP4\"\nID=\"sles\"\nVERSION_ID=\"15.4\"\n",
			"usr/lib/sysimage/rpm/Packages.db", "sle15-bci.Packages.db.gz", 35,
			"pkg:rpm/sles/libreadline7@7.0-19.6.1?arch=x86_64&distro=sles-15.4&upstream=bash-4.4-19.6.1.src.rpm",
			"SUSE:Linux Enterprise Server 15 SP4", "bash"},
		{"bdb (UBI 8)", "ID=\"rhel\"\nVERSION_ID=\"8.8\"\n",
			"var/lib/rpm/Packages", "libuuid-rhel8.Packages", 1,
			"pkg:rpm/redhat/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=rhel-8.8&upstream=util-linux-2.32.1-42.el8_8.src.rpm",
			"Red Hat", "util-linux"},
		{"bdb with an epoch (Rocky 9)", "ID=\"rocky\"\nVERSION_ID=\"9.3\"\n",
			"var/lib/rpm/Packages", "scalibr-epoch.Packages", 1,
			"pkg:rpm/rocky/hello@0.0.1-rls?arch=x86_64&distro=rocky-9.3&epoch=1&upstream=hello-0.0.1-rls.src.rpm",
			"Rocky Linux:9", "hello"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := rpmTestImageTarball(t, tc.osRelease, tc.dbPath, rpmTestdata(t, tc.db))
			doc, err := FromImage(ctx, ImageFromTarball(p))
			if err != nil {
				t.Fatal(err)
			}
			if got := len(imgTestNames(doc, "rpm")); got != tc.count {
				t.Errorf("%d rpm components, want %d", got, tc.count)
			}
			c := imgTestFind(doc, tc.purl)
			if c == nil {
				t.Fatalf("no component %s", tc.purl)
			}
			if c.PURL != tc.purl {
				t.Errorf("purl %s, want %s", c.PURL, tc.purl)
			}
			if eco, _ := c.Property(PropOSVEcosystem); eco != tc.eco {
				t.Errorf("ecosystem %q, want %q", eco, tc.eco)
			}
			if src, _ := c.Property(PropRPMSourceName); src != tc.srcName {
				t.Errorf("source name %q, want %q", src, tc.srcName)
			}
			if c.Locations[0].Path != "/"+tc.dbPath {
				t.Errorf("location %+v", c.Locations)
			}
			pu, err := c.PackageURL()
			if err != nil || pu.Type != "rpm" {
				t.Errorf("purl %q: %v", c.PURL, err)
			}
			for _, l := range doc.Limitations {
				if strings.Contains(l, "RPM") {
					t.Errorf("limitation %q", l)
				}
			}
		})
	}
}

func TestFromImageRPMDamagedFailsClosed(t *testing.T) {
	p := rpmTestImageTarball(t, "ID=rhel\nVERSION_ID=9.4\n", "var/lib/rpm/rpmdb.sqlite", []byte("SQLite format 3\x00not really"))
	_, err := FromImage(context.Background(), ImageFromTarball(p))
	if err == nil || !strings.Contains(err.Error(), "/var/lib/rpm/rpmdb.sqlite") {
		t.Fatalf("err = %v, want an error naming the damaged database", err)
	}
}

func TestFromImageLockfiles(t *testing.T) {
	// A Python service on UBI: its RPMs and the lockfile it was built from.
	poetry, err := os.ReadFile("testdata/lockfiles/poetry/scalibr-v2/poetry.lock")
	if err != nil {
		t.Fatal(err)
	}
	p := rpmTestImageTarball(t, "ID=rhel\nVERSION_ID=8.8\n", "var/lib/rpm/Packages", rpmTestdata(t, "libuuid-rhel8.Packages"),
		imgTestReg("srv/app/poetry.lock", poetry),
		imgTestReg("usr/lib/node_modules/npm/node_modules/x/yarn.lock", []byte("garbage that must not be read")))
	doc, err := FromImage(context.Background(), ImageFromTarball(p))
	if err != nil {
		t.Fatal(err)
	}
	c := imgTestFind(doc, "pkg:pypi/factory-boy@3.3.1")
	if c == nil {
		t.Fatal("poetry.lock packages not listed")
	}
	if c.Locations[0].Path != "/srv/app/poetry.lock" || c.Scope != ScopeExcluded {
		t.Errorf("factory-boy: %+v", c)
	}
	if v, _ := c.Property(PropCataloguer); v != "lockfile:poetry.lock" {
		t.Errorf("cataloguer %q", v)
	}
	if imgTestFind(doc, "pkg:rpm/redhat/libuuid@") == nil {
		t.Error("rpm package missing")
	}
	for _, l := range doc.Limitations {
		if strings.Contains(l, "node_modules") {
			t.Errorf("a lockfile inside node_modules was read: %q", l)
		}
	}
}

func rpmTestdata(t testing.TB, name string) []byte {
	return catalogtest.Read(t, filepath.Join("testdata", "rpm", name))
}
