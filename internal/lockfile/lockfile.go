package lockfile

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/chaingate/chaingate/internal/errloc"
)

// Scope says whether a package is needed at run time. Its values are
// sbom.Scope's, so that sbom converts one into the other with Scope(s).
type Scope string

// Scopes.
const (
	ScopeUnknown  Scope = ""
	ScopeRequired Scope = "required"
	ScopeOptional Scope = "optional"
	ScopeExcluded Scope = "excluded"
)

// Rank orders scopes so that merging keeps the strongest: required,
// then optional, then excluded, then unknown.
func (s Scope) Rank() int {
	switch s {
	case ScopeRequired:
		return 3
	case ScopeOptional:
		return 2
	case ScopeExcluded:
		return 1
	}
	return 0
}

// Hash is a digest a lockfile records for a package, with CycloneDX
// algorithm names ("SHA-256") and a lowercase hex value.
type Hash struct {
	Algorithm, Value string
}

// Property is a name-value pair a parser records on a package
// ("chaingate:cargo:source").
type Property struct {
	Name, Value string
}

// Package is one package a lockfile or manifest lists.
type Package struct {
	Name, Version, Group string
	// PURL is the package URL, built with packageurl-go.
	PURL string
	// Key identifies the package inside its file, for dependency edges.
	Key   string
	Scope Scope
	// Direct is 1 when the project requires the package, -1 when only
	// other packages do, 0 when the format does not say.
	Direct int8
	// Deps are the Keys of the packages this one depends on.
	Deps   []string
	Hashes []Hash
	// OSVPackage is the package's name in OSV when it is not Name.
	OSVPackage string
	Props      []Property
}

// File is what one lockfile or manifest yields.
type File struct {
	// Format is the format the file was read as ("yarn.lock").
	Format string
	// Ecosystem is the OSV ecosystem of every package of the file.
	Ecosystem string
	Packages  []Package
	// Limits say what the file could not tell (unpinned lines, versions
	// that are not registry versions), one sentence each.
	Limits []string
}

// Input is a lockfile handed to a parser.
type Input struct {
	Data []byte
	// Name is the file's path, for errors and locations.
	Name string
	// Sibling reads another file of the same directory (package.json
	// beside yarn.lock); it returns nil when there is none. It may be nil.
	Sibling func(base string) []byte
}

// Parser reads one lockfile format.
type Parser struct {
	// Format names the format ("requirements.txt").
	Format string
	// Match says whether a file of this base name is of the format
	// ("requirements-dev.txt" is a requirements.txt).
	Match func(base string) bool
	// Parse reads the file. Run calls it and checks what it returns.
	Parse func(in Input) (*File, error)
}

// Exact returns a Match function accepting exactly the names given.
func Exact(names ...string) func(string) bool {
	return func(base string) bool { return slices.Contains(names, base) }
}

// The parsers of this package, one per format. package-lock.json and
// go.mod are not here: sbom reads them with its generators.
var (
	Yarn         = Parser{"yarn.lock", Exact("yarn.lock"), parseYarn}
	Pnpm         = Parser{"pnpm-lock.yaml", Exact("pnpm-lock.yaml"), parsePnpm}
	Bun          = Parser{"bun.lock", Exact("bun.lock"), parseBun}
	Requirements = Parser{"requirements.txt", isRequirements, parseRequirements}
	Poetry       = Parser{"poetry.lock", Exact("poetry.lock"), parsePoetry}
	Pipfile      = Parser{"Pipfile.lock", Exact("Pipfile.lock"), parsePipfile}
	UV           = Parser{"uv.lock", Exact("uv.lock"), parseUV}
	PDM          = Parser{"pdm.lock", Exact("pdm.lock"), parsePDM}
	Pylock       = Parser{"pylock.toml", isPylock, parsePylock}
	Cargo        = Parser{"Cargo.lock", Exact("Cargo.lock"), parseCargo}
	Gemfile      = Parser{"Gemfile.lock", Exact("Gemfile.lock", "gems.locked"), parseGemfile}
	Composer     = Parser{"composer.lock", Exact("composer.lock"), parseComposer}
	Gradle       = Parser{"gradle.lockfile", isGradle, parseGradle}
	Pom          = Parser{"pom.xml", Exact("pom.xml"), parsePom}
	NuGet        = Parser{"packages.lock.json", Exact("packages.lock.json"), parseNuGet}
	Mix          = Parser{"mix.lock", Exact("mix.lock"), parseMix}
	Pubspec      = Parser{"pubspec.lock", Exact("pubspec.lock"), parsePubspec}
	Renv         = Parser{"renv.lock", Exact("renv.lock"), parseRenv}
	Podfile      = Parser{"Podfile.lock", Exact("Podfile.lock"), parsePodfile}
	Conan        = Parser{"conan.lock", Exact("conan.lock"), parseConan}
)

// Parsers lists every parser of this package.
func Parsers() []Parser {
	return []Parser{Yarn, Pnpm, Bun, Requirements, Poetry, Pipfile, UV, PDM, Pylock, Cargo,
		Gemfile, Composer, Gradle, Pom, NuGet, Mix, Pubspec, Renv, Podfile, Conan}
}

// Run runs p.Parse on in and checks what it returns: every package has
// a name, a version and a purl packageurl-go parses (a lockfile naming a
// package "@/" is malformed, not a package to report). It sets the
// File's Format. It does not recover a panic: its caller decides.
func (p *Parser) Run(in Input) (*File, error) {
	lf, err := p.Parse(in)
	if err != nil {
		return nil, err
	}
	lf.Format = p.Format
	for _, pk := range lf.Packages {
		if pk.Name == "" || pk.Version == "" {
			return nil, newError(p.Format, in.Name, 0, "package %q has no name or version", trunc(pk.Name+"@"+pk.Version))
		}
		pu, err := packageurl.FromString(pk.PURL)
		if err != nil || pu.Name == "" {
			return nil, newError(p.Format, in.Name, 0, "package %q is not a valid package name (purl %q)", trunc(pk.Name), trunc(pk.PURL))
		}
	}
	return lf, nil
}

// Error is a lockfile that could not be read: which file, as which
// format, where and what was wrong. It carries what sbom.ParseError
// carries, so that sbom turns it into one.
type Error struct {
	// Format is the format the file was read as ("Cargo.lock").
	Format string
	// File is the file's path, Input.Name.
	File string
	// Line and Col locate the problem (1-based), zero when unknown.
	Line, Col int
	// Offset is the byte offset of the problem, or -1 when unknown.
	Offset int64
	// Path is the location inside the document a JSON decoder names
	// ("packages.version"), if any.
	Path string
	// Err is what was wrong.
	Err error
}

// Error names the file, the line and column when known (compiler
// style, "yarn.lock:4:"), the format, the field and the problem.
func (e *Error) Error() string {
	where := e.File
	if e.Line > 0 {
		where += ":" + strconv.Itoa(e.Line)
		if e.Col > 0 {
			where += ":" + strconv.Itoa(e.Col)
		}
	}
	msg := "lockfile: " + where + ": parse " + e.Format
	if e.Path != "" {
		msg += " at " + e.Path
	}
	return msg + ": " + fmt.Sprint(e.Err)
}

// Unwrap returns what was wrong.
func (e *Error) Unwrap() error { return e.Err }

// newPURL builds a purl with packageurl-go's encoder.
func newPURL(typ, ns, name, version string, q ...packageurl.Qualifier) string {
	return packageurl.NewPackageURL(typ, ns, name, version, q, "").ToString()
}

// npmPURL is the purl of an npm package; a scoped name
// ("@babel/core") is the namespace and the name.
func npmPURL(name, version string) string {
	ns, n := "", name
	if strings.HasPrefix(name, "@") {
		if i := strings.IndexByte(name, '/'); i > 0 {
			ns, n = name[:i], name[i+1:]
		}
	}
	return newPURL(packageurl.TypeNPM, ns, n, version)
}

// lineOf returns the 1-based line of byte offset off in data.
func lineOf(data []byte, off int) int {
	if off > len(data) {
		off = len(data)
	}
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}

// newError is an *Error naming the file, the format and the line (0
// when unknown).
func newError(format, name string, line int, msg string, args ...any) error {
	return &Error{Format: format, File: name, Line: line, Offset: -1, Err: fmt.Errorf(msg, args...)}
}

// wrapError wraps a syntax library's error (encoding/json, encoding/xml,
// BurntSushi/toml, yaml) as an *Error with the location errloc finds.
func wrapError(format, name string, data []byte, err error) error {
	loc := errloc.Of(data, err)
	return &Error{Format: format, File: name, Offset: loc.Offset, Line: loc.Line, Col: loc.Col, Path: loc.Path, Err: err}
}
