package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/chaingate/chaingate/gitops"
)

// oldSignerDigest is the digest the repository pins before the promotion.
const oldSignerDigest = "sha512:0b1e5b2dc4ef37d42fd0b6bd9c5a80f2a7d1ff5d2fe41cbb3a2d9a17ce0e2f2a3f4e0d1c8e8f8c1a7c52b8a7c19f1d8b3f5f2e0a6e1d4a7b9c3e2f1a0d9c8b7a6"

const signerValues = `# Helm values of the signer service.
replicaCount: 2

sigstoreJS:
  repository: registry.npmjs.org/sigstore
  tag: "1.9.0"
  digest: ` + oldSignerDigest + `

resources:
  limits:
    memory: 256Mi
`

const shopDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-api
spec:
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/shop-api:1.3.2 # the last release that passed the gate
`

// gitopsRepo creates a bare GitOps repository in a temporary directory.
func gitopsRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed (local repositories are served by git-upload-pack)")
	}
	dir := filepath.Join(t.TempDir(), "gitops.git")
	if err := gitops.InitRepository(context.Background(), dir, "main", map[string][]byte{
		"apps/signer/values.yaml":       []byte(signerValues),
		"apps/shop-api/deployment.yaml": []byte(shopDeployment),
	}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func git(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// gateFlagsOf drops the leading "gate" and the --image of gate args, so
// promote can take them.
func gateFlagsOf(args []string) []string {
	var out []string
	for i := 1; i < len(args); i++ {
		if args[i] == "--image" {
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

func TestPromote(t *testing.T) {
	repo := gitopsRepo(t)
	seed := git(t, "-C", repo, "rev-parse", "refs/heads/main")

	// sigstore@2.0.0 passes the gate and is promoted.
	args := append([]string{"promote", "--repo", repo, "--image", "registry.npmjs.org/sigstore:2.0.0",
		"--edit", "apps/signer/values.yaml", "--stage", "prod", "-o", "json"}, gateFlagsOf(sigstoreGate())...)
	r := cli(t, args...).want(t, exitOK)
	var res promoteResult
	r.decode(t, &res)
	p := res.Promotion
	if !res.Promoted || res.SchemaVersion != promoteSchema || res.Verdict == nil || !res.Verdict.Allow || p == nil {
		t.Fatalf("result %+v", res)
	}
	if tip := git(t, "-C", repo, "rev-parse", "refs/heads/main"); tip != p.Commit || p.Parent != seed {
		t.Fatalf("main at %s, promotion %s (parent %s, seed %s)", tip, p.Commit, p.Parent, seed)
	}
	changes := map[string]string{}
	for _, f := range p.Files {
		for _, c := range f.Changes {
			changes[f.File+":"+strconv.Itoa(c.Line)] = c.Old + " -> " + c.New
		}
	}
	if len(changes) != 2 || changes["apps/signer/values.yaml:6"] != "1.9.0 -> 2.0.0" ||
		changes["apps/signer/values.yaml:7"] != oldSignerDigest+" -> "+sigstoreJSDigest {
		t.Errorf("changes %v", changes)
	}
	// The commit changed exactly the tag and the digest (quoting kept) and
	// records the gate decision.
	values := git(t, "-C", repo, "show", "main:apps/signer/values.yaml")
	want := strings.NewReplacer(`"1.9.0"`, `"2.0.0"`, oldSignerDigest, sigstoreJSDigest).Replace(signerValues)
	if values+"\n" != want {
		t.Errorf("values.yaml after promotion:\n%s", values)
	}
	msg := git(t, "-C", repo, "log", "-1", "--format=%B", "main")
	if !strings.Contains(msg, "Chaingate-Digest: "+sigstoreJSDigest) || !strings.Contains(msg, "Chaingate-Stage: prod") ||
		!strings.Contains(msg, "Chaingate-Decision: "+p.DecisionRef) {
		t.Errorf("commit message:\n%s", msg)
	}

	t.Run("denied candidate leaves the repository untouched", func(t *testing.T) {
		before := git(t, "-C", repo, "rev-parse", "refs/heads/main")
		args := append([]string{"promote", "--repo", repo, "--image", "ghcr.io/acme/shop-api:1.4.0",
			"--edit", "apps/shop-api/deployment.yaml,container=api", "--stage", "prod", "-o", "json"}, gateFlagsOf(shopAPIGate())...)
		r := cli(t, args...).want(t, exitDenied)
		var res promoteResult
		r.decode(t, &res)
		if res.Promoted || res.Promotion != nil || res.Verdict == nil || res.Verdict.Allow || !hasCode(res.Verdict.Reasons, "CG-PROV-001") {
			t.Fatalf("result promoted=%v verdict %+v", res.Promoted, res.Verdict)
		}
		if after := git(t, "-C", repo, "rev-parse", "refs/heads/main"); after != before {
			t.Fatalf("main moved from %s to %s", before, after)
		}
	})
	t.Run("text", func(t *testing.T) {
		// The same promotion again: nothing to change.
		args := append([]string{"promote", "--repo", repo, "--image", "registry.npmjs.org/sigstore:2.0.0",
			"--edit", "apps/signer/values.yaml", "--stage", "prod"}, gateFlagsOf(sigstoreGate())...)
		txt := cli(t, args...).want(t, exitOK).stdout
		if !strings.Contains(txt, "ALLOW") || !strings.Contains(txt, "no change: main already holds") {
			t.Errorf("text:\n%s", txt)
		}
	})
	t.Run("usage", func(t *testing.T) {
		cli(t, "promote", "--image", "a/b", "--digest", shopAPIDigest, "--edit", "x.yaml", "--without-gate-unsafe").want(t, exitFailure) // no repo
		cli(t, "promote", "--repo", repo, "--image", "a/b", "--digest", shopAPIDigest, "--without-gate-unsafe").want(t, exitFailure)     // no edit
		cli(t, "promote", "--repo", repo, "--image", "a/b", "--digest", shopAPIDigest, "--edit", "x.yaml,colour=blue", "--without-gate-unsafe").want(t, exitFailure)
	})
}

// sshKey writes an unencrypted OpenSSH ed25519 private key and an
// allowed-signers file trusting it.
func sshKey(t *testing.T, principal string) (keyPath, allowedSigners string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyPath = filepath.Join(dir, "id_ed25519")
	allowedSigners = filepath.Join(dir, "allowed_signers")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(allowedSigners, []byte(principal+" "+string(ssh.MarshalAuthorizedKey(sshPub))), 0o644); err != nil {
		t.Fatal(err)
	}
	return keyPath, allowedSigners
}

func TestAudit(t *testing.T) {
	repo := gitopsRepo(t)
	key, allowed := sshKey(t, "release-bot@acme.example")
	_, otherAllowed := sshKey(t, "someone-else@acme.example")

	// A signed promotion without a gate, on top of the unsigned seed.
	r := cli(t, "promote", "--repo", repo, "--image", "ghcr.io/acme/shop-api:1.4.0", "--digest", shopAPIDigest,
		"--edit", "apps/shop-api/deployment.yaml,container=api", "--sign-ssh-key", key, "--without-gate-unsafe", "-o", "json").want(t, exitOK)
	var res promoteResult
	r.decode(t, &res)
	if !res.Promoted || res.Verdict != nil || res.Promotion.Commit == "" {
		t.Fatalf("result %+v", res)
	}
	if sig := git(t, "-C", repo, "cat-file", "commit", res.Promotion.Commit); !strings.Contains(sig, "-----BEGIN SSH SIGNATURE-----") {
		t.Fatalf("promotion commit is not SSH-signed:\n%s", sig)
	}

	r = cli(t, "audit", repo, "--allowed-signers", allowed, "-o", "json").want(t, exitDenied)
	var rep gitops.AuditReport
	r.decode(t, &rep)
	if rep.SchemaVersion != gitops.SchemaVersion || rep.Commits != 2 || rep.Tip != res.Promotion.Commit || len(rep.Findings) != 1 {
		t.Fatalf("report %+v", rep)
	}
	if f := rep.Findings[0]; f.Kind != gitops.FindingUnsigned || f.Commit == res.Promotion.Commit {
		t.Errorf("finding %+v: want the unsigned seed commit", f)
	}

	// Only the newest commit: the signed promotion is clean.
	r = cli(t, "audit", repo, "--allowed-signers", allowed, "--limit", "1", "-o", "json").want(t, exitOK)
	rep = gitops.AuditReport{}
	r.decode(t, &rep)
	if !rep.OK() || rep.Commits != 1 {
		t.Errorf("report %+v", rep)
	}
	// Signed by a key the auditor does not trust.
	r = cli(t, "audit", repo, "--allowed-signers", otherAllowed, "--limit", "1", "-o", "json").want(t, exitDenied)
	rep = gitops.AuditReport{}
	r.decode(t, &rep)
	if len(rep.Findings) != 1 || rep.Findings[0].Kind == gitops.FindingUnsigned {
		t.Errorf("untrusted signer: %+v", rep.Findings)
	}
	// A trusted signer outside its allowed paths.
	r = cli(t, "audit", repo, "--allowed-signers", allowed, "--limit", "1", "--signer", "release-bot@acme.example=apps/signer/**", "-o", "json").want(t, exitDenied)
	rep = gitops.AuditReport{}
	r.decode(t, &rep)
	if len(rep.Findings) != 1 || rep.Findings[0].Kind != gitops.FindingPathNotAllowed {
		t.Errorf("path rule: %+v", rep.Findings)
	}
	if txt := cli(t, "audit", repo, "--allowed-signers", allowed).want(t, exitDenied).stdout; !strings.Contains(txt, "2 commits audited, 1 findings") || !strings.Contains(txt, "unsigned") {
		t.Errorf("text:\n%s", txt)
	}
	cli(t, "audit", repo).want(t, exitFailure) // no trust given
}
