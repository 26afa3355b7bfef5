package risk

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// MarkdownOptions tunes WriteMarkdown. The zero value lists at most 20
// active findings.
type MarkdownOptions struct {
	// MaxFindings limits the findings table (default 20; negative: no
	// limit).
	MaxFindings int
}

// WriteMarkdown writes a summary of the report fit for a pull-request
// comment: counts by decision, the known-malicious packages first under
// their own heading (all of them), the top other findings with their reasons and
// fixes, the suppressed findings with the VEX statements that suppressed
// them, how many components could not be assessed, and the supply-chain
// signals combined per source (Report.SignalRisk), highest first.
func (r *Report) WriteMarkdown(w io.Writer, opts MarkdownOptions) error {
	limit := opts.MaxFindings
	if limit == 0 {
		limit = 20
	}
	var b strings.Builder
	s := r.Summary
	fmt.Fprintf(&b, "### chaingate risk report\n\n")
	fmt.Fprintf(&b, "**%d** active finding(s): %d Act, %d Attend, %d Track\\*, %d Track; %d suppressed by VEX; %d component(s) not assessed.\n\n",
		s.Findings, s.ByDecision[Act], s.ByDecision[Attend], s.ByDecision[TrackStar], s.ByDecision[Track], s.Suppressed, s.Unassessed)
	var active, suppressed, malicious []*Finding
	for i := range r.Findings {
		switch f := &r.Findings[i]; {
		case f.Malicious:
			malicious = append(malicious, f)
		case f.Suppressed == nil:
			active = append(active, f)
		default:
			suppressed = append(suppressed, f)
		}
	}
	if len(malicious) > 0 {
		// Never cut by MaxFindings: each one is a compromised machine.
		fmt.Fprintf(&b, "#### Known-malicious packages\n\n**%d** known-malicious package(s): remove them and treat every machine that installed them as compromised.\n\n", len(malicious))
		b.WriteString("| ID | Component | Summary |\n|---|---|---|\n")
		for _, f := range malicious {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", mdLink(f.ID, f.URL)+mdAliases(f.Aliases), mdEscape(f.Component.Name+" "+f.Version), mdEscape(f.Summary))
		}
		b.WriteString("\n")
		if len(active) > 0 {
			b.WriteString("#### Vulnerabilities\n\n")
		}
	}
	if len(active) > 0 {
		b.WriteString("| Priority | ID | Component | Fixed in | Why |\n|---|---|---|---|---|\n")
		for i, f := range active {
			if limit > 0 && i >= limit {
				fmt.Fprintf(&b, "\n…and %d more.\n", len(active)-limit)
				break
			}
			fixed := "no fix"
			if len(f.Fixed) > 0 {
				fixed = strings.Join(f.Fixed, ", ")
			}
			fmt.Fprintf(&b, "| %s (%.1f) | %s | %s | %s | %s |\n",
				mdEscape(string(f.Priority.Decision)), f.Priority.Score, mdLink(f.ID, f.URL)+mdAliases(f.Aliases),
				mdEscape(f.Component.Name+" "+f.Version), mdEscape(fixed), mdEscape(mdWhy(f)))
		}
	}
	if len(suppressed) > 0 {
		b.WriteString("\n<details><summary>Suppressed by VEX</summary>\n\n| ID | Component | Status | Statement |\n|---|---|---|---|\n")
		for _, f := range suppressed {
			st := f.Suppressed
			fmt.Fprintf(&b, "| %s | %s | %s %s | %s %s %s |\n", mdEscape(f.ID), mdEscape(f.Component.Name+" "+f.Version),
				mdEscape(st.Status), mdEscape(st.Justification), mdEscape(st.Format), mdEscape(st.Document), mdEscape(st.Statement))
		}
		b.WriteString("\n</details>\n")
	}
	if len(r.Signals) > 0 {
		fmt.Fprintf(&b, "\n**%d** supply-chain signal(s) on %d source(s), %d flagged.\n\n", len(r.Signals), len(r.SignalRisk), r.FlaggedSources())
		b.WriteString("| Source | Signals | Combined | Flagged | Evidence |\n|---|---|---|---|---|\n")
		for i, sr := range r.SignalRisk {
			if limit > 0 && i >= limit {
				fmt.Fprintf(&b, "\n…and %d more.\n", len(r.SignalRisk)-limit)
				break
			}
			ev := ""
			if len(sr.Score.Evidence) > 0 {
				ev = sr.Score.Evidence[0]
			}
			mark := "no"
			if sr.Score.Flagged {
				mark = "**yes**"
			}
			fmt.Fprintf(&b, "| %s | %s | %.2f | %s | %s |\n", mdEscape(sr.Source), mdEscape(strings.Join(sr.Signals, ", ")),
				sr.Score.Value, mark, mdEscape(ev))
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("risk: write Markdown: %w", err)
	}
	return nil
}

func mdWhy(f *Finding) string {
	var parts []string
	if f.KEV != nil {
		parts = append(parts, "known exploited (KEV)")
	}
	if f.EPSS != nil {
		parts = append(parts, fmt.Sprintf("EPSS %.1f%%", 100*f.EPSS.Score))
	}
	if sev, ok := cvssMax(f.Severity); ok {
		parts = append(parts, fmt.Sprintf("%s %.1f", sev.Rating, sev.Score))
	}
	if f.Relationship != "" {
		parts = append(parts, f.Relationship)
	}
	ev := string(f.Evidence.Level) + "-level"
	if syms := f.Evidence.Symbols; len(syms) > 0 {
		// The vulnerable functions in the binary, the first few.
		shown := strings.Join(syms[:min(len(syms), 3)], ", ")
		if len(syms) > 3 {
			shown += fmt.Sprintf(" and %d more", len(syms)-3)
		}
		ev += " (" + shown + ")"
	}
	if p := f.Evidence.CallPath; len(p) > 0 {
		// ScanGoSource's call path, entry first; a long one elided in
		// the middle.
		if len(p) > 6 {
			p = append(append(slices.Clip(p[:2]), "…"), p[len(p)-3:]...)
		}
		ev += ", called " + strings.Join(p, " → ")
	}
	parts = append(parts, ev)
	return strings.Join(parts, "; ")
}

func mdAliases(a []string) string {
	if len(a) == 0 {
		return ""
	}
	return " (" + mdEscape(strings.Join(a, ", ")) + ")"
}

func mdLink(text, url string) string {
	if url == "" || strings.ContainsAny(url, "()<> \n") {
		return mdEscape(text)
	}
	return "[" + mdEscape(text) + "](" + url + ")"
}

// mdEscape keeps untrusted text (package names and summaries come from
// the SBOM and the database) from breaking the table or injecting HTML.
func mdEscape(s string) string {
	r := strings.NewReplacer("|", "\\|", "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;", "*", "\\*", "_", "\\_", "`", "\\`", "[", "\\[", "]", "\\]")
	return r.Replace(s)
}
