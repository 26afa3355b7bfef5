package imagefs

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Limits of image sources (tarballs and layout directories); see
// sbom.FromImage's "Limits" section.
const (
	// MaxManifest bounds manifests, indexes, configs and docker-save
	// manifest.json files, checked before any of them is read.
	MaxManifest = 8 << 20
	// MaxLayers bounds the layers of an image. Docker and containerd
	// cannot run images with more than about 125 (overlayfs' lower
	// directory limit); this leaves room and refuses a manifest listing
	// tens of thousands of layers before any is opened.
	MaxLayers = 512
	// maxArchiveMembers bounds the members of an image tarball (an
	// OCI layout archive has a few per layer).
	maxArchiveMembers = 1 << 16
	// MaxIndexDescriptors bounds the descriptors looked at in an image
	// index and the indexes nested in it, all together (each nested
	// index is descended into once): an index listing one child index
	// tens of thousands of times, each listing as many manifests, would
	// otherwise be walked billions of times.
	MaxIndexDescriptors = 1 << 16
)

// BlobStore is where an OCI layout's files live: a directory
// (DirStore) or a tar archive indexed once (Archive). Names are
// slash-separated and relative ("index.json", "blobs/sha256/<hex>").
type BlobStore interface {
	// read returns a whole regular file of at most limit bytes; a larger
	// one is ErrTooLarge, checked before reading.
	Read(name string, limit int64) ([]byte, error)
	// open streams a regular file (a layer blob). A missing file is
	// errBlobMissing.
	Open(name string) (io.ReadCloser, error)
	// String names the store in errors.
	String() string
}

// member is one member of an indexed archive.
type member struct {
	off, size int64
	typ       byte
	link      string
	// sparse marks a member stored in GNU sparse form, whose bytes in the
	// archive are not its content.
	sparse bool
}

// Archive is an image tarball (docker save, or an OCI layout archived
// as a tar), optionally gzip-compressed, indexed in one pass: every
// member is then read at its offset, never by scanning or decompressing
// the archive again. A compressed archive is decompressed once, while it
// is indexed, into an unlinked temporary file, bounded by the total size
// limit (WithMaxTotalSize).
type Archive struct {
	name    string
	f       *os.File
	size    int64
	temp    bool
	members map[string]member
	// decompressed counts the bytes the indexing pass decompressed (0
	// for an uncompressed archive); tests read it (Decompressed).
	decompressed int64
}

// posReader tracks how many bytes were read through it, so the tar
// reader's position after Next is the member's data offset. It checks the
// context on every read, so decompressing a large archive stops when the
// context ends.
type posReader struct {
	ctx   context.Context
	r     io.Reader
	pos   int64
	limit int64
}

// Read implements io.Reader.
func (p *posReader) Read(b []byte) (int, error) {
	if err := p.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := p.r.Read(b)
	p.pos += int64(n)
	if p.limit > 0 && p.pos > p.limit {
		return n, fmt.Errorf("%w: archive decompresses to more than %d bytes (WithMaxTotalSize)", ErrTooLarge, p.limit)
	}
	return n, err
}

// posSeeker is posReader over a seekable file, so archive/tar skips
// member data by seeking instead of reading it.
type posSeeker struct {
	posReader
	s io.Seeker
}

// Seek implements io.Seeker.
func (p *posSeeker) Seek(off int64, whence int) (int64, error) {
	if err := p.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := p.s.Seek(off, whence)
	if err == nil {
		p.pos = n
	}
	return n, err
}

// OpenArchive indexes the tarball at name. maxTotal bounds what a
// compressed archive may decompress to.
func OpenArchive(ctx context.Context, name string, maxTotal int64) (_ *Archive, err error) {
	// Checked before opening: opening a named pipe for reading blocks
	// until a writer comes, beyond the reach of ctx.
	si, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !si.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", name)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() || !os.SameFile(si, fi) {
		f.Close()
		return nil, fmt.Errorf("%s: not a regular file", name)
	}
	a := &Archive{name: name, f: f, size: fi.Size(), members: map[string]member{}}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	var magic [2]byte
	var pr *posReader
	var tr *tar.Reader
	if n, _ := f.ReadAt(magic[:], 0); n == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(bufio.NewReader(f))
		if err != nil {
			return nil, fmt.Errorf("gunzip: %w", err)
		}
		defer zr.Close()
		// Decompress once into an unlinked temporary file, indexed as it
		// is written. Removing it right away leaves nothing behind even
		// if the process dies; the open descriptor keeps it readable.
		tmp, err := os.CreateTemp("", "chaingate-image-*.tar")
		if err != nil {
			return nil, fmt.Errorf("temporary file: %w", err)
		}
		_ = os.Remove(tmp.Name())
		defer f.Close()
		a.f, a.temp = tmp, true
		bw := bufio.NewWriterSize(tmp, 1<<20)
		pr = &posReader{ctx: ctx, r: io.TeeReader(zr, bw), limit: maxTotal}
		tr = tar.NewReader(pr)
		if err := a.index(tr, pr); err != nil {
			return nil, err
		}
		// Keep the bytes after the tar trailer out of the count; they
		// are never read.
		if err := bw.Flush(); err != nil {
			return nil, fmt.Errorf("temporary file: %w", err)
		}
		a.size, a.decompressed = pr.pos, pr.pos
		return a, nil
	}
	ps := &posSeeker{posReader: posReader{ctx: ctx, r: f}, s: f}
	if err := a.index(tar.NewReader(ps), &ps.posReader); err != nil {
		return nil, err
	}
	return a, nil
}

// index records every member's offset, size, type and link target. The
// first member of a name wins, as in go-containerregistry's tarball
// package, which reads docker-save archives through the same bytes.
func (a *Archive) index(tr *tar.Reader, pr *posReader) error {
	for n := 0; ; n++ {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read tar (member %d): %w", n, err)
		}
		if n >= maxArchiveMembers {
			return fmt.Errorf("%w: more than %d archive members", ErrTooLarge, maxArchiveMembers)
		}
		key := path.Clean(h.Name)
		if _, ok := a.members[key]; ok {
			continue
		}
		m := member{off: pr.pos, size: h.Size, typ: h.Typeflag, link: h.Linkname}
		for k := range h.PAXRecords {
			if strings.HasPrefix(k, "GNU.sparse.") {
				m.sparse = true
			}
		}
		if h.Typeflag == tar.TypeGNUSparse {
			m.sparse = true
		}
		a.members[key] = m
	}
}

// Decompressed is how many bytes the indexing pass decompressed (0 for
// an uncompressed archive).
func (a *Archive) Decompressed() int64 { return a.decompressed }

// String names the archive.
func (a *Archive) String() string { return "tarball " + a.name }

// Close releases the archive (and its temporary file).
func (a *Archive) Close() error {
	if a == nil || a.f == nil {
		return nil
	}
	err := a.f.Close()
	a.f = nil
	return err
}

// Has reports whether the archive has a member of that name.
func (a *Archive) Has(name string) bool {
	_, ok := a.members[path.Clean(name)]
	return ok
}

// resolve follows member links as go-containerregistry's tarball package
// does (the target joined to the link's directory), with a bound, and
// returns the regular member a name leads to.
func (a *Archive) resolve(name string) (string, member, error) {
	p := path.Clean(name)
	for hops := 0; ; hops++ {
		m, ok := a.members[p]
		if !ok {
			return "", member{}, fmt.Errorf("%s: %w", name, errBlobMissing)
		}
		switch m.typ {
		case tar.TypeSymlink, tar.TypeLink:
			if hops >= 8 {
				return "", member{}, fmt.Errorf("%s: more than 8 links", name)
			}
			p = path.Join(path.Dir(p), path.Clean(m.link))
			continue
		case tar.TypeReg, tar.TypeRegA:
		default:
			return "", member{}, fmt.Errorf("%s: not a regular file (tar type %q)", name, m.typ)
		}
		if m.sparse {
			return "", member{}, fmt.Errorf("%s: sparse archive member", name)
		}
		return p, m, nil
	}
}

// Open implements BlobStore.
func (a *Archive) Open(name string) (io.ReadCloser, error) {
	_, m, err := a.resolve(name)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(io.NewSectionReader(a.f, m.off, m.size)), nil
}

// Read implements BlobStore.
func (a *Archive) Read(name string, limit int64) ([]byte, error) {
	_, m, err := a.resolve(name)
	if err != nil {
		return nil, err
	}
	if m.size > limit {
		return nil, fmt.Errorf("%s: %d bytes: %w (limit %d)", name, m.size, ErrTooLarge, limit)
	}
	b := make([]byte, m.size)
	if _, err := a.f.ReadAt(b, m.off); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}

// Opener is a go-containerregistry tarball.Opener over the indexed
// archive: a seekable stream of the uncompressed tar, so the tarball
// package seeks over members instead of decompressing.
func (a *Archive) Opener() (io.ReadCloser, error) {
	if a.f == nil {
		return nil, errors.New("archive closed")
	}
	return io.NopCloser(io.NewSectionReader(a.f, 0, a.size)), nil
}

// DirStore is an OCI layout directory. Like go-containerregistry's
// layout package for blobs, it refuses symbolic links and non-regular
// files (index.json linked to /dev/zero, a FIFO), and it reads
// manifests, indexes and configs with a size limit checked on the open
// file before reading (the layout package reads them whole).
type DirStore struct{ Dir string }

// String names the directory.
func (d *DirStore) String() string { return "layout " + d.Dir }

// openRegular opens a regular file of the layout, refusing links and
// special files, and checking that what was opened is what was checked.
func (d *DirStore) openRegular(name string) (*os.File, os.FileInfo, error) {
	p := filepath.Join(d.Dir, filepath.FromSlash(name))
	li, err := os.Lstat(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("%s: %w", name, errBlobMissing)
	}
	if err != nil {
		return nil, nil, err
	}
	if !li.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: not a regular file (%s)", name, li.Mode().Type())
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || !os.SameFile(li, fi) {
		f.Close()
		return nil, nil, fmt.Errorf("%s: changed while opening", name)
	}
	return f, fi, nil
}

// Read implements BlobStore.
func (d *DirStore) Read(name string, limit int64) ([]byte, error) {
	f, fi, err := d.openRegular(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s: %d bytes: %w (limit %d)", name, fi.Size(), ErrTooLarge, limit)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: more than %d bytes: %w", name, limit, ErrTooLarge)
	}
	return b, nil
}

// Open implements BlobStore.
func (d *DirStore) Open(name string) (io.ReadCloser, error) {
	f, _, err := d.openRegular(name)
	if err != nil {
		return nil, err
	}
	return f, nil
}
