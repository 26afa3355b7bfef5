package policy

import (
	"errors"
	"fmt"
)

// DecisionSchemaVersion is the version of the JSON shape of Decision. It
// changes when a field is renamed or its meaning changes, never when one
// is added.
const DecisionSchemaVersion = "chaingate.dev/policy-decision/v1"

// Decision is the outcome of evaluating an Engine's policies over one input.
// A denial is a Decision with Allow false and at least one Deny reason; it is
// not an error. Decide returns an error (and no Decision) when the policies
// could not be evaluated: an error always means "not allowed".
type Decision struct {
	// SchemaVersion is DecisionSchemaVersion.
	SchemaVersion string `json:"schemaVersion"`
	// Allow is true when no deny or violation rule fired (outside of an
	// exception) and, if a namespace defines an allow rule, it is true.
	Allow bool `json:"allow"`
	// Deny are the reasons from deny and violation rules, in a stable order.
	Deny []Reason `json:"deny"`
	// Warn are the reasons from warn rules. Warnings never block.
	Warn []Reason `json:"warn"`
	// Exceptions are deny or warn results that an exception rule excused.
	Exceptions []Reason `json:"exceptions,omitempty"`
	// Policy identifies the policies that made the decision.
	Policy PolicyInfo `json:"policy"`
	// InputDigest is "sha256:" and the hex SHA-256 of the input's canonical
	// JSON (object keys sorted, no insignificant space), so a decision can
	// be tied to the exact evidence it was made on.
	InputDigest string `json:"inputDigest"`
	// Trace is a human-readable evaluation trace, filled by Explain only.
	Trace string `json:"trace,omitempty"`
}

// PolicyInfo identifies the policy set behind a Decision.
type PolicyInfo struct {
	// Digest is "sha256:" and the hex SHA-256 over the policy modules
	// (names and source, sorted by name) and the static data.
	Digest string `json:"digest"`
	// Revision is the bundle manifest revision, or the one given WithRevision.
	Revision string `json:"revision,omitempty"`
	// Namespaces are the Rego packages (without "data.") the engine queries.
	Namespaces []string `json:"namespaces"`
	// RegoV0Modules are the modules read with Rego v0 syntax (classic
	// conftest `deny[msg] { ... }`); every other module is Rego v1.
	RegoV0Modules []string `json:"regoV0Modules,omitempty"`
}

// Reason says why a rule fired.
type Reason struct {
	// Rule is the rule name ("deny", "deny_kev", "warn_unpinned").
	Rule string `json:"rule"`
	// Namespace is the Rego package of the rule without "data." ("main").
	Namespace string `json:"namespace"`
	// Code is a stable identifier for the reason: the result's "code" field,
	// else the rule's custom "code" annotation, else "namespace.rule".
	Code string `json:"code"`
	// Message is the rule's message (the string result or the "msg" field).
	Message string `json:"message"`
	// Severity is the result's "severity" field, else the rule's custom
	// "severity" annotation, else "high" for deny and "medium" for warn.
	Severity string `json:"severity"`
	// Title and Description come from the rule's METADATA annotation.
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	// Metadata holds the other fields of an object result ("details", ...)
	// and the rule's other custom annotations. Nil when there are none.
	Metadata map[string]any `json:"metadata,omitempty"`
	// InputPaths are the input references the rule's body reads
	// ("input.risk.findings[_].kev"), found statically when the policy is
	// loaded: they say which part of the input led to the reason.
	InputPaths []string `json:"inputPaths,omitempty"`
	// Location is where the rule is defined.
	Location *Location `json:"location,omitempty"`
}

// Location is a place in a Rego source file.
type Location struct {
	File string `json:"file"`          // the module's file name
	Row  int    `json:"row"`           // 1-based line
	Col  int    `json:"col,omitempty"` // 1-based column
}

// String returns "file:row".
func (l *Location) String() string {
	if l == nil {
		return ""
	}
	return fmt.Sprintf("%s:%d", l.File, l.Row)
}

// Sentinel errors. Match them with errors.Is.
var (
	// ErrInvalidOption is wrapped by New when an option's argument is
	// invalid (an empty path, a negative size, an unknown library area).
	ErrInvalidOption = errors.New("policy: invalid option")
	// ErrLoad is wrapped by every error New returns about the policy
	// sources (unreadable files, parse and compile errors, bad data).
	ErrLoad = errors.New("policy: load failed")
	// ErrForbiddenBuiltin is wrapped when a policy calls a builtin the
	// engine removed (network or non-deterministic ones) without an
	// explicit allowance.
	ErrForbiddenBuiltin = errors.New("policy: builtin not allowed")
	// ErrBundleSignature is wrapped when a bundle's signature is missing,
	// invalid, or cannot be checked because no key was given.
	ErrBundleSignature = errors.New("policy: bundle signature")
	// ErrNoRules is returned by New when no queried namespace has a deny,
	// violation, warn or allow rule.
	ErrNoRules = errors.New("policy: no decision rules")
	// ErrInputTooLarge is wrapped when an input exceeds the engine's limit.
	ErrInputTooLarge = errors.New("policy: input too large")
	// ErrInvalidInput is wrapped when an input cannot be converted to a
	// Rego value.
	ErrInvalidInput = errors.New("policy: invalid input")
	// ErrUndefined is wrapped when the decision is undefined: the query
	// produced no result, or an allow rule was undefined.
	ErrUndefined = errors.New("policy: undefined decision")
	// ErrEval is wrapped when evaluation fails (builtin error, conflict,
	// cancelled or timed-out context).
	ErrEval = errors.New("policy: evaluation failed")
)

// EvalError is the error Decide returns when evaluation fails. It wraps
// ErrEval and the underlying cause (a context error on timeout).
type EvalError struct {
	// Err is OPA's error, or the context's.
	Err error
}

// Error implements error.
func (e *EvalError) Error() string { return "policy: evaluate: " + e.Err.Error() }

// Unwrap returns ErrEval and the cause.
func (e *EvalError) Unwrap() []error { return []error{ErrEval, e.Err} }
