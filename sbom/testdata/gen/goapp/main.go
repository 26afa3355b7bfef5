// Command goapp is a tiny program the sbom tests build to read its Go
// build information: it links two real modules of chaingate's build list.
package main

import (
	"fmt"

	"github.com/package-url/packageurl-go"
	"golang.org/x/mod/semver"
)

func main() {
	p := packageurl.NewPackageURL(packageurl.TypeGolang, "golang.org/x", "mod", "v0.41.0", nil, "")
	fmt.Println(p.ToString(), semver.Major(p.Version))
}
