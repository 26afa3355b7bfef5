package catalog

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chaingate/chaingate/internal/catalog/catalogtest"
)

func FuzzDpkgStatus(f *testing.F) {
	status := imageTestdata(f, "dpkg-status.gz")
	// Seed with the first few paragraphs of the real database.
	paras := bytes.SplitN(status, []byte("\n\n"), 6)
	f.Add(bytes.Join(paras[:5], []byte("\n\n")))
	f.Add([]byte("Package: a\nStatus: install ok installed\nVersion: 1\nSource: b (2)\n"))
	f.Add([]byte("Package: a\n continuation\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		debs, err := ParseDpkgStatus(data, "status")
		if err != nil {
			return
		}
		for _, d := range debs {
			if d.Name == "" || d.Version == "" || d.Source == "" {
				t.Fatalf("accepted package without identity: %+v", d)
			}
		}
	})
}

func FuzzApkInstalled(f *testing.F) {
	f.Add(imageTestdata(f, "alpine/installed"))
	f.Add([]byte("P:a\nV:1\n\nP:b\nV:2\no:a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		apks, err := ParseApkInstalled(data, "installed")
		if err != nil {
			return
		}
		for _, a := range apks {
			if a.Name == "" || a.Version == "" || a.Origin == "" {
				t.Fatalf("accepted package without identity: %+v", a)
			}
		}
	})
}

func FuzzPythonMetadata(f *testing.F) {
	f.Add(imageTestdata(f, "python/PyYAML-6.0.METADATA"))
	f.Add(imageTestdata(f, "python/pip-23.0.1.METADATA"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParsePythonMetadata(data, "METADATA")
		if err != nil {
			return
		}
		if m.Name == "" || m.Version == "" {
			t.Fatalf("accepted metadata without identity: %+v", m)
		}
	})
}

func FuzzNpmLock(f *testing.F) {
	f.Add(imageTestdata(f, "npm/package-lock.json"))
	f.Add([]byte(`{"lockfileVersion":1,"dependencies":{"a":{"version":"1.0.0","dependencies":{"b":{"version":"2"}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseNPMLock(data, "package-lock.json")
		_, _ = ParseNPMPackageJSON(data, "package.json")
	})
}

func FuzzJavaArchive(f *testing.F) {
	f.Add(catalogtest.Jar(f))
	// Issue 14 item 9's shape: central-directory entries sharing one
	// nested jar.
	f.Add(catalogtest.OverlappingJar(f, catalogtest.NestedJar(f, 4096), 8))
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, err := ScanJar(data, "x.jar", 1<<20, 0, testBudget(1<<20))
		if err != nil {
			return
		}
		for _, m := range ms {
			if m.GroupID == "" || m.ArtifactID == "" || m.Version == "" {
				t.Fatalf("accepted incomplete artifact %+v", m)
			}
		}
	})
}

// FuzzParseRPMDB feeds go-rpmdb (through chaingate's wrapper, which
// must turn any failure into an error) the small real BerkeleyDB
// databases of testdata/rpm, mutated.
func FuzzParseRPMDB(f *testing.F) {
	for _, s := range []string{"libuuid-rhel8.Packages", "syft-redhat.Packages", "scalibr-epoch.Packages"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "sbom", "testdata", "rpm", s))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("SQLite format 3\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Some mutations make a BerkeleyDB overflow chain loop; the
		// context ends that (see rpmTimeout), sooner here.
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		pkgs, err := ParseRPMDB(ctx, data, "/var/lib/rpm/Packages")
		if err != nil {
			return
		}
		for _, p := range pkgs {
			if p.Name == "" || p.Version == "" {
				t.Fatalf("package without name or version: %+v", p)
			}
		}
	})
}
