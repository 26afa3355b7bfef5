package sbom

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chaingate/chaingate/internal/imagefs"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

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
	// Issue 14 shapes: package databases behind symbolic and hard links,
	// linked directories, loops, and paths at and over the limits.
	status := imgTestdata(f, "dpkg-status.gz")
	f.Add(imgTestTar(f, []imgTestFile{
		imgTestReg("var/lib/dpkg/status.real", bytes.SplitN(status, []byte("\n\n"), 3)[0]),
		imgTestLink("var/lib/dpkg/status", "status.real"),
		imgTestReg("srv/installed", []byte("P:a\nV:1\n")),
		imgTestHardLink("lib/apk/db/installed", "srv/installed"),
		imgTestLink("usr/lib/python3/x.dist-info", "/opt/x"),
		imgTestReg("opt/x/METADATA", []byte("Name: x\nVersion: 1\n")),
		imgTestLink("a/loop", "."),
		imgTestLink("b", "c"),
		imgTestLink("c", "b"),
		imgTestLink("etc/os-release", "/dev/zero"),
		{name: "dev/zero", typ: tar.TypeChar, mode: 0o666},
	}))
	f.Add(imgTestRawTar(f, []imgTestMember{{name: strings.Repeat("a/", 300) + "f", data: []byte("x")}}))
	f.Add(imgTestRawTar(f, []imgTestMember{{name: "x", typ: tar.TypeSymlink, link: strings.Repeat("../", 2000)}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		// The squasher only streams the layer; skip building a v1.Image
		// (which gzips every input) to keep the fuzzer fast.
		sum := sha256.Sum256(data)
		l := imagefs.Layer{Layer: imgFuzzLayer{data: data}, Digest: "sha256:fuzz",
			DiffID: v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}}
		cfg := &imageConfig{maxFile: 1 << 20, maxTotal: 8 << 20}
		st := newScanState()
		if err := squash(context.Background(), []imagefs.Layer{l}, cfg, st); err != nil {
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

// FuzzImageTarball feeds arbitrary bytes as an image tarball (OCI
// layout archive or docker save, optionally gzip-compressed): FromImage
// must return an error or a document within its limits, never panic.
func FuzzImageTarball(f *testing.F) {
	oci := imgTestRawTar(f, imgTestOCIArchive(f, 2, 1024))
	f.Add(oci)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(oci)
	zw.Close()
	f.Add(gz.Bytes())
	layer := imgTestTar(f, []imgTestFile{imgTestReg("etc/hello", []byte("hi"))})
	f.Add(imgTestRawTar(f, []imgTestMember{
		{name: "cfg.json", data: []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:` + imgTestSHA(layer).Hex + `"]}}`)},
		{name: "l/layer.tar", data: layer},
		{name: "manifest.json", data: []byte(`[{"Config":"cfg.json","RepoTags":["demo:1"],"Layers":["l/layer.tar"]}]`)},
	}))
	f.Add(imgTestRawTar(f, []imgTestMember{
		{name: "cfg.json", typ: tar.TypeSymlink, link: "cfg.json"},
		{name: "manifest.json", data: []byte(`[{"Config":"cfg.json","Layers":["l"]}]`)},
	}))
	dir := f.TempDir()
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, fmt.Sprintf("in%d.tar", n.Add(1)))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(p)
		doc, err := FromImage(context.Background(), ImageFromTarball(p), WithMaxTotalSize(16<<20), WithMaxFileSize(1<<20))
		if err != nil {
			return
		}
		if doc.Image == nil || len(doc.Components) == 0 {
			t.Fatalf("document without image or root: %+v", doc)
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
