package lockfile

import (
	"regexp"
	"strings"

	"github.com/package-url/packageurl-go"
)

// mixEntry is one line of mix.lock:
//
//	"name": {:hex, :pkg, "version", "inner hash", [:mix], [deps], "hexpm", "outer hash"},
//
// mix.lock is an Elixir map literal; no Go library reads Elixir terms,
// so the entries' fixed leading fields are matched here.
var mixEntry = regexp.MustCompile(`^\s*"([^"]+)":\s*\{:([a-z_]+)\s*,(.*)$`)

// mixHex is the start of a Hex entry's fields: :pkg, "version".
var mixHex = regexp.MustCompile(`^\s*:"?([A-Za-z0-9_.-]+)"?\s*,\s*"([^"]*)"(.*)$`)

// mixDep is a dependency inside the deps list: {:name, "req", [...]}.
var mixDep = regexp.MustCompile(`\{:([a-z0-9_]+)\s*,`)

// parseMix reads mix.lock (Elixir's Hex and git dependencies). Hex
// packages are listed with their outer checksum (SHA-256); git and path
// dependencies have no Hex version and are listed in the limitations.
func parseMix(in Input) (*File, error) {
	const format = "mix.lock"
	text := string(in.Data)
	if !strings.HasPrefix(strings.TrimSpace(text), "%{") {
		return nil, newError(format, in.Name, 1, "not an Elixir map (%%{...})")
	}
	lf := &File{Ecosystem: "Hex"}
	for i, line := range strings.Split(text, "\n") {
		m := mixEntry.FindStringSubmatch(line)
		if m == nil {
			t := strings.TrimSpace(line)
			if strings.HasPrefix(t, `"`) {
				return nil, newError(format, in.Name, i+1, "entry %q is not \"name\": {:kind, ...}", trunc(t))
			}
			continue
		}
		if m[2] != "hex" {
			lf.Limits = append(lf.Limits, "dependency "+m[1]+" comes from "+m[2]+": not a Hex package, not listed")
			continue
		}
		h := mixHex.FindStringSubmatch(m[3])
		if h == nil {
			return nil, newError(format, in.Name, i+1, "hex entry %s does not start with :package, \"version\"", m[1])
		}
		name, version := h[1], h[2]
		p := Package{Name: name, Version: version, Key: m[1],
			PURL: packageurl.NewPackageURL(packageurl.TypeHex, "", strings.ToLower(name), version, nil, "").ToString()}
		rest := h[3]
		if i := strings.Index(rest, "["); i >= 0 {
			if j := strings.Index(rest[i+1:], "["); j >= 0 {
				deps := rest[i+1+j:]
				if k := strings.Index(deps, `"hexpm"`); k >= 0 {
					deps = deps[:k]
				}
				for _, d := range mixDep.FindAllStringSubmatch(deps, -1) {
					p.Deps = append(p.Deps, d[1])
				}
			}
		}
		lf.Packages = append(lf.Packages, p)
	}
	return lf, nil
}
