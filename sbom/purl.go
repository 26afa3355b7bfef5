package sbom

import (
	"strings"

	"github.com/package-url/packageurl-go"
)

// GoPURL returns the package URL of a Go module version:
// pkg:golang/<module path>@<version>. The module path is kept verbatim,
// case included (Go module paths are case-sensitive), each segment
// percent-encoded as the purl specification (ECMA-427) requires, so
// "v1.2.3+incompatible" is written "v1.2.3%2Bincompatible". An empty
// version gives a purl without a version.
func GoPURL(modulePath, version string) string {
	ns, name := splitLast(modulePath)
	// packageurl-go's ToString encodes each segment per the spec and, unlike
	// its parser, does not lowercase golang namespaces and names.
	return packageurl.NewPackageURL(packageurl.TypeGolang, ns, name, version, nil, "").ToString()
}

// NPMPURL returns the package URL of an npm package version:
// pkg:npm/<name>@<version>, with a scope written as an encoded namespace
// ("@babel/core" gives pkg:npm/%40babel/core@<version>). An empty version
// gives a purl without a version.
func NPMPURL(name, version string) string {
	ns, n := "", name
	if strings.HasPrefix(name, "@") {
		if i := strings.IndexByte(name, '/'); i > 0 {
			ns, n = name[:i], name[i+1:]
		}
	}
	return packageurl.NewPackageURL(packageurl.TypeNPM, ns, n, version, nil, "").ToString()
}

// splitLast splits p at its last slash into namespace and name.
func splitLast(p string) (ns, name string) {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i], p[i+1:]
	}
	return "", p
}
