package lockfile

import (
	"maps"
	"slices"

	"github.com/package-url/packageurl-go"
	"go.yaml.in/yaml/v3"
)

// parsePubspec reads pubspec.lock (Dart and Flutter) with
// go.yaml.in/yaml/v3: "dependency" says "direct main", "direct dev",
// "direct overridden" or "transitive"; hosted packages carry a SHA-256.
// SDK packages (flutter) are part of the toolchain and not listed.
func parsePubspec(in Input) (*File, error) {
	const format = "pubspec.lock"
	var lock struct {
		Packages map[string]struct {
			Dependency  string `yaml:"dependency"`
			Source      string `yaml:"source"`
			Version     string `yaml:"version"`
			Description any    `yaml:"description"`
		} `yaml:"packages"`
	}
	if err := yaml.Unmarshal(in.Data, &lock); err != nil {
		return nil, wrapError(format, in.Name, in.Data, err)
	}
	lf := &File{Ecosystem: "Pub"}
	for _, name := range slices.Sorted(maps.Keys(lock.Packages)) {
		e := lock.Packages[name]
		if e.Source == "sdk" {
			continue
		}
		if e.Version == "" {
			return nil, newError(format, in.Name, 0, "package %s has no version", name)
		}
		p := Package{Name: name, Version: e.Version, Key: name, Direct: -1,
			PURL: packageurl.NewPackageURL(packageurl.TypePub, "", name, e.Version, nil, "").ToString()}
		switch e.Dependency {
		case "direct main", "direct overridden":
			p.Direct, p.Scope = 1, ScopeRequired
		case "direct dev":
			p.Direct, p.Scope = 1, ScopeExcluded
		}
		if d, ok := e.Description.(map[string]any); ok {
			if h, ok := d["sha256"].(string); ok {
				if hh, ok := pySHA256("sha256:" + h); ok {
					p.Hashes = []Hash{hh}
				}
			}
		}
		if e.Source != "hosted" && e.Source != "" {
			p.Props = []Property{{"chaingate:pub:source", e.Source}}
		}
		lf.Packages = append(lf.Packages, p)
	}
	return lf, nil
}
