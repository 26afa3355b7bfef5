package sbom

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"path"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
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

// Path limits of layer entries. Linux's PATH_MAX is 4096 bytes; real
// layers stay far below both. A longer path, or a longer link target, is
// an error (ErrImageTooLarge) naming the layer and the entry.
const (
	imgMaxPathLen   = 4096
	imgMaxPathDepth = 256
)

// imgCountingReader fails once more than limit bytes have been read, by
// all the readers sharing n.
type imgCountingReader struct {
	r     io.Reader
	n     *atomic.Int64
	limit int64
}

// Read implements io.Reader.
func (c *imgCountingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n.Add(int64(n)) > c.limit {
		return n, fmt.Errorf("%w: more than %d uncompressed layer bytes (WithMaxTotalSize)", ErrImageTooLarge, c.limit)
	}
	return n, err
}

// imgEntry is one tar entry of a layer, as squashing needs it.
type imgEntry struct {
	// path is the cleaned absolute path.
	path string
	typ  byte
	mode int64
	size int64
	// link is a symbolic link's target as written, or a hard link's
	// target as a cleaned absolute path.
	link string
}

// imgLayerScan is what one layer holds that squashing needs: its
// entries (in tar order), its whiteouts and opaque markers, and the
// cataloguers' results for the regular files they want, in tar order.
type imgLayerScan struct {
	entries   []imgEntry
	whiteouts []string
	opaque    []string
	hardlinks int
	results   []*catResult
}

// imgMaxParallelLayers bounds the layers read at once.
const imgMaxParallelLayers = 4

// imgSquash reads the layers, several at a time (each one streamed, never
// written to disk, only wanted files held in memory), then builds the
// squashed file system from the top layer down (imgTree): a file's
// results count only when no upper layer shadows, whites out or makes
// opaque its path. Reading layers concurrently is what makes this faster
// than one decompression stream on multi-core machines; visibility is
// decided afterwards, as if the layers had been read top-down.
//
// Links are then resolved in the squashed file system (imgResolveLinks),
// for every path a cataloguer wants, and the files they lead to are read
// from their layers again when the first pass did not catalogue them.
func imgSquash(ctx context.Context, layers []imgLayer, cfg *imgConfig, st *catState) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	env := &catEnv{ctx: ctx, maxFile: cfg.maxFile}
	scans := make([]*imgLayerScan, len(layers))
	errs := make([]error, len(layers))
	var entries atomic.Int64
	workers := min(len(layers), max(1, runtime.GOMAXPROCS(0)), imgMaxParallelLayers)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := &bytes.Buffer{}
			for i := range next {
				scans[i], errs[i] = imgScanLayerSafe(ctx, layers[i], cfg, env, &entries, buf)
				if errs[i] != nil {
					cancel()
				}
			}
		}()
	}
	for i := len(layers) - 1; i >= 0; i-- {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := imgFirstError(layers, errs); err != nil {
		return err
	}

	t := newImgTree()
	for i := len(layers) - 1; i >= 0; i-- {
		if err := t.addLayer(ctx, int32(i), scans[i]); err != nil {
			return fmt.Errorf("layer %d (%s): %w", i, layers[i].digest, err)
		}
	}
	for i := len(layers) - 1; i >= 0; i-- {
		for _, r := range scans[i].results {
			if !t.visibleRegular(r.path, int32(i)) {
				continue
			}
			if err := st.apply(r); err != nil {
				return fmt.Errorf("layer %d (%s): %w", i, layers[i].digest, err)
			}
		}
		scans[i] = nil
	}
	return imgResolveLinks(ctx, t, layers, cfg, env, st)
}

// imgFirstError reports the real failure of a layer, not the
// cancellations it caused in the others.
func imgFirstError(layers []imgLayer, errs []error) error {
	for i := len(layers) - 1; i >= 0; i-- {
		if errs[i] != nil && !errors.Is(errs[i], context.Canceled) {
			return fmt.Errorf("layer %d (%s): %w", i, layers[i].digest, errs[i])
		}
	}
	for i := len(layers) - 1; i >= 0; i-- {
		if errs[i] != nil {
			return fmt.Errorf("layer %d (%s): %w", i, layers[i].digest, errs[i])
		}
	}
	return nil
}

// imgScanLayerSafe is imgScanLayer turning a panic of a parser library
// on hostile input (it runs on a goroutine of ours, where the caller
// could not recover it) into an error.
func imgScanLayerSafe(ctx context.Context, l imgLayer, cfg *imgConfig, env *catEnv, entries *atomic.Int64, buf *bytes.Buffer) (sc *imgLayerScan, err error) {
	defer func() {
		if p := recover(); p != nil {
			sc, err = nil, fmt.Errorf("internal error reading the layer: %v", p)
		}
	}()
	return imgScanLayer(ctx, l, cfg, env, entries, buf)
}

// imgEntryPath is a tar entry's cleaned absolute path, refused when it
// is longer or deeper than the path limits.
func imgEntryPath(name string) (string, error) {
	if len(name) > imgMaxPathLen {
		return "", fmt.Errorf("%w: entry %q...: path of %d bytes (limit %d)", ErrImageTooLarge, name[:64], len(name), imgMaxPathLen)
	}
	p := path.Clean("/" + name)
	if d := strings.Count(p, "/"); d > imgMaxPathDepth {
		return "", fmt.Errorf("%w: entry %q...: path of %d components (limit %d)", ErrImageTooLarge, p[:min(len(p), 64)], d, imgMaxPathDepth)
	}
	return p, nil
}

// imgOpenLayer opens a layer's uncompressed stream, counting its bytes
// toward the image's limit and hashing them for the diff ID check.
func imgOpenLayer(ctx context.Context, l imgLayer, cfg *imgConfig, env *catEnv) (io.ReadCloser, *imgCountingReader, hash.Hash, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, err
	}
	rc, err := l.layer.Uncompressed()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("open: %w", err)
	}
	hasher := sha256.New()
	return rc, &imgCountingReader{r: io.TeeReader(rc, hasher), n: &env.total, limit: cfg.maxTotal}, hasher, nil
}

// imgCheckDiffID hashes what follows the tar trailer too, then checks
// the layer's bytes against the diff ID of the config.
func imgCheckDiffID(l imgLayer, counted io.Reader, hasher hash.Hash) error {
	if _, err := io.Copy(io.Discard, counted); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if l.diffID.Algorithm == "sha256" {
		if got := "sha256:" + hex.EncodeToString(hasher.Sum(nil)); got != l.diffID.String() {
			return fmt.Errorf("%w: layer content hashes to %s, config diff ID is %s", ErrImageDigestMismatch, got, l.diffID)
		}
	}
	return nil
}

// imgScanLayer streams one layer and runs the cataloguers on the regular
// files they want. It checks the layer's bytes against its diff ID.
func imgScanLayer(ctx context.Context, l imgLayer, cfg *imgConfig, env *catEnv, entries *atomic.Int64, buf *bytes.Buffer) (*imgLayerScan, error) {
	rc, counted, hasher, err := imgOpenLayer(ctx, l, cfg, env)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	tr := tar.NewReader(counted)
	sc := &imgLayerScan{}
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
		if entries.Add(1) > imgMaxEntries {
			return nil, fmt.Errorf("%w: more than %d files", ErrImageTooLarge, imgMaxEntries)
		}
		p, err := imgEntryPath(h.Name)
		if err != nil {
			return nil, err
		}
		dir, base := path.Split(p)
		dir = path.Clean(dir)
		if base == imgOpaqueMarker {
			sc.opaque = append(sc.opaque, dir)
			continue
		}
		if strings.HasPrefix(base, imgWhiteoutPrefix) {
			sc.whiteouts = append(sc.whiteouts, path.Join(dir, strings.TrimPrefix(base, imgWhiteoutPrefix)))
			continue
		}
		e := imgEntry{path: p, typ: h.Typeflag, mode: h.Mode, size: h.Size}
		switch h.Typeflag {
		case tar.TypeRegA:
			e.typ = tar.TypeReg
		case tar.TypeSymlink, tar.TypeLink:
			if len(h.Linkname) > imgMaxPathLen {
				return nil, fmt.Errorf("%w: link %s: target of %d bytes (limit %d)", ErrImageTooLarge, p, len(h.Linkname), imgMaxPathLen)
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
		kind := catClassify(p, h)
		if kind == catNone {
			continue
		}
		f := catFile{path: p, layer: l.digest, size: h.Size, kind: kind, env: env}
		r, err := catRead(tr, f, buf)
		if err != nil {
			return nil, err
		}
		if r != nil {
			sc.results = append(sc.results, r)
		}
	}
	if err := imgCheckDiffID(l, counted, hasher); err != nil {
		return nil, err
	}
	return sc, nil
}
