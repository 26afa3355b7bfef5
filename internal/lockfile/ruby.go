package lockfile

import (
	"bufio"
	"bytes"
	"strings"

	"github.com/package-url/packageurl-go"
)

// parseGemfile reads Gemfile.lock (and gems.locked), Bundler's own
// indented text format (no Go library reads it, so it is read line by
// line here): the specs of the GEM and GIT sections ("    name
// (version[-platform])", their dependencies indented six spaces) and the
// DEPENDENCIES section, which names the direct gems. PATH gems are the
// project's own and are not listed.
func parseGemfile(in Input) (*File, error) {
	const format = "Gemfile.lock"
	lf := &File{Ecosystem: "RubyGems"}
	idx := map[string]int{}
	byName := map[string]string{}
	var direct []string
	section := ""
	inSpecs := false
	var cur *Package
	var curDeps, pathDeps []string
	inPath := false
	flush := func() {
		if cur != nil {
			cur.Deps = curDeps
			if _, dup := idx[cur.Key]; !dup {
				idx[cur.Key] = len(lf.Packages)
				lf.Packages = append(lf.Packages, *cur)
			}
		}
		cur, curDeps = nil, nil
	}
	sc := bufio.NewScanner(bytes.NewReader(in.Data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	line := 0
	sawSection := false
	for sc.Scan() {
		line++
		raw := strings.TrimRight(sc.Text(), " \r")
		if raw == "" {
			continue
		}
		indent := len(raw) - len(strings.TrimLeft(raw, " "))
		text := strings.TrimSpace(raw)
		switch {
		case indent == 0:
			flush()
			section, inSpecs, sawSection = text, false, true
		case !sawSection:
			return nil, newError(format, in.Name, line, "indented line before any section")
		case section == "DEPENDENCIES" && indent == 2:
			name, _, _ := strings.Cut(text, " ")
			direct = append(direct, strings.TrimSuffix(name, "!"))
		case indent == 2:
			inSpecs = text == "specs:"
		case inSpecs && indent == 4 && (section == "GEM" || section == "GIT" || section == "PATH"):
			flush()
			name, ver, ok := gemNameVersion(text)
			if !ok {
				return nil, newError(format, in.Name, line, "spec %q is not \"name (version)\"", trunc(text))
			}
			byName[name] = name + "@" + ver
			inPath = section == "PATH"
			if inPath {
				continue
			}
			// A platform gem ("nokogiri (1.16.0-x86_64-linux)") is the
			// version 1.16.0 built for a platform.
			version, platform := ver, ""
			if i := strings.IndexByte(ver, '-'); i > 0 {
				version, platform = ver[:i], ver[i+1:]
			}
			var q packageurl.Qualifiers
			if platform != "" {
				q = append(q, packageurl.Qualifier{Key: "platform", Value: platform})
			}
			cur = &Package{Name: name, Version: version, Key: name + "@" + ver,
				PURL: packageurl.NewPackageURL(packageurl.TypeGem, "", name, version, q, "").ToString()}
			if section == "GIT" {
				cur.Props = append(cur.Props, Property{"chaingate:gem:source", "git"})
			}
		case inSpecs && indent == 6 && inPath:
			// The project's own gem: what it needs is direct.
			name, _, _ := strings.Cut(text, " ")
			pathDeps = append(pathDeps, name)
		case inSpecs && indent == 6 && cur != nil:
			name, _, _ := strings.Cut(text, " ")
			curDeps = append(curDeps, name)
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return nil, newError(format, in.Name, line+1, "%v", err)
	}
	if !sawSection {
		return nil, newError(format, in.Name, 1, "no GEM, GIT or DEPENDENCIES section")
	}
	for i := range lf.Packages {
		for j, d := range lf.Packages[i].Deps {
			lf.Packages[i].Deps[j] = byName[d]
		}
	}
	var roots []string
	for _, d := range append(direct, pathDeps...) {
		if k, ok := byName[d]; ok {
			roots = append(roots, k)
		}
	}
	propagate(lf.Packages, roots, nil)
	for i := range lf.Packages {
		lf.Packages[i].Scope = ScopeUnknown // Gemfile.lock does not record groups
	}
	return lf, nil
}

// gemNameVersion splits "name (version)".
func gemNameVersion(s string) (name, version string, ok bool) {
	name, rest, ok := strings.Cut(s, " (")
	if !ok || !strings.HasSuffix(rest, ")") || name == "" {
		return "", "", false
	}
	return name, strings.TrimSuffix(rest, ")"), true
}
