package chaingate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/risk"
)

// maxMarkdownFindings and maxMarkdownReasons bound what a Markdown verdict
// lists; the rest are counted. A pull-request comment is read by people.
const (
	maxMarkdownFindings = 15
	maxMarkdownReasons  = 12
)

var severityRank = map[string]int{"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}

func rankOf(severity string) int {
	if r, ok := severityRank[strings.ToLower(severity)]; ok {
		return r
	}
	return len(severityRank)
}

// TopReasons returns up to n deny reasons (all when n <= 0) in the order
// a reader needs them: the first reason of each rule, most severe first,
// then the repeats of rules already shown. Stable within a severity.
func (v *Verdict) TopReasons(n int) []policy.Reason {
	seen := map[string]bool{}
	repeat := make([]bool, len(v.Reasons))
	for i, r := range v.Reasons {
		key := r.Code + "\x00" + r.Rule
		repeat[i] = seen[key]
		seen[key] = true
	}
	order := make([]int, len(v.Reasons))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		if repeat[order[a]] != repeat[order[b]] {
			return !repeat[order[a]]
		}
		return rankOf(v.Reasons[order[a]].Severity) < rankOf(v.Reasons[order[b]].Severity)
	})
	if n > 0 && n < len(order) {
		order = order[:n]
	}
	out := make([]policy.Reason, len(order))
	for i, k := range order {
		out[i] = v.Reasons[k]
	}
	return out
}

// Markdown renders the verdict for a pull-request comment: the outcome,
// the reasons, the stages, and the most urgent findings first.
func (v *Verdict) Markdown() string {
	var b strings.Builder
	outcome := "✅ **Allowed**"
	if !v.Allow {
		outcome = "❌ **Denied**"
	}
	fmt.Fprintf(&b, "### chaingate: %s\n\n", outcome)
	fmt.Fprintf(&b, "`%s`", mdEscape(v.Image))
	if v.Digest != "" {
		fmt.Fprintf(&b, " @ `%s`", mdEscape(v.Digest))
	}
	if v.Environment != "" {
		fmt.Fprintf(&b, " → **%s**", mdEscape(v.Environment))
	}
	b.WriteString("\n\n")

	if len(v.Reasons) > 0 {
		b.WriteString("#### Why it was denied\n\n")
		for _, r := range v.TopReasons(maxMarkdownReasons) {
			fmt.Fprintf(&b, "- %s%s\n", codePrefix(r.Code, r.Severity), mdEscape(r.Message))
		}
		if more := len(v.Reasons) - maxMarkdownReasons; more > 0 {
			fmt.Fprintf(&b, "- …and %d more (the verdict's JSON lists them all)\n", more)
		}
		b.WriteString("\n")
	}
	if len(v.Warnings) > 0 {
		b.WriteString("#### Warnings\n\n")
		for _, r := range v.Warnings {
			fmt.Fprintf(&b, "- %s%s\n", codePrefix(r.Code, r.Severity), mdEscape(r.Message))
		}
		b.WriteString("\n")
	}

	b.WriteString("#### Evidence\n\n| stage | status | detail |\n|---|---|---|\n")
	for _, s := range v.Stages {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", s.Name, s.Status, mdEscape(s.Detail))
	}
	b.WriteString("\n")

	for _, r := range v.Verification {
		if r == nil || r.Signer == nil {
			continue
		}
		who := r.Signer.SubjectAlternativeName
		if who == "" {
			who = "key " + r.Signer.KeyID
		}
		fmt.Fprintf(&b, "- signed by `%s`", mdEscape(who))
		if r.Signer.Issuer != "" {
			fmt.Fprintf(&b, " (issuer `%s`)", mdEscape(r.Signer.Issuer))
		}
		if r.Statement != nil {
			fmt.Fprintf(&b, ", statement `%s`", mdEscape(r.Statement.PredicateType))
		}
		b.WriteString("\n")
	}

	if v.Risk != nil && len(v.Risk.Findings) > 0 {
		fs := append([]risk.Finding(nil), v.Risk.Findings...)
		sort.SliceStable(fs, func(i, j int) bool { return fs[i].Priority.Score > fs[j].Priority.Score })
		b.WriteString("\n#### Findings (most urgent first)\n\n| priority | id | component | fixed in |\n|---|---|---|---|\n")
		for i, f := range fs {
			if i == maxMarkdownFindings {
				fmt.Fprintf(&b, "\n…and %d more.\n", len(fs)-maxMarkdownFindings)
				break
			}
			id := f.ID
			for _, a := range f.Aliases {
				if strings.HasPrefix(a, "CVE-") {
					id += " (" + a + ")"
					break
				}
			}
			status := string(f.Priority.Decision)
			if f.KEV != nil {
				status += " · KEV"
			}
			if f.Suppressed != nil {
				status += " · VEX " + f.Suppressed.Status
			}
			fmt.Fprintf(&b, "| %s | %s | %s %s | %s |\n", mdEscape(status), mdEscape(id), mdEscape(f.Component.Name), mdEscape(f.Component.Version), mdEscape(strings.Join(f.Fixed, ", ")))
		}
	}
	return b.String()
}

func codePrefix(code, severity string) string {
	switch {
	case code != "" && severity != "":
		return "**" + code + "** (" + severity + ") "
	case code != "":
		return "**" + code + "** "
	}
	return ""
}

// mdEscape keeps table cells and list items intact: pipes and newlines
// would end them.
func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\r", " ")
	return strings.ReplaceAll(s, "\n", " ")
}
