package catalog

import (
	"bytes"
	"fmt"
)

// Apk is one package of an Alpine apk installed database.
type Apk struct {
	Name, Version, Arch, Origin, License, Description, URL, Maintainer string
	Line                                                               int
}

// ParseApkInstalled parses /lib/apk/db/installed: paragraphs of
// one-letter "K:value" lines separated by blank lines (see apk's
// apk-package(5) "installed database" format). P is the name, V the
// version, A the architecture, o the origin (source) package, L the
// licence, T the description, U the URL, m the maintainer. File entries
// (F, R, a, Z, M) are skipped. name names the file in errors.
//
// Hand-written: the format is line-oriented and no Go reader of it is
// among chaingate's dependencies.
func ParseApkInstalled(data []byte, name string) ([]Apk, error) {
	var out []Apk
	cur := Apk{}
	line := 0
	flush := func() error {
		if cur.Line == 0 {
			return nil
		}
		if cur.Name == "" {
			return fmt.Errorf("sbom: apk installed %s: package at line %d: no P: field", name, cur.Line)
		}
		if cur.Version == "" {
			return fmt.Errorf("sbom: apk installed %s: package %s (line %d): no V: field", name, cur.Name, cur.Line)
		}
		if cur.Origin == "" {
			cur.Origin = cur.Name
		}
		out = append(out, cur)
		cur = Apk{}
		return nil
	}
	for len(data) > 0 {
		var l []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else {
			l, data = data, nil
		}
		line++
		l = bytes.TrimSuffix(l, []byte("\r"))
		if len(l) == 0 {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		if len(l) < 2 || l[1] != ':' {
			return nil, fmt.Errorf("sbom: apk installed %s: line %d: not a \"K:value\" line", name, line)
		}
		if cur.Line == 0 {
			cur.Line = line
		}
		v := string(l[2:])
		switch l[0] {
		case 'P':
			cur.Name = v
		case 'V':
			cur.Version = v
		case 'A':
			cur.Arch = v
		case 'o':
			cur.Origin = v
		case 'L':
			cur.License = v
		case 'T':
			cur.Description = v
		case 'U':
			cur.URL = v
		case 'm':
			cur.Maintainer = v
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}
