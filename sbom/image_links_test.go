package sbom

import (
	"archive/tar"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func imgTestLink(name, target string) imgTestFile {
	return imgTestFile{name: name, typ: tar.TypeSymlink, link: target, mode: 0o777}
}

func imgTestHardLink(name, target string) imgTestFile {
	return imgTestFile{name: name, typ: tar.TypeLink, link: target, mode: 0o644}
}

// TestFromImageLinkedDatabases is issue 14, item 3: package databases
// reached through symbolic or hard links (to files in the same layer,
// in another layer, through linked directories) yield the same packages
// as the regular file, resolved within the image's root only; what
// cannot be read is an error for an OS package database and a
// limitation for anything else, never a clean SBOM.
func TestFromImageLinkedDatabases(t *testing.T) {
	ctx := context.Background()
	status := imgTestdata(t, "dpkg-status.gz")
	osRel := imgTestdata(t, "os-release-debian12")
	apkDB := imgTestdata(t, "alpine/installed")
	scan := func(t *testing.T, layers ...[]imgTestFile) (*Document, error) {
		t.Helper()
		var ls []v1.Layer
		for _, files := range layers {
			ls = append(ls, imgTestLayer(t, files...))
		}
		return FromImage(ctx, ImageFromV1(imgTestImage(t, "amd64", nil, ls...), ""))
	}
	// The reference: the same databases as regular files.
	ref, err := scan(t, []imgTestFile{
		imgTestReg("etc/os-release", osRel),
		imgTestReg("var/lib/dpkg/status", status),
	})
	if err != nil {
		t.Fatal(err)
	}
	wantDeb := imgTestNames(ref, "dpkg")
	if len(wantDeb) < 50 {
		t.Fatalf("reference image has %d dpkg packages", len(wantDeb))
	}
	refApk, err := scan(t, []imgTestFile{imgTestReg("lib/apk/db/installed", apkDB)})
	if err != nil {
		t.Fatal(err)
	}
	wantApk := imgTestNames(refApk, "apk")

	ok := []struct {
		name   string
		layers [][]imgTestFile
		// location is where the packages' bytes are (Location.Path).
		location string
	}{
		{"relative symlink, same layer", [][]imgTestFile{{
			imgTestReg("var/lib/dpkg/status.real", status),
			imgTestLink("var/lib/dpkg/status", "status.real"),
		}}, "/var/lib/dpkg/status.real"},
		{"absolute symlink into a lower layer", [][]imgTestFile{
			{imgTestReg("opt/db/status", status)},
			{imgTestLink("var/lib/dpkg/status", "/opt/db/status")},
		}, "/opt/db/status"},
		{"upper symlink replaces a lower regular file", [][]imgTestFile{
			{imgTestReg("var/lib/dpkg/status", []byte("Package: gone\nStatus: install ok installed\nVersion: 1\n")),
				imgTestReg("srv/status", status)},
			{imgTestLink("var/lib/dpkg/status", "../../../srv/status")},
		}, "/srv/status"},
		{"hard link, same layer", [][]imgTestFile{{
			imgTestReg("srv/status", status),
			imgTestHardLink("var/lib/dpkg/status", "srv/status"),
		}}, "/srv/status"},
		{"hard link whose target an upper layer removed", [][]imgTestFile{
			{imgTestReg("srv/status", status), imgTestHardLink("var/lib/dpkg/status", "srv/status")},
			{imgTestReg("srv/.wh.status", nil)},
		}, "/srv/status"},
		{"linked directory", [][]imgTestFile{
			{imgTestReg("data/dpkg/status", status)},
			{imgTestLink("var/lib/dpkg", "/data/dpkg")},
		}, "/data/dpkg/status"},
		{"chain of links through a linked parent", [][]imgTestFile{{
			imgTestReg("data/real/status-file", status),
			imgTestLink("data/alias", "real"),
			imgTestLink("data/real/status", "status-file"),
			imgTestLink("var/lib/dpkg/status", "/data/alias/status"),
		}}, "/data/real/status-file"},
		{"dot-dot cannot climb above the root", [][]imgTestFile{{
			imgTestReg("status", status),
			imgTestLink("var/lib/dpkg/status", "../../../../../../../../status"),
		}}, "/status"},
		{"absolute target is re-rooted in the image", [][]imgTestFile{{
			imgTestReg("etc/passwd-db", status),
			imgTestLink("var/lib/dpkg/status", "/../../etc/passwd-db"),
		}}, "/etc/passwd-db"},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			layers := append([][]imgTestFile{{imgTestReg("etc/os-release", osRel)}}, tc.layers...)
			doc, err := scan(t, layers...)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(wantDeb, imgTestNames(doc, "dpkg")); d != "" {
				t.Errorf("dpkg packages (-regular file +linked):\n%s", d)
			}
			c := imgTestFind(doc, "pkg:deb/debian/base-files@")
			if c == nil || len(c.Locations) != 1 || c.Locations[0].Path != tc.location {
				t.Errorf("base-files: %+v, want one location at %s", c, tc.location)
			}
			if doc.Image.Distro == nil || doc.Image.Distro.OSVEcosystem() != "Debian:12" {
				t.Errorf("distro %+v", doc.Image.Distro)
			}
		})
	}

	t.Run("apk database and os-release through links", func(t *testing.T) {
		doc, err := scan(t,
			[]imgTestFile{imgTestReg("usr/share/apk/installed", apkDB), imgTestReg("usr/share/os-release.alpine", imgTestdata(t, "alpine/os-release"))},
			[]imgTestFile{imgTestLink("lib/apk/db/installed", "/usr/share/apk/installed"), imgTestLink("etc/os-release", "../usr/share/os-release.alpine")},
		)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(wantApk, imgTestNames(doc, "apk")); d != "" {
			t.Errorf("apk packages (-regular +linked):\n%s", d)
		}
		if doc.Image.Distro == nil || doc.Image.Distro.OSVEcosystem() != "Alpine:v3.20" {
			t.Errorf("distro %+v, want Alpine v3.20 read through the link", doc.Image.Distro)
		}
	})

	t.Run("language metadata through linked directories", func(t *testing.T) {
		doc, err := scan(t,
			[]imgTestFile{
				imgTestReg("opt/venv-store/PyYAML-6.0.dist-info/METADATA", imgTestdata(t, "python/PyYAML-6.0.METADATA")),
				imgTestReg("srv/packages/semver/package.json", imgTestdata(t, "npm/node_modules/semver/package.json")),
			},
			[]imgTestFile{
				imgTestLink("usr/lib/python3/site-packages/PyYAML-6.0.dist-info", "/opt/venv-store/PyYAML-6.0.dist-info"),
				imgTestLink("srv/app/node_modules/semver", "../../packages/semver"),
				// A loop and a link to itself end without harm.
				imgTestLink("srv/app/node_modules/loop", "."),
				imgTestLink("srv/self", "self"),
			},
		)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]string{"PyYAML@6.0"}, imgTestNames(doc, "python")); d != "" {
			t.Errorf("python (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]string{"semver@7.8.5"}, imgTestNames(doc, "npm-installed")); d != "" {
			t.Errorf("npm (-want +got):\n%s", d)
		}
	})

	t.Run("link to a file already catalogued is not counted twice", func(t *testing.T) {
		doc, err := scan(t, []imgTestFile{
			imgTestReg("usr/lib/os-release", osRel),
			imgTestLink("etc/os-release", "../usr/lib/os-release"),
			imgTestReg("var/lib/dpkg/status", status),
			imgTestLink("lib", "usr/lib"), // merged /usr
		})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(wantDeb, imgTestNames(doc, "dpkg")); d != "" {
			t.Errorf("dpkg (-want +got):\n%s", d)
		}
		if len(doc.Limitations) != 0 {
			t.Errorf("limitations %q", doc.Limitations)
		}
	})

	bad := []struct {
		name   string
		layers [][]imgTestFile
		want   string
	}{
		{"dangling symlink", [][]imgTestFile{{imgTestLink("var/lib/dpkg/status", "/nowhere/status")}},
			"/var/lib/dpkg/status: link to /nowhere/status leads to nothing in the image"},
		{"symlink target whited out by an upper layer", [][]imgTestFile{
			{imgTestReg("srv/status", status), imgTestLink("var/lib/dpkg/status", "/srv/status")},
			{imgTestReg("srv/.wh.status", nil)},
		}, "leads to nothing in the image"},
		{"symlink loop", [][]imgTestFile{{
			imgTestLink("var/lib/dpkg/status", "status2"), imgTestLink("var/lib/dpkg/status2", "status"),
		}}, "more than 40 symbolic links"},
		{"symlink to a device", [][]imgTestFile{{
			{name: "dev/zero", typ: tar.TypeChar, mode: 0o666}, imgTestLink("var/lib/dpkg/status", "/dev/zero"),
		}}, "not a regular file"},
		{"symlink to a directory", [][]imgTestFile{{
			{name: "srv/dir", typ: tar.TypeDir, mode: 0o755}, imgTestLink("lib/apk/db/installed", "/srv/dir"),
		}}, "/lib/apk/db/installed"},
		{"through a file used as a directory", [][]imgTestFile{{
			imgTestReg("srv/file", []byte("x")), imgTestLink("var/lib/dpkg/status", "/srv/file/status"),
		}}, "not a directory"},
		{"dangling hard link", [][]imgTestFile{{imgTestHardLink("var/lib/dpkg/status", "srv/none")}},
			"hard link to /srv/none leads to nothing"},
		// Not links, but as unreadable: a special file where the
		// database should be yielded 0 packages and no limitation.
		{"a device at the database path", [][]imgTestFile{{{name: "var/lib/dpkg/status", typ: tar.TypeChar, mode: 0o666}}},
			"/var/lib/dpkg/status: not a regular file (tar type '3')"},
		{"a named pipe at the database path", [][]imgTestFile{{{name: "lib/apk/db/installed", typ: tar.TypeFifo, mode: 0o644}}},
			"/lib/apk/db/installed: not a regular file (tar type '6')"},
		{"a device in status.d over a lower layer's file", [][]imgTestFile{
			{imgTestReg("var/lib/dpkg/status.d/foo", status)},
			{{name: "var/lib/dpkg/status.d/foo", typ: tar.TypeBlock, mode: 0o644}},
		}, "/var/lib/dpkg/status.d/foo: not a regular file (tar type '4')"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := scan(t, tc.layers...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want an error with %q", err, tc.want)
			}
		})
	}

	t.Run("unreadable language metadata is a limitation", func(t *testing.T) {
		doc, err := scan(t, []imgTestFile{
			imgTestLink("srv/app/node_modules/semver/package.json", "/gone/package.json"),
			imgTestLink("etc/os-release", "/gone/os-release"),
		})
		if err != nil {
			t.Fatal(err)
		}
		lim := strings.Join(doc.Limitations, "\n")
		for _, p := range []string{"/srv/app/node_modules/semver/package.json: link to /gone/package.json", "/etc/os-release: link to /gone/os-release"} {
			if !strings.Contains(lim, p) {
				t.Errorf("limitations %q: want %q", doc.Limitations, p)
			}
		}
	})
}

// TestFromImageLinkFanOut: directory links that multiply paths (four
// links per level, eight levels: 65,536 ways to reach each of 100
// files) end at the link work limit with a limitation, within a memory
// budget, instead of walking millions of paths.
func TestFromImageLinkFanOut(t *testing.T) {
	var files []imgTestFile
	for k := range 100 {
		files = append(files, imgTestReg(fmt.Sprintf("d8/f%d", k), []byte("x")))
	}
	for level := range 8 {
		for l := range 4 {
			files = append(files, imgTestLink(fmt.Sprintf("d%d/l%d", level, l), fmt.Sprintf("/d%d", level+1)))
		}
	}
	files = append(files, imgTestLink("srv/app/node_modules/x", "/d0"))
	img := imgTestImage(t, "amd64", nil, imgTestLayer(t, files...))
	ctx := imgTestDeadline(t)
	var doc *Document
	var err error
	imgTestBudget(t, 256<<20, func() { doc, err = FromImage(ctx, ImageFromV1(img, "")) })
	imgTestNotDeadline(t, err)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(doc.Limitations, "\n"), "more than 1048576 paths reached through links") {
		t.Errorf("limitations %q: want the link work limit", doc.Limitations)
	}
}
