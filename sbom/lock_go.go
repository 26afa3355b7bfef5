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
