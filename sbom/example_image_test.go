package sbom_test

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/chaingate/chaingate/sbom"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// exampleLayer returns an image layer holding the given files.
func exampleLayer(files map[string]string, order ...string) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range order {
		tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg})
		io.WriteString(tw, files[n])
	}
	tw.Close()
	return buf.Bytes()
}

// exampleImageTarball writes a two-layer Alpine image as a docker-save
// tarball: the base installs three packages, the upper layer deletes
// one (apk del) by replacing the database.
func exampleImageTarball(dir string) string {
	const osRelease = "ID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME=\"Alpine Linux v3.20\"\n"
	const musl = "P:musl\nV:1.2.5-r0\nA:x86_64\nL:MIT\no:musl\n\n"
	const crypto = "P:libcrypto3\nV:3.3.2-r0\nA:x86_64\nL:Apache-2.0\no:openssl\n\n"
	const curl = "P:curl\nV:8.9.1-r1\nA:x86_64\nL:curl\no:curl\n\n"
	base := exampleLayer(map[string]string{
		"etc/os-release":       osRelease,
		"lib/apk/db/installed": musl + crypto + curl,
	}, "etc/os-release", "lib/apk/db/installed")
	upper := exampleLayer(map[string]string{
		"lib/apk/db/installed": musl + crypto,
	}, "lib/apk/db/installed")
	img := empty.Image
	for _, b := range [][]byte{base, upper} {
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
		if err != nil {
			log.Fatal(err)
		}
		if img, err = mutate.AppendLayers(img, l); err != nil {
			log.Fatal(err)
		}
	}
	path := filepath.Join(dir, "image.tar")
	tag, _ := name.NewTag("example.com/app:1.0")
	if err := tarball.WriteToFile(path, tag, img); err != nil {
		log.Fatal(err)
	}
	return path
}

func ExampleFromImage() {
	dir, err := os.MkdirTemp("", "chaingate-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := exampleImageTarball(dir)

	doc, err := sbom.FromImage(context.Background(), sbom.ImageFromTarball(path))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("image:", doc.Image.Reference, doc.Image.Distro.PrettyName)
	for _, c := range doc.Components {
		if c.Type == sbom.TypeContainer {
			continue
		}
		eco, _ := c.Property(sbom.PropOSVEcosystem)
		osvName, _ := c.Property(sbom.PropOSVPackage)
		fmt.Println(c.PURL, eco, osvName, c.Locations[0].Path)
	}
	// Output:
	// image: example.com/app:1.0 Alpine Linux v3.20
	// pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3 Alpine:v3.20 musl /lib/apk/db/installed
	// pkg:apk/alpine/libcrypto3@3.3.2-r0?arch=x86_64&distro=alpine-3.20.3&upstream=openssl Alpine:v3.20 openssl /lib/apk/db/installed
}

func ExampleImageFromLayout() {
	dir, err := os.MkdirTemp("", "chaingate-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	img, err := tarball.ImageFromPath(exampleImageTarball(dir), nil)
	if err != nil {
		log.Fatal(err)
	}
	// Write the image as an OCI layout directory, then scan that.
	lp, err := layout.Write(filepath.Join(dir, "oci"), empty.Index)
	if err != nil {
		log.Fatal(err)
	}
	if err := lp.AppendImage(img); err != nil {
		log.Fatal(err)
	}
	doc, err := sbom.FromImage(context.Background(), sbom.ImageFromLayout(filepath.Join(dir, "oci")))
	if err != nil {
		log.Fatal(err)
	}
	digest, _ := img.Digest()
	fmt.Println(doc.Image.Digest == digest.String(), len(doc.Image.Layers), len(doc.Components)-1, "packages")
	// Output:
	// true 2 2 packages
}

func ExampleParseOSRelease() {
	d, err := sbom.ParseOSRelease([]byte("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.ID, d.VersionID, d.Codename, d.OSVEcosystem(), d.PURLDistro())
	// Output:
	// debian 12 bookworm Debian:12 debian-12
}
