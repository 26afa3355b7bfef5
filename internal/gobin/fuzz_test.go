package gobin_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"

	"github.com/chaingate/chaingate/internal/gobin"
	"github.com/chaingate/chaingate/internal/gobin/gobintest"
)

type bytesReaderAt []byte

func (b bytesReaderAt) ReadAt(p []byte, off int64) (int, error) {
	return bytes.NewReader(b).ReadAt(p, off)
}

// FuzzRead feeds truncated and corrupted real binaries (ELF, PE and
// Mach-O built by the test) to Read: errors, never panics. Each input is
// a binary and an edit: cut at n, or overwrite 8 bytes at off with v.
func FuzzRead(f *testing.F) {
	var seeds [][]byte
	for _, p := range [][3]string{{"linux", "amd64", ""}, {"linux", "amd64", "-s -w"}, {"windows", "amd64", "-s -w"}, {"darwin", "arm64", "-s -w"}} {
		exe := gobintest.Build(f, p[0], p[1], p[2])
		b, err := readAll(exe)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	for i := range seeds {
		f.Add(uint8(i), uint32(0), uint32(0), uint64(0))
		f.Add(uint8(i), uint32(len(seeds[i])/2), uint32(0), uint64(0))
		f.Add(uint8(i), uint32(0), uint32(len(seeds[i])/3), uint64(0xffffffffffffffff))
	}
	f.Fuzz(func(t *testing.T, which uint8, cut, off uint32, v uint64) {
		src := seeds[int(which)%len(seeds)]
		data := bytes.Clone(src)
		if cut > 0 && int(cut) < len(data) {
			data = data[:cut]
		}
		if int(off)+8 <= len(data) && off > 0 {
			binary.LittleEndian.PutUint64(data[off:], v)
		}
		b, err := gobin.Read(bytesReaderAt(data), 64<<20)
		if err == nil && b == nil {
			t.Fatal("nil binary without error")
		}
	})
}

func readAll(path string) ([]byte, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}
