package sbom

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"debug/buildinfo"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/chaingate/chaingate/internal/catalog"
	"github.com/github/go-spdx/v2/spdxexp"
	"github.com/package-url/packageurl-go"
)

// fileKind says which cataloguer wants a file.
type fileKind int

const (
	kindNone fileKind = iota
	kindOSRelease
	kindDpkgStatus
	kindDpkgStatusD
	kindApk
	kindRPM
	kindPython
	kindJava
	kindNpmInstalled
	kindNpmLock
	kindELF
	kindLockfile
)

// imageFile is a file of the squashed image a cataloguer wants. Every
// cataloguer gets its files this way, whether the path it wants is a
// regular file or leads to one through links (resolveLinks): path is
// then where the bytes are, and the result is recorded under the path the
// cataloguer wanted.
type imageFile struct {
	path  string
	layer string
	size  int64
	kind  fileKind
	data  []byte
	env   *scanEnv
}

// scanEnv is what the cataloguers of one image share: the context, the
// file limit and the Java decompression budget.
type scanEnv struct {
	ctx     context.Context
	maxFile int64
	// jar counts the bytes Java archives decompressed (catalog.Inflate).
	jar atomic.Int64
}

// readWanted reads a file a cataloguer wants from r (the file's bytes, of
// f.size) and runs the cataloguer: executables are checked for Go build
// information, files over the file limit
// reported (an OS package database is an error, a Java archive a
// limitation), anything else read and parsed with parseFile. It returns
// nil for a file that yields nothing (an executable that is not a Go
// binary); an error means the layer cannot be read.
func readWanted(r io.Reader, f imageFile, buf *bytes.Buffer) (*fileResult, error) {
	maxFile := f.env.maxFile
	switch {
	case f.kind == kindELF:
		return readELF(r, f, maxFile, buf)
	case f.size > maxFile:
		res := &fileResult{path: f.path, layer: f.layer, kind: f.kind}
		if f.kind == kindJava {
			res.limits = []string{fmt.Sprintf("%s (layer %s): %d bytes, over the %d-byte file limit: not scanned", f.path, f.layer, f.size, maxFile)}
		} else {
			res.err = fmt.Errorf("%s: %d bytes: %w (WithMaxFileSize %d)", f.path, f.size, ErrImageTooLarge, maxFile)
		}
		return res, nil
	}
	data, err := io.ReadAll(io.LimitReader(r, f.size))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f.path, err)
	}
	f.data = data
	res := parseFile(f, maxFile)
	// A cancelled scan is an error, never a limitation.
	if err := f.env.ctx.Err(); err != nil {
		return nil, err
	}
	return res, nil
}

// classify says which cataloguer, if any, wants the regular file at
// the cleaned absolute path p. It looks at the path and header only.
func classify(p string, h *tar.Header) fileKind {
	dir, base := path.Split(p)
	dir = strings.TrimSuffix(dir, "/")
	switch p {
	case "/etc/os-release", "/usr/lib/os-release":
		return kindOSRelease
	case "/var/lib/dpkg/status":
		return kindDpkgStatus
	case "/lib/apk/db/installed", "/usr/lib/apk/db/installed":
		return kindApk
	}
	switch {
	case dir == "/var/lib/dpkg/status.d" && !strings.HasSuffix(base, ".md5sums"):
		return kindDpkgStatusD
	case (dir == "/var/lib/rpm" || dir == "/usr/lib/sysimage/rpm") &&
		(base == "Packages" || base == "Packages.db" || base == "rpmdb.sqlite"):
		return kindRPM
	case base == "METADATA" && strings.HasSuffix(dir, ".dist-info"),
		base == "PKG-INFO" && strings.HasSuffix(dir, ".egg-info"):
		return kindPython
	case base == "package.json":
		parent := path.Dir(dir)
		if path.Base(parent) == "node_modules" ||
			(strings.HasPrefix(path.Base(parent), "@") && path.Base(path.Dir(parent)) == "node_modules") {
			return kindNpmInstalled
		}
		return kindNone
	case base == "package-lock.json" || base == "npm-shrinkwrap.json":
		if strings.Contains(p, "/node_modules/") {
			return kindNone // a dependency's own lockfile is not what was installed
		}
		return kindNpmLock
	case catalog.IsJavaArchive(base):
		return kindJava
	case isImageLockfile(p, base):
		return kindLockfile
	case h.Mode&0o111 != 0 && h.Size >= 64:
		return kindELF
	}
	return kindNone
}

// foundPkg is a component found in a file, before purls that need the
// distribution (OS packages) are finished.
type foundPkg struct {
	c   Component
	deb *catalog.Deb
	apk *catalog.Apk
	rpm *catalog.RPM
	// goMain is the purl of the main module of the Go binary a module
	// was linked into ("" for other packages and for the main module).
	goMain string
}

// licenceValid caches whether a licence string is an SPDX expression
// (layers are parsed concurrently).
var licenceValid sync.Map

// setDeclaredLicence records a package's declared licence: as LicenseDeclared
// when it is a valid SPDX expression (checked with go-spdx), else
// verbatim in PropLicenseUnparsed ("BSD License", "Apache 2.0", ...).
func setDeclaredLicence(c *Component, lic string) {
	lic = strings.TrimSpace(lic)
	if lic == "" {
		return
	}
	v, ok := licenceValid.Load(lic)
	if !ok {
		valid, _ := spdxexp.ValidateLicenses([]string{lic})
		v, _ = licenceValid.LoadOrStore(lic, valid)
	}
	if v.(bool) {
		c.LicenseDeclared = lic
	} else {
		c.Properties = append(c.Properties, Property{PropLicenseUnparsed, lic})
	}
}

// fileResult is what one file of one layer yields. It takes effect only
// when the file is visible in the squashed image (scanState.apply), so a
// layer can be read before the layers above it are known.
type fileResult struct {
	path, layer string
	kind        fileKind
	// osRelease is an os-release file's content.
	osRelease []byte
	// pkgs replace whatever an earlier entry at the same path yielded.
	pkgs     []foundPkg
	goBinary bool
	limits   []string
	// err fails the scan if the file is visible: errors in OS package
	// databases (an SBOM missing the OS packages would pass for a clean
	// one) and databases over the file size limit.
	err error
}

// scanState collects what the cataloguers found in visible files, keyed
// by file path so that a later tar entry for the same path in the same
// layer replaces an earlier one.
type scanState struct {
	found     map[string][]foundPkg
	osRelease map[string]imageFile
	limits    []string
	goSeen    bool
}

func newScanState() *scanState {
	return &scanState{found: map[string][]foundPkg{}, osRelease: map[string]imageFile{}}
}

// apply records the result of a visible file.
func (st *scanState) apply(r *fileResult) error {
	if r.err != nil {
		return r.err
	}
	st.limits = append(st.limits, r.limits...)
	switch {
	case r.kind == kindOSRelease:
		st.osRelease[r.path] = imageFile{path: r.path, layer: r.layer, data: r.osRelease}
	default:
		st.found[r.path] = r.pkgs
		st.goSeen = st.goSeen || r.goBinary
	}
	return nil
}

// parseFile runs the cataloguer a file's kind calls for. It has no side
// effects, so layers are parsed concurrently.
func parseFile(f imageFile, maxFile int64) *fileResult {
	r := &fileResult{path: f.path, layer: f.layer, kind: f.kind}
	limitf := func(err error) { r.limits = append(r.limits, fmt.Sprintf("%s (layer %s): %v", f.path, f.layer, err)) }
	loc := []Location{{Path: f.path, Layer: f.layer}}
	switch f.kind {
	case kindOSRelease:
		r.osRelease = f.data
	case kindDpkgStatus, kindDpkgStatusD:
		debs, err := catalog.ParseDpkgStatus(f.data, f.path)
		if err != nil {
			r.err = err
			return r
		}
		r.pkgs = make([]foundPkg, 0, len(debs))
		for i := range debs {
			d := &debs[i]
			c := Component{Type: TypeLibrary, Name: d.Name, Version: d.Version, Supplier: d.Maintainer,
				Description: d.Description, Locations: loc}
			c.Properties = []Property{{PropCataloguer, "dpkg"}, {PropOSVPackage, d.Source},
				{PropDebSource, d.Source}, {PropDebSourceVersion, d.SourceVersion}}
			r.pkgs = append(r.pkgs, foundPkg{c: c, deb: d})
		}
	case kindApk:
		apks, err := catalog.ParseApkInstalled(f.data, f.path)
		if err != nil {
			r.err = err
			return r
		}
		r.pkgs = make([]foundPkg, 0, len(apks))
		for i := range apks {
			a := &apks[i]
			c := Component{Type: TypeLibrary, Name: a.Name, Version: a.Version, Supplier: a.Maintainer,
				Description: a.Description, Locations: loc}
			c.Properties = []Property{{PropCataloguer, "apk"}, {PropOSVPackage, a.Origin}, {PropApkOrigin, a.Origin}}
			setDeclaredLicence(&c, a.License)
			r.pkgs = append(r.pkgs, foundPkg{c: c, apk: a})
		}
	case kindRPM:
		ctx := context.Background()
		if f.env != nil && f.env.ctx != nil {
			ctx = f.env.ctx
		}
		rpms, err := catalog.ParseRPMDB(ctx, f.data, f.path)
		if err != nil {
			r.err = err
			return r
		}
		r.pkgs = make([]foundPkg, 0, len(rpms))
		for i := range rpms {
			r.pkgs = append(r.pkgs, foundPkg{c: rpmComponent(&rpms[i], loc), rpm: &rpms[i]})
		}
	case kindLockfile:
		pkgs, err := lockfilePackages(f)
		if err != nil {
			limitf(err)
			return r
		}
		r.pkgs = pkgs
	case kindPython:
		m, err := catalog.ParsePythonMetadata(f.data, f.path)
		if err != nil {
			limitf(err)
			return r
		}
		n := catalog.PEP503Name(m.Name)
		c := Component{Type: TypeLibrary, Name: m.Name, Version: m.Version,
			Description: m.Summary, Locations: loc,
			PURL: packageurl.NewPackageURL(packageurl.TypePyPi, "", n, m.Version, nil, "").ToString()}
		c.Properties = []Property{{PropCataloguer, "python"}, {PropOSVEcosystem, "PyPI"}, {PropOSVPackage, n}}
		setDeclaredLicence(&c, m.License)
		r.pkgs = []foundPkg{{c: c}}
	case kindJava:
		ctx, image := context.Background(), new(atomic.Int64)
		if f.env != nil {
			ctx, image = f.env.ctx, &f.env.jar
		}
		ms, err := catalog.ScanJar(f.data, f.path, maxFile, 0, catalog.NewInflate(ctx, maxFile, image))
		if err != nil {
			// What was found before the budget ran out still counts;
			// the limitation says the archive was not read in full.
			limitf(err)
		}
		for _, m := range ms {
			c := Component{Type: TypeLibrary, Group: m.GroupID, Name: m.ArtifactID, Version: m.Version,
				Locations: []Location{{Path: f.path + "!/" + m.Path, Layer: f.layer}},
				PURL:      packageurl.NewPackageURL(packageurl.TypeMaven, m.GroupID, m.ArtifactID, m.Version, nil, "").ToString()}
			c.Properties = []Property{{PropCataloguer, "java"}, {PropOSVEcosystem, "Maven"},
				{PropOSVPackage, m.GroupID + ":" + m.ArtifactID}}
			r.pkgs = append(r.pkgs, foundPkg{c: c})
		}
	case kindNpmInstalled:
		p, err := catalog.ParseNPMPackageJSON(f.data, f.path)
		if err != nil {
			limitf(err)
			return r
		}
		if p != nil {
			r.pkgs = []foundPkg{{c: npmComponent(*p, "npm-installed", loc)}}
		}
	case kindNpmLock:
		pkgs, err := npmLockPackages(f, maxFile)
		if err != nil {
			limitf(err)
			return r
		}
		r.pkgs = pkgs
	}
	return r
}

// npmLockPackages lists a lockfile's packages with FromNPMLock (the
// same logic as for a project's lockfile), falling back to chaingate's
// small reader for version 1 lockfiles, which FromNPMLock does not take.
// Every package is located at the lockfile.
func npmLockPackages(f imageFile, limit int64) ([]foundPkg, error) {
	loc := []Location{{Path: f.path, Layer: f.layer}}
	d, err := FromNPMLock(bytes.NewReader(f.data), WithInputLimit(limit))
	if errors.Is(err, ErrUnsupportedFormat) {
		ps, err := catalog.ParseNPMLock(f.data, f.path)
		if err != nil {
			return nil, err
		}
		pkgs := make([]foundPkg, 0, len(ps))
		for _, p := range ps {
			pkgs = append(pkgs, foundPkg{c: npmComponent(p, "npm-lock", loc)})
		}
		return pkgs, nil
	}
	if err != nil {
		return nil, err
	}
	pkgs := make([]foundPkg, 0, len(d.Components))
	for _, c := range d.Components {
		if c.ID == d.Root || c.PURL == "" || c.Version == "" {
			continue
		}
		c.ID = ""
		c.Locations = loc
		c.Properties = append([]Property{{PropCataloguer, "npm-lock"}, {PropOSVEcosystem, "npm"},
			{PropOSVPackage, c.Name}}, c.Properties...)
		pkgs = append(pkgs, foundPkg{c: c})
	}
	return pkgs, nil
}

// npmComponent is the component of an npm package: Name is the full
// name ("@npmcli/arborist"), Group its scope, as FromNPMLock writes them.
func npmComponent(p catalog.NPMPackage, cataloguer string, loc []Location) Component {
	ns := ""
	if strings.HasPrefix(p.Name, "@") {
		if i := strings.IndexByte(p.Name, '/'); i > 0 {
			ns = p.Name[:i]
		}
	}
	c := Component{Type: TypeLibrary, Group: ns, Name: p.Name, Version: p.Version,
		Description: p.Description, Locations: loc, PURL: NPMPURL(p.Name, p.Version)}
	if p.Dev {
		c.Scope = ScopeExcluded
	}
	c.Properties = []Property{{PropCataloguer, cataloguer}, {PropOSVEcosystem, "npm"}, {PropOSVPackage, p.Name}}
	setDeclaredLicence(&c, p.License)
	return c
}

// readELF reads a candidate executable: when it is an ELF file no
// larger than the file limit, it is read into buf (reused across files)
// and its Go build information, if any, is catalogued. It returns nil
// for a file that is not a Go binary.
func readELF(r io.Reader, f imageFile, maxFile int64, buf *bytes.Buffer) (*fileResult, error) {
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, fmt.Errorf("read %s: %w", f.path, err)
	}
	if string(magic[:]) != "\x7fELF" {
		return nil, nil
	}
	res := &fileResult{path: f.path, layer: f.layer, kind: kindELF}
	if f.size > maxFile {
		res.limits = []string{fmt.Sprintf("%s (layer %s): ELF file of %d bytes, over the %d-byte file limit: not checked for Go build information", f.path, f.layer, f.size, maxFile)}
		return res, nil
	}
	buf.Reset()
	buf.Write(magic[:])
	if _, err := io.CopyN(buf, r, f.size-4); err != nil {
		return nil, fmt.Errorf("read %s: %w", f.path, err)
	}
	bi, err := buildinfo.Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		return nil, nil // not a Go binary (or one without build information)
	}
	pkgs, err := goBinaryPackages(bi, f)
	if err != nil {
		res.limits = []string{fmt.Sprintf("%s (layer %s): %v", f.path, f.layer, err)}
		return res, nil
	}
	res.pkgs, res.goBinary = pkgs, true
	return res, nil
}

// distro picks the image's distribution: /etc/os-release, else
// /usr/lib/os-release. When /etc/os-release is a link to
// /usr/lib/os-release (the usual case), only the latter is recorded: the
// link leads to a file already catalogued (resolveLinks).
func (st *scanState) distro() (*Distro, *imageFile, error) {
	for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		f, ok := st.osRelease[p]
		if !ok {
			continue
		}
		d, err := ParseOSRelease(f.data)
		if err != nil {
			return nil, nil, fmt.Errorf("%s (layer %s): %w", p, f.layer, err)
		}
		return d, &f, nil
	}
	return nil, nil, nil
}

// document assembles the SBOM: finishes OS package purls with the
// distribution, merges components found in several places (same purl)
// into one with several locations, and links everything to the image.
func (st *scanState) document(info *ImageInfo) (*Document, error) {
	distro, _, err := st.distro()
	if err != nil {
		return nil, err
	}
	info.Distro = distro
	doc := &Document{
		Format:       CycloneDXJSON,
		SpecVersion:  "1.6",
		Version:      1,
		SerialNumber: newUUID(),
		Name:         nonEmpty(info.Reference, info.Digest),
		Tools:        []Tool{{Vendor: "chaingate", Name: "chaingate"}},
		Image:        info,
	}
	root := rootComponent(info)
	root.ID = nonEmpty(root.PURL, "image")
	doc.Root = root.ID
	doc.Components = append(doc.Components, root)

	byPURL := map[string]int{}
	ids := map[string]bool{root.ID: true}
	var top []string
	goDeps := map[string][]string{} // main module ID -> module IDs
	var goOrder []string
	for _, p := range sortedKeys(st.found) {
		for _, pk := range st.found[p] {
			c := pk.c
			switch {
			case pk.deb != nil:
				finishDeb(&c, pk.deb, distro)
			case pk.apk != nil:
				finishApk(&c, pk.apk, distro)
			case pk.rpm != nil:
				finishRPM(&c, pk.rpm, distro)
			}
			key := c.PURL
			if key == "" {
				key = c.Name + "@" + c.Version
			}
			if i, ok := byPURL[key]; ok {
				mergeLocations(&doc.Components[i], c.Locations)
			} else {
				c.ID = uniqueID(ids, key)
				byPURL[key] = len(doc.Components)
				doc.Components = append(doc.Components, c)
				if pk.goMain == "" {
					top = append(top, c.ID)
				}
			}
			if pk.goMain != "" {
				mainID := doc.Components[byPURL[pk.goMain]].ID
				if _, ok := goDeps[mainID]; !ok {
					goOrder = append(goOrder, mainID)
				}
				goDeps[mainID] = appendUnique(goDeps[mainID], doc.Components[byPURL[key]].ID)
			}
		}
	}
	sort.Strings(top)
	doc.Dependencies = append(doc.Dependencies, Dependency{Ref: root.ID, DependsOn: dedupe(top)})
	for _, m := range goOrder {
		doc.Dependencies = append(doc.Dependencies, Dependency{Ref: m, DependsOn: goDeps[m]})
	}
	if distro == nil {
		for _, c := range doc.Components {
			if v, _ := c.Property(PropCataloguer); v == "dpkg" || v == "apk" || v == "rpm" {
				doc.Limitations = append(doc.Limitations,
					"no /etc/os-release or /usr/lib/os-release: OS packages have no distro qualifier and no OSV ecosystem")
				break
			}
		}
	}
	if st.goSeen {
		doc.Limitations = append(doc.Limitations,
			"Go build information lists the modules linked into a binary but not which module requires which: each binary's modules are recorded as dependencies of its main module")
	}
	doc.Limitations = append(doc.Limitations, st.limits...)
	return doc, nil
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

func mergeLocations(c *Component, locs []Location) {
	for _, l := range locs {
		dup := false
		for _, have := range c.Locations {
			if have == l {
				dup = true
				break
			}
		}
		if !dup {
			c.Locations = append(c.Locations, l)
		}
	}
}

func uniqueID(ids map[string]bool, base string) string {
	id := base
	for n := 2; ids[id]; n++ {
		id = fmt.Sprintf("%s#%d", base, n)
	}
	ids[id] = true
	return id
}

// finishDeb sets a Debian package's purl and OSV ecosystem:
// pkg:deb/<distro id>/<name>@<version>?arch=<arch>&distro=<id>-<version>.
func finishDeb(c *Component, d *catalog.Deb, distro *Distro) {
	ns := "debian"
	var q packageurl.Qualifiers
	if d.Arch != "" {
		q = append(q, packageurl.Qualifier{Key: "arch", Value: d.Arch})
	}
	if distro != nil {
		ns = distro.ID
		q = append(q, packageurl.Qualifier{Key: "distro", Value: distro.PURLDistro()})
		if distro.ID == "debian" || distro.ID == "ubuntu" {
			if eco := distro.OSVEcosystem(); eco != "" {
				c.Properties = append(c.Properties, Property{PropOSVEcosystem, eco})
			}
		}
	}
	if d.Source != d.Name {
		q = append(q, packageurl.Qualifier{Key: "upstream", Value: d.Source})
	}
	c.PURL = packageurl.NewPackageURL(packageurl.TypeDebian, ns, d.Name, d.Version, q, "").ToString()
}

// finishApk sets an Alpine package's purl and OSV ecosystem:
// pkg:apk/<distro id>/<name>@<version>?arch=<arch>&distro=<id>-<version>.
func finishApk(c *Component, a *catalog.Apk, distro *Distro) {
	ns := "alpine"
	var q packageurl.Qualifiers
	if a.Arch != "" {
		q = append(q, packageurl.Qualifier{Key: "arch", Value: a.Arch})
	}
	if distro != nil {
		ns = distro.ID
		q = append(q, packageurl.Qualifier{Key: "distro", Value: distro.PURLDistro()})
		if distro.ID == "alpine" {
			if eco := distro.OSVEcosystem(); eco != "" {
				c.Properties = append(c.Properties, Property{PropOSVEcosystem, eco})
			}
		}
	}
	if a.Origin != a.Name {
		q = append(q, packageurl.Qualifier{Key: "upstream", Value: a.Origin})
	}
	c.PURL = packageurl.NewPackageURL(packageurl.TypeApk, ns, a.Name, a.Version, q, "").ToString()
}

// newUUID returns a random (version 4) UUID URN for the serial number.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+).
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return "urn:uuid:" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
