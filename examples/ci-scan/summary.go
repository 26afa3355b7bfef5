package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/chaingate/chaingate/risk"
)

// print writes the human summary a CI log shows.
func (r *Result) print(w io.Writer) {
	ref := r.Reference
	if ref == "" {
		ref = r.Image
	}
	if r.Digest == "" {
		return // nothing was scanned: the error is on stderr
	}
	fmt.Fprintf(w, "ci-scan %s (%s)\n", ref, short(r.Digest, 19))
	fmt.Fprintf(w, "  sbom      %d components\n", r.Components)
	var byDecision []string
	for _, d := range []risk.Decision{risk.Act, risk.Attend, risk.TrackStar, risk.Track} {
		if n := r.Findings.ByDecision[d]; n > 0 {
			byDecision = append(byDecision, fmt.Sprintf("%d %s", n, d))
		}
	}
	counts := ""
	if len(byDecision) > 0 {
		counts = " (" + strings.Join(byDecision, ", ") + ")"
	}
	fmt.Fprintf(w, "  scan      %s: %d finding(s)%s, %d suppressed by VEX, %d unassessed\n",
		r.DB, r.Findings.Findings, counts, r.Findings.Suppressed, r.Findings.Unassessed)
	for i, u := range r.Unassessed {
		if i == 3 {
			fmt.Fprintf(w, "            … and %d more unassessed (-json)\n", len(r.Unassessed)-i)
			break
		}
		fmt.Fprintf(w, "            unassessed %s %s: %s\n", u.Component.Type, u.Component.Name, strings.TrimPrefix(u.Reason, "risk: "))
	}
	for _, eco := range slices.Sorted(maps.Keys(r.Uncovered)) {
		fmt.Fprintf(w, "            %d %s component(s) not covered: the database has no %s entries (-osv)\n", r.Uncovered[eco], eco, eco)
	}
	fmt.Fprintf(w, "  sarif     %s\n", r.SARIF)
	fmt.Fprintf(w, "  threshold %d finding(s) at or above %s\n", len(r.Blocking), r.FailOn)
	for i, f := range r.Blocking {
		if i == 8 {
			fmt.Fprintf(w, "    … and %d more (see the SARIF file or -json)\n", len(r.Blocking)-i)
			break
		}
		fmt.Fprintf(w, "    - %s %-7s %s %s, fixed in %s: %s\n", f.ID, f.Priority.Decision, f.Package, f.Version, strings.Join(f.Fixed, ", "), f.Summary)
	}
	if p := r.Policy; p != nil {
		verdict := "allowed"
		if !p.Allow {
			verdict = "denied"
		}
		fmt.Fprintf(w, "  policy    %s (%d deny, %d warn)\n", verdict, len(p.Deny), len(p.Warn))
		for i, d := range p.Deny {
			if i == 5 {
				fmt.Fprintf(w, "    … and %d more (-json for all)\n", len(p.Deny)-i)
				break
			}
			fmt.Fprintf(w, "    - %s %s\n", d.Code, d.Message)
		}
	}
	switch {
	case r.Promotion != nil:
		fmt.Fprintf(w, "PASSED: promoted to %s, commit %s on %s\n", r.Repository, short(r.Promotion.Commit, 12), r.Promotion.Branch)
		for _, f := range r.Promotion.Files {
			for _, c := range f.Changes {
				fmt.Fprintf(w, "  %s:%d  %s → %s\n", f.File, c.Line, c.Old, c.New)
			}
		}
	case r.Status == "blocked":
		fmt.Fprintln(w, "BLOCKED: not promoted (exit 1)")
		if r.demo {
			fmt.Fprintln(w, "  greeter 1.4.1 has its modules and Go toolchain upgraded: go run ./examples/ci-scan -demo fixed")
		}
	case r.Error != "":
		fmt.Fprintln(w, "ERROR:", r.Error)
	}
}

func short(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
