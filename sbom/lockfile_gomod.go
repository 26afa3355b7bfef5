package sbom

import (
	"fmt"

	"github.com/chaingate/chaingate/internal/lockfile"
)

// lockParseGoMod reads go.mod (and the go.sum beside it) with the same
// code as FromGoModule without the go command: every required module,
// direct or indirect as go.mod marks it, with its go.sum hash.
func lockParseGoMod(in lockfile.Input) (*lockfile.File, error) {
	var sum []byte
	if in.Sibling != nil {
		sum = in.Sibling("go.sum")
	}
	mf, sums, err := parseGoModSum(in.Name, in.Data, sum)
	if err != nil {
		return nil, fmt.Errorf("sbom: lockfile %s: %w", in.Name, err)
	}
	cfg := &generateConfig{limit: defaultInputLimit}
	doc := goModuleFromFiles(cfg, mf, sums, "FromDirectory reads files only")
	lf := lockFromDocument(doc, "Go")
	// FromDirectory says once, in its own words, what go.mod cannot tell.
	lf.Limits = []string{"go.mod read without the go command: modules needed only through other modules' go.mod files may be missing, and the module graph is not recorded"}
	// An excluded version is never selected: the go command would pick a
	// later one, which go.mod alone does not name.
	excluded := map[string]bool{}
	for _, x := range mf.Exclude {
		excluded[x.Mod.Path+"@"+x.Mod.Version] = true
	}
	kept := lf.Packages[:0]
	for _, p := range lf.Packages {
		if excluded[p.Name+"@"+p.Version] {
			lf.Limits = append(lf.Limits, fmt.Sprintf("%s@%s is required but excluded: the version the go command selects instead is unknown without the module graph, not listed", p.Name, p.Version))
			continue
		}
		kept = append(kept, p)
	}
	lf.Packages = kept
	for i := range lf.Packages {
		lf.Packages[i].Direct = -1
		for _, p := range lf.Packages[i].Props {
			if p.Name == PropGoDirect && p.Value == "true" {
				lf.Packages[i].Direct = 1
			}
		}
		lf.Packages[i].OSVPackage = lf.Packages[i].Name
	}
	return lf, nil
}
