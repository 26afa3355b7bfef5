package verify

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Requirements are what one call to VerifyBundle demands of one artifact.
// The zero value requires nothing and therefore verifies nothing: an
// Artifact is mandatory, and certificate-signed bundles need an Identity.
type Requirements struct {
	// Artifact is what was signed: its bytes, a reader, or a digest.
	Artifact Artifact
	// Identity is the certificate identity a keyless signer must have.
	// Required for certificate-signed bundles unless AnyIdentityUnsafe.
	Identity *Identity
	// Identities, when set, accepts a signer matching any of them (and
	// is the "n" of Signers' k-of-n).
	Identities []Identity
	// AnyIdentityUnsafe accepts any certificate the trusted CA issued.
	// As the name says, this trusts everyone who can log in to the CA.
	AnyIdentityUnsafe bool
	// PredicateType, when set, requires a DSSE in-toto Statement of this type.
	PredicateType string
	// SLSA, when set, checks the verified SLSA provenance (v0.2 or v1).
	SLSA *SLSARequirements
	// Threshold is k of k-of-n for VerifyBundles and VerifyEnvelope: the
	// number of distinct trusted signers required (default 1).
	Threshold int
}

// Artifact is the subject of verification. Build it with ArtifactBytes,
// ArtifactReader or ArtifactDigest; its zero value fails verification.
type Artifact struct {
	data   []byte
	reader io.Reader
	alg    string
	digest []byte
	err    error
	none   bool
}

// ArtifactBytes verifies against the artifact's bytes.
func ArtifactBytes(b []byte) Artifact {
	if b == nil {
		b = []byte{}
	}
	return Artifact{data: b}
}

// ArtifactReader verifies against an artifact read from r (read once).
func ArtifactReader(r io.Reader) Artifact {
	if r == nil {
		return Artifact{err: fmt.Errorf("nil reader")}
	}
	return Artifact{reader: r}
}

// ArtifactDigest verifies against a digest alone. algorithm is "sha256",
// "sha384" or "sha512" ("SHA-256", "sha2-256" and similar spellings are accepted);
// hexDigest is hex, any case. A wrong length is an error.
func ArtifactDigest(algorithm, hexDigest string) Artifact {
	alg := normalizeAlgorithm(algorithm)
	want := map[string]int{"sha256": 32, "sha384": 48, "sha512": 64}[alg]
	if want == 0 {
		return Artifact{err: fmt.Errorf("unsupported digest algorithm %q (want sha256, sha384 or sha512)", algorithm)}
	}
	d, err := hex.DecodeString(strings.TrimSpace(hexDigest))
	if err != nil {
		return Artifact{err: fmt.Errorf("%s digest is not hex: %w", alg, err)}
	}
	if len(d) != want {
		return Artifact{err: fmt.Errorf("%s digest has %d bytes, want %d", alg, len(d), want)}
	}
	return Artifact{alg: alg, digest: d}
}

// NoArtifactUnsafe skips binding the signature to an artifact. Only DSSE
// bundles can be verified this way, and the caller must check the
// Statement's subjects itself.
func NoArtifactUnsafe() Artifact { return Artifact{none: true} }

func normalizeAlgorithm(a string) string {
	a = strings.ToLower(strings.TrimSpace(a))
	a = strings.NewReplacer("-", "", "_", "").Replace(a)
	switch a {
	case "sha256", "sha2256":
		return "sha256"
	case "sha384", "sha2384":
		return "sha384"
	case "sha512", "sha2512":
		return "sha512"
	}
	return a
}

func (a Artifact) isZero() bool {
	return a.data == nil && a.reader == nil && a.digest == nil && a.err == nil && !a.none
}

// describe returns a short description for results.
func (a Artifact) describe() string {
	switch {
	case a.none:
		return "none (unsafe)"
	case a.digest != nil:
		return a.alg + ":" + hex.EncodeToString(a.digest)
	case a.data != nil:
		return fmt.Sprintf("bytes (%d)", len(a.data))
	case a.reader != nil:
		return "reader"
	}
	return ""
}

func (a Artifact) readerOrBytes() io.Reader {
	if a.data != nil {
		return bytes.NewReader(a.data)
	}
	return a.reader
}

// Identity is a keyless (Fulcio certificate) signer identity. Issuer and
// SubjectAlternativeName are compared exactly; the Regexp fields are Go
// regular expressions matched against the whole value (they are anchored
// for you). Each of issuer and SAN needs an exact value or a regexp.
// The GitHub fields compare Fulcio's GitHub Actions certificate
// extensions exactly when set.
type Identity struct {
	Issuer                       string `json:"issuer,omitempty"`
	IssuerRegexp                 string `json:"issuerRegexp,omitempty"`
	SubjectAlternativeName       string `json:"subjectAlternativeName,omitempty"`
	SubjectAlternativeNameRegexp string `json:"subjectAlternativeNameRegexp,omitempty"`
	// GitHubRepository is "owner/repo" or "https://github.com/owner/repo"
	// (Fulcio's source repository URI extension).
	GitHubRepository string `json:"githubRepository,omitempty"`
	// GitHubRef is the git ref that ran ("refs/heads/main", "refs/tags/v1.2.3").
	GitHubRef string `json:"githubRef,omitempty"`
	// GitHubTrigger is the event that ran the workflow ("push", "release").
	GitHubTrigger string `json:"githubTrigger,omitempty"`
	// GitHubWorkflowDigest is the commit SHA the workflow ran at (Fulcio's
	// source repository digest, cosign's --certificate-github-workflow-sha).
	GitHubWorkflowDigest string `json:"githubWorkflowDigest,omitempty"`
}

func anchor(re string) string {
	if re == "" {
		return ""
	}
	return "^(?:" + re + ")$"
}

func (id *Identity) validate() error {
	if id.Issuer == "" && id.IssuerRegexp == "" {
		return fmt.Errorf("identity needs Issuer or IssuerRegexp")
	}
	if id.SubjectAlternativeName == "" && id.SubjectAlternativeNameRegexp == "" {
		return fmt.Errorf("identity needs SubjectAlternativeName or SubjectAlternativeNameRegexp")
	}
	for _, re := range []string{id.IssuerRegexp, id.SubjectAlternativeNameRegexp} {
		if re != "" {
			if _, err := regexp.Compile(anchor(re)); err != nil {
				return fmt.Errorf("identity regexp %q: %w", re, err)
			}
		}
	}
	return nil
}

func githubRepoURI(r string) string {
	if strings.Contains(r, "://") {
		return strings.TrimSuffix(r, "/")
	}
	return "https://github.com/" + strings.Trim(r, "/")
}
