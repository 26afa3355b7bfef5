package verify

import (
	"context"
	"crypto"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/tuf"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/theupdateframework/go-tuf/v2/metadata/fetcher"
)

// MaxTrustedRootSize bounds a trusted_root.json (real ones are ~7 KiB).
const MaxTrustedRootSize = 4 << 20

// TrustedRoot is Sigstore trust material: Fulcio CAs, Rekor logs, CT logs
// and timestamp authorities from a trusted_root.json. It is immutable and
// safe for concurrent use.
type TrustedRoot struct {
	root root.TrustedMaterial
}

// NewTrustedMaterial wraps any sigstore-go trust material (a
// *root.TrustedRoot, a collection, or a test VirtualSigstore).
func NewTrustedMaterial(m root.TrustedMaterial) *TrustedRoot {
	if m == nil {
		return nil
	}
	return &TrustedRoot{root: m}
}

// LoadTrustedRoot reads a Sigstore trusted_root.json from path. Nothing is
// fetched: pin the file you trust (the public-good root is published by
// sigstore/root-signing).
func LoadTrustedRoot(path string) (*TrustedRoot, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("verify: load trusted root %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxTrustedRootSize+1))
	if err != nil {
		return nil, fmt.Errorf("verify: load trusted root %s: %w", path, err)
	}
	tr, err := ParseTrustedRoot(data)
	if err != nil {
		return nil, fmt.Errorf("verify: load trusted root %s: %w", path, err)
	}
	return tr, nil
}

// ParseTrustedRoot decodes a trusted_root.json.
func ParseTrustedRoot(data []byte) (*TrustedRoot, error) {
	if len(data) > MaxTrustedRootSize {
		return nil, fmt.Errorf("verify: trusted root: %d bytes over %d: %w", len(data), MaxTrustedRootSize, ErrInvalidInput)
	}
	r, err := root.NewTrustedRootFromJSON(data)
	if err != nil {
		return nil, fmt.Errorf("verify: trusted root: %w: %w", ErrInvalidInput, err)
	}
	if len(r.FulcioCertificateAuthorities()) == 0 && len(r.RekorLogs()) == 0 && len(r.TimestampingAuthorities()) == 0 {
		return nil, fmt.Errorf("verify: trusted root: no certificate authorities, logs or timestamp authorities: %w", ErrInvalidInput)
	}
	return &TrustedRoot{root: r}, nil
}

// Material returns the sigstore-go trust material, for callers composing
// with sigstore-go directly.
func (t *TrustedRoot) Material() root.TrustedMaterial {
	if t == nil {
		return nil
	}
	return t.root
}

// TUFOptions configures FetchTrustedRoot.
type TUFOptions struct {
	// RepositoryURL is the TUF mirror (e.g. https://tuf-repo-cdn.sigstore.dev). Required.
	RepositoryURL string
	// Root is the pinned TUF root.json the update chain starts from. Required.
	Root []byte
	// CacheDir is where TUF metadata is cached; empty keeps it in memory.
	CacheDir string
}

// FetchTrustedRoot refreshes Sigstore trust material over TUF using the
// caller's HTTP client, and returns the trusted_root.json target. This is
// the only function in package verify that uses the network, and only
// through client.
func FetchTrustedRoot(ctx context.Context, client *http.Client, opts TUFOptions) (*TrustedRoot, error) {
	if client == nil {
		return nil, fmt.Errorf("verify: fetch trusted root: nil http client: %w", ErrInvalidInput)
	}
	if opts.RepositoryURL == "" || len(opts.Root) == 0 {
		return nil, fmt.Errorf("verify: fetch trusted root: RepositoryURL and Root are required: %w", ErrInvalidInput)
	}
	f := fetcher.NewDefaultFetcher()
	f.SetHTTPClient(client)
	o := &tuf.Options{
		Root:              opts.Root,
		RepositoryBaseURL: opts.RepositoryURL,
		CachePath:         opts.CacheDir,
		DisableLocalCache: opts.CacheDir == "",
		Fetcher:           f,
		Context:           ctx,
	}
	c, err := tuf.New(o)
	if err != nil {
		return nil, fmt.Errorf("verify: fetch trusted root from %s: %w", opts.RepositoryURL, err)
	}
	data, err := c.GetTarget("trusted_root.json")
	if err != nil {
		return nil, fmt.Errorf("verify: fetch trusted root from %s: %w", opts.RepositoryURL, err)
	}
	return ParseTrustedRoot(data)
}

// ParsePublicKey decodes a PEM public key (ECDSA, Ed25519 or RSA).
func ParsePublicKey(pemBytes []byte) (crypto.PublicKey, error) {
	if len(pemBytes) > 64<<10 {
		return nil, fmt.Errorf("verify: public key: too large: %w", ErrInvalidInput)
	}
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("verify: public key: %w: %w", ErrInvalidInput, err)
	}
	return pub, nil
}
