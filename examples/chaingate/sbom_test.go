package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/chaingate/chaingate/sbom"
)

func TestSBOMConvert(t *testing.T) {
	out := filepath.Join(t.TempDir(), "shop-api.spdx.json")
	r := cli(t, "sbom", "convert", shopAPISBOM, "--format", "spdx-json", "--out", out, "-o", "json").want(t, exitOK)
	var rep sbom.ConversionReport
	r.decode(t, &rep)
	if rep.SchemaVersion != sbom.ReportSchemaVersion || rep.From != sbom.CycloneDXJSON || rep.To != sbom.SPDXJSON {
		t.Errorf("report %+v", rep)
	}
	// CycloneDX tool vendors have no place in SPDX: the loss is reported.
	if !hasLoss(rep.Losses, "tools.vendor") {
		t.Errorf("losses %+v lack tools.vendor", rep.Losses)
	}
	// The written file is SPDX holding every component of the source.
	before, err := decodeSBOMFile(shopAPISBOM)
	if err != nil {
		t.Fatal(err)
	}
	after, err := decodeSBOMFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if after.Format != sbom.SPDXJSON || len(after.Components) != len(before.Components) {
		t.Errorf("converted: %s with %d components, want spdx-json with %d", after.Format, len(after.Components), len(before.Components))
	}
	// And back: the round trip changes no component.
	d, err := sbom.Diff(before, after)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Empty() {
		t.Errorf("round trip changed components: %+v", d)
	}

	t.Run("to stdout, report on stderr", func(t *testing.T) {
		r := cli(t, "sbom", "convert", "../../sbom/testdata/spdx/SPDXTagExample-v2.3.spdx", "--format", "cyclonedx-xml").want(t, exitOK)
		if !strings.HasPrefix(strings.TrimSpace(r.stdout), "<?xml") || !strings.Contains(r.stdout, "<bom") {
			t.Errorf("stdout is not CycloneDX XML:\n%.300s", r.stdout)
		}
		if !strings.Contains(r.stderr, "converted ") || !strings.Contains(r.stderr, "LOST") {
			t.Errorf("stderr lacks the conversion summary:\n%s", r.stderr)
		}
	})
	t.Run("lossless refuses a lossy conversion", func(t *testing.T) {
		r := cli(t, "sbom", "convert", shopAPISBOM, "--format", "spdx-json", "--out", filepath.Join(t.TempDir(), "x.json"), "--lossless").want(t, exitDenied)
		if !strings.Contains(r.stderr, "lost") {
			t.Errorf("stderr: %s", r.stderr)
		}
	})
	t.Run("json needs --out", func(t *testing.T) {
		cli(t, "sbom", "convert", shopAPISBOM, "-o", "json").want(t, exitFailure)
	})
	t.Run("unknown format", func(t *testing.T) {
		cli(t, "sbom", "convert", shopAPISBOM, "--format", "spdx-rdf").want(t, exitFailure)
	})
}

func hasLoss(ls []sbom.Loss, field string) bool {
	for _, l := range ls {
		if l.Field == field {
			return true
		}
	}
	return false
}

func TestSBOMDiff(t *testing.T) {
	// The same service one release later: gin upgraded from v1.7.0 to
	// v1.9.1, written as a real SBOM with the version and purl changed.
	src, err := os.ReadFile(shopAPISBOM)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(src, []byte("gin-gonic/gin@v1.7.0")) {
		t.Fatal("shop-api SBOM no longer pins gin v1.7.0")
	}
	upgraded := bytes.ReplaceAll(src, []byte("gin-gonic/gin@v1.7.0"), []byte("gin-gonic/gin@v1.9.1"))
	upgraded = bytes.ReplaceAll(upgraded, []byte(`"version": "v1.7.0"`), []byte(`"version": "v1.9.1"`))
	next := filepath.Join(t.TempDir(), "shop-api-next.cdx.json")
	if err := os.WriteFile(next, upgraded, 0o644); err != nil {
		t.Fatal(err)
	}

	r := cli(t, "sbom", "diff", shopAPISBOM, next, "-o", "json").want(t, exitOK)
	var d sbom.DiffResult
	r.decode(t, &d)
	if d.SchemaVersion != sbom.DiffSchemaVersion {
		t.Errorf("schema %q", d.SchemaVersion)
	}
	if len(d.Upgraded) != 1 || d.Upgraded[0].Key != "golang/github.com/gin-gonic/gin" ||
		d.Upgraded[0].Before.Version != "v1.7.0" || d.Upgraded[0].After.Version != "v1.9.1" {
		t.Fatalf("upgraded = %+v", d.Upgraded)
	}
	if len(d.Added)+len(d.Removed)+len(d.Downgraded) != 0 || d.Unchanged == 0 {
		t.Errorf("diff %+v", d)
	}

	cli(t, "sbom", "diff", shopAPISBOM, next, "--fail-on-change").want(t, exitDenied)
	cli(t, "sbom", "diff", shopAPISBOM, shopAPISBOM, "--fail-on-change").want(t, exitOK)
	txt := cli(t, "sbom", "diff", shopAPISBOM, next).want(t, exitOK).stdout
	if !strings.Contains(txt, "1 upgraded") || !strings.Contains(txt, "github.com/gin-gonic/gin") {
		t.Errorf("table:\n%s", txt)
	}
	md := cli(t, "sbom", "diff", shopAPISBOM, next, "-o", "markdown").want(t, exitOK).stdout
	if !strings.Contains(md, "| upgraded | `golang/github.com/gin-gonic/gin` | v1.7.0 | v1.9.1 |") {
		t.Errorf("markdown:\n%s", md)
	}
}

// generated runs sbom generate with --out and -o json and returns the
// summary and the decoded SBOM.
func generated(t *testing.T, args ...string) (generateSummary, *sbom.Document) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out.cdx.json")
	r := cli(t, append(append([]string{"sbom", "generate"}, args...), "--out", out, "-o", "json")...).want(t, exitOK)
	var s generateSummary
	r.decode(t, &s)
	if s.SchemaVersion != sbomGenerateSchema || s.Out != out {
		t.Errorf("summary %+v", s)
	}
	doc, err := decodeSBOMFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if s.Components != len(doc.Components) || s.Components == 0 {
		t.Errorf("summary says %d components, the SBOM has %d", s.Components, len(doc.Components))
	}
	return s, doc
}

func component(doc *sbom.Document, name string) *sbom.Component {
	for i := range doc.Components {
		if doc.Components[i].Name == name {
			return &doc.Components[i]
		}
	}
	return nil
}

func TestSBOMGenerate(t *testing.T) {
	t.Run("npm lockfile", func(t *testing.T) {
		s, doc := generated(t, signerLock)
		if s.Kind != kindNPMLock {
			t.Errorf("kind %q", s.Kind)
		}
		if c := component(doc, "sigstore"); c == nil || c.Version != "2.0.0" || c.PURL != "pkg:npm/sigstore@2.0.0" {
			t.Errorf("sigstore component %+v", c)
		}
	})
	t.Run("go module without the go command", func(t *testing.T) {
		s, doc := generated(t, "../../sbom/testdata/gen/gomod/cobra", "--kind", "go-module")
		if s.Kind != kindGoModule || len(s.Limitations) == 0 {
			t.Errorf("summary %+v: want go-module with limitations", s)
		}
		if c := component(doc, "github.com/spf13/pflag"); c == nil || !strings.HasPrefix(c.PURL, "pkg:golang/github.com/spf13/pflag@v") {
			t.Errorf("pflag component %+v", c)
		}
	})
	t.Run("directory", func(t *testing.T) {
		// A directory is a source tree: every lockfile in it.
		dir := t.TempDir()
		for src, dst := range map[string]string{
			"../../sbom/testdata/lockfiles/gem/scalibr-rails/Gemfile.lock": "web/Gemfile.lock",
			"../../sbom/testdata/lockfiles/cargo/syft/Cargo.lock":          "cli/Cargo.lock",
			"../../sbom/testdata/gen/gomod/cobra/go.mod":                   "go.mod",
		} {
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, dst)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, dst), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		s, doc := generated(t, dir)
		if s.Kind != kindDirectory {
			t.Errorf("kind %q", s.Kind)
		}
		for _, purl := range []string{"pkg:gem/rails@7.0.2.2", "pkg:cargo/nom@4.2.3", "pkg:golang/github.com/spf13/pflag@v1.0.9"} {
			found := false
			for _, c := range doc.Components {
				found = found || c.PURL == purl
			}
			if !found {
				t.Errorf("no %s in the SBOM of the tree", purl)
			}
		}
	})
	t.Run("lockfile", func(t *testing.T) {
		s, doc := generated(t, "../../sbom/testdata/lockfiles/poetry/scalibr-v2/poetry.lock")
		if s.Kind != kindLockfile || len(doc.Components) != 12 {
			t.Errorf("summary %+v", s)
		}
		if c := component(doc, "factory-boy"); c == nil || c.PURL != "pkg:pypi/factory-boy@3.3.1" || c.Scope != sbom.ScopeExcluded {
			t.Errorf("factory-boy %+v", c)
		}
		_, doc = generated(t, "../../sbom/testdata/lockfiles/poetry/scalibr-v2/poetry.lock", "--no-dev")
		if component(doc, "factory-boy") != nil {
			t.Error("--no-dev kept a development package")
		}
	})
	t.Run("file of unknown kind", func(t *testing.T) {
		r := cli(t, "sbom", "generate", "../../sbom/testdata/README.md").want(t, exitFailure)
		for _, want := range []string{"cannot tell what", "yarn.lock", "Cargo.lock", "--kind", "directory, lockfile, go-binary"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr %q lacks %q", r.stderr, want)
			}
		}
	})
	t.Run("go binary", func(t *testing.T) {
		// The test binary itself is a Go binary with build information.
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		s, doc := generated(t, exe, "--kind", "go-binary")
		if s.Kind != kindGoBinary {
			t.Errorf("kind %q", s.Kind)
		}
		if c := component(doc, "github.com/spf13/cobra"); c == nil || c.Version != "v1.10.2" {
			t.Errorf("cobra component %+v", c)
		}
	})
	t.Run("image tarball and layout", func(t *testing.T) {
		tarPath, layoutDir := debianImage(t)
		s, doc := generated(t, tarPath)
		if s.Kind != kindImageTarball || s.Image == nil || s.Image.Distro == nil || s.Image.Distro.ID != "debian" {
			t.Fatalf("summary %+v", s)
		}
		c := component(doc, "dpkg")
		if c == nil || !strings.HasPrefix(c.PURL, "pkg:deb/debian/dpkg@") {
			t.Fatalf("dpkg component %+v", c)
		}
		s2, doc2 := generated(t, layoutDir)
		// A docker-save tarball has no manifest digest (its limitation
		// says so); the layout has one. The packages are the same.
		if s2.Kind != kindImageLayout || len(s2.Image.Layers) != 1 || len(doc2.Components) != len(doc.Components) {
			t.Errorf("layout summary %+v, tarball %+v", s2, s)
		}
	})
	t.Run("image in a registry", func(t *testing.T) {
		tarPath, _ := debianImage(t)
		img, err := tarball.ImageFromPath(tarPath, nil)
		if err != nil {
			t.Fatal(err)
		}
		reg := newOCIImage(t) // an in-process registry
		ref := reg.repo.Tag("debian-12")
		if err := remote.Write(ref, img); err != nil {
			t.Fatal(err)
		}
		cli(t, "sbom", "generate", ref.String(), "--kind", "image-remote").want(t, exitFailure) // network is opt-in
		s, doc := generated(t, ref.String(), "--kind", "image-remote", "--allow-network")
		d, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		if s.Image == nil || s.Image.Digest != d.String() || component(doc, "dpkg") == nil {
			t.Errorf("summary %+v", s)
		}
	})
	t.Run("text to stdout", func(t *testing.T) {
		r := cli(t, "sbom", "generate", signerLock, "--format", "spdx-tag-value").want(t, exitOK)
		if !strings.HasPrefix(r.stdout, "SPDXVersion: SPDX-2.3") {
			t.Errorf("stdout:\n%.200s", r.stdout)
		}
		if !strings.Contains(r.stderr, "generated spdx-tag-value SBOM") {
			t.Errorf("stderr: %s", r.stderr)
		}
	})
	t.Run("not a Go binary", func(t *testing.T) {
		cli(t, "sbom", "generate", trustedRoot, "--kind", "go-binary").want(t, exitFailure)
	})
	t.Run("unknown kind", func(t *testing.T) {
		cli(t, "sbom", "generate", signerLock, "--kind", "rpm").want(t, exitFailure)
	})
}

// debianImage writes a one-layer image holding a real Debian 12 dpkg
// database and os-release, as a docker-save tarball and an OCI layout.
func debianImage(t *testing.T) (tarPath, layoutDir string) {
	t.Helper()
	gz, err := os.Open("../../sbom/testdata/image/dpkg-status.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer gz.Close()
	zr, err := gzip.NewReader(gz)
	if err != nil {
		t.Fatal(err)
	}
	status, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	osRelease, err := os.ReadFile("../../sbom/testdata/image/os-release-debian12")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range []struct {
		name string
		data []byte
	}{{"etc/os-release", osRelease}, {"var/lib/dpkg/status", status}} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tarPath = filepath.Join(dir, "debian.tar")
	tag, err := name.NewTag("example.com/debian-app:12")
	if err != nil {
		t.Fatal(err)
	}
	if err := tarball.WriteToFile(tarPath, tag, img); err != nil {
		t.Fatal(err)
	}
	layoutDir = filepath.Join(dir, "oci")
	lp, err := layout.Write(layoutDir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	return tarPath, layoutDir
}

func TestSBOMValidate(t *testing.T) {
	r := cli(t, "sbom", "validate", shopAPISBOM, "-o", "json").want(t, exitOK)
	var v validateResult
	r.decode(t, &v)
	if !v.Valid || v.Format != sbom.CycloneDXJSON || v.SpecVersion != "1.6" || v.Components == 0 || len(v.Problems) != 0 {
		t.Errorf("valid SBOM: %+v", v)
	}
	cli(t, "sbom", "validate", "../../sbom/testdata/spdx/SPDXJSONExample-v2.3.spdx.json", "--strict").want(t, exitOK)

	// The same SBOM with a broken purl and licence.
	src, err := os.ReadFile(signerSBOM)
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(src, []byte(`"purl": "pkg:npm/sigstore@2.0.0"`), []byte(`"purl": "npm/sigstore@2.0.0"`), 1)
	if bytes.Equal(bad, src) {
		t.Fatal("the signer-service SBOM changed: its sigstore purl was not found")
	}
	bad2 := bytes.Replace(bad, []byte(`"Apache-2.0"`), []byte(`"Apache-2.0 ANDOR MIT"`), 1)
	if bytes.Equal(bad2, bad) {
		t.Fatal("the signer-service SBOM changed: no Apache-2.0 licence found")
	}
	bad = bad2
	path := filepath.Join(t.TempDir(), "bad.cdx.json")
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	r = cli(t, "sbom", "validate", path, "-o", "json").want(t, exitDenied)
	v = validateResult{}
	r.decode(t, &v)
	if v.Valid || len(v.Problems) == 0 {
		t.Fatalf("invalid SBOM: %+v", v)
	}
	fields := map[string]bool{}
	for _, p := range v.Problems {
		fields[p.Field] = true
	}
	if !fields["purl"] || !fields["licenseDeclared"] {
		t.Errorf("problems %+v lack the purl", v.Problems)
	}
	if txt := cli(t, "sbom", "validate", path).want(t, exitDenied).stdout; !strings.Contains(txt, "INVALID") || !strings.Contains(txt, "purl") {
		t.Errorf("table:\n%s", txt)
	}

	// Something that is not an SBOM is invalid too, with the parse error.
	r = cli(t, "sbom", "validate", trustedRoot, "-o", "json").want(t, exitDenied)
	v = validateResult{}
	r.decode(t, &v)
	if v.Valid || v.ParseError == "" {
		t.Errorf("not an SBOM: %+v", v)
	}
}
