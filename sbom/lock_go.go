package sbom

import "fmt"

// lockParseGoMod reads go.mod (and the go.sum beside it) with the same
// code as FromGoModule without the go command: every required module,
// direct or indirect as go.mod marks it, with its go.sum hash.
func lockParseGoMod(in lockInput) (*lockFile, error) {
	var sum []byte
	if in.sibling != nil {
		sum = in.sibling("go.sum")
	}
	mf, sums, err := genParseGoModSum(in.name, in.data, sum)
	if err != nil {
		return nil, fmt.Errorf("sbom: lockfile %s: %w", in.name, err)
	}
	cfg := &genConfig{limit: genDefaultLimit}
	doc := genGoModuleFromFiles(cfg, mf, sums, "FromDirectory reads files only")
	lf := lockFromDocument(doc, "Go")
	// FromDirectory says once, in its own words, what go.mod cannot tell.
	lf.limits = []string{"go.mod read without the go command: modules needed only through other modules' go.mod files may be missing, and the module graph is not recorded"}
	// An excluded version is never selected: the go command would pick a
	// later one, which go.mod alone does not name.
	excluded := map[string]bool{}
	for _, x := range mf.Exclude {
		excluded[x.Mod.Path+"@"+x.Mod.Version] = true
	}
	kept := lf.pkgs[:0]
	for _, p := range lf.pkgs {
		if excluded[p.name+"@"+p.version] {
			lf.limits = append(lf.limits, fmt.Sprintf("%s@%s is required but excluded: the version the go command selects instead is unknown without the module graph, not listed", p.name, p.version))
			continue
		}
		kept = append(kept, p)
	}
	lf.pkgs = kept
	for i := range lf.pkgs {
		lf.pkgs[i].direct = -1
		for _, p := range lf.pkgs[i].props {
			if p.Name == PropGoDirect && p.Value == "true" {
				lf.pkgs[i].direct = 1
			}
		}
		lf.pkgs[i].osvPkg = lf.pkgs[i].name
	}
	return lf, nil
}
