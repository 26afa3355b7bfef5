package gitops

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"golang.org/x/crypto/ssh"
)

// newPGPKey returns an armored private and public key.
func newPGPKey(t testing.TB, name string) (priv, pub []byte) {
	t.Helper()
	e, err := openpgp.NewEntity(name, "", strings.ToLower(name)+"@example.com", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	var b, pb bytes.Buffer
	w, _ := armor.Encode(&b, openpgp.PrivateKeyType, nil)
	if err := e.SerializePrivate(w, nil); err != nil {
		t.Fatal(err)
	}
	w.Close()
	w, _ = armor.Encode(&pb, openpgp.PublicKeyType, nil)
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return b.Bytes(), pb.Bytes()
}

// newSSHKey returns an OpenSSH private key and its authorized_keys line.
func newSSHKey(t testing.TB) (priv []byte, pub string) {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	blk, err := ssh.MarshalPrivateKey(k, "")
	if err != nil {
		t.Fatal(err)
	}
	sp, _ := ssh.NewPublicKey(k.Public())
	return pem.EncodeToMemory(blk), strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp)))
}

func promoteSigned(t *testing.T, bare string, s Signer, image string) string {
	t.Helper()
	p, err := NewPromoter(Repository{URL: bare}, WithGate(allowAll), WithSigner(s))
	if err != nil {
		t.Fatal(err)
	}
	prom, err := p.Promote(context.Background(), Request{Image: image, Edits: []Edit{{File: "d.yaml", Target: ImageTarget{Name: "ghcr.io/acme/app"}}}})
	if err != nil {
		t.Fatal(err)
	}
	return prom.Commit
}

func TestOpenPGPSignedCommitVerifies(t *testing.T) {
	bare := newBareRepo(t, map[string]string{"d.yaml": testDeployment})
	priv, pub := newPGPKey(t, "Promoter")
	s, err := NewOpenPGPSigner(priv, nil)
	if err != nil {
		t.Fatal(err)
	}
	commit := promoteSigned(t, bare, s, "ghcr.io/acme/app:v2")

	// Our verifier accepts it and rejects a different key.
	v, _ := NewOpenPGPVerifier(pub)
	p, _ := NewPromoter(Repository{URL: bare}, WithGate(allowAll))
	rep, err := p.Audit(context.Background(), AuditOptions{Verifier: v})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Commits != 2 || len(rep.Findings) != 1 || rep.Findings[0].Kind != FindingUnsigned || rep.Findings[0].Commit == commit {
		t.Errorf("audit = %+v, want only the initial unsigned commit", rep)
	}
	_, otherPub := newPGPKey(t, "Other")
	v2, _ := NewOpenPGPVerifier(otherPub)
	rep, _ = p.Audit(context.Background(), AuditOptions{Verifier: v2, Limit: 1})
	if len(rep.Findings) != 1 || rep.Findings[0].Kind != FindingUntrusted {
		t.Errorf("audit with another key = %+v", rep.Findings)
	}

	// git verify-commit with gpg accepts it.
	if _, err := exec.LookPath("gpg"); err != nil {
		t.Skip("gpg not installed: skipping git verify-commit")
	}
	home := t.TempDir()
	imp := exec.Command("gpg", "--batch", "--homedir", home, "--import")
	imp.Stdin = bytes.NewReader(pub)
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("gpg import: %v\n%s", err, out)
	}
	cmd := exec.Command("git", "verify-commit", "--raw", commit)
	cmd.Dir = bare
	cmd.Env = append(os.Environ(), "GNUPGHOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "GOODSIG") {
		t.Fatalf("git verify-commit: %v\n%s", err, out)
	}
}

func TestSSHSignedCommitVerifies(t *testing.T) {
	bare := newBareRepo(t, map[string]string{"d.yaml": testDeployment, "other/x.yaml": "a: b\n"})
	priv, pub := newSSHKey(t)
	s, err := NewSSHSignerFromPEM(priv, nil)
	if err != nil {
		t.Fatal(err)
	}
	commit := promoteSigned(t, bare, s, "ghcr.io/acme/app:v3")
	allowed := "promoter@example.com " + pub + "\n"
	v, err := NewSSHVerifier([]byte(allowed))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := NewPromoter(Repository{URL: bare}, WithGate(allowAll))
	rep, err := p.Audit(context.Background(), AuditOptions{Verifier: v, Limit: 1,
		Signers: []AllowedSigner{{Name: "promoter@example.com", Paths: []string{"d.yaml"}}}})
	if err != nil || !rep.OK() {
		t.Fatalf("audit = %+v, %v", rep, err)
	}
	rep, _ = p.Audit(context.Background(), AuditOptions{Verifier: v, Limit: 1,
		Signers: []AllowedSigner{{Name: "promoter@example.com", Paths: []string{"apps/**"}}}})
	if len(rep.Findings) != 1 || rep.Findings[0].Kind != FindingPathNotAllowed || rep.Findings[0].Paths[0] != "d.yaml" {
		t.Errorf("path-scoped audit = %+v", rep.Findings)
	}
	rep, _ = p.Audit(context.Background(), AuditOptions{Verifier: v, Limit: 1, Signers: []AllowedSigner{{Name: "someone-else"}}})
	if len(rep.Findings) != 1 || rep.Findings[0].Kind != FindingUnknownSigner {
		t.Errorf("unknown signer audit = %+v", rep.Findings)
	}
	_, otherPub := newSSHKey(t)
	v2, _ := NewSSHVerifier([]byte("x " + otherPub + "\n"))
	if _, err := MultiVerifier(v2).Verify([]byte("payload"), []byte("nope")); !errors.Is(err, ErrUntrustedSignature) {
		t.Errorf("garbage signature: %v", err)
	}

	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen not installed: skipping git verify-commit")
	}
	dir := t.TempDir()
	signers := filepath.Join(dir, "allowed_signers")
	if err := os.WriteFile(signers, []byte(allowed), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile="+signers, "verify-commit", commit)
	cmd.Dir = bare
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), `Good "git" signature for promoter@example.com`) {
		t.Fatalf("git verify-commit: %v\n%s", err, out)
	}
}
