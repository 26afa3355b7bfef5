package imagefs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// CheckPlatform refuses a single image for another platform than an
// explicitly requested one.
func CheckPlatform(img v1.Image, want v1.Platform, explicit bool) error {
	if !explicit {
		return nil
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	have := v1.Platform{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant}
	if !have.Satisfies(want) {
		return fmt.Errorf("%w: image is %s, want %s", ErrPlatformNotFound, have.String(), want.String())
	}
	return nil
}

// FromIndex picks the image for the platform want from an index,
// descending into nested indexes (at most a few levels). An index
// holding a single image without platform information (a typical OCI
// layout) yields that image when its config matches. ref is the
// reference recorded in the picked descriptor's annotations (refFromAnnotations).
func FromIndex(ctx context.Context, idx v1.ImageIndex, want v1.Platform, explicit bool) (v1.Image, string, error) {
	w := &indexWalk{ctx: ctx, want: want, explicit: explicit, visited: map[v1.Hash]bool{}, budget: MaxIndexDescriptors}
	return w.pick(idx, 0)
}

// indexWalk is one descent through an image index: the context is
// checked before each descriptor, at most MaxIndexDescriptors are
// looked at in all, and a nested index is descended into once (the
// second time it would not hold the platform either).
type indexWalk struct {
	ctx      context.Context
	want     v1.Platform
	explicit bool
	visited  map[v1.Hash]bool
	budget   int
}

// next is called before each descriptor.
func (w *indexWalk) next() error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	if w.budget--; w.budget < 0 {
		return fmt.Errorf("%w: image indexes list more than %d descriptors", ErrTooLarge, MaxIndexDescriptors)
	}
	return nil
}

func (w *indexWalk) pick(idx v1.ImageIndex, depth int) (v1.Image, string, error) {
	if depth > 4 {
		return nil, "", errors.New("image indexes nested too deeply")
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, "", fmt.Errorf("read index: %w", err)
	}
	var seen []string
	seenSet := map[string]bool{}
	see := func(p string) {
		if !seenSet[p] {
			seenSet[p] = true
			seen = append(seen, p)
		}
	}
	var others []v1.Descriptor
	for _, d := range im.Manifests {
		if err := w.next(); err != nil {
			return nil, "", err
		}
		ref := refFromAnnotations(d.Annotations)
		switch {
		case d.MediaType.IsIndex():
			if w.visited[d.Digest] {
				continue
			}
			w.visited[d.Digest] = true
			child, err := idx.ImageIndex(d.Digest)
			if err != nil {
				return nil, "", fmt.Errorf("index %s: %w", d.Digest, err)
			}
			img, r, err := w.pick(child, depth+1)
			if errors.Is(err, ErrPlatformNotFound) {
				continue
			}
			if err != nil {
				return nil, "", err
			}
			if r == "" {
				r = ref
			}
			return img, r, nil
		case d.MediaType.IsImage():
			if d.Platform != nil {
				see(d.Platform.String())
				if d.Platform.OS != "unknown" {
					others = append(others, d)
				}
				if d.Platform.Satisfies(w.want) {
					img, err := idx.Image(d.Digest)
					if err != nil {
						if !w.explicit && errors.Is(err, errBlobMissing) {
							continue // a docker-save archive holds one platform's blobs
						}
						return nil, "", fmt.Errorf("image %s: %w", d.Digest, err)
					}
					return img, ref, nil
				}
				continue
			}
			img, err := idx.Image(d.Digest)
			if err != nil {
				return nil, "", fmt.Errorf("image %s: %w", d.Digest, err)
			}
			cf, err := img.ConfigFile()
			if err != nil {
				return nil, "", fmt.Errorf("image %s: read config: %w", d.Digest, err)
			}
			have := v1.Platform{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant}
			see(have.String())
			// A lone image of an index without platforms is what the
			// caller means unless they named another platform.
			if have.Satisfies(w.want) || (!w.explicit && len(im.Manifests) == 1) {
				return img, ref, nil
			}
		}
	}
	// Without an explicit platform, an archive that holds the blobs of
	// exactly one platform's image (docker save of a multi-platform
	// image from the containerd store) means that image.
	if !w.explicit {
		var found v1.Image
		var foundRef string
		n := 0
		for _, d := range others {
			if err := w.ctx.Err(); err != nil {
				return nil, "", err
			}
			img, err := idx.Image(d.Digest)
			if errors.Is(err, errBlobMissing) {
				continue
			}
			if err != nil {
				return nil, "", fmt.Errorf("image %s: %w", d.Digest, err)
			}
			found, foundRef = img, refFromAnnotations(d.Annotations)
			n++
		}
		if n == 1 {
			return found, foundRef, nil
		}
	}
	return nil, "", fmt.Errorf("%w: want %s, index has %v", ErrPlatformNotFound, w.want.String(), seen)
}

// refFromAnnotations is the image reference an index descriptor
// records: containerd's full name, else the OCI ref.name when it is a full
// reference (it is often only a tag, "latest", which names nothing).
func refFromAnnotations(a map[string]string) string {
	if n := a["io.containerd.image.name"]; n != "" {
		return n
	}
	if n := a["org.opencontainers.image.ref.name"]; strings.Contains(n, "/") {
		return n
	}
	return ""
}

// CheckDockerSave reads a docker-save archive's manifest.json within
// the manifest limit and checks, before go-containerregistry reads
// anything whole, that the config it names is within that limit too and
// that the image has at most MaxLayers layers.
func CheckDockerSave(a *Archive) (tarball.Manifest, error) {
	raw, err := a.Read("manifest.json", MaxManifest)
	if err != nil {
		return nil, err
	}
	var m tarball.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	for _, d := range m {
		if _, cm, err := a.resolve(d.Config); err != nil {
			return nil, fmt.Errorf("config: %w", err)
		} else if cm.size > MaxManifest {
			return nil, fmt.Errorf("config %s: %d bytes: %w (limit %d)", d.Config, cm.size, ErrTooLarge, MaxManifest)
		}
		if len(d.Layers) > MaxLayers {
			return nil, fmt.Errorf("%w: manifest.json lists %d layers (limit %d)", ErrTooLarge, len(d.Layers), MaxLayers)
		}
	}
	return m, nil
}

// errBlobMissing marks a member an archive does not have.
var errBlobMissing = errors.New("not in the archive or layout")

func blobName(h v1.Hash) string { return "blobs/" + h.Algorithm + "/" + h.Hex }

// readBlob reads a manifest, index or config blob (at most
// MaxManifest bytes) and checks its digest.
func readBlob(st BlobStore, h v1.Hash) ([]byte, error) {
	b, err := st.Read(blobName(h), MaxManifest)
	if err != nil {
		return nil, err
	}
	if h.Algorithm == "sha256" {
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != h.Hex {
			return nil, fmt.Errorf("%w: blob %s hashes to sha256:%s", ErrDigestMismatch, h, hex.EncodeToString(sum[:]))
		}
	}
	return b, nil
}

// storeIndex is an OCI image index whose blobs are in a BlobStore:
// an OCI layout archive (read in place, never extracted) or an OCI layout
// directory (read with the checks go-containerregistry's layout package
// lacks for index.json, manifests and configs).
type storeIndex struct {
	tar BlobStore
	raw []byte
	mt  types.MediaType
}

// MediaType implements v1.ImageIndex.
func (x *storeIndex) MediaType() (types.MediaType, error) { return x.mt, nil }

// Digest implements v1.ImageIndex.
func (x *storeIndex) Digest() (v1.Hash, error) {
	h, _, err := v1.SHA256(bytes.NewReader(x.raw))
	return h, err
}

// Size implements v1.ImageIndex.
func (x *storeIndex) Size() (int64, error) { return int64(len(x.raw)), nil }

// RawManifest implements v1.ImageIndex.
func (x *storeIndex) RawManifest() ([]byte, error) { return x.raw, nil }

// IndexManifest implements v1.ImageIndex.
func (x *storeIndex) IndexManifest() (*v1.IndexManifest, error) {
	return v1.ParseIndexManifest(bytes.NewReader(x.raw))
}

// ImageIndex implements v1.ImageIndex.
func (x *storeIndex) ImageIndex(h v1.Hash) (v1.ImageIndex, error) {
	raw, err := readBlob(x.tar, h)
	if err != nil {
		return nil, err
	}
	return &storeIndex{tar: x.tar, raw: raw, mt: types.OCIImageIndex}, nil
}

// Image implements v1.ImageIndex.
func (x *storeIndex) Image(h v1.Hash) (v1.Image, error) {
	raw, err := readBlob(x.tar, h)
	if err != nil {
		return nil, err
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", h, err)
	}
	if len(m.Layers) > MaxLayers {
		return nil, fmt.Errorf("manifest %s: %w: %d layers (limit %d)", h, ErrTooLarge, len(m.Layers), MaxLayers)
	}
	mt := m.MediaType
	if mt == "" {
		mt = types.OCIManifestSchema1
	}
	return partial.CompressedToImage(&storeImage{tar: x.tar, raw: raw, manifest: m, mt: mt})
}

// storeImage is an image whose blobs are in a BlobStore.
type storeImage struct {
	tar      BlobStore
	raw      []byte
	manifest *v1.Manifest
	mt       types.MediaType
}

// MediaType implements partial.CompressedImageCore.
func (i *storeImage) MediaType() (types.MediaType, error) { return i.mt, nil }

// RawManifest implements partial.CompressedImageCore.
func (i *storeImage) RawManifest() ([]byte, error) { return i.raw, nil }

// RawConfigFile implements partial.CompressedImageCore.
func (i *storeImage) RawConfigFile() ([]byte, error) {
	return readBlob(i.tar, i.manifest.Config.Digest)
}

// LayerByDigest implements partial.CompressedImageCore.
func (i *storeImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	for _, l := range i.manifest.Layers {
		if l.Digest == h {
			return &storeBlob{tar: i.tar, desc: l}, nil
		}
	}
	return nil, fmt.Errorf("layer %s: not in manifest", h)
}

type storeBlob struct {
	tar  BlobStore
	desc v1.Descriptor
}

// Digest implements partial.CompressedLayer.
func (b *storeBlob) Digest() (v1.Hash, error) { return b.desc.Digest, nil }

// Size implements partial.CompressedLayer.
func (b *storeBlob) Size() (int64, error) { return b.desc.Size, nil }

// MediaType implements partial.CompressedLayer.
func (b *storeBlob) MediaType() (types.MediaType, error) { return b.desc.MediaType, nil }

// Compressed implements partial.CompressedLayer.
func (b *storeBlob) Compressed() (io.ReadCloser, error) {
	return b.tar.Open(blobName(b.desc.Digest))
}

// NewIndex is the OCI image index raw (index.json) whose blobs are in
// st: an OCI layout archive or directory.
func NewIndex(st BlobStore, raw []byte) v1.ImageIndex {
	return &storeIndex{tar: st, raw: raw, mt: types.OCIImageIndex}
}
