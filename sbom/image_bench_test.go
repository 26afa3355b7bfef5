//go:build unix

package sbom

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// imgBenchImage is a generated Debian-like image of four gzip-compressed
// layers and about 12,000 files: the real dpkg database, a Go binary,
// 2,000 installed npm packages, 300 Python distributions, and ~9,000
// other files (text and non-Go executables) of 512 B to 16 KiB.
func imgBenchImage(b testing.TB) (v1.Image, int) {
	b.Helper()
	rng := rand.New(rand.NewSource(1))
	blob := func(n int) []byte {
		p := make([]byte, n)
		rng.Read(p)
		return p
	}
	nfiles := 0
	layer := func(files []imgTestFile) v1.Layer {
		nfiles += len(files)
		raw := imgTestTar(b, files)
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(raw)
		zw.Close()
		data := gz.Bytes()
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
		if err != nil {
			b.Fatal(err)
		}
		return l
	}
	var base []imgTestFile
	base = append(base, imgTestReg("etc/os-release", imgTestdata(b, "os-release-debian12")),
		imgTestReg("var/lib/dpkg/status", imgTestdata(b, "dpkg-status.gz")))
	for i := 0; i < 4000; i++ {
		base = append(base, imgTestReg(fmt.Sprintf("usr/share/doc/pkg%d/file%d.txt", i/10, i), blob(512+rng.Intn(4096))))
	}
	for i := 0; i < 500; i++ {
		exe := append([]byte("\x7fELF"), blob(1024+rng.Intn(16384))...)
		base = append(base, imgTestFile{name: fmt.Sprintf("usr/lib/x86_64-linux-gnu/lib%d.so.1", i), data: exe, mode: 0o755, typ: tar.TypeReg})
	}
	var langs []imgTestFile
	for i := 0; i < 2000; i++ {
		langs = append(langs,
			imgTestReg(fmt.Sprintf("app/node_modules/pkg-%d/package.json", i), []byte(fmt.Sprintf(`{"name":"pkg-%d","version":"1.%d.0","license":"MIT"}`, i, i))),
			imgTestReg(fmt.Sprintf("app/node_modules/pkg-%d/index.js", i), blob(2048)))
	}
	for i := 0; i < 300; i++ {
		langs = append(langs, imgTestReg(fmt.Sprintf("usr/lib/python3/dist-packages/proj_%d-2.%d.dist-info/METADATA", i, i),
			[]byte(fmt.Sprintf("Metadata-Version: 2.1\nName: proj_%d\nVersion: 2.%d\nLicense: MIT\n\nlong description\n", i, i))))
	}
	upper := []imgTestFile{
		imgTestFile{name: "usr/local/bin/imgapp", data: imgTestGoBinary(b), mode: 0o755, typ: tar.TypeReg},
		imgTestReg("app/node_modules/.wh.pkg-7", nil),
	}
	for i := 0; i < 1500; i++ {
		upper = append(upper, imgTestReg(fmt.Sprintf("srv/data/%d.bin", i), blob(512+rng.Intn(8192))))
	}
	img, err := mutate.AppendLayers(imgTestImage(b, "amd64", nil), layer(base), layer(langs), layer(upper))
	if err != nil {
		b.Fatal(err)
	}
	return img, nfiles
}

// BenchmarkFromImage scans a generated image with ~12,000 files
// (chaingate), beside go-containerregistry reading the same squashed
// file system (mutate.Extract and a tar walk reading every file: the
// least work any scanner must do).
func BenchmarkFromImage(b *testing.B) {
	img, nfiles := imgBenchImage(b)
	ctx := context.Background()
	b.Run("raw-ggcr-extract", func(b *testing.B) {
		b.ReportAllocs()
		defer imgBenchCPU(b)()
		for b.Loop() {
			rc := mutate.Extract(img)
			tr := tar.NewReader(rc)
			n := 0
			for {
				_, err := tr.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, tr); err != nil {
					b.Fatal(err)
				}
				n++
			}
			rc.Close()
			if n < nfiles/2 {
				b.Fatalf("%d entries", n)
			}
		}
	})
	b.Run("chaingate", func(b *testing.B) {
		b.ReportAllocs()
		defer imgBenchCPU(b)()
		for b.Loop() {
			doc, err := FromImage(ctx, ImageFromV1(img, ""))
			if err != nil {
				b.Fatal(err)
			}
			if len(doc.Components) < 2000 {
				b.Fatalf("%d components", len(doc.Components))
			}
		}
		b.ReportMetric(float64(nfiles), "files")
	})
}

// imgBenchCPU reports the process CPU time (user+system, all goroutines)
// per operation: on a shared, loaded machine it compares the work done
// more fairly than wall time. Call as defer imgBenchCPU(b)().
func imgBenchCPU(b *testing.B) func() {
	cpu := func() int64 {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			return 0
		}
		return ru.Utime.Nano() + ru.Stime.Nano()
	}
	start := cpu()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpu()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

// BenchmarkFromImageTarball scans the same image saved as a gzip-
// compressed OCI layout archive (chaingate: index the archive once,
// then read every layer in place), beside the least work any reader of
// that archive must do: decompress it once and walk every layer's tar.
func BenchmarkFromImageTarball(b *testing.B) {
	img, _ := imgBenchImage(b)
	dir := b.TempDir()
	lp, err := layout.Write(filepath.Join(dir, "layout"), empty.Index)
	if err != nil {
		b.Fatal(err)
	}
	if err := lp.AppendImage(img); err != nil {
		b.Fatal(err)
	}
	raw := filepath.Join(dir, "oci.tar")
	imgTestTarDir(b, filepath.Join(dir, "layout"), raw)
	data, err := os.ReadFile(raw)
	if err != nil {
		b.Fatal(err)
	}
	archive := filepath.Join(dir, "oci.tar.gz")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	if err := os.WriteFile(archive, gz.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("raw-gunzip-and-walk", func(b *testing.B) {
		b.ReportAllocs()
		defer imgBenchCPU(b)()
		for b.Loop() {
			f, err := os.Open(archive)
			if err != nil {
				b.Fatal(err)
			}
			zr, err := gzip.NewReader(f)
			if err != nil {
				b.Fatal(err)
			}
			tr := tar.NewReader(zr)
			for {
				h, err := tr.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				if !strings.HasPrefix(h.Name, "blobs/") || h.Size < 1024 {
					continue
				}
				// A layer: decompress it and walk its tar.
				lz, err := gzip.NewReader(tr)
				if err != nil {
					b.Fatal(err)
				}
				lt := tar.NewReader(lz)
				for {
					if _, err := lt.Next(); err != nil {
						break
					}
					io.Copy(io.Discard, lt)
				}
			}
			f.Close()
		}
	})
	b.Run("chaingate", func(b *testing.B) {
		b.ReportAllocs()
		defer imgBenchCPU(b)()
		for b.Loop() {
			doc, err := FromImage(ctx, ImageFromTarball(archive))
			if err != nil {
				b.Fatal(err)
			}
			if len(doc.Components) < 2000 {
				b.Fatalf("%d components", len(doc.Components))
			}
		}
	})
}

// BenchmarkFromImageLinks scans the generated image with a fourth layer
// of links beside the same image without it: merged-/usr directory links
// (walked, nothing to read again) and the dpkg database moved behind a
// symbolic link (its layer read a second time), the worst case of link
// resolution.
func BenchmarkFromImageLinks(b *testing.B) {
	img, _ := imgBenchImage(b)
	ctx := context.Background()
	withLinks, err := mutate.AppendLayers(img, imgTestLayer(b,
		imgTestLink("lib", "usr/lib"),
		imgTestLink("lib64", "usr/lib"),
		imgTestLink("srv/app", "/app")))
	if err != nil {
		b.Fatal(err)
	}
	// The dpkg database at another path of its own layer, and the status
	// file a link to it from the top layer (which hides the base layer's).
	status := imgTestdata(b, "dpkg-status.gz")
	reread, err := mutate.AppendLayers(img,
		imgTestLayer(b, imgTestReg("opt/dpkg/status.real", status)),
		imgTestLayer(b, imgTestLink("var/lib/dpkg/status", "/opt/dpkg/status.real")))
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		img  v1.Image
	}{{"no-links", img}, {"dir-links", withLinks}, {"linked-dpkg-status", reread}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			defer imgBenchCPU(b)()
			for b.Loop() {
				doc, err := FromImage(ctx, ImageFromV1(bc.img, ""))
				if err != nil {
					b.Fatal(err)
				}
				if len(doc.Components) < 2000 {
					b.Fatalf("%d components", len(doc.Components))
				}
			}
		})
	}
}
