package risk

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/chaingate/chaingate/risk/signal"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

// ReportSchemaVersion is the version of the JSON shape of Report. It
// changes when a field is renamed or its meaning changes, never when one
// is added.
const ReportSchemaVersion = "chaingate.dev/risk/report/v1"

// Report is the result of Scan: every finding with its evidence, the
// components that could not be assessed and why, and the supply-chain
// signals of the detectors Scan ran. It is plain data, safe to serialise
// and to feed to a policy as input.
type Report struct {
	SchemaVersion string `json:"schemaVersion"`
	// Document names the scanned SBOM.
	Document DocumentRef `json:"document"`
	// DB describes the vulnerability database used.
	DB vulndb.Info `json:"db"`
	// Findings are ordered by priority (highest first), then by ID and
	// component. Findings suppressed by VEX stay here with Suppressed set.
	Findings []Finding `json:"findings"`
	// Unassessed are the components Scan could not assess, with why: no
	// version, no purl, a version the ecosystem's rules reject, an
	// ecosystem chaingate has no version ordering for.
	Unassessed []Unassessed `json:"unassessed,omitempty"`
	// Signals are the supply-chain signals of the detectors given to Scan
	// with WithDetectors.
	Signals []signal.Signal `json:"signals,omitempty"`
	// SignalRisk combines the signals about each source (signal.RiskOf at
	// signal.RiskThreshold): several signals about one package add up, and
	// a model's unflagged candidate counts only with corroboration.
	SignalRisk []signal.SourceRisk `json:"signalRisk,omitempty"`
	// Enrichment says which EPSS, KEV and VEX data were applied.
	Enrichment EnrichmentInfo `json:"enrichment"`
	// Summary counts findings by decision.
	Summary Summary `json:"summary"`
}

// DocumentRef identifies the SBOM a report is about.
type DocumentRef struct {
	Name         string `json:"name,omitempty"`
	SerialNumber string `json:"serialNumber,omitempty"`
	Root         string `json:"root,omitempty"`
	Components   int    `json:"components"`
}

// EnrichmentInfo records the enrichment data a report used.
type EnrichmentInfo struct {
	EPSSModelVersion string   `json:"epssModelVersion,omitempty"`
	EPSSScoreDate    string   `json:"epssScoreDate,omitempty"`
	KEVVersion       string   `json:"kevVersion,omitempty"`
	VEX              []string `json:"vex,omitempty"`
	SARIF            []string `json:"sarif,omitempty"`
}

// Summary counts a report's findings.
type Summary struct {
	Findings   int              `json:"findings"`
	Suppressed int              `json:"suppressed"`
	Unassessed int              `json:"unassessed"`
	ByDecision map[Decision]int `json:"byDecision,omitempty"`
}

// Finding is one vulnerability (or, for SARIF input, one tool result) in
// one component.
//
// A Report is a read-only value: to keep Scan fast, the slices and
// pointers of a Finding (aliases, references, affected packages, EPSS,
// KEV, priority reasons) may share memory with the DB and with other
// findings of the same vulnerability. Copy a Finding's slices before
// modifying them.
//
// One finding is one advisory: the records of the database linked
// through aliases and upstream (transitively) that match the component
// are merged, and the finding's facts come from all of them (see ID,
// Severity, Fixed and Evidence.Records).
type Finding struct {
	// ID is the OSV id ("GO-2024-2687") or, for SARIF input, the rule id.
	// When several records of one advisory match, it is the primary
	// record's id, by this rule: the ecosystem's own database first
	// (GO-, PYSEC-, RUSTSEC-, DSA-, ALPINE-, ...), then OpenSSF's
	// malicious-packages (MAL-; GitHub does not publish its malware
	// advisories in the advisory database, so the MAL id is the one a
	// user can look up on osv.dev), then GitHub (GHSA-), then CVE-;
	// ties go to the smaller id.
	ID string `json:"id"`
	// Aliases are the advisory's other ids: the other matching records'
	// ids and every record's aliases (CVE, GHSA, ...).
	Aliases []string `json:"aliases,omitempty"`
	// Upstream are the ids of the upstream vulnerabilities a distro
	// advisory covers (OSV "upstream": a DSA's CVEs).
	Upstream []string `json:"upstream,omitempty"`
	// Malicious is set when the package is known to be malicious: one of
	// the advisory's records is an OpenSSF malicious-packages report
	// (MAL-, or database_specific.malicious-packages-origins), a GitHub
	// malware advisory (CWE-506), or aliases one. Such a finding ranks
	// Act above every other finding.
	Malicious bool `json:"malicious,omitempty"`
	// Component is the SBOM component the finding is about.
	Component sbom.Component `json:"component"`
	// Source is "osv" for database matches, "sarif:<tool>" for SARIF input.
	Source  string `json:"source"`
	Summary string `json:"summary,omitempty"`
	// Ecosystem and Package are the OSV identity the component matched
	// ("Go", "golang.org/x/net"; "Debian:12", "openssl").
	Ecosystem string `json:"ecosystem,omitempty"`
	Package   string `json:"package,omitempty"`
	// Version is the component version that was compared.
	Version string `json:"version,omitempty"`
	// Range is the affected range that matched, in the entry's own
	// versions (">=0, <1.21.9"), or "versions list" for an explicit match.
	Range string `json:"range,omitempty"`
	// Fixed are the versions that fix the vulnerability, from the
	// entry's ranges; empty when no fix exists.
	Fixed []string `json:"fixed,omitempty"`
	// AffectedPackages are the affected packages and symbols the entry
	// lists (Go import paths).
	AffectedPackages []vulndb.AffectedPackage `json:"affectedPackages,omitempty"`
	// Evidence says how far the match is proven: module or package level.
	Evidence Evidence `json:"evidence"`
	// References and URL point to advisories and fixes.
	References []vulndb.Reference `json:"references,omitempty"`
	URL        string             `json:"url,omitempty"`
	// Severity holds the CVSS vectors the entry gives, scored.
	Severity []Severity `json:"severity,omitempty"`
	// EPSS and KEV are set when the caller supplied that data and it has
	// the finding's CVE.
	EPSS *EPSSScore `json:"epss,omitempty"`
	KEV  *KEVEntry  `json:"kev,omitempty"`
	// Relationship is "direct", "transitive" or "" (unknown) from the
	// SBOM's dependency graph.
	Relationship string `json:"relationship,omitempty"`
	// Priority is the SSVC-style decision with its reasons.
	Priority Priority `json:"priority"`
	// Suppressed is set when a VEX statement says the component is not
	// affected or the vulnerability is fixed; the finding stays in the
	// report so the decision can be audited.
	Suppressed *Suppression `json:"suppressed,omitempty"`
	// Locations are the places a SARIF result points to.
	Locations []SourceLocation `json:"locations,omitempty"`
}

// SourceLocation is a file region a SARIF result points to.
type SourceLocation struct {
	URI       string `json:"uri"`
	StartLine int    `json:"startLine,omitempty"`
	EndLine   int    `json:"endLine,omitempty"`
}

// EvidenceLevel says how precisely a finding is established.
type EvidenceLevel string

// Evidence levels. The strongest is that a vulnerable function is in the
// binary (ScanGoBinary) or reachable in the call graph (ScanGoSource).
const (
	// EvidenceModule: the component's version is in an affected range.
	EvidenceModule EvidenceLevel = "module"
	// EvidencePackage: an affected package is in the build too.
	EvidencePackage EvidenceLevel = "package"
	// EvidencePackageAbsent: the SBOM lists the packages in the build and
	// none of the affected packages is among them, or the entry restricts
	// them to other platforms (GOOS/GOARCH) than the build's.
	EvidencePackageAbsent EvidenceLevel = "package-absent"
	// EvidenceSymbol: a vulnerable function or method the entry lists is
	// in the binary (ScanGoBinary) or reachable from the module's
	// packages (ScanGoSource); Evidence.Symbols names them.
	EvidenceSymbol EvidenceLevel = "symbol"
	// EvidenceSymbolAbsent: an affected package is in the binary but
	// none of the vulnerable functions the entry lists is (ScanGoBinary).
	EvidenceSymbolAbsent EvidenceLevel = "symbol-absent"
)

// PropertyGoPackages is the component property a chaingate Go SBOM
// generator may set to the comma-separated import paths of the
// component's packages that are in the build. When present, Scan gives
// Go findings package-level evidence.
const PropertyGoPackages = "chaingate:go:packages"

// Evidence is the level of proof of a finding with the packages seen.
type Evidence struct {
	Level EvidenceLevel `json:"level"`
	// Packages are the affected packages found in the build.
	Packages []string `json:"packages,omitempty"`
	// Symbols are the vulnerable functions found in the binary, as
	// "import/path.Func" or "import/path.Type.Method" (symbol level).
	Symbols []string `json:"symbols,omitempty"`
	// CallPath is, for a symbol-level finding of ScanGoSource, one
	// shortest call path from an entry point of the module to a
	// vulnerable function, entry first ("example.com/app.main", ...,
	// "example.com/lib.Parse").
	CallPath []string `json:"callPath,omitempty"`
	Reason   string   `json:"reason,omitempty"`
	// Records says, when several records of the advisory list the
	// component's package, what each said about its version. The finding
	// stands when any of them says affected.
	Records []RecordVerdict `json:"records,omitempty"`
}

// RecordVerdict is what one OSV record of an advisory says about the
// component's version.
type RecordVerdict struct {
	// ID is the record's id.
	ID string `json:"id"`
	// Affected is whether the record's ranges or versions include the
	// version.
	Affected bool `json:"affected"`
	// Range is the range that matched, when affected.
	Range string `json:"range,omitempty"`
	// Fixed are the record's fixed versions above the version.
	Fixed []string `json:"fixed,omitempty"`
}

// Unassessed is a component Scan could not assess.
type Unassessed struct {
	Component sbom.Component `json:"component"`
	Reason    string         `json:"reason"`
	// IDs are entries that could have applied, when known.
	IDs []string `json:"ids,omitempty"`
}

// Active reports whether the finding is not suppressed by VEX.
func (f *Finding) Active() bool { return f.Suppressed == nil }

// CVEs returns the finding's CVE ids: its ID if it is one, then its
// aliases and upstream ids that are.
func (f *Finding) CVEs() []string {
	var out []string
	if isCVE(f.ID) {
		out = append(out, f.ID)
	}
	for _, a := range f.Aliases {
		if isCVE(a) && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	for _, a := range f.Upstream {
		if isCVE(a) && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

func isCVE(s string) bool { return len(s) > 4 && s[:4] == "CVE-" }

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("risk: write report JSON: %w", err)
	}
	return nil
}

// ReadReport reads a report written by WriteJSON, checking its schema
// version.
func ReadReport(r io.Reader) (*Report, error) {
	var rep Report
	dec := json.NewDecoder(io.LimitReader(r, 256<<20))
	if err := dec.Decode(&rep); err != nil {
		return nil, fmt.Errorf("risk: read report JSON: %w", err)
	}
	if rep.SchemaVersion != ReportSchemaVersion {
		return nil, fmt.Errorf("risk: read report JSON: schema version %q, want %q", rep.SchemaVersion, ReportSchemaVersion)
	}
	return &rep, nil
}

// FlaggedSources counts the sources whose combined signal risk
// (Report.SignalRisk) is flagged.
func (r *Report) FlaggedSources() int {
	n := 0
	for _, sr := range r.SignalRisk {
		if sr.Score.Flagged {
			n++
		}
	}
	return n
}
