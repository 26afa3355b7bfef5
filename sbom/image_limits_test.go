package sbom

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The tests of this file replay the hostile inputs of issue 14 (items
// 3, 9, 10, 11, 14 and 15), generated here at a scale where the code
// before the fix clearly blew the memory or work budget the test
// asserts. Memory is measured with the runtime's statistics (bytes
// allocated during the call), never with wall time; the deadline given
// to each call is only a backstop that must not be what ends it.

// imgTestBudget runs f and fails the test when it allocated more than
// budget bytes (runtime.MemStats.TotalAlloc, all goroutines).
func imgTestBudget(t *testing.T, budget uint64, f func()) {
	t.Helper()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > budget {
		t.Errorf("allocated %d MiB, budget %d MiB", got>>20, budget>>20)
	} else {
		t.Logf("allocated %.1f MiB (budget %d MiB)", float64(got)/(1<<20), budget>>20)
	}
}

// imgTestDeadline is a context whose deadline is a backstop: the calls
// under test must end by themselves, well before it.
func imgTestDeadline(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// imgTestNotDeadline fails when err says the deadline ended the call.
func imgTestNotDeadline(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the call ran into its context's deadline: %v", err)
	}
}

// imgTestMember is a member of a generated archive: data, or zeros
// bytes of zeros streamed without being held in memory.
type imgTestMember struct {
	name  string
	data  []byte
	zeros int64
	typ   byte
	link  string
}

// imgTestWriteArchive writes members as a tar (gzip-compressed when gz)
// to a new file in dir and returns its path.
func imgTestWriteArchive(t testing.TB, dir, name string, gz bool, members []imgTestMember) string {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var w io.Writer = f
	var zw *gzip.Writer
	if gz {
		zw, _ = gzip.NewWriterLevel(f, gzip.BestSpeed)
		w = zw
	}
	tw := tar.NewWriter(w)
	for _, m := range members {
		typ := m.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		h := &tar.Header{Name: m.name, Typeflag: typ, Mode: 0o644, Linkname: m.link}
		if typ == tar.TypeReg {
			h.Size = int64(len(m.data)) + m.zeros
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if typ != tar.TypeReg {
			continue
		}
		if _, err := tw.Write(m.data); err != nil {
			t.Fatal(err)
		}
		if _, err := io.CopyN(tw, imgZeroReader{}, m.zeros); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

type imgZeroReader struct{}

func (imgZeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func imgTestSHA(b []byte) v1.Hash {
	sum := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
}

// imgTestOCIArchive builds the members of an OCI layout archive whose
// manifest lists the same small layer n times, the layer stored after
// padding bytes of zeros (issue 14, item 10).
func imgTestOCIArchive(t testing.TB, n int, padding int64) []imgTestMember {
	t.Helper()
	layerTar := imgTestTar(t, []imgTestFile{imgTestReg("etc/hello", bytes.Repeat([]byte("x"), 1024))})
	var gzl bytes.Buffer
	zw := gzip.NewWriter(&gzl)
	zw.Write(layerTar)
	zw.Close()
	layer := gzl.Bytes()
	diffID, layerDigest := imgTestSHA(layerTar), imgTestSHA(layer)
	cf := v1.ConfigFile{OS: "linux", Architecture: "amd64", RootFS: v1.RootFS{Type: "layers"}}
	for range n {
		cf.RootFS.DiffIDs = append(cf.RootFS.DiffIDs, diffID)
	}
	config, _ := json.Marshal(cf)
	m := v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1,
		Config: v1.Descriptor{MediaType: types.OCIConfigJSON, Digest: imgTestSHA(config), Size: int64(len(config))}}
	for range n {
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: types.OCILayer, Digest: layerDigest, Size: int64(len(layer))})
	}
	manifest, _ := json.Marshal(m)
	idx := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex,
		Manifests: []v1.Descriptor{{MediaType: types.OCIManifestSchema1, Digest: imgTestSHA(manifest), Size: int64(len(manifest))}}}
	index, _ := json.Marshal(idx)
	blob := func(h v1.Hash) string { return "blobs/sha256/" + h.Hex }
	return []imgTestMember{
		{name: "oci-layout", data: []byte(`{"imageLayoutVersion":"1.0.0"}`)},
		{name: "index.json", data: index},
		{name: blob(imgTestSHA(manifest)), data: manifest},
		{name: blob(imgTestSHA(config)), data: config},
		{name: "padding", zeros: padding},
		{name: blob(layerDigest), data: layer},
	}
}

// TestFromImageManyLayersOverPadding is issue 14, item 10: an OCI
// layout .tar.gz whose manifest lists one small layer many times, stored
// after compressible padding. Every layer open used to decompress the
// archive from its start again.
func TestFromImageManyLayersOverPadding(t *testing.T) {
	dir := t.TempDir()
	t.Run("over the layer cap", func(t *testing.T) {
		// 20,000 layers (the 50,000 would make the manifest
		// larger than the manifest limit, refused before this check).
		p := imgTestWriteArchive(t, dir, "many.tar.gz", true, imgTestOCIArchive(t, 20000, 64<<20))
		ctx := imgTestDeadline(t)
		var err error
		imgTestBudget(t, 64<<20, func() { _, err = FromImage(ctx, ImageFromTarball(p)) })
		imgTestNotDeadline(t, err)
		if !errors.Is(err, ErrImageTooLarge) || !strings.Contains(err.Error(), "20000 layers") {
			t.Fatalf("err = %v, want ErrImageTooLarge naming the 20000 layers", err)
		}
	})
	t.Run("under the cap, archive decompressed once", func(t *testing.T) {
		// 400 layers after 32 MiB of padding: opening every layer by
		// decompressing the archive again read 400 x 32 MiB = 12.5 GiB.
		const n, padding = 400, 32 << 20
		p := imgTestWriteArchive(t, dir, "pad.tar.gz", true, imgTestOCIArchive(t, n, padding))
		ctx := imgTestDeadline(t)
		cfg := &imgConfig{platform: v1.Platform{OS: "linux", Architecture: "amd64"},
			maxFile: DefaultImageMaxFileSize, maxTotal: DefaultImageMaxTotalSize}
		var doc *Document
		var decompressed int64
		imgTestBudget(t, 48<<20, func() {
			res, err := ImageFromTarball(p).imgResolve(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer res.close()
			info, layers, err := imgDescribe(res)
			if err != nil {
				t.Fatal(err)
			}
			st := newCatState()
			if err := imgSquash(ctx, layers, cfg, st); err != nil {
				imgTestNotDeadline(t, err)
				t.Fatal(err)
			}
			if doc, err = st.document(info); err != nil {
				t.Fatal(err)
			}
			decompressed = res.archive.decompressed
		})
		if doc == nil || len(doc.Image.Layers) != n {
			t.Fatalf("document %v: want %d layers", doc, n)
		}
		if decompressed < padding || decompressed > padding+1<<20 {
			t.Errorf("decompressed %d bytes, want the archive once (%d + a few KiB)", decompressed, padding)
		}
	})
	t.Run("context checked before each layer", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var opens atomic.Int64
		base := imgTestLayer(t, imgTestReg("etc/hello", []byte("hi")))
		var ls []v1.Layer
		for range 100 {
			ls = append(ls, imgCancelLayer{Layer: base, opens: &opens, cancel: cancel})
		}
		img := imgTestImage(t, "amd64", nil, ls...)
		_, err := FromImage(ctx, ImageFromV1(img, ""))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if n := opens.Load(); n > imgMaxParallelLayers {
			t.Errorf("%d layers opened after the context was cancelled by the first; want at most %d (the ones already in flight)", n, imgMaxParallelLayers)
		}
	})
}

// imgCancelLayer cancels a context when it is opened.
type imgCancelLayer struct {
	v1.Layer
	opens  *atomic.Int64
	cancel context.CancelFunc
}

func (l imgCancelLayer) Uncompressed() (io.ReadCloser, error) {
	l.opens.Add(1)
	l.cancel()
	return l.Layer.Uncompressed()
}

// TestFromImageDockerSaveLargeConfig is issue 14, item 14: a docker-save
// .tar.gz whose config blob is far over the manifest limit (the issue's
// 256 MiB, here 64 MiB) or whose manifest.json is; go-containerregistry
// read them whole.
func TestFromImageDockerSaveLargeConfig(t *testing.T) {
	dir := t.TempDir()
	layer := imgTestTar(t, []imgTestFile{imgTestReg("etc/hello", []byte("hi"))})
	manifest := func(config string) []byte {
		return []byte(fmt.Sprintf(`[{"Config":%q,"RepoTags":["demo:1"],"Layers":["l/layer.tar"]}]`, config))
	}
	cases := []struct {
		name    string
		members []imgTestMember
		want    string
	}{
		{"config of 64 MiB", []imgTestMember{
			{name: "cfg.json", data: []byte(`{"a":"`), zeros: 64 << 20},
			{name: "l/layer.tar", data: layer},
			{name: "manifest.json", data: manifest("cfg.json")},
		}, "config cfg.json: 67108870 bytes"},
		{"config linked to a large member", []imgTestMember{
			{name: "big", zeros: 64 << 20},
			{name: "cfg.json", typ: tar.TypeSymlink, link: "big"},
			{name: "l/layer.tar", data: layer},
			{name: "manifest.json", data: manifest("cfg.json")},
		}, "config cfg.json: 67108864 bytes"},
		{"manifest.json of 64 MiB", []imgTestMember{
			{name: "manifest.json", data: []byte("["), zeros: 64 << 20},
		}, "manifest.json: 67108865 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := imgTestWriteArchive(t, dir, strings.ReplaceAll(tc.name, " ", "_")+".tar.gz", true, tc.members)
			ctx := imgTestDeadline(t)
			var err error
			imgTestBudget(t, 16<<20, func() { _, err = FromImage(ctx, ImageFromTarball(p)) })
			imgTestNotDeadline(t, err)
			if !errors.Is(err, ErrImageTooLarge) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrImageTooLarge with %q", err, tc.want)
			}
		})
	}
}

// TestFromImageLayoutSpecialFiles is issue 14, item 15: an OCI layout
// directory whose index.json is a symbolic link to /dev/zero (read
// whole, it exhausted memory), and the same trick on a manifest or
// config blob, a FIFO, and an oversized index.
func TestFromImageLayoutSpecialFiles(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	members := imgTestOCIArchive(t, 1, 0)
	write := func(t *testing.T) string {
		dir := t.TempDir()
		for _, m := range members {
			if m.name == "padding" {
				continue
			}
			p := filepath.Join(dir, filepath.FromSlash(m.name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, m.data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	// The layout as written is fine.
	if _, err := FromImage(context.Background(), ImageFromLayout(write(t))); err != nil {
		t.Fatalf("valid layout: %v", err)
	}
	replace := func(name string, mk func(p string) error) func(t *testing.T) string {
		return func(t *testing.T) string {
			dir := write(t)
			p := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			if err := mk(p); err != nil {
				t.Skipf("cannot create %s: %v", name, err)
			}
			return dir
		}
	}
	toZero := func(p string) error { return os.Symlink("/dev/zero", p) }
	cases := []struct {
		name string
		dir  func(t *testing.T) string
		want string
	}{
		{"index.json linked to /dev/zero", replace("index.json", toZero), "index.json: not a regular file"},
		{"manifest linked to /dev/zero", replace(members[2].name, toZero), members[2].name + ": not a regular file"},
		{"config linked to /dev/zero", replace(members[3].name, toZero), members[3].name + ": not a regular file"},
		{"layer linked to /dev/zero", replace(members[5].name, toZero), members[5].name + ": not a regular file"},
		{"index.json a FIFO", replace("index.json", imgTestMkfifo), "index.json: not a regular file"},
		{"index.json of 9 MiB", replace("index.json", func(p string) error {
			return os.WriteFile(p, make([]byte, 9<<20), 0o644)
		}), "index.json: 9437184 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir(t)
			ctx := imgTestDeadline(t)
			var err error
			imgTestBudget(t, 8<<20, func() { _, err = FromImage(ctx, ImageFromLayout(dir)) })
			imgTestNotDeadline(t, err)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
