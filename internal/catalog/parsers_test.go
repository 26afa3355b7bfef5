package catalog

import (
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chaingate/chaingate/internal/catalog/catalogtest"
	"github.com/google/go-cmp/cmp"
)

func TestParseDpkgStatus(t *testing.T) {
	in := `Package: libc6
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Source: glibc (2.36-9+deb12u4)
Version: 2.36-9+deb12u4+b1
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system.

Package: libc6
Status: install ok installed
Architecture: i386
Source: glibc
Version: 2.36-9+deb12u4

Package: removed-but-config
Status: deinstall ok config-files
Version: 1.0

package: lowercase-fields
status: install ok installed
version: 1:2.0~rc1-3
`
	got, err := ParseDpkgStatus([]byte(in), "status")
	if err != nil {
		t.Fatal(err)
	}
	want := []Deb{
		{Name: "libc6", Version: "2.36-9+deb12u4+b1", Arch: "amd64", Source: "glibc", SourceVersion: "2.36-9+deb12u4",
			Status: "install ok installed", Description: "GNU C Library: Shared libraries", Line: 1},
		{Name: "libc6", Version: "2.36-9+deb12u4", Arch: "i386", Source: "glibc", SourceVersion: "2.36-9+deb12u4",
			Status: "install ok installed", Line: 11},
		{Name: "lowercase-fields", Version: "1:2.0~rc1-3", Source: "lowercase-fields", SourceVersion: "1:2.0~rc1-3",
			Status: "install ok installed", Line: 21},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// A distroless status.d file has no Status field.
	got, err = ParseDpkgStatus([]byte("Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n"), "status.d/base")
	if err != nil || len(got) != 1 || got[0].Name != "base-files" {
		t.Errorf("status.d: %v %v", got, err)
	}
	for _, bad := range []struct{ in, want string }{
		{" continuation first\n", "line 1"},
		{"Package: a\nVersion: 1\n\nVersion: 2\n", "line 4: no Package"},
		{"Package: a\nStatus: installed\nVersion: 1\n", "want three words"},
		{"Package: a\nStatus: install ok installed\n", "no Version"},
		{"Package: a\nno colon here\n", "line 2"},
	} {
		if _, err := ParseDpkgStatus([]byte(bad.in), "status"); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: err = %v, want %q", bad.in, err, bad.want)
		}
	}
}

func TestParseApkInstalled(t *testing.T) {
	got, err := ParseApkInstalled(imageTestdata(t, "alpine/installed"), "installed")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range got {
		names = append(names, p.Name+"@"+p.Version+"/"+p.Arch+"/"+p.Origin+"/"+p.License)
	}
	want := []string{"musl@1.2.5-r0/x86_64/musl/MIT", "busybox@1.36.1-r29/x86_64/busybox/GPL-2.0-only",
		"libcrypto3@3.3.2-r0/x86_64/openssl/Apache-2.0", "libssl3@3.3.2-r0/x86_64/openssl/Apache-2.0"}
	if d := cmp.Diff(want, names); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	for _, bad := range []struct{ in, want string }{
		{"P:a\nV:1\nnot a field\n", "line 3"},
		{"V:1\n\n", "no P:"},
		{"P:a\n", "no V:"},
	} {
		if _, err := ParseApkInstalled([]byte(bad.in), "installed"); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: err = %v, want %q", bad.in, err, bad.want)
		}
	}
}

func TestParsePythonMetadata(t *testing.T) {
	m, err := ParsePythonMetadata(imageTestdata(t, "python/PyYAML-6.0.METADATA"), "METADATA")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(&PythonMetadata{Name: "PyYAML", Version: "6.0", License: "MIT", Summary: "YAML parser and emitter for Python",
		HomePage: "https://pyyaml.org/"}, m); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	m, err = ParsePythonMetadata([]byte("Metadata-Version: 2.4\nName: Zope.Interface\nVersion: 7.0\nLicense-Expression: ZPL-2.1\nLicense: long\n   text\n\nbody: not a header\n"), "x")
	if err != nil || m.License != "ZPL-2.1" || PEP503Name(m.Name) != "zope-interface" {
		t.Errorf("metadata 2.4: %+v %v", m, err)
	}
	for _, n := range [][2]string{{"Foo_Bar.baz--qux", "foo-bar-baz-qux"}, {"pip", "pip"}, {"PyYAML", "pyyaml"}} {
		if got := PEP503Name(n[0]); got != n[1] {
			t.Errorf("PEP503Name(%q) = %q, want %q", n[0], got, n[1])
		}
	}
	for _, bad := range []string{"Version: 1\n", "Name: x\n", "Name x\n"} {
		if _, err := ParsePythonMetadata([]byte(bad), "METADATA"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseNpm(t *testing.T) {
	ps, err := ParseNPMLock(imageTestdata(t, "npm/package-lock.json"), "package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) < 20 {
		t.Fatalf("lockfile: %d packages", len(ps))
	}
	found := false
	for _, p := range ps {
		if p.Name == "" || p.Version == "" {
			t.Errorf("package %+v without identity", p)
		}
		if p.Name == "@types/debug" && p.Version == "4.1.12" {
			found = true
		}
	}
	if !found {
		t.Error("@types/debug@4.1.12 not found in the lockfile")
	}
	v1 := `{"lockfileVersion":1,"dependencies":{"a":{"version":"1.0.0","dependencies":{"b":{"version":"2.0.0","dev":true}}},"l":{"version":"file:../l"}}}`
	ps, err = ParseNPMLock([]byte(v1), "v1")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]NPMPackage{{Name: "a", Version: "1.0.0"}, {Name: "b", Version: "2.0.0", Dev: true}}, ps); d != "" {
		t.Errorf("v1 lock (-want +got):\n%s", d)
	}
	p, err := ParseNPMPackageJSON(imageTestdata(t, "npm/node_modules/@npmcli/arborist/package.json"), "package.json")
	if err != nil || p.Name != "@npmcli/arborist" || p.Version != "9.9.1" || p.License != "ISC" {
		t.Errorf("package.json: %+v %v", p, err)
	}
	p, err = ParseNPMPackageJSON([]byte(`{"name":"x","version":"1.0.0","license":{"type":"MIT"}}`), "package.json")
	if err != nil || p.License != "MIT" {
		t.Errorf("license object: %+v %v", p, err)
	}
	if p, err := ParseNPMPackageJSON([]byte(`{"private":true}`), "package.json"); p != nil || err != nil {
		t.Errorf("no name: %+v %v", p, err)
	}
	if _, err := ParseNPMPackageJSON([]byte(`{`), "package.json"); err == nil {
		t.Error("bad JSON accepted")
	}
	deep := strings.Repeat(`{"version":"1","dependencies":{"a":`, 70) + `{}` + strings.Repeat(`}}`, 70)
	if _, err := ParseNPMLock([]byte(`{"dependencies":{"a":`+deep+`}}`), "deep"); err == nil {
		t.Error("deeply nested v1 lockfile accepted")
	}
}

func TestScanJar(t *testing.T) {
	ms, err := ScanJar(catalogtest.Jar(t), "demo.jar", 1<<20, 0, testBudget(1<<20))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.GroupID+":"+m.ArtifactID+":"+m.Version)
	}
	if d := cmp.Diff([]string{"org.apache.logging.log4j:log4j-core:2.14.1", "com.example:demo:0.0.1-SNAPSHOT"}, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// The nested jar is over the nested limit: only the outer artifact.
	ms, err = ScanJar(catalogtest.Jar(t), "demo.jar", 10, 0, testBudget(1<<20))
	if err != nil || len(ms) != 1 {
		t.Errorf("nested limit: %v %v", ms, err)
	}
	if _, err := ScanJar([]byte("PK not a zip"), "bad.jar", 1<<20, 0, testBudget(1<<20)); err == nil || !strings.Contains(err.Error(), "bad.jar") {
		t.Errorf("bad jar: err = %v", err)
	}
}

// testBudget is a fresh Java decompression budget for a file limit.
func testBudget(maxFile int64) *Inflate {
	return NewInflate(context.Background(), maxFile, new(atomic.Int64))
}

// imageTestdata reads a file of package sbom's testdata/image, where the
// real files FromImage's tests build images from live (see its README).
func imageTestdata(t testing.TB, name string) []byte {
	return catalogtest.Read(t, filepath.Join("..", "..", "sbom", "testdata", "image", name))
}
