package lockfile

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
)

// npmManifest is the part of a sibling package.json that says which
// packages the project requires directly, and for what.
type npmManifest struct {
	prod, dev map[string]string
}

// readPackageJSON reads the package.json beside a lockfile, if any.
func readPackageJSON(in Input) *npmManifest {
	if in.Sibling == nil {
		return nil
	}
	data := in.Sibling("package.json")
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
	m := &npmManifest{prod: map[string]string{}, dev: pj.DevDependencies}
	for k, v := range pj.Dependencies {
		m.prod[k] = v
	}
	for k, v := range pj.OptionalDependencies {
		m.prod[k] = v
	}
	return m
}

// propagate sets direct and scope from the roots the project
// requires: a package reachable from a runtime root is ScopeRequired,
// else one reachable from an optional root (an extra) ScopeOptional,
// else one reachable only from development roots ScopeExcluded; roots
// are direct, the rest transitive. Keys not in pkgs are ignored.
func propagate(pkgs []Package, prodRoots, devRoots []string, optRoots ...string) {
	idx := make(map[string]int, len(pkgs))
	for i, p := range pkgs {
		if p.Key != "" {
			idx[p.Key] = i
		}
	}
	for i := range pkgs {
		pkgs[i].Direct = -1
	}
	walk := func(roots []string, scope Scope) {
		seen := map[int]bool{}
		stack := []int{}
		for _, r := range roots {
			if i, ok := idx[r]; ok {
				pkgs[i].Direct = 1
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
			if scope.Rank() > pkgs[i].Scope.Rank() {
				pkgs[i].Scope = scope
			}
			for _, d := range pkgs[i].Deps {
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

// npmNameFromTarball returns the package name in a registry tarball
// URL ("https://registry.yarnpkg.com/@babel/core/-/core-7.26.0.tgz"
// gives "@babel/core"), or "" for any other URL.
func npmNameFromTarball(resolved string) string {
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

// SRIHashes turns a Subresource Integrity string ("sha512-...") into
// hashes made by mk from a CycloneDX algorithm name and a lowercase hex
// value: SHA-512, SHA-384, SHA-256 and SHA-1 of the right length, each
// once; other tokens are skipped. It is generic so that sbom's npm
// generator builds its own sbom.Hash values without a copy.
func SRIHashes[H comparable](sri string, mk func(alg, value string) H) []H {
	var hs []H
	for _, tok := range strings.Fields(sri) {
		alg, b64, ok := strings.Cut(tok, "-")
		if !ok {
			continue
		}
		if i := strings.IndexByte(b64, '?'); i >= 0 { // SRI options
			b64 = b64[:i]
		}
		var name string
		var size int
		switch alg {
		case "sha512":
			name, size = "SHA-512", 64
		case "sha384":
			name, size = "SHA-384", 48
		case "sha256":
			name, size = "SHA-256", 32
		case "sha1":
			name, size = "SHA-1", 20
		default:
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != size {
			continue
		}
		h := mk(name, hex.EncodeToString(raw))
		if !slices.Contains(hs, h) {
			hs = append(hs, h)
		}
	}
	return hs
}

// newHash makes a Hash, for SRIHashes.
func newHash(alg, value string) Hash { return Hash{Algorithm: alg, Value: value} }
