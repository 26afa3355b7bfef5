package purl

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want PURL
	}{
		{"pkg:golang/github.com/Azure/azure-sdk-for-go@v1.0.0", PURL{Type: "golang", Namespace: "github.com/Azure", Name: "azure-sdk-for-go", Version: "v1.0.0", Path: "github.com/Azure/azure-sdk-for-go"}},
		{"pkg:npm/%40babel/core@7.0.0", PURL{Type: "npm", Namespace: "@babel", Name: "core", Version: "7.0.0", Path: "@babel/core"}},
		{"pkg:DEB/debian/bash@5.2?distro=debian-12&upstream=bash#sub", PURL{Type: "deb", Namespace: "debian", Name: "bash", Version: "5.2", Qualifiers: "distro=debian-12&upstream=bash", Path: "debian/bash"}},
		{"pkg:golang/gopkg.in/yaml.v2@v2.2.2%2Bincompatible", PURL{Type: "golang", Namespace: "gopkg.in", Name: "yaml.v2", Version: "v2.2.2+incompatible", Path: "gopkg.in/yaml.v2"}},
		{"pkg:pypi/requests", PURL{Type: "pypi", Name: "requests", Path: "requests"}},
	} {
		got, err := Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"npm/x@1", "pkg:npm", "pkg:/x", "pkg:npm/@1.0", "pkg:npm/%zz@1", "pkg:npm/x@%zz"} {
		if _, err := Parse(bad); err == nil || !strings.Contains(err.Error(), "purl") {
			t.Errorf("Parse(%q): err = %v, want an error naming the purl", bad, err)
		}
	}
}

func TestDistroQualifiers(t *testing.T) {
	p, err := Parse("pkg:rpm/redhat/openssl@3.0.7-27.el9?arch=x86_64&Distro=rhel-9.4&epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm&distro=ignored")
	if err != nil {
		t.Fatal(err)
	}
	d, u, e := p.DistroQualifiers()
	if d != "rhel-9.4" || u != "openssl-3.0.7-27.el9.src.rpm" || e != "1" {
		t.Errorf("DistroQualifiers = %q %q %q", d, u, e)
	}
	p, _ = Parse("pkg:deb/debian/curl@8.0?distro=debian%2D12")
	if d, _, _ := p.DistroQualifiers(); d != "debian-12" {
		t.Errorf("escaped distro = %q", d)
	}
}

// FuzzParse: no panic, and a Go module path is taken verbatim (its case
// kept) from a purl without percent-escapes.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"pkg:golang/github.com/Azure/azure-sdk-for-go@v1.0.0", "pkg:npm/%40babel/core@7.0.0", "pkg:deb/debian/bash@5.2?distro=debian-12&upstream=bash", "pkg:apk/alpine/a@1-r0?distro=alpine-3.20.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		if p.Name == "" {
			t.Errorf("Parse(%q): empty name without an error", s)
		}
		if p.Type == "golang" && !strings.Contains(s, "%") && !strings.Contains(s, p.Path) {
			t.Errorf("Go path %q not taken verbatim from %q", p.Path, s)
		}
		p.DistroQualifiers()
	})
}
