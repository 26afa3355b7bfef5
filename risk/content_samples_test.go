package risk

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// contentSample is one labelled package of testdata/content (see the
// README there): its files, what it does and where the behaviour comes
// from.
type contentSample struct {
	Name      string `json:"name"`
	Ecosystem string `json:"ecosystem"`
	Label     string `json:"label"`
	Rule      string `json:"rule"`
	Source    string `json:"source"`
}

func contentSamples(t testing.TB) []contentSample {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "content", "samples.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []contentSample
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// contentPackSample packs a sample directory as its ecosystem ships it:
// an npm tarball (package/…) or an sdist (name-0.1.0/…).
func contentPackSample(t testing.TB, s contentSample) (string, []byte) {
	t.Helper()
	dir := filepath.Join("testdata", "content", "samples", s.Name)
	top, file := "package/", s.Name+"-1.0.0.tgz"
	if s.Ecosystem == "PyPI" {
		top, file = s.Name+"-0.1.0/", s.Name+"-0.1.0.tar.gz"
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if err := tw.WriteHeader(&tar.Header{Name: top + filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err = tw.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	tw.Close()
	zw.Close()
	return file, buf.Bytes()
}

// Every sample from the issue and from real reports: a malicious one
// raises its rule (with file, line, span, category and, for flows, the
// source and the sink); its benign look-alike is not called malicious.
func TestContentSamples(t *testing.T) {
	samples := contentSamples(t)
	flagged, malicious := 0, 0
	for _, s := range samples {
		t.Run(s.Name, func(t *testing.T) {
			file, data := contentPackSample(t, s)
			rep, err := ScanPackageArchive(context.Background(), file, bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Ecosystem != s.Ecosystem {
				t.Errorf("ecosystem %q, want %q", rep.Ecosystem, s.Ecosystem)
			}
			var rules []string
			for _, f := range rep.Findings {
				rules = append(rules, f.Rule)
				if f.Category == "" || f.File == "" || f.Message == "" {
					t.Errorf("finding without category, file or message: %+v", f)
				}
				if strings.Contains(f.Rule, "exfiltration") || f.Rule == "exec-downloaded" || f.Rule == "write-then-exec" {
					if len(f.Flow) < 2 || f.Line == 0 || f.Span == "" {
						t.Errorf("flow finding without source → sink, line or span: %+v", f)
					}
				}
			}
			switch s.Label {
			case "malicious":
				malicious++
				if rep.Malicious {
					flagged++
				}
				if !slices.Contains(rules, s.Rule) {
					t.Errorf("rule %s not raised; findings %v (score %.3f)", s.Rule, rules, rep.Score)
				}
			case "benign":
				if rep.Malicious {
					t.Errorf("benign look-alike called malicious (score %.3f): %+v", rep.Score, rep.Findings)
				}
			}
		})
	}
	t.Logf("%d of %d malicious samples flagged", flagged, malicious)
}
