package risk

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkScanPackageArchive compares the content scan of a real npm
// tarball (es5-ext, 430 files) with only unpacking it with archive/tar.
func BenchmarkScanPackageArchive(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "signals", "npm", "es5-ext-0.10.64.tgz"))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("chaingate-ScanPackageArchive", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := ScanPackageArchive(context.Background(), "es5-ext.tgz", bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw-archive-tar-unpack", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			tr := tar.NewReader(zr)
			for {
				if _, err := tr.Next(); err != nil {
					break
				}
				io.Copy(io.Discard, tr)
			}
		}
	})
}
