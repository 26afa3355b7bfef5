package lockfile

import (
	"encoding/hex"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/package-url/packageurl-go"
)

// parseCargo reads Cargo.lock (versions 1 to 4) with
// BurntSushi/toml. Packages without a source are the workspace's own
// crates: they are not components, and what they depend on is direct.
// A dependency is written "name", "name version" or "name version
// (source)" when several versions are locked.
func parseCargo(in Input) (*File, error) {
	const format = "Cargo.lock"
	var lock struct {
		Package []struct {
			Name         string   `toml:"name"`
			Version      string   `toml:"version"`
			Source       string   `toml:"source"`
			Checksum     string   `toml:"checksum"`
			Dependencies []string `toml:"dependencies"`
		} `toml:"package"`
	}
	if _, err := toml.Decode(string(in.Data), &lock); err != nil {
		return nil, wrapError(format, in.Name, in.Data, err)
	}
	lf := &File{Ecosystem: "crates.io"}
	versions := map[string][]string{} // name -> versions locked
	for i, p := range lock.Package {
		if p.Name == "" || p.Version == "" {
			return nil, newError(format, in.Name, 0, "package %d has no name or version", i+1)
		}
		versions[p.Name] = append(versions[p.Name], p.Version)
	}
	depKey := func(d string) string {
		f := strings.Fields(d)
		switch {
		case len(f) == 0:
			return ""
		case len(f) >= 2:
			return f[0] + "@" + f[1]
		case len(versions[f[0]]) > 0:
			return f[0] + "@" + versions[f[0]][0]
		}
		return ""
	}
	var roots []string
	for _, p := range lock.Package {
		var deps []string
		for _, d := range p.Dependencies {
			if k := depKey(d); k != "" {
				deps = append(deps, k)
			}
		}
		if p.Source == "" {
			roots = append(roots, deps...)
			continue
		}
		lp := Package{Name: p.Name, Version: p.Version, Key: p.Name + "@" + p.Version, Deps: deps,
			PURL: packageurl.NewPackageURL(packageurl.TypeCargo, "", p.Name, p.Version, nil, "").ToString()}
		if len(p.Checksum) == 64 {
			if _, err := hex.DecodeString(p.Checksum); err == nil {
				lp.Hashes = []Hash{{Algorithm: "SHA-256", Value: strings.ToLower(p.Checksum)}}
			}
		}
		if !strings.HasPrefix(p.Source, "registry+") && !strings.HasPrefix(p.Source, "sparse+") {
			lp.Props = append(lp.Props, Property{"chaingate:cargo:source", p.Source})
		}
		lf.Packages = append(lf.Packages, lp)
	}
	if len(roots) > 0 {
		propagate(lf.Packages, roots, nil)
		for i := range lf.Packages {
			lf.Packages[i].Scope = ScopeUnknown // Cargo.lock mixes dev- and build-dependencies in
		}
	}
	return lf, nil
}
