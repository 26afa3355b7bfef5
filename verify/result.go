package verify

import (
	"time"

	"github.com/chaingate/chaingate/provenance"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
)

// SchemaVersion is the version of the JSON shape of Result.
const SchemaVersion = "chaingate.dev/verify/v1"

// Result is what a verification established. It is JSON-serialisable and
// is the "verification" input of package policy. When VerifyBundle
// returns an error, the Result (if non-nil) records the checks made so
// far, Verified is false, and nothing in it may be trusted.
type Result struct {
	SchemaVersion string `json:"schemaVersion"`
	// Verified is true only when every check passed.
	Verified bool `json:"verified"`
	// BundleVersion is the Sigstore bundle version ("v0.1" ... "v0.3").
	BundleVersion string `json:"bundleVersion,omitempty"`
	// Artifact describes what the signature was bound to.
	Artifact string `json:"artifact,omitempty"`
	// Statement is the verified in-toto Statement (DSSE bundles only).
	Statement *provenance.Statement `json:"statement,omitempty"`
	// Statements holds every verified Statement of a multi-bundle call.
	Statements []*provenance.Statement `json:"statements,omitempty"`
	// Signer is who signed.
	Signer *Signer `json:"signer,omitempty"`
	// Signers are the distinct signers of a multi-bundle or DSSE call.
	Signers []Signer `json:"signers,omitempty"`
	// Timestamps are the verified observer timestamps.
	Timestamps []Timestamp `json:"timestamps,omitempty"`
	// TransparencyLog are the log entries in the bundle, verified unless
	// the Check list says the log was not required (key bundles, unsafe mode).
	TransparencyLog []LogEntry `json:"transparencyLog,omitempty"`
	// Checks lists every check made, in order, with its outcome.
	Checks []Check `json:"checks"`
	// SLSA summarises the verified provenance when SLSA checks ran.
	SLSA *SLSASummary `json:"slsa,omitempty"`
}

// Signer identifies a verified signer: a certificate identity or a key.
type Signer struct {
	// Kind is "certificate" or "key".
	Kind                   string `json:"kind"`
	SubjectAlternativeName string `json:"subjectAlternativeName,omitempty"`
	Issuer                 string `json:"issuer,omitempty"`
	// CertificateIssuer is the issuing CA's subject.
	CertificateIssuer string `json:"certificateIssuer,omitempty"`
	// Extensions are Fulcio's certificate extensions (GitHub workflow
	// repository, ref, trigger, digests, runner ...).
	Extensions *Extensions `json:"extensions,omitempty"`
	// KeyID is the key hint for key-signed bundles.
	KeyID string `json:"keyId,omitempty"`
}

// Timestamp is a verified time the signature was observed.
type Timestamp struct {
	// Kind is "Tlog" (log integrated time) or "TimestampAuthority" (RFC 3161).
	Kind string    `json:"kind"`
	URI  string    `json:"uri,omitempty"`
	Time time.Time `json:"time"`
}

// LogEntry is a transparency-log entry of the bundle.
type LogEntry struct {
	LogIndex       int64     `json:"logIndex"`
	LogID          string    `json:"logId"`
	Kind           string    `json:"kind,omitempty"`
	Version        string    `json:"version,omitempty"`
	IntegratedTime time.Time `json:"integratedTime,omitzero"`
	Verified       bool      `json:"verified"`
}

// Check is one verification step and its outcome.
type Check struct {
	Name   string `json:"name"`
	Passed bool   `json:"passed"`
	// Detail says what was checked or why it failed.
	Detail string `json:"detail,omitempty"`
}

func newResult() *Result {
	return &Result{SchemaVersion: SchemaVersion, Checks: []Check{}}
}

func (r *Result) pass(name, detail string) {
	r.Checks = append(r.Checks, Check{Name: name, Passed: true, Detail: detail})
}

// fail records the failure and returns it as a *CheckError.
func (r *Result) fail(ce *CheckError) (*Result, error) {
	r.Verified = false
	r.Checks = append(r.Checks, Check{Name: ce.Check, Passed: false, Detail: ce.Err.Error()})
	return r, ce
}

// Check returns the named check and whether it was made.
func (r *Result) Check(name string) (Check, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

// Extensions are the Fulcio certificate extensions of a keyless signer
// (https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md): what the
// CA verified about the workload that signed, as opposed to what the
// signed payload claims. The JSON names are part of SchemaVersion; the
// OID of each field is in its comment. For GitHub Actions, the Build
// Signer URI names the workflow that signed (a reusable workflow when one
// was called), and the Build Config and Source Repository fields name the
// caller's workflow, repository, ref and commit.
type Extensions struct {
	// Issuer is the OIDC issuer (1.3.6.1.4.1.57264.1.8, or the deprecated .1.1).
	Issuer string `json:"issuer,omitempty"`
	// GithubWorkflowTrigger is deprecated 1.3.6.1.4.1.57264.1.2.
	GithubWorkflowTrigger string `json:"githubWorkflowTrigger,omitempty"`
	// GithubWorkflowSHA is deprecated 1.3.6.1.4.1.57264.1.3.
	GithubWorkflowSHA string `json:"githubWorkflowSHA,omitempty"`
	// GithubWorkflowName is deprecated 1.3.6.1.4.1.57264.1.4.
	GithubWorkflowName string `json:"githubWorkflowName,omitempty"`
	// GithubWorkflowRepository is deprecated 1.3.6.1.4.1.57264.1.5.
	GithubWorkflowRepository string `json:"githubWorkflowRepository,omitempty"`
	// GithubWorkflowRef is deprecated 1.3.6.1.4.1.57264.1.6.
	GithubWorkflowRef string `json:"githubWorkflowRef,omitempty"`
	// BuildSignerURI is the workflow that signed, with its ref (1.3.6.1.4.1.57264.1.9).
	BuildSignerURI string `json:"buildSignerURI,omitempty"`
	// BuildSignerDigest is the commit of the signing workflow (1.3.6.1.4.1.57264.1.10).
	BuildSignerDigest string `json:"buildSignerDigest,omitempty"`
	// RunnerEnvironment is "github-hosted" or "self-hosted" (1.3.6.1.4.1.57264.1.11).
	RunnerEnvironment string `json:"runnerEnvironment,omitempty"`
	// SourceRepositoryURI is the repository that was built (1.3.6.1.4.1.57264.1.12).
	SourceRepositoryURI string `json:"sourceRepositoryURI,omitempty"`
	// SourceRepositoryDigest is the commit that was built (1.3.6.1.4.1.57264.1.13).
	SourceRepositoryDigest string `json:"sourceRepositoryDigest,omitempty"`
	// SourceRepositoryRef is the git ref that was built (1.3.6.1.4.1.57264.1.14).
	SourceRepositoryRef string `json:"sourceRepositoryRef,omitempty"`
	// SourceRepositoryIdentifier is the repository's immutable id (1.3.6.1.4.1.57264.1.15).
	SourceRepositoryIdentifier string `json:"sourceRepositoryIdentifier,omitempty"`
	// SourceRepositoryOwnerURI is the repository owner (1.3.6.1.4.1.57264.1.16).
	SourceRepositoryOwnerURI string `json:"sourceRepositoryOwnerURI,omitempty"`
	// SourceRepositoryOwnerIdentifier is the owner's immutable id (1.3.6.1.4.1.57264.1.17).
	SourceRepositoryOwnerIdentifier string `json:"sourceRepositoryOwnerIdentifier,omitempty"`
	// BuildConfigURI is the top-level workflow that ran, with its ref (1.3.6.1.4.1.57264.1.18).
	BuildConfigURI string `json:"buildConfigURI,omitempty"`
	// BuildConfigDigest is the commit of the top-level workflow (1.3.6.1.4.1.57264.1.19).
	BuildConfigDigest string `json:"buildConfigDigest,omitempty"`
	// BuildTrigger is the event that ran the workflow (1.3.6.1.4.1.57264.1.20).
	BuildTrigger string `json:"buildTrigger,omitempty"`
	// RunInvocationURI is the run's URL (1.3.6.1.4.1.57264.1.21).
	RunInvocationURI string `json:"runInvocationURI,omitempty"`
	// SourceRepositoryVisibilityAtSigning is "public" or "private" (1.3.6.1.4.1.57264.1.22).
	SourceRepositoryVisibilityAtSigning string `json:"sourceRepositoryVisibilityAtSigning,omitempty"`
}

// extensionsOf copies sigstore-go's parsed extensions into our own type,
// so the JSON of Result does not change when sigstore-go's does. The
// conversion (tags aside, the two structs have the same fields in the
// same order) stops compiling if sigstore-go adds, drops or reorders a
// field, and TestExtensionsMirrorSigstore says which.
func extensionsOf(e certificate.Extensions) *Extensions {
	x := Extensions(e)
	return &x
}

// sigstore converts back, for sigstore-go's identity matchers.
func (e *Extensions) sigstore() certificate.Extensions {
	if e == nil {
		return certificate.Extensions{}
	}
	return certificate.Extensions(*e)
}
