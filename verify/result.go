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
	Extensions *certificate.Extensions `json:"extensions,omitempty"`
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
