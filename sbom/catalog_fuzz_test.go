package sbom

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func FuzzDpkgStatus(f *testing.F) {
	status := imgTestdata(f, "dpkg-status.gz")
	// Seed with the first few paragraphs of the real database.
	paras := bytes.SplitN(status, []byte("\n\n"), 6)
	f.Add(bytes.Join(paras[:5], []byte("\n\n")))
	f.Add([]byte("Package: a\nStatus: install ok installed\nVersion: 1\nSource: b (2)\n"))
	f.Add([]byte("Package: a\n continuation\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		debs, err := catParseDpkgStatus(data, "status")
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
	f.Add(imgTestdata(f, "alpine/installed"))
	f.Add([]byte("P:a\nV:1\n\nP:b\nV:2\no:a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		apks, err := catParseApkInstalled(data, "installed")
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
	f.Add(imgTestdata(f, "python/PyYAML-6.0.METADATA"))
	f.Add(imgTestdata(f, "python/pip-23.0.1.METADATA"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := catParsePythonMetadata(data, "METADATA")
		if err != nil {
			return
		}
		if m.Name == "" || m.Version == "" {
			t.Fatalf("accepted metadata without identity: %+v", m)
		}
	})
}

func FuzzOSRelease(f *testing.F) {
	f.Add(imgTestdata(f, "os-release-debian12"))
	f.Add(imgTestdata(f, "alpine/os-release"))
	f.Add([]byte("ID='x'\nVERSION_ID=\"1.2\\\"\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseOSRelease(data)
		if err != nil {
			return
		}
		if d.ID == "" {
			t.Fatal("accepted os-release without ID")
		}
		_ = d.OSVEcosystem()
		_ = d.PURLDistro()
	})
}

func FuzzNpmLock(f *testing.F) {
	f.Add(imgTestdata(f, "npm/package-lock.json"))
	f.Add([]byte(`{"lockfileVersion":1,"dependencies":{"a":{"version":"1.0.0","dependencies":{"b":{"version":"2"}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = catParseNpmLock(data, "package-lock.json")
		_, _ = catParseNpmPackageJSON(data, "package.json")
	})
}

func FuzzJavaArchive(f *testing.F) {
	f.Add(imgTestJar(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, err := catScanJar(data, "x.jar", 1<<20, 0, catTestBudget(1<<20))
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

// FuzzImageLayer feeds arbitrary bytes as a layer's tar stream: the
// squasher must return an error or a document, never panic.
func FuzzImageLayer(f *testing.F) {
	f.Add(imgTestTar(f, []imgTestFile{
		imgTestReg("etc/os-release", imgTestdata(f, "alpine/os-release")),
		imgTestReg("lib/apk/db/installed", imgTestdata(f, "alpine/installed")),
		imgTestReg("a/.wh.b", nil),
		imgTestReg("a/.wh..wh..opq", nil),
		{name: "x/y", typ: tar.TypeSymlink, link: "../../etc/passwd"},
	}))
	f.Fuzz(func(t *testing.T, data []byte) {
		// The squasher only streams the layer; skip building a v1.Image
		// (which gzips every input) to keep the fuzzer fast.
		sum := sha256.Sum256(data)
		l := imgLayer{layer: imgFuzzLayer{data: data}, digest: "sha256:fuzz",
			diffID: v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}}
		cfg := &imgConfig{maxFile: 1 << 20, maxTotal: 8 << 20}
		st := newCatState()
		if err := imgSquash(context.Background(), []imgLayer{l}, cfg, st); err != nil {
			return
		}
		doc, err := st.document(&ImageInfo{Digest: "sha256:fuzz"})
		if err != nil {
			return
		}
		for _, c := range doc.Components[1:] {
			if c.PURL == "" || len(c.Locations) == 0 {
				t.Fatalf("component without purl or location: %+v", c)
			}
		}
	})
}

// imgFuzzLayer is a layer whose uncompressed stream is data; only
// Uncompressed is implemented (the squasher needs nothing else).
type imgFuzzLayer struct {
	v1.Layer
	data []byte
}

func (l imgFuzzLayer) Uncompressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.data)), nil
}
