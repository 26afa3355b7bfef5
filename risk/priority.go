package risk

import (
	"fmt"
	"math"

	"github.com/chaingate/chaingate/sbom"
)

// Decision is an SSVC-style decision ("Deployer" tree, simplified): what a
// team should do about a finding.
type Decision string

// Decisions, most urgent first.
const (
	// Act: known exploited and relevant: fix now, out of cycle.
	Act Decision = "Act"
	// Attend: exploitation is known or likely: fix sooner than usual.
	Attend Decision = "Attend"
	// TrackStar: no sign of exploitation but severe: watch closely, fix
	// in the normal cycle.
	TrackStar Decision = "Track*"
	// Track: fix in the normal cycle.
	Track Decision = "Track"
)

// rank orders decisions (Act = 3 ... Track = 0).
func (d Decision) rank() int {
	switch d {
	case Act:
		return 3
	case Attend:
		return 2
	case TrackStar:
		return 1
	}
	return 0
}

// Priority is a finding's decision with an ordinal score and the reasons
// for both. Scores of different decisions never overlap: every Act
// scores above every Attend, and so on, so sorting by Score sorts by
// Decision first.
type Priority struct {
	Decision Decision `json:"decision"`
	// Score is in [0, 100]: Act in [75, 100] (100 only for a
	// known-malicious package), Attend in [50, 75), Track* in [25, 50),
	// Track in [0, 25).
	Score   float64          `json:"score"`
	Reasons []PriorityReason `json:"reasons"`
}

// PriorityReason is one factor of a priority.
type PriorityReason struct {
	// Factor is "malicious", "kev", "epss", "severity", "fix",
	// "relationship", "scope", "evidence" or "vex".
	Factor string `json:"factor"`
	// Value is the factor's input in words ("in CISA KEV", "0.42").
	Value string `json:"value"`
	// Contribution is the factor's share of the score within the band.
	Contribution float64 `json:"contribution"`
	Message      string  `json:"message"`
}

// PriorityConfig tunes prioritisation. Its zero value is the default:
// every zero field takes the default in its comment. A negative weight
// switches a factor off.
type PriorityConfig struct {
	// Weights of each factor in the within-band score.
	KEVWeight          float64 // default 4
	EPSSWeight         float64 // default 3
	SeverityWeight     float64 // default 2
	FixWeight          float64 // default 1
	RelationshipWeight float64 // default 1
	ScopeWeight        float64 // default 1
	EvidenceWeight     float64 // default 1
	// HighEPSS is the EPSS probability from which exploitation counts as
	// likely (default 0.1, about the top 3% of CVEs).
	HighEPSS float64
	// CriticalCVSS is the base score from which a finding is severe
	// enough for Track* (default 9.0).
	CriticalCVSS float64
	// UnknownSeverity is the score assumed for a finding without a
	// usable CVSS vector, as the Go vulndb's entries are (default 5.0).
	UnknownSeverity float64
}

func priorityDef(v, d float64) float64 {
	switch {
	case v == 0:
		return d
	case v < 0:
		return 0
	}
	return v
}

func (c PriorityConfig) withDefaults() PriorityConfig {
	c.KEVWeight = priorityDef(c.KEVWeight, 4)
	c.EPSSWeight = priorityDef(c.EPSSWeight, 3)
	c.SeverityWeight = priorityDef(c.SeverityWeight, 2)
	c.FixWeight = priorityDef(c.FixWeight, 1)
	c.RelationshipWeight = priorityDef(c.RelationshipWeight, 1)
	c.ScopeWeight = priorityDef(c.ScopeWeight, 1)
	c.EvidenceWeight = priorityDef(c.EvidenceWeight, 1)
	c.HighEPSS = priorityDef(c.HighEPSS, 0.1)
	c.CriticalCVSS = priorityDef(c.CriticalCVSS, 9.0)
	c.UnknownSeverity = priorityDef(c.UnknownSeverity, 5.0)
	return c
}

// Prioritize computes a finding's priority from what the finding carries
// (KEV, EPSS, severity, fixed versions, relationship, the component's
// scope, evidence and VEX suppression).
//
// The decision comes first, as a small tree:
//   - the vulnerable code is not in the build (evidence package-absent or
//     symbol-absent) → Track, scored below every finding whose code may
//     be in the build (in [0, 1); the others' Track scores are in [1, 25));
//   - known exploited (KEV) → Act; Attend if the component is not in the
//     runtime (dev/test scope);
//   - likely exploited (EPSS ≥ HighEPSS) → Attend; Track* if not in the
//     runtime;
//   - otherwise severe (CVSS ≥ CriticalCVSS) → Track*; else Track.
//
// A known-malicious package (Finding.Malicious) is Act with score 100,
// above every other finding whatever its CVSS, EPSS, fix or VEX
// statement: the package was published to attack whoever installs it,
// so there is no version to wait for and nothing a "not affected"
// statement can scope away. A finding suppressed by VEX is otherwise
// Track with score 0. The score then places
// the finding inside its decision's band by the weighted factors, so a
// known-exploited medium always ranks above an unexploited critical.
func (c PriorityConfig) Prioritize(f *Finding) Priority {
	cfg := c.withDefaults()
	var reasons []PriorityReason
	if f.Malicious {
		msg := "known-malicious package (" + f.ID + "): treat any machine that installed it as compromised, remove it and rotate its secrets"
		if f.Suppressed != nil {
			msg += fmt.Sprintf("; the %s statement (%s) does not lift it", f.Suppressed.Format, f.Suppressed.Status)
		}
		return Priority{Decision: Act, Score: 100, Reasons: []PriorityReason{{
			Factor: "malicious", Value: "known malicious", Contribution: 25, Message: msg,
		}}}
	}
	if f.Suppressed != nil {
		return Priority{Decision: Track, Score: 0, Reasons: []PriorityReason{{
			Factor: "vex", Value: f.Suppressed.Status,
			Message: fmt.Sprintf("suppressed by %s statement (%s)", f.Suppressed.Format, f.Suppressed.Status),
		}}}
	}
	type factor struct {
		name, value, msg string
		x, w             float64
	}
	fs := make([]factor, 0, 7)

	kev := f.KEV != nil
	if kev {
		fs = append(fs, factor{"kev", "in CISA KEV", "known exploited in the wild (CISA KEV, added " + f.KEV.DateAdded + ")", 1, cfg.KEVWeight})
	} else {
		fs = append(fs, factor{"kev", "not in KEV", "not in the CISA KEV catalogue supplied", 0, cfg.KEVWeight})
	}
	epss := 0.0
	if f.EPSS != nil {
		epss = f.EPSS.Score
		fs = append(fs, factor{"epss", fmt.Sprintf("%.4f", epss), fmt.Sprintf("EPSS %.1f%% probability of exploitation in 30 days (percentile %.2f)", 100*epss, f.EPSS.Percentile), epss, cfg.EPSSWeight})
	} else {
		fs = append(fs, factor{"epss", "unknown", "no EPSS score", 0, cfg.EPSSWeight})
	}
	likely := f.EPSS != nil && epss >= cfg.HighEPSS
	sev, hasSev := cvssMax(f.Severity)
	score := cfg.UnknownSeverity
	switch {
	case hasSev && sev.Type == "GHSA":
		score = sev.Score
		fs = append(fs, factor{"severity", fmt.Sprintf("%.1f", score), fmt.Sprintf("GitHub severity %s from %s (no CVSS vector; scored %.1f, the bottom of its band)", sev.Rating, sev.Source, score), score / 10, cfg.SeverityWeight})
	case hasSev:
		score = sev.Score
		msg := fmt.Sprintf("CVSS %s %.1f (%s)", sev.Type, score, sev.Rating)
		if sev.Source != "" && sev.Source != f.ID {
			msg += " from " + sev.Source
		}
		fs = append(fs, factor{"severity", fmt.Sprintf("%.1f", score), msg, score / 10, cfg.SeverityWeight})
	default:
		fs = append(fs, factor{"severity", "unknown", fmt.Sprintf("no CVSS vector; assumed %.1f", score), score / 10, cfg.SeverityWeight})
	}
	if len(f.Fixed) > 0 {
		fs = append(fs, factor{"fix", "available", "fixed in " + f.Fixed[0], 1, cfg.FixWeight})
	} else {
		fs = append(fs, factor{"fix", "none", "no fixed version known", 0, cfg.FixWeight})
	}
	switch f.Relationship {
	case "direct":
		fs = append(fs, factor{"relationship", "direct", "direct dependency: the project can upgrade it itself", 1, cfg.RelationshipWeight})
	case "transitive":
		fs = append(fs, factor{"relationship", "transitive", "transitive dependency", 0, cfg.RelationshipWeight})
	default:
		fs = append(fs, factor{"relationship", "unknown", "dependency relationship unknown", 0.5, cfg.RelationshipWeight})
	}
	runtime := f.Component.Scope != sbom.ScopeExcluded
	if dev, _ := f.Component.Property("cdx:npm:package:development"); dev == "true" {
		runtime = false
	}
	if runtime {
		fs = append(fs, factor{"scope", "runtime", "component is in the runtime", 1, cfg.ScopeWeight})
	} else {
		fs = append(fs, factor{"scope", "dev/test", "component is a development or test dependency (scope excluded)", 0, cfg.ScopeWeight})
	}
	inBuild := f.Evidence.Level != EvidencePackageAbsent && f.Evidence.Level != EvidenceSymbolAbsent
	switch f.Evidence.Level {
	case EvidenceSymbol:
		fs = append(fs, factor{"evidence", "symbol", "a vulnerable function is in the binary", 1, cfg.EvidenceWeight})
	case EvidencePackage:
		fs = append(fs, factor{"evidence", "package", "affected package is in the build", 0.8, cfg.EvidenceWeight})
	case EvidencePackageAbsent:
		fs = append(fs, factor{"evidence", "package-absent", "none of the affected packages is in the build", 0, cfg.EvidenceWeight})
	case EvidenceSymbolAbsent:
		fs = append(fs, factor{"evidence", "symbol-absent", "the affected package is in the binary but none of its vulnerable functions", 0, cfg.EvidenceWeight})
	default:
		fs = append(fs, factor{"evidence", "module", "affected version of the module (package use not known)", 0.5, cfg.EvidenceWeight})
	}

	relevant := runtime && inBuild
	var d Decision
	switch {
	case !inBuild:
		// The vulnerable code is not in the build: below every finding
		// whose code may be (see the score below), whatever else.
		d = Track
	case kev && relevant:
		d = Act
	case kev || (likely && relevant):
		d = Attend
	case likely || score >= cfg.CriticalCVSS:
		d = TrackStar
	default:
		d = Track
	}
	var sum, wsum float64
	for _, x := range fs {
		sum += x.x * x.w
		wsum += x.w
	}
	within := 0.0
	if wsum > 0 {
		within = sum / wsum
	}
	reasons = make([]PriorityReason, 0, len(fs))
	for _, x := range fs {
		contrib := 0.0
		if wsum > 0 {
			contrib = math.Round(25*x.x*x.w/wsum*100) / 100
		}
		reasons = append(reasons, PriorityReason{Factor: x.name, Value: x.value, Contribution: contrib, Message: x.msg})
	}
	// Keep the score strictly inside the band so bands never touch.
	s := float64(d.rank())*25 + math.Min(within, 0.999)*25
	if d == Track {
		// Absent code in [0, 1), code that may be in the build in [1, 25).
		if inBuild {
			s = math.Max(s, 1)
		} else {
			s = math.Min(within, 0.999)
		}
	}
	return Priority{Decision: d, Score: math.Round(s*100) / 100, Reasons: reasons}
}
