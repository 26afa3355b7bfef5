package risk

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/chaingate/chaingate/internal/purl"
	"github.com/chaingate/chaingate/internal/readlimit"
	"io"
	"slices"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
	openvex "github.com/openvex/go-vex/pkg/vex"
)

// MaxVEXBytes is the size limit of one VEX document.
const MaxVEXBytes = 32 << 20

// ErrInvalidVEX reports a malformed VEX document.
var ErrInvalidVEX = errors.New("risk: invalid VEX document")

// VEX is a parsed VEX document (OpenVEX or CycloneDX), immutable after
// ReadOpenVEX or ReadCycloneDXVEX returns.
type VEX struct {
	// Format is "openvex" or "cyclonedx".
	Format string
	// ID is the document's @id or serialNumber.
	ID         string
	statements []vexStatement
}

// vexStatement is one statement in a format-neutral form.
type vexStatement struct {
	where         string
	vulns         []string
	products      []vexProduct
	status        string // OpenVEX status names
	justification string
	impact        string
	ts            time.Time
}

// vexProduct is a product identifier (purl, bom-ref, IRI) and the
// subcomponents it scopes the statement to.
type vexProduct struct {
	ids  []string
	subs [][]string
}

// Suppression is the VEX statement that suppressed a finding.
type Suppression struct {
	// Format is "openvex" or "cyclonedx".
	Format string `json:"format"`
	// Document is the VEX document's id (OpenVEX @id, CycloneDX
	// serialNumber).
	Document string `json:"document,omitempty"`
	// Statement locates the statement in its document ("statements[3]").
	Statement string `json:"statement"`
	// Status is the VEX status: "not_affected" or "fixed" (OpenVEX
	// names; CycloneDX "not_affected", "false_positive" and "resolved"
	// are mapped to them).
	Status          string `json:"status"`
	Justification   string `json:"justification,omitempty"`
	ImpactStatement string `json:"impactStatement,omitempty"`
	// Product and Subcomponent are the identifiers the statement named
	// that matched this finding.
	Product      string `json:"product,omitempty"`
	Subcomponent string `json:"subcomponent,omitempty"`
}

// ReadOpenVEX reads an OpenVEX document with openvex/go-vex. Each
// statement must pass go-vex's validation (a status, a justification or
// impact statement for not_affected, ...).
func ReadOpenVEX(r io.Reader) (*VEX, error) {
	data, err := readlimit.ReadAll(r, MaxVEXBytes, vulndb.ErrTooLarge)
	if err != nil {
		return nil, fmt.Errorf("risk: read OpenVEX: %w", err)
	}
	doc, err := openvex.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("risk: read OpenVEX: %w: %v", ErrInvalidVEX, err)
	}
	if !strings.Contains(doc.Context, "openvex") {
		return nil, fmt.Errorf("risk: read OpenVEX: %w: @context %q is not OpenVEX", ErrInvalidVEX, doc.Context)
	}
	v := &VEX{Format: "openvex", ID: doc.ID}
	for i := range doc.Statements {
		st := &doc.Statements[i]
		where := fmt.Sprintf("statements[%d]", i)
		if err := st.Validate(); err != nil {
			return nil, fmt.Errorf("risk: read OpenVEX %s: %w: %v", where, ErrInvalidVEX, err)
		}
		s := vexStatement{where: where, status: string(st.Status), justification: string(st.Justification), impact: st.ImpactStatement}
		switch {
		case st.Timestamp != nil:
			s.ts = *st.Timestamp
		case doc.Timestamp != nil:
			s.ts = *doc.Timestamp
		}
		for _, id := range append([]string{st.Vulnerability.ID, string(st.Vulnerability.Name)}, vexAliases(st.Vulnerability.Aliases)...) {
			if id != "" {
				s.vulns = append(s.vulns, id)
			}
		}
		for _, p := range st.Products {
			vp := vexProduct{ids: vexComponentIDs(p.Component)}
			for _, sc := range p.Subcomponents {
				vp.subs = append(vp.subs, vexComponentIDs(sc.Component))
			}
			s.products = append(s.products, vp)
		}
		if len(s.vulns) == 0 || len(s.products) == 0 {
			return nil, fmt.Errorf("risk: read OpenVEX %s: %w: statement names no vulnerability or no product", where, ErrInvalidVEX)
		}
		v.statements = append(v.statements, s)
	}
	return v, nil
}

func vexAliases(a []openvex.VulnerabilityID) []string {
	out := make([]string, 0, len(a))
	for _, x := range a {
		out = append(out, string(x))
	}
	return out
}

func vexComponentIDs(c openvex.Component) []string {
	var ids []string
	if c.ID != "" {
		ids = append(ids, c.ID)
	}
	for _, id := range c.Identifiers {
		ids = append(ids, id)
	}
	for _, h := range c.Hashes {
		ids = append(ids, string(h))
	}
	return ids
}

// ReadCycloneDXVEX reads the vulnerabilities of a CycloneDX document
// (JSON) as VEX: each vulnerability's analysis state applies to the
// components its affects[] name (bom-refs, BOM-Links or purls).
// CycloneDX states map to OpenVEX statuses: not_affected and
// false_positive to not_affected, resolved to fixed, exploitable to
// affected, in_triage to under_investigation.
func ReadCycloneDXVEX(r io.Reader) (*VEX, error) {
	data, err := readlimit.ReadAll(r, MaxVEXBytes, vulndb.ErrTooLarge)
	if err != nil {
		return nil, fmt.Errorf("risk: read CycloneDX VEX: %w", err)
	}
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		return nil, fmt.Errorf("risk: read CycloneDX VEX: %w: %v", ErrInvalidVEX, err)
	}
	if bom.BOMFormat != "CycloneDX" {
		return nil, fmt.Errorf("risk: read CycloneDX VEX: %w: bomFormat %q", ErrInvalidVEX, bom.BOMFormat)
	}
	v := &VEX{Format: "cyclonedx", ID: bom.SerialNumber}
	if bom.Vulnerabilities == nil {
		return v, nil
	}
	// affects[].ref names a bom-ref; when it is a component of this BOM,
	// its purl identifies the component in other SBOMs too.
	refPURL := map[string]string{}
	var walk func([]cdx.Component)
	walk = func(cs []cdx.Component) {
		for _, c := range cs {
			if c.BOMRef != "" && c.PackageURL != "" {
				refPURL[c.BOMRef] = c.PackageURL
			}
			if c.Components != nil {
				walk(*c.Components)
			}
		}
	}
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		walk([]cdx.Component{*bom.Metadata.Component})
	}
	if bom.Components != nil {
		walk(*bom.Components)
	}
	for i, vu := range *bom.Vulnerabilities {
		where := fmt.Sprintf("vulnerabilities[%d]", i)
		if vu.ID == "" {
			return nil, fmt.Errorf("risk: read CycloneDX VEX %s: %w: no id", where, ErrInvalidVEX)
		}
		if vu.Analysis == nil || vu.Affects == nil {
			continue // not a VEX statement, just a listed vulnerability
		}
		s := vexStatement{where: where, vulns: []string{vu.ID}, impact: vu.Analysis.Detail, justification: string(vu.Analysis.Justification)}
		if vu.References != nil {
			for _, ref := range *vu.References {
				if ref.ID != "" {
					s.vulns = append(s.vulns, ref.ID)
				}
			}
		}
		switch vu.Analysis.State {
		case cdx.IASNotAffected, cdx.IASFalsePositive:
			s.status = string(openvex.StatusNotAffected)
		case cdx.IASResolved, cdx.IASResolvedWithPedigree:
			s.status = string(openvex.StatusFixed)
		case cdx.IASExploitable:
			s.status = string(openvex.StatusAffected)
		case cdx.IASInTriage, "":
			s.status = string(openvex.StatusUnderInvestigation)
		default:
			return nil, fmt.Errorf("risk: read CycloneDX VEX %s: %w: analysis state %q", where, ErrInvalidVEX, vu.Analysis.State)
		}
		if t, err := time.Parse(time.RFC3339, vu.Analysis.LastUpdated); err == nil {
			s.ts = t
		} else if t, err := time.Parse(time.RFC3339, vu.Updated); err == nil {
			s.ts = t
		}
		for _, a := range *vu.Affects {
			if a.Ref == "" {
				continue
			}
			p := vexProduct{ids: []string{a.Ref}}
			if purl, ok := refPURL[a.Ref]; ok && purl != a.Ref {
				p.ids = append(p.ids, purl)
			}
			s.products = append(s.products, p)
		}
		if len(s.products) == 0 {
			return nil, fmt.Errorf("risk: read CycloneDX VEX %s: %w: affects names no component", where, ErrInvalidVEX)
		}
		v.statements = append(v.statements, s)
	}
	return v, nil
}

// vexMatchID reports whether a VEX identifier names a component: its
// bom-ref, a BOM-Link to it ("urn:cdx:<serial>/<version>#<bom-ref>"),
// or its purl. Purls are compared with go-vex's PurlMatches (a purl
// without version or qualifiers names every version), except Go purls,
// which are compared on the raw, case-sensitive module path because
// packageurl-go lowercases it.
func vexMatchID(id string, doc *sbom.Document, c *sbom.Component) bool {
	if id == "" {
		return false
	}
	if id == c.ID {
		return true
	}
	if ref, ok := strings.CutPrefix(id, "urn:cdx:"); ok {
		serialVer, frag, _ := strings.Cut(ref, "#")
		serial, _, _ := strings.Cut(serialVer, "/")
		return frag == c.ID && (doc == nil || doc.SerialNumber == "" || strings.TrimPrefix(doc.SerialNumber, "urn:uuid:") == strings.TrimPrefix(serial, "uuid:") || doc.SerialNumber == "urn:cdx:"+serial || doc.SerialNumber == serial)
	}
	if c.PURL == "" || !strings.HasPrefix(id, "pkg:") {
		return false
	}
	if strings.HasPrefix(id, "pkg:golang/") && strings.HasPrefix(c.PURL, "pkg:golang/") {
		a, err1 := purl.Parse(id)
		b, err2 := purl.Parse(c.PURL)
		if err1 != nil || err2 != nil || a.Namespace != b.Namespace || a.Name != b.Name {
			return false
		}
		if a.Version != "" && a.Version != b.Version {
			return false
		}
	}
	return openvex.PurlMatches(id, c.PURL)
}

// suppresses returns the suppression of a finding by this document, or
// nil. A statement applies to the finding when it names the finding's
// vulnerability (its ID or an alias) and either
//   - names the finding's component as a product, or
//   - names the SBOM's root component as the product and, if it lists
//     subcomponents, the finding's component among them.
//
// So a statement about one component never suppresses the same CVE in
// another component. The latest applicable statement wins; only
// not_affected and fixed suppress.
func (v *VEX) suppresses(doc *sbom.Document, f *Finding) *Suppression {
	ids := append(append([]string{f.ID}, f.Aliases...), f.Upstream...)
	var root *sbom.Component
	if doc != nil && doc.Root != "" {
		root = doc.Component(doc.Root)
	}
	var best *vexStatement
	var bestSupp Suppression
	for i := range v.statements {
		s := &v.statements[i]
		if !slices.ContainsFunc(s.vulns, func(x string) bool { return slices.Contains(ids, x) }) {
			continue
		}
		supp, ok := v.applies(s, doc, root, f)
		if !ok {
			continue
		}
		if best == nil || !s.ts.Before(best.ts) {
			best, bestSupp = s, supp
		}
	}
	if best == nil || (best.status != string(openvex.StatusNotAffected) && best.status != string(openvex.StatusFixed)) {
		return nil
	}
	bestSupp.Format, bestSupp.Document, bestSupp.Statement = v.Format, v.ID, best.where
	bestSupp.Status, bestSupp.Justification, bestSupp.ImpactStatement = best.status, best.justification, best.impact
	return &bestSupp
}

func (v *VEX) applies(s *vexStatement, doc *sbom.Document, root *sbom.Component, f *Finding) (Suppression, bool) {
	c := &f.Component
	for _, p := range s.products {
		for _, pid := range p.ids {
			// The product is the vulnerable component itself.
			if len(p.subs) == 0 && vexMatchID(pid, doc, c) {
				return Suppression{Product: pid}, true
			}
			// The product is the SBOM's subject, scoped by subcomponents.
			if root == nil || root.ID == c.ID || !vexMatchID(pid, doc, root) {
				continue
			}
			if len(p.subs) == 0 {
				return Suppression{Product: pid}, true
			}
			for _, sub := range p.subs {
				for _, sid := range sub {
					if vexMatchID(sid, doc, c) {
						return Suppression{Product: pid, Subcomponent: sid}, true
					}
				}
			}
		}
	}
	return Suppression{}, false
}
