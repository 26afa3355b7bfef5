package content

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// contentGzipMember returns one gzip member holding data.
func contentGzipMember(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// contentPaddedTgz builds a .tgz of an npm package.json followed by n
// entries of type typ declaring size bytes each, their bodies zeros. It
// is a multi-member gzip stream (compress/gzip reads those as one):
// each MiB of zeros is the same ~1 KB member, so n GiB of entries cost
// n MB of input, like the attack in issue 14 item 13.
func contentPaddedTgz(t testing.TB, typ byte, n int, size int64) []byte {
	t.Helper()
	var hdrs bytes.Buffer
	tw := tar.NewWriter(&hdrs)
	pj := `{"name":"pad","version":"1.0.0"}`
	if err := tw.WriteHeader(&tar.Header{Name: "package/package.json", Mode: 0o644, Size: int64(len(pj)), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	tw.Write([]byte(pj))
	tw.Flush()
	var out bytes.Buffer
	out.Write(contentGzipMember(t, hdrs.Bytes()))
	const mib = 1 << 20
	zeroMember := contentGzipMember(t, make([]byte, mib))
	if size%mib != 0 {
		t.Fatalf("size %d is not a whole number of MiB", size)
	}
	for i := 0; i < n; i++ {
		// A raw ustar header: tar.Writer refuses to write a body for
		// type '7' the way an attacker's tool does not.
		h := make([]byte, 512)
		copy(h[0:], fmt.Sprintf("package/pad%d", i))
		copy(h[100:], "0000644\x00")
		copy(h[108:], "0000000\x00")
		copy(h[116:], "0000000\x00")
		copy(h[124:], fmt.Sprintf("%011o\x00", size))
		copy(h[136:], "00000000000\x00")
		h[156] = typ
		copy(h[257:], "ustar\x0000")
		copy(h[148:], "        ")
		sum := 0
		for _, c := range h {
			sum += int(c)
		}
		copy(h[148:], fmt.Sprintf("%06o\x00 ", sum))
		out.Write(contentGzipMember(t, h))
		for j := int64(0); j < size/mib; j++ {
			out.Write(zeroMember)
		}
	}
	out.Write(contentGzipMember(t, make([]byte, 1024)))
	return out.Bytes()
}

// Issue 14 item 13: entries of non-regular types that carry a size count
// toward the unpacked limit; the scan stops at the limit, within its
// deadline and without decompressing the rest.
func TestScanPackageArchiveNonRegularEntriesCounted(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		size int64
	}{
		{"8 x 1 GiB type 7", 8, 1 << 30},     // one entry alone is over the limit
		{"8 x 100 MiB type 7", 8, 100 << 20}, // the sum crosses the limit at the sixth
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := contentPaddedTgz(t, '7', tc.n, tc.size)
			if len(data) > 10<<20 {
				t.Fatalf("input %d bytes, want the attack's few MB", len(data))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := ScanPackageArchive(ctx, "pad-1.0.0.tgz", bytes.NewReader(data))
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err = %v, want ErrContentTooLarge", err)
			}
			if ctx.Err() != nil {
				t.Fatalf("the scan ran past its deadline: %v", ctx.Err())
			}
			if !strings.Contains(err.Error(), "package/pad") || !strings.Contains(err.Error(), `type '7'`) {
				t.Errorf("error does not name the entry and its type: %v", err)
			}
			// The input is held once (a few MB); decompressing the
			// padding must not add to that beyond buffers.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("allocated %d MiB for a %d-byte input", alloc>>20, len(data))
			}
		})
	}
}

// A .tgz whose stream is larger than the limit in headers alone (many
// tiny entries are capped by count) and a cancelled context both stop the
// reader.
func TestContentLimitReader(t *testing.T) {
	r := &limitReader{ctx: context.Background(), r: bytes.NewReader(make([]byte, 100)), left: 10}
	buf := make([]byte, 64)
	n, err := r.Read(buf)
	if n != 10 || err != nil {
		t.Fatalf("first read %d, %v", n, err)
	}
	if _, err := r.Read(buf); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("read past the limit: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r = &limitReader{ctx: ctx, r: bytes.NewReader(make([]byte, 100)), left: 1000}
	if _, err := r.Read(buf); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled read: %v", err)
	}
}

// Past the package's analysis budget, code files are listed as skipped
// with the reason; install-time code is analysed regardless.
func TestContentPackageBudget(t *testing.T) {
	old := maxAnalysedBytes
	maxAnalysedBytes = 100
	defer func() { maxAnalysedBytes = old }()
	rep, err := ScanPackageArchive(context.Background(), "b.tgz", bytes.NewReader(contentTarGz(t, map[string]string{
		"package/package.json": `{"name":"b","version":"1.0.0","scripts":{"postinstall":"node i.js"}}`,
		"package/a.js":         strings.Repeat("var a = 1;\n", 20),
		"package/i.js":         "require('child_process').execSync(Buffer.from('aWQ=', 'base64').toString());\n" + strings.Repeat("// pad\n", 20),
	})))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(rep.Skipped, "\n"), "a.js (package analysis budget of 100 bytes spent)") {
		t.Errorf("skipped %q", rep.Skipped)
	}
	if _, ok := contentSignalIDs(rep)["exec-decoded"]; !ok {
		t.Errorf("install-time code not analysed past the budget: %+v", rep.Findings)
	}
}
