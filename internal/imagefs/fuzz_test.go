package imagefs

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// fuzzLayer is a layer whose uncompressed bytes are data; the scanner
// calls nothing else.
type fuzzLayer struct {
	v1.Layer
	data []byte
}

func (l fuzzLayer) Uncompressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.data)), nil
}

// fuzzTar is a tar of the given headers, each regular file holding its
// name as content.
func fuzzTar(t testing.TB, hs ...tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range hs {
		var data []byte
		if h.Typeflag == tar.TypeReg {
			data = []byte(h.Name)
			h.Size = int64(len(data))
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func reg(name string) tar.Header { return tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644} }

func link(typ byte, name, target string) tar.Header {
	return tar.Header{Name: name, Typeflag: typ, Linkname: target, Mode: 0o777}
}

// fuzzWanted wants every file named "status" or "installed", and treats
// "status" as a database that must be readable.
var fuzzWanted = Wanted{
	Kind: func(p string, _, _ int64) int {
		switch path.Base(p) {
		case "status":
			return 1
		case "installed":
			return 2
		}
		return 0
	},
	Database: func(k int) bool { return k == 1 },
}

// FuzzScanLayer streams a layer (whiteouts, opaque directories, symbolic
// and hard links, loops, long paths), squashes it into a Tree and walks
// its links: no panic, every path handed out is cleaned and absolute,
// every file the callback reads is within its declared size, and every
// file to read again is a visible regular file of the layer.
func FuzzScanLayer(f *testing.F) {
	f.Add(fuzzTar(f, reg("var/lib/dpkg/status"), reg("etc/os-release")))
	f.Add(fuzzTar(f,
		tar.Header{Name: "var/lib/dpkg/", Typeflag: tar.TypeDir, Mode: 0o755},
		reg("opt/db/status.real"),
		link(tar.TypeSymlink, "var/lib/dpkg/status", "/opt/db/status.real"),
		link(tar.TypeLink, "lib/apk/db/installed", "opt/db/status.real"),
		link(tar.TypeSymlink, "usr/lib/x", "../../usr/lib"),
		link(tar.TypeSymlink, "a/status", "b/status"),
		link(tar.TypeSymlink, "b/status", "a/status"),
		reg("etc/.wh.gone"),
		reg("srv/.wh..wh..opq"),
	))
	f.Add(fuzzTar(f, tar.Header{Name: "dev/status", Typeflag: tar.TypeChar, Mode: 0o666}))
	f.Add(fuzzTar(f, reg(strings.Repeat("a/", 300)+"status")))
	f.Add(fuzzTar(f, link(tar.TypeSymlink, "x/status", strings.Repeat("../", 2000))))
	f.Fuzz(func(t *testing.T, data []byte) {
		sum := sha256.Sum256(data)
		l := Layer{Layer: fuzzLayer{data: data}, Digest: "sha256:fuzz",
			DiffID: v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}}
		b := &Budget{MaxTotal: 8 << 20}
		ctx := context.Background()
		sc, err := ScanLayer(ctx, l, b, func(p string, h *tar.Header, r io.Reader) error {
			if p != path.Clean(p) || !strings.HasPrefix(p, "/") {
				t.Fatalf("entry path %q is not clean and absolute", p)
			}
			// At most 1 MiB, as a cataloguer's file limit would: a GNU
			// sparse entry can declare exabytes of holes that read as
			// zeros without consuming input.
			n, err := io.Copy(io.Discard, io.LimitReader(r, 1<<20))
			if err == nil && n > h.Size {
				t.Fatalf("%s: read %d bytes, header says %d", p, n, h.Size)
			}
			return err
		})
		if err != nil {
			return
		}
		tr := NewTree()
		if err := tr.AddLayer(ctx, 0, sc); err != nil {
			t.Fatal(err)
		}
		needs, _, err := tr.Links(ctx, fuzzWanted)
		if err != nil {
			return
		}
		for lp, nd := range needs {
			if lp != nd.Logical || !strings.HasPrefix(nd.Path, "/") || nd.Path != path.Clean(nd.Path) || nd.Layer != 0 {
				t.Fatalf("need %q: %+v", lp, nd)
			}
			if !tr.VisibleRegular(nd.Path, nd.Layer) {
				t.Fatalf("need %q: %s is not a visible regular file", lp, nd.Path)
			}
		}
	})
}

// FuzzOpenArchive indexes a tarball (plain or gzip-compressed, as the
// first byte says) and reads its OCI and docker-save entry points: no
// panic, and a member Read returns is never over the limit asked for.
func FuzzOpenArchive(f *testing.F) {
	oci := fuzzTar(f, reg("oci-layout"), reg("index.json"), reg("blobs/sha256/abc"),
		link(tar.TypeSymlink, "manifest.json", "blobs/sha256/abc"))
	f.Add(oci)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(oci)
	zw.Close()
	f.Add(gz.Bytes())
	f.Add(fuzzTar(f, link(tar.TypeSymlink, "manifest.json", "manifest.json"),
		tar.Header{Name: "index.json", Typeflag: tar.TypeGNUSparse, Size: 0}))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "image.tar")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		a, err := OpenArchive(context.Background(), p, 16<<20)
		if err != nil {
			return
		}
		defer a.Close()
		for _, name := range []string{"index.json", "manifest.json", "oci-layout", "blobs/sha256/abc"} {
			if !a.Has(name) {
				continue
			}
			if b, err := a.Read(name, 64); err == nil && len(b) > 64 {
				t.Fatalf("%s: read %d bytes, limit 64", name, len(b))
			}
			if rc, err := a.Open(name); err == nil {
				io.Copy(io.Discard, rc)
				rc.Close()
			}
		}
		_, _ = CheckDockerSave(a)
	})
}
