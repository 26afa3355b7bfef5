package catalog

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// NPMPackage is an npm package found installed or in a lockfile.
type NPMPackage struct {
	Name, Version, License, Description string
	Dev                                 bool
}

// ParseNPMPackageJSON reads the identity of an installed package from
// its node_modules/<name>/package.json. A package.json without name or
// version (a workspace root, a test fixture) yields nil, nil.
func ParseNPMPackageJSON(data []byte, name string) (*NPMPackage, error) {
	var pj struct {
		Name        string          `json:"name"`
		Version     string          `json:"version"`
		License     json.RawMessage `json:"license"`
		Description string          `json:"description"`
	}
	if err := json.Unmarshal(data, &pj); err != nil {
		return nil, fmt.Errorf("sbom: npm package.json %s: %w", name, err)
	}
	if pj.Name == "" || pj.Version == "" {
		return nil, nil
	}
	p := &NPMPackage{Name: pj.Name, Version: pj.Version, Description: pj.Description}
	// "license": "MIT" or the deprecated {"type": "MIT", "url": ...}.
	var s string
	var obj struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(pj.License, &s) == nil {
		p.License = s
	} else if json.Unmarshal(pj.License, &obj) == nil {
		p.License = obj.Type
	}
	return p, nil
}

// ParseNPMLock lists the packages of a package-lock.json (or
// npm-shrinkwrap.json): the "packages" map of lockfile versions 2 and 3,
// else the nested "dependencies" of version 1. The root project itself
// and linked workspace packages are not listed.
func ParseNPMLock(data []byte, name string) ([]NPMPackage, error) {
	type v1dep struct {
		Version      string                     `json:"version"`
		Dev          bool                       `json:"dev"`
		Dependencies map[string]json.RawMessage `json:"dependencies"`
	}
	var lock struct {
		LockfileVersion int `json:"lockfileVersion"`
		Packages        map[string]struct {
			Name    string          `json:"name"`
			Version string          `json:"version"`
			Dev     bool            `json:"dev"`
			Link    bool            `json:"link"`
			License json.RawMessage `json:"license"`
		} `json:"packages"`
		Dependencies map[string]json.RawMessage `json:"dependencies"`
	}
	if err := json.Unmarshal(data, &lock); err != nil {
		return nil, fmt.Errorf("sbom: npm lockfile %s: %w", name, err)
	}
	var out []NPMPackage
	if len(lock.Packages) > 0 {
		keys := slices.Sorted(maps.Keys(lock.Packages))
		for _, k := range keys {
			e := lock.Packages[k]
			i := strings.LastIndex(k, "node_modules/")
			if k == "" || e.Link || i < 0 || e.Version == "" {
				continue
			}
			n := e.Name
			if n == "" {
				n = k[i+len("node_modules/"):]
			}
			p := NPMPackage{Name: n, Version: e.Version, Dev: e.Dev}
			var s string
			if json.Unmarshal(e.License, &s) == nil {
				p.License = s
			}
			out = append(out, p)
		}
		return out, nil
	}
	var walk func(deps map[string]json.RawMessage, depth int) error
	walk = func(deps map[string]json.RawMessage, depth int) error {
		if depth > 64 {
			return fmt.Errorf("sbom: npm lockfile %s: dependencies nested more than 64 deep", name)
		}
		names := make([]string, 0, len(deps))
		for n := range deps {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			var d v1dep
			if err := json.Unmarshal(deps[n], &d); err != nil {
				return fmt.Errorf("sbom: npm lockfile %s: dependency %s: %w", name, n, err)
			}
			if d.Version != "" && !strings.HasPrefix(d.Version, "file:") && !strings.HasPrefix(d.Version, "link:") {
				out = append(out, NPMPackage{Name: n, Version: d.Version, Dev: d.Dev})
			}
			if err := walk(d.Dependencies, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(lock.Dependencies, 0); err != nil {
		return nil, err
	}
	return out, nil
}
