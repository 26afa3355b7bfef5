package vulndb

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/chaingate/chaingate/internal/readlimit"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/encoding/protojson"
)

// Load loads an OSV database from path, which may be:
//   - a directory tree of OSV JSON files (every *.json below it);
//   - a directory in the Go vulnerability database layout
//     (index/db.json, index/modules.json, ID/<id>.json);
//   - a zip of OSV JSON files: the all.zip osv.dev publishes per
//     ecosystem (npm/all.zip) or for every ecosystem (all.zip);
//   - a directory holding several of those zips (npm/all.zip,
//     PyPI/all.zip, ...), with or without loose JSON files beside them;
//   - a compact index written by (*DB).WriteIndex;
//   - a single OSV JSON file.
//
// Every entry is parsed with the osv-schema bindings and checked; an
// invalid entry fails the load with an error naming its file (a partial
// database would silently miss vulnerabilities). A record found more
// than once (osv.dev puts a GHSA advisory for Go and Maven packages in
// both zips) is kept once, its most recently modified copy. Records that
// name each other in aliases or upstream are linked into one advisory,
// and risk.Scan reports one finding per advisory.
func Load(path string, opts ...Option) (*DB, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("risk: load OSV %s: %w", path, err)
	}
	if st.IsDir() {
		if loadIsGoVulnDB(path) {
			return loadGoVulnDB(path, cfg)
		}
		return loadDir(path, cfg)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("risk: load OSV %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, len(indexMagic))
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("risk: load OSV %s: %w", path, err)
	}
	switch {
	case bytes.HasPrefix(head, []byte(indexMagic)):
		db, err := readIndex(f, cfg)
		if err != nil {
			return nil, fmt.Errorf("risk: load OSV index %s: %w", path, err)
		}
		return db, nil
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return loadZip(f, st.Size(), path, cfg)
	default:
		data, err := readlimit.ReadAll(f, cfg.maxEntryBytes, ErrTooLarge)
		if err != nil {
			return nil, fmt.Errorf("risk: load OSV %s: %w", path, err)
		}
		e, err := loadParse(data)
		if err != nil {
			return nil, fmt.Errorf("risk: load OSV %s: %w", path, err)
		}
		return build([]entry{*e}, "file", cfg), nil
	}
}

func loadIsGoVulnDB(dir string) bool {
	for _, p := range []string{"index/db.json", "index/modules.json", "ID"} {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
			return false
		}
	}
	return true
}

var loadUnmarshal = protojson.UnmarshalOptions{DiscardUnknown: true}

// loadParse parses one entry into its compact form.
func loadParse(data []byte) (*entry, error) {
	var v osvschema.Vulnerability
	if err := loadUnmarshal.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidOSV, err)
	}
	return convert(&v)
}

// loadJob is one entry to read and parse.
type loadJob struct {
	name string
	open func() (io.ReadCloser, error)
}

// loadAll parses jobs on all CPUs, bounding each entry and the total.
func loadAll(jobs []loadJob, cfg *Config) ([]entry, error) {
	out := make([]entry, len(jobs))
	var total atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var next atomic.Int64
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), max(1, len(jobs)))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) {
					return
				}
				mu.Lock()
				stop := firstErr != nil
				mu.Unlock()
				if stop {
					return
				}
				e, err := loadOne(jobs[i], cfg, &total)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				out[i] = *e
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

func loadOne(j loadJob, cfg *Config, total *atomic.Int64) (*entry, error) {
	rc, err := j.open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", j.name, err)
	}
	defer rc.Close()
	data, err := readlimit.ReadAll(rc, cfg.maxEntryBytes, ErrTooLarge)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", j.name, err)
	}
	if total.Add(int64(len(data))) > cfg.maxTotalBytes {
		return nil, fmt.Errorf("%s: %w: database over %d bytes", j.name, ErrTooLarge, cfg.maxTotalBytes)
	}
	e, err := loadParse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", j.name, err)
	}
	return e, nil
}

func loadFileJob(path, name string) loadJob {
	return loadJob{name: name, open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

func loadDir(dir string, cfg *Config) (*DB, error) {
	var jobs []loadJob
	var zips []*zip.ReadCloser
	defer func() {
		for _, z := range zips {
			z.Close()
		}
	}()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case strings.HasSuffix(d.Name(), ".json"):
			jobs = append(jobs, loadFileJob(p, rel))
		case strings.HasSuffix(d.Name(), ".zip"):
			// osv.dev's per-ecosystem downloads side by side
			// (npm/all.zip, PyPI/all.zip).
			zr, err := zip.OpenReader(p)
			if err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
			zips = append(zips, zr)
			zj, err := loadZipJobs(&zr.Reader, rel+":", cfg)
			if err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
			jobs = append(jobs, zj...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("risk: load OSV directory %s: %w", dir, err)
	}
	entries, err := loadAll(jobs, cfg)
	if err != nil {
		return nil, fmt.Errorf("risk: load OSV directory %s: %w", dir, err)
	}
	return build(entries, "dir", cfg), nil
}

// loadGoVulnDBIndex is index/db.json of the Go vulnerability database.
type loadGoVulnDBIndex struct {
	Modified time.Time `json:"modified"`
}

// loadGoVulnModule is one element of index/modules.json.
type loadGoVulnModule struct {
	Path  string `json:"path"`
	Vulns []struct {
		ID string `json:"id"`
	} `json:"vulns"`
}

func loadGoVulnDB(dir string, cfg *Config) (*DB, error) {
	fail := func(err error) (*DB, error) {
		return nil, fmt.Errorf("risk: load Go vulndb %s: %w", dir, err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "index", "db.json"))
	if err != nil {
		return fail(err)
	}
	var idx loadGoVulnDBIndex
	if err := json.Unmarshal(raw, &idx); err != nil {
		return fail(fmt.Errorf("index/db.json: %w", err))
	}
	mf, err := os.Open(filepath.Join(dir, "index", "modules.json"))
	if err != nil {
		return fail(err)
	}
	mraw, err := readlimit.ReadAll(mf, 256<<20, ErrTooLarge)
	mf.Close()
	if err != nil {
		return fail(fmt.Errorf("index/modules.json: %w", err))
	}
	var mods []loadGoVulnModule
	if err := json.Unmarshal(mraw, &mods); err != nil {
		return fail(fmt.Errorf("index/modules.json: %w", err))
	}
	// Read the entries the module index names: ID/<id>.json.
	seen := map[string]bool{}
	var jobs []loadJob
	for _, m := range mods {
		for _, v := range m.Vulns {
			if v.ID == "" || seen[v.ID] {
				continue
			}
			if strings.ContainsAny(v.ID, `/\`) || strings.Contains(v.ID, "..") {
				return fail(fmt.Errorf("index/modules.json: bad id %q", v.ID))
			}
			seen[v.ID] = true
			jobs = append(jobs, loadFileJob(filepath.Join(dir, "ID", v.ID+".json"), "ID/"+v.ID+".json"))
		}
	}
	// Entries present under ID/ but missing from the module index would
	// be silently dropped by a reader trusting the index alone: read them
	// too.
	files, err := os.ReadDir(filepath.Join(dir, "ID"))
	if err != nil {
		return fail(err)
	}
	for _, f := range files {
		id, ok := strings.CutSuffix(f.Name(), ".json")
		if !ok || seen[id] || !f.Type().IsRegular() {
			continue
		}
		seen[id] = true
		jobs = append(jobs, loadFileJob(filepath.Join(dir, "ID", f.Name()), "ID/"+f.Name()))
	}
	entries, err := loadAll(jobs, cfg)
	if err != nil {
		return fail(err)
	}
	db := build(entries, "go-vulndb", cfg)
	if idx.Modified.After(db.info.Modified) {
		db.info.Modified = idx.Modified.UTC()
	}
	return db, nil
}

func loadZip(r io.ReaderAt, size int64, path string, cfg *Config) (*DB, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("risk: load OSV zip %s: %w", path, err)
	}
	entries, err := loadZipEntries(zr, cfg)
	if err != nil {
		return nil, fmt.Errorf("risk: load OSV zip %s: %w", path, err)
	}
	return build(entries, "zip", cfg), nil
}

func loadZipEntries(zr *zip.Reader, cfg *Config) ([]entry, error) {
	jobs, err := loadZipJobs(zr, "", cfg)
	if err != nil {
		return nil, err
	}
	if len(jobs) == 0 {
		return nil, errors.New("no .json entries")
	}
	return loadAll(jobs, cfg)
}

// loadZipJobs lists the OSV JSON entries of a zip, refusing any whose
// declared size is over the entry limit (the reader enforces the limit
// again on the bytes actually inflated).
func loadZipJobs(zr *zip.Reader, prefix string, cfg *Config) ([]loadJob, error) {
	var jobs []loadJob
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || !strings.HasSuffix(f.Name, ".json") {
			continue
		}
		if f.UncompressedSize64 > uint64(cfg.maxEntryBytes) {
			return nil, fmt.Errorf("%s%s: %w: %d bytes, limit %d", prefix, f.Name, ErrTooLarge, f.UncompressedSize64, cfg.maxEntryBytes)
		}
		jobs = append(jobs, loadJob{name: prefix + f.Name, open: f.Open})
	}
	return jobs, nil
}
