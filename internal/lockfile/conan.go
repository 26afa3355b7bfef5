package lockfile

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/package-url/packageurl-go"
)

// conanRef splits a Conan reference "name/version[@user/channel][#rrev[%time]]".
func conanRef(ref string) (name, version string, ok bool) {
	if i := strings.IndexAny(ref, "#@"); i >= 0 {
		ref = ref[:i]
	}
	name, version, ok = strings.Cut(ref, "/")
	return name, version, ok && name != "" && version != ""
}

// conanQualifiers returns the purl qualifiers of a reference's
// "@user/channel" part, as the purl specification writes them.
func conanQualifiers(ref string) packageurl.Qualifiers {
	if i := strings.IndexByte(ref, '#'); i >= 0 {
		ref = ref[:i]
	}
	_, uc, ok := strings.Cut(ref, "@")
	if !ok {
		return nil
	}
	user, channel, _ := strings.Cut(uc, "/")
	var q packageurl.Qualifiers
	if channel != "" {
		q = append(q, packageurl.Qualifier{Key: "channel", Value: channel})
	}
	if user != "" {
		q = append(q, packageurl.Qualifier{Key: "user", Value: user})
	}
	return q
}

// parseConan reads conan.lock: Conan 2's flat lists ("requires" are
// runtime, "build_requires" and "python_requires" build-time, here
// development scope) or Conan 1's graph_lock, whose node 0 is the
// project and whose "requires" are the edges.
func parseConan(in Input) (*File, error) {
	const format = "conan.lock"
	var lock struct {
		Version        string   `json:"version"`
		Requires       []string `json:"requires"`
		BuildRequires  []string `json:"build_requires"`
		PythonRequires []string `json:"python_requires"`
		GraphLock      *struct {
			Nodes map[string]struct {
				Ref           string   `json:"ref"`
				Path          string   `json:"path"`
				Requires      []string `json:"requires"`
				BuildRequires []string `json:"build_requires"`
			} `json:"nodes"`
		} `json:"graph_lock"`
	}
	if err := json.Unmarshal(in.Data, &lock); err != nil {
		return nil, wrapError(format, in.Name, in.Data, err)
	}
	lf := &File{Ecosystem: "ConanCenter"}
	mk := func(name, version, ref string) Package {
		return Package{Name: name, Version: version, Key: name + "/" + version,
			PURL: packageurl.NewPackageURL(packageurl.TypeConan, "", name, version, conanQualifiers(ref), "").ToString()}
	}
	if lock.GraphLock != nil {
		nodes := lock.GraphLock.Nodes
		keyOf := map[string]string{}
		for id, n := range nodes {
			if name, version, ok := conanRef(n.Ref); ok && n.Path == "" {
				keyOf[id] = name + "/" + version
			}
		}
		var roots []string
		for _, id := range slices.Sorted(maps.Keys(nodes)) {
			n := nodes[id]
			var deps []string
			for _, r := range append(append([]string{}, n.Requires...), n.BuildRequires...) {
				if k, ok := keyOf[r]; ok {
					deps = append(deps, k)
				}
			}
			if _, ok := keyOf[id]; !ok {
				roots = append(roots, deps...) // the project (conanfile) node
				continue
			}
			name, version, _ := conanRef(n.Ref)
			p := mk(name, version, n.Ref)
			p.Deps = deps
			lf.Packages = append(lf.Packages, p)
		}
		if len(roots) > 0 { // without the project's node nothing says what is direct
			propagate(lf.Packages, roots, nil)
			for i := range lf.Packages {
				lf.Packages[i].Scope = ScopeUnknown
			}
		}
		return lf, nil
	}
	if lock.Version == "" {
		return nil, newError(format, in.Name, 0, "neither a Conan 2 lockfile (version) nor a Conan 1 graph_lock")
	}
	for _, sec := range []struct {
		refs  []string
		scope Scope
	}{{lock.Requires, ScopeRequired}, {lock.BuildRequires, ScopeExcluded}, {lock.PythonRequires, ScopeExcluded}} {
		for _, r := range sec.refs {
			name, version, ok := conanRef(r)
			if !ok {
				return nil, newError(format, in.Name, 0, "reference %q is not name/version", trunc(r))
			}
			p := mk(name, version, r)
			p.Scope = sec.scope
			lf.Packages = append(lf.Packages, p)
		}
	}
	return lf, nil
}
