package lockfile

import (
	"encoding/json"
	"strings"

	"github.com/package-url/packageurl-go"
)

// parseComposer reads composer.lock (JSON): "packages" are runtime,
// "packages-dev" development; each package's "require" gives the edges
// (platform requirements such as "php" and "ext-json" are not packages).
// Direct packages come from the composer.json beside the lockfile.
func parseComposer(in Input) (*File, error) {
	const format = "composer.lock"
	type pkg struct {
		Name    string            `json:"name"`
		Version string            `json:"version"`
		Require map[string]string `json:"require"`
		Dist    struct {
			Shasum string `json:"shasum"`
		} `json:"dist"`
	}
	var lock struct {
		Packages    *[]pkg `json:"packages"`
		PackagesDev []pkg  `json:"packages-dev"`
	}
	if err := json.Unmarshal(in.Data, &lock); err != nil {
		return nil, wrapError(format, in.Name, in.Data, err)
	}
	if lock.Packages == nil {
		return nil, newError(format, in.Name, 0, "no \"packages\" list: not a composer.lock")
	}
	lf := &File{Ecosystem: "Packagist"}
	for _, sec := range []struct {
		pkgs  []pkg
		scope Scope
	}{{*lock.Packages, ScopeRequired}, {lock.PackagesDev, ScopeExcluded}} {
		for i, p := range sec.pkgs {
			vendor, name, ok := strings.Cut(p.Name, "/")
			if !ok || p.Version == "" {
				return nil, newError(format, in.Name, 0, "package %d (%q): want vendor/name and a version", i+1, trunc(p.Name))
			}
			lp := Package{Name: p.Name, Version: p.Version, Group: vendor, Key: strings.ToLower(p.Name), Scope: sec.scope,
				PURL: packageurl.NewPackageURL(packageurl.TypeComposer, vendor, name, p.Version, nil, "").ToString()}
			for r := range p.Require {
				if strings.Contains(r, "/") {
					lp.Deps = append(lp.Deps, strings.ToLower(r))
				}
			}
			if len(p.Dist.Shasum) == 40 {
				lp.Hashes = []Hash{{Algorithm: "SHA-1", Value: strings.ToLower(p.Dist.Shasum)}}
			}
			lf.Packages = append(lf.Packages, lp)
		}
	}
	if in.Sibling != nil {
		var cj struct {
			Require    map[string]string `json:"require"`
			RequireDev map[string]string `json:"require-dev"`
		}
		if data := in.Sibling("composer.json"); data != nil && json.Unmarshal(data, &cj) == nil {
			for i := range lf.Packages {
				_, a := cj.Require[lf.Packages[i].Name]
				_, b := cj.RequireDev[lf.Packages[i].Name]
				lf.Packages[i].Direct = -1
				if a || b {
					lf.Packages[i].Direct = 1
				}
			}
		}
	}
	return lf, nil
}
