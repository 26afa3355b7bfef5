package sbom

import (
	"encoding/json"

	"github.com/package-url/packageurl-go"
)

// lockParseRenv reads renv.lock (R): each package with its version,
// source (Repository, Bioconductor, GitHub, ...) and requirements.
// Packages from CRAN-like repositories get pkg:cran purls; others keep
// their source in a property.
func lockParseRenv(in lockInput) (*lockFile, error) {
	const format = "renv.lock"
	var lock struct {
		R        *json.RawMessage `json:"R"`
		Packages map[string]struct {
			Package      string   `json:"Package"`
			Version      string   `json:"Version"`
			Source       string   `json:"Source"`
			Repository   string   `json:"Repository"`
			Requirements []string `json:"Requirements"`
		} `json:"Packages"`
	}
	if err := json.Unmarshal(in.data, &lock); err != nil {
		return nil, lockWrap(format, in.name, in.data, err)
	}
	if lock.Packages == nil {
		return nil, lockErr(format, in.name, 0, "no Packages: not a renv.lock")
	}
	lf := &lockFile{eco: "CRAN"}
	for _, k := range sortedKeys(lock.Packages) {
		e := lock.Packages[k]
		name := nonEmpty(e.Package, k)
		if e.Version == "" {
			return nil, lockErr(format, in.name, 0, "package %s has no version", name)
		}
		p := lockPkg{name: name, version: e.Version, key: name, deps: e.Requirements,
			purl: packageurl.NewPackageURL(packageurl.TypeCran, "", name, e.Version, nil, "").ToString()}
		if e.Source != "Repository" || (e.Repository != "CRAN" && e.Repository != "RSPM" && e.Repository != "") {
			p.props = []Property{{"chaingate:renv:source", nonEmpty(e.Repository, e.Source)}}
		}
		lf.pkgs = append(lf.pkgs, p)
	}
	return lf, nil
}
