package risk

import (
	"fmt"
	"io"
	"time"

	openvex "github.com/openvex/go-vex/pkg/vex"
)

// OpenVEXOptions names the author and product of the OpenVEX document
// WriteOpenVEX writes.
type OpenVEXOptions struct {
	// Author is the document's author (required by OpenVEX).
	Author string
	// ID is the document's @id; when empty, go-vex derives a canonical
	// one from the content.
	ID string
	// Product is the product identifier (a purl or IRI) statements are
	// about; when empty, each statement names the component's purl as
	// its product.
	Product string
	// Timestamp is the document's time (default: now).
	Timestamp time.Time
}

// WriteOpenVEX writes an OpenVEX document with a not_affected statement
// for every finding chaingate can prove does not apply: Go findings
// whose affected packages are all absent from the build (evidence level
// package-absent), justified as vulnerable_code_not_present. It writes
// nothing else: a module-level match, or a known-malicious package, is
// never declared safe. One statement covers one advisory: its primary
// id, with every other id of its records as aliases.
func (r *Report) WriteOpenVEX(w io.Writer, opts OpenVEXOptions) error {
	if opts.Author == "" {
		return fmt.Errorf("risk: write OpenVEX: an author is required")
	}
	doc := openvex.New()
	doc.Author = opts.Author
	doc.Tooling = "chaingate"
	ts := opts.Timestamp
	if ts.IsZero() {
		ts = time.Now().UTC()
	}
	doc.Timestamp = &ts
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.Source != "osv" || f.Malicious || f.Evidence.Level != EvidencePackageAbsent || f.Component.PURL == "" {
			continue
		}
		st := openvex.Statement{
			Vulnerability:   openvex.Vulnerability{Name: openvex.VulnerabilityID(f.ID)},
			Status:          openvex.StatusNotAffected,
			Justification:   openvex.VulnerableCodeNotPresent,
			ImpactStatement: f.Evidence.Reason,
		}
		for _, a := range f.Aliases {
			st.Vulnerability.Aliases = append(st.Vulnerability.Aliases, openvex.VulnerabilityID(a))
		}
		sub := openvex.Subcomponent{Component: openvex.Component{ID: f.Component.PURL}}
		if opts.Product != "" {
			st.Products = []openvex.Product{{Component: openvex.Component{ID: opts.Product}, Subcomponents: []openvex.Subcomponent{sub}}}
		} else {
			st.Products = []openvex.Product{{Component: sub.Component}}
		}
		if err := st.Validate(); err != nil {
			return fmt.Errorf("risk: write OpenVEX: statement for %s: %w", f.ID, err)
		}
		doc.Statements = append(doc.Statements, st)
	}
	doc.ID = opts.ID
	if doc.ID == "" {
		id, err := doc.GenerateCanonicalID()
		if err != nil {
			return fmt.Errorf("risk: write OpenVEX: %w", err)
		}
		doc.ID = id
	}
	if err := doc.ToJSON(w); err != nil {
		return fmt.Errorf("risk: write OpenVEX: %w", err)
	}
	return nil
}
