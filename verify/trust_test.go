package verify_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/chaingate/chaingate/verify"
	"github.com/sigstore/sigstore-go/pkg/tuf"
)

type countingTransport struct {
	n    atomic.Int32
	next http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

func TestFetchTrustedRootUsesCallersClient(t *testing.T) {
	var served atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		http.NotFound(w, r)
	}))
	defer srv.Close()
	ct := &countingTransport{next: http.DefaultTransport}
	_, err := verify.FetchTrustedRoot(context.Background(), &http.Client{Transport: ct}, verify.TUFOptions{RepositoryURL: srv.URL, Root: tuf.DefaultRoot()})
	if err == nil {
		t.Fatal("a repository serving nothing produced a trusted root")
	}
	if ct.n.Load() == 0 || served.Load() == 0 {
		t.Errorf("caller's client used %d times, server hit %d times", ct.n.Load(), served.Load())
	}
	if _, err := verify.FetchTrustedRoot(context.Background(), nil, verify.TUFOptions{RepositoryURL: srv.URL, Root: tuf.DefaultRoot()}); !errors.Is(err, verify.ErrInvalidInput) {
		t.Errorf("nil client: %v", err)
	}
}

func TestLoadTrustedRootErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := verify.LoadTrustedRoot(bad); !errors.Is(err, verify.ErrInvalidInput) {
		t.Errorf("empty root: %v", err)
	}
	if _, err := verify.LoadTrustedRoot(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("missing file loaded")
	}
	if _, err := verify.ParseTrustedRoot([]byte("{")); !errors.Is(err, verify.ErrInvalidInput) {
		t.Errorf("bad json: %v", err)
	}
	if _, err := verify.New(nil); !errors.Is(err, verify.ErrInvalidInput) {
		t.Errorf("New(nil): %v", err)
	}
	if _, err := verify.New(nil, verify.WithPublicKey([]byte("not a key"))); !errors.Is(err, verify.ErrInvalidInput) {
		t.Errorf("bad key: %v", err)
	}
	if _, err := verify.New(loadRoot(t, "trusted_root_public_good.json"), verify.WithTransparencyLogThreshold(0)); err == nil {
		t.Error("threshold 0 accepted")
	}
}
