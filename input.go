package chaingate

import (
	"strings"
	"time"

	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/sbom"
)

// buildInput assembles the policy input from what the stages found.
func buildInput(c Candidate, now time.Time, prov *policy.Provenance, doc *sbom.Document, rep *risk.Report) *policy.Input {
	in := &policy.Input{
		SchemaVersion: policy.InputSchemaVersion,
		Time:          now.UTC().Format(time.RFC3339),
		Artifact:      artifactInput(c),
		Provenance:    prov,
		Context:       c.Context,
	}
	if doc != nil {
		in.SBOM = sbomInput(doc)
	}
	if rep != nil {
		in.Risk = riskInput(rep)
	}
	if c.GitOps != nil {
		g := *c.GitOps
		if g.Environment == "" {
			g.Environment = c.Environment
		}
		in.GitOps = &g
	} else if c.Environment != "" {
		in.GitOps = &policy.GitOps{Environment: c.Environment}
	}
	return in
}

// artifactInput splits an image reference into the parts policies match on.
func artifactInput(c Candidate) policy.Artifact {
	a := policy.Artifact{Name: c.Image, Reference: c.Image, Digest: c.Digest, Type: "image"}
	name := c.Image
	if at := strings.Index(name, "@"); at >= 0 {
		if a.Digest == "" {
			a.Digest = name[at+1:]
		}
		name = name[:at]
	}
	// A tag is the part after the last colon that comes after the last slash.
	if colon := strings.LastIndex(name, ":"); colon > strings.LastIndex(name, "/") {
		a.Tag = name[colon+1:]
		name = name[:colon]
	}
	a.Name = name
	if slash := strings.Index(name, "/"); slash > 0 {
		host := name[:slash]
		if strings.ContainsAny(host, ".:") || host == "localhost" {
			a.Registry = host
			a.Repository = name[slash+1:]
		}
	}
	if a.Registry == "" {
		// Docker Hub's implicit registry, as every container runtime reads it.
		a.Registry = "docker.io"
		a.Repository = name
		if !strings.Contains(name, "/") {
			a.Repository = "library/" + name
		}
	}
	return a
}

func sbomInput(doc *sbom.Document) *policy.SBOM {
	s := &policy.SBOM{
		Format:      doc.Format.String(),
		SpecVersion: doc.SpecVersion,
		Components:  make([]policy.Component, 0, len(doc.Components)),
	}
	s.Summary.Components = len(doc.Components)
	s.Summary.Limitations = len(doc.Limitations)
	for _, c := range doc.Components {
		pc := policy.Component{
			ID:      c.ID,
			Type:    string(c.Type),
			Group:   c.Group,
			Name:    c.Name,
			Version: c.Version,
			PURL:    c.PURL,
			License: c.LicenseConcluded,
			Scope:   string(c.Scope),
		}
		if pc.License == "" || pc.License == "NOASSERTION" {
			pc.License = c.LicenseDeclared
		}
		if len(c.Hashes) > 0 {
			pc.Hashes = make(map[string]string, len(c.Hashes))
			for _, h := range c.Hashes {
				pc.Hashes[h.Algorithm] = h.Value
			}
			s.Summary.WithHash++
		}
		if c.Version != "" {
			s.Summary.WithVersion++
		} else {
			s.Summary.Unknown++
		}
		if c.PURL != "" {
			s.Summary.WithPURL++
		}
		if pc.License != "" && pc.License != "NOASSERTION" {
			s.Summary.WithLicense++
		}
		if c.Scope == sbom.ScopeExcluded {
			s.Summary.DevComponents++
		}
		s.Components = append(s.Components, pc)
	}
	s.Summary.Dependencies = len(doc.Dependencies)
	return s
}

// priorityRank maps risk's SSVC-style decisions onto the severity-like
// ranks the policy library compares.
var priorityRank = map[risk.Decision]string{
	risk.Act:       "critical",
	risk.Attend:    "high",
	risk.TrackStar: "medium",
	risk.Track:     "low",
}

func riskInput(rep *risk.Report) *policy.Risk {
	r := &policy.Risk{Findings: make([]policy.Finding, 0, len(rep.Findings))}
	for _, f := range rep.Findings {
		pf := policy.Finding{
			ID:            f.ID,
			Aliases:       f.Aliases,
			Kind:          "vulnerability",
			Component:     f.Component.ID,
			Package:       f.Package,
			Version:       f.Version,
			PURL:          f.Component.PURL,
			Priority:      priorityRank[f.Priority.Decision],
			Score:         f.Priority.Score,
			FixedVersions: f.Fixed,
		}
		if pf.Package == "" {
			pf.Package = f.Component.Name
		}
		if pf.Version == "" {
			pf.Version = f.Component.Version
		}
		for _, s := range f.Severity {
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
			r.Summary.KEV++
		}
		if f.Suppressed != nil {
			pf.Suppressed = true
			pf.VEXStatus = f.Suppressed.Status
			pf.VEXJustification = f.Suppressed.Justification
			r.Summary.Suppressed++
		}
		switch pf.Severity {
		case "critical":
			r.Summary.Critical++
		case "high":
			r.Summary.High++
		case "medium", "moderate":
			r.Summary.Medium++
		case "low":
			r.Summary.Low++
		}
		r.Findings = append(r.Findings, pf)
	}
	r.Summary.Total = len(r.Findings)
	return r
}
