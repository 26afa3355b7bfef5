package vulndb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// indexHeader splits a compact index into its header fields: the bytes
// before the five declared counts, the counts, and the bytes after.
func indexHeader(t testing.TB, idx []byte) (head []byte, counts [5]uint64, body []byte) {
	t.Helper()
	r := &indexReader{s: string(idx[len(indexMagic):])}
	r.str()
	r.time()
	start := len(indexMagic) + r.off
	for i := range counts {
		counts[i] = r.uvarint()
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	return idx[:start], counts, idx[len(indexMagic)+r.off:]
}

// indexWithCounts re-encodes an index with other declared counts.
func indexWithCounts(head []byte, counts [5]uint64, body []byte) []byte {
	out := bytes.Clone(head)
	for _, c := range counts {
		out = binary.AppendUvarint(out, c)
	}
	return append(out, body...)
}

// TestReadIndexDistrustsCounts (issue 14, item 16): crafted indexes
// whose header declares counts their bytes do not hold are rejected with
// ErrInvalidIndex, and reading them allocates little more than the
// input itself (the old reader allocated from the declared counts: 24
// bytes per declared event, gigabytes for a 300 MiB index).
func TestReadIndexDistrustsCounts(t *testing.T) {
	const size = 16 << 20
	// One real-shaped entry whose extra is 16 MiB of padding, so the
	// bytes left could hold millions of small items.
	var b bytes.Buffer
	b.WriteString(indexMagic)
	b.WriteByte(0) // source ""
	b.WriteByte(0) // modified: zero
	head := bytes.Clone(b.Bytes())
	var body []byte
	body = append(body, 1, 'a', 0, 0, 0, 0, 0) // id "a", no aliases, upstream, flags, zero times
	body = binary.AppendUvarint(body, size)
	body = append(body, bytes.Repeat([]byte{'x'}, size)...)
	body = append(body, 0) // no affected
	honest := indexWithCounts(head, [5]uint64{1, 0, 0, 0, 0}, body)
	if _, err := ReadIndex(bytes.NewReader(honest)); err != nil {
		t.Fatalf("the honest form of the crafted index: %v", err)
	}
	left := uint64(len(body))
	cases := []struct {
		name   string
		counts [5]uint64
		want   string
	}{
		{"events fill the bytes left", [5]uint64{1, 0, 0, left/2 - 8, 0}, "header declares"},
		{"strings fill the bytes left", [5]uint64{1, 0, 0, 0, left - 16}, "header declares"},
		{"all counts at once", [5]uint64{left / 9, left / 9, left / 9, left / 9, left / 9}, "header declares items needing"},
		{"entries over the bytes left", [5]uint64{left / 4, 0, 0, 0, 0}, "header declares items needing"},
		{"count over its maximum", [5]uint64{1, 0, 0, 1 << 40, 0}, "count out of range"},
		{"too few entries", [5]uint64{0, 0, 0, 0, 0}, "trailing bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := indexWithCounts(head, tc.counts, body)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := ReadIndex(bytes.NewReader(data))
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrInvalidIndex) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want ErrInvalidIndex saying %q", err, tc.want)
			}
			// The input is read once (16 MiB); nothing may be allocated
			// from the counts.
			if got, budget := after.TotalAlloc-before.TotalAlloc, uint64(len(data))+2<<20; got > budget {
				t.Errorf("allocated %d bytes reading a %d-byte index (budget %d)", got, len(data), budget)
			}
		})
	}
}

// TestReadIndexInflationLimit: an index of minimal items, each count
// true, still may not decode to more than indexMaxInflate bytes of
// structure per byte of input.
func TestReadIndexInflationLimit(t *testing.T) {
	const n = 200000
	var body []byte
	for range n {
		body = append(body, 1, 'a', 0, 0, 0, 0, 0, 0, 0) // 9 bytes: the smallest entry
	}
	var b bytes.Buffer
	b.WriteString(indexMagic)
	b.Write([]byte{0, 0})
	data := indexWithCounts(b.Bytes(), [5]uint64{n, 0, 0, 0, 0}, body)
	_, err := ReadIndex(bytes.NewReader(data))
	if !errors.Is(err, ErrInvalidIndex) || !strings.Contains(err.Error(), "decode to") {
		t.Fatalf("error %v, want the inflation limit", err)
	}
}

// TestReadIndexOldFormat names the format version it found.
func TestReadIndexOldFormat(t *testing.T) {
	_, err := ReadIndex(strings.NewReader("chaingate-osv-index/3\nxyz"))
	if !errors.Is(err, ErrInvalidIndex) || !strings.Contains(err.Error(), `"chaingate-osv-index/3"`) {
		t.Fatalf("error %v", err)
	}
}

// indexFuzzSeeds are real indexes and their header counts mutated.
func indexFuzzSeeds(f *testing.F) {
	for _, dir := range []string{"other", "multi"} {
		db, err := Load(filepath.Join("..", "testdata", "osv", dir))
		if err != nil {
			f.Fatal(err)
		}
		var buf bytes.Buffer
		if err := db.WriteIndex(&buf); err != nil {
			f.Fatal(err)
		}
		idx := buf.Bytes()
		f.Add(idx)
		head, counts, body := indexHeader(f, idx)
		for i := range counts {
			for _, v := range []uint64{0, counts[i] + 1, counts[i] * 1000, uint64(len(body)), 1 << 31, 1<<64 - 1} {
				c := counts
				c[i] = v
				f.Add(indexWithCounts(head, c, body))
			}
		}
	}
}
