package sbom_test

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/chaingate/chaingate/sbom"
)

const exampleLock = `{
  "name": "shop", "version": "1.0.0", "lockfileVersion": 3,
  "packages": {
    "": {"name": "shop", "version": "1.0.0",
         "dependencies": {"express": "^4.21.0"}, "devDependencies": {"@types/ms": "^2"}},
    "node_modules/express": {"version": "4.21.2",
      "resolved": "https://registry.npmjs.org/express/-/express-4.21.2.tgz",
      "integrity": "sha512-28HqgMZAmih1Czt9ny7qr6ek2qddF4FclbMzwhCREB6OFfH+rXAnuNCwo1/wFvrtbgsQDb4kSbX9de9lFbrXnA==",
      "dependencies": {"debug": "2.6.9"}},
    "node_modules/debug": {"version": "2.6.9", "dependencies": {"ms": "2.0.0"}},
    "node_modules/ms": {"version": "2.0.0", "resolved": "https://registry.npmjs.org/ms/-/ms-2.0.0.tgz"},
    "node_modules/@types/ms": {"version": "2.1.0", "dev": true}
  }
}`

func ExampleFromNPMLock() {
	doc, err := sbom.FromNPMLock(strings.NewReader(exampleLock))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range doc.Components {
		fmt.Println(strings.TrimSpace(c.PURL + " " + string(c.Type) + " " + string(c.Scope)))
	}
	express := doc.Component("pkg:npm/express@4.21.2")
	fmt.Println(express.Hashes[0].Algorithm, express.Hashes[0].Value[:16])
	// Output:
	// pkg:npm/shop@1.0.0 application
	// pkg:npm/%40types/ms@2.1.0 library excluded
	// pkg:npm/debug@2.6.9 library required
	// pkg:npm/express@4.21.2 library required
	// pkg:npm/ms@2.0.0 library required
	// SHA-512 dbc1ea80c6409a28
}

func ExampleFromGoBuildInfo() {
	// The text `go version -m` prints; a real caller passes the result of
	// debug/buildinfo.Read or runtime/debug.ReadBuildInfo.
	bi, err := debug.ParseBuildInfo("path\tgithub.com/Example/Tool/cmd/tool\n" +
		"mod\tgithub.com/Example/Tool\tv1.2.3\t\n" +
		"dep\tgithub.com/docker/docker\tv20.10.7+incompatible\th1:Z6O9Nhsjv+ayUEeI1IojKbYcJGdgYXc5Gw0I5bjrDvo=\n" +
		"dep\tgolang.org/x/crypto\tv0.1.0\t\n" +
		"=>\tgithub.com/fork/crypto\tv0.1.1-fix\th1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n" +
		"build\tGOOS=linux\n")
	if err != nil {
		fmt.Println(err)
		return
	}
	bi.GoVersion = "go1.26.8"
	doc, err := sbom.FromGoBuildInfo(bi)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range doc.Components {
		line := c.PURL + " " + string(c.Type)
		if r, ok := c.Property(sbom.PropGoReplaces); ok {
			line += " replaces " + r
		}
		fmt.Println(line)
	}
	// Output:
	// pkg:golang/github.com/Example/Tool@v1.2.3 application
	// pkg:golang/stdlib@v1.26.8 library
	// pkg:golang/github.com/docker/docker@v20.10.7%2Bincompatible library
	// pkg:golang/github.com/fork/crypto@v0.1.1-fix library replaces golang.org/x/crypto@v0.1.0
}

func ExampleFromGoBinaryFile() {
	exe, err := os.Executable()
	if err != nil {
		fmt.Println(err)
		return
	}
	doc, err := sbom.FromGoBinaryFile(exe) // this example's own test binary
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(doc.Component(doc.Root).Name)
	fmt.Println(doc.Components[1].Name)
	// Output:
	// github.com/chaingate/chaingate
	// stdlib
}

func ExampleFromGoModule() {
	doc, err := sbom.FromGoModule(context.Background(), "testdata/gen/gomod/cobra", sbom.WithoutGoCommand())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range doc.Components[1:] {
		direct, _ := c.Property(sbom.PropGoDirect)
		fmt.Println(c.PURL, "direct:", direct)
	}
	fmt.Println(len(doc.Limitations), "limitations")
	// Output:
	// pkg:golang/github.com/cpuguy83/go-md2man/v2@v2.0.6 direct: true
	// pkg:golang/github.com/inconshreveable/mousetrap@v1.1.0 direct: true
	// pkg:golang/github.com/spf13/pflag@v1.0.9 direct: true
	// pkg:golang/go.yaml.in/yaml/v3@v3.0.4 direct: true
	// 2 limitations
}

func ExampleGraph_PathsTo() {
	doc, err := sbom.FromNPMLock(strings.NewReader(exampleLock))
	if err != nil {
		fmt.Println(err)
		return
	}
	g := sbom.NewGraph(doc)
	ms := "pkg:npm/ms@2.0.0"
	depth, _ := g.Depth(ms)
	fmt.Println("direct:", g.Direct())
	fmt.Println("depth of ms:", depth)
	paths, complete := g.PathsTo(ms, 10)
	fmt.Println("why ms:", paths, complete)
	// Output:
	// direct: [pkg:npm/%40types/ms@2.1.0 pkg:npm/express@4.21.2]
	// depth of ms: 3
	// why ms: [[pkg:npm/shop@1.0.0 pkg:npm/express@4.21.2 pkg:npm/debug@2.6.9 pkg:npm/ms@2.0.0]] true
}

func ExampleDiff() {
	before, _ := sbom.FromNPMLock(strings.NewReader(exampleLock))
	// The same lockfile with express downgraded and ms's tarball swapped.
	edited := strings.Replace(exampleLock, `"version": "4.21.2"`, `"version": "4.20.0"`, 1)
	edited = strings.Replace(edited, "https://registry.npmjs.org/ms/-/ms-2.0.0.tgz", "https://mirror.example/ms-2.0.0.tgz", 1)
	after, _ := sbom.FromNPMLock(strings.NewReader(edited))
	res, err := sbom.Diff(before, after)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range res.Downgraded {
		fmt.Println("downgraded", c.Key, c.Before.Version, "->", c.After.Version, "by", c.Ordering)
	}
	for _, c := range res.Modified {
		fmt.Println("modified", c.Key, c.After.Version, c.Reasons)
	}
	fmt.Println("unchanged", res.Unchanged)
	// Output:
	// downgraded npm/express 4.21.2 -> 4.20.0 by npm-semver
	// modified npm/ms 2.0.0 [chaingate:npm:resolved differs: "https://registry.npmjs.org/ms/-/ms-2.0.0.tgz" before, "https://mirror.example/ms-2.0.0.tgz" after]
	// unchanged 3
}

func ExampleGoPURL() {
	fmt.Println(sbom.GoPURL("github.com/Azure/go-autorest", "v14.2.0+incompatible"))
	fmt.Println(sbom.NPMPURL("@babel/core", "7.26.0"))
	// Output:
	// pkg:golang/github.com/Azure/go-autorest@v14.2.0%2Bincompatible
	// pkg:npm/%40babel/core@7.26.0
}
