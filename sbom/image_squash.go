package sbom

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/chaingate/chaingate/internal/imagefs"
)

// layerScan is one layer's scan (imagefs.ScanLayer) and the
// cataloguers' results for the regular files they want, in tar order.
type layerScan struct {
	fs      *imagefs.LayerScan
	results []*fileResult
}

// maxParallelLayers bounds the layers read at once.
const maxParallelLayers = 4

// squash reads the layers, several at a time (each one streamed, never
// written to disk, only wanted files held in memory), then builds the
// squashed file system from the top layer down (imagefs.Tree): a file's
// results count only when no upper layer shadows, whites out or makes
// opaque its path. Reading layers concurrently is what makes this faster
// than one decompression stream on multi-core machines; visibility is
// decided afterwards, as if the layers had been read top-down.
//
// Links are then resolved in the squashed file system (resolveLinks),
// for every path a cataloguer wants, and the files they lead to are read
// from their layers again when the first pass did not catalogue them.
func squash(ctx context.Context, layers []imagefs.Layer, cfg *imageConfig, st *scanState) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	env := &scanEnv{ctx: ctx, maxFile: cfg.maxFile}
	budget := &imagefs.Budget{MaxTotal: cfg.maxTotal}
	scans := make([]*layerScan, len(layers))
	errs := make([]error, len(layers))
	workers := min(len(layers), max(1, runtime.GOMAXPROCS(0)), maxParallelLayers)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := &bytes.Buffer{}
			for i := range next {
				scans[i], errs[i] = scanLayerSafe(ctx, layers[i], budget, env, buf)
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
	if err := firstLayerError(layers, errs); err != nil {
		return err
	}

	t := imagefs.NewTree()
	for i := len(layers) - 1; i >= 0; i-- {
		if err := t.AddLayer(ctx, int32(i), scans[i].fs); err != nil {
			return fmt.Errorf("layer %d (%s): %w", i, layers[i].Digest, err)
		}
	}
	for i := len(layers) - 1; i >= 0; i-- {
		for _, r := range scans[i].results {
			if !t.VisibleRegular(r.path, int32(i)) {
				continue
			}
			if err := st.apply(r); err != nil {
				return fmt.Errorf("layer %d (%s): %w", i, layers[i].Digest, err)
			}
		}
		scans[i] = nil
	}
	return resolveLinks(ctx, t, layers, cfg, budget, env, st)
}

// firstLayerError reports the real failure of a layer, not the
// cancellations it caused in the others.
func firstLayerError(layers []imagefs.Layer, errs []error) error {
	for i := len(layers) - 1; i >= 0; i-- {
		if errs[i] != nil && !errors.Is(errs[i], context.Canceled) {
			return fmt.Errorf("layer %d (%s): %w", i, layers[i].Digest, errs[i])
		}
	}
	for i := len(layers) - 1; i >= 0; i-- {
		if errs[i] != nil {
			return fmt.Errorf("layer %d (%s): %w", i, layers[i].Digest, errs[i])
		}
	}
	return nil
}

// scanLayerSafe is scanLayer turning a panic of a parser library
// on hostile input (it runs on a goroutine of ours, where the caller
// could not recover it) into an error.
func scanLayerSafe(ctx context.Context, l imagefs.Layer, b *imagefs.Budget, env *scanEnv, buf *bytes.Buffer) (sc *layerScan, err error) {
	defer func() {
		if p := recover(); p != nil {
			sc, err = nil, fmt.Errorf("internal error reading the layer: %v", p)
		}
	}()
	return scanLayer(ctx, l, b, env, buf)
}

// scanLayer streams one layer (imagefs.ScanLayer) and runs the
// cataloguers on the regular files they want.
func scanLayer(ctx context.Context, l imagefs.Layer, b *imagefs.Budget, env *scanEnv, buf *bytes.Buffer) (*layerScan, error) {
	sc := &layerScan{}
	fs, err := imagefs.ScanLayer(ctx, l, b, func(p string, h *tar.Header, r io.Reader) error {
		kind := classify(p, h)
		if kind == kindNone {
			return nil
		}
		f := imageFile{path: p, layer: l.Digest, size: h.Size, kind: kind, env: env}
		res, err := readWanted(r, f, buf)
		if err != nil {
			return err
		}
		if res != nil {
			sc.results = append(sc.results, res)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sc.fs = fs
	return sc, nil
}

// wanted tells the link walk (imagefs.Tree.Links) what the
// cataloguers want: classify's kinds, and the OS package databases
// that must be readable.
var wanted = imagefs.Wanted{
	Kind: func(p string, mode, size int64) int {
		return int(classify(p, &tar.Header{Typeflag: tar.TypeReg, Mode: mode, Size: size}))
	},
	Database: func(k int) bool { return linkedDatabase(fileKind(k)) },
}

// linkedDatabase reports kinds whose files must be readable: an OS
// package database behind a link that cannot be followed fails the scan.
func linkedDatabase(k fileKind) bool {
	return k == kindDpkgStatus || k == kindDpkgStatusD || k == kindApk || k == kindRPM
}

// resolveLinks follows every symbolic and hard link of the squashed
// file system t, within the image's root (imagefs.Tree.Links), and
// catalogues the files that paths cataloguers want lead to — a dpkg
// status file linked to another file, a directory of package metadata
// linked elsewhere — reading them again from their layers. A link that
// cannot be followed at such a path (to nothing, in a loop, to a special
// file) is an error for an OS package database and a limitation for
// other files: never a silently smaller SBOM.
func resolveLinks(ctx context.Context, t *imagefs.Tree, layers []imagefs.Layer, cfg *imageConfig, b *imagefs.Budget, env *scanEnv, st *scanState) error {
	needs, limits, err := t.Links(ctx, wanted)
	if err != nil {
		return err
	}
	st.limits = append(st.limits, limits...)
	if len(needs) == 0 {
		return nil
	}
	byLayer := map[int32][]imagefs.Need{}
	for _, lp := range sortedKeys(needs) {
		nd := needs[lp]
		byLayer[nd.Layer] = append(byLayer[nd.Layer], nd)
	}
	buf := &bytes.Buffer{}
	for i := len(layers) - 1; i >= 0; i-- {
		lneeds := byLayer[int32(i)]
		if len(lneeds) == 0 {
			continue
		}
		rs, err := rereadLayer(ctx, layers[i], cfg, b, env, lneeds, buf)
		if err != nil {
			return fmt.Errorf("layer %d (%s): %w", i, layers[i].Digest, err)
		}
		for _, r := range rs {
			if err := st.apply(r); err != nil {
				return fmt.Errorf("layer %d (%s): %w", i, layers[i].Digest, err)
			}
		}
	}
	return nil
}

// rereadLayer streams a layer again for the files links lead to, runs
// their cataloguers, and checks the layer's bytes against its diff ID
// again (a source could serve other bytes the second time).
func rereadLayer(ctx context.Context, l imagefs.Layer, cfg *imageConfig, b *imagefs.Budget, env *scanEnv, needs []imagefs.Need, buf *bytes.Buffer) ([]*fileResult, error) {
	byPath := map[string][]imagefs.Need{}
	for _, nd := range needs {
		byPath[nd.Path] = append(byPath[nd.Path], nd)
	}
	rc, counted, hasher, err := imagefs.OpenLayer(ctx, l, b)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	tr := tar.NewReader(counted)
	found := map[string][]*fileResult{}
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
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeRegA {
			continue
		}
		p, err := imagefs.EntryPath(h.Name)
		if err != nil {
			return nil, err
		}
		nds := byPath[p]
		if len(nds) == 0 {
			continue
		}
		// The last entry of a path in a layer is the one that counts.
		var rs []*fileResult
		// A file over the limit is not read (readWanted reports it); an
		// executable's magic number is still needed to tell ELF files.
		n := h.Size
		if n > cfg.maxFile {
			n = 4
		}
		data, err := io.ReadAll(io.LimitReader(tr, n))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		for _, nd := range nds {
			f := imageFile{path: p, layer: l.Digest, size: h.Size, kind: fileKind(nd.Kind), env: env}
			r, err := readWanted(bytes.NewReader(data), f, buf)
			if err != nil {
				return nil, err
			}
			if r != nil {
				r.path = nd.Logical
				rs = append(rs, r)
			}
		}
		found[p] = rs
	}
	if err := imagefs.CheckDiffID(l, counted, hasher); err != nil {
		return nil, err
	}
	var out []*fileResult
	for _, nd := range needs {
		if _, ok := found[nd.Path]; !ok {
			return nil, fmt.Errorf("%s: %s is not in the layer the second time it is read", nd.Logical, nd.Path)
		}
	}
	for _, p := range sortedKeys(found) {
		out = append(out, found[p]...)
	}
	return out, nil
}
