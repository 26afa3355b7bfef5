package risk

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

var testDBOnce struct {
	sync.Once
	db  *vulndb.DB
	err error
}

// testDB loads the Go vulndb subset in testdata/osv/go.
func testDB(t testing.TB) *vulndb.DB {
	t.Helper()
	testDBOnce.Do(func() {
		testDBOnce.db, testDBOnce.err = vulndb.Load(filepath.Join("testdata", "osv", "go"))
	})
	if testDBOnce.err != nil {
		t.Fatal(testDBOnce.err)
	}
	return testDBOnce.db
}

// testGovulncheckSBOM is the "SBOM" message of govulncheck's JSON output:
// the modules it assessed (those providing packages to the build) and the
// Go version it used for the standard library.
type testGovulncheckSBOM struct {
	GoVersion string `json:"go_version"`
	Modules   []struct {
		Path    string `json:"path"`
		Version string `json:"version"`
	} `json:"modules"`
	Roots []string `json:"roots"`
}

// testModuleSBOM turns govulncheck's module list into an SBOM with
// pkg:golang purls, as chaingate's Go generators write them.
func testModuleSBOM(t *testing.T, file string) *sbom.Document {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var g testGovulncheckSBOM
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	doc := &sbom.Document{Name: filepath.Base(file)}
	for _, m := range g.Modules {
		c := sbom.Component{ID: m.Path, Type: sbom.TypeLibrary, Name: m.Path, Version: m.Version, PURL: "pkg:golang/" + m.Path}
		if m.Path == "stdlib" {
			// govulncheck reports the toolchain as "v1.26.8"; chaingate's
			// generators may write "go1.26.8": both are the same version.
			c.Version = g.GoVersion
		}
		if c.Version != "" {
			c.PURL += "@" + c.Version
		}
		if slices.Contains(g.Roots, m.Path) {
			doc.Root = c.ID
			c.Type = sbom.TypeApplication
		}
		doc.Components = append(doc.Components, c)
	}
	return doc
}

// TestCrossCheckGovulncheck compares Scan with govulncheck v1.9.0
// -scan module on three real projects, over the same vulndb snapshot.
// The expected lists were produced by govulncheck (see
// testdata/README.md); the two must agree exactly.
func TestCrossCheckGovulncheck(t *testing.T) {
	db := testDB(t)
	for _, proj := range []string{"gin-v1.7.0", "go-git-v5.11.0", "sigstore-go-v1.3.0"} {
		t.Run(proj, func(t *testing.T) {
			doc := testModuleSBOM(t, filepath.Join("testdata", "crosscheck", proj+".sbom.json"))
			rep, err := Scan(context.Background(), doc, db)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range rep.Findings {
				got = append(got, f.ID+" "+f.Package)
			}
			f, err := os.Open(filepath.Join("testdata", "crosscheck", proj+".govulncheck.txt"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var want []string
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				line := sc.Text()
				if strings.HasPrefix(line, "#") || line == "" {
					continue
				}
				fs := strings.Fields(line)
				want = append(want, fs[0]+" "+fs[1])
			}
			sort.Strings(got)
			sort.Strings(want)
			got, want = slices.Compact(got), slices.Compact(want)
			if len(want) == 0 {
				t.Fatal("empty expectation")
			}
			for _, w := range want {
				if !slices.Contains(got, w) {
					t.Errorf("govulncheck reports %s; Scan does not", w)
				}
			}
			for _, g := range got {
				if !slices.Contains(want, g) {
					t.Errorf("Scan reports %s; govulncheck does not", g)
				}
			}
		})
	}
}

// TestScanConcurrent runs Scans in parallel on one DB (whose range and
// detail caches fill lazily) and checks they agree; run with -race.
func TestScanConcurrent(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "osv-go-subset.idx"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := vulndb.ReadIndex(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	doc := testModuleSBOM(t, filepath.Join("testdata", "crosscheck", "sigstore-go-v1.3.0.sbom.json"))
	const n = 8
	counts := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, err := Scan(context.Background(), doc, db)
			if err != nil {
				t.Error(err)
				return
			}
			counts[i] = len(rep.Findings)
		}()
	}
	wg.Wait()
	for i := range counts {
		if counts[i] == 0 || counts[i] != counts[0] {
			t.Fatalf("concurrent scans disagree: %v", counts)
		}
	}
}
