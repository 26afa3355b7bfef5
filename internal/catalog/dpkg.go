package catalog

import (
	"bytes"
	"fmt"
	"strings"
)

// Deb is one package of a dpkg database.
type Deb struct {
	Name, Version, Arch, Source, SourceVersion, Status, Maintainer, Description, Homepage string
	// Line is the line its paragraph starts on.
	Line int
}

// paragraphs splits a Debian control-format file (deb822: dpkg's
// status, status.d files) into paragraphs of fields. Continuation lines
// (starting with a space or tab) are appended to the previous field;
// field names are case-insensitive and stored in canonical form ("Package").
// fn receives each paragraph and the line it starts on.
//
// Hand-written: no maintained Go deb822 reader exists among chaingate's
// dependencies, and the format is a few lines of rules.
func paragraphs(data []byte, fn func(fields map[string]string, line int) error) error {
	fields := map[string]string{}
	start, last := 0, ""
	flush := func() error {
		if len(fields) == 0 {
			return nil
		}
		err := fn(fields, start)
		fields = map[string]string{}
		last = ""
		return err
	}
	line := 0
	for len(data) > 0 {
		var l []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else {
			l, data = data, nil
		}
		line++
		l = bytes.TrimSuffix(l, []byte("\r"))
		if len(bytes.TrimSpace(l)) == 0 {
			if err := flush(); err != nil {
				return err
			}
			continue
		}
		if l[0] == '#' && len(fields) == 0 {
			continue // comment outside a paragraph
		}
		if l[0] == ' ' || l[0] == '\t' {
			if last == "" {
				return fmt.Errorf("line %d: continuation line without a field", line)
			}
			fields[last] += "\n" + strings.TrimSpace(string(l))
			continue
		}
		k, v, ok := bytes.Cut(l, []byte(":"))
		if !ok || len(k) == 0 || bytes.ContainsAny(k, " \t") {
			return fmt.Errorf("line %d: not a \"Field: value\" line", line)
		}
		if len(fields) == 0 {
			start = line
		}
		last = canonicalField(string(k))
		fields[last] = strings.TrimSpace(string(v))
	}
	return flush()
}

// canonicalField turns "package" or "PACKAGE" into "Package" and
// "installed-size" into "Installed-Size".
func canonicalField(k string) string {
	parts := strings.Split(strings.ToLower(k), "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "-")
}

// ParseDpkgStatus parses a dpkg status database (or one file of
// status.d, which distroless images use) and returns its installed
// packages: those whose Status is "... installed" or, in status.d
// files, that have no Status field at all. name names the file in errors.
func ParseDpkgStatus(data []byte, name string) ([]Deb, error) {
	var out []Deb
	err := paragraphs(data, func(f map[string]string, line int) error {
		d := Deb{
			Name:        f["Package"],
			Version:     f["Version"],
			Arch:        f["Architecture"],
			Status:      f["Status"],
			Maintainer:  f["Maintainer"],
			Homepage:    f["Homepage"],
			Description: strings.SplitN(f["Description"], "\n", 2)[0],
			Line:        line,
		}
		if d.Name == "" {
			return fmt.Errorf("paragraph at line %d: no Package field", line)
		}
		if d.Status != "" {
			st := strings.Fields(d.Status)
			if len(st) != 3 {
				return fmt.Errorf("package %s (line %d): Status %q: want three words", d.Name, line, d.Status)
			}
			// "install ok installed": only the last word says what is on
			// disk; "config-files" and "not-installed" leave no package.
			switch st[2] {
			case "installed", "half-configured", "unpacked", "half-installed", "triggers-awaited", "triggers-pending":
			default:
				return nil
			}
		}
		if d.Version == "" {
			return fmt.Errorf("package %s (line %d): no Version field", d.Name, line)
		}
		d.Source, d.SourceVersion = d.Name, d.Version
		if src := f["Source"]; src != "" {
			// "Source: glibc" or "Source: glibc (2.36-9)"
			n, v, _ := strings.Cut(src, " ")
			d.Source = n
			if v = strings.TrimSpace(v); strings.HasPrefix(v, "(") && strings.HasSuffix(v, ")") {
				d.SourceVersion = strings.TrimSpace(v[1 : len(v)-1])
			}
		}
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sbom: dpkg status %s: %w", name, err)
	}
	return out, nil
}
