package signal

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/chaingate/chaingate/sbom"
)

// packageName returns a component's ecosystem and package name as
// its registry knows them, from the purl when there is one.
func packageName(c *sbom.Component) (eco, name string, ok bool) {
	typ, ns, n, _, ok := parsePURL(c.PURL)
	if !ok {
		return "", "", false
	}
	switch typ {
	case "npm":
		if ns != "" {
			return "npm", ns + "/" + n, true
		}
		return "npm", n, true
	case "pypi":
		return "PyPI", n, true
	case "golang":
		if ns != "" {
			return "Go", ns + "/" + n, true
		}
		return "Go", n, true
	}
	return "", "", false
}

// parsePURL splits "pkg:type/namespace/name@version?qualifiers"
// without changing the case of any part (packageurl-go lowercases some
// types' names, which would hide case differences).
func parsePURL(purl string) (typ, namespace, name, version string, ok bool) {
	rest, found := strings.CutPrefix(purl, "pkg:")
	if !found {
		return "", "", "", "", false
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	typ, rest, found = strings.Cut(rest, "/")
	if !found || typ == "" {
		return "", "", "", "", false
	}
	typ = strings.ToLower(typ)
	if i := strings.LastIndexByte(rest, '@'); i > 0 {
		version, rest = rest[i+1:], rest[:i]
		if v, err := url.PathUnescape(version); err == nil {
			version = v
		}
	}
	rest = strings.Trim(rest, "/")
	if i := strings.LastIndexByte(rest, '/'); i >= 0 {
		namespace, name = rest[:i], rest[i+1:]
	} else {
		name = rest
	}
	if v, err := url.PathUnescape(namespace); err == nil {
		namespace = v
	}
	if v, err := url.PathUnescape(name); err == nil {
		name = v
	}
	return typ, namespace, name, version, name != ""
}

// source names a component in a signal: its purl, else its ID.
func source(c *sbom.Component) string {
	if c.PURL != "" {
		return c.PURL
	}
	if c.ID != "" {
		return c.ID
	}
	return c.Name
}

// Static is a Detector that returns signals computed beforehand
// (package content, Git history), so that risk.Scan puts them in the risk.Report
// beside the SBOM detectors' signals.
type Static []Signal

// Name identifies the detector.
func (s Static) Name() string { return "static" }

// Detect returns a copy of the signals; doc is not read.
func (s Static) Detect(ctx context.Context, _ *sbom.Document) ([]Signal, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("risk: static signals: %w", err)
	}
	return append([]Signal(nil), s...), nil
}
