package vulndb

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/chaingate/chaingate/internal/readlimit"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultOSVBaseURL is where OSV publishes each ecosystem's all.zip.
const DefaultOSVBaseURL = "https://osv-vulnerabilities.storage.googleapis.com"

// MaxDownloadBytes is the default limit of a downloaded all.zip.
const MaxDownloadBytes = 2 << 30

// ErrDownload reports a failed download (HTTP status, a body over its
// limit, a zip that does not verify).
var ErrDownload = errors.New("risk: OSV download failed")

// DownloadOption configures Download.
type DownloadOption func(*downloadConfig) error

type downloadConfig struct {
	baseURL  string
	progress func(DownloadProgress)
	maxBytes int64
}

// DownloadProgress reports how far a download has gone.
type DownloadProgress struct {
	Ecosystem string
	// Phase is "download" or "verify".
	Phase string
	// Done and Total are bytes for "download" (Total is -1 when the
	// server sent no length) and entries for "verify".
	Done, Total int64
}

// DownloadResult describes the database file after Download.
type DownloadResult struct {
	// Path is the all.zip on disk; pass it to Load.
	Path string `json:"path"`
	// Updated is false when the server said the copy on disk is current
	// (HTTP 304) and nothing was written.
	Updated      bool   `json:"updated"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
	Bytes        int64  `json:"bytes"`
	// Entries is the number of OSV entries verified (0 when not Updated).
	Entries int `json:"entries"`
}

// WithBaseURL sets the server Download fetches from (default
// DefaultOSVBaseURL); the file is <base>/<ecosystem>/all.zip.
func WithBaseURL(u string) DownloadOption {
	return func(c *downloadConfig) error {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			return fmt.Errorf("risk: WithBaseURL(%q): not an http(s) URL", u)
		}
		c.baseURL = strings.TrimSuffix(u, "/")
		return nil
	}
}

// WithProgress calls fn as the download and the verification advance.
func WithProgress(fn func(DownloadProgress)) DownloadOption {
	return func(c *downloadConfig) error {
		c.progress = fn
		return nil
	}
}

// WithMaxDownloadBytes limits the size of the zip (default
// MaxDownloadBytes).
func WithMaxDownloadBytes(n int64) DownloadOption {
	return func(c *downloadConfig) error {
		if n <= 0 {
			return fmt.Errorf("risk: WithMaxDownloadBytes(%d): must be positive", n)
		}
		c.maxBytes = n
		return nil
	}
}

// downloadMeta is kept beside all.zip to make the next request
// conditional.
type downloadMeta struct {
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"lastModified,omitempty"`
	Fetched      time.Time `json:"fetched"`
}

// Download fetches or refreshes an ecosystem's all.zip into
// dir/<ecosystem>/all.zip, using the caller's HTTP client (there is no
// default client: network use is always explicit). The request is
// conditional on the ETag and Last-Modified of the copy on disk. A new
// zip is written to a temporary file, every entry is unzipped and parsed
// as OSV, and only then is it renamed over the old copy, so a failed or
// interrupted download never leaves a half-written database.
func Download(ctx context.Context, client *http.Client, ecosystem, dir string, opts ...DownloadOption) (*DownloadResult, error) {
	if client == nil {
		return nil, errors.New("risk: DownloadOSV: nil http.Client")
	}
	if ecosystem == "" || strings.ContainsAny(ecosystem, `/\`) || strings.Contains(ecosystem, "..") {
		return nil, fmt.Errorf("risk: DownloadOSV: bad ecosystem %q", ecosystem)
	}
	cfg := downloadConfig{baseURL: DefaultOSVBaseURL, maxBytes: MaxDownloadBytes}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	fail := func(err error) (*DownloadResult, error) {
		return nil, fmt.Errorf("risk: download OSV %s: %w", ecosystem, err)
	}
	edir := filepath.Join(dir, downloadDirName(ecosystem))
	if err := os.MkdirAll(edir, 0o755); err != nil {
		return fail(err)
	}
	zipPath := filepath.Join(edir, "all.zip")
	metaPath := filepath.Join(edir, "all.zip.meta.json")
	var meta downloadMeta
	if _, err := os.Stat(zipPath); err == nil {
		if raw, err := os.ReadFile(metaPath); err == nil {
			_ = json.Unmarshal(raw, &meta) // a bad meta file only costs a full download
		}
	}
	u := cfg.baseURL + "/" + url.PathEscape(ecosystem) + "/all.zip"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fail(err)
	}
	if meta.ETag != "" {
		req.Header.Set("If-None-Match", meta.ETag)
	}
	if meta.LastModified != "" {
		req.Header.Set("If-Modified-Since", meta.LastModified)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fail(err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified:
		st, err := os.Stat(zipPath)
		if err != nil {
			return fail(fmt.Errorf("%w: server says not modified but %s is missing", ErrDownload, zipPath))
		}
		return &DownloadResult{Path: zipPath, ETag: meta.ETag, LastModified: meta.LastModified, Bytes: st.Size()}, nil
	case http.StatusOK:
	default:
		return fail(fmt.Errorf("%w: GET %s: %s", ErrDownload, u, resp.Status))
	}
	if resp.ContentLength > cfg.maxBytes {
		return fail(fmt.Errorf("%w: %w: %d bytes, limit %d", ErrDownload, ErrTooLarge, resp.ContentLength, cfg.maxBytes))
	}
	tmp, err := os.CreateTemp(edir, ".all.zip.*")
	if err != nil {
		return fail(err)
	}
	tmpName := tmp.Name()
	committed := false
	defer func() {
		if !committed {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	pr := &downloadProgressReader{r: io.LimitReader(resp.Body, cfg.maxBytes+1), total: resp.ContentLength, eco: ecosystem, fn: cfg.progress}
	n, err := io.Copy(tmp, pr)
	if err != nil {
		return fail(err)
	}
	if n > cfg.maxBytes {
		return fail(fmt.Errorf("%w: %w: over %d bytes", ErrDownload, ErrTooLarge, cfg.maxBytes))
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return fail(fmt.Errorf("%w: got %d of %d bytes", ErrDownload, n, resp.ContentLength))
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	entries, err := downloadVerify(tmp, n, ecosystem, cfg.progress)
	if err != nil {
		return fail(fmt.Errorf("%w: verify zip: %w", ErrDownload, err))
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmpName, zipPath); err != nil {
		return fail(err)
	}
	committed = true
	meta = downloadMeta{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), Fetched: time.Now().UTC()}
	if raw, err := json.Marshal(meta); err == nil {
		// The meta file only makes the next request conditional: write
		// it atomically too, and a failure only costs a full download.
		if mt, err := os.CreateTemp(edir, ".meta.*"); err == nil {
			_, werr := mt.Write(raw)
			cerr := mt.Close()
			if werr == nil && cerr == nil {
				_ = os.Rename(mt.Name(), metaPath)
			} else {
				os.Remove(mt.Name())
			}
		}
	}
	return &DownloadResult{Path: zipPath, Updated: true, ETag: meta.ETag, LastModified: meta.LastModified, Bytes: n, Entries: entries}, nil
}

// downloadDirName makes an ecosystem name safe as a directory name
// ("Debian:12" → "Debian_12").
func downloadDirName(e string) string {
	return strings.Map(func(r rune) rune {
		if r == ':' || r == ' ' {
			return '_'
		}
		return r
	}, e)
}

// downloadVerify unzips and parses every entry of the zip.
func downloadVerify(f io.ReaderAt, size int64, eco string, progress func(DownloadProgress)) (int, error) {
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return 0, err
	}
	total := int64(len(zr.File))
	cfg := &Config{maxEntryBytes: MaxOSVEntryBytes, maxTotalBytes: 1 << 40}
	n := 0
	for i, zf := range zr.File {
		if zf.FileInfo().IsDir() || !strings.HasSuffix(zf.Name, ".json") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return 0, fmt.Errorf("%s: %w", zf.Name, err)
		}
		data, err := readlimit.ReadAll(rc, cfg.maxEntryBytes, ErrTooLarge)
		rc.Close()
		if err != nil {
			return 0, fmt.Errorf("%s: %w", zf.Name, err)
		}
		if _, err := loadParse(data); err != nil {
			return 0, fmt.Errorf("%s: %w", zf.Name, err)
		}
		n++
		if progress != nil && (i%256 == 0 || i == len(zr.File)-1) {
			progress(DownloadProgress{Ecosystem: eco, Phase: "verify", Done: int64(i + 1), Total: total})
		}
	}
	if n == 0 {
		return 0, errors.New("no .json entries")
	}
	return n, nil
}

type downloadProgressReader struct {
	r     io.Reader
	done  int64
	total int64
	eco   string
	fn    func(DownloadProgress)
	last  int64
}

// Read reads from the download and reports progress.
func (p *downloadProgressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.done += int64(n)
	if p.fn != nil && (p.done-p.last >= 1<<20 || (err == io.EOF && p.done != p.last)) {
		p.last = p.done
		p.fn(DownloadProgress{Ecosystem: p.eco, Phase: "download", Done: p.done, Total: p.total})
	}
	return n, err
}
