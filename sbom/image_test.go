package sbom

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chaingate/chaingate/internal/catalog/catalogtest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// imgTestFile is one tar entry of a test layer.
type imgTestFile struct {
	name string
	data []byte
	mode int64
	typ  byte
	link string
}

func imgTestReg(name string, data []byte) imgTestFile {
	return imgTestFile{name: name, data: data, mode: 0o644, typ: tar.TypeReg}
}

func imgTestTar(t testing.TB, files []imgTestFile) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	for _, f := range files {
		// Parent directories first, as real layers have them.
		parts := strings.Split(strings.Trim(f.name, "/"), "/")
		for i := 1; i < len(parts); i++ {
			d := strings.Join(parts[:i], "/") + "/"
			if !dirs[d] {
				dirs[d] = true
				if err := tw.WriteHeader(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
					t.Fatal(err)
				}
			}
		}
		typ := f.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		h := &tar.Header{Name: strings.TrimPrefix(f.name, "/"), Typeflag: typ, Mode: f.mode, Linkname: f.link,
			ModTime: time.Unix(1700000000, 0)}
		if typ == tar.TypeReg {
			h.Size = int64(len(f.data))
		}
		if typ == tar.TypeDir {
			dirs[strings.Trim(f.name, "/")+"/"] = true
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			if _, err := tw.Write(f.data); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func imgTestLayer(t testing.TB, files ...imgTestFile) v1.Layer {
	t.Helper()
	return imgTestLayerBytes(t, imgTestTar(t, files))
}

// imgTestLayerBytes is a layer whose uncompressed tar stream is b.
func imgTestLayerBytes(t testing.TB, b []byte) v1.Layer {
	t.Helper()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func imgTestImage(t testing.TB, arch string, labels map[string]string, layers ...v1.Layer) v1.Image {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	cf.Config.Labels = labels
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func imgTestdata(t testing.TB, name string) []byte {
	return catalogtest.Read(t, filepath.Join("testdata", "image", name))
}

var imgTestGoBin struct {
	once sync.Once
	data []byte
	err  error
}

// imgTestGoBinary builds (once per test binary) a small Go program with a
// dependency module replaced by a local directory, so its build info has
// a main module, the toolchain and one dependency.
func imgTestGoBinary(t testing.TB) []byte {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not available")
	}
	imgTestGoBin.once.Do(func() {
		dir, err := os.MkdirTemp("", "chaingate-imgtest-")
		if err != nil {
			imgTestGoBin.err = err
			return
		}
		defer os.RemoveAll(dir)
		files := map[string]string{
			"go.mod":         "module example.com/imgapp\n\ngo 1.22\n\nrequire example.com/greet v1.4.0\n\nreplace example.com/greet v1.4.0 => ./greet\n",
			"main.go":        "package main\n\nimport \"example.com/greet\"\n\nfunc main() { println(greet.Hello()) }\n",
			"greet/go.mod":   "module example.com/greet\n\ngo 1.22\n",
			"greet/greet.go": "package greet\n\n// Hello greets.\nfunc Hello() string { return \"hello\" }\n",
		}
		for n, c := range files {
			p := filepath.Join(dir, n)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				imgTestGoBin.err = err
				return
			}
			if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
				imgTestGoBin.err = err
				return
			}
		}
		cmd := exec.Command(goCmd, "build", "-o", "imgapp", ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOFLAGS=-buildvcs=false -mod=mod",
			"GOPROXY=off", "GOTOOLCHAIN=local", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			imgTestGoBin.err = errors.New("go build: " + err.Error() + "\n" + string(out))
			return
		}
		imgTestGoBin.data, imgTestGoBin.err = os.ReadFile(filepath.Join(dir, "imgapp"))
	})
	if imgTestGoBin.err != nil {
		t.Fatal(imgTestGoBin.err)
	}
	return imgTestGoBin.data
}

// imgTestDebianImage is a Debian 12 image with every kind of package
// chaingate catalogues, in four layers.
func imgTestDebianImage(t testing.TB) v1.Image {
	t.Helper()
	base := imgTestLayer(t,
		imgTestReg("usr/lib/os-release", imgTestdata(t, "os-release-debian12")),
		imgTestFile{name: "etc/os-release", typ: tar.TypeSymlink, link: "../usr/lib/os-release", mode: 0o777},
		imgTestReg("var/lib/dpkg/status", imgTestdata(t, "dpkg-status.gz")),
		imgTestReg("bin/true", append([]byte("\x7fELF"), make([]byte, 200)...)), // ELF, not Go
	)
	bin := imgTestGoBinary(t)
	app := imgTestLayer(t, imgTestFile{name: "usr/local/bin/imgapp", data: bin, mode: 0o755, typ: tar.TypeReg})
	lang := imgTestLayer(t,
		imgTestReg("srv/web/package-lock.json", imgTestdata(t, "npm/package-lock.json")),
		imgTestReg("srv/web/node_modules/semver/package.json", imgTestdata(t, "npm/node_modules/semver/package.json")),
		imgTestReg("srv/web/node_modules/@npmcli/arborist/package.json", imgTestdata(t, "npm/node_modules/@npmcli/arborist/package.json")),
		imgTestReg("usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA", imgTestdata(t, "python/PyYAML-6.0.METADATA")),
		imgTestReg("usr/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA", imgTestdata(t, "python/pip-23.0.1.METADATA")),
		imgTestReg("opt/demo/demo.jar", catalogtest.Jar(t)),
	)
	return imgTestImage(t, "amd64", map[string]string{"org.opencontainers.image.source": "https://example.com/demo"}, base, app, lang)
}

// imgTestSummary is what must agree across sources: purl -> locations.
func imgTestSummary(doc *Document) map[string][]string {
	out := map[string][]string{}
	for _, c := range doc.Components[1:] {
		for _, l := range c.Locations {
			out[c.PURL] = append(out[c.PURL], l.Path)
		}
	}
	return out
}

func imgTestFind(doc *Document, purlPrefix string) *Component {
	for i := range doc.Components {
		if strings.HasPrefix(doc.Components[i].PURL, purlPrefix) {
			return &doc.Components[i]
		}
	}
	return nil
}

func TestFromImageSources(t *testing.T) {
	ctx := context.Background()
	img := imgTestDebianImage(t)
	wantDigest, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}

	// The in-process registry.
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	ref, err := name.ParseReference(u.Host + "/demo/app:1.0")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img, remote.WithTransport(srv.Client().Transport)); err != nil {
		t.Fatal(err)
	}

	// An OCI layout directory and the same layout archived as a tar.
	dir := t.TempDir()
	lp, err := layout.Write(filepath.Join(dir, "layout"), empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	ociTar := filepath.Join(dir, "oci.tar")
	imgTestTarDir(t, filepath.Join(dir, "layout"), ociTar)

	// A docker-save archive.
	dockerTar := filepath.Join(dir, "docker.tar")
	tag, _ := name.NewTag("demo/app:1.0")
	if err := tarball.WriteToFile(dockerTar, tag, img); err != nil {
		t.Fatal(err)
	}

	// The OCI archive gzip-compressed (.tar.gz).
	ociTarGz := filepath.Join(dir, "oci.tar.gz")
	{
		raw, err := os.ReadFile(ociTar)
		if err != nil {
			t.Fatal(err)
		}
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(raw)
		zw.Close()
		if err := os.WriteFile(ociTarGz, gz.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	sources := []struct {
		name       string
		src        ImageSource
		opts       []ImageOption
		realDigest bool
	}{
		{"remote", ImageFromRemote(ref.String()), []ImageOption{WithHTTPClient(srv.Client())}, true},
		{"layout", ImageFromLayout(filepath.Join(dir, "layout")), nil, true},
		{"oci-tarball", ImageFromTarball(ociTar), nil, true},
		{"oci-tarball-gz", ImageFromTarball(ociTarGz), nil, true},
		{"docker-tarball", ImageFromTarball(dockerTar), nil, false},
		{"v1", ImageFromV1(img, "demo/app:1.0"), nil, true},
	}
	var first map[string][]string
	for _, s := range sources {
		t.Run(s.name, func(t *testing.T) {
			doc, err := FromImage(ctx, s.src, s.opts...)
			if err != nil {
				t.Fatal(err)
			}
			imgTestCheckDebianDoc(t, doc)
			if s.realDigest && doc.Image.Digest != wantDigest.String() {
				t.Errorf("Image.Digest = %s, want %s", doc.Image.Digest, wantDigest)
			}
			if !s.realDigest {
				cn, _ := img.ConfigName()
				if doc.Image.Digest != cn.String() || len(doc.Limitations) == 0 {
					t.Errorf("docker-save: Image.Digest = %s, want image ID %s and a limitation", doc.Image.Digest, cn)
				}
			}
			if doc.Image.Labels["org.opencontainers.image.source"] != "https://example.com/demo" {
				t.Errorf("labels = %v", doc.Image.Labels)
			}
			if len(doc.Image.Layers) != 3 {
				t.Errorf("layers = %v, want 3", doc.Image.Layers)
			}
			sum := imgTestSummary(doc)
			if first == nil {
				first = sum
			} else if d := cmp.Diff(first, sum); d != "" {
				t.Errorf("components differ from the remote scan (-remote +%s):\n%s", s.name, d)
			}
		})
	}
}

// imgTestTarDir archives a directory as a tar (an OCI layout archive).
func imgTestTarDir(t testing.TB, dir, out string) {
	t.Helper()
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	err = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		h, err := tar.FileInfoHeader(fi, "")
		if err != nil {
			return err
		}
		h.Name = filepath.ToSlash(rel)
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			_, err = tw.Write(b)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

func imgTestCheckDebianDoc(t *testing.T, doc *Document) {
	t.Helper()
	if doc.Image == nil || doc.Image.Distro == nil || doc.Image.Distro.ID != "debian" || doc.Image.Distro.VersionID != "12" {
		t.Fatalf("Image.Distro = %+v, want debian 12", doc.Image)
	}
	if doc.Image.OS != "linux" || doc.Image.Architecture != "amd64" {
		t.Errorf("platform = %s/%s", doc.Image.OS, doc.Image.Architecture)
	}
	root := doc.Component(doc.Root)
	if root == nil || root.Type != TypeContainer || !strings.HasPrefix(root.PURL, "pkg:oci/") {
		t.Errorf("root = %+v, want the image as a container", root)
	}
	cases := []struct {
		purlPrefix, eco, osvName, path string
		layer                          int
	}{
		{"pkg:deb/debian/libc6@", "Debian:12", "glibc", "/var/lib/dpkg/status", 0},
		{"pkg:golang/example.com/imgapp", "Go", "example.com/imgapp", "/usr/local/bin/imgapp", 1},
		{"pkg:golang/stdlib@v", "Go", "stdlib", "/usr/local/bin/imgapp", 1},
		{"pkg:npm/semver@7.8.5", "npm", "semver", "/srv/web/node_modules/semver/package.json", 2},
		{"pkg:npm/%40npmcli/arborist@9.9.1", "npm", "@npmcli/arborist", "/srv/web/node_modules/@npmcli/arborist/package.json", 2},
		{"pkg:npm/markdownlint-cli@", "npm", "markdownlint-cli", "/srv/web/package-lock.json", 2},
		{"pkg:pypi/pyyaml@6.0", "PyPI", "pyyaml", "/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA", 2},
		{"pkg:pypi/pip@23.0.1", "PyPI", "pip", "/usr/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA", 2},
		{"pkg:maven/com.example/demo@0.0.1-SNAPSHOT", "Maven", "com.example:demo", "/opt/demo/demo.jar!/META-INF/maven/com.example/demo/pom.properties", 2},
		{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "Maven", "org.apache.logging.log4j:log4j-core",
			"/opt/demo/demo.jar!/BOOT-INF/lib/log4j-core-2.14.1.jar!/META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties", 2},
	}
	for _, c := range cases {
		comp := imgTestFind(doc, c.purlPrefix)
		if comp == nil {
			t.Errorf("no component with purl %s...", c.purlPrefix)
			continue
		}
		if comp.Name == "" || comp.Version == "" && !strings.Contains(c.purlPrefix, "imgapp") {
			t.Errorf("%s: Name %q Version %q", comp.PURL, comp.Name, comp.Version)
		}
		if eco, _ := comp.Property(PropOSVEcosystem); eco != c.eco {
			t.Errorf("%s: ecosystem %q, want %q", comp.PURL, eco, c.eco)
		}
		if n, _ := comp.Property(PropOSVPackage); n != c.osvName {
			t.Errorf("%s: OSV package %q, want %q", comp.PURL, n, c.osvName)
		}
		found := false
		for _, l := range comp.Locations {
			if l.Path == c.path && l.Layer == doc.Image.Layers[c.layer] {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: locations %v, want %s in layer %d (%s)", comp.PURL, comp.Locations, c.path, c.layer, doc.Image.Layers[c.layer])
		}
	}
	libc := imgTestFind(doc, "pkg:deb/debian/libc6@")
	if libc != nil && !strings.Contains(libc.PURL, "distro=debian-12") || libc != nil && !strings.Contains(libc.PURL, "arch=amd64") {
		t.Errorf("libc6 purl %s: want arch and distro qualifiers", libc.PURL)
	}
	if imgTestFind(doc, "pkg:golang/example.com/greet") == nil {
		t.Errorf("the Go binary's dependency example.com/greet is missing")
	}
	// Every component but the root has a purl, and IDs are unique.
	ids := map[string]bool{}
	for _, c := range doc.Components {
		if c.PURL == "" {
			t.Errorf("component %s has no purl", c.ID)
		}
		if ids[c.ID] {
			t.Errorf("duplicate ID %s", c.ID)
		}
		ids[c.ID] = true
	}
}

// TestFromImageDocumentIsValid checks that an image SBOM passes Validate
// and survives CycloneDX and SPDX encoding with every purl.
func TestFromImageDocumentIsValid(t *testing.T) {
	doc, err := FromImage(context.Background(), ImageFromV1(imgTestDebianImage(t), "registry.example/demo/app:1.0"))
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(doc); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	want := map[string]bool{}
	for _, c := range doc.Components {
		want[c.PURL] = true
	}
	for _, f := range []Format{CycloneDXJSON, SPDXJSON} {
		var buf bytes.Buffer
		if err := Encode(&buf, doc, f); err != nil {
			t.Fatalf("Encode %s: %v", f, err)
		}
		back, err := Decode(&buf)
		if err != nil {
			t.Fatalf("Decode %s: %v", f, err)
		}
		got := map[string]bool{}
		for _, c := range back.Components {
			got[c.PURL] = true
		}
		for p := range want {
			if !got[p] {
				t.Errorf("%s: purl %s lost", f, p)
			}
		}
	}
}
