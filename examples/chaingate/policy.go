package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/policy/policytest"
)

const policyTestSchema = "chaingate.dev/cli/policy-test/v1"

func (a *app) policyCmd() *cobra.Command {
	return groupCmd("policy", "Decide with Rego policies and run their unit tests",
		a.policyEvalCmd(), a.policyTestCmd())
}

// policyFlags choose the policies an engine loads.
type policyFlags struct {
	dirs       []string
	library    bool
	data       []string
	namespaces []string
	revision   string
}

func (p *policyFlags) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&p.dirs, "policy", nil, "directory of Rego policies (repeatable; default: the built-in library)")
	f.BoolVar(&p.library, "library", false, "also load the built-in library beside --policy")
	f.StringArrayVar(&p.data, "data", nil, "JSON or YAML data file merged into data (repeatable), e.g. the library's configuration")
	f.StringArrayVar(&p.namespaces, "namespace", nil, "Rego package to query (repeatable; default main)")
	f.StringVar(&p.revision, "revision", "", "policy revision recorded in decisions")
}

func (p *policyFlags) engine(cmd *cobra.Command) (*policy.Engine, error) {
	var opts []policy.Option
	for _, d := range p.dirs {
		opts = append(opts, policy.FromDir(d))
	}
	if len(p.dirs) == 0 || p.library {
		opts = append(opts, policy.WithLibrary())
	}
	for _, d := range p.data {
		opts = append(opts, policy.WithDataFile(d))
	}
	if len(p.namespaces) > 0 {
		opts = append(opts, policy.WithNamespaces(p.namespaces...))
	}
	if p.revision != "" {
		opts = append(opts, policy.WithRevision(p.revision))
	}
	return policy.New(cmd.Context(), opts...)
}

func (a *app) policyEvalCmd() *cobra.Command {
	var pf policyFlags
	var explain bool
	cmd := &cobra.Command{
		Use:   "eval INPUT",
		Short: "Decide an input document (JSON) with Rego policies",
		Long: `Eval decides INPUT (a JSON document, "-" for stdin; the schema is the
policy package's input, chaingate.dev/policy-input/v1) with the policies of
--policy, or with the built-in supply-chain library when none is given.
Rules follow conftest's conventions: deny_*, violation_* and warn_* yielding
a message or an object with msg. --explain adds an evaluation trace.

  chaingate policy eval input.json
  chaingate policy eval input.json --policy ./policies --data config.yaml -o json

` + exitCodesHelp,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.formats("text", "json", "markdown"); err != nil {
				return err
			}
			var input []byte
			var err error
			if args[0] == "-" {
				input, err = io.ReadAll(io.LimitReader(cmd.InOrStdin(), policy.DefaultMaxInputBytes+1))
			} else {
				input, err = readFile("policy input", args[0], policy.DefaultMaxInputBytes)
			}
			if err != nil {
				return err
			}
			if !json.Valid(input) {
				return fmt.Errorf("policy input %s is not valid JSON", args[0])
			}
			e, err := pf.engine(cmd)
			if err != nil {
				return err
			}
			decide := e.Decide
			if explain {
				decide = e.Explain
			}
			d, err := decide(cmd.Context(), json.RawMessage(input))
			if err != nil {
				return err
			}
			switch a.output {
			case "json":
				err = writeJSON(a.stdout, d)
			case "markdown":
				err = writeDecisionMarkdown(a.stdout, d)
			default:
				err = writeDecisionText(a.stdout, d)
			}
			if err != nil {
				return err
			}
			if !d.Allow {
				return denied("denied: %d reasons", len(d.Deny))
			}
			return nil
		},
	}
	pf.flags(cmd)
	cmd.Flags().BoolVar(&explain, "explain", false, "add an evaluation trace (text: printed after the reasons)")
	return cmd
}

func writeDecisionText(w io.Writer, d *policy.Decision) error {
	outcome := "ALLOW"
	if !d.Allow {
		outcome = "DENY"
	}
	pol := d.Policy.Revision
	if pol == "" {
		pol = shortDigest(d.Policy.Digest)
	}
	fmt.Fprintf(w, "%s  (%d denies, %d warnings, %d excepted; policy %s)\n", outcome, len(d.Deny), len(d.Warn), len(d.Exceptions), pol)
	if len(d.Deny)+len(d.Warn) > 0 {
		t := newTable(w, "KIND", "SEVERITY", "CODE", "MESSAGE")
		for _, r := range firstOfEachCode(d.Deny) {
			t.row("deny", r.Severity, r.Code, r.Message)
		}
		for _, r := range firstOfEachCode(d.Warn) {
			t.row("warn", r.Severity, r.Code, r.Message)
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	if d.Trace != "" {
		fmt.Fprintf(w, "\ntrace:\n%s\n", d.Trace)
	}
	return nil
}

func writeDecisionMarkdown(w io.Writer, d *policy.Decision) error {
	outcome := "✅ allowed"
	if !d.Allow {
		outcome = "❌ denied"
	}
	fmt.Fprintf(w, "### Policy decision: %s\n\n", outcome)
	if len(d.Deny)+len(d.Warn) > 0 {
		fmt.Fprint(w, "| kind | severity | code | message |\n|---|---|---|---|\n")
		row := func(kind string, r policy.Reason) {
			fmt.Fprintf(w, "| %s | %s | `%s` | %s |\n", kind, r.Severity, r.Code, strings.ReplaceAll(r.Message, "|", `\|`))
		}
		for _, r := range d.Deny {
			row("deny", r)
		}
		for _, r := range d.Warn {
			row("warn", r)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "Policy `%s`, input `%s`.\n", d.Policy.Digest, d.InputDigest)
	return nil
}

func shortDigest(d string) string {
	if alg, hex, ok := strings.Cut(d, ":"); ok && len(hex) > 12 {
		return alg + ":" + hex[:12]
	}
	return d
}

// policyTestReport is policytest.Report with JSON names and a schema.
type policyTestReport struct {
	SchemaVersion string             `json:"schemaVersion"`
	Dir           string             `json:"dir"`
	Passed        int                `json:"passed"`
	Failed        int                `json:"failed"`
	Skipped       int                `json:"skipped"`
	Coverage      *float64           `json:"coverage,omitempty"`
	NotCovered    []string           `json:"notCovered,omitempty"`
	Results       []policyTestResult `json:"results"`
}

type policyTestResult struct {
	Name     string `json:"name"`
	Location string `json:"location"`
	Outcome  string `json:"outcome"`
	Message  string `json:"message,omitempty"`
}

func (a *app) policyTestCmd() *cobra.Command {
	var library bool
	var data []string
	var filter string
	var coverage float64
	cmd := &cobra.Command{
		Use:   "test DIR",
		Short: "Run the Rego unit tests (test_* rules) under DIR",
		Long: `Test loads every .rego file under DIR, tests included, with its data.json
and data.yaml files, and runs each test_* rule with the same capabilities as
a policy engine: network and non-deterministic builtins are absent and
chaingate's builtins are present, so a test passes only if production could
run it. It is OPA's tester as wrapped by chaingate's policytest.Check (the
function behind policytest.Run, which does the same inside go test).

--library loads the built-in library too, for tests that import it;
"library" as DIR tests the built-in library itself. With --coverage N the
command also fails when the tests evaluate less than N% of the policy lines.

  chaingate policy test ./policies
  chaingate policy test ./policies --coverage 80 -o json

` + exitCodesHelp,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.formats("text", "json"); err != nil {
				return err
			}
			var opts []policytest.Option
			if library {
				opts = append(opts, policytest.WithModules(policy.Library()))
			}
			if len(data) > 0 {
				merged := map[string]any{}
				for _, path := range data {
					b, err := readFile("data file", path, policy.MaxPolicyFileBytes)
					if err != nil {
						return err
					}
					var m map[string]any
					dec := json.NewDecoder(bytes.NewReader(b))
					dec.UseNumber()
					if err := dec.Decode(&m); err != nil {
						return fmt.Errorf("data file %s: %w (JSON only here)", path, err)
					}
					mergeData(merged, m)
				}
				opts = append(opts, policytest.WithData(merged))
			}
			if filter != "" {
				opts = append(opts, policytest.WithFilter(filter))
			}
			if coverage > 0 {
				opts = append(opts, policytest.WithCoverage(coverage))
			}
			fsys := policy.Library()
			if args[0] != "library" {
				if st, err := os.Stat(args[0]); err != nil {
					return err
				} else if !st.IsDir() {
					return usageErr("%s is not a directory", args[0])
				}
				fsys = os.DirFS(args[0])
			}
			rep, err := policytest.Check(cmd.Context(), fsys, opts...)
			if err != nil {
				return err
			}
			out := policyTestReport{
				SchemaVersion: policyTestSchema, Dir: args[0],
				Passed: rep.Passed, Failed: rep.Failed, Skipped: rep.Skipped,
				NotCovered: rep.NotCovered, Results: []policyTestResult{},
			}
			if coverage > 0 {
				out.Coverage = &rep.Coverage
			}
			for _, r := range rep.Results {
				out.Results = append(out.Results, policyTestResult(r))
			}
			if a.output == "json" {
				if err := writeJSON(a.stdout, out); err != nil {
					return err
				}
			} else {
				t := newTable(a.stdout, "TEST", "OUTCOME", "LOCATION", "MESSAGE")
				for _, r := range out.Results {
					t.row(r.Name, strings.ToUpper(r.Outcome), r.Location, truncate(r.Message, 100))
				}
				if err := t.flush(); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "%d passed, %d failed, %d skipped", rep.Passed, rep.Failed, rep.Skipped)
				if coverage > 0 {
					fmt.Fprintf(a.stdout, ", coverage %.1f%%", rep.Coverage)
				}
				fmt.Fprintln(a.stdout)
			}
			if rep.Failed > 0 {
				return denied("%d Rego tests failed", rep.Failed)
			}
			if coverage > 0 && rep.Coverage < coverage {
				return denied("coverage %.1f%% is below %.1f%%", rep.Coverage, coverage)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&library, "library", false, "load the built-in library beside DIR")
	cmd.Flags().StringArrayVar(&data, "data", nil, "JSON data file merged into data (repeatable)")
	cmd.Flags().StringVar(&filter, "run", "", "run only tests whose package.rule matches this regular expression")
	cmd.Flags().Float64Var(&coverage, "coverage", 0, "fail when line coverage of the policies is below this percentage")
	return cmd
}

// mergeData merges src into dst, objects recursively, src winning.
func mergeData(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				mergeData(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}
