package sbom

import (
	"debug/buildinfo"
	"fmt"
)

// catGoBinary turns the build information of a Go binary found in an
// image into components, with FromGoBuildInfo (the same logic as
// FromGoBinary): the main module first, then the toolchain's standard
// library and every linked module, each depending on nothing and linked
// from the main module.
func catGoBinary(bi *buildinfo.BuildInfo, f catFile) ([]catPkg, error) {
	d, err := FromGoBuildInfo(bi)
	if err != nil {
		return nil, fmt.Errorf("go build info: %w", err)
	}
	root := d.Component(d.Root)
	if root == nil {
		return nil, fmt.Errorf("go build info: no main module")
	}
	loc := []Location{{Path: f.path, Layer: f.layer}}
	mainKey := catOr(root.PURL, root.Name+"@"+root.Version)
	out := make([]catPkg, 0, len(d.Components))
	for _, c := range d.Components {
		c.ID = ""
		c.Locations = loc
		c.Properties = append([]Property{{PropCataloguer, "go-binary"}, {PropOSVEcosystem, "Go"},
			{PropOSVPackage, c.Name}}, c.Properties...)
		pk := catPkg{c: c}
		if c.PURL != root.PURL || c.Name != root.Name {
			pk.goMain = mainKey
		}
		out = append(out, pk)
	}
	// Keep the main module first so it is registered before its modules.
	for i := range out {
		if out[i].goMain == "" && i != 0 {
			out[0], out[i] = out[i], out[0]
			break
		}
	}
	return out, nil
}
