package sbom

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/internal/catalog/catalogtest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

func imgTestNames(doc *Document, cataloguer string) []string {
	var out []string
	for _, c := range doc.Components {
		if v, _ := c.Property(PropCataloguer); v == cataloguer {
			out = append(out, c.Name+"@"+c.Version)
		}
	}
	sort.Strings(out)
	return out
}

func TestFromImageWhiteouts(t *testing.T) {
	ctx := context.Background()
	apkDB := imgTestdata(t, "alpine/installed")
	// The same database without libssl3 (as after `apk del libssl3`).
	paras := strings.Split(string(apkDB), "\n\n")
	var kept []string
	for _, p := range paras {
		if !strings.Contains(p, "P:libssl3\n") {
			kept = append(kept, p)
		}
	}
	apkDBNoSSL := []byte(strings.Join(kept, "\n\n"))

	base := imgTestLayer(t,
		imgTestReg("etc/os-release", imgTestdata(t, "alpine/os-release")),
		imgTestReg("lib/apk/db/installed", apkDB),
		imgTestReg("usr/lib/python3.12/site-packages/PyYAML-6.0.dist-info/METADATA", imgTestdata(t, "python/PyYAML-6.0.METADATA")),
		imgTestReg("usr/lib/python3.12/site-packages/pip-23.0.1.dist-info/METADATA", imgTestdata(t, "python/pip-23.0.1.METADATA")),
		imgTestReg("app/node_modules/semver/package.json", imgTestdata(t, "npm/node_modules/semver/package.json")),
		imgTestReg("app/node_modules/@npmcli/arborist/package.json", imgTestdata(t, "npm/node_modules/@npmcli/arborist/package.json")),
		imgTestReg("opt/lib/demo.jar", catalogtest.Jar(t)),
	)
	tests := []struct {
		name   string
		upper  []imgTestFile
		python []string
		npm    []string
		apk    []string
		java   []string
	}{
		{
			name:   "no upper layer",
			python: []string{"PyYAML@6.0", "pip@23.0.1"},
			npm:    []string{"@npmcli/arborist@9.9.1", "semver@7.8.5"},
			apk:    []string{"busybox@1.36.1-r29", "libcrypto3@3.3.2-r0", "libssl3@3.3.2-r0", "musl@1.2.5-r0"},
			java:   []string{"demo@0.0.1-SNAPSHOT", "log4j-core@2.14.1"},
		},
		{
			name: "file and directory whiteouts",
			upper: []imgTestFile{
				imgTestReg("usr/lib/python3.12/site-packages/.wh.PyYAML-6.0.dist-info", nil),
				imgTestReg("opt/lib/.wh.demo.jar", nil),
			},
			python: []string{"pip@23.0.1"},
			npm:    []string{"@npmcli/arborist@9.9.1", "semver@7.8.5"},
			apk:    []string{"busybox@1.36.1-r29", "libcrypto3@3.3.2-r0", "libssl3@3.3.2-r0", "musl@1.2.5-r0"},
		},
		{
			name: "opaque directory keeps its new contents only",
			upper: []imgTestFile{
				{name: "app/node_modules", typ: tar.TypeDir, mode: 0o755},
				imgTestReg("app/node_modules/.wh..wh..opq", nil),
				imgTestReg("app/node_modules/semver/package.json", []byte(`{"name":"semver","version":"7.6.3","license":"ISC"}`)),
			},
			python: []string{"PyYAML@6.0", "pip@23.0.1"},
			npm:    []string{"semver@7.6.3"},
			apk:    []string{"busybox@1.36.1-r29", "libcrypto3@3.3.2-r0", "libssl3@3.3.2-r0", "musl@1.2.5-r0"},
			java:   []string{"demo@0.0.1-SNAPSHOT", "log4j-core@2.14.1"},
		},
		{
			name: "upper file replaces the package database",
			upper: []imgTestFile{
				imgTestReg("lib/apk/db/installed", apkDBNoSSL),
			},
			python: []string{"PyYAML@6.0", "pip@23.0.1"},
			npm:    []string{"@npmcli/arborist@9.9.1", "semver@7.8.5"},
			apk:    []string{"busybox@1.36.1-r29", "libcrypto3@3.3.2-r0", "musl@1.2.5-r0"},
			java:   []string{"demo@0.0.1-SNAPSHOT", "log4j-core@2.14.1"},
		},
		{
			name: "whiteout of a parent directory and a file replacing a directory",
			upper: []imgTestFile{
				imgTestReg("usr/lib/.wh.python3.12", nil),
				imgTestReg("opt/lib", []byte("now a file")),
				imgTestReg("lib/apk/db/.wh.installed", nil),
			},
			npm: []string{"@npmcli/arborist@9.9.1", "semver@7.8.5"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			layers := []any{base}
			img := imgTestImage(t, "amd64", nil, base)
			if tc.upper != nil {
				img = imgTestImage(t, "amd64", nil, base, imgTestLayer(t, tc.upper...))
			}
			_ = layers
			doc, err := FromImage(ctx, ImageFromV1(img, ""))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				cat  string
				want []string
			}{{"python", tc.python}, {"npm-installed", tc.npm}, {"apk", tc.apk}, {"java", tc.java}} {
				if d := cmp.Diff(c.want, imgTestNames(doc, c.cat)); d != "" {
					t.Errorf("%s packages (-want +got):\n%s", c.cat, d)
				}
			}
			if doc.Image.Distro == nil || doc.Image.Distro.OSVEcosystem() != "Alpine:v3.20" {
				t.Errorf("distro %+v, want Alpine:v3.20", doc.Image.Distro)
			}
			if c := imgTestFind(doc, "pkg:apk/alpine/libcrypto3@3.3.2-r0"); c != nil {
				if !strings.Contains(c.PURL, "distro=alpine-3.20.3") || !strings.Contains(c.PURL, "arch=x86_64") {
					t.Errorf("libcrypto3 purl %s", c.PURL)
				}
				if o, _ := c.Property(PropOSVPackage); o != "openssl" {
					t.Errorf("libcrypto3 OSV package %q, want its origin openssl", o)
				}
				if e, _ := c.Property(PropOSVEcosystem); e != "Alpine:v3.20" {
					t.Errorf("libcrypto3 ecosystem %q", e)
				}
			}
		})
	}
}

// TestFromImageDpkgQuery compares the dpkg cataloguer with dpkg itself on
// the same (real) status database.
func TestFromImageDpkgQuery(t *testing.T) {
	dq, err := exec.LookPath("dpkg-query")
	if err != nil {
		t.Skip("dpkg-query not available")
	}
	status := imgTestdata(t, "dpkg-status.gz")
	admin := t.TempDir()
	if err := os.WriteFile(filepath.Join(admin, "status"), status, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"info", "updates", "triggers"} {
		if err := os.MkdirAll(filepath.Join(admin, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(dq, "--admindir="+admin, "-W",
		"-f=${Package}\t${Version}\t${Architecture}\t${db:Status-Status}\n").Output()
	if err != nil {
		t.Fatalf("dpkg-query: %v", err)
	}
	var want []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 4 {
			t.Fatalf("dpkg-query line %q", sc.Text())
		}
		if f[3] == "config-files" || f[3] == "not-installed" {
			continue
		}
		want = append(want, f[0]+"@"+f[1]+"@"+f[2])
	}
	sort.Strings(want)
	if len(want) < 50 {
		t.Fatalf("dpkg-query listed only %d packages", len(want))
	}

	img := imgTestImage(t, "amd64", nil, imgTestLayer(t,
		imgTestReg("etc/os-release", imgTestdata(t, "os-release-debian12")),
		imgTestReg("var/lib/dpkg/status", status)))
	doc, err := FromImage(context.Background(), ImageFromV1(img, ""))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range doc.Components {
		if v, _ := c.Property(PropCataloguer); v != "dpkg" {
			continue
		}
		p, err := c.PackageURL()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c.Name+"@"+c.Version+"@"+p.Qualifiers.Map()["arch"])
		if p.Namespace != "debian" || p.Qualifiers.Map()["distro"] != "debian-12" || p.Version != c.Version {
			t.Errorf("purl %s: want pkg:deb/debian/...@%s?distro=debian-12", c.PURL, c.Version)
		}
	}
	sort.Strings(got)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("dpkg packages differ from dpkg-query (-dpkg-query +chaingate):\n%s", d)
	}
}

// TestFromImageGoVersionM compares the Go modules found in a binary in an
// image with `go version -m` on the same binary.
func TestFromImageGoVersionM(t *testing.T) {
	bin := imgTestGoBinary(t)
	p := filepath.Join(t.TempDir(), "imgapp")
	if err := os.WriteFile(p, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "version", "-m", p).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	// Lines: "\tpath\t<main pkg>", "\tmod\t<path>\t<version>", "\tdep\t<path>\t<version>",
	// "\t=>\t<replacement>...", "\tbuild\t...". The first line is "<file>: go1.x".
	var want []string
	goVersion := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "\t") {
			_, goVersion, _ = strings.Cut(line, ": ")
			continue
		}
		f := strings.Split(strings.TrimPrefix(line, "\t"), "\t")
		switch f[0] {
		case "mod":
			want = append(want, f[1])
		case "dep":
			want = append(want, f[1])
		}
	}
	want = append(want, GoStdlib)
	sort.Strings(want)

	img := imgTestImage(t, "amd64", nil, imgTestLayer(t,
		imgTestFile{name: "app/imgapp", data: bin, mode: 0o755, typ: tar.TypeReg}))
	doc, err := FromImage(context.Background(), ImageFromV1(img, ""))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range doc.Components {
		if v, _ := c.Property(PropCataloguer); v == "go-binary" {
			got = append(got, c.Name)
			if c.Name == GoStdlib {
				if gv, _ := c.Property(PropGoVersion); gv != goVersion {
					t.Errorf("stdlib go version %q, go version -m says %q", gv, goVersion)
				}
			}
		}
	}
	sort.Strings(got)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Go modules differ from go version -m (-go +chaingate):\n%s", d)
	}
	// The main module depends on every module of the binary.
	var edges []string
	for _, d := range doc.Dependencies {
		if strings.HasPrefix(d.Ref, "pkg:golang/example.com/imgapp") {
			edges = d.DependsOn
		}
	}
	if len(edges) != len(want)-1 {
		t.Errorf("main module depends on %v, want %d modules", edges, len(want)-1)
	}
}

func TestFromImageLimits(t *testing.T) {
	ctx := context.Background()
	img := imgTestImage(t, "amd64", nil, imgTestLayer(t,
		imgTestReg("var/lib/dpkg/status", imgTestdata(t, "dpkg-status.gz")),
		imgTestFile{name: "usr/bin/big", data: append([]byte("\x7fELF"), make([]byte, 4096)...), mode: 0o755, typ: tar.TypeReg},
	))
	if _, err := FromImage(ctx, ImageFromV1(img, ""), WithMaxTotalSize(64<<10)); !errors.Is(err, ErrImageTooLarge) {
		t.Errorf("total limit: err = %v, want ErrImageTooLarge", err)
	}
	if _, err := FromImage(ctx, ImageFromV1(img, ""), WithMaxFileSize(64<<10)); !errors.Is(err, ErrImageTooLarge) ||
		!strings.Contains(err.Error(), "/var/lib/dpkg/status") {
		t.Errorf("file limit: err = %v, want ErrImageTooLarge naming the status file", err)
	}
	// An executable over the file limit is skipped and reported.
	doc, err := FromImage(ctx, ImageFromV1(img, ""), WithMaxFileSize(1<<20))
	if err != nil {
		t.Fatal(err)
	}
	_ = doc
	small := imgTestImage(t, "amd64", nil, imgTestLayer(t,
		imgTestFile{name: "usr/bin/big", data: append([]byte("\x7fELF"), make([]byte, 4096)...), mode: 0o755, typ: tar.TypeReg}))
	doc, err = FromImage(ctx, ImageFromV1(small, ""), WithMaxFileSize(1024))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(doc.Limitations, "\n"), "/usr/bin/big") {
		t.Errorf("limitations %q: want the skipped executable", doc.Limitations)
	}
	for _, o := range []ImageOption{WithMaxFileSize(0), WithMaxTotalSize(-1), WithPlatform("linux"), WithHTTPClient(nil)} {
		if _, err := FromImage(ctx, ImageFromV1(small, ""), o); err == nil {
			t.Errorf("bad option accepted")
		}
	}
	ctxDone, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := FromImage(ctxDone, ImageFromV1(small, "")); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v", err)
	}
}

func TestFromImageNetworkOptIn(t *testing.T) {
	_, err := FromImage(context.Background(), ImageFromRemote("registry.invalid/app:1"))
	if !errors.Is(err, ErrImageNetworkDisabled) {
		t.Fatalf("err = %v, want ErrImageNetworkDisabled", err)
	}
}

func TestFromImageBadSources(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	notTar := filepath.Join(dir, "x.tar")
	if err := os.WriteFile(notTar, []byte("not a tar file at all, but long enough to have a header"), 0o644); err != nil {
		t.Fatal(err)
	}
	emptyTar := filepath.Join(dir, "empty.tar")
	if err := os.WriteFile(emptyTar, imgTestTar(t, []imgTestFile{imgTestReg("hello.txt", []byte("hi"))}), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, src := range []ImageSource{
		ImageFromTarball(filepath.Join(dir, "missing.tar")),
		ImageFromTarball(notTar),
		ImageFromTarball(emptyTar),
		ImageFromLayout(dir),
		ImageFromV1(nil, ""),
	} {
		if _, err := FromImage(ctx, src); err == nil || !strings.HasPrefix(err.Error(), "sbom: ") {
			t.Errorf("%s: err = %v, want an sbom error", src, err)
		}
	}
	if _, err := FromImage(ctx, nil); err == nil {
		t.Error("nil source accepted")
	}
	// A corrupt dpkg database fails the scan (it would hide OS packages).
	bad := imgTestImage(t, "amd64", nil, imgTestLayer(t, imgTestReg("var/lib/dpkg/status", []byte("Package: x\nthis is not a field\n"))))
	if _, err := FromImage(ctx, ImageFromV1(bad, "")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("corrupt status: err = %v, want an error naming line 2", err)
	}
	// An image without layers is an empty SBOM with its root.
	doc, err := FromImage(ctx, ImageFromV1(empty.Image, ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Components) != 1 {
		t.Errorf("empty image: %d components", len(doc.Components))
	}
	_ = mutate.Extract
}
