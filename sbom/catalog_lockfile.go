package sbom

import (
	"path"
	"strings"

	"github.com/chaingate/chaingate/internal/lockfile"
)

// lockfileSkip are directories whose lockfiles FromImage does not
// read: installed dependency trees (their own lockfiles describe what
// their authors tested with, not what the image holds) and toolchain
// sources.
var lockfileSkip = []string{"/node_modules/", "/site-packages/", "/dist-packages/", "/vendor/",
	"/usr/local/go/", "/usr/lib/go/", "/root/go/pkg/mod/", "/go/pkg/mod/", "/.cargo/registry/", "/gems/"}

// isImageLockfile says whether the file at p is a lockfile FromImage
// reads with FromDirectory's parsers. npm lockfiles have their own
// cataloguer (kindNpmLock); go.mod is not read in images, where Go
// binaries record what was really linked.
func isImageLockfile(p, base string) bool {
	if base == "go.mod" || base == "package-lock.json" || base == "npm-shrinkwrap.json" {
		return false
	}
	if lockParserFor(base) == nil {
		return false
	}
	for _, s := range lockfileSkip {
		if strings.Contains(p, s) {
			return false
		}
	}
	return true
}

// lockfilePackages lists the packages of a lockfile in an image.
// Dependency edges are not kept: in an image every package is a
// dependency of the image itself.
func lockfilePackages(f imageFile) ([]foundPkg, error) {
	lf, err := lockParse(lockfile.Input{Data: f.data, Name: f.path})
	if err != nil {
		return nil, err
	}
	loc := []Location{{Path: f.path, Layer: f.layer}}
	pkgs := make([]foundPkg, 0, len(lf.Packages))
	for _, p := range lf.Packages {
		c := lockComponent(lf, p, loc)
		c.Properties = append([]Property{{PropCataloguer, "lockfile:" + path.Base(f.path)}}, c.Properties...)
		pkgs = append(pkgs, foundPkg{c: c})
	}
	return pkgs, nil
}
