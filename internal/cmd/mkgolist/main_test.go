package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

const testSeedsTSV = "module\tversion\tnewest\n" +
	"github.com/Sirupsen/logrus\tv1.0.0\tv1.0.0\n" +
	"example.com/app\tv1.2.3\tv1.2.3 (take this)\n" +
	"example.com/notserved\tnot-served\tnone\n" +
	"example.com/untested\tuntested\tv9.9.9\n" +
	"example.com/badversion\tvX\tvX\n" +
	"\n" +
	"example.com/broken\tv0.1.0\tv0.1.0\n" +
	"example.com/flaky\tv0.2.0\tv0.2.0\r\n"

func TestReadSeeds(t *testing.T) {
	seeds, skipped, err := readSeeds(strings.NewReader(testSeedsTSV), "seeds.tsv")
	if err != nil {
		t.Fatal(err)
	}
	want := []seed{
		{"github.com/Sirupsen/logrus", "v1.0.0"},
		{"example.com/app", "v1.2.3"},
		{"example.com/broken", "v0.1.0"},
		{"example.com/flaky", "v0.2.0"},
	}
	if d := cmp.Diff(want, seeds); d != "" {
		t.Errorf("seeds (-want +got):\n%s", d)
	}
	if skipped != 1 {
		t.Errorf("skipped = %d, want 1 (the row with version vX)", skipped)
	}
}

func TestReadSeedsErrors(t *testing.T) {
	for name, tc := range map[string]struct{ in, want string }{
		"empty":      {"", "empty file"},
		"one column": {"h\nexample.com/a\n", "seeds.tsv:2"},
		"duplicate":  {"h\nexample.com/a\tv1.0.0\nexample.com/a\tv1.1.0\n", "seeds.tsv:3: module example.com/a already listed on line 2"},
		"long line":  {"h\n" + strings.Repeat("a", mkgoMaxLine+1) + "\n", "seeds.tsv:2"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := readSeeds(strings.NewReader(tc.in), "seeds.tsv")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// osv returns a minimal OSV entry naming the given (ecosystem, name) pairs.
func osv(id string, pkgs ...[2]string) string {
	var b strings.Builder
	b.WriteString(`{"schema_version":"1.3.1","id":"` + id + `","affected":[`)
	for i, p := range pkgs {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"package":{"name":"` + p[1] + `","ecosystem":"` + p[0] + `"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}`)
	}
	b.WriteString("]}")
	return b.String()
}

func testVulnFS() fstest.MapFS {
	return fstest.MapFS{
		"GO-2020-0001.json": {Data: []byte(osv("GO-2020-0001", [2]string{"Go", "github.com/Sirupsen/logrus"}, [2]string{"Go", "example.com/vuln"}))},
		"GO-2021-0002.json": {Data: []byte(osv("GO-2021-0002", [2]string{"Go", "stdlib"}, [2]string{"Go", "toolchain"}, [2]string{"npm", "left-pad"}))},
		"GO-2022-0003.json": {Data: []byte(osv("GO-2022-0003", [2]string{"Go", "example.com/pre"}, [2]string{"Go", "example.com/empty"}, [2]string{"Go", "example.com/vuln"}))},
		"GO-2023-0004.json": {Data: []byte(osv("GO-2023-0004", [2]string{"Go", "example.com/gone"}, [2]string{"Go", "example.com/forbidden"}, [2]string{"Go", "not a module path"}))},
		"index.txt":         {Data: []byte("not an entry")},
	}
}

func TestReadVulnModules(t *testing.T) {
	mods, err := readVulnModules(testVulnFS())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"example.com/empty", "example.com/forbidden", "example.com/gone", "example.com/pre", "example.com/vuln", "github.com/Sirupsen/logrus"}
	if d := cmp.Diff(want, mods); d != "" {
		t.Errorf("modules (-want +got):\n%s", d)
	}
}

func TestReadVulnModulesErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		fsys fstest.MapFS
		want string
	}{
		"no entries": {fstest.MapFS{"a.txt": {Data: []byte("x")}}, "no *.json"},
		"bad json":   {fstest.MapFS{"GO-1.json": {Data: []byte(`{"affected":[`)}}, "read vulndb GO-1.json"},
		"too large":  {fstest.MapFS{"GO-2.json": {Data: bytes.Repeat([]byte(" "), mkgoMaxOSV+1)}}, "GO-2.json: larger than"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := readVulnModules(tc.fsys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestPickVersion(t *testing.T) {
	for _, tc := range []struct{ list, want string }{
		{"v1.0.0\nv1.10.0\nv1.9.0\nv2.0.0-rc.1\n", "v1.10.0"},
		{"v0.1.0-alpha\nv0.1.0-beta\n", "v0.1.0-beta"},
		{"v2.0.0+incompatible\nv1.5.0\n", "v2.0.0+incompatible"},
		{"junk\nv1.2\n", "v1.2"},
		{"junk\n1.0.0\n", ""},
		{"", ""},
	} {
		if got := pickVersion(tc.list); got != tc.want {
			t.Errorf("pickVersion(%q) = %q, want %q", tc.list, got, tc.want)
		}
	}
}

func TestRequires(t *testing.T) {
	gomod := `// a comment
module example.com/app

go 1.22

require github.com/one/dep v1.0.0

require (
	golang.org/x/sys v0.2.0
	example.com/vuln v1.0.0 // indirect
	golang.org/x/sys v0.3.0
)

replace github.com/one/dep => ../dep

exclude example.com/old v0.0.1
`
	got, err := requires("go.mod", []byte(gomod))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"example.com/vuln", "github.com/one/dep", "golang.org/x/sys"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("requires (-want +got):\n%s", d)
	}
	if _, err := requires("bad/go.mod", []byte("module x\nrequire (\n")); err == nil || !strings.Contains(err.Error(), "bad/go.mod") {
		t.Errorf("unterminated block: err = %v, want a parse error naming bad/go.mod", err)
	}
}

func TestRank(t *testing.T) {
	seeds := []string{"a", "b", "c", "self"}
	reqs := map[string][]string{
		"a":    {"x", "y", "b"},
		"b":    {"x", "y", "z"},
		"c":    {"x", "x", "b"}, // a duplicate counts once
		"self": {"self", "x"},   // requiring itself does not count
	}
	rows, distinct := rank(seeds, reqs, 2, 10)
	want := []row{
		{1, "x", 4},
		{2, "b", 3},
		{3, "y", 2},
	}
	if d := cmp.Diff(want, rows); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
	if distinct != 7 { // a b c self x y z
		t.Errorf("distinct = %d, want 7", distinct)
	}
	rows, _ = rank(seeds, reqs, 1, 5)
	want = []row{{1, "x", 4}, {2, "b", 3}, {3, "y", 2}, {4, "a", 1}, {5, "c", 1}}
	if d := cmp.Diff(want, rows); d != "" {
		t.Errorf("min 1, max 5 (-want +got):\n%s", d)
	}
}

func TestWriteTSV(t *testing.T) {
	var b bytes.Buffer
	if err := writeTSV(&b, []row{{1, "golang.org/x/sys", 4}, {2, "github.com/Sirupsen/logrus", 2}}); err != nil {
		t.Fatal(err)
	}
	want := "rank\tmodule\tdependents\n1\tgolang.org/x/sys\t4\n2\tgithub.com/Sirupsen/logrus\t2\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestForEach(t *testing.T) {
	for _, tc := range []struct{ n, workers int }{{0, 8}, {1, 8}, {100, 8}, {5, 0}} {
		var mu sync.Mutex
		seen := map[int]int{}
		forEach(tc.n, tc.workers, func(i int) {
			mu.Lock()
			seen[i]++
			mu.Unlock()
		})
		if len(seen) != tc.n {
			t.Errorf("n=%d workers=%d: %d indices called", tc.n, tc.workers, len(seen))
		}
		for i, c := range seen {
			if c != 1 || i < 0 || i >= tc.n {
				t.Errorf("n=%d: index %d called %d times", tc.n, i, c)
			}
		}
	}
}

// fakeProxy imitates the GOPROXY protocol from a map of escaped URL paths
// to bodies; a path mapped to a number-only body "!NNN" answers with that
// status. It counts requests by path.
type fakeProxy struct {
	files map[string]string
	mu    sync.Mutex
	hits  map[string]int
}

func (f *fakeProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.hits[r.URL.EscapedPath()]++
	f.mu.Unlock()
	body, ok := f.files[r.URL.EscapedPath()]
	switch {
	case !ok:
		http.NotFound(w, r)
	case body == "!500":
		http.Error(w, "boom", http.StatusInternalServerError)
	case body == "!403":
		http.Error(w, "forbidden", http.StatusForbidden)
	default:
		w.Write([]byte(body))
	}
}

func (f *fakeProxy) count(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[path]
}

func newFakeProxy() *fakeProxy {
	return &fakeProxy{hits: map[string]int{}, files: map[string]string{
		// github.com/Sirupsen/logrus: served only under its escaped path.
		"/github.com/!sirupsen/logrus/@v/v1.0.0.mod": "module github.com/Sirupsen/logrus\n\nrequire (\n\tgolang.org/x/sys v0.1.0\n\tgithub.com/stretchr/testify v1.8.0 // indirect\n)\n",
		"/example.com/app/@v/v1.2.3.mod": `module example.com/app

go 1.21

require (
	github.com/Sirupsen/logrus v1.0.0
	golang.org/x/sys v0.2.0
	github.com/one/dep v1.0.0
	example.com/vuln v1.0.0 // indirect
)
`,
		"/example.com/flaky/@v/v0.2.0.mod":     "!500",
		"/example.com/vuln/@v/list":            "v1.0.0\nv1.10.0\nv1.9.0\nv2.0.0-rc.1\n",
		"/example.com/vuln/@v/v1.10.0.mod":     "module example.com/vuln\n\nrequire golang.org/x/sys v0.3.0\nrequire github.com/stretchr/testify v1.9.0\n",
		"/example.com/pre/@v/list":             "v0.1.0-RC1\n",
		"/example.com/pre/@v/v0.1.0-!r!c1.mod": "module example.com/pre\n\nrequire (\n\texample.com/vuln v1.0.0\n\tgolang.org/x/sys v0.3.0\n)\n",
		"/example.com/empty/@v/list":           "",
		"/example.com/forbidden/@v/list":       "!403",
		// example.com/broken and example.com/gone: 404.
	}}
}

func TestRunFakeProxy(t *testing.T) {
	fp := newFakeProxy()
	srv := httptest.NewServer(fp)
	defer srv.Close()

	dir := t.TempDir()
	seeds := filepath.Join(dir, "go-partial.tsv")
	if err := os.WriteFile(seeds, []byte(testSeedsTSV), 0o644); err != nil {
		t.Fatal(err)
	}
	vulndb := filepath.Join(dir, "vulndb")
	osvDir := filepath.Join(vulndb, "data", "osv")
	if err := os.MkdirAll(osvDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, f := range testVulnFS() {
		if err := os.WriteFile(filepath.Join(osvDir, name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "go-top.tsv")
	cfg := config{seeds: seeds, vulndb: vulndb, proxy: srv.URL + "/", out: out,
		workers: 3, retries: 2, minScore: 2, maxRows: 100, top: 20}
	var log bytes.Buffer
	sum, err := run(context.Background(), cfg, srv.Client(), &log)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, log.String())
	}

	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// x/sys: logrus, app, vuln, pre. vuln: seed + app + pre. logrus: seed +
	// app. testify: logrus, vuln. one/dep (1), app (1), pre (1) fall short.
	want := "rank\tmodule\tdependents\n" +
		"1\tgolang.org/x/sys\t4\n" +
		"2\texample.com/vuln\t3\n" +
		"3\tgithub.com/Sirupsen/logrus\t2\n" +
		"4\tgithub.com/stretchr/testify\t2\n"
	if string(got) != want {
		t.Errorf("go-top.tsv:\n%s\nwant:\n%s", got, want)
	}

	wantSum := summary{
		ListSeeds: 4, ListSkipped: 1,
		VulnModules: 6, VulnResolved: 2, VulnSkipped: 3, // empty, gone, forbidden
		Seeds: 6, Fetched: 4, FetchFailures: 2, // broken (404), flaky (500)
		Modules: 9, // 6 seeds + x/sys, testify, one/dep
	}
	sum.Rows = nil
	if d := cmp.Diff(wantSum, *sum); d != "" {
		t.Errorf("summary (-want +got):\n%s", d)
	}

	for path, n := range map[string]int{
		"/example.com/flaky/@v/v0.2.0.mod":          3, // 500: tried 1 + 2 retries
		"/example.com/broken/@v/v0.1.0.mod":         1, // 404: not retried
		"/example.com/forbidden/@v/list":            1, // 403: not retried
		"/example.com/gone/@v/list":                 1,
		"/github.com/!sirupsen/logrus/@v/list":      0, // in the seed list: no version lookup
		"/github.com/Sirupsen/logrus/@v/v1.0.0.mod": 0, // never unescaped
		"/stdlib/@v/list":                           0,
		"/toolchain/@v/list":                        0,
	} {
		if got := fp.count(path); got != n {
			t.Errorf("requests for %s = %d, want %d", path, got, n)
		}
	}
	for _, s := range []string{"rows written 4", "403 Forbidden", "skipped example.com/flaky", "1\x20\x20golang.org/x/sys"} {
		if !strings.Contains(log.String(), s) {
			t.Errorf("summary lacks %q:\n%s", s, log.String())
		}
	}

	// The same inputs give the same bytes.
	if _, err := run(context.Background(), cfg, srv.Client(), &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	again, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, again) {
		t.Errorf("second run wrote different bytes:\n%s", again)
	}
}

func TestProxyBodyLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("v"), mkgoMaxBody+1))
	}))
	defer srv.Close()
	p := &proxy{base: srv.URL, client: srv.Client()}
	if _, err := p.goMod(context.Background(), "example.com/big", "v1.0.0"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("err = %v, want a body-size error", err)
	}
	if _, err := p.goMod(context.Background(), "example.com/big", "bad version!"); err == nil {
		t.Error("invalid version: no error")
	}
	if _, err := p.get(context.Background(), "Bad Path", "list"); err == nil {
		t.Error("invalid path: no error")
	}
}

func TestStatusErrorIs(t *testing.T) {
	for code, want := range map[int]bool{404: true, 410: true, 403: false, 500: false} {
		err := error(&statusError{URL: "u", Code: code, Status: http.StatusText(code)})
		if got := errors.Is(err, errNotFound); got != want {
			t.Errorf("%d: errors.Is(errNotFound) = %v, want %v", code, got, want)
		}
		if got := retryable(err); got != (code == 500) {
			t.Errorf("%d: retryable = %v", code, got)
		}
	}
}

func TestFirstProxyURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://a.example,direct\n":         "https://a.example",
		"direct|http://b.example/x,off":      "http://b.example/x",
		" off , https://c.example | direct ": "https://c.example",
		"direct":                             "",
		"":                                   "",
	} {
		got, err := firstProxyURL(in)
		if got != want || (err != nil) != (want == "") {
			t.Errorf("firstProxyURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func FuzzReadSeeds(f *testing.F) {
	f.Add(testSeedsTSV)
	f.Add("h\nexample.com/a\tv1.0.0\nexample.com/a\tv1.0.0\n")
	f.Add("h\n\t\n")
	f.Fuzz(func(t *testing.T, in string) {
		seeds, _, err := readSeeds(strings.NewReader(in), "fuzz.tsv")
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, s := range seeds {
			if module.CheckPath(s.Path) != nil || !semver.IsValid(s.Version) || seen[s.Path] {
				t.Fatalf("bad seed %+v", s)
			}
			seen[s.Path] = true
		}
	})
}

func FuzzRequires(f *testing.F) {
	for _, body := range newFakeProxy().files {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		reqs, err := requires("fuzz/go.mod", data)
		if err != nil {
			return
		}
		for i := 1; i < len(reqs); i++ {
			if reqs[i-1] >= reqs[i] {
				t.Fatalf("not sorted and distinct: %q", reqs)
			}
		}
	})
}

func FuzzReadVulnModules(f *testing.F) {
	for _, file := range testVulnFS() {
		f.Add(file.Data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		mods, err := readVulnModules(fstest.MapFS{"GO-0.json": {Data: data}})
		if err != nil {
			return
		}
		for _, m := range mods {
			if m == "stdlib" || m == "toolchain" || module.CheckPath(m) != nil {
				t.Fatalf("bad module %q", m)
			}
		}
	})
}
