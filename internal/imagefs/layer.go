package imagefs

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"path"
	"strings"
	"sync/atomic"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Whiteout markers of the OCI image layer specification.
const (
	whiteoutPrefix = ".wh."
	opaqueMarker   = ".wh..wh..opq"
)

// maxEntries bounds the tar entries of an image, all layers together
// (the squasher remembers every path); real images have up to a few
// hundred thousand.
const maxEntries = 4 << 20

// Path limits of layer entries. Linux's PATH_MAX is 4096 bytes; real
// layers stay far below both. A longer path, or a longer link target, is
// an error (ErrTooLarge) naming the layer and the entry.
const (
	maxPathLen   = 4096
	maxPathDepth = 256
)

// Layer is one layer to squash: how to read it and its identity.
type Layer struct {
	Layer  v1.Layer
	Digest string
	// DiffID is the uncompressed digest the (verified) config records;
	// the squasher checks the bytes it read against it.
	DiffID v1.Hash
}

// Budget is what the layer readers of one image share: the limit of
// uncompressed layer bytes (WithMaxTotalSize) and the counts of bytes
// and tar entries read so far. Its zero value with MaxTotal set is ready
// to use.
type Budget struct {
	MaxTotal int64
	// total counts the uncompressed layer bytes read.
	total atomic.Int64
	// entries counts the tar entries of all layers.
	entries atomic.Int64
}

// countingReader fails once more than limit bytes have been read, by
// all the readers sharing n.
type countingReader struct {
	r     io.Reader
	n     *atomic.Int64
	limit int64
}

// Read implements io.Reader.
func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n.Add(int64(n)) > c.limit {
		return n, fmt.Errorf("%w: more than %d uncompressed layer bytes (WithMaxTotalSize)", ErrTooLarge, c.limit)
	}
	return n, err
}

// entry is one tar entry of a layer, as squashing needs it.
type entry struct {
	// path is the cleaned absolute path.
	path string
	typ  byte
	mode int64
	size int64
	// link is a symbolic link's target as written, or a hard link's
	// target as a cleaned absolute path.
	link string
}

// LayerScan is what one layer holds that squashing needs: its
// entries (in tar order), its whiteouts and opaque markers.
type LayerScan struct {
	entries   []entry
	whiteouts []string
	opaque    []string
	hardlinks int
}

// EntryPath is a tar entry's cleaned absolute path, refused when it
// is longer or deeper than the path limits.
func EntryPath(name string) (string, error) {
	if len(name) > maxPathLen {
		return "", fmt.Errorf("%w: entry %q...: path of %d bytes (limit %d)", ErrTooLarge, name[:64], len(name), maxPathLen)
	}
	p := path.Clean("/" + name)
	if d := strings.Count(p, "/"); d > maxPathDepth {
		return "", fmt.Errorf("%w: entry %q...: path of %d components (limit %d)", ErrTooLarge, p[:min(len(p), 64)], d, maxPathDepth)
	}
	return p, nil
}

// OpenLayer opens a layer's uncompressed stream, counting its bytes
// toward the image's limit and hashing them for the diff ID check.
func OpenLayer(ctx context.Context, l Layer, b *Budget) (io.ReadCloser, io.Reader, hash.Hash, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, err
	}
	rc, err := l.Layer.Uncompressed()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("open: %w", err)
	}
	hasher := sha256.New()
	return rc, &countingReader{r: io.TeeReader(rc, hasher), n: &b.total, limit: b.MaxTotal}, hasher, nil
}

// CheckDiffID hashes what follows the tar trailer too, then checks
// the layer's bytes against the diff ID of the config.
func CheckDiffID(l Layer, counted io.Reader, hasher hash.Hash) error {
	if _, err := io.Copy(io.Discard, counted); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if l.DiffID.Algorithm == "sha256" {
		if got := "sha256:" + hex.EncodeToString(hasher.Sum(nil)); got != l.DiffID.String() {
			return fmt.Errorf("%w: layer content hashes to %s, config diff ID is %s", ErrDigestMismatch, got, l.DiffID)
		}
	}
	return nil
}

// ScanLayer streams one layer and calls regular for each of its regular
// files (at its cleaned absolute path p, its header h, r reading its
// bytes), in tar order; an error from regular ends the scan. It checks
// the layer's bytes against its diff ID.
func ScanLayer(ctx context.Context, l Layer, b *Budget, regular func(p string, h *tar.Header, r io.Reader) error) (*LayerScan, error) {
	rc, counted, hasher, err := OpenLayer(ctx, l, b)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	tr := tar.NewReader(counted)
	sc := &LayerScan{}
	for n := 0; ; n++ {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read tar: %w", err)
		}
		if b.entries.Add(1) > maxEntries {
			return nil, fmt.Errorf("%w: more than %d files", ErrTooLarge, maxEntries)
		}
		p, err := EntryPath(h.Name)
		if err != nil {
			return nil, err
		}
		dir, base := path.Split(p)
		dir = path.Clean(dir)
		if base == opaqueMarker {
			sc.opaque = append(sc.opaque, dir)
			continue
		}
		if strings.HasPrefix(base, whiteoutPrefix) {
			sc.whiteouts = append(sc.whiteouts, path.Join(dir, strings.TrimPrefix(base, whiteoutPrefix)))
			continue
		}
		e := entry{path: p, typ: h.Typeflag, mode: h.Mode, size: h.Size}
		switch h.Typeflag {
		case tar.TypeRegA:
			e.typ = tar.TypeReg
		case tar.TypeSymlink, tar.TypeLink:
			if len(h.Linkname) > maxPathLen {
				return nil, fmt.Errorf("%w: link %s: target of %d bytes (limit %d)", ErrTooLarge, p, len(h.Linkname), maxPathLen)
			}
			e.link = h.Linkname
			if h.Typeflag == tar.TypeLink {
				// A hard link names another member of the archive.
				e.link = path.Clean("/" + h.Linkname)
				sc.hardlinks++
			}
		}
		sc.entries = append(sc.entries, e)
		if e.typ != tar.TypeReg {
			continue
		}
		if err := regular(p, h, tr); err != nil {
			return nil, err
		}
	}
	if err := CheckDiffID(l, counted, hasher); err != nil {
		return nil, err
	}
	return sc, nil
}
