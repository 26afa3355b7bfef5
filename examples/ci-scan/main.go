// Command ci-scan is the CI step a platform team runs after `docker build`:
// it generates the image's SBOM, scans it against an OSV database, fails
// on findings at or above a threshold and on policy violations, writes
// SARIF for the code-scanning dashboard and, only when everything passes,
// updates the deployment manifest in the GitOps repository and commits.
//
//	go run ./examples/ci-scan                # blocked: greeter 1.4.0 has known-vulnerable modules
//	go run ./examples/ci-scan -demo fixed    # passes: greeter 1.4.1 is promoted
//
// With no -image it builds a small real image in a temporary directory
// (Debian 12's distroless base packages plus the greeter binary, see
// data/README.md), scans it against an embedded subset of the Go
// vulnerability database and promotes into a GitOps repository it
// creates there too. Everything runs offline.
//
// Your own image: -image app.tar (docker save, or an OCI archive) or
// -image ./oci-layout-dir, with -name ghcr.io/acme/app, -osv, -kev, -epss, -vex,
// -fail-on, -policy, -policy-data, -sarif, -sbom-out, -repo, -manifest, -json.
// README.md shows how to wire it into GitHub Actions and GitLab CI.
//
// Exit codes: 0 passed and promoted, 1 blocked by findings or policy,
// 2 error (usage, I/O, anything that stopped the scan).
//
// This file is the step, top to bottom in run; demo.go builds the demo
// image and summary.go prints the summary.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/chaingate/chaingate/gitops"
	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/google/go-containerregistry/pkg/name"
)

// Exit codes, as a CI system reads them.
const (
	exitPassed  = 0 // scanned, allowed, promoted
	exitBlocked = 1 // findings at or above the threshold, or a policy deny
	exitError   = 2 // the step could not run: fail the pipeline
)

// SchemaVersion is the version of the -json output.
const SchemaVersion = "chaingate.dev/examples/ci-scan/v1"

// policyConfig configures the built-in policy library (its areas
// vulnerabilities, sbom and image; see policy/library/README.md). Replace
// it with -policy-data, or the whole library with -policy.
var policyConfig = map[string]any{
	"chaingate": map[string]any{"config": map[string]any{
		// Known-exploited findings always deny, and so does any finding
		// whose fix has been out for over 30 days. Go vulndb entries carry
		// no CVSS, so rank by chaingate's priority down to Track ("low").
		"vulnerabilities": map[string]any{"threshold": "low", "fix_window_days": 30},
		// Every component must have a version and a purl.
		"sbom": map[string]any{"require_complete": true},
		// Images are released by digest.
		"image": map[string]any{"require_digest": true},
	}},
}

type options struct {
	image, name, demo     string
	osv, kev, epss, vex   string
	failOn                string
	policyDir, policyData string
	sarif, sbomOut        string
	repo, repoUser        string
	branch, manifest, env string
	json                  bool
}

func main() {
	os.Exit(cli(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// cli runs the step with command-line arguments and returns the exit code.
func cli(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o options
	fs := flag.NewFlagSet("ci-scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.image, "image", "", "image to scan: a docker-save or OCI tarball, or an OCI layout directory (default: build the demo image)")
	fs.StringVar(&o.name, "name", "", "image name to promote, e.g. ghcr.io/acme/app (default: the tarball's tag)")
	fs.StringVar(&o.demo, "demo", "vulnerable", "demo image when -image is empty: vulnerable (greeter 1.4.0) or fixed (greeter 1.4.1)")
	fs.StringVar(&o.osv, "osv", "", "OSV database: directory, all.zip, Go vulndb layout or compact index (default: embedded Go vulndb subset)")
	fs.StringVar(&o.kev, "kev", "", "CISA KEV catalogue JSON (optional)")
	fs.StringVar(&o.epss, "epss", "", "FIRST EPSS scores CSV (optional)")
	fs.StringVar(&o.vex, "vex", "", "OpenVEX document whose statements suppress findings (optional)")
	fs.StringVar(&o.failOn, "fail-on", "track", "block on active findings at or above: act|attend|track*|track (priority) or critical|high|medium|low (severity), or none")
	fs.StringVar(&o.policyDir, "policy", "", "directory of Rego policies (default: built-in library)")
	fs.StringVar(&o.policyData, "policy-data", "", "JSON/YAML data file configuring the built-in library (default: the example's)")
	fs.StringVar(&o.sarif, "sarif", "", "where to write the SARIF 2.1.0 report (default: ci-scan.sarif; for the demo, in its temporary directory)")
	fs.StringVar(&o.sbomOut, "sbom-out", "", "also write the image's SBOM here as CycloneDX 1.6 JSON (optional)")
	fs.StringVar(&o.repo, "repo", "", "GitOps repository URL or path (default: a new one in a temporary directory)")
	fs.StringVar(&o.repoUser, "repo-user", "x-access-token", "HTTPS user name sent with $GITOPS_TOKEN (GitHub: x-access-token, GitLab: oauth2)")
	fs.StringVar(&o.branch, "branch", "main", "branch that holds the desired state")
	fs.StringVar(&o.manifest, "manifest", "apps/greeter/deployment.yaml", "manifest whose image reference is updated")
	fs.StringVar(&o.env, "env", "prod", "environment (stage) being deployed to")
	fs.BoolVar(&o.json, "json", false, "print the result as JSON instead of a summary")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitPassed
		}
		return exitError
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ci-scan: unexpected arguments %q\n", fs.Args())
		return exitError
	}
	res, err := run(ctx, o)
	if err != nil {
		fmt.Fprintln(stderr, "ci-scan:", err)
		if res == nil {
			res = &Result{SchemaVersion: SchemaVersion, FailOn: o.failOn}
		}
		res.Status, res.Error = "error", err.Error()
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return exitError
		}
	} else {
		res.print(stdout)
	}
	switch res.Status {
	case "passed":
		return exitPassed
	case "blocked":
		return exitBlocked
	}
	return exitError
}

// Result is what the step did, printed with -json.
type Result struct {
	SchemaVersion string `json:"schemaVersion"`
	// Status is "passed" (and promoted), "blocked" or "error".
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	Image  string `json:"image"`
	Digest string `json:"digest"`
	// Reference is the reference the image was saved under, if any.
	Reference string `json:"reference,omitempty"`
	// Components is how many components the SBOM has.
	Components int    `json:"components"`
	DB         string `json:"db"`
	// FailOn is the threshold; Blocking are the findings at or above it.
	FailOn   string         `json:"failOn"`
	Findings risk.Summary   `json:"findings"`
	Blocking []risk.Finding `json:"blocking,omitempty"`
	// Uncovered counts components per OSV ecosystem that the database
	// has no entries for: they were not really checked.
	Uncovered map[string]int `json:"uncovered,omitempty"`
	// Enrichment says which KEV, EPSS and VEX data the scan applied.
	Enrichment risk.EnrichmentInfo `json:"enrichment"`
	// Unassessed are the components the scan could not assess, with why.
	Unassessed []risk.Unassessed `json:"unassessed,omitempty"`
	// Policy is the policy decision.
	Policy *policy.Decision `json:"policy,omitempty"`
	SARIF  string           `json:"sarif"`
	// SARIFDigest is "sha256:" of the SARIF file, recorded in the commit.
	SARIFDigest string `json:"sarifDigest,omitempty"`
	// Repository and Promotion say where the release went.
	Repository string            `json:"repository,omitempty"`
	Promotion  *gitops.Promotion `json:"promotion,omitempty"`

	demo bool // the image is the demo's
}

// run is the step: SBOM, scan, threshold, SARIF, policy and, when all
// passed, promotion. A blocked build is a Result, not an error; an error
// means the step could not decide, which CI must treat as a failure.
func run(ctx context.Context, o options) (*Result, error) {
	res := &Result{SchemaVersion: SchemaVersion, FailOn: o.failOn}
	threshold, err := parseThreshold(o.failOn)
	if err != nil {
		return nil, err
	}
	// The demo works in a temporary directory: its image (removed at the
	// end), its SARIF file and its GitOps repository (kept to look at).
	var work string
	workDir := func() (string, error) {
		if work != "" {
			return work, nil
		}
		var err error
		work, err = os.MkdirTemp("", "chaingate-ci-scan-")
		return work, err
	}
	if o.image == "" {
		dir, err := workDir()
		if err != nil {
			return nil, err
		}
		res.demo = true
		if o.image, o.name, err = buildDemoImage(dir, o.demo); err != nil {
			return nil, fmt.Errorf("build the demo image: %w", err)
		}
		defer func() {
			os.Remove(o.image)
			os.Remove(dir) // only if nothing else was kept there
		}()
		if o.sarif == "" {
			o.sarif = filepath.Join(dir, "ci-scan.sarif")
		}
	}
	if o.sarif == "" {
		o.sarif = "ci-scan.sarif"
	}
	res.SARIF = o.sarif

	// 1. The SBOM, generated in-process from the image's layers.
	src := sbom.ImageFromTarball(o.image)
	if fi, err := os.Stat(o.image); err == nil && fi.IsDir() {
		src = sbom.ImageFromLayout(o.image)
	}
	doc, err := sbom.FromImage(ctx, src)
	if err != nil {
		return nil, err
	}
	res.Digest, res.Components, res.Reference = doc.Image.Digest, len(doc.Components), doc.Image.Reference
	if res.Image = imageName(o.name, doc.Image.Reference); res.Image == "" {
		return res, fmt.Errorf("%s: the image has no name to promote it under: give -name", o.image)
	}
	if o.sbomOut != "" {
		var buf bytes.Buffer
		if err := sbom.Encode(&buf, doc, sbom.CycloneDXJSON); err != nil {
			return res, err
		}
		if err := os.WriteFile(o.sbomOut, buf.Bytes(), 0o644); err != nil {
			return res, err
		}
	}

	// 2. The vulnerability scan, with KEV and VEX when given.
	db, err := loadDB(o.osv)
	if err != nil {
		return res, err
	}
	info := db.Info()
	res.DB = fmt.Sprintf("%d OSV entries (%s, %s)", info.Entries, info.Source, strings.Join(info.Ecosystems, ", "))
	res.Uncovered = uncovered(doc, info.Ecosystems)
	var scanOpts []risk.ScanOption
	if o.kev != "" {
		kev, err := readWith(o.kev, risk.ReadKEV)
		if err != nil {
			return res, err
		}
		scanOpts = append(scanOpts, risk.WithKEV(kev))
	}
	if o.epss != "" {
		epss, err := readWith(o.epss, risk.ReadEPSS)
		if err != nil {
			return res, err
		}
		scanOpts = append(scanOpts, risk.WithEPSS(epss))
	}
	if o.vex != "" {
		vex, err := readWith(o.vex, risk.ReadOpenVEX)
		if err != nil {
			return res, err
		}
		scanOpts = append(scanOpts, risk.WithVEX(vex))
	}
	report, err := risk.Scan(ctx, doc, db, scanOpts...)
	if err != nil {
		return res, err
	}
	res.Findings, res.Unassessed, res.Enrichment = report.Summary, report.Unassessed, report.Enrichment
	for _, f := range report.Findings {
		if threshold.blocks(f) {
			res.Blocking = append(res.Blocking, f)
		}
	}

	// 3. SARIF, written whether or not the step passes: the dashboard
	// shows what blocked it.
	if res.SARIFDigest, err = writeSARIF(o.sarif, report); err != nil {
		return res, err
	}

	// 4. The policy decision over the SBOM and the scan.
	engine, err := newEngine(ctx, o)
	if err != nil {
		return res, err
	}
	in, err := policy.NewInputBuilder().
		WithArtifactRef(res.Image+"@"+res.Digest).
		WithSBOM(doc).
		WithRisk(report).
		WithTime(time.Now()).
		WithContext("ci", map[string]any{"step": "ci-scan", "failOn": o.failOn}).
		Build()
	if err != nil {
		return res, err
	}
	if res.Policy, err = engine.Decide(ctx, in); err != nil {
		return res, err
	}
	passed := len(res.Blocking) == 0 && res.Policy.Allow
	if !passed {
		res.Status = "blocked"
		return res, nil
	}

	// 5. Promote: edit the manifest and commit, through a gate that allows
	// exactly the image that passed.
	res.Repository = o.repo
	if res.Repository == "" {
		dir, err := workDir()
		if err != nil {
			return res, err
		}
		res.Repository = filepath.Join(dir, "gitops.git")
		if err := gitops.InitRepository(ctx, res.Repository, o.branch, map[string][]byte{o.manifest: []byte(demoDeployment)}); err != nil {
			return res, fmt.Errorf("create the GitOps repository: %w", err)
		}
	}
	if res.Promotion, err = promote(ctx, o, res, engine.Policy()); err != nil {
		return res, err
	}
	res.Status = "passed"
	return res, nil
}

// uncovered counts doc's components by OSV ecosystem ("Debian:12") when
// the database has no entries for that ecosystem.
func uncovered(doc *sbom.Document, have []string) map[string]int {
	out := map[string]int{}
	for _, c := range doc.Components {
		eco, ok := c.Property(sbom.PropOSVEcosystem)
		base, _, _ := strings.Cut(eco, ":")
		if ok && !slices.Contains(have, eco) && !slices.Contains(have, base) {
			out[eco]++
		}
	}
	return out
}

// threshold is -fail-on: a priority decision (Act, Attend, Track*, Track)
// or a severity (critical, high, medium, low), as a rank from 4 down to 1;
// 0 blocks nothing.
type threshold struct {
	rank     int
	severity bool // compare severities rather than priority decisions
}

var (
	decisionRanks = map[string]int{"act": 4, "attend": 3, "track*": 2, "track": 1}
	severityRanks = map[string]int{"critical": 4, "high": 3, "medium": 2, "low": 1}
)

func parseThreshold(s string) (threshold, error) {
	s = strings.ToLower(s)
	if r, ok := decisionRanks[s]; ok {
		return threshold{rank: r}, nil
	}
	if r, ok := severityRanks[s]; ok {
		return threshold{rank: r, severity: true}, nil
	}
	if s == "none" {
		return threshold{}, nil
	}
	return threshold{}, fmt.Errorf("-fail-on %q: want act, attend, track*, track, critical, high, medium, low or none", s)
}

// blocks reports whether an active finding is at or above the threshold.
// A priority threshold compares the finding's decision. A severity
// threshold compares its worst CVSS rating or, when that is lower or
// missing (the Go vulndb has no CVSS), its decision read as a severity the
// way policy.InputBuilder maps it (Act→critical ... Track→low): unknown
// severity never lets a finding through.
func (t threshold) blocks(f risk.Finding) bool {
	if t.rank == 0 || !f.Active() {
		return false
	}
	r := decisionRanks[strings.ToLower(string(f.Priority.Decision))]
	if t.severity {
		for _, s := range f.Severity {
			r = max(r, severityRanks[strings.ToLower(s.Rating)])
		}
	}
	return r >= t.rank
}

func loadDB(path string) (*vulndb.DB, error) {
	if path != "" {
		return vulndb.Load(path)
	}
	idx, err := data.ReadFile("data/vulndb.idx")
	if err != nil {
		return nil, err
	}
	return vulndb.ReadIndex(bytes.NewReader(idx))
}

func readWith[T any](path string, read func(io.Reader) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	return read(f)
}

// writeSARIF writes the report as SARIF to path and returns its digest.
func writeSARIF(path string, report *risk.Report) (string, error) {
	var buf bytes.Buffer
	if err := report.WriteSARIF(&buf); err != nil {
		return "", err
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
	}
	sum := sha256.Sum256(buf.Bytes())
	return "sha256:" + hex.EncodeToString(sum[:]), os.WriteFile(path, buf.Bytes(), 0o644)
}

func newEngine(ctx context.Context, o options) (*policy.Engine, error) {
	if o.policyDir != "" {
		return policy.New(ctx, policy.FromDir(o.policyDir))
	}
	areas := policy.WithLibrary(policy.LibraryVulnerabilities, policy.LibrarySBOM, policy.LibraryImage)
	if o.policyData != "" {
		return policy.New(ctx, areas, policy.WithDataFile(o.policyData))
	}
	return policy.New(ctx, areas, policy.WithData(policyConfig))
}

// imageName is the name to promote: the flag, else the reference the
// image was saved under, without its tag or digest.
func imageName(flagName, ref string) string {
	if flagName != "" {
		return flagName
	}
	if r, err := name.ParseReference(ref); err == nil && ref != "" {
		return r.Context().Name()
	}
	return ""
}

// scanGate is the promotion's gitops.Gate. It re-checks what was decided
// and fails closed: it allows only the digest that was scanned, and only
// when the scan and the policy passed.
func scanGate(res *Result, failOn string, pol policy.PolicyInfo) gitops.Gate {
	return gitops.GateFunc(func(ctx context.Context, c gitops.Candidate) (gitops.Decision, error) {
		if res.Digest == "" || c.Image.Digest != res.Digest {
			return gitops.Decision{Reasons: []string{"ci-scan: " + c.Image.Digest + " is not the scanned image " + res.Digest}}, nil
		}
		if len(res.Blocking) > 0 || res.Policy == nil || !res.Policy.Allow {
			return gitops.Decision{Reasons: []string{"ci-scan: the scan or the policy blocked " + res.Digest}}, nil
		}
		return gitops.Decision{
			Allow:          true,
			Reasons:        []string{fmt.Sprintf("no finding at or above %s; policy %s allowed", failOn, pol.Digest)},
			Digest:         res.Policy.InputDigest,
			PolicyRevision: pol.Digest,
		}, nil
	})
}

func promote(ctx context.Context, o options, res *Result, pol policy.PolicyInfo) (*gitops.Promotion, error) {
	repo := gitops.Repository{URL: res.Repository, Branch: o.branch}
	// HTTPS credentials come from the environment, never from a flag (flags
	// show up in process listings and CI logs).
	if token := os.Getenv("GITOPS_TOKEN"); token != "" && strings.HasPrefix(res.Repository, "https://") {
		repo.Auth = &githttp.BasicAuth{Username: o.repoUser, Password: token}
	}
	p, err := gitops.NewPromoter(
		repo,
		gitops.WithGate(scanGate(res, o.failOn, pol)),
		gitops.WithAuthor("chaingate ci-scan", "ci-scan@chaingate.invalid"),
		gitops.WithPipeline(gitops.Pipeline{Stages: []gitops.Stage{{
			Name:  o.env,
			Edits: []gitops.Edit{{File: o.manifest, Target: gitops.ImageTarget{Name: res.Image}}},
		}}}),
	)
	if err != nil {
		return nil, err
	}
	return p.Promote(ctx, gitops.Request{
		Image: res.Image + "@" + res.Digest,
		Stage: o.env,
		Evidence: []gitops.Evidence{
			{Kind: "sarif", Ref: o.sarif, Digest: res.SARIFDigest},
			{Kind: "policy", Ref: "ci-scan", Digest: res.Policy.InputDigest},
		},
		Message: fmt.Sprintf("ci-scan: %d components scanned against %s; %d finding(s), none at or above %s.", res.Components, res.DB, res.Findings.Findings, o.failOn),
	})
}
