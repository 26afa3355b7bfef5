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
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chaingate/chaingate/internal/catalog"
	"github.com/chaingate/chaingate/internal/catalog/catalogtest"
	"github.com/chaingate/chaingate/internal/imagefs"
	"github.com/google/go-cmp/cmp"
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
		if _, err := io.CopyN(tw, catalogtest.Zeros{}, m.zeros); err != nil {
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

// imgTestRawTar is a tar of exactly the members given (no parent
// directories added).
func imgTestRawTar(t testing.TB, members []imgTestMember) []byte {
	t.Helper()
	p := imgTestWriteArchive(t, t.TempDir(), "raw.tar", false, members)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
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
	t.Run("the issue's 50,000 layers, over the layer cap", func(t *testing.T) {
		// 64 MiB of padding (the 1 GiB would only slow the test):
		// before, each of the 50,000 layer opens decompressed it again.
		p := imgTestWriteArchive(t, dir, "50k.tar.gz", true, imgTestOCIArchive(t, 50000, 64<<20))
		ctx := imgTestDeadline(t)
		var err error
		// Most of the budget is parsing the 8 MB manifest.
		imgTestBudget(t, 96<<20, func() { _, err = FromImage(ctx, ImageFromTarball(p)) })
		imgTestNotDeadline(t, err)
		if !errors.Is(err, ErrImageTooLarge) || !strings.Contains(err.Error(), "50000 layers (limit 512)") {
			t.Fatalf("err = %v, want ErrImageTooLarge naming the 50000 layers", err)
		}
	})
	t.Run("under the cap, archive decompressed once", func(t *testing.T) {
		// 400 layers after 32 MiB of padding: opening every layer by
		// decompressing the archive again read 400 x 32 MiB = 12.5 GiB.
		const n, padding = 400, 32 << 20
		p := imgTestWriteArchive(t, dir, "pad.tar.gz", true, imgTestOCIArchive(t, n, padding))
		ctx := imgTestDeadline(t)
		cfg := &imageConfig{platform: v1.Platform{OS: "linux", Architecture: "amd64"},
			maxFile: DefaultImageMaxFileSize, maxTotal: DefaultImageMaxTotalSize}
		var doc *Document
		var decompressed int64
		imgTestBudget(t, 48<<20, func() {
			res, err := ImageFromTarball(p).resolve(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer res.close()
			info, layers, err := describe(res)
			if err != nil {
				t.Fatal(err)
			}
			st := newScanState()
			if err := squash(ctx, layers, cfg, st); err != nil {
				imgTestNotDeadline(t, err)
				t.Fatal(err)
			}
			if doc, err = st.document(info); err != nil {
				t.Fatal(err)
			}
			decompressed = res.archive.Decompressed()
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
		if n := opens.Load(); n > maxParallelLayers {
			t.Errorf("%d layers opened after the context was cancelled by the first; want at most %d (the ones already in flight)", n, maxParallelLayers)
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

// TestFromImageIndexFanOut: an index listing one child index thousands
// of times, the child listing thousands of manifests for another
// platform, was walked once per listing (millions of descriptors, the
// child re-read each time, past any deadline); indexes listing more
// descriptors in all than the limit are refused.
func TestFromImageIndexFanOut(t *testing.T) {
	members := imgTestOCIArchive(t, 1, 0)
	manifest := members[2]
	layout := func(t *testing.T, top []byte, children ...[]byte) string {
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
		for _, c := range children {
			if err := os.WriteFile(filepath.Join(dir, "blobs", "sha256", imgTestSHA(c).Hex), c, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "index.json"), top, 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	// child lists the amd64 manifest n times; tag makes children differ.
	child := func(n int, tag string) []byte {
		d := v1.Descriptor{MediaType: types.OCIManifestSchema1, Digest: imgTestSHA(manifest.data), Size: int64(len(manifest.data)),
			Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}
		idx := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Annotations: map[string]string{"tag": tag}}
		for range n {
			idx.Manifests = append(idx.Manifests, d)
		}
		b, _ := json.Marshal(idx)
		return b
	}
	index := func(times int, children ...[]byte) []byte {
		idx := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex}
		for range times {
			for _, c := range children {
				idx.Manifests = append(idx.Manifests, v1.Descriptor{MediaType: types.OCIImageIndex, Digest: imgTestSHA(c), Size: int64(len(c))})
			}
		}
		b, _ := json.Marshal(idx)
		return b
	}

	t.Run("one child listed 2,000 times", func(t *testing.T) {
		c := child(2000, "a")
		dir := layout(t, index(2000, c), c)
		ctx := imgTestDeadline(t)
		var err error
		imgTestBudget(t, 64<<20, func() { _, err = FromImage(ctx, ImageFromLayout(dir), WithPlatform("linux/arm64")) })
		imgTestNotDeadline(t, err)
		if !errors.Is(err, ErrImagePlatformNotFound) || !strings.Contains(err.Error(), "want linux/arm64") {
			t.Fatalf("err = %v, want ErrImagePlatformNotFound", err)
		}
	})
	t.Run("more descriptors than the limit", func(t *testing.T) {
		a, b := child(imagefs.MaxIndexDescriptors/2, "a"), child(imagefs.MaxIndexDescriptors/2, "b")
		dir := layout(t, index(1, a, b), a, b)
		ctx := imgTestDeadline(t)
		_, err := FromImage(ctx, ImageFromLayout(dir), WithPlatform("linux/arm64"))
		imgTestNotDeadline(t, err)
		if !errors.Is(err, ErrImageTooLarge) || !strings.Contains(err.Error(), "descriptors") {
			t.Fatalf("err = %v, want ErrImageTooLarge naming descriptors", err)
		}
	})
}

// TestFromImageTarballSpecialFiles: a tarball path that is a named pipe
// (opening it for reading blocks until a writer comes, past any deadline)
// or a device is refused before it is opened.
func TestFromImageTarballSpecialFiles(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "image.tar")
	if err := imgTestMkfifo(fifo); err != nil {
		t.Skipf("cannot create a FIFO: %v", err)
	}
	for _, p := range []string{fifo, "/dev/zero"} {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		t.Run(p, func(t *testing.T) {
			ctx := imgTestDeadline(t)
			var err error
			imgTestBudget(t, 8<<20, func() { _, err = FromImage(ctx, ImageFromTarball(p)) })
			imgTestNotDeadline(t, err)
			if err == nil || !strings.Contains(err.Error(), p+": not a regular file") {
				t.Fatalf("err = %v, want %q", err, p+": not a regular file")
			}
		})
	}
}

// TestFromImageJarBomb is issue 14, item 9: a jar whose central
// directory points 2,000 entries at one deflated nested jar (here 300
// entries at a 4 MiB one: 1.2 GiB decompressed and allocated before),
// and jars of many distinct nested jars over the per-archive and
// per-image decompression budgets.
func TestFromImageJarBomb(t *testing.T) {
	const nestedSize, maxFile = 4 << 20, 8 << 20
	nested := catalogtest.NestedJar(t, nestedSize)
	outer := []catalogtest.ZipEntry{{Name: "META-INF/maven/org.example/outer/pom.properties",
		Data: []byte("groupId=org.example\nartifactId=outer\nversion=2.0\n")}}
	var distinct []catalogtest.ZipEntry
	distinct = append(distinct, outer...)
	raw := catalogtest.Deflated(t, nested)
	for i := range 300 {
		distinct = append(distinct, catalogtest.ZipEntry{Name: fmt.Sprintf("BOOT-INF/lib/lib%03d.jar", i), Data: nested, Raw: raw})
	}
	distinctJar := catalogtest.Zip(t, distinct)

	t.Run("overlapping entries", func(t *testing.T) {
		img := imgTestImage(t, "amd64", nil, imgTestLayer(t, imgTestReg("app/bomb.jar", catalogtest.OverlappingJar(t, nested, 300))))
		ctx := imgTestDeadline(t)
		var doc *Document
		var err error
		imgTestBudget(t, 48<<20, func() { doc, err = FromImage(ctx, ImageFromV1(img, ""), WithMaxFileSize(maxFile)) })
		imgTestNotDeadline(t, err)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]string{"inner@1.0"}, imgTestNames(doc, "java")); d != "" {
			t.Errorf("java (-want +got):\n%s", d)
		}
	})
	t.Run("per-archive and per-image budgets", func(t *testing.T) {
		var files []imgTestFile
		for i := range 6 {
			files = append(files, imgTestReg(fmt.Sprintf("app/big%d.jar", i), distinctJar))
		}
		img := imgTestImage(t, "amd64", nil, imgTestLayer(t, files...))
		ctx := imgTestDeadline(t)
		var doc *Document
		var err error
		// Per archive 4 x 8 MiB, per image 16 x 8 MiB = 128 MiB; without
		// budgets the six jars decompressed 6 x 300 x 4 MiB = 7 GiB.
		imgTestBudget(t, 200<<20, func() { doc, err = FromImage(ctx, ImageFromV1(img, ""), WithMaxFileSize(maxFile)) })
		imgTestNotDeadline(t, err)
		if err != nil {
			t.Fatal(err)
		}
		lim := strings.Join(doc.Limitations, "\n")
		for _, want := range []string{"more than 33554432 bytes from one archive", "more than 134217728 bytes from the image's Java archives"} {
			if !strings.Contains(lim, want) {
				t.Errorf("limitations %q: want %q", doc.Limitations, want)
			}
		}
		// What was found before a budget ran out is still reported.
		if names := imgTestNames(doc, "java"); !slices.Contains(names, "outer@2.0") || !slices.Contains(names, "inner@1.0") {
			t.Errorf("java %v: want outer@2.0 and inner@1.0", names)
		}
	})
	t.Run("context checked per entry", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var ms []catalog.Maven
		var err error
		imgTestBudget(t, 1<<20, func() {
			ms, err = catalog.ScanJar(distinctJar, "big.jar", maxFile, 0, catalog.NewInflate(ctx, maxFile, new(atomic.Int64)))
		})
		if !errors.Is(err, context.Canceled) || len(ms) != 0 {
			t.Fatalf("cancelled: %v, %v; want context.Canceled before any entry", ms, err)
		}
	})
}

// TestFromImageDeepPaths is issue 14, item 11: tar entries with
// 100,000-component paths ("a/a/a/...", 200 KB each) took 42 s in the
// whiteout logic, which walked path.Dir once per component and looked
// each parent up by its full path, and then succeeded past the deadline.
// Paths are now capped and visibility is decided one component at a
// time.
func TestFromImageDeepPaths(t *testing.T) {
	deep := strings.Repeat("a/", 100000) + "f"
	t.Run("100,000 components", func(t *testing.T) {
		img := imgTestImage(t, "amd64", nil,
			imgTestLayerBytes(t, imgTestRawTar(t, []imgTestMember{{name: deep, data: []byte("x")}})),
			imgTestLayerBytes(t, imgTestRawTar(t, []imgTestMember{{name: deep, data: []byte("y")}})))
		ctx := imgTestDeadline(t)
		var err error
		imgTestBudget(t, 32<<20, func() { _, err = FromImage(ctx, ImageFromV1(img, "")) })
		imgTestNotDeadline(t, err)
		if !errors.Is(err, ErrImageTooLarge) || !strings.Contains(err.Error(), "path of 200001 bytes (limit 4096)") {
			t.Fatalf("err = %v, want ErrImageTooLarge for the path length", err)
		}
	})
	t.Run("too many components", func(t *testing.T) {
		img := imgTestImage(t, "amd64", nil, imgTestLayer(t, imgTestReg(strings.Repeat("a/", 300)+"f", []byte("x"))))
		_, err := FromImage(context.Background(), ImageFromV1(img, ""))
		if !errors.Is(err, ErrImageTooLarge) || !strings.Contains(err.Error(), "components (limit 256)") {
			t.Fatalf("err = %v, want ErrImageTooLarge for the depth", err)
		}
	})
	t.Run("link target too long", func(t *testing.T) {
		img := imgTestImage(t, "amd64", nil, imgTestLayerBytes(t, imgTestRawTar(t, []imgTestMember{{name: "x", typ: tar.TypeSymlink, link: deep}})))
		_, err := FromImage(context.Background(), ImageFromV1(img, ""))
		if !errors.Is(err, ErrImageTooLarge) || !strings.Contains(err.Error(), "link /x: target of 200001 bytes") {
			t.Fatalf("err = %v, want ErrImageTooLarge for the link target", err)
		}
	})
	t.Run("whiteouts at the depth limit", func(t *testing.T) {
		// 250 components: a package database deep in a tree, whited out
		// through a parent, made opaque through another, replaced by a
		// file above it.
		dir := strings.Repeat("d/", 245)
		meta := imgTestdata(t, "python/pip-23.0.1.METADATA")
		lower := imgTestLayer(t,
			imgTestReg(dir+"x/pip-23.0.1.dist-info/METADATA", meta),
			imgTestReg(dir+"y/pip-23.0.1.dist-info/METADATA", meta),
			imgTestReg(dir+"z/pip-23.0.1.dist-info/METADATA", meta),
			imgTestReg(dir+"k/pip-23.0.1.dist-info/METADATA", meta))
		upper := imgTestLayer(t,
			imgTestReg(dir+".wh.x", nil),
			imgTestReg(dir+"y/.wh..wh..opq", nil),
			imgTestReg(dir+"z", []byte("a file now")))
		doc, err := FromImage(context.Background(), ImageFromV1(imgTestImage(t, "amd64", nil, lower, upper), ""))
		if err != nil {
			t.Fatal(err)
		}
		var locs []string
		for _, c := range doc.Components[1:] {
			for _, l := range c.Locations {
				locs = append(locs, strings.TrimPrefix(l.Path, "/"+dir))
			}
		}
		if d := cmp.Diff([]string{"k/pip-23.0.1.dist-info/METADATA"}, locs); d != "" {
			t.Errorf("visible metadata (-want +got):\n%s", d)
		}
	})
}

// TestFromImageTarballClosesFiles checks that a tarball scan, failed or
// not, leaves no file open (the fuzzer found a leak on truncated tars).
func TestFromImageTarballClosesFiles(t *testing.T) {
	if _, err := os.ReadDir("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd")
	}
	dir := t.TempDir()
	good := imgTestWriteArchive(t, dir, "good.tar.gz", true, imgTestOCIArchive(t, 2, 1024))
	truncated := filepath.Join(dir, "trunc.tar")
	if err := os.WriteFile(truncated, imgTestRawTar(t, imgTestOCIArchive(t, 1, 0))[:700], 0o644); err != nil {
		t.Fatal(err)
	}
	badGz := filepath.Join(dir, "bad.tar.gz")
	if err := os.WriteFile(badGz, []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3}, 0o644); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		fds, _ := os.ReadDir("/proc/self/fd")
		return len(fds)
	}
	before := count()
	for range 20 {
		if _, err := FromImage(context.Background(), ImageFromTarball(good)); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{truncated, badGz} {
			if _, err := FromImage(context.Background(), ImageFromTarball(p)); err == nil {
				t.Fatalf("%s: no error", p)
			}
		}
	}
	if after := count(); after > before+2 {
		t.Errorf("%d files open before, %d after 60 scans", before, after)
	}
}
