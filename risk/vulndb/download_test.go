package vulndb

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// testOSVServer serves an all.zip for the "Go" ecosystem with an ETag
// and Last-Modified, answering conditional requests with 304.
type testOSVServer struct {
	zip          []byte
	etag         string
	requests     atomic.Int32
	conditionals atomic.Int32
}

func (s *testOSVServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if r.URL.Path != "/Go/all.zip" {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != "" {
		s.conditionals.Add(1)
	}
	w.Header().Set("ETag", s.etag)
	w.Header().Set("Last-Modified", "Wed, 05 Nov 2026 23:49:57 GMT")
	if r.Header.Get("If-None-Match") == s.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(s.zip)
}

func TestDownloadOSV(t *testing.T) {
	zipPath := testZip(t, filepath.Join("..", "testdata", "osv", "go"))
	zipData, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	srv := &testOSVServer{zip: zipData, etag: `"v1"`}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	dir := t.TempDir()
	ctx := context.Background()

	var phases []string
	progress := WithProgress(func(p DownloadProgress) {
		if len(phases) == 0 || phases[len(phases)-1] != p.Phase {
			phases = append(phases, p.Phase)
		}
		if p.Done <= 0 || (p.Total > 0 && p.Done > p.Total) {
			t.Errorf("progress %+v", p)
		}
	})
	res, err := Download(ctx, ts.Client(), "Go", dir, WithBaseURL(ts.URL), progress)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Updated || res.ETag != `"v1"` || res.Bytes != int64(len(zipData)) || res.Entries < 400 {
		t.Errorf("first download %+v", res)
	}
	if len(phases) != 2 || phases[0] != "download" || phases[1] != "verify" {
		t.Errorf("progress phases %v", phases)
	}
	db, err := Load(res.Path)
	if err != nil || db.Len() != res.Entries {
		t.Fatalf("load downloaded zip: %v", err)
	}

	// Second call is conditional and the server says 304.
	res2, err := Download(ctx, ts.Client(), "Go", dir, WithBaseURL(ts.URL))
	if err != nil {
		t.Fatal(err)
	}
	if res2.Updated || srv.conditionals.Load() != 1 || res2.Path != res.Path {
		t.Errorf("refresh %+v, conditional requests %d", res2, srv.conditionals.Load())
	}

	// A new version that does not verify must not replace the good copy.
	srv.etag = `"v2"`
	srv.zip = append([]byte{}, zipData[:len(zipData)/2]...)
	if _, err := Download(ctx, ts.Client(), "Go", dir, WithBaseURL(ts.URL)); !errors.Is(err, ErrDownload) {
		t.Errorf("truncated zip: %v", err)
	}
	bad := append([]byte{}, zipData...)
	bad[200] ^= 0xff // inside the first entry's compressed data
	srv.zip = bad
	if _, err := Download(ctx, ts.Client(), "Go", dir, WithBaseURL(ts.URL)); !errors.Is(err, ErrDownload) {
		t.Errorf("corrupt entry (CRC mismatch): %v", err)
	}
	kept, err := os.ReadFile(res.Path)
	if err != nil || !bytes.Equal(kept, zipData) {
		t.Error("a failed refresh replaced the good all.zip")
	}
	left, _ := filepath.Glob(filepath.Join(dir, "Go", ".all.zip.*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}

	srv.zip = zipData
	if _, err := Download(ctx, ts.Client(), "Go", dir, WithBaseURL(ts.URL), WithMaxDownloadBytes(1000)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("size limit: %v", err)
	}
	if _, err := Download(ctx, ts.Client(), "npm", dir, WithBaseURL(ts.URL)); !errors.Is(err, ErrDownload) {
		t.Errorf("404: %v", err)
	}
	if _, err := Download(ctx, nil, "Go", dir); err == nil {
		t.Error("nil client accepted: network must be explicit")
	}
	if _, err := Download(ctx, ts.Client(), "../x", dir, WithBaseURL(ts.URL)); err == nil {
		t.Error("path traversal in ecosystem accepted")
	}
	if _, err := Download(ctx, ts.Client(), "Go", dir, WithBaseURL("ftp://x")); err == nil {
		t.Error("non-http base URL accepted")
	}
}
