package sbom

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// imgTestIndex is a multi-platform index: a Debian amd64 image, an Alpine
// arm64 image and a buildkit-style attestation manifest (unknown/unknown).
func imgTestIndex(t *testing.T) (v1.ImageIndex, v1.Image, v1.Image) {
	t.Helper()
	deb := imgTestImage(t, "amd64", nil, imgTestLayer(t,
		imgTestReg("etc/os-release", imgTestdata(t, "os-release-debian12")),
		imgTestReg("var/lib/dpkg/status", []byte("Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b7\n"))))
	alp := imgTestImage(t, "arm64", nil, imgTestLayer(t,
		imgTestReg("etc/os-release", imgTestdata(t, "alpine/os-release")),
		imgTestReg("lib/apk/db/installed", imgTestdata(t, "alpine/installed"))))
	att := imgTestImage(t, "unknown", nil, imgTestLayer(t, imgTestReg("in-toto.json", []byte("{}"))))
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"}}},
		mutate.IndexAddendum{Add: deb, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: alp, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}}},
	)
	return idx, deb, alp
}

func TestFromImagePlatforms(t *testing.T) {
	ctx := context.Background()
	idx, deb, alp := imgTestIndex(t)
	debDigest, _ := deb.Digest()
	alpDigest, _ := alp.Digest()

	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	ref, err := name.ParseReference(u.Host + "/multi/app:latest")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, idx, remote.WithTransport(srv.Client().Transport)); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "layout")
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	// A layout whose index.json points at the multi-platform index.
	if err := lp.AppendIndex(idx); err != nil {
		t.Fatal(err)
	}
	ociTar := filepath.Join(t.TempDir(), "multi.tar")
	imgTestTarDir(t, dir, ociTar)

	sources := map[string]func() (ImageSource, []ImageOption){
		"remote": func() (ImageSource, []ImageOption) {
			return ImageFromRemote(ref.String()), []ImageOption{WithHTTPClient(srv.Client()), WithAuth(authn.Anonymous)}
		},
		"remote-options": func() (ImageSource, []ImageOption) {
			return ImageFromRemote(ref.String()), []ImageOption{WithRemoteOptions(remote.WithTransport(srv.Client().Transport))}
		},
		"layout":      func() (ImageSource, []ImageOption) { return ImageFromLayout(dir), nil },
		"oci-tarball": func() (ImageSource, []ImageOption) { return ImageFromTarball(ociTar), nil },
	}
	for name, mk := range sources {
		t.Run(name, func(t *testing.T) {
			src, opts := mk()
			doc, err := FromImage(ctx, src, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Image.Digest != debDigest.String() || doc.Image.Architecture != "amd64" {
				t.Errorf("default platform: got %s %s, want the amd64 image %s", doc.Image.Digest, doc.Image.Architecture, debDigest)
			}
			if c := imgTestFind(doc, "pkg:deb/debian/bash@5.2.15-2%2Bb7?arch=amd64&distro=debian-12"); c == nil {
				t.Errorf("bash not found in the amd64 image")
			}
			doc, err = FromImage(ctx, src, append(opts, WithPlatform("linux/arm64"))...)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Image.Digest != alpDigest.String() || doc.Image.Distro == nil || doc.Image.Distro.ID != "alpine" {
				t.Errorf("linux/arm64: got %s %+v, want the alpine image %s", doc.Image.Digest, doc.Image.Distro, alpDigest)
			}
			if len(imgTestNames(doc, "apk")) != 4 {
				t.Errorf("apk packages %v", imgTestNames(doc, "apk"))
			}
			_, err = FromImage(ctx, src, append(opts, WithPlatform("linux/s390x"))...)
			if !errors.Is(err, ErrImagePlatformNotFound) || !strings.Contains(err.Error(), "linux/s390x") {
				t.Errorf("linux/s390x: err = %v, want ErrImagePlatformNotFound", err)
			}
		})
	}
	// A single-platform image for another platform than the one named.
	if _, err := FromImage(ctx, ImageFromV1(deb, ""), WithPlatform("linux/arm64")); !errors.Is(err, ErrImagePlatformNotFound) {
		t.Errorf("single image, other platform: err = %v", err)
	}
}

func TestFromImageDistrolessAndRPM(t *testing.T) {
	ctx := context.Background()
	img := imgTestImage(t, "amd64", nil, imgTestLayer(t,
		imgTestReg("etc/os-release", imgTestdata(t, "os-release-debian12")),
		imgTestReg("var/lib/dpkg/status.d/base", []byte("Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n")),
		imgTestReg("var/lib/dpkg/status.d/base.md5sums", []byte("d41d8cd98f00b204e9800998ecf8427e  etc/debian_version\n")),
		imgTestReg("var/lib/dpkg/status.d/tzdata", []byte("Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n")),
	))
	doc, err := FromImage(ctx, ImageFromV1(img, ""))
	if err != nil {
		t.Fatal(err)
	}
	got := imgTestNames(doc, "dpkg")
	if strings.Join(got, ",") != "base-files@12.4+deb12u5,tzdata@2024a-0+deb12u1" {
		t.Errorf("status.d packages %v", got)
	}
	if c := imgTestFind(doc, "pkg:deb/debian/tzdata@"); c == nil || c.Locations[0].Path != "/var/lib/dpkg/status.d/tzdata" {
		t.Errorf("tzdata location: %+v", c)
	}
	// RPM databases are read now: see TestFromImageRPM (catalog_rpm_test.go).
	// Without os-release, OS packages get no distro and say why.
	img = imgTestImage(t, "amd64", nil, imgTestLayer(t,
		imgTestReg("var/lib/dpkg/status.d/tzdata", []byte("Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n"))))
	doc, err = FromImage(ctx, ImageFromV1(img, ""))
	if err != nil {
		t.Fatal(err)
	}
	c := imgTestFind(doc, "pkg:deb/debian/tzdata@")
	if c == nil || strings.Contains(c.PURL, "distro=") {
		t.Errorf("no os-release: %+v", c)
	}
	if _, ok := c.Property(PropOSVEcosystem); ok || doc.Image.Distro != nil || len(doc.Limitations) == 0 {
		t.Errorf("no os-release: ecosystem set or no limitation: %+v %q", c.Properties, doc.Limitations)
	}
}

// TestFromImageTampered proves the SBOM describes the content the image
// digest names: a layout whose layer or config blob was swapped is refused.
func TestFromImageTampered(t *testing.T) {
	ctx := context.Background()
	img := imgTestImage(t, "amd64", nil, imgTestLayer(t,
		imgTestReg("etc/os-release", imgTestdata(t, "alpine/os-release")),
		imgTestReg("lib/apk/db/installed", imgTestdata(t, "alpine/installed"))))
	evil := imgTestImage(t, "amd64", nil, imgTestLayer(t,
		imgTestReg("etc/os-release", imgTestdata(t, "alpine/os-release"))))
	layers, _ := img.Layers()
	ld, _ := layers[0].Digest()
	evilLayers, _ := evil.Layers()
	cn, _ := img.ConfigName()

	for _, tc := range []struct {
		name string
		blob v1.Hash
		data func() []byte
	}{
		{"layer", ld, func() []byte {
			rc, _ := evilLayers[0].Compressed()
			defer rc.Close()
			b, _ := io.ReadAll(rc)
			return b
		}},
		{"config", cn, func() []byte {
			raw, _ := img.RawConfigFile()
			return bytes.Replace(raw, []byte(`"amd64"`), []byte(`"arm64"`), 1)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "layout")
			lp, err := layout.Write(dir, empty.Index)
			if err != nil {
				t.Fatal(err)
			}
			if err := lp.AppendImage(img); err != nil {
				t.Fatal(err)
			}
			if _, err := FromImage(ctx, ImageFromLayout(dir)); err != nil {
				t.Fatalf("untampered: %v", err)
			}
			p := filepath.Join(dir, "blobs", tc.blob.Algorithm, tc.blob.Hex)
			if err := os.WriteFile(p, tc.data(), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := FromImage(ctx, ImageFromLayout(dir)); !errors.Is(err, ErrImageDigestMismatch) {
				t.Errorf("tampered %s: err = %v, want ErrImageDigestMismatch", tc.name, err)
			}
		})
	}
}

// TestFromImageTarballOnePlatform is `docker save` of a multi-platform
// image from the containerd store: the index lists every platform but the
// archive holds only one platform's blobs.
func TestFromImageTarballOnePlatform(t *testing.T) {
	ctx := context.Background()
	idx, deb, alp := imgTestIndex(t)
	dir := filepath.Join(t.TempDir(), "layout")
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendIndex(idx); err != nil {
		t.Fatal(err)
	}
	dd, _ := deb.Digest()
	if err := os.Remove(filepath.Join(dir, "blobs", dd.Algorithm, dd.Hex)); err != nil {
		t.Fatal(err)
	}
	ociTar := filepath.Join(t.TempDir(), "one.tar")
	imgTestTarDir(t, dir, ociTar)
	doc, err := FromImage(ctx, ImageFromTarball(ociTar))
	if err != nil {
		t.Fatal(err)
	}
	ad, _ := alp.Digest()
	if doc.Image.Digest != ad.String() {
		t.Errorf("digest %s, want the only platform present %s", doc.Image.Digest, ad)
	}
	if _, err := FromImage(ctx, ImageFromTarball(ociTar), WithPlatform("linux/amd64")); err == nil {
		t.Error("explicit linux/amd64 whose blobs are missing: no error")
	}
}

func TestFromImageUbuntu(t *testing.T) {
	osr := "PRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nVERSION=\"24.04.1 LTS (Noble Numbat)\"\nVERSION_CODENAME=noble\nID=ubuntu\nID_LIKE=debian\n"
	status := "Package: libssl3t64\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.13-0ubuntu3.4\n"
	img := imgTestImage(t, "amd64", nil, imgTestLayer(t,
		imgTestReg("usr/lib/os-release", []byte(osr)),
		imgTestReg("var/lib/dpkg/status", []byte(status))))
	doc, err := FromImage(context.Background(), ImageFromV1(img, ""))
	if err != nil {
		t.Fatal(err)
	}
	c := imgTestFind(doc, "pkg:deb/ubuntu/libssl3t64@3.0.13-0ubuntu3.4?arch=amd64&distro=ubuntu-24.04&upstream=openssl")
	if c == nil {
		t.Fatalf("components %+v", doc.Components)
	}
	if e, _ := c.Property(PropOSVEcosystem); e != "Ubuntu:24.04:LTS" {
		t.Errorf("ecosystem %q", e)
	}
	if n, _ := c.Property(PropOSVPackage); n != "openssl" {
		t.Errorf("OSV package %q, want the source package", n)
	}
}

// TestFromImageRemoteAuth scans from a registry that wants credentials:
// the caller's WithAuth reaches it, and without credentials the scan fails.
func TestFromImageRemoteAuth(t *testing.T) {
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "ci" || p != "s3cret" {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	ref, err := name.ParseReference(u.Host + "/private/app:1")
	if err != nil {
		t.Fatal(err)
	}
	auth := &authn.Basic{Username: "ci", Password: "s3cret"}
	img := imgTestImage(t, "amd64", nil, imgTestLayer(t,
		imgTestReg("etc/os-release", imgTestdata(t, "alpine/os-release")),
		imgTestReg("lib/apk/db/installed", imgTestdata(t, "alpine/installed"))))
	if err := remote.Write(ref, img, remote.WithTransport(srv.Client().Transport), remote.WithAuth(auth)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	doc, err := FromImage(ctx, ImageFromRemote(ref.String()), WithHTTPClient(srv.Client()), WithAuth(auth))
	if err != nil {
		t.Fatal(err)
	}
	if len(imgTestNames(doc, "apk")) != 4 || doc.Image.Reference != ref.String() {
		t.Errorf("apk packages %v, reference %q", imgTestNames(doc, "apk"), doc.Image.Reference)
	}
	if _, err := FromImage(ctx, ImageFromRemote(ref.String()), WithHTTPClient(srv.Client())); err == nil {
		t.Error("anonymous scan of a private registry succeeded")
	}
}
