package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

func git(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestReleaseGate runs the example as `go run ./examples/release-gate`
// does and checks what it did to the GitOps repository: the allowed
// candidate is promoted in one commit that changes exactly its pinned
// reference, and the denied one leaves the branch where it was.
func TestReleaseGate(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	var out bytes.Buffer
	res, err := run(context.Background(), options{env: "prod", format: "text", tmpDir: t.TempDir()}, &out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	text := out.String()
	t.Log(text)

	for _, want := range []string{
		"[1/2] registry.npmjs.org/sigstore:2.0.0 → prod",
		"verify  ok      1 attestation(s) verified",
		"signer  https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main (https://token.actions.githubusercontent.com)",
		"built   by https://github.com/actions/runner/github-hosted from https://github.com/sigstore/sigstore-js@refs/heads/main",
		"apps/signer/values.yaml:8  1.9.0 → 2.0.0",
		"[2/2] ghcr.io/acme/shop-api:1.4.0 → prod",
		"CG-PROV-001 artifact ghcr.io/acme/shop-api has no build provenance",
		"CG-VULN-002 GO-2021-0052 in github.com/gin-gonic/gin v1.7.0",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if res.denied != 1 || len(res.promoted) != 1 {
		t.Fatalf("denied %d, promoted %d; want 1 and 1", res.denied, len(res.promoted))
	}

	p := res.promoted[0]
	tip := git(t, "-C", res.repo, "rev-parse", "refs/heads/main")
	if tip != p.Commit {
		t.Fatalf("main is at %s after the denied candidate, want the promotion commit %s", tip, p.Commit)
	}
	if parent := git(t, "-C", res.repo, "rev-parse", p.Commit+"^"); parent != res.seedCommit {
		t.Errorf("promotion commit's parent is %s, want the seed commit %s", parent, res.seedCommit)
	}
	if n := git(t, "-C", res.repo, "rev-list", "--count", "refs/heads/main"); n != "2" {
		t.Errorf("main has %s commits, want 2 (seed + one promotion)", n)
	}
	// Exactly the pinned lines changed, in one file.
	diff := git(t, "-C", res.repo, "diff", "--unified=0", res.seedCommit, p.Commit)
	var changed []string
	for _, l := range strings.Split(diff, "\n") {
		if (strings.HasPrefix(l, "+") || strings.HasPrefix(l, "-")) && !strings.HasPrefix(l, "+++") && !strings.HasPrefix(l, "---") {
			changed = append(changed, l)
		}
	}
	want := []string{
		`-  tag: "1.9.0"`,
		`-  digest: sha512:0b1e5b2dc4ef37d42fd0b6bd9c5a80f2a7d1ff5d2fe41cbb3a2d9a17ce0e2f2a3f4e0d1c8e8f8c1a7c52b8a7c19f1d8b3f5f2e0a6e1d4a7b9c3e2f1a0d9c8b7a6`,
		`+  tag: "2.0.0"`,
		`+  digest: ` + sigstoreJSDigest,
	}
	if strings.Join(changed, "\n") != strings.Join(want, "\n") {
		t.Errorf("promotion changed:\n%s\nwant:\n%s", strings.Join(changed, "\n"), strings.Join(want, "\n"))
	}
	if files := git(t, "-C", res.repo, "diff", "--name-only", res.seedCommit, p.Commit); files != "apps/signer/values.yaml" {
		t.Errorf("promotion touched %q, want only apps/signer/values.yaml", files)
	}
	// The shop-api manifest still runs the last good release.
	if m := git(t, "-C", res.repo, "show", "main:apps/shop-api/deployment.yaml"); !strings.Contains(m, "image: ghcr.io/acme/shop-api:1.3.2 # the last release that passed the gate") {
		t.Errorf("shop-api deployment changed:\n%s", m)
	}
	// The commit records the evidence it acted on.
	msg := git(t, "-C", res.repo, "log", "-1", "--format=%B", p.Commit)
	if !strings.Contains(msg, sigstoreJSDigest) {
		t.Errorf("promotion commit message does not record the digest:\n%s", msg)
	}
}

// TestReleaseGateJSON checks the machine-readable output: two verdicts with
// their schema version, the first allowed with verified provenance, the
// second denied.
func TestReleaseGateJSON(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	var out bytes.Buffer
	if _, err := run(context.Background(), options{env: "staging", format: "json", tmpDir: t.TempDir()}, &out); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&out)
	var verdicts []map[string]any
	for dec.More() {
		var v map[string]any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		verdicts = append(verdicts, v)
	}
	if len(verdicts) != 2 {
		t.Fatalf("got %d verdicts, want 2", len(verdicts))
	}
	if verdicts[0]["schemaVersion"] != "chaingate.dev/verdict/v1" || verdicts[0]["allow"] != true || verdicts[1]["allow"] != false {
		t.Errorf("verdicts: schema %v, allow %v and %v", verdicts[0]["schemaVersion"], verdicts[0]["allow"], verdicts[1]["allow"])
	}
	if verdicts[0]["environment"] != "staging" {
		t.Errorf("environment %v, want staging", verdicts[0]["environment"])
	}
}
