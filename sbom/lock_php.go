package sbom

import (
	"encoding/json"
	"strings"

	"github.com/package-url/packageurl-go"
)

// lockParseComposer reads composer.lock (JSON): "packages" are runtime,
// "packages-dev" development; each package's "require" gives the edges
// (platform requirements such as "php" and "ext-json" are not packages).
// Direct packages come from the composer.json beside the lockfile.
func lockParseComposer(in lockInput) (*lockFile, error) {
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
	if err := json.Unmarshal(in.data, &lock); err != nil {
		return nil, lockWrap(format, in.name, in.data, err)
	}
	if lock.Packages == nil {
		return nil, lockErr(format, in.name, 0, "no \"packages\" list: not a composer.lock")
	}
	lf := &lockFile{eco: "Packagist"}
	for _, sec := range []struct {
		pkgs  []pkg
		scope Scope
	}{{*lock.Packages, ScopeRequired}, {lock.PackagesDev, ScopeExcluded}} {
		for i, p := range sec.pkgs {
			vendor, name, ok := strings.Cut(p.Name, "/")
			if !ok || p.Version == "" {
				return nil, lockErr(format, in.name, 0, "package %d (%q): want vendor/name and a version", i+1, lockTrunc(p.Name))
			}
			lp := lockPkg{name: p.Name, version: p.Version, group: vendor, key: strings.ToLower(p.Name), scope: sec.scope,
				purl: packageurl.NewPackageURL(packageurl.TypeComposer, vendor, name, p.Version, nil, "").ToString()}
			for r := range p.Require {
				if strings.Contains(r, "/") {
					lp.deps = append(lp.deps, strings.ToLower(r))
				}
			}
			if len(p.Dist.Shasum) == 40 {
				lp.hashes = []Hash{{Algorithm: "SHA-1", Value: strings.ToLower(p.Dist.Shasum)}}
			}
			lf.pkgs = append(lf.pkgs, lp)
		}
	}
	if in.sibling != nil {
		var cj struct {
			Require    map[string]string `json:"require"`
			RequireDev map[string]string `json:"require-dev"`
		}
		if data := in.sibling("composer.json"); data != nil && json.Unmarshal(data, &cj) == nil {
			for i := range lf.pkgs {
				_, a := cj.Require[lf.pkgs[i].name]
				_, b := cj.RequireDev[lf.pkgs[i].name]
				lf.pkgs[i].direct = -1
				if a || b {
					lf.pkgs[i].direct = 1
				}
			}
		}
	}
	return lf, nil
}
