package catalog

import (
	"bytes"
	"context"
	"encoding/binary"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/internal/catalog/catalogtest"
)

// rpmTestdata reads a real RPM database from testdata/rpm, gunzipping
// the larger ones.
func rpmTestdata(t testing.TB, name string) []byte {
	return catalogtest.Read(t, filepath.Join("..", "..", "sbom", "testdata", "rpm", name))
}

func TestParseRPMDB(t *testing.T) {
	// Expected values are those go-rpmdb's own tests and the rpm
	// databases' images record (see testdata/README.md).
	for _, tc := range []struct {
		file, format string
		count        int
		want         RPM
	}{
		{"cbl-mariner-2.0.rpmdb.sqlite.gz", "sqlite", 129, RPM{Name: "curl", Version: "7.76.0", Release: "6.cm2",
			Arch: "x86_64", SourceRPM: "curl-7.76.0-6.cm2.src.rpm", Vendor: "Microsoft Corporation", License: "MIT",
			Summary: "An URL retrieval utility and library"}},
		{"sle15-bci.Packages.db.gz", "ndb", 35, RPM{Name: "libreadline7", Version: "7.0", Release: "19.6.1",
			Arch: "x86_64", SourceRPM: "bash-4.4-19.6.1.src.rpm", Vendor: "SUSE LLC <https://www.suse.com/>",
			License: "GPL-3.0-or-later", Summary: "The Readline Library"}},
		{"libuuid-rhel8.Packages", "bdb", 1, RPM{Name: "libuuid", Version: "2.32.1", Release: "42.el8_8",
			Arch: "x86_64", SourceRPM: "util-linux-2.32.1-42.el8_8.src.rpm", Vendor: "Red Hat, Inc.", License: "BSD",
			Summary: "Universally unique ID library"}},
		{"syft-redhat.Packages", "bdb", 1, RPM{Name: "dive", Version: "0.9.2", Release: "1", Arch: "x86_64",
			SourceRPM: "dive-0.9.2-1.src.rpm", License: "MIT", Summary: "no description given"}},
		{"scalibr-epoch.Packages", "bdb", 1, RPM{Name: "hello", Version: "0.0.1", Release: "rls", Arch: "x86_64",
			SourceRPM: "hello-0.0.1-rls.src.rpm", License: "GPL", Summary: "summary goes here", Epoch: 1}},
	} {
		t.Run(tc.format+"/"+tc.file, func(t *testing.T) {
			pkgs, err := ParseRPMDB(context.Background(), rpmTestdata(t, tc.file), "/var/lib/rpm/"+tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if len(pkgs) != tc.count {
				t.Errorf("%d packages, want %d", len(pkgs), tc.count)
			}
			var got *RPM
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

func TestParseRPMDBDamaged(t *testing.T) {
	real := rpmTestdata(t, "libuuid-rhel8.Packages")
	for name, data := range map[string][]byte{
		"empty":               nil,
		"not a database":      []byte("hello, world\n"),
		"sqlite header only":  []byte("SQLite format 3\x00"),
		"truncated bdb":       real[:4096],
		"sqlite without rows": append([]byte("SQLite format 3\x00"), make([]byte, 4096)...),
	} {
		t.Run(name, func(t *testing.T) {
			pkgs, err := ParseRPMDB(context.Background(), data, "/var/lib/rpm/Packages")
			if err == nil {
				t.Fatalf("no error, %d packages", len(pkgs))
			}
			if !strings.Contains(err.Error(), "/var/lib/rpm/Packages") {
				t.Errorf("error %q does not name the database", err)
			}
		})
	}
}

func TestRPMSourceName(t *testing.T) {
	for in, want := range map[string]string{
		"bash-5.1.8-9.el9.src.rpm":            "bash",
		"util-linux-2.32.1-42.el8_8.src.rpm":  "util-linux",
		"gcc11-11.2.1+git610-1.3.9.src.rpm":   "gcc11",
		"python3.11-3.11.5-1.el9_3.nosrc.rpm": "python3.11",
		"nodash.src.rpm":                      "",
		"":                                    "",
	} {
		if got := RPMSourceName(in); got != want {
			t.Errorf("RPMSourceName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestParseRPMDBNDBBounds crafts ndb databases from the real SLE 15
// one: a blob header declaring 4 GiB (go-rpmdb would allocate it), a blob
// outside the file and a bad slot magic (go-rpmdb prints to standard
// output on it). Each must be an error naming the database, with little
// allocated.
func TestParseRPMDBNDBBounds(t *testing.T) {
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
			pkgs, err := ParseRPMDB(context.Background(), data, "/usr/lib/sysimage/rpm/Packages.db")
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
	if pkgs, err := ParseRPMDB(context.Background(), real, "Packages.db"); err != nil || len(pkgs) != 35 {
		t.Fatalf("real ndb database: %d packages, %v", len(pkgs), err)
	}
}
