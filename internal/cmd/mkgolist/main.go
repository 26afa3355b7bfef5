// Command mkgolist writes risk/model/models/go-top.tsv, the Go popularity list of
// the typosquat detector. Go has no public download counts, so modules are
// ranked by how many well-known modules require them: a "dependents" count
// (like pkg.go.dev's "imported by" or deps.dev's dependents), computed from
// the real go.mod files that the Go module proxy serves.
//
// Usage, from the repository root with the workplace's package lists beside it:
//
//	go run ./internal/cmd/mkgolist \
//	    -seeds ../.library/env/packages/go-partial.tsv \
//	    -out risk/model/models/go-top.tsv
//
// -proxy names the module proxy's base URL; by default it is the first URL
// in `go env GOPROXY` (the go command's default proxy when GOPROXY is unset).
//
// The seeds are (a) the rows of -seeds whose second column is a version
// (starts with "v"), and (b) every Go module named in the Go vulnerability
// database (golang.org/x/vulndb, taken from the module cache with
// `go mod download`, or from -vulndb DIR), at the newest version its
// @v/list names. For every seed the command fetches
// $PROXY/<module>/@v/<version>.mod and collects its require lines (direct
// and indirect). dependents(m) is the number of distinct seeds whose go.mod
// requires m; a module's score is dependents(m), plus 1 if m is itself a
// seed. Modules scoring at least 2 are written, best first (ties by path),
// at most 10,000 rows, under the header "rank\tmodule\tdependents".
//
// A summary (seeds, fetches, failures, the top 20) goes to stderr. Modules
// whose version list or go.mod cannot be fetched or parsed are skipped and
// counted.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

const (
	// vulndbModule and vulndbVersion name the vulnerability database
	// snapshot whose modules are seeds when -vulndb is not given.
	vulndbModule  = "golang.org/x/vulndb"
	vulndbVersion = "v0.0.0-20261105234957-e22db6528018"

	// Size limits: a go.mod or a version list bigger than mkgoMaxBody, an
	// OSV entry bigger than mkgoMaxOSV, or a seed line longer than
	// mkgoMaxLine is refused.
	mkgoMaxBody = 1 << 20
	mkgoMaxOSV  = 4 << 20
	mkgoMaxLine = 64 << 10
)

// errNotFound marks a proxy answer of 404 or 410: the module or version is
// not served, and asking again will not change that.
var errNotFound = errors.New("not served")

// statusError is a proxy answer other than 200 OK.
type statusError struct {
	URL    string
	Code   int
	Status string
}

// Error says which request failed and how.
func (e *statusError) Error() string { return "GET " + e.URL + ": " + e.Status }

// Is makes a 404 or 410 match errNotFound.
func (e *statusError) Is(target error) bool {
	return target == errNotFound && (e.Code == http.StatusNotFound || e.Code == http.StatusGone)
}

// retryable reports whether a request that failed with err may succeed
// when tried again: a network error, 429 or a 5xx, not another 4xx.
func retryable(err error) bool {
	var se *statusError
	if errors.As(err, &se) {
		return se.Code == http.StatusTooManyRequests || se.Code >= 500
	}
	return true
}

// failureKind names the cause of a failure for the summary: the HTTP
// status, or "other".
func failureKind(err error) string {
	var se *statusError
	if errors.As(err, &se) {
		return se.Status
	}
	if errors.Is(err, errNoVersion) {
		return "no version listed"
	}
	return "other"
}

// errNoVersion marks a @v/list that names no valid version.
var errNoVersion = errors.New("names no version")

// config holds the command's flags.
type config struct {
	seeds    string        // go-partial.tsv
	vulndb   string        // extracted golang.org/x/vulndb (or its data/osv); "" = go mod download
	proxy    string        // module proxy base URL
	out      string        // output TSV
	workers  int           // concurrent requests
	timeout  time.Duration // per request
	retries  int           // extra tries on a transient failure
	minScore int
	maxRows  int
	top      int // rows shown in the summary
}

func main() {
	var cfg config
	flag.StringVar(&cfg.seeds, "seeds", "../.library/env/packages/go-partial.tsv", "seed list: TSV with a header; module path, version (rows whose version starts with \"v\" are used)")
	flag.StringVar(&cfg.vulndb, "vulndb", "", "extracted "+vulndbModule+" directory (or its data/osv); empty: go mod download "+vulndbModule+"@"+vulndbVersion)
	flag.StringVar(&cfg.proxy, "proxy", "", "Go module proxy base URL; empty: the first URL in `go env GOPROXY`")
	flag.StringVar(&cfg.out, "out", "risk/model/models/go-top.tsv", "output TSV")
	flag.IntVar(&cfg.workers, "workers", 8, "concurrent proxy requests")
	flag.DurationVar(&cfg.timeout, "timeout", 30*time.Second, "timeout of one proxy request")
	flag.IntVar(&cfg.retries, "retries", 2, "extra tries of a request that failed for a reason other than 404/410")
	flag.IntVar(&cfg.minScore, "min", 2, "smallest score written")
	flag.IntVar(&cfg.maxRows, "max", 10000, "most rows written")
	flag.IntVar(&cfg.top, "top", 20, "rows shown in the summary")
	flag.Parse()

	if cfg.proxy == "" {
		var err error
		if cfg.proxy, err = goEnvProxy(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "mkgolist:", err)
			os.Exit(1)
		}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = cfg.workers
	start := time.Now()
	if _, err := run(context.Background(), cfg, &http.Client{Transport: tr}, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mkgolist:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "took %s\n", time.Since(start).Round(time.Second))
}

// goEnvProxy returns the first http(s) URL of `go env GOPROXY`.
func goEnvProxy(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOPROXY").Output()
	if err != nil {
		return "", fmt.Errorf("mkgolist: go env GOPROXY: %w", err)
	}
	return firstProxyURL(string(out))
}

// firstProxyURL returns the first http(s) entry of a GOPROXY value, whose
// entries are separated by "," or "|" (and may be "direct" or "off").
func firstProxyURL(goproxy string) (string, error) {
	for _, e := range strings.FieldsFunc(goproxy, func(r rune) bool { return r == ',' || r == '|' }) {
		e = strings.TrimSpace(e)
		if strings.HasPrefix(e, "https://") || strings.HasPrefix(e, "http://") {
			return e, nil
		}
	}
	return "", fmt.Errorf("mkgolist: GOPROXY %q names no http(s) proxy; give -proxy", strings.TrimSpace(goproxy))
}

// summary counts what one run did.
type summary struct {
	ListSeeds     int // seeds from the -seeds file
	ListSkipped   int // rows of the -seeds file with an invalid path or version
	VulnModules   int // Go modules named by the vulnerability database
	VulnResolved  int // of those, not in the seed list and given a version by @v/list
	VulnSkipped   int // of those, whose @v/list failed or named no version
	Seeds         int // distinct seeds with a version
	Fetched       int // go.mod files fetched and parsed
	FetchFailures int // go.mod files that could not be fetched or parsed
	Modules       int // distinct modules seen (seeds and requirements)
	Rows          []row
}

// run does the whole job: read seeds, resolve versions, fetch go.mod files,
// rank, write cfg.out, and print a summary to logw.
func run(ctx context.Context, cfg config, hc *http.Client, logw io.Writer) (*summary, error) {
	var sum summary
	f, err := os.Open(cfg.seeds)
	if err != nil {
		return nil, fmt.Errorf("mkgolist: open seeds: %w", err)
	}
	listSeeds, skipped, err := readSeeds(f, cfg.seeds)
	f.Close()
	if err != nil {
		return nil, err
	}
	sum.ListSeeds, sum.ListSkipped = len(listSeeds), skipped

	osvDir, err := vulndbOSVDir(ctx, cfg.vulndb)
	if err != nil {
		return nil, err
	}
	vulnMods, err := readVulnModules(os.DirFS(osvDir))
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, osvDir)
	}
	sum.VulnModules = len(vulnMods)

	p := &proxy{base: strings.TrimSuffix(cfg.proxy, "/"), client: hc, timeout: cfg.timeout, retries: cfg.retries}
	known := make(map[string]bool, len(listSeeds))
	seeds := append([]seed(nil), listSeeds...)
	for _, s := range listSeeds {
		known[s.Path] = true
	}
	var unresolved []string
	for _, m := range vulnMods {
		if !known[m] {
			unresolved = append(unresolved, m)
		}
	}
	fmt.Fprintf(logw, "seeds: %d from %s (%d rows skipped), %d Go modules in the vulnerability database (%d not in the list)\n",
		len(listSeeds), cfg.seeds, skipped, len(vulnMods), len(unresolved))
	resolved, listFails := resolveVersions(ctx, p, unresolved, cfg.workers)
	sum.VulnResolved, sum.VulnSkipped = len(resolved), len(listFails)
	seeds = append(seeds, resolved...)
	sort.Slice(seeds, func(i, j int) bool { return seeds[i].Path < seeds[j].Path })
	sum.Seeds = len(seeds)
	fmt.Fprintf(logw, "versions: %d resolved by @v/list, %d skipped (no version or request failed)\n", len(resolved), len(listFails))
	showFailures(logw, listFails)

	reqs, modFails := fetchRequires(ctx, p, seeds, cfg.workers)
	sum.Fetched, sum.FetchFailures = len(reqs), len(modFails)
	fmt.Fprintf(logw, "go.mod: %d fetched and parsed, %d failed\n", len(reqs), len(modFails))
	showFailures(logw, modFails)

	paths := make([]string, len(seeds))
	for i, s := range seeds {
		paths[i] = s.Path
	}
	rows, distinct := rank(paths, reqs, cfg.minScore, cfg.maxRows)
	sum.Modules, sum.Rows = distinct, rows

	if err := writeFile(cfg.out, rows); err != nil {
		return nil, err
	}
	fmt.Fprintf(logw, "seeds %d, go.mod fetched %d, failures %d (version lists %d, go.mod %d), distinct modules %d, rows written %d to %s\n",
		len(seeds), len(reqs), len(listFails)+len(modFails), len(listFails), len(modFails), distinct, len(rows), cfg.out)
	for i := 0; i < len(rows) && i < cfg.top; i++ {
		fmt.Fprintf(logw, "%5d  %-50s %d\n", rows[i].Rank, rows[i].Module, rows[i].Score)
	}
	return &sum, nil
}

// showFailures prints the failures counted by cause, then the first few,
// so a run that fails for one systematic reason says which.
func showFailures(w io.Writer, fails []failure) {
	kinds := map[string]int{}
	for _, f := range fails {
		kinds[failureKind(f.Err)]++
	}
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(w, "  %d x %s\n", kinds[k], k)
	}
	for i, f := range fails {
		if i == 5 {
			fmt.Fprintf(w, "  ... and %d more\n", len(fails)-i)
			return
		}
		fmt.Fprintf(w, "  skipped %s: %v\n", f.Path, f.Err)
	}
}

// seed is a module that counts as well known, at the version whose go.mod
// is read.
type seed struct {
	Path    string
	Version string
}

// failure is a module skipped, and why.
type failure struct {
	Path string
	Err  error
}

// readSeeds reads a go-partial.tsv: a header line, then tab-separated rows
// of module path and version. Rows whose version does not start with "v"
// (words such as not-served or untested) are not seeds; rows whose path or
// version is not valid are skipped and counted; a row without a second
// column, or a duplicate path, is an error naming the line.
func readSeeds(r io.Reader, name string) (seeds []seed, skipped int, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), mkgoMaxLine)
	seen := map[string]int{}
	line := 0
	for sc.Scan() {
		line++
		if line == 1 {
			continue // header
		}
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" {
			continue
		}
		cols := strings.Split(text, "\t")
		if len(cols) < 2 {
			return nil, 0, fmt.Errorf("mkgolist: read seeds %s:%d: want module<TAB>version, got %q", name, line, text)
		}
		path, version := strings.TrimSpace(cols[0]), strings.TrimSpace(cols[1])
		if !strings.HasPrefix(version, "v") {
			continue
		}
		if module.CheckPath(path) != nil || !semver.IsValid(version) {
			skipped++
			continue
		}
		if prev, ok := seen[path]; ok {
			return nil, 0, fmt.Errorf("mkgolist: read seeds %s:%d: module %s already listed on line %d", name, line, path, prev)
		}
		seen[path] = line
		seeds = append(seeds, seed{Path: path, Version: version})
	}
	if err := sc.Err(); err != nil {
		return nil, 0, fmt.Errorf("mkgolist: read seeds %s:%d: %w", name, line+1, err)
	}
	if line == 0 {
		return nil, 0, fmt.Errorf("mkgolist: read seeds %s: empty file, want a header line", name)
	}
	return seeds, skipped, nil
}

// vulndbOSVDir returns the directory of OSV entries: dir/data/osv, or dir
// itself if it holds them directly; with dir empty, the snapshot
// vulndbModule@vulndbVersion is taken from the module cache by
// `go mod download -json`.
func vulndbOSVDir(ctx context.Context, dir string) (string, error) {
	if dir == "" {
		cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", vulndbModule+"@"+vulndbVersion)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		var info struct{ Dir, Error string }
		if jerr := json.Unmarshal(out, &info); jerr == nil && info.Error != "" {
			return "", fmt.Errorf("mkgolist: go mod download %s@%s: %s", vulndbModule, vulndbVersion, info.Error)
		}
		if err != nil {
			return "", fmt.Errorf("mkgolist: go mod download %s@%s: %w", vulndbModule, vulndbVersion, err)
		}
		if info.Dir == "" {
			return "", fmt.Errorf("mkgolist: go mod download %s@%s: no Dir in its output", vulndbModule, vulndbVersion)
		}
		dir = info.Dir
	}
	if st, err := os.Stat(filepath.Join(dir, "data", "osv")); err == nil && st.IsDir() {
		return filepath.Join(dir, "data", "osv"), nil
	}
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("mkgolist: vulndb: %w", err)
	}
	return dir, nil
}

// osvEntry is the part of an OSV entry that names affected packages.
type osvEntry struct {
	Affected []struct {
		Package struct {
			Ecosystem string `json:"ecosystem"`
			Name      string `json:"name"`
		} `json:"package"`
	} `json:"affected"`
}

// readVulnModules returns, sorted and distinct, the Go modules named by the
// OSV entries (*.json at the top of fsys) of the Go vulnerability
// database: affected[].package.name where the ecosystem is "Go", less the
// pseudo-modules stdlib and toolchain and names that are not valid module
// paths. A file that is not valid JSON, or larger than mkgoMaxOSV, is an
// error naming it.
func readVulnModules(fsys fs.FS) ([]string, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("mkgolist: read vulndb: %w", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("mkgolist: read vulndb: no *.json OSV entries")
	}
	set := map[string]bool{}
	for _, name := range names {
		data, err := readLimited(fsys, name, mkgoMaxOSV)
		if err != nil {
			return nil, fmt.Errorf("mkgolist: read vulndb %s: %w", name, err)
		}
		var e osvEntry
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, fmt.Errorf("mkgolist: read vulndb %s: %w", name, err)
		}
		for _, a := range e.Affected {
			n := a.Package.Name
			if a.Package.Ecosystem != "Go" || n == "stdlib" || n == "toolchain" || module.CheckPath(n) != nil {
				continue
			}
			set[n] = true
		}
	}
	mods := make([]string, 0, len(set))
	for m := range set {
		mods = append(mods, m)
	}
	sort.Strings(mods)
	return mods, nil
}

func readLimited(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}

// proxy fetches from a Go module proxy (the GOPROXY protocol: $base/<escaped
// path>/@v/list and $base/<escaped path>/@v/<escaped version>.mod).
type proxy struct {
	base    string
	client  *http.Client
	timeout time.Duration
	retries int
}

// get fetches $base/<escaped mod>/@v/<file>. A 404 or 410 matches
// errNotFound; network errors, 429 and 5xx answers are tried again up to
// p.retries times, other answers are not. The body may hold at most
// mkgoMaxBody bytes.
func (p *proxy) get(ctx context.Context, mod, file string) ([]byte, error) {
	esc, err := module.EscapePath(mod)
	if err != nil {
		return nil, err
	}
	url := p.base + "/" + esc + "/@v/" + file
	var last error
	for try := 0; try <= p.retries; try++ {
		data, err := p.getOnce(ctx, url)
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return data, err
		}
		last = err
	}
	return nil, last
}

func (p *proxy) getOnce(ctx context.Context, url string) ([]byte, error) {
	if p.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, mkgoMaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	switch {
	case resp.StatusCode != http.StatusOK:
		return nil, &statusError{URL: url, Code: resp.StatusCode, Status: resp.Status}
	case len(data) > mkgoMaxBody:
		return nil, fmt.Errorf("GET %s: body larger than %d bytes", url, mkgoMaxBody)
	}
	return data, nil
}

// latest returns the newest version that mod's @v/list names.
func (p *proxy) latest(ctx context.Context, mod string) (string, error) {
	data, err := p.get(ctx, mod, "list")
	if err != nil {
		return "", err
	}
	v := pickVersion(string(data))
	if v == "" {
		return "", fmt.Errorf("%s/@v/list: %w", mod, errNoVersion)
	}
	return v, nil
}

// goMod fetches the go.mod file of mod at version.
func (p *proxy) goMod(ctx context.Context, mod, version string) ([]byte, error) {
	ev, err := module.EscapeVersion(version)
	if err != nil {
		return nil, err
	}
	return p.get(ctx, mod, ev+".mod")
}

// pickVersion returns the highest semantic version in a @v/list body (one
// version a line), preferring releases over prereleases; "" if there is
// no valid version.
func pickVersion(list string) string {
	var rel, pre string
	for _, v := range strings.Fields(list) {
		if !semver.IsValid(v) {
			continue
		}
		if semver.Prerelease(v) == "" {
			if rel == "" || semver.Compare(v, rel) > 0 {
				rel = v
			}
		} else if pre == "" || semver.Compare(v, pre) > 0 {
			pre = v
		}
	}
	if rel != "" {
		return rel
	}
	return pre
}

// requires returns the distinct module paths that a go.mod requires,
// directly or indirectly, sorted.
func requires(name string, data []byte) ([]string, error) {
	f, err := modfile.ParseLax(name, data, nil)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, r := range f.Require {
		if r.Mod.Path != "" {
			set[r.Mod.Path] = true
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// forEach calls f(i) for i in [0, n) on at most workers goroutines.
func forEach(n, workers int, f func(i int)) {
	if workers < 1 {
		workers = 1
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers && w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// resolveVersions finds the newest served version of each module; modules
// whose list fails or names no version come back as failures. Both results
// keep the order of mods.
func resolveVersions(ctx context.Context, p *proxy, mods []string, workers int) ([]seed, []failure) {
	versions := make([]string, len(mods))
	errs := make([]error, len(mods))
	forEach(len(mods), workers, func(i int) {
		versions[i], errs[i] = p.latest(ctx, mods[i])
	})
	var ok []seed
	var fails []failure
	for i, m := range mods {
		if errs[i] != nil {
			fails = append(fails, failure{Path: m, Err: errs[i]})
			continue
		}
		ok = append(ok, seed{Path: m, Version: versions[i]})
	}
	return ok, fails
}

// fetchRequires fetches and parses the go.mod of every seed and returns its
// requirements by seed path; seeds whose go.mod cannot be fetched or parsed
// are failures (in seed order).
func fetchRequires(ctx context.Context, p *proxy, seeds []seed, workers int) (map[string][]string, []failure) {
	reqs := make([][]string, len(seeds))
	errs := make([]error, len(seeds))
	forEach(len(seeds), workers, func(i int) {
		s := seeds[i]
		data, err := p.goMod(ctx, s.Path, s.Version)
		if err == nil {
			reqs[i], err = requires(s.Path+"@"+s.Version+"/go.mod", data)
		}
		errs[i] = err
	})
	out := make(map[string][]string, len(seeds))
	var fails []failure
	for i, s := range seeds {
		if errs[i] != nil {
			fails = append(fails, failure{Path: s.Path, Err: errs[i]})
			continue
		}
		out[s.Path] = reqs[i]
	}
	return out, fails
}

// row is one line of the list.
type row struct {
	Rank   int
	Module string
	Score  int
}

// rank scores every module: the number of distinct seeds whose go.mod
// (reqs, by seed path) requires it, plus 1 if it is itself one of seeds.
// A seed requiring itself does not count. It keeps modules scoring at
// least minScore, sorted by score descending then path ascending, at most
// maxRows of them, and also returns how many distinct modules it saw.
func rank(seeds []string, reqs map[string][]string, minScore, maxRows int) ([]row, int) {
	score := map[string]int{}
	for _, s := range seeds {
		score[s]++
	}
	for from, rs := range reqs {
		seen := map[string]bool{}
		for _, m := range rs {
			if m == from || seen[m] {
				continue
			}
			seen[m] = true
			score[m]++
		}
	}
	var rows []row
	for m, n := range score {
		if n >= minScore {
			rows = append(rows, row{Module: m, Score: n})
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Score != rows[j].Score {
			return rows[i].Score > rows[j].Score
		}
		return rows[i].Module < rows[j].Module
	})
	if maxRows >= 0 && len(rows) > maxRows {
		rows = rows[:maxRows]
	}
	for i := range rows {
		rows[i].Rank = i + 1
	}
	return rows, len(score)
}

// writeTSV writes the header "rank\tmodule\tdependents" and one line per row.
func writeTSV(w io.Writer, rows []row) error {
	bw := bufio.NewWriter(w)
	fmt.Fprint(bw, "rank\tmodule\tdependents\n")
	for _, r := range rows {
		fmt.Fprintf(bw, "%d\t%s\t%d\n", r.Rank, r.Module, r.Score)
	}
	return bw.Flush()
}

// writeFile writes rows to path through a temporary file in the same
// directory, so a failed run leaves the old list in place.
func writeFile(path string, rows []row) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".go-top-*.tsv")
	if err != nil {
		return fmt.Errorf("mkgolist: write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := writeTSV(tmp, rows); err != nil {
		tmp.Close()
		return fmt.Errorf("mkgolist: write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("mkgolist: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("mkgolist: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("mkgolist: write %s: %w", path, err)
	}
	return nil
}
