package verify_test

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chaingate/chaingate/verify"
	"github.com/sigstore/sigstore-go/pkg/tuf"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/theupdateframework/go-tuf/v2/metadata"
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

// tufRepo is an in-process TUF repository (go-tuf's metadata API, ed25519
// role keys) publishing one target, trusted_root.json.
func tufRepo(t *testing.T, target []byte) (rootJSON []byte, files map[string][]byte) {
	t.Helper()
	expires := time.Now().Add(24 * time.Hour)
	root := metadata.Root(expires)
	targets := metadata.Targets(expires)
	snapshot := metadata.Snapshot(expires)
	timestamp := metadata.Timestamp(expires)
	signers := map[string]signature.Signer{}
	for _, role := range []string{"root", "targets", "snapshot", "timestamp"} {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		key, err := metadata.KeyFromPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		if err := root.Signed.AddKey(key, role); err != nil {
			t.Fatal(err)
		}
		s, err := signature.LoadSigner(priv, crypto.Hash(0))
		if err != nil {
			t.Fatal(err)
		}
		signers[role] = s
	}
	tf, err := metadata.TargetFile().FromBytes("trusted_root.json", target, "sha256")
	if err != nil {
		t.Fatal(err)
	}
	targets.Signed.Targets["trusted_root.json"] = tf
	files = map[string][]byte{}
	sum := sha256.Sum256(target)
	files["/targets/trusted_root.json"] = target
	files["/targets/"+hex.EncodeToString(sum[:])+".trusted_root.json"] = target
	sign := func(role string, m interface {
		Sign(signature.Signer) (*metadata.Signature, error)
		ToBytes(bool) ([]byte, error)
	}, names ...string) []byte {
		if _, err := m.Sign(signers[role]); err != nil {
			t.Fatal(err)
		}
		b, err := m.ToBytes(false)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			files[n] = b
		}
		return b
	}
	sign("targets", targets, "/targets.json", "/1.targets.json")
	sign("snapshot", snapshot, "/snapshot.json", "/1.snapshot.json")
	sign("timestamp", timestamp, "/timestamp.json")
	rootJSON = sign("root", root, "/1.root.json")
	return rootJSON, files
}

func TestFetchTrustedRootOverTUF(t *testing.T) {
	want := readFile(t, "trusted_root_public_good.json")
	rootJSON, files := tufRepo(t, want)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	}))
	defer srv.Close()
	ct := &countingTransport{next: http.DefaultTransport}
	tr, err := verify.FetchTrustedRoot(context.Background(), &http.Client{Transport: ct}, verify.TUFOptions{RepositoryURL: srv.URL, Root: rootJSON})
	if err != nil {
		t.Fatalf("FetchTrustedRoot: %v", err)
	}
	if ct.n.Load() == 0 {
		t.Error("caller's client not used")
	}
	// The fetched root verifies a current real bundle.
	v := newVerifier(t, tr)
	_, err = v.VerifyBundle(context.Background(), npmAttestation(t, "gundam-visor-cli-v1-tag.tgz.json", "https://slsa.dev/provenance/v1"), verify.Requirements{
		Artifact: verify.ArtifactBytes(readFile(t, "slsa-verifier", "gundam-visor-cli-v1-tag.tgz")),
		Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeName: gundamSAN},
	})
	if err != nil {
		t.Fatalf("verify with the TUF-fetched root: %v", err)
	}
	// A target that does not match the signed targets metadata is refused.
	files["/targets/trusted_root.json"] = append([]byte(" "), want...)
	sum := sha256.Sum256(want)
	files["/targets/"+hex.EncodeToString(sum[:])+".trusted_root.json"] = files["/targets/trusted_root.json"]
	if _, err := verify.FetchTrustedRoot(context.Background(), &http.Client{Transport: ct}, verify.TUFOptions{RepositoryURL: srv.URL, Root: rootJSON}); err == nil {
		t.Error("tampered TUF target accepted")
	}
}
