package sbom

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
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

// imgLayerScan is what one layer holds that squashing needs: its
// entries, its whiteouts and opaque markers, and the cataloguers' results
// for the files they want, in tar order.
type imgLayerScan struct {
	entries   map[string]bool // path -> is a directory
	whiteouts []string
	opaque    []string
	results   []*catResult
}

// imgMaxParallelLayers bounds the layers read at once.
const imgMaxParallelLayers = 4

// imgSquash reads the layers, several at a time (each one streamed, never
// written to disk, only wanted files held in memory), then walks them from
// the top layer down: a file's results count only when no upper layer
// shadows, whites out or makes opaque its path. Reading layers
// concurrently is what makes this faster than one decompression stream
// on multi-core machines; visibility is decided afterwards, as if the
// layers had been read top-down.
func imgSquash(ctx context.Context, layers []imgLayer, cfg *imgConfig, st *catState) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	scans := make([]*imgLayerScan, len(layers))
	errs := make([]error, len(layers))
	var total, entries atomic.Int64
	workers := min(len(layers), max(1, runtime.GOMAXPROCS(0)), imgMaxParallelLayers)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := &bytes.Buffer{}
			for i := range next {
				scans[i], errs[i] = imgScanLayerSafe(ctx, layers[i], cfg, &total, &entries, buf)
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
	// Report the real failure, not the cancellations it caused.
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

	sq := &imgSquashState{
		upper:     map[string]bool{},
		whiteouts: map[string]struct{}{},
		opaque:    map[string]struct{}{},
	}
	for i := len(layers) - 1; i >= 0; i-- {
		sc := scans[i]
		for _, r := range sc.results {
			if sq.hidden(r.path) {
				continue
			}
			if err := st.apply(r); err != nil {
				return fmt.Errorf("layer %d (%s): %w", i, layers[i].digest, err)
			}
		}
		// This layer's entries, whiteouts and opaque markers hide lower
		// layers' files only.
		for p, isDir := range sc.entries {
			if !sq.hidden(p) {
				sq.upper[p] = isDir
			}
		}
		for _, p := range sc.whiteouts {
			sq.whiteouts[p] = struct{}{}
		}
		for _, p := range sc.opaque {
			sq.opaque[p] = struct{}{}
		}
	}
	return nil
}

// imgScanLayerSafe is imgScanLayer turning a panic of a parser library
// on hostile input (it runs on a goroutine of ours, where the caller
// could not recover it) into an error.
func imgScanLayerSafe(ctx context.Context, l imgLayer, cfg *imgConfig, total, entries *atomic.Int64, buf *bytes.Buffer) (sc *imgLayerScan, err error) {
	defer func() {
		if p := recover(); p != nil {
			sc, err = nil, fmt.Errorf("internal error reading the layer: %v", p)
		}
	}()
	return imgScanLayer(ctx, l, cfg, total, entries, buf)
}

// imgScanLayer streams one layer and runs the cataloguers on the files
// they want. It checks the layer's bytes against its diff ID.
func imgScanLayer(ctx context.Context, l imgLayer, cfg *imgConfig, total, entries *atomic.Int64, buf *bytes.Buffer) (*imgLayerScan, error) {
	rc, err := l.layer.Uncompressed()
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	defer rc.Close()
	hasher := sha256.New()
	counted := &imgCountingReader{r: io.TeeReader(rc, hasher), n: total, limit: cfg.maxTotal}
	tr := tar.NewReader(counted)
	sc := &imgLayerScan{entries: map[string]bool{}}
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
		p := path.Clean("/" + h.Name)
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
		sc.entries[p] = h.Typeflag == tar.TypeDir
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeRegA {
			if h.Typeflag == tar.TypeSymlink && p == "/etc/os-release" {
				sc.results = append(sc.results, &catResult{path: p, layer: l.digest, kind: catOSRelease, symlink: true})
			}
			continue
		}
		kind := catClassify(p, h)
		if kind == catNone {
			continue
		}
		f := catFile{path: p, layer: l.digest, size: h.Size, kind: kind}
		switch {
		case kind == catELF:
			r, err := catReadELF(tr, h, f, cfg.maxFile, buf)
			if err != nil {
				return nil, err
			}
			if r != nil {
				sc.results = append(sc.results, r)
			}
			continue
		case h.Size > cfg.maxFile:
			r := &catResult{path: p, layer: l.digest, kind: kind}
			if kind == catJava {
				r.limits = []string{fmt.Sprintf("%s (layer %s): %d bytes, over the %d-byte file limit: not scanned", p, l.digest, h.Size, cfg.maxFile)}
			} else {
				r.err = fmt.Errorf("%s: %d bytes: %w (WithMaxFileSize %d)", p, h.Size, ErrImageTooLarge, cfg.maxFile)
			}
			sc.results = append(sc.results, r)
			continue
		}
		data, err := io.ReadAll(io.LimitReader(tr, h.Size))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		f.data = data
		sc.results = append(sc.results, catParse(f, cfg.maxFile))
	}
	// Hash what follows the tar trailer too, then check the diff ID.
	if _, err := io.Copy(io.Discard, counted); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if l.diffID.Algorithm == "sha256" {
		if got := "sha256:" + hex.EncodeToString(hasher.Sum(nil)); got != l.diffID.String() {
			return nil, fmt.Errorf("%w: layer content hashes to %s, config diff ID is %s", ErrImageDigestMismatch, got, l.diffID)
		}
	}
	return sc, nil
}
