package verify

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every verification failure is a *CheckError that also
// matches one of these with errors.Is.
var (
	// ErrNoTrustedSignature: no signature verified against the trust
	// material and the requirements (bad signature, untrusted or tampered
	// certificate, log entry or timestamp, unknown key — and also, with
	// the more specific sentinel beside it, a signer identity or artifact
	// that does not match, or too few signers).
	ErrNoTrustedSignature = errors.New("no trusted signature")
	// ErrIdentityMismatch: the signer is trusted but is not the identity
	// the requirements ask for. Also matches ErrNoTrustedSignature.
	ErrIdentityMismatch = errors.New("signer identity does not match")
	// ErrArtifactMismatch: the signature is valid but over another
	// artifact. Also matches ErrNoTrustedSignature.
	ErrArtifactMismatch = errors.New("artifact does not match")
	// ErrPredicateMismatch: the attestation has another predicate type.
	ErrPredicateMismatch = errors.New("predicate type does not match")
	// ErrSLSARequirement: the verified provenance breaks a SLSA requirement.
	ErrSLSARequirement = errors.New("SLSA requirement not met")
	// ErrThresholdNotMet: fewer distinct trusted signers than required.
	// Also matches ErrNoTrustedSignature.
	ErrThresholdNotMet = errors.New("signer threshold not met")
	// ErrInvalidInput: the bundle, envelope or requirements are malformed.
	ErrInvalidInput = errors.New("invalid input")
	// ErrNotFound: no signature or attestation was found (OCI discovery).
	ErrNotFound = errors.New("no signatures or attestations found")
	// ErrLayout: an in-toto layout did not verify.
	ErrLayout = errors.New("in-toto layout verification failed")
)

// Names of checks, used in Check.Name and CheckError.Check.
const (
	CheckBundle           = "bundle"
	CheckTransparencyLog  = "transparency-log"
	CheckTimestamp        = "timestamp"
	CheckCertificate      = "certificate"
	CheckSCT              = "signed-certificate-timestamp"
	CheckSignature        = "signature"
	CheckKey              = "public-key"
	CheckArtifact         = "artifact"
	CheckIdentity         = "identity"
	CheckGitHub           = "identity.github"
	CheckGitHubRepo       = "identity.github.repository"
	CheckGitHubRef        = "identity.github.ref"
	CheckGitHubTrigger    = "identity.github.trigger"
	CheckGitHubDigest     = "identity.github.workflow-digest"
	CheckStatement        = "statement"
	CheckPredicateType    = "predicate-type"
	CheckSLSABuilder      = "slsa.builder-id"
	CheckSLSASource       = "slsa.source-uri"
	CheckSLSABranch       = "slsa.branch"
	CheckSLSATag          = "slsa.tag"
	CheckSLSAVersionedTag = "slsa.versioned-tag"
	CheckSLSABuildType    = "slsa.build-type"
	CheckSLSAPredicate    = "slsa.predicate"
	// The provenance's claims compared with the signing certificate's
	// extensions; each names the field that disagreed.
	CheckSLSACertSource      = "slsa.certificate.source-repository"
	CheckSLSACertRef         = "slsa.certificate.source-ref"
	CheckSLSACertDigest      = "slsa.certificate.source-digest"
	CheckSLSACertBuildConfig = "slsa.certificate.build-config"
	CheckSLSACertTrigger     = "slsa.certificate.build-trigger"
	CheckThreshold           = "signer-threshold"
	CheckLayout              = "in-toto-layout"
	CheckOCI                 = "oci"
)

// CheckError is a failed verification: Check names the check, Err says
// why. errors.Is(err, ErrNoTrustedSignature) and the other sentinels work
// through it.
type CheckError struct {
	Check string
	Err   error
}

// Error names the failed check and its cause.
func (e *CheckError) Error() string {
	return fmt.Sprintf("verify: check %s failed: %v", e.Check, e.Err)
}

// Unwrap returns the cause (which wraps the sentinel).
func (e *CheckError) Unwrap() error { return e.Err }

func checkErr(check string, sentinel, cause error) *CheckError {
	// A signer or artifact that does not match, or too few signers, also
	// means there is no trusted signature for what was asked.
	if sentinel == ErrIdentityMismatch || sentinel == ErrArtifactMismatch || sentinel == ErrThresholdNotMet {
		sentinel = fmt.Errorf("%w: %w", ErrNoTrustedSignature, sentinel)
	}
	if cause == nil {
		return &CheckError{Check: check, Err: sentinel}
	}
	return &CheckError{Check: check, Err: fmt.Errorf("%w: %w", sentinel, cause)}
}
