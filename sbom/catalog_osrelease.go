package sbom

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// maxOSRelease bounds an os-release file (real ones are under 1 KiB).
const maxOSRelease = 64 << 10

// ParseOSRelease parses an os-release file (/etc/os-release,
// /usr/lib/os-release; see os-release(5)): KEY=value lines, values
// optionally quoted with shell quoting rules, comments and blank lines
// ignored. It returns the distribution with ID, VERSION_ID,
// VERSION_CODENAME (or UBUNTU_CODENAME) and PRETTY_NAME. A file without
// ID is an error (os-release(5) defaults ID to "linux", which identifies
// nothing); so is a line that is not KEY=value or an unterminated quote,
// naming the line.
func ParseOSRelease(data []byte) (*Distro, error) {
	if len(data) > maxOSRelease {
		return nil, fmt.Errorf("sbom: os-release: %d bytes: %w (limit %d)", len(data), ErrImageTooLarge, maxOSRelease)
	}
	vals := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxOSRelease+1)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" || strings.ContainsAny(k, " \t\"'") {
			return nil, fmt.Errorf("sbom: os-release line %d: not KEY=value", line)
		}
		uv, err := unquote(v)
		if err != nil {
			return nil, fmt.Errorf("sbom: os-release line %d: %s: %w", line, k, err)
		}
		vals[k] = uv
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("sbom: os-release: %w", err)
	}
	d := &Distro{
		ID:         strings.ToLower(vals["ID"]),
		VersionID:  vals["VERSION_ID"],
		Codename:   vals["VERSION_CODENAME"],
		PrettyName: vals["PRETTY_NAME"],
	}
	if d.Codename == "" {
		d.Codename = vals["UBUNTU_CODENAME"]
	}
	if d.ID == "" {
		return nil, fmt.Errorf("sbom: os-release: no ID")
	}
	// Debian testing/sid have no VERSION_ID; "trixie/sid" style
	// versions are in VERSION then. Ubuntu marks LTS releases in VERSION.
	if strings.Contains(vals["VERSION"], "LTS") {
		d.PrettyName = nonEmpty(d.PrettyName, vals["VERSION"])
	}
	return d, nil
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// unquote undoes os-release's shell-like quoting: "..." with \" \\ \$
// \` escapes, '...' verbatim, or a bare word.
func unquote(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	switch v[0] {
	case '"':
		var b strings.Builder
		for i := 1; i < len(v); i++ {
			c := v[i]
			switch {
			case c == '\\' && i+1 < len(v):
				i++
				b.WriteByte(v[i])
			case c == '"':
				if strings.TrimSpace(v[i+1:]) != "" {
					return "", fmt.Errorf("text after closing quote")
				}
				return b.String(), nil
			default:
				b.WriteByte(c)
			}
		}
		return "", fmt.Errorf("unterminated double quote")
	case '\'':
		end := strings.IndexByte(v[1:], '\'')
		if end < 0 {
			return "", fmt.Errorf("unterminated single quote")
		}
		if strings.TrimSpace(v[end+2:]) != "" {
			return "", fmt.Errorf("text after closing quote")
		}
		return v[1 : end+1], nil
	}
	return v, nil
}

// OSVEcosystem returns the OSV ecosystem of the distribution's packages:
// "Debian:12", "Ubuntu:24.04:LTS" (or "Ubuntu:23.10"), "Alpine:v3.20",
// or "" for a distribution chaingate does not map (or an unknown
// release, such as Debian testing without VERSION_ID).
func (d *Distro) OSVEcosystem() string {
	if d == nil || d.VersionID == "" {
		return ""
	}
	switch d.ID {
	case "debian":
		major, _, _ := strings.Cut(d.VersionID, ".")
		return "Debian:" + major
	case "ubuntu":
		if strings.Contains(d.PrettyName, "LTS") {
			return "Ubuntu:" + d.VersionID + ":LTS"
		}
		return "Ubuntu:" + d.VersionID
	case "alpine":
		parts := strings.SplitN(d.VersionID, ".", 3)
		if len(parts) < 2 || strings.ContainsAny(d.VersionID, "_") {
			return "" // edge and pre-releases have no OSV ecosystem
		}
		return "Alpine:v" + parts[0] + "." + parts[1]
	}
	return ""
}

// PURLDistro returns the purl "distro" qualifier for the distribution's
// packages: "debian-12", "ubuntu-24.04", "alpine-3.20.3" (ID-VERSION_ID),
// or the ID alone when the release is unknown.
func (d *Distro) PURLDistro() string {
	if d == nil {
		return ""
	}
	if d.VersionID == "" {
		return d.ID
	}
	return d.ID + "-" + d.VersionID
}
