package sbom

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"strings"
)

// Whiteout markers of the OCI image layer specification.
const (
	imgWhiteoutPrefix = ".wh."
	imgOpaqueMarker   = ".wh..wh..opq"
)

// imgMaxEntries bounds the tar entries of an image, all layers together
// (the squasher remembers every path); real images have up to a few
// hundred thousand.
const imgMaxEntries = 4 << 20

// imgSquashState tracks, walking layers from the top down, which paths
// of lower layers are hidden by upper ones.
type imgSquashState struct {
	// upper maps every path present in an upper layer to whether it is a
	// directory. A lower entry at the same path is shadowed; a lower
	// entry below an upper non-directory is shadowed too.
	upper map[string]bool
	// whiteouts are paths deleted by an upper layer (with all below).
	whiteouts map[string]struct{}
	// opaque are directories whose lower-layer contents were hidden.
	opaque map[string]struct{}
	// entries counts tar entries read so far.
	entries int
}

// hidden reports whether a lower layer's entry at p is invisible in the
// squashed file system.
func (s *imgSquashState) hidden(p string) bool {
	if _, ok := s.upper[p]; ok {
		return true
	}
	if _, ok := s.whiteouts[p]; ok {
		return true
	}
	for d := path.Dir(p); ; d = path.Dir(d) {
		if _, ok := s.whiteouts[d]; ok {
			return true
		}
		if _, ok := s.opaque[d]; ok {
			return true
		}
		if isDir, ok := s.upper[d]; ok && !isDir {
			return true
		}
		if d == "/" {
			return false
		}
	}
}

// imgCountingReader fails once more than limit bytes have been read.
type imgCountingReader struct {
	r     io.Reader
	n     *int64
	limit int64
}

func (c *imgCountingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	if *c.n > c.limit {
		return n, fmt.Errorf("%w: more than %d uncompressed layer bytes (WithMaxTotalSize)", ErrImageTooLarge, c.limit)
	}
	return n, err
}

// imgSquash streams the layers, top layer first, and hands every visible
// file a cataloguer wants to st. Nothing is written to disk; only wanted
// files are read into memory.
func imgSquash(ctx context.Context, layers []imgLayer, cfg *imgConfig, st *catState) error {
	sq := &imgSquashState{
		upper:     map[string]bool{},
		whiteouts: map[string]struct{}{},
		opaque:    map[string]struct{}{},
	}
	var total int64
	buf := &bytes.Buffer{}
	for i := len(layers) - 1; i >= 0; i-- {
		l := layers[i]
		if err := imgSquashLayer(ctx, l, sq, cfg, st, &total, buf); err != nil {
			return fmt.Errorf("layer %d (%s): %w", i, l.digest, err)
		}
	}
	return nil
}

func imgSquashLayer(ctx context.Context, l imgLayer, sq *imgSquashState, cfg *imgConfig, st *catState, total *int64, buf *bytes.Buffer) error {
	rc, err := l.layer.Uncompressed()
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	defer rc.Close()
	hasher := sha256.New()
	counted := &imgCountingReader{r: io.TeeReader(rc, hasher), n: total, limit: cfg.maxTotal}
	tr := tar.NewReader(counted)
	// Entries of this layer, whiteouts and opaque markers apply to lower
	// layers only: collect them and merge after the layer.
	here := map[string]bool{}
	var whiteouts, opaque []string
	for n := 0; ; n++ {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read tar: %w", err)
		}
		if sq.entries++; sq.entries > imgMaxEntries {
			return fmt.Errorf("%w: more than %d files", ErrImageTooLarge, imgMaxEntries)
		}
		p := path.Clean("/" + h.Name)
		dir, base := path.Split(p)
		dir = path.Clean(dir)
		if base == imgOpaqueMarker {
			opaque = append(opaque, dir)
			continue
		}
		if strings.HasPrefix(base, imgWhiteoutPrefix) {
			whiteouts = append(whiteouts, path.Join(dir, strings.TrimPrefix(base, imgWhiteoutPrefix)))
			continue
		}
		if sq.hidden(p) {
			continue
		}
		isDir := h.Typeflag == tar.TypeDir
		here[p] = isDir
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeRegA {
			if h.Typeflag == tar.TypeSymlink {
				st.symlink(p, h.Linkname)
			}
			continue
		}
		kind := catClassify(p, h)
		if kind == catNone {
			continue
		}
		f := catFile{path: p, layer: l.digest, size: h.Size, kind: kind}
		if kind == catELF {
			if err := catReadELF(tr, h, f, cfg, st, buf); err != nil {
				return err
			}
			continue
		}
		if kind == catRPM {
			st.rpmSeen(p)
			continue
		}
		if h.Size > cfg.maxFile {
			if kind == catJava {
				st.limitf("%s (layer %s): %d bytes, over the %d-byte file limit: not scanned", p, l.digest, h.Size, cfg.maxFile)
				continue
			}
			return fmt.Errorf("%s: %d bytes: %w (WithMaxFileSize %d)", p, h.Size, ErrImageTooLarge, cfg.maxFile)
		}
		data, err := io.ReadAll(io.LimitReader(tr, h.Size))
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		f.data = data
		if err := st.add(f); err != nil {
			return err
		}
	}
	// Hash what follows the tar trailer too, then check the diff ID.
	if _, err := io.Copy(io.Discard, counted); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if l.diffID.Algorithm == "sha256" {
		if got := "sha256:" + hex.EncodeToString(hasher.Sum(nil)); got != l.diffID.String() {
			return fmt.Errorf("%w: layer content hashes to %s, config diff ID is %s", ErrImageDigestMismatch, got, l.diffID)
		}
	}
	for p, isDir := range here {
		sq.upper[p] = isDir
	}
	for _, p := range whiteouts {
		sq.whiteouts[p] = struct{}{}
	}
	for _, p := range opaque {
		sq.opaque[p] = struct{}{}
	}
	return nil
}
