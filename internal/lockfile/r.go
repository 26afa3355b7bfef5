package lockfile

import (
	"cmp"
	"encoding/json"
	"maps"
	"slices"

	"github.com/package-url/packageurl-go"
)

// parseRenv reads renv.lock (R): each package with its version,
// source (Repository, Bioconductor, GitHub, ...) and requirements.
// Packages from CRAN-like repositories get pkg:cran purls; others keep
// their source in a property.
func parseRenv(in Input) (*File, error) {
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
	if err := json.Unmarshal(in.Data, &lock); err != nil {
		return nil, wrapError(format, in.Name, in.Data, err)
	}
	if lock.Packages == nil {
		return nil, newError(format, in.Name, 0, "no Packages: not a renv.lock")
	}
	lf := &File{Ecosystem: "CRAN"}
	for _, k := range slices.Sorted(maps.Keys(lock.Packages)) {
		e := lock.Packages[k]
		name := cmp.Or(e.Package, k)
		if e.Version == "" {
			return nil, newError(format, in.Name, 0, "package %s has no version", name)
		}
		p := Package{Name: name, Version: e.Version, Key: name, Deps: e.Requirements,
			PURL: packageurl.NewPackageURL(packageurl.TypeCran, "", name, e.Version, nil, "").ToString()}
		if e.Source != "Repository" || (e.Repository != "CRAN" && e.Repository != "RSPM" && e.Repository != "") {
			p.Props = []Property{{"chaingate:renv:source", cmp.Or(e.Repository, e.Source)}}
		}
		lf.Packages = append(lf.Packages, p)
	}
	return lf, nil
}
