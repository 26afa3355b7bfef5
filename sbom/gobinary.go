package sbom

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chaingate/chaingate/internal/gobin"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
)

// Property names the generators write. Components and documents made by
// FromGoBinary, FromGoBuildInfo, FromGoModule and FromNPMLock carry them;
// where CycloneDX's property taxonomy has a name (cdx:npm:...), it is used.
const (
	// PropGoH1 is the go.sum "h1:" hash of a Go module, verbatim. The
	// component's SHA-256 Hash is the same digest in hex.
	PropGoH1 = "chaingate:go:h1"
	// PropGoModH1 is the go.sum "h1:" hash of a module's go.mod file.
	PropGoModH1 = "chaingate:go:mod:h1"
	// PropGoReplaces is set on a component that replaced another module
	// (a go.mod replace directive): "<original path>@<original version>".
	PropGoReplaces = "chaingate:go:replaces"
	// PropGoReplacedByDir is set when a module was replaced by a local
	// directory; the value is that directory as go.mod names it.
	PropGoReplacedByDir = "chaingate:go:replaced-by-dir"
	// PropGoVersion is the raw Go version: the toolchain that built a
	// binary ("go1.26.8") or a module's go directive.
	PropGoVersion = "chaingate:go:version"
	// PropGoMainPackage is the import path of a binary's main package.
	PropGoMainPackage = "chaingate:go:main-package"
	// PropGoMainVersion is the main module's version as the build info
	// records it when it is not a module version ("(devel)").
	PropGoMainVersion = "chaingate:go:main-version"
	// PropGoDirect is "true" on a module the main module's go.mod
	// requires directly and "false" on one required indirectly.
	PropGoDirect = "chaingate:go:direct"
	// PropGoPackages lists, comma-separated, the import paths of a
	// module's packages that have code in a binary (read from its
	// function table by FromGoBinary and FromGoBinaryFile) or that a
	// module's packages import (FromGoModule). risk.Scan reads it
	// (risk.PropertyGoPackages) for package-level evidence.
	PropGoPackages = "chaingate:go:packages"
	// PropGoBuildPrefix prefixes each build setting of a Go binary
	// ("chaingate:go:build:GOOS", "chaingate:go:build:vcs.revision").
	PropGoBuildPrefix = "chaingate:go:build:"
)

// GoStdlib is the name given to the Go toolchain's standard library
// component (purl pkg:golang/stdlib@v1.26.8), as Go vulnerability
// databases name it.
const GoStdlib = "stdlib"

// GenerateOption configures a generator (FromGoBinary, FromGoBuildInfo,
// FromGoModule, FromNPMLock).
type GenerateOption func(*generateConfig) error

type generateConfig struct {
	created     time.Time
	serial      string
	limit       int64
	goCmd       string
	noGoCmd     bool
	excludeDev  bool
	vendored    bool
	maxFiles    int
	hasCreated  bool
	hasSerialNo bool
	// goPackages are the packages with code in a binary by module path
	// ("stdlib" for the standard library), set by FromGoBinary.
	goPackages map[string][]string
}

// defaultInputLimit is the default size limit of a generator's input file.
const defaultInputLimit = 256 << 20

func newGenerateConfig(opts []GenerateOption) (*generateConfig, error) {
	c := &generateConfig{limit: defaultInputLimit, goCmd: "go"}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// WithCreated sets the document's creation time (default: the time of
// the call). A fixed time makes generated documents reproducible.
func WithCreated(t time.Time) GenerateOption {
	return func(c *generateConfig) error {
		c.created, c.hasCreated = t.UTC(), true
		return nil
	}
}

// WithSerialNumber sets the document's serial number (default: a random
// "urn:uuid:..."). An empty serial leaves it unset.
func WithSerialNumber(serial string) GenerateOption {
	return func(c *generateConfig) error {
		c.serial, c.hasSerialNo = serial, true
		return nil
	}
}

// WithInputLimit sets the largest input, in bytes, a generator reads
// (package-lock.json, go.mod, go.sum; default 256 MiB). Larger input is
// an error wrapping ErrTooLarge.
func WithInputLimit(n int64) GenerateOption {
	return func(c *generateConfig) error {
		if n <= 0 {
			return fmt.Errorf("sbom: input limit %d: must be positive", n)
		}
		c.limit = n
		return nil
	}
}

// WithGoCommand names the go command FromGoModule runs (default "go",
// looked up in PATH).
func WithGoCommand(path string) GenerateOption {
	return func(c *generateConfig) error {
		if path == "" {
			return errors.New("sbom: go command: empty path")
		}
		c.goCmd = path
		return nil
	}
}

// WithoutGoCommand makes FromGoModule read go.mod and go.sum itself
// instead of running the go command. The result says what it could not
// know in Document.Limitations.
func WithoutGoCommand() GenerateOption {
	return func(c *generateConfig) error {
		c.noGoCmd = true
		return nil
	}
}

// WithoutDevDependencies makes FromNPMLock leave out development-only
// packages (those npm marks "dev": true).
func WithoutDevDependencies() GenerateOption {
	return func(c *generateConfig) error {
		c.excludeDev = true
		return nil
	}
}

// WithVendoredTrees makes FromDirectory also walk vendored and installed
// trees (node_modules, vendor, bower_components, Pods, .venv, venv,
// site-packages, .bundle), which it skips by default.
func WithVendoredTrees() GenerateOption {
	return func(c *generateConfig) error {
		c.vendored = true
		return nil
	}
}

// WithMaxFiles sets the most directory entries FromDirectory visits
// (default DefaultDirectoryMaxFiles); a larger tree is an error wrapping
// ErrTooLarge.
func WithMaxFiles(n int) GenerateOption {
	return func(c *generateConfig) error {
		if n <= 0 {
			return fmt.Errorf("sbom: max files %d: must be positive", n)
		}
		c.maxFiles = n
		return nil
	}
}

// newDocument returns an empty generated document with its metadata set.
func (c *generateConfig) newDocument(name string) *Document {
	d := &Document{
		Format:      CycloneDXJSON,
		SpecVersion: "1.6",
		Version:     1,
		Name:        name,
		Tools:       []Tool{{Vendor: "chaingate", Name: "chaingate", Version: toolVersion()}},
	}
	if c.hasCreated {
		d.Created = c.created
	} else {
		d.Created = time.Now().UTC().Truncate(time.Second)
	}
	if c.hasSerialNo {
		d.SerialNumber = c.serial
	} else {
		d.SerialNumber = randomUUID()
	}
	return d
}

// toolVersion is the version of the chaingate module in the running
// program, when its build information records one.
var toolVersion = sync.OnceValue(func() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	const self = "github.com/chaingate/chaingate"
	if bi.Main.Path == self && semver.IsValid(bi.Main.Version) {
		return bi.Main.Version
	}
	for _, m := range bi.Deps {
		if m != nil && m.Path == self && semver.IsValid(m.Version) {
			return m.Version
		}
	}
	return ""
})

// randomUUID returns a random (version 4) UUID URN. Hand-written to
// keep github.com/google/uuid an indirect dependency: it is sixteen random
// bytes and two bit fields.
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+).
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return "urn:uuid:" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// idCounter hands out component IDs unique within one document.
type idCounter map[string]int

func (s idCounter) unique(base string) string {
	n := s[base]
	s[base] = n + 1
	if n == 0 {
		return base
	}
	return fmt.Sprintf("%s#%d", base, n+1)
}

// h1Hash turns a go.sum "h1:" hash into a SHA-256 Hash. ok is false
// for any other form.
func h1Hash(sum string) (Hash, bool) {
	b64, found := strings.CutPrefix(sum, "h1:")
	if !found {
		return Hash{}, false
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != 32 {
		return Hash{}, false
	}
	return Hash{Algorithm: "SHA-256", Value: hex.EncodeToString(raw)}, true
}

// goCanonicalVersion returns the canonical form of a Go module version:
// "v1.2" becomes "v1.2.0"; pre-release, pseudo-version and
// "+incompatible" suffixes are kept. A string that is not a semantic
// version is returned unchanged.
func goCanonicalVersion(v string) string {
	if !semver.IsValid(v) {
		return v
	}
	// semver.Canonical drops build metadata, which for Go is only ever
	// "+incompatible" and is part of the module's identity.
	return semver.Canonical(v) + semver.Build(v)
}

// GoToolchainVersion turns a Go toolchain version as build info records it
// ("go1.26.8", "go1.21rc2", "go1.20", "go1.22.1 X:boringcrypto") into the
// module-style version the stdlib component carries ("v1.26.8",
// "v1.21.0-rc.2", "v1.20.0", "v1.22.1"). ok is false for versions with no
// such form (development toolchains, "devel ...").
func GoToolchainVersion(goVersion string) (v string, ok bool) {
	s := strings.TrimSpace(goVersion)
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		s = s[:i]
	}
	s, found := strings.CutPrefix(s, "go")
	if !found || s == "" {
		return "", false
	}
	// Vendor suffixes such as "-fips" or "-bigcorp" are not part of the
	// language version.
	if i := strings.IndexByte(s, '-'); i >= 0 {
		s = s[:i]
	}
	pre := ""
	for _, tag := range []string{"rc", "beta", "alpha"} {
		if i := strings.Index(s, tag); i > 0 {
			pre = "-" + tag + "." + s[i+len(tag):]
			if s[i+len(tag):] == "" {
				pre = "-" + tag
			}
			s = s[:i]
			break
		}
	}
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return "", false
	}
	for len(parts) < 3 {
		parts = append(parts, "0")
	}
	v = "v" + strings.Join(parts, ".") + pre
	if !semver.IsValid(v) {
		return "", false
	}
	return v, true
}

// FromGoBinary reads the build information of a compiled Go binary (ELF,
// Mach-O, PE, XCOFF or Wasm) and returns its SBOM, as FromGoBuildInfo
// describes it.
//
// It also reads the binary's function table (pclntab) with its inline
// trees and records on each module component the packages of that
// module with code in the binary (PropGoPackages), so a later scan of
// the SBOM knows which packages are in the build; stripped binaries
// (-ldflags=-s -w) included. When the table or the inline trees cannot
// be read (then a package inlined away would look absent), the SBOM is
// still made without the packages and Document.Limitations says why.
func FromGoBinary(r io.ReaderAt, opts ...GenerateOption) (*Document, error) {
	return fromBinary(r, "", opts)
}

// FromGoBinaryFile is FromGoBinary on the named file.
func FromGoBinaryFile(path string, opts ...GenerateOption) (*Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sbom: read Go build info %s: %w", path, err)
	}
	defer f.Close()
	return fromBinary(f, path, opts)
}

func fromBinary(r io.ReaderAt, name string, opts []GenerateOption) (*Document, error) {
	cfg, err := newGenerateConfig(opts)
	if err != nil {
		return nil, err
	}
	b, err := gobin.Read(r, cfg.limit)
	if b == nil {
		if name != "" {
			return nil, fmt.Errorf("sbom: read Go build info %s: %w", name, err)
		}
		return nil, fmt.Errorf("sbom: read Go build info: %w", err)
	}
	var missing string
	switch {
	case err != nil:
		missing = "the packages in the build are not recorded: " + err.Error()
	case !b.Inlined:
		// Without inline trees a package whose code was all inlined
		// into other packages looks absent: recording the others would
		// let a scan call it not in the build (fail closed).
		missing = "the packages in the build are not recorded: the binary's inline trees could not be read (stripped, moduledata not found), so packages whose code was all inlined cannot be seen"
	default:
		opts = append(slices.Clip(opts), func(c *generateConfig) error {
			c.goPackages = b.PackagesByModule()
			return nil
		})
	}
	doc, err := FromGoBuildInfo(b.Build, opts...)
	if err != nil {
		return nil, err
	}
	if missing != "" {
		doc.Limitations = append(doc.Limitations, missing)
	}
	return doc, nil
}

// addPackages records the packages of module path on c.
func (c *generateConfig) addPackages(comp *Component, path string) {
	if ps := c.goPackages[path]; len(ps) > 0 {
		comp.Properties = append(comp.Properties, Property{PropGoPackages, strings.Join(ps, ",")})
	}
}

// FromGoBuildInfo returns the SBOM of a Go binary from its build
// information (debug/buildinfo.Read, or runtime/debug.ReadBuildInfo for
// the running program).
//
// The root component is the main module (type application). Every
// dependency module becomes a library component with a pkg:golang purl
// (module path verbatim, case kept) and, when the binary records a go.sum
// hash, a SHA-256 Hash with the "h1:" form in PropGoH1. A replaced module
// is recorded under its replacement's path and version (the code that was
// linked), with the original in PropGoReplaces. The toolchain is the
// component "stdlib" at the toolchain's version ("go1.26.8" gives
// v1.26.8). Build settings (GOOS, GOARCH, CGO_ENABLED, vcs.revision, ...)
// are properties of the root component (all of them) and of the document
// (the main ones), named PropGoBuildPrefix+key.
//
// Build information has no module graph: every module is recorded as a
// direct dependency of the root, and Document.Limitations says so.
func FromGoBuildInfo(bi *debug.BuildInfo, opts ...GenerateOption) (*Document, error) {
	if bi == nil {
		return nil, errors.New("sbom: Go build info: nil")
	}
	cfg, err := newGenerateConfig(opts)
	if err != nil {
		return nil, err
	}
	mainPath := bi.Main.Path
	if mainPath == "" {
		// A binary built outside module mode (GOPATH, or "go run x.go")
		// has a main package path but no main module.
		mainPath = bi.Path
	}
	if mainPath == "" {
		mainPath = "command-line-arguments"
	}
	doc := cfg.newDocument(mainPath)
	ids := idCounter{}

	root := Component{Type: TypeApplication, Name: mainPath}
	if semver.IsValid(bi.Main.Version) {
		root.Version = goCanonicalVersion(bi.Main.Version)
	} else if bi.Main.Version != "" {
		root.Properties = append(root.Properties, Property{PropGoMainVersion, bi.Main.Version})
	}
	root.PURL = GoPURL(mainPath, root.Version)
	root.ID = ids.unique(root.PURL)
	if bi.Path != "" {
		root.Properties = append(root.Properties, Property{PropGoMainPackage, bi.Path})
	}
	addGoSum(&root, bi.Main.Sum)
	cfg.addPackages(&root, bi.Main.Path)
	if bi.GoVersion != "" {
		root.Properties = append(root.Properties, Property{PropGoVersion, bi.GoVersion})
	}
	for _, s := range bi.Settings {
		root.Properties = append(root.Properties, Property{PropGoBuildPrefix + s.Key, s.Value})
		switch s.Key {
		case "GOOS", "GOARCH", "CGO_ENABLED", "vcs", "vcs.revision", "vcs.time", "vcs.modified", "-buildmode", "-compiler":
			doc.Properties = append(doc.Properties, Property{PropGoBuildPrefix + s.Key, s.Value})
		}
	}
	doc.Root = root.ID
	doc.Components = append(doc.Components, root)

	var deps []string
	if bi.GoVersion != "" {
		std := Component{Type: TypeLibrary, Name: GoStdlib, Scope: ScopeRequired,
			Properties: []Property{{PropGoVersion, bi.GoVersion}}}
		if v, ok := GoToolchainVersion(bi.GoVersion); ok {
			std.Version = v
		} else {
			doc.Limitations = append(doc.Limitations, fmt.Sprintf(
				"the Go toolchain version %q has no release version: the stdlib component has no version", bi.GoVersion))
		}
		cfg.addPackages(&std, GoStdlib)
		std.PURL = GoPURL(GoStdlib, std.Version)
		std.ID = ids.unique(std.PURL)
		doc.Components = append(doc.Components, std)
		deps = append(deps, std.ID)
	}
	for _, m := range bi.Deps {
		if m == nil {
			continue
		}
		c := goModuleComponent(m.Path, m.Version, m.Sum, m.Replace)
		cfg.addPackages(&c, m.Path)
		c.ID = ids.unique(c.PURL)
		doc.Components = append(doc.Components, c)
		deps = append(deps, c.ID)
	}
	doc.Dependencies = []Dependency{{Ref: root.ID, DependsOn: deps}}
	doc.Limitations = append(doc.Limitations,
		"Go build information lists the modules linked into the binary but not which module requires which: every module is recorded as a direct dependency of the main module")
	return doc, nil
}

// goModuleComponent builds the component of a dependency module, with
// its replacement (if any) as its identity.
func goModuleComponent(path, version, sum string, rep *debug.Module) Component {
	c := Component{Type: TypeLibrary, Name: path, Version: goCanonicalVersion(version), Scope: ScopeRequired}
	switch {
	case rep == nil:
		addGoSum(&c, sum)
	case rep.Version == "" || rep.Version == "(devel)" || modfile.IsDirectoryPath(rep.Path):
		// Replaced by a local directory: no module version identifies
		// the code; keep the original path without a version.
		c.Version = ""
		c.Properties = append(c.Properties,
			Property{PropGoReplaces, atVersion(path, goCanonicalVersion(version))},
			Property{PropGoReplacedByDir, rep.Path})
		addGoSum(&c, rep.Sum)
	default:
		c.Name = rep.Path
		c.Version = goCanonicalVersion(rep.Version)
		c.Properties = append(c.Properties, Property{PropGoReplaces, atVersion(path, goCanonicalVersion(version))})
		addGoSum(&c, rep.Sum)
	}
	c.PURL = GoPURL(c.Name, c.Version)
	return c
}

func atVersion(path, version string) string {
	if version == "" {
		return path
	}
	return path + "@" + version
}

// addGoSum records a go.sum hash on c: verbatim as PropGoH1 and, for an
// "h1:" hash, as a SHA-256 Hash.
func addGoSum(c *Component, sum string) {
	if sum == "" {
		return
	}
	c.Properties = append(c.Properties, Property{PropGoH1, sum})
	if h, ok := h1Hash(sum); ok {
		c.Hashes = append(c.Hashes, h)
	}
}
