package content

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/internal/contentdata"
)

func contentSamples(t testing.TB) []contentdata.Sample {
	t.Helper()
	out, err := contentdata.LoadSamples(filepath.Join("..", "testdata", "content"))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func contentPackSample(t testing.TB, s contentdata.Sample) (string, []byte) {
	t.Helper()
	file, b, err := contentdata.Pack(filepath.Join("..", "testdata", "content"), s)
	if err != nil {
		t.Fatal(err)
	}
	return file, b
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
