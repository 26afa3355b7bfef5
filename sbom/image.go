package sbom

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/chaingate/chaingate/internal/imagefs"
	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/package-url/packageurl-go"
)

// Property names FromImage writes on the components it finds in an image.
const (
	// PropOSVEcosystem is the OSV ecosystem a component's vulnerabilities
	// are published under: "Debian:12", "Ubuntu:24.04:LTS", "Alpine:v3.20",
	// "Go", "npm", "PyPI", "Maven". It is absent on an OS package whose
	// distribution release is unknown (no os-release in the image).
	PropOSVEcosystem = "chaingate:osv:ecosystem"
	// PropOSVPackage is the package name OSV records use for the
	// component in its ecosystem: the source package for Debian and Ubuntu
	// (OSV's Debian records name source packages), the origin package for
	// Alpine, "group:artifact" for Maven, the purl name otherwise.
	PropOSVPackage = "chaingate:osv:package"
	// PropCataloguer names the cataloguer that found a component: "dpkg",
	// "apk", "rpm", "lockfile:<file name>", "go-binary", "npm-installed", "npm-lock", "python", "java".
	PropCataloguer = "chaingate:image:cataloguer"
	// PropDebSource is the source package of a Debian package (its own
	// name when the status file records no Source field).
	PropDebSource = "chaingate:deb:source"
	// PropDebSourceVersion is the source package's version (the binary
	// package's version when the status file records none).
	PropDebSourceVersion = "chaingate:deb:source-version"
	// PropApkOrigin is the origin (source) package of an Alpine package.
	PropApkOrigin = "chaingate:apk:origin"
	// PropImageReference is set on the root (container) component to the
	// reference the image was scanned by, when there is one.
	PropImageReference = "chaingate:image:reference"
	// PropLicenseUnparsed is a package's declared licence, verbatim, when
	// it is not a valid SPDX expression ("BSD License", "Apache 2.0");
	// valid ones are in Component.LicenseDeclared.
	PropLicenseUnparsed = "chaingate:license:unparsed"
)

// Default limits of FromImage (see WithMaxFileSize and WithMaxTotalSize).
const (
	DefaultImageMaxFileSize  int64 = 256 << 20
	DefaultImageMaxTotalSize int64 = 32 << 30
)

// ErrImageTooLarge is returned (wrapped) when an image, a layer or a file
// FromImage must read is larger than its limit. It matches ErrTooLarge
// too (errors.Is).
var ErrImageTooLarge = imagefs.ErrTooLarge

// ErrImageDigestMismatch is returned (wrapped) when an image's content
// does not match its digests: a config whose digest is not the one the
// manifest names, or a layer whose uncompressed bytes do not hash to the
// diff ID the config records. The SBOM would otherwise describe other
// content than the digest a signature or policy vouches for.
var ErrImageDigestMismatch = imagefs.ErrDigestMismatch

// ErrImageNetworkDisabled is returned (wrapped) when a remote image is
// scanned without WithHTTPClient or WithRemoteOptions: network access
// is opt-in.
var ErrImageNetworkDisabled = errors.New("sbom: remote image needs an explicit HTTP client (network is opt-in)")

// ErrImagePlatformNotFound is returned (wrapped) when an image index has
// no image for the requested platform, or a single image is for another
// platform than the one WithPlatform named.
var ErrImagePlatformNotFound = imagefs.ErrPlatformNotFound

// ImageSource is where FromImage reads an image from: a registry
// (ImageFromRemote), an OCI layout directory (ImageFromLayout), a
// tarball (ImageFromTarball) or a go-containerregistry image
// (ImageFromV1). Its methods are unexported: build one with those
// functions.
type ImageSource interface {
	// resolve finds the image to scan. It does no layer I/O.
	resolve(ctx context.Context, cfg *imageConfig) (*resolvedImage, error)
	// String names the source in errors.
	String() string
}

// resolvedImage is a resolved image and what is known of it.
type resolvedImage struct {
	img v1.Image
	// ref is the reference the caller named, or the tag recorded in a
	// tarball, or "".
	ref string
	// diffIDs makes layers identified by their diff IDs (uncompressed
	// digests) instead of their digests: for docker-save tarballs whose
	// layers are stored uncompressed and have no manifest digest.
	diffIDs bool
	// digest, when set, is the image's digest (for diffIDs images the
	// config digest).
	digest string
	// limitations the source knows of.
	limitations []string
	// archive is the indexed tarball the image is read from, if any;
	// FromImage closes it when it is done.
	archive *imagefs.Archive
}

// close releases what the source holds open.
func (r *resolvedImage) close() error { return r.archive.Close() }

// ImageOption configures FromImage.
type ImageOption func(*imageConfig) error

type imageConfig struct {
	platform         v1.Platform
	platformExplicit bool
	client           *http.Client
	auth             authn.Authenticator
	remoteOpts       []remote.Option
	network          bool
	maxFile          int64
	maxTotal         int64
	created          time.Time
	hasCreated       bool
}

// WithPlatform names the platform to scan when the source is a
// multi-platform index, as "os/arch[/variant]" ("linux/arm64/v8"). The
// default is linux/amd64. With an explicit platform a single-platform
// image for another platform is an error (ErrImagePlatformNotFound).
func WithPlatform(platform string) ImageOption {
	return func(c *imageConfig) error {
		p, err := v1.ParsePlatform(platform)
		if err != nil || p.OS == "" || p.Architecture == "" {
			return fmt.Errorf("sbom: image option: platform %q: want os/arch[/variant]", platform)
		}
		c.platform = *p
		c.platformExplicit = true
		return nil
	}
}

// WithHTTPClient lets FromImage reach a registry through client (for
// ImageFromRemote). Without it (or WithRemoteOptions) a remote source is
// refused with ErrImageNetworkDisabled. go-containerregistry takes a
// RoundTripper, so the client's Transport is what is used (its Timeout
// is not: cancel through the context).
func WithHTTPClient(client *http.Client) ImageOption {
	return func(c *imageConfig) error {
		if client == nil {
			return errors.New("sbom: image option: nil HTTP client")
		}
		c.client = client
		c.network = true
		return nil
	}
}

// WithAuth sets the registry credentials for ImageFromRemote (default
// anonymous). It does not enable the network by itself.
func WithAuth(auth authn.Authenticator) ImageOption {
	return func(c *imageConfig) error {
		if auth == nil {
			return errors.New("sbom: image option: nil authenticator")
		}
		c.auth = auth
		return nil
	}
}

// WithRemoteOptions passes go-containerregistry remote options through to
// ImageFromRemote (keychains, user agent, retries, transport) and enables
// the network. Options set by FromImage (context, platform, transport
// from WithHTTPClient, auth from WithAuth) come first, so these win.
func WithRemoteOptions(opts ...remote.Option) ImageOption {
	return func(c *imageConfig) error {
		c.remoteOpts = append(c.remoteOpts, opts...)
		c.network = true
		return nil
	}
}

// WithMaxFileSize sets the largest file FromImage reads into memory
// (default DefaultImageMaxFileSize). A package database or manifest
// larger than this is an error (ErrImageTooLarge); a larger executable
// or Java archive is skipped and listed in Document.Limitations. Up to
// four layers are read at once, so peak memory is a few times this.
//
// It also sets the Java cataloguer's decompression budgets: 4 times this
// per archive (a jar and the jars nested in it) and 16 times this for
// all the Java archives of the image (1 GiB and 4 GiB by default). An
// archive that would decompress more is reported with what was found
// before the budget ran out, and a limitation.
func WithMaxFileSize(n int64) ImageOption {
	return func(c *imageConfig) error {
		if n <= 0 {
			return fmt.Errorf("sbom: image option: max file size %d: must be positive", n)
		}
		c.maxFile = n
		return nil
	}
}

// WithMaxTotalSize sets the most uncompressed layer bytes FromImage reads
// from an image, all layers together (default DefaultImageMaxTotalSize).
// A larger image is an error (ErrImageTooLarge). It also bounds what a
// gzip-compressed tarball (ImageFromTarball) may decompress to.
func WithMaxTotalSize(n int64) ImageOption {
	return func(c *imageConfig) error {
		if n <= 0 {
			return fmt.Errorf("sbom: image option: max total size %d: must be positive", n)
		}
		c.maxTotal = n
		return nil
	}
}

// WithImageCreated sets the document's creation time (default: now).
// Tests and reproducible pipelines use it to get identical documents.
func WithImageCreated(t time.Time) ImageOption {
	return func(c *imageConfig) error {
		c.created = t
		c.hasCreated = true
		return nil
	}
}

// FromImage returns the SBOM of a container image: every OS package
// (dpkg, apk, rpm), Go binary (its modules and toolchain), npm, Python and
// Java package installed in the image's squashed file system.
//
// Layers are streamed, never extracted to disk; several are read at once
// and a file deleted or replaced by an upper layer (a whiteout, an opaque
// directory, a newer file at the same path or above it) is not reported.
// Only the files cataloguers need are held in memory, each bounded by
// WithMaxFileSize, all layers by WithMaxTotalSize. Every layer's bytes
// are checked against the diff ID of the config, and the config against
// the manifest (ErrImageDigestMismatch), so the SBOM describes the image
// Document.Image.Digest names.
//
// What is read, from the squashed file system:
//   - /etc/os-release (or /usr/lib/os-release): Document.Image.Distro;
//   - /var/lib/dpkg/status and /var/lib/dpkg/status.d/*: Debian and Ubuntu
//     packages, pkg:deb/<distro>/<name>@<version>?arch=..&distro=debian-12
//     (&upstream=<source> when the source package differs);
//   - /lib/apk/db/installed: Alpine packages,
//     pkg:apk/alpine/<name>@<version>?arch=..&distro=alpine-3.20.3;
//   - executable ELF files with Go build information: FromGoBuildInfo's
//     components (main module, stdlib, modules), pkg:golang/...;
//   - node_modules/**/package.json, package-lock.json and
//     npm-shrinkwrap.json (outside node_modules): pkg:npm/...;
//   - *.dist-info/METADATA and *.egg-info/PKG-INFO: pkg:pypi/<PEP 503
//     name>@<version>;
//   - *.jar, *.war, *.ear (and jars nested one level inside them):
//     META-INF/maven/**/pom.properties, pkg:maven/<group>/<artifact>@<version>;
//   - /var/lib/rpm/{Packages,rpmdb.sqlite,Packages.db} and the same under
//     /usr/lib/sysimage/rpm (BerkeleyDB, SQLite and ndb RPM databases):
//     pkg:rpm/<distro id>/<name>@<version>-<release>?arch=..&epoch=..&distro=..&upstream=<source rpm>
//     ("redhat" for RHEL),
//     the source package in PropRPMSourceName;
//   - the lockfiles FromDirectory reads (LockfileFormats, go.mod aside),
//     outside node_modules, site-packages, vendor and toolchain trees.
//
// Every path above is looked up in the squashed file system as the
// kernel would inside the image: a path that is a symbolic link, or lies
// under a linked directory, or is a hard link, is followed to the file it
// leads to, within the image's root only (an absolute target starts at
// the image's root, ".." stops there, at most 40 links per path, loops
// end). A package database linked to another file yields the same
// packages as the file itself; a link at such a path that leads nowhere,
// to a directory or to a special file fails the scan for an OS package
// database and is a limitation for anything else. A file reached only
// through a link is read in a second pass over the layer that holds it.
//
// Each component has a purl, its location (the file it was found in, with
// "!/" into archives, and the digest of the layer that holds the file;
// for a file reached through a link, the file the link leads to) and
// the properties PropCataloguer, PropOSVEcosystem and PropOSVPackage that
// tell a vulnerability matcher which OSV ecosystem and package name to
// look up. A package found in several files is one component with several
// locations. Document.Image describes the image (digest, media type, OS,
// architecture, labels, layers, distribution). The root component is the
// image itself (type container, purl pkg:oci/<name>@<digest>), depending
// on every package found; each Go binary's main module depends on its
// modules.
//
// A damaged OS package database (dpkg, apk, RPM) fails the scan (an SBOM
// without the OS packages would pass for a clean one); unreadable
// language metadata and lockfiles, and executables over the file limit,
// are listed in Document.Limitations instead.
//
// Limits, so that no image makes FromImage run unbounded or exhaust
// memory (each is an error wrapping ErrImageTooLarge unless said
// otherwise; the context is checked before each layer and archive entry):
//   - manifests, indexes, configs and docker-save manifest.json: 8 MiB
//     each, checked before they are read;
//   - layers per image: 512; tar members per tarball: 65,536; tar entries
//     per image, all layers: 4,194,304; descriptors in an image index and
//     the indexes nested in it: 65,536 in all (each nested index read once);
//   - entry paths: 4,096 bytes and 256 components; link targets: 4,096
//     bytes; links followed per path: 40; directory links followed
//     inside linked directories: 8 deep, 1,048,576 paths in all (past
//     that a limitation);
//   - files read: WithMaxFileSize; layer bytes: WithMaxTotalSize; Java
//     archives decompressed: 4 x WithMaxFileSize per archive and 16 x
//     per image (a limitation);
//   - layout directories: index.json, manifests, configs and layers must
//     be regular files (not links, devices or pipes).
func FromImage(ctx context.Context, src ImageSource, opts ...ImageOption) (*Document, error) {
	if src == nil {
		return nil, errors.New("sbom: image: nil source")
	}
	cfg := &imageConfig{
		platform: v1.Platform{OS: "linux", Architecture: "amd64"},
		maxFile:  DefaultImageMaxFileSize,
		maxTotal: DefaultImageMaxTotalSize,
	}
	var errs []error
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(cfg); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", src, err)
	}
	res, err := src.resolve(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer res.close()
	info, layers, err := describe(res)
	if err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", src, err)
	}
	st := newScanState()
	if err := squash(ctx, layers, cfg, st); err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", src, err)
	}
	doc, err := st.document(info)
	if err != nil {
		return nil, fmt.Errorf("sbom: image %s: %w", src, err)
	}
	doc.Limitations = append(res.limitations, doc.Limitations...)
	if cfg.hasCreated {
		doc.Created = cfg.created
	} else {
		doc.Created = time.Now().UTC().Truncate(time.Second)
	}
	return doc, nil
}

// describe reads the image's manifest and config (no layer data).
func describe(res *resolvedImage) (*ImageInfo, []imagefs.Layer, error) {
	img := res.img
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, nil, fmt.Errorf("read config: %w", err)
	}
	info := &ImageInfo{
		Reference:    res.ref,
		OS:           cf.OS,
		Architecture: cf.Architecture,
		Variant:      cf.Variant,
	}
	if len(cf.Config.Labels) > 0 {
		info.Labels = make(map[string]string, len(cf.Config.Labels))
		for k, v := range cf.Config.Labels {
			info.Labels[k] = v
		}
	}
	if len(cf.RootFS.DiffIDs) > imagefs.MaxLayers {
		return nil, nil, fmt.Errorf("%w: config lists %d layers (limit %d)", ErrImageTooLarge, len(cf.RootFS.DiffIDs), imagefs.MaxLayers)
	}
	ls, err := img.Layers()
	if err != nil {
		return nil, nil, fmt.Errorf("list layers: %w", err)
	}
	if len(ls) > imagefs.MaxLayers {
		return nil, nil, fmt.Errorf("%w: manifest lists %d layers (limit %d)", ErrImageTooLarge, len(ls), imagefs.MaxLayers)
	}
	// The SBOM must describe the image the digest names: check the config
	// against its digest (the manifest names it) and, while squashing,
	// every layer's bytes against the config's diff IDs.
	raw, err := img.RawConfigFile()
	if err != nil {
		return nil, nil, fmt.Errorf("read config: %w", err)
	}
	var cn v1.Hash
	if res.diffIDs {
		// docker-save: the archive's manifest.json names the config file
		// by its digest, which go-containerregistry reports as ConfigName.
		cn, err = img.ConfigName()
	} else {
		var m *v1.Manifest
		if m, err = img.Manifest(); err == nil {
			cn = m.Config.Digest
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("config digest: %w", err)
	}
	if got, _, err := v1.SHA256(bytes.NewReader(raw)); err != nil || got != cn {
		return nil, nil, fmt.Errorf("%w: config is %s, manifest names %s", ErrImageDigestMismatch, got, cn)
	}
	if len(cf.RootFS.DiffIDs) != len(ls) {
		return nil, nil, fmt.Errorf("%w: config lists %d diff IDs for %d layers", ErrImageDigestMismatch, len(cf.RootFS.DiffIDs), len(ls))
	}
	if res.diffIDs {
		info.Digest = res.digest
		if mt, err := img.MediaType(); err == nil {
			info.MediaType = string(mt)
		}
	} else {
		d, err := img.Digest()
		if err != nil {
			return nil, nil, fmt.Errorf("manifest digest: %w", err)
		}
		info.Digest = d.String()
		mt, err := img.MediaType()
		if err != nil {
			return nil, nil, fmt.Errorf("manifest media type: %w", err)
		}
		info.MediaType = string(mt)
	}
	layers := make([]imagefs.Layer, 0, len(ls))
	for i, l := range ls {
		var h v1.Hash
		if res.diffIDs {
			h, err = l.DiffID()
		} else {
			h, err = l.Digest()
		}
		if err != nil {
			return nil, nil, fmt.Errorf("layer %d digest: %w", i, err)
		}
		layers = append(layers, imagefs.Layer{Layer: l, Digest: h.String(), DiffID: cf.RootFS.DiffIDs[i]})
		info.Layers = append(info.Layers, h.String())
	}
	return info, layers, nil
}

// rootComponent is the component describing the image itself.
func rootComponent(info *ImageInfo) Component {
	name := "image"
	repo := ""
	if info.Reference != "" {
		ref := info.Reference
		if i := strings.Index(ref, "@"); i >= 0 {
			ref = ref[:i]
		}
		// Strip a tag, but not a registry port.
		if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
			ref = ref[:i]
		}
		repo = ref
		name = ref[strings.LastIndex(ref, "/")+1:]
	}
	c := Component{
		Type:    TypeContainer,
		Name:    name,
		Version: info.Digest,
	}
	if strings.HasPrefix(info.Digest, "sha256:") {
		c.PURL = ociPURL(strings.ToLower(name), info.Digest, info.Architecture, repo)
	}
	if info.Reference != "" {
		c.Properties = append(c.Properties, Property{PropImageReference, info.Reference})
	}
	return c
}

// ociPURL is pkg:oci/<name>@<digest>?arch=..&repository_url=...
func ociPURL(name, digest, arch, repo string) string {
	var q packageurl.Qualifiers
	if arch != "" {
		q = append(q, packageurl.Qualifier{Key: "arch", Value: arch})
	}
	if repo != "" {
		q = append(q, packageurl.Qualifier{Key: "repository_url", Value: repo})
	}
	return packageurl.NewPackageURL(packageurl.TypeOCI, "", name, digest, q, "").ToString()
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
