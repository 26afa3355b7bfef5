package risk

import (
	"bufio"
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
)

// indexMagic starts every compact index; the digit is its format version.
const indexMagic = "chaingate-osv-index/1\n"

// MaxIndexBytes is the size limit of a compact index read by ReadIndex.
const MaxIndexBytes = 1 << 30

// ErrInvalidIndex reports a compact index that cannot be read.
var ErrInvalidIndex = errors.New("risk: invalid OSV index")

// indexFile is the gob payload of a compact index.
type indexFile struct {
	Source  string
	Info    DBInfo
	Entries []osvEntry
}

// WriteIndex writes the database as a compact index: one gob stream of
// the parsed entries after a magic line. LoadOSV and ReadIndex read it
// back without re-parsing thousands of JSON files, so a CI step can load
// the whole Go vulndb in milliseconds.
func (db *DB) WriteIndex(w io.Writer) error {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(indexMagic); err != nil {
		return fmt.Errorf("risk: write OSV index: %w", err)
	}
	if err := gob.NewEncoder(bw).Encode(indexFile{Source: db.info.Source, Info: db.info, Entries: db.entries}); err != nil {
		return fmt.Errorf("risk: write OSV index: %w", err)
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

func readIndex(r io.Reader, cfg *dbConfig) (_ *DB, err error) {
	lr := &io.LimitedReader{R: r, N: MaxIndexBytes + 1}
	br := bufio.NewReaderSize(lr, 1<<16)
	head := make([]byte, len(indexMagic))
	if _, err := io.ReadFull(br, head); err != nil || !bytes.Equal(head, []byte(indexMagic)) {
		return nil, fmt.Errorf("%w: not a chaingate OSV index (bad magic line)", ErrInvalidIndex)
	}
	// gob can panic on some corrupt streams in older Go releases; a
	// corrupt index must be an error, never a crash.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: corrupt gob stream: %v", ErrInvalidIndex, p)
		}
	}()
	var f indexFile
	if err := gob.NewDecoder(br).Decode(&f); err != nil {
		if lr.N <= 0 {
			return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, MaxIndexBytes)
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalidIndex, err)
	}
	for i := range f.Entries {
		if f.Entries[i].ID == "" {
			return nil, fmt.Errorf("%w: entry %d has no id", ErrInvalidIndex, i)
		}
	}
	db := dbBuild(f.Entries, "index", cfg)
	db.info.Modified = f.Info.Modified
	return db, nil
}
