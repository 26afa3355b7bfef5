package sbom_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/chaingate/chaingate/sbom"
)

func ExampleFromDirectory() {
	// A small polyglot repository: a Rust tool and a Python service.
	dir, err := os.MkdirTemp("", "example-repo-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	files := map[string]string{
		"tool/Cargo.lock": `version = 3

[[package]]
name = "tool"
version = "0.1.0"
dependencies = ["memchr"]

[[package]]
name = "memchr"
version = "2.7.4"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "78ca9ab1a0babb1e7d5695e3530886289c18cf2f87ec19a575a0abdce112e3a3"
`,
		"service/requirements.txt":         "Django==5.1.4\nrequests>=2\n",
		"service/node_modules/x/yarn.lock": "skipped: installed trees are not read\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			fmt.Println(err)
			return
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			fmt.Println(err)
			return
		}
	}
	doc, err := sbom.FromDirectory(context.Background(), dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range doc.Components[1:] {
		eco, _ := c.Property(sbom.PropOSVEcosystem)
		direct, _ := c.Property(sbom.PropLockDirect)
		fmt.Println(c.PURL, eco, c.Locations[0].Path, "direct="+direct)
	}
	fmt.Println(doc.Limitations[0])
	// Output:
	// pkg:pypi/django@5.1.4 PyPI service/requirements.txt direct=true
	// pkg:cargo/memchr@2.7.4 crates.io tool/Cargo.lock direct=true
	// service/requirements.txt: line 2: "requests>=2" is not pinned to one version: not listed
}

func ExampleFromLockfile() {
	dir, err := os.MkdirTemp("", "example-gems-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	lock := filepath.Join(dir, "Gemfile.lock")
	err = os.WriteFile(lock, []byte(`GEM
  remote: https://rubygems.org/
  specs:
    rack (3.1.8)
    rack-session (2.0.0)
      rack (>= 3.0.0)

PLATFORMS
  ruby

DEPENDENCIES
  rack-session

BUNDLED WITH
   2.5.23
`), 0o644)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sbom.LockfileFormat("requirements-dev.txt"), sbom.LockfileFormat(lock))
	doc, err := sbom.FromLockfile(context.Background(), lock)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range doc.Components[1:] {
		direct, _ := c.Property(sbom.PropLockDirect)
		fmt.Println(c.PURL, "direct="+direct)
	}
	for _, d := range doc.Dependencies[1:] {
		fmt.Println(d.Ref, "->", d.DependsOn)
	}
	// Output:
	// requirements.txt Gemfile.lock
	// pkg:gem/rack@3.1.8 direct=false
	// pkg:gem/rack-session@2.0.0 direct=true
	// pkg:gem/rack-session@2.0.0 -> [pkg:gem/rack@3.1.8]
}

func ExampleLockfileFormats() {
	formats := sbom.LockfileFormats()
	fmt.Println(len(formats), formats[0], formats[len(formats)-1])
	// Output:
	// 22 package-lock.json conan.lock
}

func ExampleDistro_RPMOSVEcosystem() {
	d, err := sbom.ParseOSRelease([]byte("NAME=\"Rocky Linux\"\nID=\"rocky\"\nVERSION_ID=\"9.4\"\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.RPMOSVEcosystem(), d.PURLDistro())
	// Output:
	// Rocky Linux:9 rocky-9.4
}
