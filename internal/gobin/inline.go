package gobin

import (
	"bytes"
	"encoding/binary"
	"io"
	"slices"
)

// Inline trees are written by hand: debug/gosym does not expose them.
// The layouts are the Go 1.20+ runtime's (runtime/runtime2.go _func,
// runtime/symtabinl.go inlinedCall, internal/abi/symtab.go indices); a
// table of another version, a big-endian one, or a binary without the
// function-data base (the symbol "go:func.*", or in a stripped binary
// the moduledata field) gives no inline reader and Binary.Inlined false.

const (
	pcdataInlTreeIndex = 2
	funcdataInlTree    = 3
	funcFixedSize      = 44 // _func up to and including nfuncdata
	inlinedCallSize    = 16
	maxInlineEntries   = 1 << 16
)

type inlineReader struct {
	nfunc   int
	nameTab []byte
	pcTab   []byte
	funcTab []byte // functab and _func records (pclnOffset on)
	gofunc  uint64
	// The section holding gofunc, from address dataStart, dataSize
	// bytes: data once read, ra before (while a candidate is checked).
	data      []byte
	ra        io.ReaderAt
	dataStart uint64
	dataSize  uint64
}

// newInlineReader returns a reader of the inline trees of tab, or nil
// when they cannot be read.
func newInlineReader(x *exe, tab []byte, limit int64) *inlineReader {
	if len(tab) < 8 || !bytes.Equal(tab[:4], []byte{0xf1, 0xff, 0xff, 0xff}) {
		return nil
	}
	ps := int(tab[7])
	if ps != 8 && ps != 4 {
		return nil
	}
	word := func(i int) (uint64, bool) {
		o := 8 + i*ps
		if o+ps > len(tab) {
			return 0, false
		}
		if ps == 8 {
			return binary.LittleEndian.Uint64(tab[o:]), true
		}
		return uint64(binary.LittleEndian.Uint32(tab[o:])), true
	}
	nfunc, ok1 := word(0)
	nameOff, ok2 := word(3)
	pcOff, ok3 := word(6)
	pclnOff, ok4 := word(7)
	if !ok1 || !ok2 || !ok3 || !ok4 || nameOff > uint64(len(tab)) || pcOff > uint64(len(tab)) || pclnOff > uint64(len(tab)) || nfunc > uint64(len(tab))/8 {
		return nil
	}
	base := &inlineReader{
		nfunc:   int(nfunc),
		nameTab: tab[nameOff:], pcTab: tab[pcOff:], funcTab: tab[pclnOff:],
	}
	if uint64(len(base.funcTab)) < (nfunc+1)*8 {
		return nil
	}
	// The inline trees live after gofunc in read-only data. Its address
	// is the symbol "go:func.*"; in a stripped binary, a field of the
	// runtime's moduledata, found as govulncheck cannot: see
	// gofuncCandidates.
	var cands []uint64
	fromSymbol := false
	if g, ok := x.symbol("go:func.*"); ok {
		cands, fromSymbol = []uint64{g}, true
	} else {
		cands = gofuncCandidates(x, ps, x.tabAddr+nameOff)
	}
	for _, g := range cands {
		start, size, ra, err := x.region(g)
		if err != nil || (limit > 0 && size > uint64(limit)) {
			continue
		}
		r := *base
		r.gofunc, r.ra, r.dataStart, r.dataSize = g, ra, start, size
		// Check a candidate with small reads before reading its section.
		if !fromSymbol && !r.plausible() {
			continue
		}
		data := make([]byte, size)
		if _, err := ra.ReadAt(data, 0); err != nil {
			continue
		}
		r.data, r.ra = data, nil
		return &r
	}
	return nil
}

// gofuncCandidates finds the runtime's moduledata in the data sections
// of a stripped binary (its first word points to the pclntab, its second
// to the function name table) and returns the words that follow, one of
// which is gofunc. The field's position changes between Go releases, so
// each candidate is checked by plausible rather than taken by offset.
func gofuncCandidates(x *exe, ps int, nameTabAddr uint64) []uint64 {
	if x.tabAddr == 0 || x.section == nil {
		return nil
	}
	word := func(b []byte) uint64 {
		if ps == 8 {
			return binary.LittleEndian.Uint64(b)
		}
		return uint64(binary.LittleEndian.Uint32(b))
	}
	pat := make([]byte, 2*ps)
	if ps == 8 {
		binary.LittleEndian.PutUint64(pat, x.tabAddr)
		binary.LittleEndian.PutUint64(pat[8:], nameTabAddr)
	} else {
		binary.LittleEndian.PutUint32(pat, uint32(x.tabAddr))
		binary.LittleEndian.PutUint32(pat[4:], uint32(nameTabAddr))
	}
	const maxFields = 64 // moduledata has about 40 words before gofunc
	var out []uint64
	for _, name := range x.dataSecs {
		_, data, ok := x.section(name)
		if !ok {
			continue
		}
		for off := 0; ; {
			i := bytes.Index(data[off:], pat)
			if i < 0 {
				break
			}
			p := off + i
			off = p + 1
			if p%ps != 0 {
				continue
			}
			for k := 2; k < maxFields && p+(k+1)*ps <= len(data); k++ {
				if v := word(data[p+k*ps:]); v != 0 && !slices.Contains(out, v) {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

// plausible checks the first inline trees read with r.gofunc: every
// entry must have zero padding and name a function at the start of a
// name in the name table. A wrong gofunc fails within a few entries.
func (r *inlineReader) plausible() bool {
	checked := 0
	for i := 0; i < r.nfunc && checked < 256; i++ {
		tree, ok := r.tree(i)
		if !ok {
			continue
		}
		if len(tree) < inlinedCallSize {
			return false
		}
		for j := 0; j+inlinedCallSize <= len(tree); j += inlinedCallSize {
			no := int32(binary.LittleEndian.Uint32(tree[j+4:]))
			if tree[j+1] != 0 || tree[j+2] != 0 || tree[j+3] != 0 || no <= 0 || int(no) >= len(r.nameTab) || r.nameTab[no-1] != 0 || r.name(no) == "" {
				return false
			}
			checked++
		}
	}
	return checked > 0
}

// tree returns the inline tree of the i-th function; ok is false when
// it has none.
func (r *inlineReader) tree(i int) ([]byte, bool) {
	foff := uint64(binary.LittleEndian.Uint32(r.funcTab[i*8+4:]))
	if foff+funcFixedSize > uint64(len(r.funcTab)) {
		return nil, false
	}
	f := r.funcTab[foff:]
	npcdata := uint64(binary.LittleEndian.Uint32(f[28:]))
	nfuncdata := uint64(f[43])
	if npcdata <= pcdataInlTreeIndex || nfuncdata <= funcdataInlTree {
		return nil, false
	}
	end := funcFixedSize + 4*(npcdata+nfuncdata)
	if foff+end > uint64(len(r.funcTab)) {
		return nil, false
	}
	pcdata := binary.LittleEndian.Uint32(f[funcFixedSize+4*pcdataInlTreeIndex:])
	fd := binary.LittleEndian.Uint32(f[funcFixedSize+4*npcdata+4*funcdataInlTree:])
	if pcdata == 0 || fd == ^uint32(0) {
		return nil, false
	}
	n := r.maxIndex(pcdata) + 1
	if n <= 0 || n > maxInlineEntries {
		return nil, false
	}
	at := r.gofunc + uint64(fd)
	if at < r.dataStart || at-r.dataStart >= r.dataSize {
		return nil, false
	}
	off := at - r.dataStart
	n = int(min(uint64(n*inlinedCallSize), r.dataSize-off))
	if r.data != nil {
		return r.data[off : off+uint64(n)], true
	}
	t := make([]byte, n)
	if _, err := r.ra.ReadAt(t, int64(off)); err != nil {
		return nil, false
	}
	return t, true
}

// all returns the names of every function inlined anywhere in the
// binary.
func (r *inlineReader) all() []string {
	seen := map[int32]bool{}
	var names []string
	for i := 0; i < r.nfunc; i++ {
		tree, ok := r.tree(i)
		if !ok {
			continue
		}
		for j := 0; j+inlinedCallSize <= len(tree); j += inlinedCallSize {
			no := int32(binary.LittleEndian.Uint32(tree[j+4:]))
			if seen[no] {
				continue
			}
			seen[no] = true
			if name := r.name(no); name != "" {
				names = append(names, name)
			}
		}
	}
	return names
}

// maxIndex decodes a pc-value table and returns its largest value.
func (r *inlineReader) maxIndex(off uint32) int {
	if uint64(off) >= uint64(len(r.pcTab)) {
		return -1
	}
	p := r.pcTab[off:]
	val, maxV := int64(-1), int64(-1)
	for first := true; ; first = false {
		uv, n := binary.Uvarint(p)
		if n <= 0 || (uv == 0 && !first) {
			break
		}
		p = p[n:]
		val += int64(-(uv & 1) ^ (uv >> 1))
		if val > maxV {
			maxV = val
		}
		if val > maxInlineEntries {
			return -1
		}
		_, n = binary.Uvarint(p)
		if n <= 0 {
			break
		}
		p = p[n:]
	}
	return int(maxV)
}

func (r *inlineReader) name(off int32) string {
	if off < 0 || int(off) >= len(r.nameTab) {
		return ""
	}
	b := r.nameTab[off:]
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return string(b[:i])
	}
	return ""
}
