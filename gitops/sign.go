package gitops

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// ErrUnsigned reports a commit without a signature.
var ErrUnsigned = errors.New("gitops: commit is not signed")

// ErrUntrustedSignature reports a signature that does not verify or whose
// key is not in the verifier's allow-list.
var ErrUntrustedSignature = errors.New("gitops: signature not trusted")

// Signer signs a commit: it receives the commit object encoded without its
// signature and returns the armored signature stored in the commit's
// gpgsig header. It has the shape of go-git's git.Signer, so the signers
// here also work with go-git's CommitOptions, and a Sigstore (gitsign)
// signer can be added by implementing this one method.
type Signer interface {
	Sign(message io.Reader) ([]byte, error)
}

// Identity is the key that made a verified signature.
type Identity struct {
	// Kind is "openpgp" or "ssh".
	Kind string `json:"kind"`
	// Fingerprint is the OpenPGP fingerprint (upper-case hex) or the SSH
	// SHA256 fingerprint ("SHA256:...").
	Fingerprint string `json:"fingerprint"`
	// Name is the user ID of an OpenPGP key or the principal of an SSH key.
	Name string `json:"name,omitempty"`
}

// Verifier checks a commit signature over the signed payload and returns
// who made it. Verifiers are safe for concurrent use.
type Verifier interface {
	Verify(payload, signature []byte) (Identity, error)
}

const maxKeySize = 1 << 20

type openPGPSigner struct{ e *openpgp.Entity }

// NewOpenPGPSigner returns a Signer for an armored OpenPGP private key;
// passphrase decrypts it when it is encrypted. The signatures are what
// `git commit -S` with gpg makes, and `git verify-commit` accepts them.
func NewOpenPGPSigner(armoredPrivateKey, passphrase []byte) (Signer, error) {
	if len(armoredPrivateKey) > maxKeySize {
		return nil, fmt.Errorf("%w: OpenPGP key of %d bytes", ErrTooLarge, len(armoredPrivateKey))
	}
	ents, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(armoredPrivateKey))
	if err != nil {
		return nil, fmt.Errorf("gitops: read OpenPGP key: %w", err)
	}
	if len(ents) != 1 || ents[0].PrivateKey == nil {
		return nil, fmt.Errorf("gitops: read OpenPGP key: want one private key, got %d entities", len(ents))
	}
	e := ents[0]
	if e.PrivateKey.Encrypted {
		if err := e.PrivateKey.Decrypt(passphrase); err != nil {
			return nil, fmt.Errorf("gitops: decrypt OpenPGP key: %w", err)
		}
	}
	return openPGPSigner{e: e}, nil
}

// Sign makes an armored detached OpenPGP signature.
func (s openPGPSigner) Sign(message io.Reader) ([]byte, error) {
	var b bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&b, s.e, message, &packet.Config{}); err != nil {
		return nil, fmt.Errorf("gitops: OpenPGP sign: %w", err)
	}
	return b.Bytes(), nil
}

type sshSigner struct{ s ssh.Signer }

// NewSSHSigner returns a Signer that makes SSH signatures (SSHSIG,
// namespace "git"), as `git commit -S` with gpg.format=ssh does.
func NewSSHSigner(s ssh.Signer) Signer { return sshSigner{s: s} }

// NewSSHSignerFromPEM parses an OpenSSH or PEM private key (decrypted with
// passphrase when it is encrypted) and returns an SSH Signer.
func NewSSHSignerFromPEM(pemBytes, passphrase []byte) (Signer, error) {
	if len(pemBytes) > maxKeySize {
		return nil, fmt.Errorf("%w: SSH key of %d bytes", ErrTooLarge, len(pemBytes))
	}
	var (
		s   ssh.Signer
		err error
	)
	if len(passphrase) > 0 {
		s, err = ssh.ParsePrivateKeyWithPassphrase(pemBytes, passphrase)
	} else {
		s, err = ssh.ParsePrivateKey(pemBytes)
	}
	if err != nil {
		return nil, fmt.Errorf("gitops: read SSH key: %w", err)
	}
	return sshSigner{s: s}, nil
}

// Sign makes an armored SSHSIG signature in the "git" namespace.
func (s sshSigner) Sign(message io.Reader) ([]byte, error) {
	sig, err := sshsig.Sign(message, s.s, sshsig.HashSHA512, "git")
	if err != nil {
		return nil, fmt.Errorf("gitops: SSH sign: %w", err)
	}
	return sshsig.Armor(sig), nil
}

type openPGPVerifier struct{ keyring openpgp.EntityList }

// NewOpenPGPVerifier trusts the keys of an armored OpenPGP public keyring.
func NewOpenPGPVerifier(armoredKeyring []byte) (Verifier, error) {
	if len(armoredKeyring) > maxKeySize {
		return nil, fmt.Errorf("%w: OpenPGP keyring of %d bytes", ErrTooLarge, len(armoredKeyring))
	}
	kr, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(armoredKeyring))
	if err != nil {
		return nil, fmt.Errorf("gitops: read OpenPGP keyring: %w", err)
	}
	return openPGPVerifier{keyring: kr}, nil
}

// Verify checks one detached OpenPGP signature against the keyring.
func (v openPGPVerifier) Verify(payload, signature []byte) (Identity, error) {
	if !bytes.Contains(signature, []byte("BEGIN PGP SIGNATURE")) {
		return Identity{}, fmt.Errorf("%w: not an OpenPGP signature", ErrUntrustedSignature)
	}
	if strings.Count(string(signature), "BEGIN PGP SIGNATURE") > 1 {
		return Identity{}, fmt.Errorf("%w: more than one signature block", ErrUntrustedSignature)
	}
	e, err := openpgp.CheckArmoredDetachedSignature(v.keyring, bytes.NewReader(payload), bytes.NewReader(signature), nil)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %v", ErrUntrustedSignature, err)
	}
	id := Identity{Kind: "openpgp", Fingerprint: strings.ToUpper(hex.EncodeToString(e.PrimaryKey.Fingerprint))}
	for name := range e.Identities {
		if id.Name == "" || name < id.Name {
			id.Name = name
		}
	}
	return id, nil
}

type sshVerifier struct {
	keys map[string]string // marshalled public key -> principal
}

// NewSSHVerifier trusts SSH public keys given in git's allowed-signers
// format ("principal key-type base64 [comment]", one a line, # comments)
// or as authorized_keys lines (principal then taken from the comment).
func NewSSHVerifier(allowedSigners []byte) (Verifier, error) {
	if len(allowedSigners) > maxKeySize {
		return nil, fmt.Errorf("%w: allowed signers of %d bytes", ErrTooLarge, len(allowedSigners))
	}
	v := sshVerifier{keys: map[string]string{}}
	for i, line := range strings.Split(string(allowedSigners), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var (
			principal string
			pub       ssh.PublicKey
			err       error
		)
		if first := strings.Fields(line)[0]; strings.HasPrefix(first, "ssh-") || strings.HasPrefix(first, "ecdsa-") || strings.HasPrefix(first, "sk-") {
			pub, principal, _, _, err = ssh.ParseAuthorizedKey([]byte(line))
		} else {
			p, rest, _ := strings.Cut(line, " ")
			rest = strings.TrimSpace(rest)
			// Skip git's options such as namespaces="git".
			if f := strings.Fields(rest); len(f) > 0 && strings.Contains(f[0], "=") {
				rest = strings.TrimSpace(strings.TrimPrefix(rest, f[0]))
			}
			pub, _, _, _, err = ssh.ParseAuthorizedKey([]byte(rest))
			principal = p
		}
		if err != nil {
			return nil, fmt.Errorf("gitops: allowed signers line %d: %w", i+1, err)
		}
		v.keys[string(pub.Marshal())] = principal
	}
	if len(v.keys) == 0 {
		return nil, fmt.Errorf("gitops: allowed signers: no keys")
	}
	return v, nil
}

// Verify checks an SSHSIG signature made by an allowed key.
func (v sshVerifier) Verify(payload, signature []byte) (Identity, error) {
	if !bytes.Contains(signature, []byte("BEGIN SSH SIGNATURE")) {
		return Identity{}, fmt.Errorf("%w: not an SSH signature", ErrUntrustedSignature)
	}
	sig, err := sshsig.Unarmor(signature)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %v", ErrUntrustedSignature, err)
	}
	principal, ok := v.keys[string(sig.PublicKey.Marshal())]
	if !ok {
		return Identity{}, fmt.Errorf("%w: SSH key %s is not allowed", ErrUntrustedSignature, ssh.FingerprintSHA256(sig.PublicKey))
	}
	if err := sshsig.Verify(bytes.NewReader(payload), sig, sig.PublicKey, sig.HashAlgorithm, "git"); err != nil {
		return Identity{}, fmt.Errorf("%w: %v", ErrUntrustedSignature, err)
	}
	return Identity{Kind: "ssh", Fingerprint: ssh.FingerprintSHA256(sig.PublicKey), Name: principal}, nil
}

// MultiVerifier tries each verifier in turn and returns the first identity
// that verifies.
func MultiVerifier(vs ...Verifier) Verifier { return multiVerifier(vs) }

type multiVerifier []Verifier

// Verify returns the first verifier's identity that verifies.
func (m multiVerifier) Verify(payload, signature []byte) (Identity, error) {
	var errs []error
	for _, v := range m {
		id, err := v.Verify(payload, signature)
		if err == nil {
			return id, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return Identity{}, fmt.Errorf("%w: no verifiers", ErrUntrustedSignature)
	}
	return Identity{}, errors.Join(errs...)
}

// digestOf returns "sha256:<hex>" of b.
func digestOf(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}
