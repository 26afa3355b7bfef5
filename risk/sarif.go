package risk

import (
	"errors"
	"fmt"
	"github.com/chaingate/chaingate/internal/readlimit"
	"io"
	"strconv"
	"strings"

	"github.com/chaingate/chaingate/risk/signal"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
	"github.com/owenrumney/go-sarif/v2/sarif"
)

// MaxSARIFBytes is the size limit of a SARIF report read by ReadSARIF.
const MaxSARIFBytes = 256 << 20

// ErrInvalidSARIF reports a malformed SARIF report.
var ErrInvalidSARIF = errors.New("risk: invalid SARIF report")

// SARIFInput is the results of a SAST or DAST tool's SARIF report, ready
// to be added to a Scan with WithSARIF.
type SARIFInput struct {
	// Tool is the name of the first run's tool driver.
	Tool  string
	items []Finding
}

// Len returns the number of results read.
func (s *SARIFInput) Len() int { return len(s.items) }

func (s *SARIFInput) findings() []Finding {
	out := make([]Finding, len(s.items))
	copy(out, s.items)
	return out
}

// ReadSARIF reads a SARIF 2.1.0 report (owenrumney/go-sarif/v2) and turns
// each result into a Finding: the rule id as ID, the file it points to as
// a component of type "file", and a severity from the rule's
// "security-severity" property (GitHub's convention, a CVSS-like score)
// or else from the result level (error 7.0, warning 4.0, note 1.0).
// Results suppressed in the SARIF itself are kept, marked Suppressed.
func ReadSARIF(r io.Reader) (*SARIFInput, error) {
	data, err := readlimit.ReadAll(r, MaxSARIFBytes, vulndb.ErrTooLarge)
	if err != nil {
		return nil, fmt.Errorf("risk: read SARIF: %w", err)
	}
	rep, err := sarif.FromBytes(data)
	if err != nil {
		return nil, fmt.Errorf("risk: read SARIF: %w: %v", ErrInvalidSARIF, err)
	}
	if rep.Version != "2.1.0" {
		return nil, fmt.Errorf("risk: read SARIF: %w: version %q, want 2.1.0", ErrInvalidSARIF, rep.Version)
	}
	in := &SARIFInput{}
	for ri, run := range rep.Runs {
		if run == nil {
			return nil, fmt.Errorf("risk: read SARIF runs[%d]: %w: null run", ri, ErrInvalidSARIF)
		}
		tool := run.Tool.Driver.Name
		if tool == "" {
			return nil, fmt.Errorf("risk: read SARIF runs[%d]: %w: tool.driver.name is empty", ri, ErrInvalidSARIF)
		}
		if in.Tool == "" {
			in.Tool = tool
		}
		rules := map[string]*sarif.ReportingDescriptor{}
		for _, rd := range run.Tool.Driver.Rules {
			if rd != nil {
				rules[rd.ID] = rd
			}
		}
		for i, res := range run.Results {
			if res == nil {
				return nil, fmt.Errorf("risk: read SARIF runs[%d].results[%d]: %w: null result", ri, i, ErrInvalidSARIF)
			}
			f, err := sarifFinding(tool, res, rules, run.Tool.Driver.Rules)
			if err != nil {
				return nil, fmt.Errorf("risk: read SARIF runs[%d].results[%d]: %w", ri, i, err)
			}
			in.items = append(in.items, f)
		}
	}
	return in, nil
}

func sarifFinding(tool string, res *sarif.Result, rules map[string]*sarif.ReportingDescriptor, list []*sarif.ReportingDescriptor) (Finding, error) {
	ruleID := ""
	if res.RuleID != nil {
		ruleID = *res.RuleID
	}
	var rule *sarif.ReportingDescriptor
	if ruleID != "" {
		rule = rules[ruleID]
	}
	if rule == nil && res.RuleIndex != nil && int(*res.RuleIndex) < len(list) {
		rule = list[*res.RuleIndex]
		if rule != nil && ruleID == "" {
			ruleID = rule.ID
		}
	}
	if ruleID == "" {
		return Finding{}, fmt.Errorf("%w: result has no ruleId", ErrInvalidSARIF)
	}
	f := Finding{ID: ruleID, Source: "sarif:" + tool}
	if res.Message.Text != nil {
		f.Summary = scanFirstLine(*res.Message.Text)
	}
	if f.Summary == "" && rule != nil && rule.ShortDescription != nil && rule.ShortDescription.Text != nil {
		f.Summary = *rule.ShortDescription.Text
	}
	if rule != nil && rule.HelpURI != nil {
		f.URL = *rule.HelpURI
	}
	for _, loc := range res.Locations {
		if loc == nil || loc.PhysicalLocation == nil || loc.PhysicalLocation.ArtifactLocation == nil || loc.PhysicalLocation.ArtifactLocation.URI == nil {
			continue
		}
		sl := SourceLocation{URI: *loc.PhysicalLocation.ArtifactLocation.URI}
		if rg := loc.PhysicalLocation.Region; rg != nil {
			if rg.StartLine != nil {
				sl.StartLine = *rg.StartLine
			}
			if rg.EndLine != nil {
				sl.EndLine = *rg.EndLine
			}
		}
		f.Locations = append(f.Locations, sl)
	}
	name := tool
	if len(f.Locations) > 0 {
		name = f.Locations[0].URI
	}
	f.Component = sbom.Component{ID: "sarif:" + tool + ":" + name, Type: sbom.TypeFile, Name: name}
	f.Evidence = Evidence{Level: EvidenceModule, Reason: "reported by " + tool}
	score, ok := sarifSecuritySeverity(rule)
	if !ok {
		level := "warning"
		if res.Level != nil {
			level = *res.Level
		} else if rule != nil && rule.DefaultConfiguration != nil && rule.DefaultConfiguration.Level != "" {
			level = rule.DefaultConfiguration.Level
		}
		switch level {
		case "error":
			score = 7.0
		case "note":
			score = 1.0
		case "none":
			score = 0
		default:
			score = 4.0
		}
	}
	rating := "NONE"
	switch {
	case score >= 9:
		rating = "CRITICAL"
	case score >= 7:
		rating = "HIGH"
	case score >= 4:
		rating = "MEDIUM"
	case score > 0:
		rating = "LOW"
	}
	f.Severity = []Severity{{Type: "SARIF", Score: score, Rating: rating}}
	if len(res.Suppressions) > 0 && res.Suppressions[0] != nil {
		s := res.Suppressions[0]
		f.Suppressed = &Suppression{Format: "sarif", Statement: "suppressions[0]", Status: "not_affected", Justification: s.Kind}
		if s.Justification != nil {
			f.Suppressed.ImpactStatement = *s.Justification
		}
	}
	return f, nil
}

// sarifSecuritySeverity reads a rule's "security-severity" property.
func sarifSecuritySeverity(rule *sarif.ReportingDescriptor) (float64, bool) {
	if rule == nil || rule.Properties == nil {
		return 0, false
	}
	v, ok := rule.Properties["security-severity"]
	if !ok {
		return 0, false
	}
	var s float64
	switch x := v.(type) {
	case string:
		p, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil {
			return 0, false
		}
		s = p
	case float64:
		s = x
	default:
		return 0, false
	}
	if s < 0 || s > 10 {
		return 0, false
	}
	return s, true
}

// WriteSARIF writes the report's vulnerability findings as a SARIF 2.1.0
// log for code-scanning dashboards: one rule per advisory (its primary
// id, the other ids as tags), one result per finding (a known-malicious
// package always at level error), located at the SBOM component (its first location, or its
// purl), with the priority decision and score as properties. Suppressed
// findings carry a SARIF suppression. Supply-chain signals follow, one
// rule per signal ID ("chaingate/signal/typosquat"), one result per
// signal, at level error when its source's combined risk is flagged
// (Report.SignalRisk), warning when the signal reaches
// signal.DefaultTyposquatCandidate, note otherwise.
func (r *Report) WriteSARIF(w io.Writer) error {
	log, err := sarif.New(sarif.Version210)
	if err != nil {
		return fmt.Errorf("risk: write SARIF: %w", err)
	}
	run := sarif.NewRunWithInformationURI("chaingate", "https://github.com/chaingate/chaingate")
	seen := map[string]bool{}
	for i := range r.Findings {
		f := &r.Findings[i]
		if !seen[f.ID] {
			seen[f.ID] = true
			rule := run.AddRule(f.ID).WithDescription(f.Summary)
			if f.URL != "" {
				rule.WithHelpURI(f.URL)
			}
			tags := []string{"security"}
			if f.Malicious {
				tags = append(tags, "malicious-package")
			}
			props := sarif.Properties{"tags": append(tags, f.Aliases...)}
			if sev, ok := cvssMax(f.Severity); ok {
				props["security-severity"] = strconv.FormatFloat(sev.Score, 'f', 1, 64)
			}
			rule.WithProperties(props)
		}
		level := "note"
		switch f.Priority.Decision {
		case Act, Attend:
			level = "error"
		case TrackStar:
			level = "warning"
		}
		msg := fmt.Sprintf("%s %s is affected by %s (%s)", f.Component.Name, f.Version, f.ID, f.Summary)
		if f.Malicious {
			level = "error"
			msg = fmt.Sprintf("%s %s is a known-malicious package (%s: %s); remove it and treat machines that installed it as compromised", f.Component.Name, f.Version, f.ID, f.Summary)
		}
		if len(f.Fixed) > 0 {
			msg += "; fixed in " + strings.Join(f.Fixed, ", ")
		}
		res := sarif.NewRuleResult(f.ID).WithLevel(level).WithMessage(sarif.NewTextMessage(msg))
		uri := f.Component.PURL
		if len(f.Component.Locations) > 0 {
			uri = f.Component.Locations[0].Path
		}
		if len(f.Locations) > 0 {
			uri = f.Locations[0].URI
		}
		if uri == "" {
			uri = f.Component.Name
		}
		res.AddLocation(sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewSimpleArtifactLocation(uri))))
		res.Properties = sarif.Properties{
			"priority":  string(f.Priority.Decision),
			"score":     f.Priority.Score,
			"component": f.Component.PURL,
			"evidence":  string(f.Evidence.Level),
		}
		if f.Malicious {
			res.Properties["malicious"] = true
		}
		if f.Suppressed != nil {
			j := fmt.Sprintf("%s %s: %s %s", f.Suppressed.Format, f.Suppressed.Statement, f.Suppressed.Status, f.Suppressed.Justification)
			res.Suppressions = []*sarif.Suppression{{Kind: "external", Justification: &j}}
		}
		run.AddResult(res)
	}
	r.sarifSignals(run)
	if run.Results == nil {
		run.Results = []*sarif.Result{}
	}
	log.AddRun(run)
	if err := log.PrettyWrite(w); err != nil {
		return fmt.Errorf("risk: write SARIF: %w", err)
	}
	return nil
}

func (r *Report) sarifSignals(run *sarif.Run) {
	flagged := map[string]bool{}
	for _, sr := range r.SignalRisk {
		flagged[sr.Source] = sr.Score.Flagged
	}
	seen := map[string]bool{}
	for _, sg := range r.Signals {
		id := "chaingate/signal/" + sg.ID
		if !seen[id] {
			seen[id] = true
			run.AddRule(id).WithDescription("supply-chain signal " + sg.ID).
				WithProperties(sarif.Properties{"tags": []string{"security", "supply-chain"}})
		}
		level := "note"
		switch {
		case flagged[sg.Source] || (sg.Score != nil && sg.Score.Flagged):
			level = "error"
		case sg.Value >= signal.DefaultTyposquatCandidate:
			level = "warning"
		}
		msg := fmt.Sprintf("%s on %s (%.2f)", sg.ID, sg.Source, sg.Value)
		if len(sg.Evidence) > 0 {
			msg += ": " + sg.Evidence[0]
		}
		res := sarif.NewRuleResult(id).WithLevel(level).WithMessage(sarif.NewTextMessage(msg))
		res.AddLocation(sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewSimpleArtifactLocation(sg.Source))))
		props := sarif.Properties{"value": sg.Value, "evidence": sg.Evidence}
		if sg.Score != nil {
			props["model"], props["target"], props["flagged"] = sg.Score.Model, sg.Score.Target, sg.Score.Flagged
		}
		res.Properties = props
		run.AddResult(res)
	}
}
