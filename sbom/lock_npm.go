package sbom

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"strings"

	"github.com/chaingate/chaingate/internal/catalog"
)

// lockParseNPM reads package-lock.json and npm-shrinkwrap.json: versions
// 2 and 3 with FromNPMLock (edges, scopes, hashes), version 1 with the
// image cataloguer's reader (packages and dev flags, no edges).
func lockParseNPM(in lockInput) (*lockFile, error) {
	doc, err := FromNPMLock(bytes.NewReader(in.data), WithInputLimit(int64(len(in.data))+1))
	if errors.Is(err, ErrUnsupportedFormat) {
		ps, err := catalog.ParseNPMLock(in.data, in.name)
		if err != nil {
			return nil, lockWrap("package-lock.json", in.name, in.data, err)
		}
		lf := &lockFile{eco: "npm", limits: []string{"package-lock.json version 1: no dependency edges read"}}
		for _, p := range ps {
			// A version 1 key is a package name; one written as an install
			// path ("node_modules/async") names the package after it.
			p.Name = genNPMNameFromPath(p.Name)
			lp := lockPkg{name: p.Name, version: p.Version, purl: NPMPURL(p.Name, p.Version), scope: ScopeRequired}
			if p.Dev {
				lp.scope = ScopeExcluded
			}
			lf.pkgs = append(lf.pkgs, lp)
		}
		return lf, nil
	}
	if err != nil {
		return nil, lockWrap("package-lock.json", in.name, in.data, err)
	}
	return lockFromDocument(doc, "npm"), nil
}

// lockNPMManifest is the part of a sibling package.json that says which
// packages the project requires directly, and for what.
type lockNPMManifest struct {
	prod, dev map[string]string
}

// lockReadPackageJSON reads the package.json beside a lockfile, if any.
func lockReadPackageJSON(in lockInput) *lockNPMManifest {
	if in.sibling == nil {
		return nil
	}
	data := in.sibling("package.json")
	if data == nil {
		return nil
	}
	var pj struct {
		Dependencies         map[string]string `json:"dependencies"`
		DevDependencies      map[string]string `json:"devDependencies"`
		OptionalDependencies map[string]string `json:"optionalDependencies"`
	}
	if json.Unmarshal(data, &pj) != nil {
		return nil
	}
	m := &lockNPMManifest{prod: map[string]string{}, dev: pj.DevDependencies}
	for k, v := range pj.Dependencies {
		m.prod[k] = v
	}
	for k, v := range pj.OptionalDependencies {
		m.prod[k] = v
	}
	return m
}

// lockPropagate sets direct and scope from the roots the project
// requires: a package reachable from a runtime root is ScopeRequired,
// else one reachable from an optional root (an extra) ScopeOptional,
// else one reachable only from development roots ScopeExcluded; roots
// are direct, the rest transitive. Keys not in pkgs are ignored.
func lockPropagate(pkgs []lockPkg, prodRoots, devRoots []string, optRoots ...string) {
	idx := make(map[string]int, len(pkgs))
	for i, p := range pkgs {
		if p.key != "" {
			idx[p.key] = i
		}
	}
	for i := range pkgs {
		pkgs[i].direct = -1
	}
	walk := func(roots []string, scope Scope) {
		seen := map[int]bool{}
		stack := []int{}
		for _, r := range roots {
			if i, ok := idx[r]; ok {
				pkgs[i].direct = 1
				stack = append(stack, i)
			}
		}
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[i] {
				continue
			}
			seen[i] = true
			if genNPMScopeRank(scope) > genNPMScopeRank(pkgs[i].scope) {
				pkgs[i].scope = scope
			}
			for _, d := range pkgs[i].deps {
				if j, ok := idx[d]; ok && !seen[j] {
					stack = append(stack, j)
				}
			}
		}
	}
	walk(prodRoots, ScopeRequired)
	walk(optRoots, ScopeOptional)
	walk(devRoots, ScopeExcluded)
}

// lockNPMNameFromTarball returns the package name in a registry tarball
// URL ("https://registry.yarnpkg.com/@babel/core/-/core-7.26.0.tgz"
// gives "@babel/core"), or "" for any other URL.
func lockNPMNameFromTarball(resolved string) string {
	u, err := url.Parse(resolved)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	p, err := url.PathUnescape(u.EscapedPath())
	if err != nil {
		return ""
	}
	before, _, ok := strings.Cut(strings.TrimPrefix(p, "/"), "/-/")
	if !ok || before == "" || strings.Count(before, "/") > 1 ||
		(strings.Contains(before, "/") && !strings.HasPrefix(before, "@")) {
		return ""
	}
	return before
}
