package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/gitops"
	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/sbom"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

const manifest = "apps/greeter/deployment.yaml"

// newRepo creates a bare GitOps repository holding the demo Deployment
// and returns its path and initial commit.
func newRepo(t *testing.T) (string, string) {
	t.Helper()
	repo := filepath.Join(t.TempDir(), "gitops.git")
	if err := gitops.InitRepository(context.Background(), repo, "main", map[string][]byte{manifest: []byte(demoDeployment)}); err != nil {
		t.Fatal(err)
	}
	return repo, tip(t, repo)
}

func tip(t *testing.T, repo string) string {
	t.Helper()
	r, err := git.PlainOpen(repo)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := r.Reference(plumbing.NewBranchReferenceName("main"), true)
	if err != nil {
		t.Fatal(err)
	}
	return ref.Hash().String()
}

// fileAt returns a file's content at a commit of repo.
func fileAt(t *testing.T, repo, commit, path string) (string, *plumbing.Hash) {
	t.Helper()
	r, err := git.PlainOpen(repo)
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.CommitObject(plumbing.NewHash(commit))
	if err != nil {
		t.Fatal(err)
	}
	f, err := c.File(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.Contents()
	if err != nil {
		t.Fatal(err)
	}
	var parent *plumbing.Hash
	if len(c.ParentHashes) == 1 {
		parent = &c.ParentHashes[0]
	}
	return s, parent
}

func hasPURL(doc *sbom.Document, purl string) bool {
	for _, c := range doc.Components {
		if c.PURL == purl {
			return true
		}
	}
	return false
}

func commitMessage(t *testing.T, repo, commit string) string {
	t.Helper()
	r, err := git.PlainOpen(repo)
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.CommitObject(plumbing.NewHash(commit))
	if err != nil {
		t.Fatal(err)
	}
	return c.Message
}

// runCLI runs the program in-process with -json and returns its exit
// code and result.
func runCLI(t *testing.T, args ...string) (int, *Result, string) {
	t.Helper()
	t.Setenv("TMPDIR", t.TempDir()) // where the demo image is built
	var stdout, stderr bytes.Buffer
	code := cli(context.Background(), append([]string{"-json"}, args...), &stdout, &stderr)
	var res Result
	if stdout.Len() > 0 {
		if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
			t.Fatalf("-json output is not JSON: %v\n%s", err, stdout.String())
		}
	}
	return code, &res, stderr.String()
}

// sarifResults reads a SARIF file and returns its results' rule ids.
func sarifResults(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name string `json:"name"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID  string `json:"ruleId"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &log); err != nil {
		t.Fatalf("SARIF is not JSON: %v", err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name == "" {
		t.Fatalf("SARIF: version %q, %d runs", log.Version, len(log.Runs))
	}
	var ids []string
	for _, r := range log.Runs[0].Results {
		if r.RuleID == "" || r.Message.Text == "" {
			t.Errorf("SARIF result without rule or message: %+v", r)
		}
		ids = append(ids, r.RuleID)
	}
	return ids
}

func TestBlockedByFindingsAndPolicy(t *testing.T) {
	repo, before := newRepo(t)
	sarif := filepath.Join(t.TempDir(), "out", "ci-scan.sarif")
	code, res, stderr := runCLI(t, "-repo", repo, "-sarif", sarif)
	if code != exitBlocked || res.Status != "blocked" {
		t.Fatalf("exit %d, status %q, want %d blocked; stderr: %s", code, res.Status, exitBlocked, stderr)
	}
	// greeter 1.4.0: x/text v0.3.5, yaml.v2 v2.2.2, Go 1.26.8.
	want := map[string]string{
		"GO-2021-0113": "golang.org/x/text", "GO-2022-1059": "golang.org/x/text",
		"GO-2020-0036": "gopkg.in/yaml.v2", "GO-2021-0061": "gopkg.in/yaml.v2", "GO-2022-0956": "gopkg.in/yaml.v2",
		"GO-2026-6599": "stdlib",
	}
	got := map[string]string{}
	for _, f := range res.Blocking {
		got[f.ID] = f.Package
	}
	for id, pkg := range want {
		if got[id] != pkg {
			t.Errorf("blocking finding %s in %s missing (got %v)", id, pkg, got)
		}
	}
	if res.Findings.Findings != len(res.Blocking) {
		t.Errorf("%d findings, %d blocking at the default threshold track", res.Findings.Findings, len(res.Blocking))
	}
	if res.Uncovered["Debian:12"] != 5 {
		t.Errorf("uncovered = %v, want the 5 Debian packages", res.Uncovered)
	}
	if res.Policy == nil || res.Policy.Allow || len(res.Policy.Deny) == 0 || res.Policy.Deny[0].Code != "CG-VULN-002" {
		t.Errorf("policy = %+v, want a CG-VULN-002 deny", res.Policy)
	}
	ids := sarifResults(t, sarif)
	if len(ids) != res.Findings.Findings || !strings.Contains(strings.Join(ids, " "), "GO-2021-0113") {
		t.Errorf("SARIF results %v, want the %d findings", ids, res.Findings.Findings)
	}
	if res.Promotion != nil || tip(t, repo) != before {
		t.Errorf("blocked image was promoted: %+v", res.Promotion)
	}
}

func TestPolicyBlocksWithoutThreshold(t *testing.T) {
	// -fail-on none turns the threshold off; the policy still denies.
	repo, before := newRepo(t)
	code, res, _ := runCLI(t, "-repo", repo, "-sarif", filepath.Join(t.TempDir(), "x.sarif"), "-fail-on", "none")
	if code != exitBlocked || len(res.Blocking) != 0 || res.Policy == nil || res.Policy.Allow {
		t.Fatalf("exit %d, %d blocking, policy %+v: want 1 from the policy alone", code, len(res.Blocking), res.Policy)
	}
	if tip(t, repo) != before {
		t.Error("repository changed")
	}
}

func TestPassedAndPromoted(t *testing.T) {
	repo, before := newRepo(t)
	sarif := filepath.Join(t.TempDir(), "ci-scan.sarif")
	sbomOut := filepath.Join(t.TempDir(), "greeter.cdx.json")
	code, res, stderr := runCLI(t, "-demo", "fixed", "-repo", repo, "-sarif", sarif, "-sbom-out", sbomOut)
	if code != exitPassed || res.Status != "passed" {
		t.Fatalf("exit %d, status %q, want 0 passed; stderr: %s; result %+v", code, res.Status, stderr, res)
	}
	if res.Findings.Findings != 0 || !res.Policy.Allow {
		t.Errorf("findings %+v, policy allow %v", res.Findings, res.Policy.Allow)
	}
	if ids := sarifResults(t, sarif); len(ids) != 0 {
		t.Errorf("SARIF results %v, want none", ids)
	}
	f, err := os.Open(sbomOut)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := sbom.Decode(f)
	if err != nil || doc.Format != sbom.CycloneDXJSON || len(doc.Components) != res.Components {
		t.Errorf("-sbom-out: %v, %d components, want CycloneDX JSON with %d", err, len(doc.Components), res.Components)
	}
	if !hasPURL(doc, "pkg:golang/golang.org/x/text@v0.44.0") {
		t.Error("-sbom-out lacks golang.org/x/text v0.44.0")
	}
	p := res.Promotion
	if p == nil || p.Commit == "" {
		t.Fatalf("no promotion commit: %+v", p)
	}
	if got := tip(t, repo); got != p.Commit {
		t.Fatalf("main is at %s, want the promotion commit %s", got, p.Commit)
	}
	content, parent := fileAt(t, repo, p.Commit, manifest)
	if parent == nil || parent.String() != before {
		t.Errorf("promotion commit's parent %v, want %s", parent, before)
	}
	wantImage := "image: ghcr.io/acme/greeter@" + res.Digest
	if !strings.HasPrefix(res.Digest, "sha256:") || !strings.Contains(content, wantImage) {
		t.Errorf("manifest after promotion lacks %q:\n%s", wantImage, content)
	}
	// The commit records what the decision rested on.
	msg := commitMessage(t, repo, p.Commit)
	for _, want := range []string{
		"Chaingate-Digest: " + res.Digest,
		"Chaingate-Stage: prod",
		"Chaingate-Evidence: sarif " + sarif + " " + res.SARIFDigest,
		"Chaingate-Evidence: policy ci-scan " + res.Policy.InputDigest,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("commit message lacks %q:\n%s", want, msg)
		}
	}
	// Nothing but the image line changed.
	if strings.Replace(content, wantImage, "image: ghcr.io/acme/greeter:1.3.9", 1) != demoDeployment {
		t.Errorf("promotion changed more than the image line:\n%s", content)
	}
}

func TestOCILayoutPasses(t *testing.T) {
	// The same fixed image, as an OCI layout directory (crane pull --format=oci).
	dir := t.TempDir()
	tar, _, err := buildDemoImage(dir, "fixed")
	if err != nil {
		t.Fatal(err)
	}
	img, err := tarball.ImageFromPath(tar, nil)
	if err != nil {
		t.Fatal(err)
	}
	lp, err := layout.Write(filepath.Join(dir, "oci"), empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	digest, _ := img.Digest()
	repo, _ := newRepo(t)
	code, res, stderr := runCLI(t, "-image", filepath.Join(dir, "oci"), "-name", "ghcr.io/acme/greeter",
		"-repo", repo, "-sarif", filepath.Join(dir, "out.sarif"))
	if code != exitPassed || res.Digest != digest.String() || res.Promotion == nil {
		t.Fatalf("exit %d, digest %s (want %s), promotion %v; stderr %s", code, res.Digest, digest, res.Promotion, stderr)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	repo, before := newRepo(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"bad threshold", []string{"-fail-on", "severe"}, "-fail-on"},
		{"bad demo", []string{"-demo", "other"}, "-demo"},
		{"missing image", []string{"-image", filepath.Join(dir, "nope.tar")}, "nope.tar"},
		{"missing OSV database", []string{"-demo", "fixed", "-osv", filepath.Join(dir, "nope.zip")}, "nope.zip"},
		{"bad KEV", []string{"-demo", "fixed", "-kev", filepath.Join("data", "os-release")}, "KEV"},
		{"unknown flag", []string{"-frobnicate"}, "frobnicate"},
		{"stray argument", []string{"image.tar"}, "unexpected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-repo", repo, "-sarif", filepath.Join(dir, "e.sarif")}, tc.args...)
			code, res, stderr := runCLI(t, args...)
			if code != exitError || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q: want %d naming %q", code, stderr, exitError, tc.want)
			}
			// Flag errors stop before any output; others still print JSON.
			if res.Status != "" && (res.Status != "error" || !strings.Contains(res.Error, tc.want)) {
				t.Errorf("-json result %q %q, want error naming %q", res.Status, res.Error, tc.want)
			}
		})
	}
	if tip(t, repo) != before {
		t.Error("a failed run changed the repository")
	}
}

func TestGateFailsClosed(t *testing.T) {
	digest := "sha256:" + strings.Repeat("a", 64)
	other := "sha256:" + strings.Repeat("b", 64)
	allow := &policy.Decision{Allow: true, InputDigest: "sha256:" + strings.Repeat("c", 64)}
	for _, tc := range []struct {
		name      string
		res       Result
		candidate string
		want      bool
	}{
		{"passed", Result{Digest: digest, Policy: allow}, digest, true},
		{"other digest", Result{Digest: digest, Policy: allow}, other, false},
		{"nothing scanned", Result{Policy: allow}, "", false},
		{"findings", Result{Digest: digest, Policy: allow, Blocking: []risk.Finding{{ID: "GO-2021-0113"}}}, digest, false},
		{"no policy decision", Result{Digest: digest}, digest, false},
		{"policy denied", Result{Digest: digest, Policy: &policy.Decision{}}, digest, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := scanGate(&tc.res, "track", policy.PolicyInfo{Digest: "sha256:p"}).Check(context.Background(),
				gitops.Candidate{Image: gitops.Reference{Name: "ghcr.io/acme/greeter", Digest: tc.candidate}})
			if err != nil || d.Allow != tc.want || len(d.Reasons) == 0 {
				t.Errorf("Check = %+v, %v; want allow %v with a reason", d, err, tc.want)
			}
		})
	}
}

func TestVEXSuppresses(t *testing.T) {
	repo, _ := newRepo(t)
	code, res, stderr := runCLI(t, "-repo", repo, "-sarif", filepath.Join(t.TempDir(), "v.sarif"),
		"-vex", filepath.Join("testdata", "greeter.openvex.json"))
	if code != exitBlocked || res.Findings.Suppressed != 1 {
		t.Fatalf("exit %d, findings %+v; stderr %s: want 1 suppressed, still blocked", code, res.Findings, stderr)
	}
	// Summary.Findings counts active findings only.
	if len(res.Blocking) != res.Findings.Findings || len(res.Blocking) != 20 {
		t.Errorf("%d blocking of %d active findings, want the 20 not suppressed", len(res.Blocking), res.Findings.Findings)
	}
	for _, f := range res.Blocking {
		if f.ID == "GO-2026-6629" {
			t.Error("the VEX-suppressed finding blocks")
		}
	}
	for _, d := range res.Policy.Deny {
		if strings.Contains(d.Message, "GO-2026-6629") {
			t.Errorf("policy denies on the VEX-suppressed finding: %s", d.Message)
		}
	}
}

func TestOwnPolicy(t *testing.T) {
	dir := t.TempDir()
	rego := `package main

deny contains msg if {
	input.artifact.registry != "registry.acme.internal"
	msg := sprintf("%s is not in the internal registry", [input.artifact.name])
}
`
	if err := os.WriteFile(filepath.Join(dir, "registry.rego"), []byte(rego), 0o644); err != nil {
		t.Fatal(err)
	}
	repo, before := newRepo(t)
	code, res, stderr := runCLI(t, "-demo", "fixed", "-policy", dir, "-repo", repo, "-sarif", filepath.Join(dir, "p.sarif"))
	if code != exitBlocked || len(res.Blocking) != 0 || res.Policy == nil || len(res.Policy.Deny) != 1 ||
		!strings.Contains(res.Policy.Deny[0].Message, "not in the internal registry") {
		t.Fatalf("exit %d, policy %+v; stderr %s: want the custom deny", code, res.Policy, stderr)
	}
	if tip(t, repo) != before {
		t.Error("repository changed")
	}

	// A policy that does not compile is an error, not a pass.
	if err := os.WriteFile(filepath.Join(dir, "broken.rego"), []byte("package main\ndeny contains msg if {"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := runCLI(t, "-demo", "fixed", "-policy", dir, "-repo", repo, "-sarif", filepath.Join(dir, "p.sarif")); code != exitError {
		t.Errorf("broken policy: exit %d, want %d", code, exitError)
	}
}

func TestPolicyData(t *testing.T) {
	// The library configured by a data file: the vulnerabilities area off
	// and the threshold off let the vulnerable image through. This is how
	// a team would (knowingly) ship with accepted findings.
	dir := t.TempDir()
	cfg := `{"chaingate": {"config": {"vulnerabilities": {"enabled": false}}}}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	repo, before := newRepo(t)
	code, res, stderr := runCLI(t, "-fail-on", "none", "-policy-data", filepath.Join(dir, "config.json"),
		"-repo", repo, "-sarif", filepath.Join(dir, "d.sarif"))
	if code != exitPassed || res.Findings.Findings == 0 || res.Promotion == nil || tip(t, repo) == before {
		t.Fatalf("exit %d, findings %+v, promotion %v; stderr %s", code, res.Findings, res.Promotion, stderr)
	}
}

func TestSummary(t *testing.T) {
	// The human summary a CI log shows, for the default (demo) run.
	t.Setenv("TMPDIR", t.TempDir())
	var stdout, stderr bytes.Buffer
	if code := cli(context.Background(), nil, &stdout, &stderr); code != exitBlocked {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitBlocked, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"ci-scan ghcr.io/acme/greeter:1.4.0 (sha256:",
		"21 finding(s) (",
		"5 Debian:12 component(s) not covered",
		"- GO-2021-0113 Track   golang.org/x/text v0.3.5, fixed in 0.3.7: Out-of-bounds read in golang.org/x/text/language",
		"policy    denied (21 deny, 0 warn)",
		"- CG-VULN-002 ",
		"BLOCKED: not promoted (exit 1)",
		"-demo fixed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "PASSED") || stderr.Len() != 0 {
		t.Errorf("stderr %q, summary:\n%s", stderr.String(), out)
	}
}

func TestKEV(t *testing.T) {
	// A real KEV excerpt: recorded in the result; none of its CVEs is a
	// greeter finding, so the outcome is unchanged.
	repo, _ := newRepo(t)
	code, res, stderr := runCLI(t, "-repo", repo, "-sarif", filepath.Join(t.TempDir(), "k.sarif"),
		"-kev", filepath.Join("testdata", "kev-excerpt.json"))
	if code != exitBlocked || res.Enrichment.KEVVersion != "2025.08.25" || res.Findings.Findings != 21 {
		t.Fatalf("exit %d, enrichment %+v, findings %+v; stderr %s", code, res.Enrichment, res.Findings, stderr)
	}
	for _, f := range res.Blocking {
		if f.KEV != nil {
			t.Errorf("%s marked known-exploited", f.ID)
		}
	}
}

func TestThreshold(t *testing.T) {
	track := risk.Finding{ID: "track", Priority: risk.Priority{Decision: risk.Track}}
	attend := risk.Finding{ID: "attend", Priority: risk.Priority{Decision: risk.Attend}}
	criticalCVSS := risk.Finding{ID: "critical-cvss", Priority: risk.Priority{Decision: risk.TrackStar},
		Severity: []risk.Severity{{Type: "CVSS_V3", Rating: "CRITICAL", Score: 9.8}}}
	suppressed := attend
	suppressed.Suppressed = &risk.Suppression{Status: "not_affected"}
	for _, tc := range []struct {
		failOn string
		want   []string // the findings it blocks
	}{
		{"track", []string{"track", "attend", "critical-cvss"}},
		{"Track*", []string{"attend", "critical-cvss"}},
		{"attend", []string{"attend"}},
		{"act", nil},
		{"low", []string{"track", "attend", "critical-cvss"}},
		{"high", []string{"attend", "critical-cvss"}},
		{"critical", []string{"critical-cvss"}},
		{"none", nil},
	} {
		th, err := parseThreshold(tc.failOn)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range []risk.Finding{track, attend, criticalCVSS, suppressed} {
			if th.blocks(f) {
				got = append(got, f.ID)
			}
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("-fail-on %s blocks %v, want %v", tc.failOn, got, tc.want)
		}
	}
	if _, err := parseThreshold("severe"); err == nil {
		t.Error("-fail-on severe accepted")
	}
}
