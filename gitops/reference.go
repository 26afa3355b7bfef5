package gitops

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidReference reports an image reference that does not parse.
var ErrInvalidReference = errors.New("gitops: invalid image reference")

// Reference is a parsed container image reference: a name and a tag, a
// digest, or both.
type Reference struct {
	// Name is the repository name without tag or digest, for example
	// "ghcr.io/acme/app".
	Name string `json:"name"`
	// Tag is the tag without the leading colon; empty when absent.
	Tag string `json:"tag,omitempty"`
	// Digest is "algorithm:hex"; empty when absent.
	Digest string `json:"digest,omitempty"`
}

// String renders the reference as name[:tag][@digest].
func (r Reference) String() string {
	s := r.Name
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// maxReferenceLen bounds a reference string (the distribution spec limits
// names to 255 characters; tags and digests add at most ~200 more).
const maxReferenceLen = 512

// ParseReference parses name[:tag][@digest]. It is written by hand rather
// than with go-containerregistry's name package because that package
// rejects the name:tag@digest form that GitOps files commonly carry.
// A reference with neither tag nor digest parses with both empty.
func ParseReference(s string) (Reference, error) {
	if s == "" || len(s) > maxReferenceLen {
		return Reference{}, fmt.Errorf("%w: length %d", ErrInvalidReference, len(s))
	}
	var r Reference
	rest := s
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		r.Digest = rest[i+1:]
		rest = rest[:i]
		if !validDigest(r.Digest) {
			return Reference{}, fmt.Errorf("%w %q: bad digest %q", ErrInvalidReference, s, r.Digest)
		}
	}
	slash := strings.LastIndexByte(rest, '/')
	if i := strings.LastIndexByte(rest, ':'); i > slash {
		r.Tag = rest[i+1:]
		rest = rest[:i]
		if !validTag(r.Tag) {
			return Reference{}, fmt.Errorf("%w %q: bad tag %q", ErrInvalidReference, s, r.Tag)
		}
	}
	r.Name = rest
	if !validName(r.Name) {
		return Reference{}, fmt.Errorf("%w %q: bad name %q", ErrInvalidReference, s, r.Name)
	}
	return r, nil
}

func validTag(t string) bool {
	if t == "" || len(t) > 128 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		ok := isAlnum(c) || c == '_' || (i > 0 && (c == '.' || c == '-'))
		if !ok {
			return false
		}
	}
	return true
}

func validDigest(d string) bool {
	algo, hex, ok := strings.Cut(d, ":")
	if !ok || algo == "" || len(hex) < 32 || len(hex) > 128 {
		return false
	}
	for i := 0; i < len(algo); i++ {
		c := algo[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	for i := 0; i < len(hex); i++ {
		c := hex[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	switch algo {
	case "sha256":
		return len(hex) == 64
	case "sha512":
		return len(hex) == 128
	}
	return true
}

// validName accepts [host[:port]/]component(/component)*, where the host may
// carry upper case and components are lower-case alphanumerics separated by
// '.', '_', '__' or '-' runs.
func validName(n string) bool {
	if n == "" || len(n) > 255 {
		return false
	}
	parts := strings.Split(n, "/")
	for i, p := range parts {
		if p == "" {
			return false
		}
		if i == 0 && len(parts) > 1 && isRegistryHost(p) {
			for j := 0; j < len(p); j++ {
				c := p[j]
				if !(isAlnum(c) || c >= 'A' && c <= 'Z' || c == '.' || c == '-' || c == ':' || c == '[' || c == ']') {
					return false
				}
			}
			continue
		}
		if !isAlnum(p[0]) || !isAlnum(p[len(p)-1]) {
			return false
		}
		for j := 0; j < len(p); j++ {
			c := p[j]
			if !(isAlnum(c) || c == '.' || c == '_' || c == '-') {
				return false
			}
		}
	}
	return true
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func isRegistryHost(p string) bool {
	return strings.ContainsAny(p, ".:") || p == "localhost" || strings.ToLower(p) != p
}

// normalizeName maps the Docker Hub spellings of one repository
// ("nginx", "docker.io/nginx", "index.docker.io/library/nginx") to one form
// so that a target name matches however a file spells it.
func normalizeName(n string) string {
	first, rest, found := strings.Cut(n, "/")
	if !found || !isRegistryHost(first) {
		first, rest = "docker.io", n
	}
	if first == "index.docker.io" || first == "registry-1.docker.io" {
		first = "docker.io"
	}
	if first == "docker.io" && !strings.Contains(rest, "/") {
		rest = "library/" + rest
	}
	return first + "/" + rest
}

// sameImageName reports whether two names denote the same repository.
func sameImageName(a, b string) bool {
	return a == b || normalizeName(a) == normalizeName(b)
}
