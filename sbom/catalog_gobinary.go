package sbom

import (
	"debug/buildinfo"
	"fmt"
)

// goBinaryPackages turns the build information of a Go binary found in an
// image into components, with FromGoBuildInfo (the same logic as
// FromGoBinary): the main module first, then the toolchain's standard
// library and every linked module, each depending on nothing and linked
// from the main module.
func goBinaryPackages(bi *buildinfo.BuildInfo, f imageFile) ([]foundPkg, error) {
	d, err := FromGoBuildInfo(bi)
	if err != nil {
		return nil, fmt.Errorf("go build info: %w", err)
	}
	root := d.Component(d.Root)
	if root == nil {
		return nil, fmt.Errorf("go build info: no main module")
	}
	loc := []Location{{Path: f.path, Layer: f.layer}}
	mainKey := nonEmpty(root.PURL, root.Name+"@"+root.Version)
	out := make([]foundPkg, 0, len(d.Components))
	for _, c := range d.Components {
		c.ID = ""
		c.Locations = loc
		c.Properties = append([]Property{{PropCataloguer, "go-binary"}, {PropOSVEcosystem, "Go"},
			{PropOSVPackage, c.Name}}, c.Properties...)
		pk := foundPkg{c: c}
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
