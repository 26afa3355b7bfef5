package lockfile

import (
	"bufio"
	"bytes"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// parseYarn reads yarn.lock: the classic format of yarn 1 (its own
// syntax, read line by line below: no Go library reads it) or the YAML
// of yarn 2 and later ("berry", recognised by its __metadata entry).
// Direct packages and development scope come from the package.json
// beside the lockfile (berry also lists the workspace's dependencies).
func parseYarn(in Input) (*File, error) {
	if bytes.Contains(in.Data, []byte("\n__metadata:")) || bytes.HasPrefix(in.Data, []byte("__metadata:")) {
		return parseYarnBerry(in)
	}
	return parseYarnV1(in)
}

// yarnSpecName splits a yarn specifier ("@babel/core@^7.0.0",
// "lodash@npm:^4", "alias@npm:real@^1") into the name it is requested by
// and the range.
func yarnSpecName(spec string) (name, rng string) {
	spec = strings.Trim(strings.TrimSpace(spec), `"`)
	i := strings.IndexByte(spec[min(1, len(spec)):], '@')
	if i < 0 {
		return spec, ""
	}
	i++
	return spec[:i], spec[i+1:]
}

func parseYarnV1(in Input) (*File, error) {
	const format = "yarn.lock"
	lf := &File{Ecosystem: "npm"}
	bySpec := map[string]string{} // "name@range" -> key
	type entry struct {
		specs    []string
		name     string
		version  string
		integ    string
		resolved string
		deps     []string
		line     int
	}
	var entries []*entry
	var cur *entry
	inDeps := false
	sc := bufio.NewScanner(bytes.NewReader(in.Data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		raw := strings.TrimRight(sc.Text(), " \r")
		if raw == "" || strings.HasPrefix(strings.TrimSpace(raw), "#") {
			continue
		}
		indent := len(raw) - len(strings.TrimLeft(raw, " "))
		text := strings.TrimSpace(raw)
		switch {
		case indent == 0:
			if !strings.HasSuffix(text, ":") {
				return nil, newError(format, in.Name, line, "entry header %q does not end with ':'", trunc(text))
			}
			cur = &entry{line: line}
			for _, s := range strings.Split(strings.TrimSuffix(text, ":"), ",") {
				s = strings.Trim(strings.TrimSpace(s), `"`)
				if s != "" {
					cur.specs = append(cur.specs, s)
				}
			}
			if len(cur.specs) == 0 {
				return nil, newError(format, in.Name, line, "entry header without a package")
			}
			cur.name, _ = yarnSpecName(cur.specs[0])
			// An alias ("alias@npm:real@^1") installs the real package.
			if _, r := yarnSpecName(cur.specs[0]); strings.HasPrefix(r, "npm:") && strings.Contains(r[5:], "@") {
				cur.name, _ = yarnSpecName(r[4:])
			}
			entries = append(entries, cur)
			inDeps = false
		case cur == nil:
			return nil, newError(format, in.Name, line, "indented line before any entry")
		case indent == 2:
			k, v, _ := strings.Cut(text, " ")
			v = strings.Trim(strings.TrimSpace(v), `"`)
			inDeps = k == "dependencies:" || k == "optionalDependencies:"
			switch k {
			case "version":
				cur.version = v
			case "integrity":
				cur.integ = v
			case "resolved":
				cur.resolved = v
			}
		case indent >= 4 && inDeps:
			k, v, _ := strings.Cut(text, " ")
			cur.deps = append(cur.deps, strings.Trim(k, `"`)+"@"+strings.Trim(strings.TrimSpace(v), `"`))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, newError(format, in.Name, line+1, "%v", err)
	}
	for _, e := range entries {
		if e.version == "" {
			return nil, newError(format, in.Name, e.line, "package %s has no version", e.name)
		}
		// The registry URL names the package really installed, which an
		// alias entry's header does not.
		if n := npmNameFromTarball(e.resolved); n != "" {
			e.name = n
		}
		key := e.name + "@" + e.version
		for _, s := range e.specs {
			bySpec[s] = key
		}
	}
	seen := map[string]int{}
	for _, e := range entries {
		key := e.name + "@" + e.version
		var deps []string
		for _, d := range e.deps {
			if k, ok := bySpec[d]; ok {
				deps = append(deps, k)
			}
		}
		if i, ok := seen[key]; ok {
			lf.Packages[i].Deps = append(lf.Packages[i].Deps, deps...)
			continue
		}
		seen[key] = len(lf.Packages)
		lf.Packages = append(lf.Packages, Package{Name: e.name, Version: e.version, PURL: npmPURL(e.name, e.version),
			Key: key, Deps: deps, Hashes: SRIHashes(e.integ, newHash), Group: npmScope(e.name)})
	}
	yarnRoots(in, lf, bySpec, nil)
	return lf, nil
}

// yarnRoots marks direct packages and scopes from package.json.
func yarnRoots(in Input, lf *File, bySpec map[string]string, workspace []string) {
	m := readPackageJSON(in)
	if m == nil && workspace == nil {
		return
	}
	var prod, dev []string
	if m != nil {
		for n, r := range m.prod {
			if k, ok := yarnLookup(bySpec, n, r); ok {
				prod = append(prod, k)
			}
		}
		for n, r := range m.dev {
			if k, ok := yarnLookup(bySpec, n, r); ok {
				dev = append(dev, k)
			}
		}
	}
	if m == nil {
		prod = workspace
	}
	propagate(lf.Packages, prod, dev)
}

// yarnLookup finds the entry a dependency "name": "range" resolves
// to; berry writes the range with or without its "npm:" protocol.
func yarnLookup(bySpec map[string]string, name, rng string) (string, bool) {
	if k, ok := bySpec[name+"@"+rng]; ok {
		return k, true
	}
	k, ok := bySpec[name+"@npm:"+rng]
	return k, ok
}

// npmScope returns the scope of an npm name ("@babel"), or "".
func npmScope(name string) string {
	if strings.HasPrefix(name, "@") {
		if i := strings.IndexByte(name, '/'); i > 0 {
			return name[:i]
		}
	}
	return ""
}

// trunc shortens s for an error message.
func trunc(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// yarnBerryEntry is one entry of a yarn 2+ lockfile.
type yarnBerryEntry struct {
	Version              string            `yaml:"version"`
	Resolution           string            `yaml:"resolution"`
	Checksum             string            `yaml:"checksum"`
	Dependencies         map[string]string `yaml:"dependencies"`
	OptionalDependencies map[string]string `yaml:"optionalDependencies"`
}

func parseYarnBerry(in Input) (*File, error) {
	const format = "yarn.lock"
	// Decoded as a node, not a map: real lockfiles repeat an entry now
	// and then, which a map decode rejects as a duplicate key.
	var top yaml.Node
	if err := yaml.Unmarshal(in.Data, &top); err != nil {
		return nil, wrapError(format, in.Name, in.Data, err)
	}
	if len(top.Content) != 1 || top.Content[0].Kind != yaml.MappingNode {
		return nil, newError(format, in.Name, 1, "not a YAML mapping")
	}
	raw := map[string]*yaml.Node{}
	m := top.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if _, dup := raw[m.Content[i].Value]; !dup {
			raw[m.Content[i].Value] = m.Content[i+1]
		}
	}
	lf := &File{Ecosystem: "npm"}
	bySpec := map[string]string{}
	var workspace []string
	hasWorkspace := false
	type parsed struct {
		key string
		e   yarnBerryEntry
	}
	var all []parsed
	seen := map[string]int{}
	for _, spec := range slices.Sorted(maps.Keys(raw)) {
		if spec == "__metadata" {
			continue
		}
		node := raw[spec]
		var e yarnBerryEntry
		if err := node.Decode(&e); err != nil {
			return nil, newError(format, in.Name, node.Line, "entry %s: %v", trunc(spec), err)
		}
		// The resolution names the package really installed:
		// "@babel/core@npm:7.26.0", "mine@workspace:.", "x@patch:...".
		name, proto := yarnSpecName(e.Resolution)
		if name == "" || e.Version == "" {
			return nil, newError(format, in.Name, node.Line, "entry %s has no resolution or version", trunc(spec))
		}
		local := strings.HasPrefix(proto, "workspace:") || strings.HasPrefix(proto, "link:") ||
			strings.HasPrefix(proto, "portal:") || strings.HasPrefix(proto, "file:")
		key := name + "@" + e.Version
		for _, s := range strings.Split(spec, ",") {
			s = strings.TrimSpace(s)
			bySpec[s] = key
		}
		if local {
			if proto == "workspace:." {
				hasWorkspace = true
				for n, r := range e.Dependencies {
					workspace = append(workspace, n+"@"+r)
				}
			}
			continue
		}
		if _, ok := seen[key]; ok {
			continue
		}
		seen[key] = len(all)
		all = append(all, parsed{key, e})
	}
	for _, p := range all {
		name, _ := yarnSpecName(p.e.Resolution)
		lp := Package{Name: name, Version: p.e.Version, PURL: npmPURL(name, p.e.Version), Key: p.key,
			Group: npmScope(name)}
		for _, deps := range []map[string]string{p.e.Dependencies, p.e.OptionalDependencies} {
			for n, r := range deps {
				if k, ok := yarnLookup(bySpec, n, r); ok {
					lp.Deps = append(lp.Deps, k)
				}
			}
		}
		lf.Packages = append(lf.Packages, lp)
	}
	var ws []string
	for _, s := range workspace {
		n, r := yarnSpecName(s)
		if k, ok := yarnLookup(bySpec, n, r); ok {
			ws = append(ws, k)
		}
	}
	if hasWorkspace && ws == nil {
		ws = []string{} // a workspace without dependencies
	}
	yarnRoots(in, lf, bySpec, ws)
	return lf, nil
}
