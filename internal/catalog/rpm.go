package catalog

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	rpmdb "github.com/erikvarga/go-rpmdb/pkg"
	"github.com/erikvarga/go-rpmdb/pkg/bdb"
	_ "modernc.org/sqlite" // the pure-Go "sqlite" driver go-rpmdb reads rpmdb.sqlite with
)

// rpmTimeout bounds the reading of one RPM database. Real ones (a
// few thousand packages) take well under a second.
const rpmTimeout = 30 * time.Second

// RPM is an installed RPM package.
type RPM struct {
	Name, Version, Release, Arch        string
	SourceRPM, Vendor, License, Summary string
	Modularity                          string
	Epoch                               int
}

// EVR is the package's [epoch:]version-release, as rpm compares it.
func (p *RPM) EVR() string {
	vr := p.Version
	if p.Release != "" {
		vr += "-" + p.Release
	}
	if p.Epoch > 0 {
		return strconv.Itoa(p.Epoch) + ":" + vr
	}
	return vr
}

// ParseRPMDB lists the packages of an RPM database: BerkeleyDB
// "Packages" (CentOS 7, Amazon Linux 2), SQLite "rpmdb.sqlite" (RHEL 9,
// Fedora 33+) or ndb "Packages.db" (SUSE), read with
// github.com/erikvarga/go-rpmdb (pure Go; its SQLite reader is
// modernc.org/sqlite's). The reader takes a file path, so data (already
// bounded by the caller's file limit) is written to a private temporary
// directory first and removed after. A database the reader cannot open
// or walk is an error naming it; a panic in the reader is one too.
func ParseRPMDB(ctx context.Context, data []byte, name string) (pkgs []RPM, err error) {
	dir, err := os.MkdirTemp("", "chaingate-rpmdb-")
	if err != nil {
		return nil, fmt.Errorf("sbom: rpm database %s: %w", name, err)
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, filepath.Base(name))
	if err := os.WriteFile(p, data, 0o600); err != nil {
		return nil, fmt.Errorf("sbom: rpm database %s: %w", name, err)
	}
	defer func() {
		if r := recover(); r != nil {
			pkgs, err = nil, fmt.Errorf("sbom: rpm database %s: damaged database (reader panicked: %v)", name, r)
		}
	}()
	if bytes.HasPrefix(data, []byte("SQLite format 3\x00")) {
		// go-rpmdb's SQLite reader reports a failed query on a channel
		// nobody drains after the first error (its goroutine would block
		// for ever), so check that the Packages table reads first.
		if err := checkSQLite(ctx, p); err != nil {
			return nil, fmt.Errorf("sbom: rpm database %s: %w", name, err)
		}
	}
	if err := checkBDB(ctx, p); err != nil {
		return nil, fmt.Errorf("sbom: rpm database %s: %w", name, err)
	}
	if err := checkNDB(data); err != nil {
		return nil, fmt.Errorf("sbom: rpm database %s: %w", name, err)
	}
	// go-rpmdb follows BerkeleyDB overflow-page chains as the file says;
	// a damaged chain can loop for ever, and only its context stops it.
	ctx, cancel := context.WithTimeout(ctx, rpmTimeout)
	defer cancel()
	db, err := rpmdb.Open(p)
	if err != nil {
		return nil, fmt.Errorf("sbom: rpm database %s: open: %w", name, err)
	}
	defer db.Close()
	list, err := db.ListPackagesWithContext(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("sbom: rpm database %s: damaged (reading did not end within %s): %w", name, rpmTimeout, ctx.Err())
		}
		return nil, fmt.Errorf("sbom: rpm database %s: list packages: %w", name, err)
	}
	pkgs = make([]RPM, 0, len(list))
	for _, pi := range list {
		if pi == nil || pi.Name == "" || pi.Version == "" {
			continue // gpg-pubkey entries have a version; a nameless header is noise
		}
		if pi.Name == "gpg-pubkey" {
			continue // imported signing keys are not packages
		}
		rp := RPM{Name: pi.Name, Version: pi.Version, Release: pi.Release, Arch: pi.Arch,
			SourceRPM: pi.SourceRpm, Vendor: pi.Vendor, License: pi.License, Summary: pi.Summary,
			Modularity: pi.Modularitylabel}
		if pi.Epoch != nil {
			rp.Epoch = *pi.Epoch
		}
		pkgs = append(pkgs, rp)
	}
	return pkgs, nil
}

// checkBDB walks a BerkeleyDB database with go-rpmdb's own
// exported page functions, in this goroutine, before go-rpmdb's reader
// walks it in one of its own: that reader indexes pages with offsets
// taken from the file unchecked, and a panic in its goroutine cannot be
// recovered, so a damaged database would crash the embedding program.
// The same walk here turns such a database into an error (a panic here
// is recovered by ParseRPMDB). A file that is not BerkeleyDB passes.
func checkBDB(ctx context.Context, p string) error {
	h, err := bdb.Open(p)
	if err != nil {
		return nil // not BerkeleyDB (or not readable as one): nothing to check
	}
	meta := h.HashMetadata
	h.Close()
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	size := int64(meta.PageSize)
	page := make([]byte, meta.PageSize)
	ctx, cancel := context.WithTimeout(ctx, rpmTimeout)
	defer cancel()
	for n := uint32(0); n <= meta.LastPageNo; n++ {
		if _, err := f.ReadAt(page, int64(n)*size); err != nil {
			return nil // go-rpmdb reports a short file itself
		}
		hdr, err := bdb.ParseHashPage(page, meta.Swapped)
		if err != nil {
			return nil
		}
		if hdr.PageType != bdb.HashUnsortedPageType && hdr.PageType != bdb.HashPageType {
			continue
		}
		idx, err := bdb.HashPageValueIndexes(page, hdr.NumEntries, meta.Swapped)
		if err != nil {
			return nil
		}
		for _, i := range idx {
			if int(i) >= len(page) {
				return fmt.Errorf("damaged BerkeleyDB page %d: entry offset %d outside the %d-byte page", n, i, len(page))
			}
			if page[i] != bdb.HashOffIndexPageType {
				continue
			}
			if _, err := bdb.HashPageValueContent(ctx, f, page, i, meta.PageSize, meta.Swapped); err != nil {
				if ctx.Err() != nil {
					return fmt.Errorf("damaged BerkeleyDB page %d: overflow chain did not end within %s", n, rpmTimeout)
				}
				return nil
			}
		}
	}
	return nil
}

// ndb ("Packages.db") layout, as rpm's lib/backend/ndb/rpmpkg.c writes
// it and go-rpmdb's ndb package reads it: a 32-byte header (magic
// "RpmP", version 0, generation, slot page count), then that many
// 4,096-byte slot pages of 16-byte slots (magic "Slot", package index,
// block offset, block count; the header takes the first two slots), and
// at block offset x 16 a blob header (magic "BlbS", package index,
// checksum, blob length) followed by the blob.
const (
	ndbHeaderMagic = 'R' | 'p'<<8 | 'm'<<16 | 'P'<<24
	ndbSlotMagic   = 'S' | 'l'<<8 | 'o'<<16 | 't'<<24
	ndbBlobMagic   = 'B' | 'l'<<8 | 'b'<<16 | 'S'<<24
	ndbMaxPages    = 2048 // go-rpmdb's own sanity limit
)

// checkNDB checks an ndb database's slots and blob headers against
// the bytes that are there before go-rpmdb reads it. go-rpmdb allocates
// each blob at the length its header declares (up to 4 GiB) and prints
// to standard output on a bad slot, so a crafted Packages.db of a few
// kilobytes could exhaust memory or write into the embedding program's
// output. Checked here, written by hand because go-rpmdb exposes no
// validation: every used slot's blob lies inside the file, with its
// magic, its package index, and a length that fits. Data that is not
// ndb passes.
func checkNDB(data []byte) error {
	le := binary.LittleEndian
	if len(data) < 32 || le.Uint32(data) != ndbHeaderMagic {
		return nil
	}
	pages := le.Uint32(data[12:])
	if pages == 0 || pages > ndbMaxPages {
		return fmt.Errorf("damaged ndb database: %d slot pages", pages)
	}
	end := int64(pages) * 4096
	if end > int64(len(data)) {
		return fmt.Errorf("damaged ndb database: %d slot pages need %d bytes, the file has %d", pages, end, len(data))
	}
	size := int64(len(data))
	for off := int64(32); off+16 <= end; off += 16 {
		slot := data[off : off+16]
		if le.Uint32(slot) != ndbSlotMagic {
			return fmt.Errorf("damaged ndb database: bad slot magic at offset %d", off)
		}
		pkg, blk := le.Uint32(slot[4:]), int64(le.Uint32(slot[8:]))
		if pkg == 0 {
			continue
		}
		at := blk * 16
		if at < end || at+16 > size {
			return fmt.Errorf("damaged ndb database: package %d's blob at offset %d is outside the data (%d bytes)", pkg, at, size)
		}
		hdr := data[at : at+16]
		if le.Uint32(hdr) != ndbBlobMagic || le.Uint32(hdr[4:]) != pkg {
			return fmt.Errorf("damaged ndb database: no blob header for package %d at offset %d", pkg, at)
		}
		if n := int64(le.Uint32(hdr[12:])); n > size-at-16 {
			return fmt.Errorf("damaged ndb database: package %d's blob declares %d bytes, %d remain", pkg, n, size-at-16)
		}
	}
	return nil
}

// checkSQLite opens an rpmdb.sqlite read-only and counts its
// Packages rows.
func checkSQLite(ctx context.Context, p string) error {
	db, err := sql.Open("sqlite", "file:"+p+"?mode=ro")
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM Packages").Scan(&n); err != nil {
		return fmt.Errorf("not a readable RPM SQLite database: %w", err)
	}
	return nil
}

// RPMSourceName returns the name of a source RPM file name
// ("bash-5.1.8-9.el9.src.rpm" gives "bash"): what precedes the last two
// dash-separated fields (version and release).
func RPMSourceName(srpm string) string {
	s := strings.TrimSuffix(strings.TrimSuffix(srpm, ".rpm"), ".src")
	s = strings.TrimSuffix(s, ".nosrc")
	for range 2 {
		i := strings.LastIndexByte(s, '-')
		if i <= 0 {
			return ""
		}
		s = s[:i]
	}
	return s
}
