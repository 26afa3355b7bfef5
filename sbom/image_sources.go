package sbom

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// ImageFromTarball reads an image from a tarball at path: a `docker save`
// archive (manifest.json) or an OCI image layout archived as a tar
// (oci-layout, index.json, blobs/), optionally gzip-compressed. When an
// archive has both (Docker 25 and later write both), the OCI index is
// used, so the image digest is the real manifest digest. Errors (missing
// file, unknown layout) are reported by FromImage.
//
// The archive is indexed in one pass, then each member is read in place.
// A gzip-compressed archive is decompressed once, during that pass, into
// an unlinked temporary file (bounded by WithMaxTotalSize, released when
// FromImage returns), never once per layer.
func ImageFromTarball(path string) ImageSource { return &imgTarballSource{path: path} }

// ImageFromLayout reads an image from an OCI image layout directory (as
// written by `crane pull --format=oci`, skopeo or go-containerregistry's
// layout package). An index of several images is resolved to the
// platform (WithPlatform, default linux/amd64). index.json and the blobs
// must be regular files: a symbolic link (to /dev/zero, say), a device or
// a named pipe is refused.
func ImageFromLayout(dir string) ImageSource { return &imgLayoutSource{dir: dir} }

// ImageFromRemote reads an image from a registry by reference
// ("registry.example/app:1.2", "...@sha256:..."). It needs network
// access, which FromImage grants only with WithHTTPClient or
// WithRemoteOptions (WithAuth for credentials).
func ImageFromRemote(ref string) ImageSource { return &imgRemoteSource{ref: ref} }

// ImageFromV1 scans an image the caller already holds as a
// go-containerregistry v1.Image (from daemon, mutate, a cache, ...).
// reference, if not empty, is recorded as Document.Image.Reference.
func ImageFromV1(img v1.Image, reference string) ImageSource {
	return &imgV1Source{img: img, ref: reference}
}

type imgV1Source struct {
	img v1.Image
	ref string
}

// String names the source.
func (s *imgV1Source) String() string {
	if s.ref != "" {
		return s.ref
	}
	return "v1.Image"
}

func (s *imgV1Source) imgResolve(_ context.Context, cfg *imgConfig) (*imgResolved, error) {
	if s.img == nil {
		return nil, errors.New("sbom: image: nil v1.Image")
	}
	if err := imgCheckPlatform(s.img, cfg); err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s, err)
	}
	return &imgResolved{img: s.img, ref: s.ref}, nil
}

type imgLayoutSource struct{ dir string }

// String names the source.
func (s *imgLayoutSource) String() string { return "layout " + s.dir }

func (s *imgLayoutSource) imgResolve(ctx context.Context, cfg *imgConfig) (*imgResolved, error) {
	// go-containerregistry's layout package reads index.json (and
	// manifests and configs) whole, following links: index.json linked
	// to /dev/zero would exhaust memory. Read the layout through
	// imgDirStore instead, which refuses links and special files and
	// applies the manifest limit.
	st := &imgDirStore{dir: s.dir}
	raw, err := st.read("index.json", imgMaxManifest)
	if err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s, err)
	}
	idx := &imgTarIndex{tar: st, raw: raw, mt: types.OCIImageIndex}
	img, ref, err := imgFromIndex(ctx, idx, cfg)
	if err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s, err)
	}
	return &imgResolved{img: img, ref: ref}, nil
}

type imgRemoteSource struct{ ref string }

// String names the source.
func (s *imgRemoteSource) String() string { return s.ref }

func (s *imgRemoteSource) imgResolve(ctx context.Context, cfg *imgConfig) (*imgResolved, error) {
	if !cfg.network {
		return nil, fmt.Errorf("sbom: image %s: %w", s.ref, ErrImageNetworkDisabled)
	}
	ref, err := name.ParseReference(s.ref)
	if err != nil {
		return nil, fmt.Errorf("sbom: image %s: parse reference: %w", s.ref, err)
	}
	opts := []remote.Option{remote.WithContext(ctx)}
	if cfg.client != nil {
		tr := cfg.client.Transport
		if tr == nil {
			// http.Client's own fallback; still the caller's client choice.
			tr = http.DefaultTransport
		}
		opts = append(opts, remote.WithTransport(tr))
	}
	if cfg.auth != nil {
		opts = append(opts, remote.WithAuth(cfg.auth))
	}
	opts = append(opts, cfg.remoteOpts...)
	desc, err := remote.Get(ref, opts...)
	if err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s.ref, err)
	}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return nil, fmt.Errorf("sbom: image %s: %w", s.ref, err)
		}
		img, _, err := imgFromIndex(ctx, idx, cfg)
		if err != nil {
			return nil, fmt.Errorf("sbom: image %s: %w", s.ref, err)
		}
		return &imgResolved{img: img, ref: s.ref}, nil
	}
	img, err := desc.Image()
	if err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s.ref, err)
	}
	if err := imgCheckPlatform(img, cfg); err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s.ref, err)
	}
	return &imgResolved{img: img, ref: s.ref}, nil
}

// imgCheckPlatform refuses a single image for another platform than an
// explicitly requested one.
func imgCheckPlatform(img v1.Image, cfg *imgConfig) error {
	if !cfg.platformExplicit {
		return nil
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	have := v1.Platform{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant}
	if !have.Satisfies(cfg.platform) {
		return fmt.Errorf("%w: image is %s, want %s", ErrImagePlatformNotFound, have.String(), cfg.platform.String())
	}
	return nil
}

// imgFromIndex picks the image for cfg's platform from an index,
// descending into nested indexes (at most a few levels). An index
// holding a single image without platform information (a typical OCI
// layout) yields that image when its config matches. ref is the
// reference recorded in the picked descriptor's annotations (imgRefFromAnnotations).
func imgFromIndex(ctx context.Context, idx v1.ImageIndex, cfg *imgConfig) (v1.Image, string, error) {
	w := &imgIndexWalk{ctx: ctx, cfg: cfg, visited: map[v1.Hash]bool{}, budget: imgMaxIndexDescriptors}
	return w.pick(idx, 0)
}

// imgIndexWalk is one descent through an image index: the context is
// checked before each descriptor, at most imgMaxIndexDescriptors are
// looked at in all, and a nested index is descended into once (the
// second time it would not hold the platform either).
type imgIndexWalk struct {
	ctx     context.Context
	cfg     *imgConfig
	visited map[v1.Hash]bool
	budget  int
}

// next is called before each descriptor.
func (w *imgIndexWalk) next() error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	if w.budget--; w.budget < 0 {
		return fmt.Errorf("%w: image indexes list more than %d descriptors", ErrImageTooLarge, imgMaxIndexDescriptors)
	}
	return nil
}

func (w *imgIndexWalk) pick(idx v1.ImageIndex, depth int) (v1.Image, string, error) {
	cfg := w.cfg
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
		ref := imgRefFromAnnotations(d.Annotations)
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
			if errors.Is(err, ErrImagePlatformNotFound) {
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
				if d.Platform.Satisfies(cfg.platform) {
					img, err := idx.Image(d.Digest)
					if err != nil {
						if !cfg.platformExplicit && errors.Is(err, errImgBlobMissing) {
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
			if have.Satisfies(cfg.platform) || (!cfg.platformExplicit && len(im.Manifests) == 1) {
				return img, ref, nil
			}
		}
	}
	// Without an explicit platform, an archive that holds the blobs of
	// exactly one platform's image (docker save of a multi-platform
	// image from the containerd store) means that image.
	if !cfg.platformExplicit {
		var found v1.Image
		var foundRef string
		n := 0
		for _, d := range others {
			if err := w.ctx.Err(); err != nil {
				return nil, "", err
			}
			img, err := idx.Image(d.Digest)
			if errors.Is(err, errImgBlobMissing) {
				continue
			}
			if err != nil {
				return nil, "", fmt.Errorf("image %s: %w", d.Digest, err)
			}
			found, foundRef = img, imgRefFromAnnotations(d.Annotations)
			n++
		}
		if n == 1 {
			return found, foundRef, nil
		}
	}
	return nil, "", fmt.Errorf("%w: want %s, index has %v", ErrImagePlatformNotFound, cfg.platform.String(), seen)
}

// imgRefFromAnnotations is the image reference an index descriptor
// records: containerd's full name, else the OCI ref.name when it is a full
// reference (it is often only a tag, "latest", which names nothing).
func imgRefFromAnnotations(a map[string]string) string {
	if n := a["io.containerd.image.name"]; n != "" {
		return n
	}
	if n := a["org.opencontainers.image.ref.name"]; strings.Contains(n, "/") {
		return n
	}
	return ""
}

type imgTarballSource struct{ path string }

// String names the source.
func (s *imgTarballSource) String() string { return "tarball " + s.path }

func (s *imgTarballSource) imgResolve(ctx context.Context, cfg *imgConfig) (res *imgResolved, err error) {
	a, err := imgOpenArchive(ctx, s.path, cfg.maxTotal)
	if err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s, err)
	}
	defer func() {
		if err != nil {
			a.close()
		}
	}()
	if a.has("index.json") && a.has("oci-layout") {
		raw, err := a.read("index.json", imgMaxManifest)
		if err != nil {
			return nil, fmt.Errorf("sbom: image %s: %w", s, err)
		}
		idx := &imgTarIndex{tar: a, raw: raw, mt: types.OCIImageIndex}
		img, ref, err := imgFromIndex(ctx, idx, cfg)
		if err != nil {
			return nil, fmt.Errorf("sbom: image %s: %w", s, err)
		}
		return &imgResolved{img: img, ref: ref, archive: a}, nil
	}
	if !a.has("manifest.json") {
		return nil, fmt.Errorf("sbom: image %s: neither a docker-save archive (manifest.json) nor an OCI layout archive (oci-layout, index.json)", s)
	}
	// go-containerregistry's tarball package reads manifest.json and the
	// config whole: check their sizes (and the layer count) first.
	m, err := imgCheckDockerSave(a)
	if err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s, err)
	}
	img, err := tarball.Image(a.opener, nil)
	if err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s, err)
	}
	if err := imgCheckPlatform(img, cfg); err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s, err)
	}
	res = &imgResolved{img: img, archive: a}
	if len(m) == 1 && len(m[0].RepoTags) > 0 {
		res.ref = m[0].RepoTags[0]
	}
	// A docker-save archive stores layers uncompressed and records no
	// manifest digest; go-containerregistry would gzip every layer to
	// invent one. Identify the image by its config digest (its image ID)
	// and layers by their diff IDs instead, and say so.
	if mt, err := img.MediaType(); err == nil && mt == types.DockerManifestSchema2 {
		cn, err := img.ConfigName()
		if err != nil {
			return nil, fmt.Errorf("sbom: image %s: config digest: %w", s, err)
		}
		res.diffIDs = true
		res.digest = cn.String()
		res.limitations = append(res.limitations,
			"docker-save archive without an OCI index: Image.Digest is the image ID (config digest), not a manifest digest, and layer locations are diff IDs (uncompressed layer digests)")
	}
	return res, nil
}

// imgCheckDockerSave reads a docker-save archive's manifest.json within
// the manifest limit and checks, before go-containerregistry reads
// anything whole, that the config it names is within that limit too and
// that the image has at most imgMaxLayers layers.
func imgCheckDockerSave(a *imgArchive) (tarball.Manifest, error) {
	raw, err := a.read("manifest.json", imgMaxManifest)
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
		} else if cm.size > imgMaxManifest {
			return nil, fmt.Errorf("config %s: %d bytes: %w (limit %d)", d.Config, cm.size, ErrImageTooLarge, imgMaxManifest)
		}
		if len(d.Layers) > imgMaxLayers {
			return nil, fmt.Errorf("%w: manifest.json lists %d layers (limit %d)", ErrImageTooLarge, len(d.Layers), imgMaxLayers)
		}
	}
	return m, nil
}

// errImgBlobMissing marks a member an archive does not have.
var errImgBlobMissing = errors.New("not in the archive or layout")

func imgBlobName(h v1.Hash) string { return "blobs/" + h.Algorithm + "/" + h.Hex }

// imgReadBlob reads a manifest, index or config blob (at most
// imgMaxManifest bytes) and checks its digest.
func imgReadBlob(st imgBlobStore, h v1.Hash) ([]byte, error) {
	b, err := st.read(imgBlobName(h), imgMaxManifest)
	if err != nil {
		return nil, err
	}
	if h.Algorithm == "sha256" {
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != h.Hex {
			return nil, fmt.Errorf("%w: blob %s hashes to sha256:%s", ErrImageDigestMismatch, h, hex.EncodeToString(sum[:]))
		}
	}
	return b, nil
}

// imgTarIndex is an OCI image index whose blobs are in an imgBlobStore:
// an OCI layout archive (read in place, never extracted) or an OCI layout
// directory (read with the checks go-containerregistry's layout package
// lacks for index.json, manifests and configs).
type imgTarIndex struct {
	tar imgBlobStore
	raw []byte
	mt  types.MediaType
}

// MediaType implements v1.ImageIndex.
func (x *imgTarIndex) MediaType() (types.MediaType, error) { return x.mt, nil }

// Digest implements v1.ImageIndex.
func (x *imgTarIndex) Digest() (v1.Hash, error) {
	h, _, err := v1.SHA256(bytes.NewReader(x.raw))
	return h, err
}

// Size implements v1.ImageIndex.
func (x *imgTarIndex) Size() (int64, error) { return int64(len(x.raw)), nil }

// RawManifest implements v1.ImageIndex.
func (x *imgTarIndex) RawManifest() ([]byte, error) { return x.raw, nil }

// IndexManifest implements v1.ImageIndex.
func (x *imgTarIndex) IndexManifest() (*v1.IndexManifest, error) {
	return v1.ParseIndexManifest(bytes.NewReader(x.raw))
}

// ImageIndex implements v1.ImageIndex.
func (x *imgTarIndex) ImageIndex(h v1.Hash) (v1.ImageIndex, error) {
	raw, err := imgReadBlob(x.tar, h)
	if err != nil {
		return nil, err
	}
	return &imgTarIndex{tar: x.tar, raw: raw, mt: types.OCIImageIndex}, nil
}

// Image implements v1.ImageIndex.
func (x *imgTarIndex) Image(h v1.Hash) (v1.Image, error) {
	raw, err := imgReadBlob(x.tar, h)
	if err != nil {
		return nil, err
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", h, err)
	}
	if len(m.Layers) > imgMaxLayers {
		return nil, fmt.Errorf("manifest %s: %w: %d layers (limit %d)", h, ErrImageTooLarge, len(m.Layers), imgMaxLayers)
	}
	mt := m.MediaType
	if mt == "" {
		mt = types.OCIManifestSchema1
	}
	return partial.CompressedToImage(&imgTarImage{tar: x.tar, raw: raw, manifest: m, mt: mt})
}

// imgTarImage is an image whose blobs are in an imgBlobStore.
type imgTarImage struct {
	tar      imgBlobStore
	raw      []byte
	manifest *v1.Manifest
	mt       types.MediaType
}

// MediaType implements partial.CompressedImageCore.
func (i *imgTarImage) MediaType() (types.MediaType, error) { return i.mt, nil }

// RawManifest implements partial.CompressedImageCore.
func (i *imgTarImage) RawManifest() ([]byte, error) { return i.raw, nil }

// RawConfigFile implements partial.CompressedImageCore.
func (i *imgTarImage) RawConfigFile() ([]byte, error) {
	return imgReadBlob(i.tar, i.manifest.Config.Digest)
}

// LayerByDigest implements partial.CompressedImageCore.
func (i *imgTarImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	for _, l := range i.manifest.Layers {
		if l.Digest == h {
			return &imgTarBlob{tar: i.tar, desc: l}, nil
		}
	}
	return nil, fmt.Errorf("layer %s: not in manifest", h)
}

type imgTarBlob struct {
	tar  imgBlobStore
	desc v1.Descriptor
}

// Digest implements partial.CompressedLayer.
func (b *imgTarBlob) Digest() (v1.Hash, error) { return b.desc.Digest, nil }

// Size implements partial.CompressedLayer.
func (b *imgTarBlob) Size() (int64, error) { return b.desc.Size, nil }

// MediaType implements partial.CompressedLayer.
func (b *imgTarBlob) MediaType() (types.MediaType, error) { return b.desc.MediaType, nil }

// Compressed implements partial.CompressedLayer.
func (b *imgTarBlob) Compressed() (io.ReadCloser, error) {
	return b.tar.open(imgBlobName(b.desc.Digest))
}
