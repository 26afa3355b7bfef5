package gitops

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

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
	keys map[string][]allowedSigner // marshalled public key -> its lines
}

// allowedSigner is one line of an allowed-signers file.
type allowedSigner struct {
	line       int
	principal  string
	namespaces []string // patterns; nil means any namespace
	after      time.Time
	before     time.Time
}

// NewSSHVerifier trusts SSH public keys given in git's allowed-signers
// format ("principals [options] key-type base64 [comment]", one a line,
// # comments; see ssh-keygen(1) ALLOWED SIGNERS) or as authorized_keys
// lines (principal then taken from the comment).
//
// The options git verify-commit enforces are enforced here too:
// namespaces="…" must admit the "git" namespace, and valid-after /
// valid-before (YYYYMMDD[HHMM[SS]], with a Z suffix for UTC, otherwise
// local time as ssh-keygen reads them) bound the commit's committer (or a
// tag's tagger) time. cert-authority lines (trusting certificates signed
// by a CA) and any other option are refused with an error naming the line,
// rather than trusted without the check they ask for.
func NewSSHVerifier(allowedSigners []byte) (Verifier, error) {
	if len(allowedSigners) > maxKeySize {
		return nil, fmt.Errorf("%w: allowed signers of %d bytes", ErrTooLarge, len(allowedSigners))
	}
	v := sshVerifier{keys: map[string][]allowedSigner{}}
	for i, line := range strings.Split(string(allowedSigners), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var (
			pub     ssh.PublicKey
			options []string
			err     error
		)
		as := allowedSigner{line: i + 1}
		if first := strings.Fields(line)[0]; isSSHKeyType(first) {
			pub, as.principal, _, _, err = ssh.ParseAuthorizedKey([]byte(line))
		} else {
			p, rest, _ := strings.Cut(line, " ")
			as.principal = p
			// ParseAuthorizedKey reads the options field (comma-separated,
			// values quoted) the way sshd does; the allowed-signers format
			// shares that syntax.
			pub, _, options, _, err = ssh.ParseAuthorizedKey([]byte(strings.TrimSpace(rest)))
		}
		if err != nil {
			return nil, fmt.Errorf("gitops: allowed signers line %d: %w", i+1, err)
		}
		if _, isCert := pub.(*ssh.Certificate); isCert {
			return nil, fmt.Errorf("gitops: allowed signers line %d: a certificate is not a signer key", i+1)
		}
		for _, o := range options {
			if err := as.applyOption(o); err != nil {
				return nil, fmt.Errorf("gitops: allowed signers line %d: %w", i+1, err)
			}
		}
		k := string(pub.Marshal())
		v.keys[k] = append(v.keys[k], as)
	}
	if len(v.keys) == 0 {
		return nil, fmt.Errorf("gitops: allowed signers: no keys")
	}
	return v, nil
}

func isSSHKeyType(s string) bool {
	return strings.HasPrefix(s, "ssh-") || strings.HasPrefix(s, "ecdsa-") || strings.HasPrefix(s, "sk-")
}

// applyOption records one allowed-signers option, refusing what is not
// enforced.
func (as *allowedSigner) applyOption(o string) error {
	name, val, hasVal := strings.Cut(o, "=")
	name = strings.ToLower(name)
	if hasVal {
		if len(val) < 2 || val[0] != '"' || val[len(val)-1] != '"' {
			return fmt.Errorf("option %s: value %s is not quoted", name, val)
		}
		val = val[1 : len(val)-1]
	}
	switch {
	case name == "namespaces" && hasVal:
		for _, ns := range strings.Split(val, ",") {
			if ns = strings.TrimSpace(ns); ns == "" {
				return fmt.Errorf("option namespaces=%q: empty pattern", val)
			}
			as.namespaces = append(as.namespaces, strings.TrimSpace(ns))
		}
	case (name == "valid-after" || name == "valid-before") && hasVal:
		t, err := parseSSHTime(val)
		if err != nil {
			return fmt.Errorf("option %s: %w", name, err)
		}
		if name == "valid-after" {
			as.after = t
		} else {
			as.before = t
		}
	case name == "cert-authority":
		return fmt.Errorf("%w: option cert-authority (SSH certificates) is not supported", ErrUntrustedSignature)
	default:
		return fmt.Errorf("%w: unknown option %q", ErrUntrustedSignature, o)
	}
	return nil
}

// parseSSHTime reads ssh-keygen's YYYYMMDD[HHMM[SS]][Z] times.
func parseSSHTime(s string) (time.Time, error) {
	loc := time.Local
	v := s
	if strings.HasSuffix(v, "Z") || strings.HasSuffix(v, "z") {
		loc, v = time.UTC, v[:len(v)-1]
	}
	layouts := map[int]string{8: "20060102", 12: "200601021504", 14: "20060102150405"}
	layout, ok := layouts[len(v)]
	if !ok {
		return time.Time{}, fmt.Errorf("time %q is not YYYYMMDD[HHMM[SS]][Z]", s)
	}
	t, err := time.ParseInLocation(layout, v, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: %w", s, err)
	}
	return t, nil
}

// matchSSHPattern matches s against an OpenSSH pattern ("*" any run, "?"
// one character). Hand-written: path.Match gives "/" and "[" meanings
// OpenSSH patterns do not have.
func matchSSHPattern(pat, s string) bool {
	if pat == "" {
		return s == ""
	}
	switch pat[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if matchSSHPattern(pat[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && matchSSHPattern(pat[1:], s[1:])
	}
	return s != "" && s[0] == pat[0] && matchSSHPattern(pat[1:], s[1:])
}

// admitsNamespace applies an OpenSSH pattern list: a negated ("!") match
// refuses, otherwise any positive match admits.
func (as allowedSigner) admitsNamespace(ns string) bool {
	if as.namespaces == nil {
		return true
	}
	ok := false
	for _, p := range as.namespaces {
		if neg, found := strings.CutPrefix(p, "!"); found {
			if matchSSHPattern(neg, ns) {
				return false
			}
			continue
		}
		ok = ok || matchSSHPattern(p, ns)
	}
	return ok
}

// check reports why this line does not allow a "git" signature over a
// payload signed at when (zero when the payload carries no time).
func (as allowedSigner) check(when time.Time) error {
	if !as.admitsNamespace(sshNamespace) {
		return fmt.Errorf("allowed signers line %d does not admit namespace %q", as.line, sshNamespace)
	}
	if (!as.after.IsZero() || !as.before.IsZero()) && when.IsZero() {
		return fmt.Errorf("allowed signers line %d has a validity period and the signed payload has no committer or tagger time", as.line)
	}
	if !as.after.IsZero() && when.Before(as.after) {
		return fmt.Errorf("allowed signers line %d: key valid after %s, signed at %s", as.line, as.after.Format(time.RFC3339), when.Format(time.RFC3339))
	}
	if !as.before.IsZero() && when.After(as.before) {
		return fmt.Errorf("allowed signers line %d: key valid before %s, signed at %s", as.line, as.before.Format(time.RFC3339), when.Format(time.RFC3339))
	}
	return nil
}

// sshNamespace is the SSHSIG namespace git uses for commits and tags.
const sshNamespace = "git"

// signedTime returns the committer (commit) or tagger (tag) time of a
// git object payload, which git verify-commit gives ssh-keygen as the
// verification time; zero when there is none.
func signedTime(payload []byte) time.Time {
	header, _, _ := bytes.Cut(payload, []byte("\n\n"))
	for _, line := range strings.Split(string(header), "\n") {
		rest, ok := strings.CutPrefix(line, "committer ")
		if !ok {
			rest, ok = strings.CutPrefix(line, "tagger ")
		}
		if !ok {
			continue
		}
		i := strings.LastIndexByte(rest, '>')
		if i < 0 {
			return time.Time{}
		}
		f := strings.Fields(rest[i+1:])
		if len(f) < 1 {
			return time.Time{}
		}
		sec, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return time.Time{}
		}
		return time.Unix(sec, 0)
	}
	return time.Time{}
}

// Verify checks an SSHSIG signature made by an allowed key in the "git"
// namespace, under the options of the key's allowed-signers line.
func (v sshVerifier) Verify(payload, signature []byte) (Identity, error) {
	if !bytes.Contains(signature, []byte("BEGIN SSH SIGNATURE")) {
		return Identity{}, fmt.Errorf("%w: not an SSH signature", ErrUntrustedSignature)
	}
	sig, err := sshsig.Unarmor(signature)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %v", ErrUntrustedSignature, err)
	}
	lines, ok := v.keys[string(sig.PublicKey.Marshal())]
	if !ok {
		return Identity{}, fmt.Errorf("%w: SSH key %s is not allowed", ErrUntrustedSignature, ssh.FingerprintSHA256(sig.PublicKey))
	}
	if err := sshsig.Verify(bytes.NewReader(payload), sig, sig.PublicKey, sig.HashAlgorithm, sshNamespace); err != nil {
		return Identity{}, fmt.Errorf("%w: %v", ErrUntrustedSignature, err)
	}
	when := signedTime(payload)
	var errs []error
	for _, as := range lines {
		if err := as.check(when); err != nil {
			errs = append(errs, err)
			continue
		}
		return Identity{Kind: "ssh", Fingerprint: ssh.FingerprintSHA256(sig.PublicKey), Name: as.principal}, nil
	}
	return Identity{}, fmt.Errorf("%w: SSH key %s: %w", ErrUntrustedSignature, ssh.FingerprintSHA256(sig.PublicKey), errors.Join(errs...))
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
