package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/risk/signal"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
	"github.com/chaingate/chaingate/verify"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/package-url/packageurl-go"
)

// InputBuilder assembles an Input from the results of the other chaingate
// packages. Its methods record the first error; Build returns it.
//
//	in, err := policy.NewInputBuilder().
//		WithArtifactRef("ghcr.io/acme/api@sha256:...").
//		WithSBOM(doc).WithRisk(report).WithVerification(result).
//		WithTime(time.Now()).
//		Build()
type InputBuilder struct {
	in   Input
	errs []error
}

// NewInputBuilder starts an Input with the current schema version.
func NewInputBuilder() *InputBuilder {
	return &InputBuilder{in: Input{SchemaVersion: InputSchemaVersion}}
}

// Build returns the Input, or the errors met while building it.
func (b *InputBuilder) Build() (*Input, error) {
	if err := errors.Join(b.errs...); err != nil {
		return nil, err
	}
	in := b.in
	return &in, nil
}

// WithArtifact sets the artifact as given.
func (b *InputBuilder) WithArtifact(a Artifact) *InputBuilder {
	b.in.Artifact = a
	return b
}

// WithArtifactRef parses an OCI image reference (with go-containerregistry)
// into the artifact's name, registry, repository, tag and digest.
func (b *InputBuilder) WithArtifactRef(ref string) *InputBuilder {
	r, err := name.ParseReference(ref, name.StrictValidation)
	if err != nil {
		b.errs = append(b.errs, fmt.Errorf("policy: artifact reference %q: %w: %w", ref, ErrInvalidInput, err))
		return b
	}
	repo := r.Context()
	a := Artifact{
		Name:       repo.Name(),
		Reference:  ref,
		Registry:   repo.RegistryStr(),
		Repository: repo.RepositoryStr(),
		Type:       "image",
	}
	switch r := r.(type) {
	case name.Digest:
		a.Digest = r.DigestStr()
		// "repo:tag@sha256:..." keeps its tag in the string only.
		if at := strings.LastIndex(ref, "@"); at > 0 {
			if t, err := name.NewTag(ref[:at], name.StrictValidation); err == nil && strings.Contains(ref[:at][strings.LastIndex(ref[:at], "/")+1:], ":") {
				a.Tag = t.TagStr()
			}
		}
	case name.Tag:
		a.Tag = r.TagStr()
	}
	b.in.Artifact = a
	return b
}

// WithTime sets the decision time (UTC, RFC 3339).
func (b *InputBuilder) WithTime(t time.Time) *InputBuilder {
	b.in.Time = t.UTC().Format(time.RFC3339)
	return b
}

// WithContext sets one key of the caller context. The value must be
// JSON-like (see Input.Context).
func (b *InputBuilder) WithContext(key string, value any) *InputBuilder {
	if b.in.Context == nil {
		b.in.Context = map[string]any{}
	}
	b.in.Context[key] = value
	return b
}

// WithGitOps sets the promotion context.
func (b *InputBuilder) WithGitOps(g GitOps) *InputBuilder {
	b.in.GitOps = &g
	return b
}

// WithProvenance sets the provenance part as given (see WithVerification
// to derive it from a verify.Result).
func (b *InputBuilder) WithProvenance(p Provenance) *InputBuilder {
	b.in.Provenance = &p
	return b
}

// WithSBOM summarises an SBOM document: every component with its licence
// (concluded, else declared), hashes and scope, and counts of what they
// lack. When the artifact has no digest yet and the document was made from
// an image, the image's reference and digest fill it.
func (b *InputBuilder) WithSBOM(doc *sbom.Document) *InputBuilder {
	if doc == nil {
		b.in.SBOM = nil
		return b
	}
	b.in.SBOM = SBOMFromDocument(doc)
	if img := doc.Image; img != nil && b.in.Artifact.Digest == "" {
		if b.in.Artifact.Name == "" && img.Reference != "" {
			if _, err := name.ParseReference(img.Reference, name.StrictValidation); err == nil {
				b.WithArtifactRef(img.Reference)
			} else {
				b.in.Artifact.Name = img.Reference // not an OCI reference (an archive path, say)
			}
		}
		b.in.Artifact.Digest = img.Digest
		if b.in.Artifact.Type == "" {
			b.in.Artifact.Type = "image"
		}
	}
	return b
}

// SBOMFromDocument converts an sbom.Document to the Input's SBOM part.
func SBOMFromDocument(doc *sbom.Document) *SBOM {
	s := &SBOM{
		Format:      string(doc.Format),
		SpecVersion: doc.SpecVersion,
		Components:  make([]Component, 0, len(doc.Components)),
	}
	for i := range doc.Components {
		c := &doc.Components[i]
		pc := Component{
			ID: c.ID, Type: string(c.Type), Group: c.Group, Name: c.Name, Version: c.Version,
			PURL: c.PURL, Scope: string(c.Scope),
		}
		pc.License = c.LicenseConcluded
		if pc.License == "" || pc.License == "NOASSERTION" || pc.License == "NONE" {
			pc.License = c.LicenseDeclared
		}
		if len(c.Hashes) > 0 {
			pc.Hashes = make(map[string]string, len(c.Hashes))
			for _, h := range c.Hashes {
				pc.Hashes[h.Algorithm] = h.Value
			}
		}
		s.Components = append(s.Components, pc)
		s.Summary.Components++
		if pc.Version != "" {
			s.Summary.WithVersion++
		}
		if pc.PURL != "" {
			s.Summary.WithPURL++
		}
		if pc.License != "" && pc.License != "NOASSERTION" && pc.License != "NONE" {
			s.Summary.WithLicense++
		}
		if len(pc.Hashes) > 0 {
			s.Summary.WithHash++
		}
		if c.Scope == sbom.ScopeExcluded {
			s.Summary.DevComponents++
		}
	}
	for _, d := range doc.Dependencies {
		s.Summary.Dependencies += len(d.DependsOn)
		if doc.Root != "" && d.Ref == doc.Root {
			s.Summary.Direct = len(d.DependsOn)
		}
	}
	s.Summary.Limitations = len(doc.Limitations)
	return s
}

// riskPriorities maps risk's SSVC-style decisions onto the severity
// vocabulary the Input (and the library's thresholds) use.
var riskPriorities = map[risk.Decision]string{
	risk.Act:       "critical",
	risk.Attend:    "high",
	risk.TrackStar: "medium",
	risk.Track:     "low",
}

// WithRisk converts a risk.Report: one Finding per report finding, that
// is per advisory (its aliases and upstream IDs as Aliases, Malicious
// carried), VEX
// suppressions kept (Suppressed set) so policies can count them, the
// priority decision mapped Act→critical, Attend→high, Track*→medium,
// Track→low, and the highest CVSS rating as severity. The report does not
// record when a fix was published, so FixedSince stays empty (the
// library then treats an available fix as overdue: fail closed).
func (b *InputBuilder) WithRisk(r *risk.Report) *InputBuilder {
	if r == nil {
		b.in.Risk = nil
		return b
	}
	b.in.Risk = RiskFromReport(r)
	return b
}

// RiskFromReport converts a risk.Report to the Input's Risk part (see
// InputBuilder.WithRisk).
func RiskFromReport(r *risk.Report) *Risk {
	out := &Risk{Findings: make([]Finding, 0, len(r.Findings))}
	for i := range r.Findings {
		f := &r.Findings[i]
		pf := Finding{
			ID:            f.ID,
			Aliases:       append(slices.Clone(f.Aliases), f.Upstream...),
			Kind:          "vulnerability",
			Component:     f.Component.ID,
			Package:       f.Package,
			Version:       f.Version,
			PURL:          f.Component.PURL,
			Priority:      riskPriorities[f.Priority.Decision],
			Score:         f.Priority.Score,
			FixedVersions: slices.Clone(f.Fixed),
			Malicious:     f.Malicious,
			EvidenceLevel: string(f.Evidence.Level),
			Symbols:       slices.Clone(f.Evidence.Symbols),
		}
		if pf.Package == "" {
			pf.Package = f.Component.Name
		}
		if pf.Version == "" {
			pf.Version = f.Component.Version
		}
		if strings.HasPrefix(f.Source, "sarif:") {
			pf.Kind = f.Source
		}
		for _, s := range f.Severity {
			// GitHub's severity word (Type "GHSA") names a severity but is
			// no CVSS score: it fills Severity only when no vector does.
			if s.Type == "GHSA" {
				if pf.Severity == "" {
					pf.Severity = strings.ToLower(s.Rating)
				}
				continue
			}
			if s.Score > pf.CVSS {
				pf.CVSS = s.Score
				pf.Severity = strings.ToLower(s.Rating)
			}
		}
		if f.EPSS != nil {
			pf.EPSS = f.EPSS.Score
		}
		if f.KEV != nil {
			pf.KEV = true
			out.Summary.KEV++
		}
		if f.Suppressed != nil {
			pf.Suppressed = true
			pf.VEXStatus = f.Suppressed.Status
			pf.VEXJustification = f.Suppressed.Justification
			out.Summary.Suppressed++
		}
		out.Findings = append(out.Findings, pf)
		out.Summary.Total++
		switch pf.Priority {
		case "critical":
			out.Summary.Critical++
		case "high":
			out.Summary.High++
		case "medium":
			out.Summary.Medium++
		case "low":
			out.Summary.Low++
		}
	}
	for _, sg := range r.Signals {
		ps := Signal{ID: sg.ID, Source: sg.Source, Value: sg.Value, Flagged: sg.Value >= signal.RiskThreshold,
			Evidence: slices.Clone(sg.Evidence)}
		if sg.Score != nil {
			ps.Flagged, ps.Model, ps.Target = sg.Score.Flagged, sg.Score.Model, sg.Score.Target
		}
		out.Signals = append(out.Signals, ps)
		out.Summary.Signals++
		if ps.Flagged {
			out.Summary.SignalsFlagged++
		}
	}
	for i := range r.Unassessed {
		out.Unassessed = append(out.Unassessed, unassessedFromReport(r, &r.Unassessed[i]))
		out.Summary.Unassessed++
	}
	for _, sr := range r.SignalRisk {
		out.SignalRisk = append(out.SignalRisk, SignalRisk{Source: sr.Source, Signals: slices.Clone(sr.Signals),
			Value: sr.Score.Value, Flagged: sr.Score.Flagged, Evidence: slices.Clone(sr.Score.Evidence)})
		if sr.Score.Flagged {
			out.Summary.SourcesFlagged++
		}
	}
	return out
}

// WithVerification derives the provenance part from a verify.Result:
// Present when it carries a Statement or an SLSA summary, Verified from
// the result, builder, build type, source and ref from its SLSA summary,
// the signers, and the failed checks as Errors. SLSALevel is 0 without
// provenance, 1 for provenance that did not verify, 2 for verified signed
// provenance (SLSA Build L2: hosted build, signed provenance); set level 3
// yourself (WithProvenance) when you know the builder is hardened.
func (b *InputBuilder) WithVerification(r *verify.Result) *InputBuilder {
	if r == nil {
		b.in.Provenance = nil
		return b
	}
	b.in.Provenance = ProvenanceFromResult(r)
	return b
}

// ProvenanceFromResult converts a verify.Result (see
// InputBuilder.WithVerification). Builder, source and ref come only from
// r.SLSA, which verify fills after checking the builder claim against the
// signing certificate; a Statement without it is present but carries no
// builder (so builder allow lists fail closed).
func ProvenanceFromResult(r *verify.Result) *Provenance {
	p := &Provenance{Verified: r.Verified}
	if r.Statement != nil {
		p.Present = true
		p.PredicateType = r.Statement.PredicateType
	}
	if s := r.SLSA; s != nil {
		p.Present = true
		p.PredicateType = s.PredicateType
		p.BuilderID = s.BuilderID
		p.BuildType = s.BuildType
		p.SourceRepository = s.SourceURI
		p.SourceRef = s.Ref
		if s.Commit != "" {
			p.SourceDigest = "sha1:" + s.Commit
		}
	}
	switch {
	case p.Present && p.Verified:
		p.SLSALevel = 2
	case p.Present:
		p.SLSALevel = 1
	}
	signers := r.Signers
	if len(signers) == 0 && r.Signer != nil {
		signers = []verify.Signer{*r.Signer}
	}
	for _, s := range signers {
		p.Signers = append(p.Signers, Signer{Issuer: s.Issuer, Subject: s.SubjectAlternativeName, KeyID: s.KeyID})
	}
	for _, c := range r.Checks {
		if !c.Passed {
			p.Errors = append(p.Errors, c.Name+": "+c.Detail)
		}
	}
	if !r.Verified && len(p.Errors) == 0 {
		p.Errors = []string{"not verified"}
	}
	return p
}

func unassessedFromReport(r *risk.Report, u *risk.Unassessed) Unassessed {
	c := &u.Component
	return Unassessed{
		Component:  c.ID,
		Package:    c.Name,
		Version:    c.Version,
		PURL:       c.PURL,
		Ecosystem:  policyEcosystem(c),
		Root:       c.ID != "" && c.ID == r.Document.Root,
		Reason:     u.Reason,
		Advisories: slices.Clone(u.IDs),
	}
}

// policyPURLEcosystems maps purl types to the OSV ecosystems whose
// databases cover them (the OSV schema's ecosystem list).
var policyPURLEcosystems = map[string]string{
	"golang": "Go", "npm": "npm", "pypi": "PyPI", "maven": "Maven", "cargo": "crates.io",
	"gem": "RubyGems", "nuget": "NuGet", "composer": "Packagist", "hex": "Hex", "pub": "Pub",
	"swift": "SwiftURL", "conan": "ConanCenter", "cran": "CRAN", "hackage": "Hackage",
}

// policyDistroEcosystems maps deb, apk and rpm purl namespaces to OSV's
// distribution ecosystems.
var policyDistroEcosystems = map[string]string{
	"debian": "Debian", "ubuntu": "Ubuntu", "alpine": "Alpine", "wolfi": "Wolfi", "chainguard": "Chainguard",
	"redhat": "Red Hat", "rocky": "Rocky Linux", "almalinux": "AlmaLinux", "opensuse": "openSUSE", "suse": "SUSE",
	"mageia": "Mageia", "photon": "Photon OS", "azure-linux": "Azure Linux",
}

// policyEcosystem names a component's OSV ecosystem: its
// vulndb.PropertyOSVEcosystem property, else what its purl's type (and, for
// distribution packages, namespace) implies; "" when neither says.
func policyEcosystem(c *sbom.Component) string {
	if v, ok := c.Property(vulndb.PropertyOSVEcosystem); ok && v != "" {
		return v
	}
	if c.PURL == "" {
		return ""
	}
	p, err := packageurl.FromString(c.PURL)
	if err != nil {
		return ""
	}
	if eco, ok := policyPURLEcosystems[p.Type]; ok {
		return eco
	}
	switch p.Type {
	case "deb", "apk", "rpm":
		return policyDistroEcosystems[strings.ToLower(p.Namespace)]
	}
	return ""
}
