package sbom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/chaingate/chaingate/internal/lockfile"
	"github.com/github/go-spdx/v2/spdxexp"
)

// Property names written by FromNPMLock. The cdx:npm:package:... names are
// CycloneDX's npm property taxonomy.
const (
	// PropNPMDevelopment is "true" on a package needed only for
	// development (npm's "dev": true).
	PropNPMDevelopment = "cdx:npm:package:development"
	// PropNPMBundled is "true" on a package shipped inside its parent's
	// tarball (bundleDependencies).
	PropNPMBundled = "cdx:npm:package:bundled"
	// PropNPMExtraneous is "true" on a package nothing depends on.
	PropNPMExtraneous = "cdx:npm:package:extraneous"
	// PropNPMPrivate is "true" on a package the lockfile marks private.
	PropNPMPrivate = "cdx:npm:package:private"
	// PropNPMOptional is "true" on an optional dependency (npm's
	// "optional": true, or "devOptional": true for one that is optional
	// in production and required in development).
	PropNPMOptional = "chaingate:npm:optional"
	// PropNPMResolved is the URL (or path, for links and workspaces) the
	// package was resolved from.
	PropNPMResolved = "chaingate:npm:resolved"
	// PropNPMIntegrity is the Subresource Integrity string of the
	// package tarball, verbatim ("sha512-...").
	PropNPMIntegrity = "chaingate:npm:integrity"
	// PropNPMAlias is the name a package is installed under when it is
	// an alias ("my-lodash": "npm:lodash@4.17.21" gives "my-lodash").
	PropNPMAlias = "chaingate:npm:alias"
	// PropNPMInstallScript is "true" on a package with install scripts
	// (preinstall, install, postinstall).
	PropNPMInstallScript = "chaingate:npm:has-install-script"
	// PropNPMLicense is a package's license field when it is not a valid
	// SPDX expression (when it is, it is the LicenseDeclared).
	PropNPMLicense = "chaingate:npm:license"
	// PropNPMDeprecated is the deprecation message of a package.
	PropNPMDeprecated = "chaingate:npm:deprecated"
	// PropNPMWorkspace is "true" on a workspace package of the project.
	PropNPMWorkspace = "chaingate:npm:workspace"
)

// npmLock is the part of package-lock.json (lockfileVersion 2 and 3)
// FromNPMLock reads.
type npmLock struct {
	Name            string                     `json:"name"`
	Version         string                     `json:"version"`
	LockfileVersion int                        `json:"lockfileVersion"`
	Packages        map[string]npmPackage      `json:"packages"`
	Dependencies    map[string]json.RawMessage `json:"dependencies"`
}

type npmPackage struct {
	Name                 string            `json:"name"`
	Version              string            `json:"version"`
	Resolved             string            `json:"resolved"`
	Integrity            string            `json:"integrity"`
	License              json.RawMessage   `json:"license"`
	Link                 bool              `json:"link"`
	Dev                  bool              `json:"dev"`
	Optional             bool              `json:"optional"`
	DevOptional          bool              `json:"devOptional"`
	InBundle             bool              `json:"inBundle"`
	Extraneous           bool              `json:"extraneous"`
	HasInstallScript     bool              `json:"hasInstallScript"`
	Deprecated           string            `json:"deprecated"`
	Dependencies         map[string]string `json:"dependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
	PeerDependencies     map[string]string `json:"peerDependencies"`
	DevDependencies      map[string]string `json:"devDependencies"`
	PeerDependenciesMeta map[string]struct {
		Optional bool `json:"optional"`
	} `json:"peerDependenciesMeta"`
}

// FromNPMLock returns the SBOM of an npm project from its package-lock.json
// (lockfileVersion 2 or 3: the "packages" map; version 1 lockfiles are an
// error wrapping ErrUnsupportedFormat).
//
// The root component is the project (packages[""], type application).
// Every installed package is a library component with a pkg:npm purl
// (scope encoded, "pkg:npm/%40babel/core@7.26.0"), its integrity as
// Hashes (SHA-512, SHA-384, SHA-256 or SHA-1 in hex, the SRI string in
// PropNPMIntegrity), its resolved URL in PropNPMResolved and its
// node_modules paths as Locations. A package installed at several paths
// with the same version, integrity and source is one component. Scope is
// ScopeExcluded for development-only packages ("dev": true, also marked
// PropNPMDevelopment), ScopeOptional for optional ones and ScopeRequired
// otherwise; WithoutDevDependencies leaves development-only packages out.
//
// Dependency edges come from each package's dependencies,
// optionalDependencies and peerDependencies (and devDependencies of the
// project and its workspaces), each resolved to the installed package
// with Node's lookup rule: the nearest node_modules folder up the tree.
// Dependencies the lockfile does not contain (uninstalled optional and
// peer dependencies aside) are listed in Document.Limitations. A hidden
// lockfile (node_modules/.package-lock.json) has no project entry: its
// top-level packages become the root's dependencies, and a limitation
// says so.
//
// The input is read up to the limit of WithInputLimit (default 256 MiB);
// malformed JSON is a *ParseError with its line and column.
func FromNPMLock(r io.Reader, opts ...GenerateOption) (*Document, error) {
	cfg, err := newGenerateConfig(opts)
	if err != nil {
		return nil, err
	}
	data, err := readAllLimited(r, cfg.limit, "package-lock.json")
	if err != nil {
		return nil, err
	}
	var lock npmLock
	if err := json.Unmarshal(data, &lock); err != nil {
		return nil, decParseError(formatNPMLock, data, err)
	}
	if lock.LockfileVersion < 2 || lock.Packages == nil {
		return nil, fmt.Errorf("sbom: package-lock.json lockfileVersion %d without a \"packages\" map (npm 6 and older): %w",
			lock.LockfileVersion, ErrUnsupportedFormat)
	}
	if lock.LockfileVersion > 3 {
		return nil, fmt.Errorf("sbom: package-lock.json lockfileVersion %d (this reads 2 and 3): %w",
			lock.LockfileVersion, ErrUnsupportedFormat)
	}
	return buildNPM(cfg, &lock), nil
}

// npmNameFromPath returns the package name a lockfile path installs:
// the part after the last "node_modules/" ("node_modules/a/node_modules/@s/b"
// gives "@s/b"), or, for a workspace folder, its last element.
func npmNameFromPath(p string) string {
	if i := strings.LastIndex(p, "node_modules/"); i >= 0 {
		return p[i+len("node_modules/"):]
	}
	_, name := splitLast(p)
	return name
}

// npmParent returns the folder whose node_modules Node searches after
// p's own: the package p is nested in, or the project root ("").
func npmParent(p string) string {
	i := strings.LastIndex(p, "node_modules/")
	if i <= 0 {
		return ""
	}
	return strings.TrimSuffix(p[:i], "/")
}

// npmHashes turns a Subresource Integrity string into Hashes, with
// internal/lockfile's reader (yarn, pnpm and bun lockfiles record the
// same strings).
func npmHashes(sri string) []Hash {
	return lockfile.SRIHashes(sri, func(alg, value string) Hash { return Hash{Algorithm: alg, Value: value} })
}

// scopeRank orders scopes so that merging keeps the strongest.
func scopeRank(s Scope) int { return lockfile.Scope(s).Rank() }

type npmBuilder struct {
	cfg       *generateConfig
	lock      *npmLock
	doc       *Document
	ids       idCounter
	idxOfPath map[string]int  // lockfile path -> component index
	index     map[npmKey]int  // merge key -> component index
	licences  map[string]bool // licence string -> valid SPDX expression
	buf       []byte          // scratch for lookups
}

// npmKey identifies one installed package for merging: the same name,
// version, integrity and source at several paths is one component.
// Workspaces are keyed by their folder.
type npmKey struct{ name, version, integrity, resolved, workspace string }

func buildNPM(cfg *generateConfig, lock *npmLock) *Document {
	b := &npmBuilder{cfg: cfg, lock: lock, ids: make(idCounter, len(lock.Packages)),
		idxOfPath: make(map[string]int, len(lock.Packages)),
		index:     make(map[npmKey]int, len(lock.Packages)),
		licences:  map[string]bool{}}
	rootPkg := lock.Packages[""]
	name := rootPkg.Name
	if name == "" {
		name = lock.Name
	}
	version := rootPkg.Version
	if version == "" {
		version = lock.Version
	}
	b.doc = cfg.newDocument(name)
	b.doc.Components = make([]Component, 0, len(lock.Packages)+1)
	root := Component{Type: TypeApplication, Name: name, Version: version, PURL: NPMPURL(name, version)}
	if name == "" {
		root.PURL = ""
		root.Name = "package-lock.json"
	}
	b.setLicence(&root, rootPkg.License)
	root.ID = b.ids.unique(nonEmpty(root.PURL, "npm:"+root.Name))
	b.doc.Root = root.ID
	b.doc.Components = append(b.doc.Components, root)
	b.idxOfPath[""] = 0

	paths := make([]string, 0, len(lock.Packages))
	for p := range lock.Packages {
		if p != "" {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	for _, p := range paths {
		pkg := lock.Packages[p]
		if pkg.Link {
			continue // a symlink: its target is an entry of its own
		}
		if b.cfg.excludeDev && pkg.Dev {
			continue
		}
		b.add(p, &pkg)
	}
	// Links point at their target's component.
	for _, p := range paths {
		pkg := lock.Packages[p]
		if pkg.Link {
			if i, ok := b.idxOfPath[npmLinkTarget(p, pkg.Resolved)]; ok {
				b.idxOfPath[p] = i
			}
		}
	}
	b.edges(paths)
	b.doc.Properties = append(b.doc.Properties, Property{"chaingate:npm:lockfile-version", fmt.Sprint(lock.LockfileVersion)})
	return b.doc
}

// npmLinkTarget returns the lockfile path a link entry points at: its
// "resolved" is relative to the project root.
func npmLinkTarget(p, resolved string) string {
	if resolved == "" {
		return p
	}
	return strings.TrimPrefix(resolved, "./")
}

func (b *npmBuilder) setLicence(c *Component, raw json.RawMessage) {
	if len(raw) == 0 {
		return
	}
	var lic string
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' && !bytes.ContainsAny(raw[1:n-1], "\\\"") {
		lic = string(raw[1 : n-1]) // a plain JSON string, the common case
	} else if err := json.Unmarshal(raw, &lic); err != nil {
		// Old packages write {"type": "MIT", "url": ...}.
		var obj struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(raw, &obj) != nil {
			return
		}
		lic = obj.Type
	}
	if lic == "" {
		return
	}
	valid, seen := b.licences[lic]
	if !seen {
		valid, _ = spdxexp.ValidateLicenses([]string{lic})
		b.licences[lic] = valid
	}
	if valid {
		c.LicenseDeclared = lic
	} else {
		c.Properties = append(c.Properties, Property{PropNPMLicense, lic})
	}
}

func npmScope(pkg npmPackage) Scope {
	switch {
	case pkg.Dev:
		return ScopeExcluded
	case pkg.Optional || pkg.DevOptional:
		return ScopeOptional
	}
	return ScopeRequired
}

// add records the package at lockfile path p, merging it into an earlier
// component with the same name, version, integrity and source.
func (b *npmBuilder) add(p string, pkg *npmPackage) {
	installedAs := npmNameFromPath(p)
	name := pkg.Name
	if name == "" {
		name = installedAs
	}
	workspace := !strings.Contains(p, "node_modules/")
	key := npmKey{name: name, version: pkg.Version, integrity: pkg.Integrity, resolved: pkg.Resolved}
	if workspace {
		key = npmKey{workspace: p}
	}
	scope := npmScope(*pkg)
	if i, ok := b.index[key]; ok {
		c := &b.doc.Components[i]
		c.Locations = append(c.Locations, Location{Path: p})
		if scopeRank(scope) > scopeRank(c.Scope) {
			c.Scope = scope
			c.Properties = slices.DeleteFunc(c.Properties, func(pr Property) bool {
				return pr.Name == PropNPMDevelopment || pr.Name == PropNPMOptional
			})
			if scope == ScopeOptional {
				c.Properties = append(c.Properties, Property{PropNPMOptional, "true"})
			}
		}
		b.idxOfPath[p] = i
		return
	}
	c := Component{Type: TypeLibrary, Name: name, Version: pkg.Version, PURL: NPMPURL(name, pkg.Version),
		Scope: scope, Locations: []Location{{Path: p}}, Properties: make([]Property, 0, 4)}
	if strings.HasPrefix(name, "@") {
		c.Group, _ = splitLast(name)
	}
	c.Hashes = npmHashes(pkg.Integrity)
	b.setLicence(&c, pkg.License)
	add := func(n, v string) { c.Properties = append(c.Properties, Property{n, v}) }
	if pkg.Dev {
		add(PropNPMDevelopment, "true")
	}
	if scope == ScopeOptional {
		add(PropNPMOptional, "true")
	}
	if pkg.InBundle {
		add(PropNPMBundled, "true")
	}
	if pkg.Extraneous {
		add(PropNPMExtraneous, "true")
	}
	if pkg.HasInstallScript {
		add(PropNPMInstallScript, "true")
	}
	if workspace {
		add(PropNPMWorkspace, "true")
	}
	if installedAs != name && !workspace {
		add(PropNPMAlias, installedAs)
	}
	if pkg.Resolved != "" {
		add(PropNPMResolved, pkg.Resolved)
	}
	if pkg.Integrity != "" {
		add(PropNPMIntegrity, pkg.Integrity)
	}
	if pkg.Deprecated != "" {
		add(PropNPMDeprecated, pkg.Deprecated)
	}
	c.ID = b.ids.unique(c.PURL)
	i := len(b.doc.Components)
	b.index[key] = i
	b.idxOfPath[p] = i
	b.doc.Components = append(b.doc.Components, c)
}

// resolve finds the lockfile path of the package Node loads when the
// package at from requires name: from/node_modules/name, then the same in
// each enclosing package up to the project root. Candidates are built in
// a scratch buffer: a map lookup with string(bytes) does not allocate.
func (b *npmBuilder) resolve(from, name string) (string, bool) {
	dir := from
	for depth := 0; depth < 1000; depth++ {
		b.buf = b.buf[:0]
		if dir != "" {
			b.buf = append(append(b.buf, dir...), '/')
		}
		b.buf = append(append(b.buf, "node_modules/"...), name...)
		if _, ok := b.lock.Packages[string(b.buf)]; ok {
			return string(b.buf), true
		}
		if dir == "" {
			return "", false
		}
		dir = npmParent(dir)
	}
	return "", false
}

// edges resolves every package's dependencies to installed packages.
func (b *npmBuilder) edges(paths []string) {
	pkgs := b.lock.Packages
	deps := make([][]int, len(b.doc.Components))
	var missing []string
	resolve := func(from string, names map[string]string, optional func(string) bool) {
		fromIdx, ok := b.idxOfPath[from]
		if !ok {
			return
		}
		for n := range names {
			to, found := b.resolve(from, n)
			if found {
				if tp := pkgs[to]; tp.Link {
					to = npmLinkTarget(to, tp.Resolved)
				}
			}
			toIdx, known := b.idxOfPath[to]
			switch {
			case found && known:
				if toIdx != fromIdx {
					deps[fromIdx] = append(deps[fromIdx], toIdx)
				}
			case found:
				// Left out by WithoutDevDependencies.
			case !optional(n):
				missing = append(missing, nonEmpty(from, "(root)")+" -> "+n)
			}
		}
	}
	// A hidden lockfile (node_modules/.package-lock.json) has no entry
	// for the project: the root depends on every top-level package.
	if _, ok := pkgs[""]; !ok {
		for _, p := range paths {
			i, ok := b.idxOfPath[p]
			if ok && strings.HasPrefix(p, "node_modules/") && !strings.Contains(p[len("node_modules/"):], "/node_modules/") {
				deps[0] = append(deps[0], i)
			}
		}
		b.doc.Limitations = append(b.doc.Limitations,
			`the lockfile has no entry for the project (packages[""]), as in node_modules/.package-lock.json: the project's own dependencies are unknown, so every top-level package is recorded as a direct dependency`)
	}
	// The project depends on its workspaces (npm links each into
	// node_modules and installs it).
	for _, p := range paths {
		if i, ok := b.idxOfPath[p]; ok && !strings.Contains(p, "node_modules/") && !pkgs[p].Link {
			deps[0] = append(deps[0], i)
		}
	}
	never := func(string) bool { return false }
	always := func(string) bool { return true }
	for _, p := range append([]string{""}, paths...) {
		pkg := pkgs[p]
		if pkg.Link {
			continue
		}
		resolve(p, pkg.Dependencies, never)
		resolve(p, pkg.OptionalDependencies, always)
		resolve(p, pkg.PeerDependencies, func(n string) bool { return pkg.PeerDependenciesMeta[n].Optional })
		if !strings.Contains(p, "node_modules/") && !b.cfg.excludeDev {
			// The project and its workspaces install their devDependencies.
			resolve(p, pkg.DevDependencies, never)
		}
	}
	for i, to := range deps {
		if len(to) == 0 {
			continue
		}
		slices.Sort(to)
		to = slices.Compact(to)
		ids := make([]string, len(to))
		for k, j := range to {
			ids[k] = b.doc.Components[j].ID
		}
		slices.Sort(ids)
		b.doc.Dependencies = append(b.doc.Dependencies, Dependency{Ref: b.doc.Components[i].ID, DependsOn: ids})
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		b.doc.Limitations = append(b.doc.Limitations, fmt.Sprintf(
			"%d dependencies are not in the lockfile, so their edges are missing: %s", len(missing), truncList(missing, 10)))
	}
}
