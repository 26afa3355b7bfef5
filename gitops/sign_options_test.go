package gitops

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// signedCommitPayload promotes once with s (commit time 2026-01-02T03:04:05Z)
// and returns the bare repository, the commit id, its signed payload and
// its signature.
func signedCommitPayload(t *testing.T, s Signer) (bare, commit string, payload, sig []byte) {
	t.Helper()
	bare = newBareRepo(t, map[string]string{"d.yaml": testDeployment})
	p, err := NewPromoter(Repository{URL: bare}, WithGate(allowAll), WithSigner(s), fixedClock)
	if err != nil {
		t.Fatal(err)
	}
	prom, err := p.Promote(t.Context(), Request{Image: "ghcr.io/acme/app:v9", Edits: []Edit{{File: "d.yaml", Target: ImageTarget{Name: "ghcr.io/acme/app"}}}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := git.PlainOpen(bare)
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.CommitObject(plumbing.NewHash(prom.Commit))
	if err != nil {
		t.Fatal(err)
	}
	payload, err = signedPayload(c)
	if err != nil {
		t.Fatal(err)
	}
	return bare, prom.Commit, payload, []byte(c.PGPSignature)
}

// gitVerifySSH runs git verify-commit with allowed as the allowed-signers
// file and reports whether git accepted the commit.
func gitVerifySSH(t *testing.T, bare, commit, allowed string) (bool, string) {
	t.Helper()
	signers := filepath.Join(t.TempDir(), "allowed_signers")
	if err := os.WriteFile(signers, []byte(allowed), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile="+signers, "verify-commit", commit)
	cmd.Dir = bare
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "TZ=UTC")
	out, err := cmd.CombinedOutput()
	return err == nil, string(out)
}

func TestSSHAllowedSignersOptions(t *testing.T) {
	priv, pub := newSSHKey(t)
	s, err := NewSSHSignerFromPEM(priv, nil)
	if err != nil {
		t.Fatal(err)
	}
	bare, commit, payload, sig := signedCommitPayload(t, s)
	_, otherPub := newSSHKey(t)
	// The commit is signed at 2026-01-02T03:04:05Z.
	cases := []struct {
		name    string
		line    string
		wantErr string // "" accepts; otherwise a substring of Verify's or NewSSHVerifier's error
		badFile bool   // NewSSHVerifier refuses the file
	}{
		{"plain", "p@example.com " + pub, "", false},
		{"namespaces git", `p@example.com namespaces="git" ` + pub, "", false},
		{"namespaces list", `p@example.com namespaces="file,git" ` + pub, "", false},
		{"namespaces wildcard", `p@example.com namespaces="g*" ` + pub, "", false},
		{"namespaces other", `p@example.com namespaces="file" ` + pub, `does not admit namespace "git"`, false},
		{"namespaces negated", `p@example.com namespaces="!git,*" ` + pub, `does not admit namespace "git"`, false},
		{"valid-after past", `p@example.com valid-after="20260101Z" ` + pub, "", false},
		{"valid-after future", `p@example.com valid-after="20260103Z" ` + pub, "key valid after 2026-01-03T00:00:00Z", false},
		{"valid-after minute", `p@example.com valid-after="202601020305Z" ` + pub, "key valid after", false},
		{"valid-before future", `p@example.com valid-before="20260102030406Z" ` + pub, "", false},
		{"valid-before past", `p@example.com valid-before="20260102Z" ` + pub, "key valid before 2026-01-02T00:00:00Z", false},
		{"both, inside", `p@example.com valid-after="20250101Z",valid-before="20270101Z" ` + pub, "", false},
		{"expired line, then a valid one", "p@example.com valid-before=\"20250101Z\" " + pub + "\nq@example.com " + pub, "", false},
		{"cert-authority", "p@example.com cert-authority " + pub, "cert-authority", true},
		{"unknown option", `p@example.com no-touch-required,foo="x" ` + pub, "unknown option", true},
		{"bad time", `p@example.com valid-after="2026" ` + pub, "not YYYYMMDD", true},
		{"other key", "p@example.com " + otherPub, "is not allowed", false},
	}
	gitOK := true
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		gitOK = false
		t.Log("ssh-keygen not installed: git verify-commit is not used as an oracle")
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewSSHVerifier([]byte(tc.line + "\n"))
			if tc.badFile {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "line 1") {
					t.Fatalf("NewSSHVerifier = %v, want an error naming line 1 and %q", err, tc.wantErr)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				id, err := v.Verify(payload, sig)
				switch {
				case tc.wantErr == "" && err != nil:
					t.Fatalf("Verify: %v", err)
				case tc.wantErr == "" && id.Kind != "ssh":
					t.Fatalf("Verify identity = %+v", id)
				case tc.wantErr != "" && (!errors.Is(err, ErrUntrustedSignature) || !strings.Contains(err.Error(), tc.wantErr)):
					t.Fatalf("Verify = %v, want ErrUntrustedSignature with %q", err, tc.wantErr)
				}
			}
			if !gitOK {
				return
			}
			// git verify-commit is the oracle: it accepts exactly what we accept.
			ok, out := gitVerifySSH(t, bare, commit, tc.line+"\n")
			if want := tc.wantErr == ""; ok != want {
				t.Errorf("git verify-commit accepted=%v, we accept=%v\n%s", ok, want, out)
			}
		})
	}
}

func TestSSHVerifyRejectsForgedAndTampered(t *testing.T) {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := ssh.NewSignerFromKey(k)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	otherSigner, _ := ssh.NewSignerFromKey(other)
	_, commit, payload, sig := signedCommitPayload(t, NewSSHSigner(signer))
	allowed := "p@example.com " + string(ssh.MarshalAuthorizedKey(signer.PublicKey()))
	v, err := NewSSHVerifier([]byte(allowed))
	if err != nil {
		t.Fatal(err)
	}
	if id, err := v.Verify(payload, sig); err != nil || id.Name != "p@example.com" {
		t.Fatalf("genuine signature of %s: %+v, %v", commit, id, err)
	}

	// Tampered: one byte of the signed commit changed (the image in the
	// message), the signature kept.
	tampered := bytes.Replace(payload, []byte("ghcr.io/acme/app:v9"), []byte("ghcr.io/acme/app:v8"), 1)
	if bytes.Equal(tampered, payload) {
		t.Fatal("test payload does not carry the image")
	}
	// Forged: a signature by another key that names the allowed key.
	forged, err := sshsig.Sign(bytes.NewReader(payload), otherSigner, sshsig.HashSHA512, "git")
	if err != nil {
		t.Fatal(err)
	}
	forged.PublicKey = signer.PublicKey()
	// Right key, wrong namespace: a signature made for files, replayed on a commit.
	fileNS, err := sshsig.Sign(bytes.NewReader(payload), signer, sshsig.HashSHA512, "file")
	if err != nil {
		t.Fatal(err)
	}
	fileNS.Namespace = "git"
	// Corrupted: the signature blob's last byte flipped.
	raw, err := sshsig.Unarmor(sig)
	if err != nil {
		t.Fatal(err)
	}
	blob := append([]byte(nil), raw.Signature.Blob...)
	blob[len(blob)-1] ^= 1
	raw.Signature.Blob = blob

	for name, tc := range map[string]struct{ payload, sig []byte }{
		"tampered payload":   {tampered, sig},
		"forged key":         {payload, sshsig.Armor(forged)},
		"namespace replayed": {payload, sshsig.Armor(fileNS)},
		"corrupted blob":     {payload, sshsig.Armor(raw)},
	} {
		if _, err := v.Verify(tc.payload, tc.sig); !errors.Is(err, ErrUntrustedSignature) {
			t.Errorf("%s: Verify = %v, want ErrUntrustedSignature", name, err)
		}
	}
}
