package risk

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"time"
	"unsafe"
)

// indexMagic starts every compact index; the digit is its format version.
const indexMagic = "chaingate-osv-index/3\n"

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
//	per entry: id, nAliases, aliases..., modified, withdrawn, extra (JSON
//	of osvExtra), nAffected, per affected: ecosystem, name, nVersions,
//	versions..., nRanges, per range: type, nEvents, per event: kind, version

// WriteIndex writes the database as a compact index. LoadOSV and
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
		nStrings += len(e.Aliases)
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
		tm(e.Modified)
		tm(e.Withdrawn)
		raw, err := json.Marshal(db.extra(int32(i)))
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
	cfg, err := dbNewConfig(opts)
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
		return loadReadLimited(rd, MaxIndexBytes)
	}
	buf := make([]byte, size, size+1)
	if _, err := io.ReadFull(rd, buf); err != nil {
		return nil, err
	}
	// The reader must be exhausted: a file that grew is read to its end
	// through the limited path.
	var one [1]byte
	if n, _ := rd.Read(one[:]); n > 0 {
		rest, err := loadReadLimited(rd, MaxIndexBytes-size-1)
		if err != nil {
			return nil, err
		}
		buf = append(append(buf, one[0]), rest...)
	}
	return buf, nil
}

func readIndex(rd io.Reader, cfg *dbConfig) (*DB, error) {
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
		return nil, fmt.Errorf("%w: not a chaingate OSV index (bad magic line)", ErrInvalidIndex)
	}
	r := &indexReader{s: s[len(indexMagic):]}
	source := r.str()
	modified := r.time()
	nEntries := r.count(math.MaxInt32)
	nAff := r.count(math.MaxInt32)
	nRanges := r.count(math.MaxInt32)
	nEvents := r.count(math.MaxInt32)
	nStrings := r.count(math.MaxInt32)
	if r.err != nil {
		return nil, r.err
	}
	entries := make([]osvEntry, nEntries)
	affs := make([]osvAffected, nAff)
	ranges := make([]osvRange, nRanges)
	events := make([]osvEvent, nEvents)
	strs := make([]string, nStrings)
	for i := range entries {
		e := &entries[i]
		if e.ID = r.str(); e.ID == "" && r.err == nil {
			r.fail("entry without id")
		}
		n := r.count(len(strs))
		e.Aliases, strs = strs[:n:n], strs[n:]
		for j := range e.Aliases {
			e.Aliases[j] = r.str()
		}
		e.Modified = r.time()
		e.Withdrawn = r.time()
		e.Extra = r.str()
		n = r.count(len(affs))
		e.Affected, affs = affs[:n:n], affs[n:]
		for j := range e.Affected {
			a := &e.Affected[j]
			a.Ecosystem = r.str()
			a.Name = r.str()
			n = r.count(len(strs))
			a.Versions, strs = strs[:n:n], strs[n:]
			for k := range a.Versions {
				a.Versions[k] = r.str()
			}
			n = r.count(len(ranges))
			a.Ranges, ranges = ranges[:n:n], ranges[n:]
			for k := range a.Ranges {
				rg := &a.Ranges[k]
				rg.Type = r.str()
				n = r.count(len(events))
				rg.Events, events = events[:n:n], events[n:]
				for m := range rg.Events {
					kind := r.uvarint()
					if kind < uint64(osvIntroduced) || kind > uint64(osvLimit) {
						r.fail("bad event kind")
					}
					rg.Events[m] = osvEvent{osvEventKind(kind), r.str()}
				}
			}
		}
		if r.err != nil {
			return nil, r.err
		}
	}
	if r.off != len(r.s) {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrInvalidIndex, len(r.s)-r.off)
	}
	db := dbBuild(entries, "index", cfg)
	db.info.Modified = modified
	_ = source
	return db, nil
}
