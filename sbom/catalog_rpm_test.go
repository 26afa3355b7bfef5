package sbom

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// rpmTestdata reads a real RPM database from testdata/rpm, gunzipping
// the larger ones.
func rpmTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "rpm", name))
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func TestCatParseRpmDB(t *testing.T) {
	// Expected values are those go-rpmdb's own tests and the rpm
	// databases' images record (see testdata/README.md).
	for _, tc := range []struct {
		file, format string
		count        int
		want         catRpmPkg
	}{
		{"cbl-mariner-2.0.rpmdb.sqlite.gz", "sqlite", 129, catRpmPkg{Name: "curl", Version: "7.76.0", Release: "6.cm2",
			Arch: "x86_64", SourceRPM: "curl-7.76.0-6.cm2.src.rpm", Vendor: "Microsoft Corporation", License: "MIT",
			Summary: "An URL retrieval utility and library"}},
		{"sle15-bci.Packages.db.gz", "ndb", 35, catRpmPkg{Name: "libreadline7", Version: "7.0", Release: "19.6.1",
			Arch: "x86_64", SourceRPM: "bash-4.4-19.6.1.src.rpm", Vendor: "SUSE LLC <https://www.suse.com/>",
			License: "GPL-3.0-or-later", Summary: "The Readline Library"}},
		{"libuuid-rhel8.Packages", "bdb", 1, catRpmPkg{Name: "libuuid", Version: "2.32.1", Release: "42.el8_8",
			Arch: "x86_64", SourceRPM: "util-linux-2.32.1-42.el8_8.src.rpm", Vendor: "Red Hat, Inc.", License: "BSD",
			Summary: "Universally unique ID library"}},
		{"syft-redhat.Packages", "bdb", 1, catRpmPkg{Name: "dive", Version: "0.9.2", Release: "1", Arch: "x86_64",
			SourceRPM: "dive-0.9.2-1.src.rpm", License: "MIT", Summary: "no description given"}},
		{"scalibr-epoch.Packages", "bdb", 1, catRpmPkg{Name: "hello", Version: "0.0.1", Release: "rls", Arch: "x86_64",
			SourceRPM: "hello-0.0.1-rls.src.rpm", License: "GPL", Summary: "summary goes here", Epoch: 1}},
	} {
		t.Run(tc.format+"/"+tc.file, func(t *testing.T) {
			pkgs, err := catParseRpmDB(context.Background(), rpmTestdata(t, tc.file), "/var/lib/rpm/"+tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if len(pkgs) != tc.count {
				t.Errorf("%d packages, want %d", len(pkgs), tc.count)
			}
			var got *catRpmPkg
			for i := range pkgs {
				if pkgs[i].Name == tc.want.Name {
					got = &pkgs[i]
				}
			}
			if got == nil || *got != tc.want {
				t.Errorf("%s = %+v, want %+v", tc.want.Name, got, tc.want)
			}
		})
	}
}

func TestCatParseRpmDBDamaged(t *testing.T) {
	real := rpmTestdata(t, "libuuid-rhel8.Packages")
	for name, data := range map[string][]byte{
		"empty":               nil,
		"not a database":      []byte("hello, world\n"),
		"sqlite header only":  []byte("SQLite format 3\x00"),
		"truncated bdb":       real[:4096],
		"sqlite without rows": append([]byte("SQLite format 3\x00"), make([]byte, 4096)...),
	} {
		t.Run(name, func(t *testing.T) {
			pkgs, err := catParseRpmDB(context.Background(), data, "/var/lib/rpm/Packages")
			if err == nil {
				t.Fatalf("no error, %d packages", len(pkgs))
			}
			if !strings.Contains(err.Error(), "/var/lib/rpm/Packages") {
				t.Errorf("error %q does not name the database", err)
			}
		})
	}
}

func TestCatRpmSourceName(t *testing.T) {
	for in, want := range map[string]string{
		"bash-5.1.8-9.el9.src.rpm":            "bash",
		"util-linux-2.32.1-42.el8_8.src.rpm":  "util-linux",
		"gcc11-11.2.1+git610-1.3.9.src.rpm":   "gcc11",
		"python3.11-3.11.5-1.el9_3.nosrc.rpm": "python3.11",
		"nodash.src.rpm":                      "",
		"":                                    "",
	} {
		if got := catRpmSourceName(in); got != want {
			t.Errorf("catRpmSourceName(%q) = %q, want %q", in, got, want)
		}
	}
}

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

// TestCatParseRpmDBNDBBounds crafts ndb databases from the real SLE 15
// one: a blob header declaring 4 GiB (go-rpmdb would allocate it), a blob
// outside the file and a bad slot magic (go-rpmdb prints to standard
// output on it). Each must be an error naming the database, with little
// allocated.
func TestCatParseRpmDBNDBBounds(t *testing.T) {
	real := rpmTestdata(t, "sle15-bci.Packages.db.gz")
	le := binary.LittleEndian
	// The first used slot (non-zero package index) after the header.
	first := -1
	for off := 32; off+16 <= 4096; off += 16 {
		if le.Uint32(real[off+4:]) != 0 {
			first = off
			break
		}
	}
	if first < 0 {
		t.Fatal("no used slot in the real ndb database")
	}
	blob := int(le.Uint32(real[first+8:])) * 16
	mutate := func(f func(b []byte)) []byte {
		b := bytes.Clone(real)
		f(b)
		return b
	}
	for name, data := range map[string][]byte{
		"blob of 4 GiB":           mutate(func(b []byte) { le.PutUint32(b[blob+12:], 0xFFFFFFF0) }),
		"blob outside the file":   mutate(func(b []byte) { le.PutUint32(b[first+8:], 0x7FFFFFFF) }),
		"bad slot magic":          mutate(func(b []byte) { le.PutUint32(b[first:], 0x12345678) }),
		"slot pages past the end": mutate(func(b []byte) { le.PutUint32(b[12:], 2000) }),
	} {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			pkgs, err := catParseRpmDB(context.Background(), data, "/usr/lib/sysimage/rpm/Packages.db")
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatalf("no error, %d packages", len(pkgs))
			}
			if !strings.Contains(err.Error(), "Packages.db") || !strings.Contains(err.Error(), "ndb") {
				t.Errorf("error %q does not name the database and its format", err)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
				t.Errorf("allocated %d MiB for a %d-byte database", got>>20, len(data))
			}
		})
	}
	// The unmodified database still reads.
	if pkgs, err := catParseRpmDB(context.Background(), real, "Packages.db"); err != nil || len(pkgs) != 35 {
		t.Fatalf("real ndb database: %d packages, %v", len(pkgs), err)
	}
}
