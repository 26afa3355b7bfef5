package sbom

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/chaingate/chaingate/internal/imagefs"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
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
func ImageFromTarball(path string) ImageSource { return &tarballSource{path: path} }

// ImageFromLayout reads an image from an OCI image layout directory (as
// written by `crane pull --format=oci`, skopeo or go-containerregistry's
// layout package). An index of several images is resolved to the
// platform (WithPlatform, default linux/amd64). index.json and the blobs
// must be regular files: a symbolic link (to /dev/zero, say), a device or
// a named pipe is refused.
func ImageFromLayout(dir string) ImageSource { return &layoutSource{dir: dir} }

// ImageFromRemote reads an image from a registry by reference
// ("registry.example/app:1.2", "...@sha256:..."). It needs network
// access, which FromImage grants only with WithHTTPClient or
// WithRemoteOptions (WithAuth for credentials).
func ImageFromRemote(ref string) ImageSource { return &remoteSource{ref: ref} }

// ImageFromV1 scans an image the caller already holds as a
// go-containerregistry v1.Image (from daemon, mutate, a cache, ...).
// reference, if not empty, is recorded as Document.Image.Reference.
func ImageFromV1(img v1.Image, reference string) ImageSource {
	return &v1Source{img: img, ref: reference}
}

type v1Source struct {
	img v1.Image
	ref string
}

// String names the source.
func (s *v1Source) String() string {
	if s.ref != "" {
		return s.ref
	}
	return "v1.Image"
}

func (s *v1Source) resolve(_ context.Context, cfg *imageConfig) (*resolvedImage, error) {
	if s.img == nil {
		return nil, errors.New("sbom: image: nil v1.Image")
	}
	if err := imagefs.CheckPlatform(s.img, cfg.platform, cfg.platformExplicit); err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s, err)
	}
	return &resolvedImage{img: s.img, ref: s.ref}, nil
}

type layoutSource struct{ dir string }

// String names the source.
func (s *layoutSource) String() string { return "layout " + s.dir }

func (s *layoutSource) resolve(ctx context.Context, cfg *imageConfig) (*resolvedImage, error) {
	// go-containerregistry's layout package reads index.json (and
	// manifests and configs) whole, following links: index.json linked
	// to /dev/zero would exhaust memory. Read the layout through
	// imagefs.DirStore instead, which refuses links and special files and
	// applies the manifest limit.
	st := &imagefs.DirStore{Dir: s.dir}
	raw, err := st.Read("index.json", imagefs.MaxManifest)
	if err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s, err)
	}
	idx := imagefs.NewIndex(st, raw)
	img, ref, err := imagefs.FromIndex(ctx, idx, cfg.platform, cfg.platformExplicit)
	if err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s, err)
	}
	return &resolvedImage{img: img, ref: ref}, nil
}

type remoteSource struct{ ref string }

// String names the source.
func (s *remoteSource) String() string { return s.ref }

func (s *remoteSource) resolve(ctx context.Context, cfg *imageConfig) (*resolvedImage, error) {
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
		img, _, err := imagefs.FromIndex(ctx, idx, cfg.platform, cfg.platformExplicit)
		if err != nil {
			return nil, fmt.Errorf("sbom: image %s: %w", s.ref, err)
		}
		return &resolvedImage{img: img, ref: s.ref}, nil
	}
	img, err := desc.Image()
	if err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s.ref, err)
	}
	if err := imagefs.CheckPlatform(img, cfg.platform, cfg.platformExplicit); err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s.ref, err)
	}
	return &resolvedImage{img: img, ref: s.ref}, nil
}

type tarballSource struct{ path string }

// String names the source.
func (s *tarballSource) String() string { return "tarball " + s.path }

func (s *tarballSource) resolve(ctx context.Context, cfg *imageConfig) (res *resolvedImage, err error) {
	a, err := imagefs.OpenArchive(ctx, s.path, cfg.maxTotal)
	if err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s, err)
	}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if a.Has("index.json") && a.Has("oci-layout") {
		raw, err := a.Read("index.json", imagefs.MaxManifest)
		if err != nil {
			return nil, fmt.Errorf("sbom: image %s: %w", s, err)
		}
		idx := imagefs.NewIndex(a, raw)
		img, ref, err := imagefs.FromIndex(ctx, idx, cfg.platform, cfg.platformExplicit)
		if err != nil {
			return nil, fmt.Errorf("sbom: image %s: %w", s, err)
		}
		return &resolvedImage{img: img, ref: ref, archive: a}, nil
	}
	if !a.Has("manifest.json") {
		return nil, fmt.Errorf("sbom: image %s: neither a docker-save archive (manifest.json) nor an OCI layout archive (oci-layout, index.json)", s)
	}
	// go-containerregistry's tarball package reads manifest.json and the
	// config whole: check their sizes (and the layer count) first.
	m, err := imagefs.CheckDockerSave(a)
	if err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s, err)
	}
	img, err := tarball.Image(a.Opener, nil)
	if err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s, err)
	}
	if err := imagefs.CheckPlatform(img, cfg.platform, cfg.platformExplicit); err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", s, err)
	}
	res = &resolvedImage{img: img, archive: a}
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
