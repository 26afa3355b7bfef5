package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chaingate/chaingate"
	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/sbom"
	"github.com/chaingate/chaingate/verify"
)

// gateFlags are what the composed gate needs: trust, a vulnerability
// database, policies, and the candidate's evidence.
type gateFlags struct {
	trust        trustFlags
	risk         riskInputs
	policy       policyFlags
	image        string
	digest       string
	attestations []string
	sbomPath     string
	env          string
	context      []string
}

func (g *gateFlags) flags(cmd *cobra.Command) {
	g.trust.flags(cmd)
	g.trust.slsa.flags(cmd)
	g.risk.flags(cmd, false)
	g.policy.flags(cmd)
	f := cmd.Flags()
	f.StringVar(&g.digest, "digest", "", "the artifact's digest, sha256:<hex> or sha512:<hex> (required)")
	f.StringArrayVar(&g.attestations, "attestation", nil, "Sigstore bundle about the artifact: provenance, SBOM attestation or signature (repeatable)")
	f.StringVar(&g.sbomPath, "sbom", "", "SBOM of the artifact (default: an SBOM attestation among --attestation)")
	f.StringVar(&g.env, "env", "", "environment the artifact is released to (input.gitops.environment)")
	f.StringArrayVar(&g.context, "context", nil, "KEY=VALUE passed to policies as input.context (repeatable)")
}

// build loads the verifier, database and engine once and returns the gate.
func (g *gateFlags) build(cmd *cobra.Command, p *progress) (*chaingate.Gate, error) {
	if g.risk.db == "" {
		return nil, usageErr("the gate needs a vulnerability database: --db")
	}
	v, err := g.trust.verifier()
	if err != nil {
		return nil, err
	}
	db, scanOpts, err := g.risk.load(p)
	if err != nil {
		return nil, err
	}
	p.step("compiling policies")
	e, err := g.policy.engine(cmd)
	p.finish()
	if err != nil {
		return nil, err
	}
	return chaingate.NewGate(
		chaingate.WithVerifier(v),
		chaingate.WithVulnDB(db),
		chaingate.WithScanOptions(scanOpts...),
		chaingate.WithPolicy(e),
	)
}

// candidate reads the candidate's evidence.
func (g *gateFlags) candidate() (chaingate.Candidate, error) {
	c := chaingate.Candidate{Image: g.image, Digest: g.digest, Environment: g.env}
	if g.image == "" || g.digest == "" {
		return c, usageErr("the gate needs the artifact's --image and --digest")
	}
	for _, path := range g.attestations {
		b, err := readFile("attestation", path, verify.MaxBundleSize)
		if err != nil {
			return c, err
		}
		c.Attestations = append(c.Attestations, b)
	}
	if g.sbomPath != "" {
		b, err := readFile("SBOM", g.sbomPath, sbom.DefaultMaxSize)
		if err != nil {
			return c, err
		}
		c.SBOM = b
	}
	req, err := g.trust.requirements()
	if err != nil {
		return c, err
	}
	c.Identity, c.SLSA = req.Identity, req.SLSA
	if len(g.context) > 0 {
		c.Context = map[string]any{}
		for _, kv := range g.context {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return c, usageErr("--context %q: want KEY=VALUE", kv)
			}
			c.Context[k] = v
		}
	}
	return c, nil
}

func (a *app) gateCmd() *cobra.Command {
	var g gateFlags
	cmd := &cobra.Command{
		Use:   "gate",
		Short: "Decide whether an artifact may be released: verify, SBOM, risk, policy in one call",
		Long: `Gate runs chaingate's composed release gate on the given files: it
verifies the artifact's attestations (--attestation, against --trusted-root
or --key, for --issuer/--san and the SLSA flags), takes its SBOM (--sbom, or
an SBOM attestation), scans it against --db (with --kev, --epss, --vex),
builds the policy input and decides with --policy or the built-in library
(configured with --data). Any error in any stage is a deny naming the
stage: the gate fails closed.

Output: a summary (default), json (the verdict with all its evidence,
schema chaingate.dev/verdict/v1), or markdown (a pull-request comment).

  chaingate gate --image registry.npmjs.org/sigstore:2.0.0 --digest sha512:46d4... \
    --attestation sigstore-2.0.0.sigstore.json --trusted-root trusted_root.json \
    --issuer https://token.actions.githubusercontent.com --san https://github.com/... \
    --sbom signer-service.cdx.json --db vulndb.idx --kev kev.json \
    --data gate-config.json --env prod

` + exitCodesHelp + `
  (a verdict that denies, for a policy reason or a failed stage, exits 1)`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.formats("text", "json", "markdown"); err != nil {
				return err
			}
			c, err := g.candidate()
			if err != nil {
				return err
			}
			p := newProgress(a.stderr)
			gate, err := g.build(cmd, p)
			if err != nil {
				return err
			}
			p.step("evaluating %s", c.Image)
			v, evalErr := gate.Evaluate(cmd.Context(), c)
			p.finish()
			if v == nil {
				return fmt.Errorf("gate: no verdict: %w", evalErr)
			}
			if err := a.writeVerdict(v, evalErr); err != nil {
				return err
			}
			if !v.Allow {
				return denied("%s denied (%d reasons)", v.Image, len(v.Reasons))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&g.image, "image", "", "the artifact's name, e.g. ghcr.io/acme/api:1.2.0 (required)")
	g.flags(cmd)
	return cmd
}

func (a *app) writeVerdict(v *chaingate.Verdict, evalErr error) error {
	switch a.output {
	case "json":
		return writeJSON(a.stdout, v)
	case "markdown":
		_, err := io.WriteString(a.stdout, v.Markdown())
		return err
	}
	return writeVerdictText(a.stdout, v, evalErr)
}

func writeVerdictText(w io.Writer, v *chaingate.Verdict, evalErr error) error {
	outcome := "ALLOW"
	if !v.Allow {
		outcome = "DENY"
	}
	fmt.Fprintf(w, "%s  %s", outcome, v.Image)
	if v.Environment != "" {
		fmt.Fprintf(w, " → %s", v.Environment)
	}
	fmt.Fprintf(w, "\n      %s\n", v.Digest)
	t := newTable(w, "STAGE", "STATUS", "DETAIL")
	for _, s := range v.Stages {
		t.row(s.Name, s.Status, s.Detail)
	}
	if err := t.flush(); err != nil {
		return err
	}
	for _, r := range v.Verification {
		if r != nil && r.Signer != nil && r.Signer.SubjectAlternativeName != "" {
			fmt.Fprintf(w, "signer   %s (%s)\n", r.Signer.SubjectAlternativeName, r.Signer.Issuer)
		}
		if r != nil && r.SLSA != nil {
			fmt.Fprintf(w, "built    by %s from %s@%s\n", r.SLSA.BuilderID, r.SLSA.SourceURI, r.SLSA.Ref)
		}
	}
	if v.Risk != nil {
		fmt.Fprintf(w, "risk     %d findings (%d suppressed), %d not assessed\n", v.Risk.Summary.Findings, v.Risk.Summary.Suppressed, v.Risk.Summary.Unassessed)
	}
	if len(v.Reasons)+len(v.Warnings) > 0 {
		t := newTable(w, "KIND", "SEVERITY", "CODE", "MESSAGE")
		add := func(kind string, rs []policy.Reason) {
			for _, r := range rs {
				t.row(kind, r.Severity, r.Code, truncate(r.Message, 120))
			}
		}
		add("deny", firstOfEachCode(v.Reasons))
		add("warn", firstOfEachCode(v.Warnings))
		if err := t.flush(); err != nil {
			return err
		}
	}
	if evalErr != nil {
		fmt.Fprintf(w, "error    %v\n", evalErr)
	}
	return nil
}

var severityRank = map[string]int{"critical": 0, "high": 1, "medium": 2, "low": 3}

// firstOfEachCode orders reasons for a reader: one reason of each code
// first, most severe first, then the repeats, each group in input order.
func firstOfEachCode(rs []policy.Reason) []policy.Reason {
	rank := func(s string) int {
		if r, ok := severityRank[strings.ToLower(s)]; ok {
			return r
		}
		return len(severityRank)
	}
	seen := map[string]bool{}
	repeat := make(map[int]bool, len(rs))
	for i, r := range rs {
		repeat[i] = seen[r.Code]
		seen[r.Code] = true
	}
	idx := make([]int, len(rs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ia, ib := idx[a], idx[b]
		if repeat[ia] != repeat[ib] {
			return !repeat[ia]
		}
		return rank(rs[ia].Severity) < rank(rs[ib].Severity)
	})
	out := make([]policy.Reason, len(rs))
	for i, k := range idx {
		out[i] = rs[k]
	}
	return out
}
