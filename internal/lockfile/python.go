package lockfile

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/chaingate/chaingate/internal/catalog"
	"github.com/package-url/packageurl-go"
)

// isRequirements matches requirements.txt, requirements-dev.txt,
// requirements/prod.txt style names: requirements*.txt.
func isRequirements(base string) bool {
	return strings.HasPrefix(base, "requirements") && strings.HasSuffix(base, ".txt")
}

// isPylock matches pylock.toml and pylock.<name>.toml (PEP 751).
func isPylock(base string) bool {
	return base == "pylock.toml" || (strings.HasPrefix(base, "pylock.") && strings.HasSuffix(base, ".toml"))
}

// pyPkg is a Python package with its PEP 503 name as purl and key.
func pyPkg(name, version string) Package {
	n := catalog.PEP503Name(name)
	return Package{Name: name, Version: version, Key: n,
		PURL: packageurl.NewPackageURL(packageurl.TypePyPi, "", n, version, nil, "").ToString(), OSVPackage: n}
}

// pySHA256 turns "sha256:<hex>" into a Hash.
func pySHA256(s string) (Hash, bool) {
	v, ok := strings.CutPrefix(s, "sha256:")
	if !ok || len(v) != 64 {
		return Hash{}, false
	}
	if _, err := hex.DecodeString(v); err != nil {
		return Hash{}, false
	}
	return Hash{Algorithm: "SHA-256", Value: strings.ToLower(v)}, true
}

// pyReqName is the distribution name at the start of a PEP 508
// requirement ("Faker>=0.7.0", "tomli; python_version < '3.11'").
var pyReqName = regexp.MustCompile(`^\s*([A-Za-z0-9][A-Za-z0-9._-]*)`)

// pyReqKey returns the PEP 503 name a requirement string names.
func pyReqKey(req string) string {
	m := pyReqName.FindStringSubmatch(req)
	if m == nil {
		return ""
	}
	return catalog.PEP503Name(m[1])
}

// reqLine is "name[extras] == version ; markers" (pinned).
var reqPinned = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([A-Za-z0-9][A-Za-z0-9.!+_*-]*)\s*(?:;.*)?$`)

// parseRequirements reads a pip requirements file. Only pinned lines
// ("name==version", "name===version", with extras, markers and --hash
// options) name a version; every other requirement (ranges, URLs, paths,
// editable installs) is listed in the limitations, not guessed. Included
// files (-r, -c) are read when FromDirectory finds them on their own.
func parseRequirements(in Input) (*File, error) {
	const format = "requirements.txt"
	lf := &File{Ecosystem: "PyPI"}
	sc := bufio.NewScanner(bytes.NewReader(in.Data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	line, start := 0, 0
	var buf strings.Builder
	seen := map[string]bool{}
	for sc.Scan() {
		line++
		s := sc.Text()
		if buf.Len() == 0 {
			start = line
		}
		if strings.HasSuffix(s, `\`) {
			buf.WriteString(strings.TrimSuffix(s, `\`) + " ")
			continue
		}
		buf.WriteString(s)
		req := buf.String()
		buf.Reset()
		// A comment starts at "#" preceded by whitespace or at the line start.
		if i := strings.Index(req, " #"); i >= 0 {
			req = req[:i]
		}
		if strings.HasPrefix(strings.TrimSpace(req), "#") {
			continue
		}
		// Per-requirement options (--hash=...) follow the requirement.
		var hashes []Hash
		if i := strings.Index(req, " --"); i >= 0 {
			for _, opt := range strings.Fields(req[i:]) {
				if v, ok := strings.CutPrefix(opt, "--hash="); ok {
					if h, ok := pySHA256(v); ok {
						hashes = append(hashes, h)
					}
				}
			}
			req = req[:i]
		}
		req = strings.TrimSpace(req)
		if req == "" || strings.HasPrefix(req, "-") {
			continue // options: -r, -c, -i, --index-url, -e ...
		}
		m := reqPinned.FindStringSubmatch(req)
		if m == nil || strings.Contains(m[2], "*") {
			lf.Limits = append(lf.Limits, fmt.Sprintf("line %d: %q is not pinned to one version: not listed", start, trunc(req)))
			continue
		}
		p := pyPkg(m[1], m[2])
		if seen[p.Key+"@"+p.Version] {
			continue
		}
		seen[p.Key+"@"+p.Version] = true
		p.Hashes = hashes
		p.Direct = 1
		lf.Packages = append(lf.Packages, p)
	}
	if err := sc.Err(); err != nil {
		return nil, newError(format, in.Name, line+1, "%v", err)
	}
	if len(lf.Packages) > 0 && !bytes.Contains(in.Data, []byte("--hash")) && bytes.Contains(in.Data, []byte("# via")) {
		// pip-compile output: every package is pinned, direct or not.
		for i := range lf.Packages {
			lf.Packages[i].Direct = 0
		}
	}
	return lf, nil
}

type poetryLock struct {
	Package []struct {
		Name         string         `toml:"name"`
		Version      string         `toml:"version"`
		Category     string         `toml:"category"`
		Groups       []string       `toml:"groups"`
		Optional     bool           `toml:"optional"`
		Dependencies map[string]any `toml:"dependencies"`
		Files        []struct {
			Hash string `toml:"hash"`
		} `toml:"files"`
		Source struct {
			Type string `toml:"type"`
		} `toml:"source"`
	} `toml:"package"`
	Metadata struct {
		Files map[string][]struct {
			Hash string `toml:"hash"`
		} `toml:"files"`
	} `toml:"metadata"`
}

// parsePoetry reads poetry.lock with BurntSushi/toml. Scope comes
// from "category" (Poetry 1: "main" or "dev") or "groups" (Poetry 2:
// only non-"main" groups is development); edges from each package's
// dependencies. The lockfile does not say which packages are direct.
func parsePoetry(in Input) (*File, error) {
	const format = "poetry.lock"
	var lock poetryLock
	if _, err := toml.Decode(string(in.Data), &lock); err != nil {
		return nil, wrapError(format, in.Name, in.Data, err)
	}
	lf := &File{Ecosystem: "PyPI"}
	for i, pk := range lock.Package {
		if pk.Name == "" || pk.Version == "" {
			return nil, newError(format, in.Name, 0, "package %d has no name or version", i+1)
		}
		p := pyPkg(pk.Name, pk.Version)
		switch {
		case pk.Category == "dev":
			p.Scope = ScopeExcluded
		case pk.Category == "main":
			p.Scope = ScopeRequired
		case len(pk.Groups) > 0:
			p.Scope = ScopeExcluded
			for _, g := range pk.Groups {
				if g == "main" {
					p.Scope = ScopeRequired
				}
			}
		}
		if pk.Optional && p.Scope == ScopeRequired {
			p.Scope = ScopeOptional
		}
		for n := range pk.Dependencies {
			p.Deps = append(p.Deps, catalog.PEP503Name(n))
		}
		for _, f := range pk.Files {
			if h, ok := pySHA256(f.Hash); ok {
				p.Hashes = append(p.Hashes, h)
			}
		}
		if pk.Source.Type == "git" || pk.Source.Type == "directory" || pk.Source.Type == "file" {
			p.Props = append(p.Props, Property{"chaingate:python:source", pk.Source.Type})
		}
		lf.Packages = append(lf.Packages, p)
	}
	return lf, nil
}

// parsePipfile reads Pipfile.lock (JSON): "default" packages are
// runtime, "develop" ones development; each is pinned "==version".
func parsePipfile(in Input) (*File, error) {
	const format = "Pipfile.lock"
	type entry struct {
		Version string   `json:"version"`
		Hashes  []string `json:"hashes"`
		Git     string   `json:"git"`
		Path    string   `json:"path"`
	}
	var lock struct {
		Meta    json.RawMessage  `json:"_meta"`
		Default map[string]entry `json:"default"`
		Develop map[string]entry `json:"develop"`
	}
	if err := json.Unmarshal(in.Data, &lock); err != nil {
		return nil, wrapError(format, in.Name, in.Data, err)
	}
	if lock.Meta == nil {
		return nil, newError(format, in.Name, 0, "no _meta section: not a Pipfile.lock")
	}
	lf := &File{Ecosystem: "PyPI"}
	idx := map[string]int{}
	for _, sec := range []struct {
		m     map[string]entry
		scope Scope
	}{{lock.Default, ScopeRequired}, {lock.Develop, ScopeExcluded}} {
		for _, n := range slices.Sorted(maps.Keys(sec.m)) {
			e := sec.m[n]
			v, ok := strings.CutPrefix(e.Version, "==")
			if !ok || v == "" {
				lf.Limits = append(lf.Limits, fmt.Sprintf("package %s has no pinned version (%s): not listed", n, cmp.Or(e.Git, cmp.Or(e.Path, "no version"))))
				continue
			}
			p := pyPkg(n, v)
			if i, ok := idx[p.Key]; ok {
				if sec.scope == ScopeRequired {
					lf.Packages[i].Scope = ScopeRequired
				}
				continue
			}
			p.Scope = sec.scope
			for _, h := range e.Hashes {
				if hh, ok := pySHA256(h); ok {
					p.Hashes = append(p.Hashes, hh)
				}
			}
			idx[p.Key] = len(lf.Packages)
			lf.Packages = append(lf.Packages, p)
		}
	}
	return lf, nil
}

type uVDep struct {
	Name string `toml:"name"`
}

type uvLock struct {
	Version *int `toml:"version"`
	Package []struct {
		Name                 string             `toml:"name"`
		Version              string             `toml:"version"`
		Source               map[string]any     `toml:"source"`
		Dependencies         []uVDep            `toml:"dependencies"`
		OptionalDependencies map[string][]uVDep `toml:"optional-dependencies"`
		DevDependencies      map[string][]uVDep `toml:"dev-dependencies"`
		Sdist                struct {
			Hash string `toml:"hash"`
		} `toml:"sdist"`
	} `toml:"package"`
}

// parseUV reads uv.lock with BurntSushi/toml. The project itself is
// the package whose source is editable or virtual ("."): its
// dependencies are direct, its dev-dependencies direct development
// ones; scope propagates through the graph.
func parseUV(in Input) (*File, error) {
	const format = "uv.lock"
	var lock uvLock
	if _, err := toml.Decode(string(in.Data), &lock); err != nil {
		return nil, wrapError(format, in.Name, in.Data, err)
	}
	if lock.Version == nil {
		return nil, newError(format, in.Name, 1, "no version: not a uv.lock")
	}
	lf := &File{Ecosystem: "PyPI"}
	var prod, dev, opt []string
	hasRoot := false
	for i, pk := range lock.Package {
		if pk.Name == "" {
			return nil, newError(format, in.Name, 0, "package %d has no name", i+1)
		}
		_, editable := pk.Source["editable"]
		_, virtual := pk.Source["virtual"]
		if editable || virtual {
			hasRoot = true
			for _, d := range pk.Dependencies {
				prod = append(prod, catalog.PEP503Name(d.Name))
			}
			for _, ds := range pk.OptionalDependencies {
				for _, d := range ds {
					opt = append(opt, catalog.PEP503Name(d.Name))
				}
			}
			for _, ds := range pk.DevDependencies {
				for _, d := range ds {
					dev = append(dev, catalog.PEP503Name(d.Name))
				}
			}
			continue
		}
		if pk.Version == "" {
			lf.Limits = append(lf.Limits, "package "+pk.Name+" has no version: not listed")
			continue
		}
		p := pyPkg(pk.Name, pk.Version)
		for _, d := range pk.Dependencies {
			p.Deps = append(p.Deps, catalog.PEP503Name(d.Name))
		}
		for _, ds := range pk.OptionalDependencies {
			for _, d := range ds {
				p.Deps = append(p.Deps, catalog.PEP503Name(d.Name))
			}
		}
		if h, ok := pySHA256(pk.Sdist.Hash); ok {
			p.Hashes = []Hash{h}
		}
		lf.Packages = append(lf.Packages, p)
	}
	if hasRoot {
		propagate(lf.Packages, prod, dev, opt...)
	}
	return lf, nil
}

// devGroups are dependency-group names that mean development.
var devGroups = map[string]bool{"dev": true, "test": true, "tests": true, "lint": true, "doc": true, "docs": true, "typing": true}

// parsePDM reads pdm.lock with BurntSushi/toml: "groups" says which
// dependency groups need a package; dependencies are PEP 508 strings.
func parsePDM(in Input) (*File, error) {
	const format = "pdm.lock"
	var lock struct {
		Package []struct {
			Name         string   `toml:"name"`
			Version      string   `toml:"version"`
			Groups       []string `toml:"groups"`
			Dependencies []string `toml:"dependencies"`
			Files        []struct {
				Hash string `toml:"hash"`
			} `toml:"files"`
		} `toml:"package"`
	}
	if _, err := toml.Decode(string(in.Data), &lock); err != nil {
		return nil, wrapError(format, in.Name, in.Data, err)
	}
	lf := &File{Ecosystem: "PyPI"}
	for i, pk := range lock.Package {
		if pk.Name == "" || pk.Version == "" {
			return nil, newError(format, in.Name, 0, "package %d has no name or version", i+1)
		}
		p := pyPkg(pk.Name, pk.Version)
		// pdm writes extras and dependency groups alike as groups:
		// "default" is runtime, well-known development group names are
		// development, any other group is an optional feature.
		for _, g := range pk.Groups {
			sc := ScopeOptional
			switch {
			case g == "default":
				sc = ScopeRequired
			case devGroups[g]:
				sc = ScopeExcluded
			}
			if sc.Rank() > p.Scope.Rank() {
				p.Scope = sc
			}
		}
		for _, d := range pk.Dependencies {
			if k := pyReqKey(d); k != "" {
				p.Deps = append(p.Deps, k)
			}
		}
		for _, f := range pk.Files {
			if h, ok := pySHA256(f.Hash); ok {
				p.Hashes = append(p.Hashes, h)
			}
		}
		lf.Packages = append(lf.Packages, p)
	}
	return lf, nil
}

// parsePylock reads pylock.toml (PEP 751) with BurntSushi/toml:
// [[packages]] with name and version; packages from a VCS or directory
// have no version and are listed in the limitations.
func parsePylock(in Input) (*File, error) {
	format := "pylock.toml"
	var lock struct {
		LockVersion string `toml:"lock-version"`
		Packages    []struct {
			Name    string `toml:"name"`
			Version string `toml:"version"`
			Sdist   struct {
				Hashes map[string]string `toml:"hashes"`
			} `toml:"sdist"`
			Dependencies []struct {
				Name string `toml:"name"`
			} `toml:"dependencies"`
		} `toml:"packages"`
	}
	if _, err := toml.Decode(string(in.Data), &lock); err != nil {
		return nil, wrapError(format, in.Name, in.Data, err)
	}
	if lock.LockVersion == "" {
		return nil, newError(format, in.Name, 0, "no lock-version: not a PEP 751 lockfile (%s)", path.Base(in.Name))
	}
	lf := &File{Ecosystem: "PyPI"}
	for i, pk := range lock.Packages {
		if pk.Name == "" {
			return nil, newError(format, in.Name, 0, "package %d has no name", i+1)
		}
		if pk.Version == "" {
			lf.Limits = append(lf.Limits, "package "+pk.Name+" has no version (VCS, directory or archive): not listed")
			continue
		}
		p := pyPkg(pk.Name, pk.Version)
		if h, ok := pk.Sdist.Hashes["sha256"]; ok {
			if hh, ok := pySHA256("sha256:" + h); ok {
				p.Hashes = []Hash{hh}
			}
		}
		for _, d := range pk.Dependencies {
			p.Deps = append(p.Deps, catalog.PEP503Name(d.Name))
		}
		lf.Packages = append(lf.Packages, p)
	}
	return lf, nil
}
