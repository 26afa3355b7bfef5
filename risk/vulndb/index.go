package vulndb

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/chaingate/chaingate/internal/readlimit"
	"io"
	"io/fs"
	"strings"
	"time"
	"unsafe"
)

// indexMagic starts every compact index; the digit is its format version.
const indexMagic = "chaingate-osv-index/4\n"

// MaxIndexBytes is the size limit of a compact index read by ReadIndex.
const MaxIndexBytes = 1 << 30

// ErrInvalidIndex reports a compact index that cannot be read.
var ErrInvalidIndex = errors.New("risk: invalid OSV index")

// The compact index is a small hand-rolled binary format rather than gob
// or JSON: decoding it must take milliseconds for the whole Go vulndb,
// and gob's reflection allocates a slice per range and event list. Here
// the file is read into one string, every string field is a substring of
// it, and the entries, affected packages, ranges and events are carved
// from four backing arrays, so loading costs a handful of allocations.
//
// Layout after the magic line, all integers unsigned varints, strings
// as length + bytes, times as a flag (0 = zero time) then signed Unix
// seconds and nanoseconds:
//
//	source, modified, nEntries, nAffected, nRanges, nEvents, nStrings
//	per entry: id, nAliases, aliases..., nUpstream, upstream..., flags
//	(bit 0: malicious), modified, withdrawn, extra (JSON of extra),
//	nAffected, per affected: ecosystem, name, nVersions, versions...,
//	nRanges, per range: type, nEvents, per event: kind, version
//
// Version 4 added upstream and flags (records linked into advisories,
// known-malicious packages).
//
// The declared counts are never trusted for allocation: readIndex first
// walks the structure without allocating (indexShape), checks every
// count against the bytes left and the totals against the header and
// the sane maxima below, and only then allocates exactly what the walk
// found.

// WriteIndex writes the database as a compact index. Load and
// ReadIndex read it back without re-parsing thousands of JSON files, so a
// CI step can load the whole Go vulndb in milliseconds.
func (db *DB) WriteIndex(w io.Writer) error {
	bw := bufio.NewWriter(w)
	var tmp [binary.MaxVarintLen64]byte
	u := func(v uint64) { bw.Write(tmp[:binary.PutUvarint(tmp[:], v)]) }
	str := func(s string) { u(uint64(len(s))); bw.WriteString(s) }
	tm := func(t time.Time) {
		if t.IsZero() {
			u(0)
			return
		}
		u(1)
		bw.Write(tmp[:binary.PutVarint(tmp[:], t.Unix())])
		u(uint64(t.Nanosecond()))
	}
	var nAff, nRanges, nEvents, nStrings int
	for i := range db.entries {
		e := &db.entries[i]
		nStrings += len(e.Aliases) + len(e.Upstream)
		nAff += len(e.Affected)
		for _, a := range e.Affected {
			nStrings += len(a.Versions)
			nRanges += len(a.Ranges)
			for _, r := range a.Ranges {
				nEvents += len(r.Events)
			}
		}
	}
	bw.WriteString(indexMagic)
	str(db.info.Source)
	tm(db.info.Modified)
	for _, n := range []int{len(db.entries), nAff, nRanges, nEvents, nStrings} {
		u(uint64(n))
	}
	for i := range db.entries {
		e := &db.entries[i]
		str(e.ID)
		u(uint64(len(e.Aliases)))
		for _, a := range e.Aliases {
			str(a)
		}
		u(uint64(len(e.Upstream)))
		for _, a := range e.Upstream {
			str(a)
		}
		var flags uint64
		if e.Malicious {
			flags |= indexFlagMalicious
		}
		u(flags)
		tm(e.Modified)
		tm(e.Withdrawn)
		raw, err := json.Marshal(db.details(int32(i)))
		if err != nil {
			return fmt.Errorf("risk: write OSV index: entry %s: %w", e.ID, err)
		}
		str(string(raw))
		u(uint64(len(e.Affected)))
		for _, a := range e.Affected {
			str(a.Ecosystem)
			str(a.Name)
			u(uint64(len(a.Versions)))
			for _, v := range a.Versions {
				str(v)
			}
			u(uint64(len(a.Ranges)))
			for _, r := range a.Ranges {
				str(r.Type)
				u(uint64(len(r.Events)))
				for _, ev := range r.Events {
					u(uint64(ev.Kind))
					str(ev.Version)
				}
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("risk: write OSV index: %w", err)
	}
	return nil
}

// ReadIndex reads a compact index written by WriteIndex, for example one
// embedded in a program with go:embed. Only WithEcosystems among the
// options applies.
func ReadIndex(r io.Reader, opts ...Option) (*DB, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	db, err := readIndex(r, cfg)
	if err != nil {
		return nil, fmt.Errorf("risk: read OSV index: %w", err)
	}
	return db, nil
}

// indexReader decodes the index from one string, with bounds checks on
// every read: a corrupt or hostile index is an error, never a panic or a
// huge allocation.
type indexReader struct {
	s   string
	off int
	err error
}

func (r *indexReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s at byte %d", ErrInvalidIndex, what, r.off+len(indexMagic))
	}
}

func (r *indexReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	var v uint64
	var shift uint
	for i := 0; i < binary.MaxVarintLen64; i++ {
		if r.off >= len(r.s) {
			r.fail("truncated number")
			return 0
		}
		b := r.s[r.off]
		r.off++
		if b < 0x80 {
			return v | uint64(b)<<shift
		}
		v |= uint64(b&0x7f) << shift
		shift += 7
	}
	r.fail("number too long")
	return 0
}

// count reads a count that must fit in what is left of the input (every
// counted item takes at least one byte) and in limit.
func (r *indexReader) count(limit int) int {
	n := r.uvarint()
	if n > uint64(len(r.s)-r.off) || n > uint64(limit) {
		r.fail("count out of range")
		return 0
	}
	return int(n)
}

func (r *indexReader) str() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.s)-r.off) {
		r.fail("truncated string")
		return ""
	}
	s := r.s[r.off : r.off+int(n)]
	r.off += int(n)
	return s
}

func (r *indexReader) time() time.Time {
	switch flag := r.uvarint(); {
	case r.err != nil || flag == 0:
		return time.Time{}
	case flag != 1:
		r.fail("bad time flag")
		return time.Time{}
	}
	u := r.uvarint()
	sec := int64(u >> 1) // zig-zag, as encoding/binary.PutVarint writes it
	if u&1 != 0 {
		sec = ^sec
	}
	nsec := r.uvarint()
	if nsec >= 1e9 {
		r.fail("bad nanoseconds")
		return time.Time{}
	}
	t := time.Unix(sec, int64(nsec)).UTC()
	if t.IsZero() {
		// Never turn a set time (a withdrawal) into "unset".
		t = time.Unix(0, 0).UTC()
	}
	return t
}

// indexReadAll reads the whole index into a buffer sized up front when
// the reader knows its length (bytes.Reader, strings.Reader, os.File).
func indexReadAll(rd io.Reader) ([]byte, error) {
	size := int64(-1)
	switch r := rd.(type) {
	case interface{ Len() int }:
		size = int64(r.Len())
	case interface{ Stat() (fs.FileInfo, error) }:
		if st, err := r.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
		}
	}
	if size < 0 || size > MaxIndexBytes {
		return readlimit.ReadAll(rd, MaxIndexBytes, ErrTooLarge)
	}
	buf := make([]byte, size, size+1)
	if _, err := io.ReadFull(rd, buf); err != nil {
		return nil, err
	}
	// The reader must be exhausted: a file that grew is read to its end
	// through the limited path.
	var one [1]byte
	if n, _ := rd.Read(one[:]); n > 0 {
		rest, err := readlimit.ReadAll(rd, MaxIndexBytes-size-1, ErrTooLarge)
		if err != nil {
			return nil, err
		}
		buf = append(append(buf, one[0]), rest...)
	}
	return buf, nil
}

// indexFlagMalicious marks a known-malicious-package record.
const indexFlagMalicious = 1

// Sane maxima of a compact index, far above osv.dev's whole database
// (about 600,000 records in 2026): a count beyond them is corruption.
const (
	indexMaxEntries  = 1 << 23
	indexMaxAffected = 1 << 25
	indexMaxRanges   = 1 << 25
	indexMaxEvents   = 1 << 26
	indexMaxStrings  = 1 << 26
	// indexMaxInflate bounds the memory the decoded structure may take
	// per byte of index. Real indexes are dominated by their texts and
	// need less than one byte per byte; a crafted one of minimal items
	// would need about 20.
	indexMaxInflate = 8
)

// indexCounts are the item counts of an index.
type indexCounts struct {
	entries, affected, ranges, events, strings int
}

// bytes is the memory the decoded structure takes.
func (c indexCounts) bytes() int64 {
	return int64(c.entries)*int64(unsafe.Sizeof(entry{})) +
		int64(c.affected)*int64(unsafe.Sizeof(affected{})) +
		int64(c.ranges)*int64(unsafe.Sizeof(affectedRange{})) +
		int64(c.events)*int64(unsafe.Sizeof(event{})) +
		int64(c.strings)*int64(unsafe.Sizeof(""))
}

// indexShape walks the entries of an index without allocating and
// returns what it holds: every count is checked against the bytes left
// (each counted item takes at least one byte), so a lying count is an
// error here, before any allocation depends on it.
func indexShape(r *indexReader, nEntries int) indexCounts {
	c := indexCounts{entries: nEntries}
	strs := func() {
		n := r.count(len(r.s))
		c.strings += n
		for range n {
			r.skip()
		}
	}
	for range nEntries {
		if r.err != nil {
			return c
		}
		r.skip() // id
		strs()   // aliases
		strs()   // upstream
		r.uvarint()
		r.time()
		r.time()
		r.skip() // extra
		na := r.count(len(r.s))
		c.affected += na
		for range na {
			r.skip()
			r.skip()
			strs() // versions
			nr := r.count(len(r.s))
			c.ranges += nr
			for range nr {
				r.skip()
				ne := r.count(len(r.s))
				c.events += ne
				for range ne {
					r.uvarint()
					r.skip()
				}
			}
			if r.err != nil {
				return c
			}
		}
	}
	return c
}

// skip reads past a string.
func (r *indexReader) skip() {
	n := r.uvarint()
	if r.err != nil {
		return
	}
	if n > uint64(len(r.s)-r.off) {
		r.fail("truncated string")
		return
	}
	r.off += int(n)
}

func readIndex(rd io.Reader, cfg *Config) (*DB, error) {
	data, err := indexReadAll(rd)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: empty input", ErrInvalidIndex)
	}
	// data is private to this function and never written again, so the
	// string view shares its memory instead of copying megabytes; every
	// string of the DB is a substring of it.
	s := unsafe.String(&data[0], len(data))
	if len(s) < len(indexMagic) || s[:len(indexMagic)] != indexMagic {
		if strings.HasPrefix(s, indexMagic[:len(indexMagic)-2]) {
			return nil, fmt.Errorf("%w: format %q, this reader reads %q (rebuild it with WriteIndex)", ErrInvalidIndex, strings.TrimSpace(strings.SplitN(s, "\n", 2)[0]), strings.TrimSpace(indexMagic))
		}
		return nil, fmt.Errorf("%w: not a chaingate OSV index (bad magic line)", ErrInvalidIndex)
	}
	r := &indexReader{s: s[len(indexMagic):]}
	source := r.str()
	modified := r.time()
	// Every entry takes at least 9 bytes, an affected package 4, a range
	// or an event 2, a string 1: the declared counts must fit together
	// in what is left, and under the maxima.
	decl := indexCounts{
		entries:  r.count(indexMaxEntries),
		affected: r.count(indexMaxAffected),
		ranges:   r.count(indexMaxRanges),
		events:   r.count(indexMaxEvents),
		strings:  r.count(indexMaxStrings),
	}
	if r.err != nil {
		return nil, r.err
	}
	if need := 9*int64(decl.entries) + 4*int64(decl.affected) + 2*int64(decl.ranges) + 2*int64(decl.events) + int64(decl.strings); need > int64(len(r.s)-r.off) {
		return nil, fmt.Errorf("%w: header declares items needing at least %d bytes, %d left", ErrInvalidIndex, need, len(r.s)-r.off)
	}
	body := r.off
	got := indexShape(r, decl.entries)
	if r.err != nil {
		return nil, r.err
	}
	if got != decl {
		return nil, fmt.Errorf("%w: header declares %+v, entries hold %+v", ErrInvalidIndex, decl, got)
	}
	if r.off != len(r.s) {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrInvalidIndex, len(r.s)-r.off)
	}
	if b := got.bytes(); b > indexMaxInflate*int64(len(s))+1<<20 {
		return nil, fmt.Errorf("%w: %d bytes of index decode to %d bytes of items (limit %d per byte)", ErrInvalidIndex, len(s), b, indexMaxInflate)
	}
	r.off = body
	entries := make([]entry, got.entries)
	affs := make([]affected, got.affected)
	ranges := make([]affectedRange, got.ranges)
	events := make([]event, got.events)
	strs := make([]string, got.strings)
	list := func() []string {
		n := r.count(len(strs))
		l := strs[:n:n]
		strs = strs[n:]
		for j := range l {
			l[j] = r.str()
		}
		return l
	}
	for i := range entries {
		e := &entries[i]
		if e.ID = r.str(); e.ID == "" && r.err == nil {
			r.fail("entry without id")
		}
		e.Aliases = list()
		e.Upstream = list()
		switch flags := r.uvarint(); {
		case flags&^indexFlagMalicious != 0:
			r.fail("unknown entry flags")
		default:
			e.Malicious = flags&indexFlagMalicious != 0
		}
		e.Modified = r.time()
		e.Withdrawn = r.time()
		e.Extra = r.str()
		n := r.count(len(affs))
		e.Affected, affs = affs[:n:n], affs[n:]
		for j := range e.Affected {
			a := &e.Affected[j]
			a.Ecosystem = r.str()
			a.Name = r.str()
			a.Versions = list()
			n = r.count(len(ranges))
			a.Ranges, ranges = ranges[:n:n], ranges[n:]
			for k := range a.Ranges {
				rg := &a.Ranges[k]
				rg.Type = r.str()
				n = r.count(len(events))
				rg.Events, events = events[:n:n], events[n:]
				for m := range rg.Events {
					kind := r.uvarint()
					if kind < uint64(eventIntroduced) || kind > uint64(eventLimit) {
						r.fail("bad event kind")
					}
					rg.Events[m] = event{eventKind(kind), r.str()}
				}
			}
		}
		if r.err != nil {
			return nil, r.err
		}
	}
	db := build(entries, "index", cfg)
	db.info.Modified = modified
	_ = source
	return db, nil
}
