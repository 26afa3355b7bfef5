package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// The demo's real data: see data/README.md.
//
//go:embed data/vulndb.idx data/dpkg-status data/os-release data/greeter-v1.4.0.gz data/greeter-v1.4.1.gz
var data embed.FS

// buildDemoImage writes the demo image into dir as a docker-save tarball: a base
// layer with Debian 12's /etc/os-release and the dpkg database of
// distroless/static's five packages, and an application layer with the
// greeter binary (real Go build information) and its configuration.
func buildDemoImage(dir, demo string) (path, imageName string, err error) {
	versions := map[string]string{"vulnerable": "1.4.0", "fixed": "1.4.1"}
	version, ok := versions[demo]
	if !ok {
		return "", "", fmt.Errorf("-demo %q: want vulnerable or fixed", demo)
	}
	files := func(names ...string) (map[string][]byte, error) {
		m := map[string][]byte{}
		for i := 0; i < len(names); i += 2 {
			b, err := data.ReadFile("data/" + names[i+1])
			if err != nil {
				return nil, err
			}
			m[names[i]] = b
		}
		return m, nil
	}
	base, err := files("etc/os-release", "os-release", "var/lib/dpkg/status", "dpkg-status")
	if err != nil {
		return "", "", err
	}
	app, err := files("usr/local/bin/greeter", "greeter-v"+version+".gz")
	if err != nil {
		return "", "", err
	}
	if app["usr/local/bin/greeter"], err = gunzip(app["usr/local/bin/greeter"]); err != nil {
		return "", "", err
	}
	app["etc/greeter/greetings.yaml"] = []byte("en: Hello\nfr: Bonjour\nde: Hallo\n")

	img := empty.Image
	for _, layer := range []map[string][]byte{base, app} {
		b, err := tarLayer(layer)
		if err != nil {
			return "", "", err
		}
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
		if err != nil {
			return "", "", err
		}
		if img, err = mutate.AppendLayers(img, l); err != nil {
			return "", "", err
		}
	}
	tag, err := name.NewTag("ghcr.io/acme/greeter:" + version)
	if err != nil {
		return "", "", err
	}
	path = filepath.Join(dir, "greeter-"+version+".tar")
	return path, "ghcr.io/acme/greeter", tarball.WriteToFile(path, tag, img)
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// tarLayer writes files as a layer, in a fixed order so the image digest
// is the same on every run; executables get mode 0755.
func tarLayer(files map[string][]byte) ([]byte, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		mode := int64(0o644)
		if strings.Contains(n, "/bin/") {
			mode = 0o755
		}
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: mode, Size: int64(len(files[n])), Typeflag: tar.TypeReg}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(files[n]); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// demoDeployment is the manifest of the demo's GitOps repository:
// greeter 1.3.9 runs in production.
const demoDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: greeter
  labels:
    app: greeter
spec:
  replicas: 2
  selector:
    matchLabels:
      app: greeter
  template:
    metadata:
      labels:
        app: greeter
    spec:
      containers:
        - name: greeter
          # Updated by ci-scan when a build passes.
          image: ghcr.io/acme/greeter:1.3.9
          args: ["en"]
`
