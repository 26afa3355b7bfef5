package policy

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
)

//go:embed library/*.rego library/README.md
var policyLibraryFS embed.FS

// Library areas, for WithLibrary. Each is one Rego package
// (chaingate.lib.<area>) configured by data.chaingate.config.<area>; see
// library/README.md for every rule and setting.
const (
	LibraryVulnerabilities = "vulnerabilities"
	LibraryProvenance      = "provenance"
	LibrarySBOM            = "sbom"
	LibraryImage           = "image"
	LibraryGitOps          = "gitops"
	LibrarySignals         = "signals"
)

var policyLibraryAreas = []string{LibraryVulnerabilities, LibraryProvenance, LibrarySBOM, LibraryImage, LibraryGitOps, LibrarySignals}

// Library returns the built-in policy library: the Rego modules (with their
// _test.rego unit tests) and README.md, at the root of the returned FS.
func Library() fs.FS {
	sub, err := fs.Sub(policyLibraryFS, "library")
	if err != nil {
		panic(err) // the embedded directory always exists
	}
	return sub
}

// WithLibrary loads the built-in library's areas (all of them when none is
// named) and queries their namespaces ("chaingate.lib.<area>") besides the
// engine's own. Configure it through data, e.g.
//
//	policy.WithData(map[string]any{"chaingate": map[string]any{"config": map[string]any{
//		"provenance": map[string]any{"min_slsa_level": 3},
//	}}})
func WithLibrary(areas ...string) Option {
	return func(c *config) error {
		if len(areas) == 0 {
			areas = policyLibraryAreas
		}
		for _, a := range areas {
			if !slices.Contains(policyLibraryAreas, a) {
				return fmt.Errorf("WithLibrary: unknown area %q (have %v)", a, policyLibraryAreas)
			}
			if slices.Contains(c.library, "chaingate.lib."+a) {
				continue
			}
			c.library = append(c.library, "chaingate.lib."+a)
			area := a
			c.sources = append(c.sources, func(_ context.Context, _ *config, l *policyLoaded) error {
				b, err := fs.ReadFile(policyLibraryFS, "library/"+area+".rego")
				if err != nil {
					return fmt.Errorf("policy: library %s: %w: %w", area, ErrLoad, err)
				}
				return l.addModule("chaingate/library/"+area+".rego", b)
			})
		}
		c.libraryOn = true
		return nil
	}
}

// Capabilities returns the OPA capabilities of an Engine with default
// options: OPA's builtins without the network and non-deterministic ones,
// plus chaingate's (Builtins). Tools that compile policies outside an
// Engine (a linter, policytest) use it to match production.
func Capabilities() *ast.Capabilities {
	caps, _, err := (&config{}).capabilities()
	if err != nil {
		panic(errors.Join(errors.New("policy: built-in capabilities"), err)) // only custom builtins can conflict
	}
	return caps
}
