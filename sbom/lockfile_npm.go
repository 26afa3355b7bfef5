package sbom

import (
	"bytes"
	"errors"

	"github.com/chaingate/chaingate/internal/catalog"
	"github.com/chaingate/chaingate/internal/lockfile"
)

// lockParseNPM reads package-lock.json and npm-shrinkwrap.json: versions
// 2 and 3 with FromNPMLock (edges, scopes, hashes), version 1 with the
// image cataloguer's reader (packages and dev flags, no edges).
func lockParseNPM(in lockfile.Input) (*lockfile.File, error) {
	doc, err := FromNPMLock(bytes.NewReader(in.Data), WithInputLimit(int64(len(in.Data))+1))
	if errors.Is(err, ErrUnsupportedFormat) {
		ps, err := catalog.ParseNPMLock(in.Data, in.Name)
		if err != nil {
			return nil, lockWrap("package-lock.json", in.Name, in.Data, err)
		}
		lf := &lockfile.File{Ecosystem: "npm", Limits: []string{"package-lock.json version 1: no dependency edges read"}}
		for _, p := range ps {
			// A version 1 key is a package name; one written as an install
			// path ("node_modules/async") names the package after it.
			p.Name = npmNameFromPath(p.Name)
			lp := lockfile.Package{Name: p.Name, Version: p.Version, PURL: NPMPURL(p.Name, p.Version), Scope: lockfile.ScopeRequired}
			if p.Dev {
				lp.Scope = lockfile.ScopeExcluded
			}
			lf.Packages = append(lf.Packages, lp)
		}
		return lf, nil
	}
	if err != nil {
		return nil, lockWrap("package-lock.json", in.Name, in.Data, err)
	}
	return lockFromDocument(doc, "npm"), nil
}
