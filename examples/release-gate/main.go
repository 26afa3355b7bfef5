// Command release-gate runs chaingate's main job end to end on embedded
// real data, offline: verify an artifact's Sigstore provenance, take its
// SBOM, scan it against the Go vulnerability database, decide with the
// built-in policy library, and promote what is allowed into a GitOps
// repository, here one created in a temporary directory.
//
//	go run ./examples/release-gate
//
// Two candidates are evaluated. The npm package sigstore@2.0.0 carries a
// real SLSA v1 provenance bundle from GitHub Actions, verified against the
// Sigstore public-good trusted root; it passes and is promoted. The Go
// service shop-api, built with its 2021 dependency set, has no provenance
// and known-vulnerable modules; it is denied and the repository is left
// untouched. data/README.md says where each embedded file came from.
//
// Flags point it at your own files: -root, -bundle, -identity-issuer,
// -identity-san, -digest, -image, -sbom, -vulndb, -policy, -repo.
package main

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/chaingate/chaingate"
	"github.com/chaingate/chaingate/gitops"
	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/risk/signal"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
	"github.com/chaingate/chaingate/verify"
)

//go:embed data
var data embed.FS

// Exit codes, as a CI system reads them.
const (
	exitAllowed = 0 // every candidate was allowed (or the demo ran)
	exitDenied  = 1 // a candidate given with flags was denied
	exitError   = 2 // the gate could not run
)

// The embedded defaults.
const (
	sigstoreJSDigest = "sha512:46d4e2f74c4877316640000a6fdf8a8b59f1e0847667973e9859f774dd31b8f1e0937813b777fb66a2ac67d50540fe34640966eee9fc2ccca387082b4c85cd3c"
	sigstoreJSIssuer = "https://token.actions.githubusercontent.com"
	sigstoreJSSAN    = "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main"
	shopAPIDigest    = "sha256:ed036634c7533a39955b404c3b733432d3e756008380629ae791bf251f68e0c2"
)

// policyConfig configures the built-in library for the demo: provenance
// from GitHub-hosted or SLSA generator builders, for sigstore or acme
// sources, from main or a version tag, at SLSA build level 2 or more;
// no vulnerability whose fix is more than 30 days old; permissive
// open-source licences only.
var policyConfig = map[string]any{
	"chaingate": map[string]any{"config": map[string]any{
		"provenance": map[string]any{
			"allowed_builders": []any{
				"https://github.com/actions/runner/github-hosted",
				"https://github.com/slsa-framework/slsa-github-generator/**",
			},
			"allowed_source_repositories": []any{"https://github.com/sigstore/**", "https://github.com/acme/**", "git+https://github.com/sigstore/**"},
			"allowed_source_refs":         []any{"refs/heads/main", "refs/tags/v*"},
			"min_slsa_level":              2,
		},
		// Go vulndb entries carry no CVSS: rank by chaingate's priority,
		// and deny any finding whose fix is older than the window.
		"vulnerabilities": map[string]any{"threshold": "low", "fix_window_days": 30},
		"image":           map[string]any{"allowed_registries": []any{"registry.npmjs.org", "ghcr.io"}},
		"sbom": map[string]any{"licenses": map[string]any{
			"allowed": []any{"MIT", "ISC", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "BlueOak-1.0.0", "0BSD", "Python-2.0", "CC0-1.0", "Unlicense"},
			"missing": "warn",
		}},
		"gitops": map[string]any{"require_signed_commits": false},
	}},
}

type options struct {
	root, bundle, issuer, san, digest, image string
	sbomPath, vulndb, policyDir, repo, env   string
	format                                   string
	tmpDir                                   string // where a new GitOps repository goes ("" = the system's)
}

func main() {
	var o options
	fs := flag.NewFlagSet("release-gate", flag.ExitOnError)
	fs.StringVar(&o.root, "root", "", "Sigstore trusted_root.json (default: embedded public-good root)")
	fs.StringVar(&o.bundle, "bundle", "", "Sigstore bundle of the candidate (with -digest and -image)")
	fs.StringVar(&o.issuer, "identity-issuer", "", "required OIDC issuer of the signer")
	fs.StringVar(&o.san, "identity-san", "", "required subject alternative name of the signer")
	fs.StringVar(&o.digest, "digest", "", "candidate digest, sha256:<hex> or sha512:<hex>")
	fs.StringVar(&o.image, "image", "", "candidate name, e.g. ghcr.io/acme/api:1.2.0")
	fs.StringVar(&o.sbomPath, "sbom", "", "SBOM of the candidate (CycloneDX or SPDX)")
	fs.StringVar(&o.vulndb, "vulndb", "", "OSV database: a directory, zip, or Go vulndb layout (default: embedded subset)")
	fs.StringVar(&o.policyDir, "policy", "", "directory of Rego policies (default: built-in library)")
	fs.StringVar(&o.repo, "repo", "", "GitOps repository to promote into (default: a new one in a temporary directory)")
	fs.StringVar(&o.env, "env", "prod", "target environment")
	fs.StringVar(&o.format, "output", "text", "text, json or markdown")
	_ = fs.Parse(os.Args[1:])

	res, err := run(context.Background(), o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "release-gate:", err)
		os.Exit(exitError)
	}
	if res.custom && res.denied > 0 {
		os.Exit(exitDenied)
	}
	os.Exit(exitAllowed)
}

// result is what a run did, for the test.
type result struct {
	repo       string // the GitOps repository (bare)
	seedCommit string // its tip before the run
	promoted   []*gitops.Promotion
	denied     int
	custom     bool // candidates came from flags
}

func readData(name, override string) ([]byte, error) {
	if override != "" {
		return os.ReadFile(override)
	}
	return fs.ReadFile(data, "data/"+name)
}

func run(ctx context.Context, o options, w io.Writer) (*result, error) {
	res := &result{custom: o.bundle != "" || o.sbomPath != ""}

	// Trust material and the verifier: offline, with the safe defaults.
	rootJSON, err := readData("trusted_root.json", o.root)
	if err != nil {
		return nil, err
	}
	trust, err := verify.ParseTrustedRoot(rootJSON)
	if err != nil {
		return nil, err
	}
	verifier, err := verify.New(trust)
	if err != nil {
		return nil, err
	}

	// The vulnerability database: an embedded compact index of real Go
	// vulndb entries, or the caller's OSV data.
	var db *vulndb.DB
	if o.vulndb != "" {
		db, err = vulndb.Load(o.vulndb)
	} else {
		var idx []byte
		if idx, err = readData("vulndb.idx", ""); err == nil {
			db, err = vulndb.ReadIndex(bytes.NewReader(idx))
		}
	}
	if err != nil {
		return nil, err
	}
	kevJSON, err := readData("kev-go.json", "")
	if err != nil {
		return nil, err
	}
	kev, err := risk.ReadKEV(bytes.NewReader(kevJSON))
	if err != nil {
		return nil, err
	}

	// Policy: the built-in library configured through data, or the
	// caller's Rego.
	popts := []policy.Option{policy.WithLibrary(), policy.WithData(policyConfig)}
	if o.policyDir != "" {
		popts = []policy.Option{policy.FromDir(o.policyDir)}
	}
	engine, err := policy.New(ctx, popts...)
	if err != nil {
		return nil, err
	}

	gate, err := chaingate.NewGate(
		chaingate.WithVerifier(verifier),
		chaingate.WithVulnDB(db),
		chaingate.WithScanOptions(risk.WithKEV(kev), risk.WithDetectors(signal.TyposquatDetector{})),
		chaingate.WithPolicy(engine),
	)
	if err != nil {
		return nil, err
	}

	cands, err := candidates(o)
	if err != nil {
		return nil, err
	}

	// The GitOps repository.
	res.repo = o.repo
	if res.repo == "" {
		dir, err := os.MkdirTemp(o.tmpDir, "chaingate-release-gate-")
		if err != nil {
			return nil, err
		}
		res.repo = filepath.Join(dir, "gitops.git")
		if err := seedRepository(ctx, res.repo); err != nil {
			return nil, fmt.Errorf("create the GitOps repository: %w", err)
		}
	}
	res.seedCommit, _ = headCommit(ctx, res.repo)

	if o.format == "text" {
		info := db.Info()
		fmt.Fprintf(w, "chaingate release gate (embedded real data: examples/release-gate/data/README.md)\n")
		fmt.Fprintf(w, "  trust:    Sigstore public-good trusted root (offline, %d bytes)\n", len(rootJSON))
		fmt.Fprintf(w, "  vulndb:   %d OSV entries from the Go vulnerability database\n", info.Entries)
		fmt.Fprintf(w, "  policy:   %s\n", policyName(o))
		fmt.Fprintf(w, "  gitops:   %s (branch main at %s)\n\n", res.repo, short(res.seedCommit))
	}

	for i, cand := range cands {
		c := cand.Candidate
		c.Environment = o.env
		verdict, evalErr := gate.Evaluate(ctx, c)
		switch o.format {
		case "json":
			if err := writeJSON(w, verdict); err != nil {
				return nil, err
			}
		case "markdown":
			fmt.Fprintln(w, verdict.Markdown())
		default:
			printVerdict(w, i+1, len(cands), cand.about, verdict)
		}
		if !verdict.Allow || evalErr != nil {
			res.denied++
			if o.format == "text" {
				tip, _ := headCommit(ctx, res.repo)
				fmt.Fprintf(w, "  not promoted: %s main is still %s\n\n", filepath.Base(res.repo), short(tip))
			}
			continue
		}
		p, err := promote(ctx, res.repo, gate, c, cand.edits)
		if err != nil {
			return nil, fmt.Errorf("promote %s: %w", c.Image, err)
		}
		res.promoted = append(res.promoted, p)
		if o.format == "text" {
			fmt.Fprintf(w, "  promoted: commit %s on %s\n", short(p.Commit), p.Branch)
			for _, f := range p.Files {
				for _, ch := range f.Changes {
					fmt.Fprintf(w, "    %s:%d  %s → %s\n", f.File, ch.Line, ch.Old, ch.New)
				}
			}
			fmt.Fprintln(w)
		}
	}
	return res, nil
}

type candidate struct {
	chaingate.Candidate
	about string
	edits []gitops.Edit
}

func candidates(o options) ([]candidate, error) {
	if o.bundle != "" || o.sbomPath != "" {
		c := candidate{about: "your candidate"}
		c.Image, c.Digest = o.image, o.digest
		if o.bundle != "" {
			b, err := os.ReadFile(o.bundle)
			if err != nil {
				return nil, err
			}
			c.Attestations = [][]byte{b}
			c.Identity = &verify.Identity{Issuer: o.issuer, SubjectAlternativeName: o.san}
		}
		if o.sbomPath != "" {
			b, err := os.ReadFile(o.sbomPath)
			if err != nil {
				return nil, err
			}
			c.SBOM = b
		}
		name, _, _ := strings.Cut(o.image, "@")
		if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
			name = name[:i]
		}
		c.edits = []gitops.Edit{{File: "apps/values.yaml", Target: gitops.ImageTarget{Name: name}}}
		return []candidate{c}, nil
	}

	bundle, err := readData("sigstore-2.0.0.sigstore.json", "")
	if err != nil {
		return nil, err
	}
	signerSBOM, err := readData("signer-service.cdx.json", "")
	if err != nil {
		return nil, err
	}
	shopSBOM, err := readData("shop-api.cdx.json", "")
	if err != nil {
		return nil, err
	}
	doc, err := sbom.Decode(bytes.NewReader(shopSBOM))
	if err != nil {
		return nil, err
	}
	return []candidate{
		{
			about: "npm package sigstore@2.0.0 with its real SLSA v1 provenance from GitHub Actions",
			Candidate: chaingate.Candidate{
				Image:        "registry.npmjs.org/sigstore:2.0.0",
				Digest:       sigstoreJSDigest,
				Attestations: [][]byte{bundle},
				Identity:     &verify.Identity{Issuer: sigstoreJSIssuer, SubjectAlternativeName: sigstoreJSSAN},
				SBOM:         signerSBOM,
			},
			edits: []gitops.Edit{{File: "apps/signer/values.yaml", Target: gitops.ImageTarget{Name: "registry.npmjs.org/sigstore"}}},
		},
		{
			about: "Go service shop-api, built with its 2021 dependency set, no provenance",
			Candidate: chaingate.Candidate{
				Image:    "ghcr.io/acme/shop-api:1.4.0",
				Digest:   shopAPIDigest,
				Document: doc,
			},
			edits: []gitops.Edit{{File: "apps/shop-api/deployment.yaml", Target: gitops.ImageTarget{Name: "ghcr.io/acme/shop-api"}}},
		},
	}, nil
}

func promote(ctx context.Context, repo string, gate *chaingate.Gate, c chaingate.Candidate, edits []gitops.Edit) (*gitops.Promotion, error) {
	p, err := gitops.NewPromoter(
		gitops.Repository{URL: repo, Branch: "main"},
		gitops.WithGate(gate.For(c)),
		gitops.WithAuthor("chaingate release-gate", "release-gate@chaingate.invalid"),
		// One stage, whose targets are the candidate's edits.
		gitops.WithPipeline(gitops.Pipeline{Stages: []gitops.Stage{{Name: c.Environment, Edits: edits}}}),
	)
	if err != nil {
		return nil, err
	}
	name, _, _ := strings.Cut(c.Image, "@")
	return p.Promote(ctx, gitops.Request{
		Image: name + "@" + c.Digest,
		Stage: c.Environment,
		Evidence: []gitops.Evidence{
			{Kind: "sigstore-bundle", Ref: c.Image, Digest: c.Digest},
		},
	})
}

func printVerdict(w io.Writer, n, total int, about string, v *chaingate.Verdict) {
	fmt.Fprintf(w, "[%d/%d] %s → %s\n      %s\n", n, total, v.Image, v.Environment, about)
	for _, s := range v.Stages {
		fmt.Fprintf(w, "  %-7s %-7s %s\n", s.Name, s.Status, s.Detail)
	}
	for _, r := range v.Verification {
		if r != nil && r.Verified && r.Signer != nil {
			fmt.Fprintf(w, "  signer  %s (%s)\n", r.Signer.SubjectAlternativeName, r.Signer.Issuer)
		}
	}
	if v.Input != nil && v.Input.Provenance != nil && v.Input.Provenance.Present {
		p := v.Input.Provenance
		fmt.Fprintf(w, "  built   by %s from %s@%s (SLSA build level %d)\n", p.BuilderID, p.SourceRepository, p.SourceRef, p.SLSALevel)
	}
	if v.Allow {
		fmt.Fprintf(w, "  ALLOWED (%d warning(s))\n", len(v.Warnings))
		return
	}
	fmt.Fprintf(w, "  DENIED (%d reason(s), %d warning(s))\n", len(v.Reasons), len(v.Warnings))
	// One reason of each rule first, most severe first, then the repeats.
	const show = 8
	for _, r := range v.TopReasons(show) {
		fmt.Fprintf(w, "    - %s %s\n", r.Code, r.Message)
	}
	if more := len(v.Reasons) - show; more > 0 {
		fmt.Fprintf(w, "    … and %d more (-output json for all)\n", more)
	}
}

func policyName(o options) string {
	if o.policyDir != "" {
		return "Rego policies in " + o.policyDir
	}
	return "built-in library (vulnerabilities, provenance, sbom, image, gitops, signals)"
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	if commit == "" {
		return "(empty)"
	}
	return commit
}

// seedRepository creates a bare GitOps repository with one commit: the
// signer service's Helm values pin sigstore 1.9.0, and shop-api's
// Deployment runs 1.3.2.
func seedRepository(ctx context.Context, bare string) error {
	files := map[string][]byte{
		"apps/signer/values.yaml": []byte(`# Helm values of the signer service.
replicaCount: 2

# The sigstore-js release the service runs, pinned by the digest its
# provenance was verified against.
sigstoreJS:
  repository: registry.npmjs.org/sigstore
  tag: "1.9.0"
  digest: sha512:0b1e5b2dc4ef37d42fd0b6bd9c5a80f2a7d1ff5d2fe41cbb3a2d9a17ce0e2f2a3f4e0d1c8e8f8c1a7c52b8a7c19f1d8b3f5f2e0a6e1d4a7b9c3e2f1a0d9c8b7a6

resources:
  limits:
    memory: 256Mi
`),
		"apps/shop-api/deployment.yaml": []byte(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-api
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/shop-api:1.3.2 # the last release that passed the gate
          ports:
            - containerPort: 8080
`),
	}
	return gitops.InitRepository(ctx, bare, "main", files)
}

func headCommit(ctx context.Context, bare string) (string, error) {
	out, err := exec.CommandContext(ctx, "git", "-C", bare, "rev-parse", "refs/heads/main").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("git rev-parse: %s", ee.Stderr)
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}
