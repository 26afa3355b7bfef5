package lockfile

import (
	"strings"

	"github.com/package-url/packageurl-go"
	"go.yaml.in/yaml/v3"
)

// parsePodfile reads Podfile.lock (CocoaPods) with
// go.yaml.in/yaml/v3: PODS lists "Name (version)", alone or as a map to
// its dependencies; DEPENDENCIES names the direct pods. Subspecs
// ("Texture/Core") are parts of their pod and fold into it.
func parsePodfile(in Input) (*File, error) {
	const format = "Podfile.lock"
	var lock struct {
		Pods         []any             `yaml:"PODS"`
		Dependencies []string          `yaml:"DEPENDENCIES"`
		Checksums    map[string]string `yaml:"SPEC CHECKSUMS"`
	}
	if err := yaml.Unmarshal(in.Data, &lock); err != nil {
		return nil, wrapError(format, in.Name, in.Data, err)
	}
	if lock.Pods == nil {
		return nil, newError(format, in.Name, 0, "no PODS list: not a Podfile.lock")
	}
	root := func(n string) string { r, _, _ := strings.Cut(n, "/"); return r }
	lf := &File{Ecosystem: "CocoaPods"}
	idx := map[string]int{}
	add := func(spec string, deps []string) error {
		name, version, ok := gemNameVersion(spec)
		if !ok {
			return newError(format, in.Name, 0, "pod %q is not \"Name (version)\"", trunc(spec))
		}
		key := root(name)
		i, seen := idx[key]
		if !seen {
			i = len(lf.Packages)
			idx[key] = i
			lf.Packages = append(lf.Packages, Package{Name: key, Version: version, Key: key,
				PURL: packageurl.NewPackageURL(packageurl.TypeCocoapods, "", key, version, nil, "").ToString()})
		}
		for _, d := range deps {
			dn, _, _ := strings.Cut(d, " ")
			if dk := root(dn); dk != key {
				lf.Packages[i].Deps = append(lf.Packages[i].Deps, dk)
			}
		}
		return nil
	}
	for _, p := range lock.Pods {
		switch v := p.(type) {
		case string:
			if err := add(v, nil); err != nil {
				return nil, err
			}
		case map[string]any:
			for spec, ds := range v {
				var deps []string
				if list, ok := ds.([]any); ok {
					for _, d := range list {
						if s, ok := d.(string); ok {
							deps = append(deps, s)
						}
					}
				}
				if err := add(spec, deps); err != nil {
					return nil, err
				}
			}
		default:
			return nil, newError(format, in.Name, 0, "PODS entry of type %T", p)
		}
	}
	var roots []string
	for _, d := range lock.Dependencies {
		n, _, _ := strings.Cut(d, " ")
		roots = append(roots, root(n))
	}
	propagate(lf.Packages, roots, nil)
	for i := range lf.Packages {
		lf.Packages[i].Scope = ScopeUnknown
	}
	return lf, nil
}
