package sbom

import (
	"github.com/package-url/packageurl-go"
	"go.yaml.in/yaml/v3"
)

// lockParsePubspec reads pubspec.lock (Dart and Flutter) with
// go.yaml.in/yaml/v3: "dependency" says "direct main", "direct dev",
// "direct overridden" or "transitive"; hosted packages carry a SHA-256.
// SDK packages (flutter) are part of the toolchain and not listed.
func lockParsePubspec(in lockInput) (*lockFile, error) {
	const format = "pubspec.lock"
	var lock struct {
		Packages map[string]struct {
			Dependency  string `yaml:"dependency"`
			Source      string `yaml:"source"`
			Version     string `yaml:"version"`
			Description any    `yaml:"description"`
		} `yaml:"packages"`
	}
	if err := yaml.Unmarshal(in.data, &lock); err != nil {
		return nil, lockWrap(format, in.name, in.data, err)
	}
	lf := &lockFile{eco: "Pub"}
	for _, name := range sortedKeys(lock.Packages) {
		e := lock.Packages[name]
		if e.Source == "sdk" {
			continue
		}
		if e.Version == "" {
			return nil, lockErr(format, in.name, 0, "package %s has no version", name)
		}
		p := lockPkg{name: name, version: e.Version, key: name, direct: -1,
			purl: packageurl.NewPackageURL(packageurl.TypePub, "", name, e.Version, nil, "").ToString()}
		switch e.Dependency {
		case "direct main", "direct overridden":
			p.direct, p.scope = 1, ScopeRequired
		case "direct dev":
			p.direct, p.scope = 1, ScopeExcluded
		}
		if d, ok := e.Description.(map[string]any); ok {
			if h, ok := d["sha256"].(string); ok {
				if hh, ok := lockPySha256("sha256:" + h); ok {
					p.hashes = []Hash{hh}
				}
			}
		}
		if e.Source != "hosted" && e.Source != "" {
			p.props = []Property{{"chaingate:pub:source", e.Source}}
		}
		lf.pkgs = append(lf.pkgs, p)
	}
	return lf, nil
}
