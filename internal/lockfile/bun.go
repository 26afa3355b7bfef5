package lockfile

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// stripTrailingCommas returns JSON with the commas before a closing
// "]" or "}" removed, outside strings. bun.lock is JSON with trailing
// commas (and nothing else of JSON5), so this small pass lets
// encoding/json read it instead of adding a JSON5 library.
func stripTrailingCommas(data []byte) []byte {
	out := make([]byte, 0, len(data))
	inStr, esc := false, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inStr {
			out = append(out, c)
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		if c == '"' {
			inStr = true
		}
		if c == ',' {
			j := i + 1
			for j < len(data) && (data[j] == ' ' || data[j] == '\t' || data[j] == '\n' || data[j] == '\r') {
				j++
			}
			if j < len(data) && (data[j] == ']' || data[j] == '}') {
				// Keep the byte count for error offsets.
				out = append(out, ' ')
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

type bunWorkspace struct {
	Dependencies         map[string]string `json:"dependencies"`
	DevDependencies      map[string]string `json:"devDependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
}

// parseBun reads bun.lock (bun 1.2's text lockfile): each entry of
// "packages" is [ "name@version", registry, {dependencies...}, integrity ],
// keyed by its install path ("chalk/supports-color" is chalk's own copy).
func parseBun(in Input) (*File, error) {
	const format = "bun.lock"
	var lock struct {
		LockfileVersion *int                         `json:"lockfileVersion"`
		Workspaces      map[string]bunWorkspace      `json:"workspaces"`
		Packages        map[string][]json.RawMessage `json:"packages"`
	}
	data := stripTrailingCommas(in.Data)
	if err := json.Unmarshal(data, &lock); err != nil {
		return nil, wrapError(format, in.Name, data, err)
	}
	if lock.LockfileVersion == nil {
		return nil, newError(format, in.Name, 0, "no lockfileVersion")
	}
	lf := &File{Ecosystem: "npm"}
	keyOf := map[string]string{} // install path -> name@version
	depNames := map[string][]string{}
	for _, path := range slices.Sorted(maps.Keys(lock.Packages)) {
		arr := lock.Packages[path]
		if len(arr) == 0 {
			return nil, newError(format, in.Name, 0, "package %s: empty entry", trunc(path))
		}
		var ident string
		if err := json.Unmarshal(arr[0], &ident); err != nil {
			return nil, newError(format, in.Name, 0, "package %s: first element is not \"name@version\"", trunc(path))
		}
		name, version := yarnSpecName(ident)
		if name == "" || version == "" {
			return nil, newError(format, in.Name, 0, "package %s: %q is not name@version", trunc(path), trunc(ident))
		}
		if version[0] < '0' || version[0] > '9' {
			// workspace:, link:, file:, github:, git+... are not registry packages.
			if !strings.HasPrefix(version, "workspace:") && !strings.HasPrefix(version, "link:") {
				lf.Limits = append(lf.Limits, "package "+trunc(ident)+": not a registry version: not listed")
			}
			continue
		}
		key := name + "@" + version
		keyOf[path] = key
		var info struct {
			Dependencies         map[string]string `json:"dependencies"`
			OptionalDependencies map[string]string `json:"optionalDependencies"`
		}
		var integrity string
		if len(arr) > 2 {
			_ = json.Unmarshal(arr[2], &info) // metadata is optional
		}
		if len(arr) > 3 {
			_ = json.Unmarshal(arr[3], &integrity)
		}
		for n := range info.Dependencies {
			depNames[path] = append(depNames[path], n)
		}
		for n := range info.OptionalDependencies {
			depNames[path] = append(depNames[path], n)
		}
		dup := false
		for _, p := range lf.Packages {
			if p.Key == key {
				dup = true
				break
			}
		}
		if !dup {
			lf.Packages = append(lf.Packages, Package{Name: name, Version: version, PURL: npmPURL(name, version), Key: key,
				Group: npmScope(name), Hashes: SRIHashes(integrity, newHash)})
		}
	}
	idx := map[string]int{}
	for i, p := range lf.Packages {
		idx[p.Key] = i
	}
	// Node's lookup: a dependency of "a/b" is "a/b/<dep>", else "a/<dep>", else "<dep>".
	resolve := func(from, n string) (string, bool) {
		for p := from; ; {
			if k, ok := keyOf[p+"/"+n]; ok {
				return k, true
			}
			i := strings.LastIndexByte(p, '/')
			if i < 0 {
				break
			}
			p = p[:i]
		}
		k, ok := keyOf[n]
		return k, ok
	}
	for path, names := range depNames {
		i, ok := idx[keyOf[path]]
		if !ok {
			continue
		}
		for _, n := range names {
			if k, ok := resolve(path, n); ok {
				lf.Packages[i].Deps = append(lf.Packages[i].Deps, k)
			}
		}
	}
	var prod, dev []string
	for _, ws := range lock.Workspaces {
		for _, m := range []map[string]string{ws.Dependencies, ws.OptionalDependencies} {
			for n := range m {
				if k, ok := keyOf[n]; ok {
					prod = append(prod, k)
				}
			}
		}
		for n := range ws.DevDependencies {
			if k, ok := keyOf[n]; ok {
				dev = append(dev, k)
			}
		}
	}
	propagate(lf.Packages, prod, dev)
	return lf, nil
}
