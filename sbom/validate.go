package sbom

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/package-url/packageurl-go"
)

// Problem is one semantic problem Validate found, with its location.
type Problem struct {
	// Path locates the problem: "components[3]", "dependencies[0].dependsOn[2]",
	// "root".
	Path string `json:"path"`
	// Component is the ID of the component concerned, if any.
	Component string `json:"component,omitempty"`
	// Field is the offending field ("purl", "licenseDeclared", "id", ...).
	Field string `json:"field"`
	// Value is the offending value.
	Value string `json:"value,omitempty"`
	// Message says what is wrong.
	Message string `json:"message"`
}

// Error renders the problem with its location.
func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString("sbom: ")
	b.WriteString(p.Path)
	if p.Component != "" {
		fmt.Fprintf(&b, " (id %q)", p.Component)
	}
	if p.Field != "" {
		b.WriteString(" ")
		b.WriteString(p.Field)
	}
	if p.Value != "" {
		fmt.Fprintf(&b, " %q", p.Value)
	}
	b.WriteString(": ")
	b.WriteString(p.Message)
	return b.String()
}

// ValidationError is the error Validate returns: every problem found. It
// unwraps to the problems (as errors.Join does), so errors.As finds a
// single *Problem as well as the whole *ValidationError.
type ValidationError struct {
	// Problems are every problem found, in document order.
	Problems []*Problem `json:"problems"`
}

// Error lists the problems, one a line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems.
func (e *ValidationError) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p
	}
	return out
}

// valHexLen is the digest length, in hex digits, of each algorithm.
var valHexLen = map[string]int{
	"MD5": 32, "SHA-1": 40, "SHA-224": 56, "SHA-256": 64, "SHA-384": 96, "SHA-512": 128,
	"SHA3-256": 64, "SHA3-384": 96, "SHA3-512": 128,
	"BLAKE2b-256": 64, "BLAKE2b-384": 96, "BLAKE2b-512": 128,
	"Streebog-256": 64, "Streebog-512": 128,
}

// Validate reports the semantic problems of a document, whatever format
// it came from: components without a name, duplicate IDs, purls that
// packageurl-go rejects, licences that are not valid SPDX expressions
// (checked with github.com/github/go-spdx), malformed hashes and CPEs,
// parents, roots and dependency references that name no component. It
// returns nil for a valid document and a *ValidationError listing every
// problem otherwise. References into other SPDX documents
// ("DocumentRef-...") are not checked.
func Validate(doc *Document) error {
	if doc == nil {
		return &ValidationError{Problems: []*Problem{{Path: "document", Message: "nil document"}}}
	}
	var probs []*Problem
	add := func(path, comp, field, value, format string, args ...any) {
		probs = append(probs, &Problem{Path: path, Component: comp, Field: field, Value: value, Message: fmt.Sprintf(format, args...)})
	}
	// Real documents repeat a handful of licence expressions thousands of
	// times; parse each once.
	licOK := map[string]bool{}
	validLicence := func(l string) bool {
		ok, seen := licOK[l]
		if !seen {
			ok = spdxValidExpression(l)
			licOK[l] = ok
		}
		return ok
	}
	ids := make(map[string]int, len(doc.Components))
	for i := range doc.Components {
		c := &doc.Components[i]
		path := "components[" + strconv.Itoa(i) + "]"
		if c.ID != "" {
			if first, dup := ids[c.ID]; dup {
				add(path, c.ID, "id", c.ID, "duplicate ID (also components[%d])", first)
			} else {
				ids[c.ID] = i
			}
		}
		if c.Name == "" {
			add(path, c.ID, "name", "", "component has no name")
		}
		if c.PURL != "" {
			if _, err := packageurl.FromString(c.PURL); err != nil {
				add(path, c.ID, "purl", c.PURL, "invalid package URL: %v", err)
			}
		}
		if l := c.LicenseDeclared; l != "" && !validLicence(l) {
			add(path, c.ID, "licenseDeclared", l, "not a valid SPDX licence expression")
		}
		if l := c.LicenseConcluded; l != "" && !validLicence(l) {
			add(path, c.ID, "licenseConcluded", l, "not a valid SPDX licence expression")
		}
		for j, h := range c.Hashes {
			hp := path + ".hashes[" + strconv.Itoa(j) + "]"
			if h.Algorithm == "" {
				add(hp, c.ID, "alg", "", "hash has no algorithm")
			}
			if !valIsHex(h.Value) {
				add(hp, c.ID, "content", h.Value, "hash value is not hexadecimal")
			} else if n, ok := valHexLen[h.Algorithm]; ok && len(h.Value) != n {
				add(hp, c.ID, "content", h.Value, "%s digest has %d hex digits, want %d", h.Algorithm, len(h.Value), n)
			}
		}
		for j, cpe := range c.CPEs {
			if !valCPE(cpe) {
				add(path+".cpes["+strconv.Itoa(j)+"]", c.ID, "cpe", cpe, "not a CPE 2.3 formatted string or CPE 2.2 URI")
			}
		}
	}
	for i := range doc.Components {
		c := &doc.Components[i]
		if c.Parent != "" {
			if _, ok := ids[c.Parent]; !ok {
				add("components["+strconv.Itoa(i)+"]", c.ID, "parent", c.Parent, "parent is not a component of the document")
			}
		}
	}
	if doc.Root != "" {
		if _, ok := ids[doc.Root]; !ok {
			add("root", "", "root", doc.Root, "root is not a component of the document")
		}
	}
	known := func(ref string) bool {
		if _, ok := ids[ref]; ok {
			return true
		}
		return strings.HasPrefix(ref, "DocumentRef-")
	}
	refs := make(map[string]int, len(doc.Dependencies))
	for i, d := range doc.Dependencies {
		path := "dependencies[" + strconv.Itoa(i) + "]"
		switch {
		case d.Ref == "":
			add(path, "", "ref", "", "dependency has no ref")
		case !known(d.Ref):
			add(path, "", "ref", d.Ref, "dangling dependency reference: no component has this ID")
		}
		if first, dup := refs[d.Ref]; dup && d.Ref != "" {
			add(path, "", "ref", d.Ref, "ref listed twice (also dependencies[%d])", first)
		} else {
			refs[d.Ref] = i
		}
		for j, to := range d.DependsOn {
			if !known(to) {
				add(path+".dependsOn["+strconv.Itoa(j)+"]", "", "dependsOn", to, "dangling dependency reference: no component has this ID")
			}
		}
	}
	if len(probs) == 0 {
		return nil
	}
	return &ValidationError{Problems: probs}
}

func valIsHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// valCPE checks the outline of a CPE name: a 2.3 formatted string has 13
// colon-separated parts (escaped colons aside); a 2.2 URI starts "cpe:/".
func valCPE(s string) bool {
	if strings.HasPrefix(s, "cpe:/") {
		return len(s) > len("cpe:/")
	}
	if !strings.HasPrefix(s, "cpe:2.3:") {
		return false
	}
	parts := 1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ':':
			parts++
		}
	}
	return parts == 13
}
