package catalog

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// PythonMetadata is the identity of an installed Python distribution.
type PythonMetadata struct {
	Name, Version, License, Summary, HomePage string
}

// ParsePythonMetadata parses the header block of a core-metadata file
// (*.dist-info/METADATA, *.egg-info/PKG-INFO): RFC 822 style "Field:
// value" lines up to the first blank line, continuation lines indented.
// Name and Version are required. The licence is License-Expression when
// present (metadata 2.4), else a one-line License field.
func ParsePythonMetadata(data []byte, name string) (*PythonMetadata, error) {
	hdr := data
	// The headers end at the first empty line; the description follows.
	for _, sep := range [][]byte{[]byte("\n\n"), []byte("\r\n\r\n")} {
		if i := bytes.Index(hdr, sep); i >= 0 {
			hdr = hdr[:i+1]
		}
	}
	var m *PythonMetadata
	n := 0
	err := paragraphs(hdr, func(f map[string]string, line int) error {
		n++
		if n > 1 {
			return nil
		}
		m = &PythonMetadata{
			Name:     f["Name"],
			Version:  f["Version"],
			Summary:  f["Summary"],
			HomePage: f["Home-Page"],
		}
		if le := f["License-Expression"]; le != "" {
			m.License = le
		} else if l := f["License"]; l != "" && !strings.Contains(l, "\n") && len(l) < 100 {
			m.License = l
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sbom: python metadata %s: %w", name, err)
	}
	if m == nil || m.Name == "" {
		return nil, fmt.Errorf("sbom: python metadata %s: no Name field", name)
	}
	if m.Version == "" {
		return nil, fmt.Errorf("sbom: python metadata %s: %s has no Version field", name, m.Name)
	}
	return m, nil
}

var pep503 = regexp.MustCompile(`[-_.]+`)

// PEP503Name normalises a Python project name as PEP 503 does (and as
// pkg:pypi purls and OSV's PyPI ecosystem expect): lowercase, runs of
// "-", "_" and "." replaced by one "-".
func PEP503Name(n string) string {
	return strings.ToLower(pep503.ReplaceAllString(n, "-"))
}
