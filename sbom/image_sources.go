package sbom

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// imgMaxManifest bounds manifests, indexes and configs read from
// tarballs and layouts.
const imgMaxManifest = 8 << 20

// ImageFromTarball reads an image from a tarball at path: a `docker save`
// archive (manifest.json) or an OCI image layout archived as a tar
// (oci-layout, index.json, blobs/), optionally gzip-compressed. When an
// archive has both (Docker 25 and later write both), the OCI index is
// used, so the image digest is the real manifest digest. Errors (missing
// file, unknown layout) are reported by FromImage.
func ImageFromTarball(path string) ImageSource { return &imgTarballSource{path: path} }

// ImageFromLayout reads an image from an OCI image layout directory (as
// written by `crane pull --format=oci`, skopeo or go-containerregistry's
// layout package). An index of several images is resolved to the
// platform (WithPlatform, default linux/amd64).
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

func (s *imgLayoutSource) imgResolve(_ context.Context, cfg *imgConfig) (*imgResolved, error) {
	idx, err := layout.ImageIndexFromPath(s.dir)
	if err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s, err)
	}
	img, ref, err := imgFromIndex(idx, cfg, 0)
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
		img, _, err := imgFromIndex(idx, cfg, 0)
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
func imgFromIndex(idx v1.ImageIndex, cfg *imgConfig, depth int) (v1.Image, string, error) {
	if depth > 4 {
		return nil, "", errors.New("image indexes nested too deeply")
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, "", fmt.Errorf("read index: %w", err)
	}
	var seen []string
	var others []v1.Descriptor
	for _, d := range im.Manifests {
		ref := imgRefFromAnnotations(d.Annotations)
		switch {
		case d.MediaType.IsIndex():
			child, err := idx.ImageIndex(d.Digest)
			if err != nil {
				return nil, "", fmt.Errorf("index %s: %w", d.Digest, err)
			}
			img, r, err := imgFromIndex(child, cfg, depth+1)
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
				seen = append(seen, d.Platform.String())
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
			seen = append(seen, have.String())
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

func (s *imgTarballSource) imgResolve(_ context.Context, cfg *imgConfig) (*imgResolved, error) {
	t := &imgTar{path: s.path}
	names, err := t.names("oci-layout", "index.json", "manifest.json")
	if err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s, err)
	}
	if names["index.json"] && names["oci-layout"] {
		raw, err := t.read("index.json", imgMaxManifest)
		if err != nil {
			return nil, fmt.Errorf("sbom: image %s: %w", s, err)
		}
		idx := &imgTarIndex{tar: t, raw: raw, mt: types.OCIImageIndex}
		img, ref, err := imgFromIndex(idx, cfg, 0)
		if err != nil {
			return nil, fmt.Errorf("sbom: image %s: %w", s, err)
		}
		return &imgResolved{img: img, ref: ref}, nil
	}
	if !names["manifest.json"] {
		return nil, fmt.Errorf("sbom: image %s: neither a docker-save archive (manifest.json) nor an OCI layout archive (oci-layout, index.json)", s)
	}
	img, err := tarball.Image(t.open, nil)
	if err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s, err)
	}
	if err := imgCheckPlatform(img, cfg); err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s, err)
	}
	res := &imgResolved{img: img}
	if m, err := tarball.LoadManifest(t.open); err == nil && len(m) == 1 && len(m[0].RepoTags) > 0 {
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

// imgTar reads members of a tar file (optionally gzip-compressed),
// reopening it for each member as go-containerregistry's tarball package
// does. On an uncompressed file archive/tar seeks over other members.
type imgTar struct{ path string }

// open returns the decompressed tar stream.
func (t *imgTar) open() (io.ReadCloser, error) {
	f, err := os.Open(t.path)
	if err != nil {
		return nil, err
	}
	var magic [2]byte
	if n, _ := f.ReadAt(magic[:], 0); n == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(bufio.NewReader(f))
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("gunzip: %w", err)
		}
		return &imgMultiCloser{Reader: zr, closers: []io.Closer{zr, f}}, nil
	}
	// Keep the *os.File (a Seeker) so archive/tar skips members by seeking.
	return f, nil
}

type imgMultiCloser struct {
	io.Reader
	closers []io.Closer
}

// Close implements io.Closer.
func (m *imgMultiCloser) Close() error {
	var errs []error
	for _, c := range m.closers {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

func imgTarName(n string) string {
	return strings.TrimPrefix(path.Clean("/"+n), "/")
}

// names reports which of the wanted top-level members exist.
func (t *imgTar) names(want ...string) (map[string]bool, error) {
	rc, err := t.open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	found := map[string]bool{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return found, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read tar: %w", err)
		}
		n := imgTarName(h.Name)
		for _, w := range want {
			if n == w {
				found[w] = true
			}
		}
	}
}

// member opens one member (following in-archive symlinks once).
func (t *imgTar) member(name string) (io.ReadCloser, int64, error) {
	return t.memberDepth(name, 0)
}

func (t *imgTar) memberDepth(name string, depth int) (io.ReadCloser, int64, error) {
	rc, err := t.open()
	if err != nil {
		return nil, 0, err
	}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			rc.Close()
			return nil, 0, fmt.Errorf("%s: %w", name, errImgBlobMissing)
		}
		if err != nil {
			rc.Close()
			return nil, 0, fmt.Errorf("read tar: %w", err)
		}
		if imgTarName(h.Name) != name {
			continue
		}
		if (h.Typeflag == tar.TypeSymlink || h.Typeflag == tar.TypeLink) && depth < 4 {
			rc.Close()
			target := h.Linkname
			if h.Typeflag == tar.TypeSymlink {
				target = path.Join(path.Dir(name), target)
			}
			return t.memberDepth(imgTarName(target), depth+1)
		}
		return &imgMultiCloser{Reader: tr, closers: []io.Closer{rc}}, h.Size, nil
	}
}

// read returns a whole member of at most limit bytes.
func (t *imgTar) read(name string, limit int64) ([]byte, error) {
	rc, size, err := t.member(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if size > limit {
		return nil, fmt.Errorf("%s: %d bytes: %w (limit %d)", name, size, ErrImageTooLarge, limit)
	}
	return io.ReadAll(io.LimitReader(rc, limit))
}

// errImgBlobMissing marks a member an archive does not have.
var errImgBlobMissing = errors.New("not in archive")

func imgBlobName(h v1.Hash) string { return "blobs/" + h.Algorithm + "/" + h.Hex }

// imgReadBlob reads a small blob and checks its digest.
func (t *imgTar) readBlob(h v1.Hash) ([]byte, error) {
	b, err := t.read(imgBlobName(h), imgMaxManifest)
	if err != nil {
		return nil, err
	}
	if h.Algorithm == "sha256" {
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != h.Hex {
			return nil, fmt.Errorf("blob %s: digest mismatch", h)
		}
	}
	return b, nil
}

// imgTarIndex is an OCI image index stored in a tar (an OCI layout
// archive). go-containerregistry's layout package needs a directory, so
// this reads the layout's blobs from the archive instead of extracting it.
type imgTarIndex struct {
	tar *imgTar
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
	raw, err := x.tar.readBlob(h)
	if err != nil {
		return nil, err
	}
	return &imgTarIndex{tar: x.tar, raw: raw, mt: types.OCIImageIndex}, nil
}

// Image implements v1.ImageIndex.
func (x *imgTarIndex) Image(h v1.Hash) (v1.Image, error) {
	raw, err := x.tar.readBlob(h)
	if err != nil {
		return nil, err
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", h, err)
	}
	mt := m.MediaType
	if mt == "" {
		mt = types.OCIManifestSchema1
	}
	return partial.CompressedToImage(&imgTarImage{tar: x.tar, raw: raw, manifest: m, mt: mt})
}

// imgTarImage is an image whose blobs are members of an OCI layout tar.
type imgTarImage struct {
	tar      *imgTar
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
	return i.tar.readBlob(i.manifest.Config.Digest)
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
	tar  *imgTar
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
	rc, _, err := b.tar.member(imgBlobName(b.desc.Digest))
	return rc, err
}
