package lockfile

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// pnpmDeps is a pnpm dependency map: name -> version (lockfile 5)
// or name -> {specifier, version} (lockfile 6 and 9 importers).
type pnpmDeps map[string]yaml.Node

// versions returns name -> resolved version.
func (d pnpmDeps) versions() map[string]string {
	out := make(map[string]string, len(d))
	for n, node := range d {
		switch node.Kind {
		case yaml.ScalarNode:
			out[n] = node.Value
		case yaml.MappingNode:
			var v struct {
				Version string `yaml:"version"`
			}
			if node.Decode(&v) == nil {
				out[n] = v.Version
			}
		}
	}
	return out
}

type pnpmImporter struct {
	Dependencies         pnpmDeps `yaml:"dependencies"`
	OptionalDependencies pnpmDeps `yaml:"optionalDependencies"`
	DevDependencies      pnpmDeps `yaml:"devDependencies"`
}

type pnpmPackage struct {
	Resolution struct {
		Integrity string `yaml:"integrity"`
		Tarball   string `yaml:"tarball"`
	} `yaml:"resolution"`
	Name                 string   `yaml:"name"`
	Version              string   `yaml:"version"`
	Dev                  *bool    `yaml:"dev"`
	Dependencies         pnpmDeps `yaml:"dependencies"`
	OptionalDependencies pnpmDeps `yaml:"optionalDependencies"`
}

type pnpmLock struct {
	LockfileVersion any                     `yaml:"lockfileVersion"`
	Importers       map[string]pnpmImporter `yaml:"importers"`
	Packages        map[string]pnpmPackage  `yaml:"packages"`
	Snapshots       map[string]pnpmPackage  `yaml:"snapshots"`
	pnpmImporter    `yaml:",inline"`
}

// pnpmKey turns a pnpm package key into name and version:
// "/lodash/4.17.21" (v5), "/@babel/core@7.26.0(supports-color@8.1.1)"
// (v6), "@babel/core@7.26.0" (v9). Peer suffixes, "(...)" or "_...",
// are dropped.
func pnpmKey(k string, v5 bool) (name, version string) {
	k = strings.TrimPrefix(k, "/")
	if i := strings.IndexByte(k, '('); i > 0 {
		k = k[:i]
	}
	if v5 {
		i := strings.LastIndexByte(k, '/')
		if i <= 0 {
			return "", ""
		}
		name, version = k[:i], k[i+1:]
		if j := strings.IndexByte(version, '_'); j > 0 {
			version = version[:j]
		}
		return name, version
	}
	i := strings.LastIndexByte(k, '@')
	if i <= 0 {
		return "", ""
	}
	return k[:i], k[i+1:]
}

// pnpmStrip drops a peer suffix from a dependency version.
func pnpmStrip(v string) string {
	if i := strings.IndexByte(v, '('); i > 0 {
		v = v[:i]
	}
	return v
}

// parsePnpm reads pnpm-lock.yaml, lockfile versions 5 to 9, with
// go.yaml.in/yaml/v3. Direct packages come from the importers (the
// project and its workspaces; the top-level maps of single-project v5
// lockfiles); development scope from the devDependencies of importers,
// propagated through the graph (v5 and v6 also mark "dev": true).
func parsePnpm(in Input) (*File, error) {
	const format = "pnpm-lock.yaml"
	var lock pnpmLock
	if err := yaml.Unmarshal(in.Data, &lock); err != nil {
		return nil, wrapError(format, in.Name, in.Data, err)
	}
	ver := 0.0
	switch v := lock.LockfileVersion.(type) {
	case string:
		ver, _ = strconv.ParseFloat(v, 64)
	case float64:
		ver = v
	case int:
		ver = float64(v)
	}
	if ver == 0 {
		return nil, newError(format, in.Name, 1, "no lockfileVersion")
	}
	v5 := ver < 6
	lf := &File{Ecosystem: "npm"}
	idx := map[string]int{}
	for _, k := range slices.Sorted(maps.Keys(lock.Packages)) {
		p := lock.Packages[k]
		name, version := pnpmKey(k, v5)
		if p.Name != "" {
			name, version = p.Name, cmp.Or(p.Version, version)
		}
		if name == "" || version == "" || version[0] < '0' || version[0] > '9' {
			lf.Limits = append(lf.Limits, "package "+trunc(k)+": not a registry version (tarball, git or local): not listed")
			continue
		}
		key := name + "@" + version
		if _, ok := idx[key]; ok {
			continue
		}
		lp := Package{Name: name, Version: version, PURL: npmPURL(name, version), Key: key,
			Group: npmScope(name), Hashes: SRIHashes(p.Resolution.Integrity, newHash)}
		if p.Dev != nil {
			lp.Scope = ScopeRequired
			if *p.Dev {
				lp.Scope = ScopeExcluded
			}
		}
		idx[key] = len(lf.Packages)
		lf.Packages = append(lf.Packages, lp)
	}
	// Edges: v9 keeps them in snapshots, older versions in packages.
	edgeSrc := lock.Packages
	if len(lock.Snapshots) > 0 {
		edgeSrc = lock.Snapshots
	}
	for _, k := range slices.Sorted(maps.Keys(edgeSrc)) {
		name, version := pnpmKey(k, v5)
		i, ok := idx[name+"@"+version]
		if !ok {
			continue
		}
		p := edgeSrc[k]
		for _, deps := range []pnpmDeps{p.Dependencies, p.OptionalDependencies} {
			for n, v := range deps.versions() {
				lf.Packages[i].Deps = append(lf.Packages[i].Deps, pnpmDepKey(n, v, v5))
			}
		}
	}
	importers := lock.Importers
	if len(importers) == 0 {
		importers = map[string]pnpmImporter{".": lock.pnpmImporter}
	}
	var prod, dev []string
	for _, imp := range importers {
		for _, deps := range []pnpmDeps{imp.Dependencies, imp.OptionalDependencies} {
			for n, v := range deps.versions() {
				prod = append(prod, pnpmDepKey(n, v, v5))
			}
		}
		for n, v := range imp.DevDependencies.versions() {
			dev = append(dev, pnpmDepKey(n, v, v5))
		}
	}
	explicit := make([]Scope, len(lf.Packages))
	for i := range lf.Packages {
		explicit[i] = lf.Packages[i].Scope
	}
	propagate(lf.Packages, prod, dev)
	for i, s := range explicit {
		if s != ScopeUnknown {
			lf.Packages[i].Scope = s // the lockfile's own dev flag wins
		}
	}
	return lf, nil
}

// pnpmDepKey is the key of the package a dependency entry resolves
// to: "name@version", or, for an alias or v5 path ("/name/1.0.0",
// "npm:real@1.0.0"), the package it names.
func pnpmDepKey(name, v string, v5 bool) string {
	v = pnpmStrip(v)
	if strings.HasPrefix(v, "/") || (strings.Contains(v, "@") && !strings.HasPrefix(v, "link:")) {
		n, ver := pnpmKey(strings.TrimPrefix(v, "npm:"), v5 && strings.HasPrefix(v, "/"))
		if n != "" {
			return n + "@" + ver
		}
	}
	if v5 {
		if j := strings.IndexByte(v, '_'); j > 0 {
			v = v[:j]
		}
	}
	return name + "@" + v
}
