package sbom

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/chaingate/chaingate/internal/lockfile"
)

// Property names FromDirectory (and FromImage, for lockfiles inside an
// image) write on the packages of lockfiles and manifests.
const (
	// PropLockFormat names the lockfile or manifest format a component
	// was read from: "yarn.lock", "poetry.lock", "Cargo.lock", "pom.xml".
	PropLockFormat = "chaingate:lock:format"
	// PropLockDirect is "true" on a package the project itself requires
	// and "false" on one required only by other packages. It is absent
	// when the format does not say.
	PropLockDirect = "chaingate:lock:direct"
)

// Default limits of FromDirectory: the largest lockfile it reads is the
// generator input limit (WithInputLimit, default 256 MiB); it visits at
// most DefaultDirectoryMaxFiles directory entries.
const DefaultDirectoryMaxFiles = 1_000_000

// lockParsers are the formats FromDirectory reads, most used first:
// internal/lockfile's parsers and this package's two adapters, which
// read package-lock.json with FromNPMLock and go.mod with FromGoModule's
// code.
var lockParsers = []lockfile.Parser{
	{Format: "package-lock.json", Match: lockfile.Exact("package-lock.json", "npm-shrinkwrap.json"), Parse: lockParseNPM},
	lockfile.Yarn,
	lockfile.Pnpm,
	lockfile.Bun,
	lockfile.Requirements,
	lockfile.Poetry,
	lockfile.Pipfile,
	lockfile.UV,
	lockfile.PDM,
	lockfile.Pylock,
	lockfile.Cargo,
	lockfile.Gemfile,
	lockfile.Composer,
	{Format: "go.mod", Match: lockfile.Exact("go.mod"), Parse: lockParseGoMod},
	lockfile.Gradle,
	lockfile.Pom,
	lockfile.NuGet,
	lockfile.Mix,
	lockfile.Pubspec,
	lockfile.Renv,
	lockfile.Podfile,
	lockfile.Conan,
}

// LockfileFormats returns the names of the lockfile and manifest formats
// FromDirectory reads, in the order it tries them.
func LockfileFormats() []string {
	out := make([]string, len(lockParsers))
	for i, p := range lockParsers {
		out[i] = p.Format
	}
	return out
}

// lockParserFor returns the parser of a file name, or nil.
func lockParserFor(base string) *lockfile.Parser {
	for i := range lockParsers {
		if lockParsers[i].Match(base) {
			return &lockParsers[i]
		}
	}
	return nil
}

// skipDirs are never walked; vendorDirs only with WithVendoredTrees.
var (
	skipDirs   = []string{".git", ".hg", ".svn"}
	vendorDirs = []string{"node_modules", "vendor", "bower_components", "Pods", ".venv", "venv", "site-packages", ".bundle"}
)

// FromDirectory returns the SBOM of a source tree from the lockfiles and
// manifests it holds. It walks dir (not following symbolic links; never
// .git, .hg or .svn; not node_modules, vendor, bower_components, Pods,
// .venv, venv, site-packages or .bundle unless WithVendoredTrees), reads
// every file whose name LockfileFormats lists and returns one document:
//
//   - the root component is the directory (type application), depending
//     on the packages each file says the project requires directly (on
//     all of a file's packages when the format does not say);
//   - one component per package, with a purl of its ecosystem
//     (pkg:npm, pkg:pypi, pkg:cargo, pkg:gem, pkg:composer, pkg:golang,
//     pkg:maven, pkg:nuget, pkg:hex, pkg:pub, pkg:cran, pkg:cocoapods,
//     pkg:conan), the file it came from as a Location (slash-separated,
//     relative to dir), PropLockFormat, PropOSVEcosystem, PropOSVPackage,
//     PropLockDirect where the format says whether it is direct, Scope
//     ScopeExcluded for development-only packages and ScopeRequired for
//     runtime ones where the format says, and the hashes the file records;
//   - dependency edges where the format records them.
//
// A package found in several files is one component with several
// locations. Lines or entries that name no exact version (an unpinned
// requirements.txt line, a pom.xml dependency whose version is a range
// or an unresolved property) are not guessed: they are listed in
// Document.Limitations. go.mod is read without the go command (see
// FromGoModule for the full build list).
//
// Each file is read up to WithInputLimit (default 256 MiB; a larger file
// is an error wrapping ErrTooLarge). A malformed file fails the call with
// an error naming it (an SBOM missing a lockfile's packages would pass for
// a clean one); WithoutDevDependencies leaves development-only packages out.
func FromDirectory(ctx context.Context, dir string, opts ...GenerateOption) (*Document, error) {
	cfg, err := newGenerateConfig(opts)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("sbom: directory %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("sbom: directory %s: not a directory", dir)
	}
	maxFiles := cfg.maxFiles
	if maxFiles <= 0 {
		maxFiles = DefaultDirectoryMaxFiles
	}
	type found struct{ rel, abs string }
	var files []found
	n := 0
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		n++
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if n > maxFiles {
			return fmt.Errorf("more than %d entries: %w", maxFiles, ErrTooLarge)
		}
		name := d.Name()
		if d.IsDir() {
			if p != dir && (slices.Contains(skipDirs, name) || (!cfg.vendored && slices.Contains(vendorDirs, name))) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || lockParserFor(name) == nil {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		files = append(files, found{filepath.ToSlash(rel), p})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sbom: directory %s: %w", dir, err)
	}
	b := newLockBuilder(cfg.excludeDev)
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("sbom: directory %s: %w", dir, err)
		}
		if err := b.addFile(cfg, f.abs, f.rel); err != nil {
			return nil, fmt.Errorf("sbom: directory %s: %w", dir, err)
		}
	}
	doc := lockDocument(cfg, b, dir)
	if len(files) == 0 {
		doc.Limitations = append(doc.Limitations, "no lockfile or manifest found (FromDirectory reads "+strings.Join(LockfileFormats(), ", ")+")")
	}
	return doc, nil
}

// LockfileFormat returns the format FromDirectory and FromLockfile read
// a file of this name as ("yarn.lock", "requirements.txt" for
// "requirements-dev.txt"), or "" when they do not read it.
func LockfileFormat(name string) string {
	if p := lockParserFor(filepath.Base(name)); p != nil {
		return p.Format
	}
	return ""
}

// FromLockfile returns the SBOM of one lockfile or manifest, named as
// LockfileFormat expects, with the same components, properties and
// limits as FromDirectory gives for it (files it reads beside it, such
// as package.json, composer.json or go.sum, come from its directory).
// The root component is the directory that holds it. A file of another
// name is an error wrapping ErrUnsupportedFormat.
func FromLockfile(ctx context.Context, path string, opts ...GenerateOption) (*Document, error) {
	cfg, err := newGenerateConfig(opts)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sbom: lockfile %s: %w", path, err)
	}
	if LockfileFormat(path) == "" {
		return nil, fmt.Errorf("sbom: lockfile %s: not a file name chaingate reads (%s): %w",
			path, strings.Join(LockfileFormats(), ", "), ErrUnsupportedFormat)
	}
	b := newLockBuilder(cfg.excludeDev)
	if err := b.addFile(cfg, path, filepath.Base(path)); err != nil {
		return nil, err
	}
	return lockDocument(cfg, b, filepath.Dir(path)), nil
}

// addFile reads and parses one lockfile; rel is its location.
func (b *lockBuilder) addFile(cfg *generateConfig, abs, rel string) error {
	data, err := readFileLimited(abs, cfg.limit)
	if err != nil {
		return err
	}
	absDir := filepath.Dir(abs)
	lf, err := lockParse(lockfile.Input{Data: data, Name: rel, Sibling: func(base string) []byte {
		d, err := readFileLimited(filepath.Join(absDir, base), cfg.limit)
		if err != nil {
			return nil
		}
		return d
	}})
	if err != nil {
		return err
	}
	b.add(lf, []Location{{Path: rel}})
	return nil
}

// lockDocument is the document of what b collected, its root the
// directory dir.
func lockDocument(cfg *generateConfig, b *lockBuilder, dir string) *Document {
	name := filepath.Base(filepath.Clean(dir))
	if abs, err := filepath.Abs(dir); err == nil {
		name = filepath.Base(abs)
	}
	doc := cfg.newDocument(name)
	root := Component{ID: "directory:" + name, Type: TypeApplication, Name: name}
	doc.Root = root.ID
	b.ids[root.ID] = true
	doc.Components = append(doc.Components, root)
	b.finish(doc, root.ID)
	return doc
}

// lockParse runs the parser of in.name's format, turning a panic (a bug)
// into an error so that one bad file cannot take down the caller.
func lockParse(in lockfile.Input) (lf *lockfile.File, err error) {
	p := lockParserFor(path.Base(in.Name))
	if p == nil {
		return nil, fmt.Errorf("%s: not a lockfile chaingate reads: %w", in.Name, ErrUnsupportedFormat)
	}
	defer func() {
		if r := recover(); r != nil {
			lf, err = nil, fmt.Errorf("%s: internal error parsing %s: %v", in.Name, p.Format, r)
		}
	}()
	lf, err = p.Run(in)
	return lf, lockError(err)
}

// lockError turns internal/lockfile's *lockfile.Error into the error
// FromDirectory has always returned: "sbom: lockfile <file>: " wrapping
// a *ParseError with the same format, location and cause. Only a
// parser's own error is converted (a type assertion, not errors.As): an
// adapter's error that wraps one already says what it means.
func lockError(err error) error {
	le, ok := err.(*lockfile.Error)
	if !ok {
		return err
	}
	pe := &ParseError{Format: Format(le.Format), Line: le.Line, Col: le.Col, Offset: le.Offset, Path: le.Path, Err: le.Err}
	return fmt.Errorf("sbom: lockfile %s: %w", le.File, pe)
}

// lockBuilder assembles components from lockfiles, merging a package
// found in several files into one component.
type lockBuilder struct {
	excludeDev bool
	comps      []Component
	byPURL     map[string]int
	ids        map[string]bool
	deps       map[string][]string
	depOrder   []string
	top        []string
	limits     []string
}

func newLockBuilder(excludeDev bool) *lockBuilder {
	return &lockBuilder{excludeDev: excludeDev, byPURL: map[string]int{}, ids: map[string]bool{}, deps: map[string][]string{}}
}

// add records the packages of one file, found at loc.
func (b *lockBuilder) add(lf *lockfile.File, loc []Location) {
	where := loc[0].Path
	for _, l := range lf.Limits {
		b.limits = append(b.limits, where+": "+l)
	}
	keyID := map[string]string{}
	hasDirect := false
	for _, p := range lf.Packages {
		if p.Direct != 0 {
			hasDirect = true
		}
	}
	var fileTop []string
	for _, p := range lf.Packages {
		if b.excludeDev && p.Scope == lockfile.ScopeExcluded {
			continue
		}
		id := b.component(lf, p, loc)
		if p.Key != "" {
			keyID[p.Key] = id
		}
		if p.Direct > 0 || !hasDirect {
			fileTop = append(fileTop, id)
		}
	}
	b.top = append(b.top, fileTop...)
	for _, p := range lf.Packages {
		from, ok := keyID[p.Key]
		if !ok || p.Key == "" {
			continue
		}
		for _, d := range p.Deps {
			to, ok := keyID[d]
			if !ok || to == from {
				continue
			}
			if _, seen := b.deps[from]; !seen {
				b.depOrder = append(b.depOrder, from)
			}
			b.deps[from] = appendUnique(b.deps[from], to)
		}
	}
}

// component adds (or merges) one package and returns its ID.
func (b *lockBuilder) component(lf *lockfile.File, p lockfile.Package, loc []Location) string {
	key := p.PURL
	if key == "" {
		key = lf.Ecosystem + ":" + p.Name + "@" + p.Version
	}
	if i, ok := b.byPURL[key]; ok {
		c := &b.comps[i]
		mergeLocations(c, loc)
		if p.Scope.Rank() > scopeRank(c.Scope) {
			c.Scope = Scope(p.Scope)
		}
		if p.Direct > 0 {
			setProp(c, PropLockDirect, "true")
		}
		return c.ID
	}
	c := lockComponent(lf, p, loc)
	c.ID = uniqueID(b.ids, key)
	b.byPURL[key] = len(b.comps)
	b.comps = append(b.comps, c)
	return c.ID
}

// lockComponent is the component of one package of a lockfile found at loc.
func lockComponent(lf *lockfile.File, p lockfile.Package, loc []Location) Component {
	c := Component{Type: TypeLibrary, Group: p.Group, Name: p.Name, Version: p.Version, PURL: p.PURL,
		Scope: Scope(p.Scope), Hashes: lockHashes(p.Hashes), Locations: slices.Clone(loc)}
	// Sized once: format, ecosystem, OSV package, direct and the parser's own.
	c.Properties = make([]Property, 0, 4+len(p.Props))
	c.Properties = append(c.Properties, Property{PropLockFormat, lf.Format})
	if lf.Ecosystem != "" {
		c.Properties = append(c.Properties, Property{PropOSVEcosystem, lf.Ecosystem})
	}
	c.Properties = append(c.Properties, Property{PropOSVPackage, nonEmpty(p.OSVPackage, p.Name)})
	switch p.Direct {
	case 1:
		c.Properties = append(c.Properties, Property{PropLockDirect, "true"})
	case -1:
		c.Properties = append(c.Properties, Property{PropLockDirect, "false"})
	}
	for _, pr := range p.Props {
		c.Properties = append(c.Properties, Property(pr))
	}
	return c
}

// lockHashes converts a lockfile's hashes into Hashes (nil stays nil).
func lockHashes(hs []lockfile.Hash) []Hash {
	if hs == nil {
		return nil
	}
	out := make([]Hash, len(hs))
	for i, h := range hs {
		out[i] = Hash(h)
	}
	return out
}

// setProp sets (or adds) a property.
func setProp(c *Component, name, value string) {
	for i := range c.Properties {
		if c.Properties[i].Name == name {
			c.Properties[i].Value = value
			return
		}
	}
	c.Properties = append(c.Properties, Property{name, value})
}

// finish appends the components and edges to doc, the root depending on
// every file's direct packages.
func (b *lockBuilder) finish(doc *Document, rootID string) {
	doc.Components = append(doc.Components, b.comps...)
	top := slices.Clone(b.top)
	sort.Strings(top)
	top = slices.Compact(top)
	if len(top) > 0 {
		doc.Dependencies = append(doc.Dependencies, Dependency{Ref: rootID, DependsOn: top})
	}
	order := slices.Clone(b.depOrder)
	sort.Strings(order)
	for _, id := range order {
		d := slices.Clone(b.deps[id])
		sort.Strings(d)
		doc.Dependencies = append(doc.Dependencies, Dependency{Ref: id, DependsOn: d})
	}
	doc.Limitations = append(doc.Limitations, b.limits...)
}

// lockFromDocument turns a generated document (FromNPMLock, go.mod)
// into a lockfile.File: every component but the root, with the root's
// dependencies as the direct ones and the document's edges.
func lockFromDocument(doc *Document, eco string) *lockfile.File {
	lf := &lockfile.File{Ecosystem: eco, Limits: doc.Limitations}
	direct := map[string]bool{}
	edges := map[string][]string{}
	for _, d := range doc.Dependencies {
		if d.Ref == doc.Root {
			for _, x := range d.DependsOn {
				direct[x] = true
			}
			continue
		}
		edges[d.Ref] = d.DependsOn
	}
	// Every package's hashes share one array, allocated once.
	nh := 0
	for _, c := range doc.Components {
		nh += len(c.Hashes)
	}
	hashes := make([]lockfile.Hash, 0, nh)
	for _, c := range doc.Components {
		if c.ID == doc.Root || c.PURL == "" || c.Version == "" {
			continue
		}
		p := lockfile.Package{Name: c.Name, Version: c.Version, Group: c.Group, PURL: c.PURL, Key: c.ID, Scope: lockfile.Scope(c.Scope),
			Deps: edges[c.ID], Direct: -1}
		if direct[c.ID] {
			p.Direct = 1
		}
		if c.Hashes != nil {
			n := len(hashes)
			for _, h := range c.Hashes {
				hashes = append(hashes, lockfile.Hash(h))
			}
			p.Hashes = hashes[n:len(hashes):len(hashes)]
		}
		for _, pr := range c.Properties {
			if pr.Name != PropOSVEcosystem && pr.Name != PropOSVPackage {
				p.Props = append(p.Props, lockfile.Property(pr))
			}
		}
		lf.Packages = append(lf.Packages, p)
	}
	return lf
}

// lockWrap wraps a syntax library's error (encoding/json, encoding/xml,
// BurntSushi/toml, yaml) as a *ParseError with its location, naming the file.
func lockWrap(format, name string, data []byte, err error) error {
	pe := decParseError(Format(format), data, err)
	return fmt.Errorf("sbom: lockfile %s: %w", name, pe)
}
