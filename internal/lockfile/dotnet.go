package lockfile

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/package-url/packageurl-go"
)

// parseNuGet reads NuGet's packages.lock.json: for each target
// framework, every package with its type (Direct, Transitive,
// CentralTransitive, Project), resolved version, SHA-512 content hash
// and dependencies. Project references are the solution's own projects
// and are not listed. NuGet ids are case-insensitive; the purl keeps the
// lockfile's spelling.
func parseNuGet(in Input) (*File, error) {
	const format = "packages.lock.json"
	type entry struct {
		Type         string            `json:"type"`
		Resolved     string            `json:"resolved"`
		ContentHash  string            `json:"contentHash"`
		Dependencies map[string]string `json:"dependencies"`
	}
	var lock struct {
		Version      *int                        `json:"version"`
		Dependencies map[string]map[string]entry `json:"dependencies"`
	}
	if err := json.Unmarshal(in.Data, &lock); err != nil {
		return nil, wrapError(format, in.Name, in.Data, err)
	}
	if lock.Version == nil || lock.Dependencies == nil {
		return nil, newError(format, in.Name, 0, "no version or dependencies: not a NuGet packages.lock.json")
	}
	lf := &File{Ecosystem: "NuGet"}
	idx := map[string]int{}
	for _, fw := range slices.Sorted(maps.Keys(lock.Dependencies)) {
		for _, name := range slices.Sorted(maps.Keys(lock.Dependencies[fw])) {
			e := lock.Dependencies[fw][name]
			if strings.EqualFold(e.Type, "Project") {
				continue
			}
			if e.Resolved == "" {
				return nil, newError(format, in.Name, 0, "%s package %s has no resolved version", fw, name)
			}
			// Each target framework resolves its own versions: keys and
			// edges are per framework; FromDirectory merges equal purls.
			key := fw + "|" + strings.ToLower(name)
			if _, ok := idx[key]; ok {
				continue // the same id spelt in two cases
			}
			p := Package{Name: name, Version: e.Resolved, Key: key, Direct: -1,
				PURL: packageurl.NewPackageURL(packageurl.TypeNuget, "", name, e.Resolved, nil, "").ToString()}
			if strings.EqualFold(e.Type, "Direct") {
				p.Direct = 1
			}
			for d := range e.Dependencies {
				p.Deps = append(p.Deps, fw+"|"+strings.ToLower(d))
			}
			if raw, err := base64.StdEncoding.DecodeString(e.ContentHash); err == nil && len(raw) == 64 {
				p.Hashes = []Hash{{Algorithm: "SHA-512", Value: hex.EncodeToString(raw)}}
			}
			idx[key] = len(lf.Packages)
			lf.Packages = append(lf.Packages, p)
		}
	}
	return lf, nil
}
