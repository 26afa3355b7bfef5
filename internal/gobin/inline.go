package gobin

import (
	"bytes"
	"encoding/binary"
)

// Inline trees are written by hand: debug/gosym does not expose them.
// The layouts are the Go 1.20+ runtime's (runtime/runtime2.go _func,
// runtime/symtabinl.go inlinedCall, internal/abi/symtab.go indices); a
// table of another version, a big-endian one, or a binary without the
// function-data base symbol ("go:func.*", gone when stripped) gives no
// inline reader and Binary.Inlined false.

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
	// data is the segment holding gofunc, from address dataStart.
	data      []byte
	dataStart uint64
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
	gofunc, ok := x.symbol("go:func.*")
	if !ok {
		return nil
	}
	// The inline trees live after gofunc in read-only data: read the
	// segment (or section) that holds it once.
	start, size, read, err := x.region(gofunc)
	if err != nil || (limit > 0 && size > uint64(limit)) {
		return nil
	}
	data, err := read()
	if err != nil {
		return nil
	}
	r := &inlineReader{
		nfunc:   int(nfunc),
		nameTab: tab[nameOff:], pcTab: tab[pcOff:], funcTab: tab[pclnOff:],
		gofunc: gofunc, data: data, dataStart: start,
	}
	if uint64(len(r.funcTab)) < (nfunc+1)*8 {
		return nil
	}
	return r
}

// all returns the names of every function inlined anywhere in the
// binary.
func (r *inlineReader) all() []string {
	seen := map[int32]bool{}
	var names []string
	for i := 0; i < r.nfunc; i++ {
		foff := uint64(binary.LittleEndian.Uint32(r.funcTab[i*8+4:]))
		if foff+funcFixedSize > uint64(len(r.funcTab)) {
			continue
		}
		f := r.funcTab[foff:]
		npcdata := uint64(binary.LittleEndian.Uint32(f[28:]))
		nfuncdata := uint64(f[43])
		if npcdata <= pcdataInlTreeIndex || nfuncdata <= funcdataInlTree {
			continue
		}
		end := funcFixedSize + 4*(npcdata+nfuncdata)
		if foff+end > uint64(len(r.funcTab)) {
			continue
		}
		pcdata := binary.LittleEndian.Uint32(f[funcFixedSize+4*pcdataInlTreeIndex:])
		fd := binary.LittleEndian.Uint32(f[funcFixedSize+4*npcdata+4*funcdataInlTree:])
		if pcdata == 0 || fd == ^uint32(0) {
			continue
		}
		n := r.maxIndex(pcdata) + 1
		if n <= 0 || n > maxInlineEntries {
			continue
		}
		at := r.gofunc + uint64(fd)
		if at < r.dataStart || at-r.dataStart >= uint64(len(r.data)) {
			continue
		}
		tree := r.data[at-r.dataStart:]
		tree = tree[:min(len(tree), n*inlinedCallSize)]
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
