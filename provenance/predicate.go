package provenance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chaingate/chaingate/sbom"
	vsav1 "github.com/in-toto/attestation/go/predicates/vsa/v1"
	slsa02 "github.com/in-toto/in-toto-golang/in_toto/slsa_provenance/v0.2"
	slsa1 "github.com/in-toto/in-toto-golang/in_toto/slsa_provenance/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// Predicate types this package decodes to typed values.
const (
	PredicateSLSAProvenanceV02 = slsa02.PredicateSLSAProvenance // https://slsa.dev/provenance/v0.2
	PredicateSLSAProvenanceV1  = slsa1.PredicateSLSAProvenance  // https://slsa.dev/provenance/v1
	PredicateSPDX              = "https://spdx.dev/Document"
	PredicateCycloneDX         = "https://cyclonedx.org/bom"
	PredicateVulnsV01          = "https://in-toto.io/attestation/vulns/v0.1"
	PredicateVulnsV02          = "https://in-toto.io/attestation/vulns/v0.2"
	PredicateCosignVulnV1      = "https://cosign.sigstore.dev/attestation/vuln/v1"
	PredicateVSAV1             = "https://slsa.dev/verification_summary/v1"
	PredicateVSAV02            = "https://slsa.dev/verification_summary/v0.2"
)

// SLSAProvenanceV1 is the SLSA v1 provenance predicate (in-toto-golang's binding).
type SLSAProvenanceV1 = slsa1.ProvenancePredicate

// SLSAProvenanceV02 is the SLSA v0.2 provenance predicate (in-toto-golang's binding).
type SLSAProvenanceV02 = slsa02.ProvenancePredicate

// VerificationSummary is a SLSA verification summary (VSA) predicate
// (in-toto/attestation's v1 binding; v0.2 VSAs decode into it too, as
// their fields are a subset).
type VerificationSummary = vsav1.VerificationSummary

// SBOMPredicate is an SPDX or CycloneDX document carried as a predicate.
// Document turns it into a chaingate sbom.Document.
type SBOMPredicate struct {
	// PredicateType is the statement's predicate type.
	PredicateType string `json:"predicateType"`
	// Raw is the SBOM document as JSON.
	Raw json.RawMessage `json:"raw"`
}

// VulnScan is a vulnerability-scan predicate: in-toto vulns v0.1/v0.2 or
// cosign's vuln/v1. Scanner.Result is kept raw: in-toto v0.2 puts a list of
// findings there (see Findings), cosign v1 the scanner's own report.
type VulnScan struct {
	Invocation json.RawMessage `json:"invocation,omitempty"`
	Scanner    VulnScanner     `json:"scanner"`
	Metadata   VulnScanMeta    `json:"metadata"`
}

// VulnScanner describes the scanner and its database.
type VulnScanner struct {
	URI     string          `json:"uri"`
	Version string          `json:"version,omitempty"`
	DB      VulnDB          `json:"db,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
}

// VulnDB describes the vulnerability database a scan used.
type VulnDB struct {
	URI        string    `json:"uri,omitempty"`
	Version    string    `json:"version,omitempty"`
	LastUpdate time.Time `json:"lastUpdate,omitzero"`
}

// VulnScanMeta holds scan times.
type VulnScanMeta struct {
	ScanStartedOn  time.Time `json:"scanStartedOn,omitzero"`
	ScanFinishedOn time.Time `json:"scanFinishedOn,omitzero"`
}

// VulnFinding is one entry of an in-toto vulns v0.2 result list.
type VulnFinding struct {
	ID       string `json:"id"`
	Severity []struct {
		Method string `json:"method"`
		Score  string `json:"score"`
	} `json:"severity,omitempty"`
	Annotations []map[string]any `json:"annotations,omitempty"`
}

// Findings decodes Scanner.Result as a list of findings (in-toto vulns
// v0.2 shape). It returns an error when Result is not such a list.
func (v *VulnScan) Findings() ([]VulnFinding, error) {
	if len(v.Scanner.Result) == 0 {
		return nil, nil
	}
	var out []VulnFinding
	if err := json.Unmarshal(v.Scanner.Result, &out); err != nil {
		return nil, fmt.Errorf("provenance: vuln scan result is not a list of findings: %w", err)
	}
	return out, nil
}

// RawPredicate is a predicate of a type this package has no binding for.
type RawPredicate struct {
	PredicateType string          `json:"predicateType"`
	Raw           json.RawMessage `json:"raw"`
}

// IsSLSAProvenance reports whether t names SLSA provenance v0.2 or v1.
func IsSLSAProvenance(t string) bool {
	return t == PredicateSLSAProvenanceV02 || t == PredicateSLSAProvenanceV1
}

func isSPDX(t string) bool {
	return t == PredicateSPDX || strings.HasPrefix(t, PredicateSPDX+"/")
}

func isCycloneDX(t string) bool {
	return t == PredicateCycloneDX || strings.HasPrefix(t, PredicateCycloneDX+"/")
}

// DecodePredicate decodes the predicate according to its type. It returns
// one of *SLSAProvenanceV1, *SLSAProvenanceV02, *VerificationSummary,
// *VulnScan, *SBOMPredicate, or *RawPredicate for types without a binding.
func (s *Statement) DecodePredicate() (any, error) {
	raw := s.Predicate
	if len(raw) == 0 {
		raw = json.RawMessage("{}")
	}
	t := s.PredicateType
	switch {
	case t == PredicateSLSAProvenanceV1:
		var p SLSAProvenanceV1
		if err := provStrictUnmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("provenance: decode %s predicate: %w", t, err)
		}
		return &p, nil
	case t == PredicateSLSAProvenanceV02:
		var p SLSAProvenanceV02
		if err := provStrictUnmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("provenance: decode %s predicate: %w", t, err)
		}
		return &p, nil
	case t == PredicateVSAV1 || t == PredicateVSAV02:
		var p VerificationSummary
		if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("provenance: decode %s predicate: %w", t, err)
		}
		return &p, nil
	case t == PredicateVulnsV01 || t == PredicateVulnsV02 || t == PredicateCosignVulnV1:
		var p VulnScan
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("provenance: decode %s predicate: %w", t, err)
		}
		return &p, nil
	case isSPDX(t) || isCycloneDX(t):
		return &SBOMPredicate{PredicateType: t, Raw: append(json.RawMessage(nil), raw...)}, nil
	default:
		return &RawPredicate{PredicateType: t, Raw: append(json.RawMessage(nil), raw...)}, nil
	}
}

// provStrictUnmarshal decodes JSON whose top level must be an object.
func provStrictUnmarshal(raw []byte, v any) error {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return fmt.Errorf("predicate is not a JSON object")
	}
	return json.Unmarshal(raw, v)
}

// SLSAv1 decodes the predicate as SLSA v1 provenance.
func (s *Statement) SLSAv1() (*SLSAProvenanceV1, error) {
	if s.PredicateType != PredicateSLSAProvenanceV1 {
		return nil, fmt.Errorf("provenance: predicate %q is not SLSA v1: %w", s.PredicateType, ErrPredicateType)
	}
	p, err := s.DecodePredicate()
	if err != nil {
		return nil, err
	}
	return p.(*SLSAProvenanceV1), nil
}

// SLSAv02 decodes the predicate as SLSA v0.2 provenance.
func (s *Statement) SLSAv02() (*SLSAProvenanceV02, error) {
	if s.PredicateType != PredicateSLSAProvenanceV02 {
		return nil, fmt.Errorf("provenance: predicate %q is not SLSA v0.2: %w", s.PredicateType, ErrPredicateType)
	}
	p, err := s.DecodePredicate()
	if err != nil {
		return nil, err
	}
	return p.(*SLSAProvenanceV02), nil
}

// Document decodes the SBOM predicate into a chaingate sbom.Document
// (format detected by sbom.Decode unless an option names it).
func (p *SBOMPredicate) Document(opts ...sbom.DecodeOption) (*sbom.Document, error) {
	if p == nil || len(p.Raw) == 0 {
		return nil, fmt.Errorf("provenance: SBOM predicate %q: empty", p.predicateTypeOrEmpty())
	}
	doc, err := sbom.Decode(bytes.NewReader(p.Raw), opts...)
	if err != nil {
		return nil, fmt.Errorf("provenance: SBOM predicate %q: %w", p.PredicateType, err)
	}
	return doc, nil
}

func (p *SBOMPredicate) predicateTypeOrEmpty() string {
	if p == nil {
		return ""
	}
	return p.PredicateType
}
