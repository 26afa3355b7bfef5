package policy

// InputSchemaVersion is the version of the shape of Input, carried in
// Input.SchemaVersion and in the JSON Schema file (input.schema.json).
const InputSchemaVersion = "chaingate.dev/policy-input/v1"

// Input is the one documented document that policies see as `input`. It
// carries what the other chaingate packages found about one artifact. Every
// field is optional: a policy decides what a missing part means (the
// built-in library treats missing evidence as a failure). The JSON names
// are the Rego names. Its JSON Schema is InputSchema().
type Input struct {
	// SchemaVersion is InputSchemaVersion.
	SchemaVersion string `json:"schemaVersion"`
	// Time is when the decision is made, RFC 3339. Policies use it instead
	// of the clock (time.now_ns is removed by default), so decisions are
	// reproducible.
	Time string `json:"time,omitempty"`
	// Artifact is what is being released.
	Artifact Artifact `json:"artifact"`
	// SBOM summarises the artifact's SBOM, nil when there is none.
	SBOM *SBOM `json:"sbom,omitempty"`
	// Risk holds the vulnerability and supply-chain findings, nil when the
	// artifact was not scanned.
	Risk *Risk `json:"risk,omitempty"`
	// Provenance is the verified build provenance, nil when there is none.
	Provenance *Provenance `json:"provenance,omitempty"`
	// GitOps is the promotion being decided, nil outside of a promotion.
	GitOps *GitOps `json:"gitops,omitempty"`
	// Context is arbitrary caller data (CI job, ticket, requester, ...).
	// Values must be JSON-like: nil, bool, numbers, string, []any,
	// map[string]any (or []string, map[string]string).
	Context map[string]any `json:"context,omitempty"`
}

// Artifact names what is being released.
type Artifact struct {
	// Name is the artifact's name ("ghcr.io/acme/api" or "api.tar.gz").
	Name string `json:"name"`
	// Reference is the full reference as given ("ghcr.io/acme/api:1.2@sha256:...").
	Reference string `json:"reference,omitempty"`
	// Digest is the content digest ("sha256:..."), empty when unknown.
	Digest string `json:"digest,omitempty"`
	// Registry is the OCI registry host ("ghcr.io"), empty for files.
	Registry string `json:"registry,omitempty"`
	// Repository is the repository inside the registry ("acme/api").
	Repository string `json:"repository,omitempty"`
	// Tag is the tag, if the reference had one.
	Tag string `json:"tag,omitempty"`
	// Type is "image", "file", "module", ...
	Type string `json:"type,omitempty"`
}

// SBOM is the part of an SBOM that policies look at.
type SBOM struct {
	// Format and SpecVersion are those of the source document.
	Format      string `json:"format,omitempty"`      // "cyclonedx-json", "spdx-json", ...
	SpecVersion string `json:"specVersion,omitempty"` // the format's specification version
	// Digest is the digest of the SBOM document, when known.
	Digest string `json:"digest,omitempty"`
	// Source says where the SBOM came from: "attested" (the predicate of
	// an SBOM attestation whose signature verified) or "supplied" (given
	// by the caller, unsigned); empty when not recorded.
	Source string `json:"source,omitempty"`
	// Summary counts the components and what they lack.
	Summary SBOMSummary `json:"summary"`
	// Components are the components, the root included.
	Components []Component `json:"components"`
}

// SBOMSummary counts an SBOM's components.
type SBOMSummary struct {
	Components    int `json:"components"`              // all components, the root included
	WithVersion   int `json:"withVersion"`             // components with a version
	WithPURL      int `json:"withPurl"`                // components with a purl
	WithLicense   int `json:"withLicense"`             // components with a licence (not NOASSERTION)
	WithHash      int `json:"withHash"`                // components with at least one hash
	Direct        int `json:"direct,omitempty"`        // direct dependencies of the root
	Dependencies  int `json:"dependencies,omitempty"`  // dependency edges
	Unknown       int `json:"unknown,omitempty"`       // components the generator could not identify
	Limitations   int `json:"limitations,omitempty"`   // limitations the generator recorded
	DevComponents int `json:"devComponents,omitempty"` // components with scope "excluded"
}

// Component is one SBOM component.
type Component struct {
	// ID is the component's identifier in the SBOM.
	ID      string `json:"id"`
	Type    string `json:"type,omitempty"`    // CycloneDX component type ("library", "application", ...)
	Group   string `json:"group,omitempty"`   // Maven groupId, npm scope
	Name    string `json:"name"`              // the package name
	Version string `json:"version,omitempty"` // the package version
	PURL    string `json:"purl,omitempty"`    // the package URL, verbatim
	// License is the concluded licence if known, else the declared one,
	// as an SPDX expression.
	License string `json:"license,omitempty"`
	// Scope is "required", "optional" or "excluded" (dev/test only).
	Scope string `json:"scope,omitempty"`
	// Hashes maps an algorithm ("SHA-256") to a lowercase hex digest.
	Hashes map[string]string `json:"hashes,omitempty"`
}

// Risk is the result of a risk scan.
type Risk struct {
	// Summary counts findings by priority.
	Summary RiskSummary `json:"summary"`
	// Findings are all findings, VEX-suppressed ones included (with
	// Suppressed set), so policies can see and count them.
	Findings []Finding `json:"findings"`
	// Signals are the supply-chain signals of the risk scan: name
	// confusion, package content, dependency changes, repository
	// behaviour (risk.Report.Signals).
	Signals []Signal `json:"signals,omitempty"`
	// SignalRisk combines the signals about each source
	// (risk.Report.SignalRisk), highest first.
	SignalRisk []SignalRisk `json:"signalRisk,omitempty"`

	// Unassessed are the components the scan could not assess
	// (risk.Report.Unassessed): a version the ecosystem's rules reject,
	// no version, no purl. Nothing is known about their vulnerabilities.
	Unassessed []Unassessed `json:"unassessed,omitempty"`
}

// Unassessed is a component the risk scan could not assess.
type Unassessed struct {
	// Component is the SBOM component ID; Package, Version and PURL its
	// identity.
	Component string `json:"component"`
	Package   string `json:"package,omitempty"` // the component's name
	Version   string `json:"version,omitempty"` // the version that could not be assessed
	PURL      string `json:"purl,omitempty"`    // the component's package URL
	// Ecosystem is the OSV ecosystem its purl (or its chaingate:osv:ecosystem
	// property) names ("Go", "npm", "PyPI", "Debian:12"), empty when none.
	Ecosystem string `json:"ecosystem,omitempty"`
	// Root is true for the SBOM's root component (the artifact itself).
	Root bool `json:"root,omitempty"`
	// Reason says why the scan could not assess it.
	Reason string `json:"reason"`
	// Advisories are the IDs of entries that could have applied, when known.
	Advisories []string `json:"advisories,omitempty"`
}

// Signal is one supply-chain signal (signal.Signal).
type Signal struct {
	// ID names the detector and what it saw ("typosquat",
	// "install-download-exec", "hash-changed", ...).
	ID string `json:"id"`
	// Source is what it is about: a component's purl or ID, a package, a
	// file, a commit.
	Source string `json:"source"`
	// Value is its strength in [0, 1].
	Value float64 `json:"value,omitempty"`
	// Flagged is the producing model's decision when a model scored the
	// signal (a typosquat candidate below the model's threshold is not
	// flagged); otherwise Value >= signal.RiskThreshold.
	Flagged bool `json:"flagged,omitempty"`
	// Model is the scoring model's "id@version", if any.
	Model string `json:"model,omitempty"`
	// Target is, for name confusion, the popular package imitated.
	Target string `json:"target,omitempty"`
	// Evidence explains the signal.
	Evidence []string `json:"evidence,omitempty"`
}

// SignalRisk is the combination of the signals about one source.
type SignalRisk struct {
	// Source is what the signals are about.
	Source string `json:"source"`
	// Signals are the IDs of the signals combined.
	Signals []string `json:"signals,omitempty"`
	// Value is the combined score in [0, 1] and Flagged whether it
	// reaches signal.RiskThreshold with corroboration (a model's
	// unflagged candidate alone never flags).
	Value   float64 `json:"value,omitempty"`
	Flagged bool    `json:"flagged,omitempty"`
	// Evidence explains the combination.
	Evidence []string `json:"evidence,omitempty"`
}

// RiskSummary counts findings.
type RiskSummary struct {
	Total      int `json:"total"`      // all findings, suppressed ones included
	Critical   int `json:"critical"`   // findings of priority critical
	High       int `json:"high"`       // findings of priority high
	Medium     int `json:"medium"`     // findings of priority medium
	Low        int `json:"low"`        // findings of priority low
	KEV        int `json:"kev"`        // findings in CISA's KEV catalogue
	Suppressed int `json:"suppressed"` // findings suppressed by VEX
	// Signals counts the signals, SignalsFlagged the flagged ones and
	// SourcesFlagged the sources whose combined signal risk is flagged.
	Signals        int `json:"signals,omitempty"`
	SignalsFlagged int `json:"signalsFlagged,omitempty"`
	SourcesFlagged int `json:"sourcesFlagged,omitempty"`

	// Unassessed counts the components the scan could not assess.
	Unassessed int `json:"unassessed,omitempty"`
}

// Finding is one vulnerability or supply-chain signal about a component.
type Finding struct {
	// ID is the advisory or signal ID ("GHSA-...", "CVE-...", "typosquat").
	ID string `json:"id"`
	// Aliases are other IDs of the same advisory.
	Aliases []string `json:"aliases,omitempty"`
	// Kind is "vulnerability" or a signal kind.
	Kind string `json:"kind,omitempty"`
	// Component is the SBOM component ID, Package/Version/PURL its identity.
	Component string `json:"component,omitempty"`
	Package   string `json:"package,omitempty"` // the affected package's name
	Version   string `json:"version,omitempty"` // the affected version found
	PURL      string `json:"purl,omitempty"`    // the component's package URL
	// Severity is the advisory's severity: "critical", "high", "medium",
	// "low" or "none" (lowercase); CVSS its base score.
	Severity string  `json:"severity,omitempty"`
	CVSS     float64 `json:"cvss,omitempty"` // the highest CVSS base score
	// EPSS is the exploit prediction probability (0..1).
	EPSS float64 `json:"epss,omitempty"`
	// KEV is true when the vulnerability is in CISA's Known Exploited
	// Vulnerabilities catalogue.
	KEV bool `json:"kev,omitempty"`
	// Priority is the risk model's priority, with Severity's vocabulary;
	// Score its 0..100 score.
	Priority string  `json:"priority,omitempty"`
	Score    float64 `json:"score,omitempty"` // the risk model's score, 0..100
	// FixedVersions are versions that fix the finding; FixedSince is when
	// the first fix was published (RFC 3339), when known.
	FixedVersions []string `json:"fixedVersions,omitempty"`
	FixedSince    string   `json:"fixedSince,omitempty"` // RFC 3339
	// Published is when the advisory was published (RFC 3339).
	Published string `json:"published,omitempty"`
	// Suppressed is true when a VEX statement says the artifact is not
	// affected (or the finding is fixed); VEXStatus and VEXJustification
	// are from that statement.
	Suppressed       bool   `json:"suppressed,omitempty"`
	VEXStatus        string `json:"vexStatus,omitempty"`        // "not_affected", "fixed", ...
	VEXJustification string `json:"vexJustification,omitempty"` // the VEX justification

	// Malicious is true when the package is known to be malicious
	// (risk.Finding.Malicious: an OpenSSF malicious-packages report or a
	// GitHub malware advisory). The library denies it whatever its
	// priority, fix or VEX status, unless its id or an alias is ignored.
	Malicious bool `json:"malicious,omitempty"`

	// EvidenceLevel is how precisely the finding is established
	// (risk.Evidence.Level): "module" (the version is in an affected
	// range), "package" (an affected package is in the build),
	// "symbol" (a vulnerable function is in the binary or reachable),
	// "package-absent" or "symbol-absent" (the module is there but none of
	// the affected code is). Empty when the producer did not say.
	EvidenceLevel string `json:"evidenceLevel,omitempty"`
	// Symbols are the vulnerable functions found, as "import/path.Func"
	// or "import/path.Type.Method" (symbol level only).
	Symbols []string `json:"symbols,omitempty"`
}

// Provenance is verified build provenance for the artifact.
type Provenance struct {
	// Present is true when a provenance attestation was found.
	Present bool `json:"present"`
	// Verified is true when its signature verified against trusted
	// material and its subject matched the artifact.
	Verified bool `json:"verified"`
	// PredicateType is the in-toto predicate type.
	PredicateType string `json:"predicateType,omitempty"`
	// BuilderID is the SLSA builder.id.
	BuilderID string `json:"builderId,omitempty"`
	// BuildType is the SLSA buildType.
	BuildType string `json:"buildType,omitempty"`
	// SourceRepository, SourceRef and SourceDigest are the source the
	// artifact was built from ("https://github.com/acme/api",
	// "refs/heads/main", "sha1:...").
	SourceRepository string `json:"sourceRepository,omitempty"`
	SourceRef        string `json:"sourceRef,omitempty"`    // the source ref ("refs/tags/v1.2.3")
	SourceDigest     string `json:"sourceDigest,omitempty"` // the source commit ("sha1:...")
	// SLSALevel is the SLSA build level (0..3) the verification established.
	SLSALevel int `json:"slsaLevel"`
	// Signers are the verified signer identities.
	Signers []Signer `json:"signers,omitempty"`
	// Errors are the verification failures, empty when Verified.
	Errors []string `json:"errors,omitempty"`
}

// Signer is a verified signer identity.
type Signer struct {
	// Issuer is the OIDC issuer of a keyless certificate.
	Issuer string `json:"issuer,omitempty"`
	// Subject is the certificate's SAN (email, URI) or the key's name.
	Subject string `json:"subject,omitempty"`
	// KeyID identifies a public key, for key-based signatures.
	KeyID string `json:"keyId,omitempty"`
}

// GitOps is the promotion being decided.
type GitOps struct {
	// Environment is the target environment ("staging", "prod").
	Environment string `json:"environment"`
	// Repository is the GitOps repository URL.
	Repository string `json:"repository,omitempty"`
	// Commit is the commit being promoted or deployed.
	Commit string `json:"commit,omitempty"`
	// Signed is true when Commit carries a verified signature; SignedBy is
	// the signer's identity (email or key fingerprint).
	Signed   bool   `json:"signed"`
	SignedBy string `json:"signedBy,omitempty"` // the commit signer's identity
	// History are earlier deployments recorded in the repository.
	History []Deployment `json:"history,omitempty"`
}

// Deployment is one recorded deployment of an artifact to an environment.
type Deployment struct {
	Environment string `json:"environment"`      // where it was deployed
	Digest      string `json:"digest"`           // the artifact digest deployed
	Commit      string `json:"commit,omitempty"` // the GitOps commit of the deployment
	Time        string `json:"time,omitempty"`   // when, RFC 3339
}
