package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/risk/model"
	"github.com/chaingate/chaingate/risk/signal"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

const typosquatSchema = "chaingate.dev/cli/typosquat/v1"

func (a *app) riskCmd() *cobra.Command {
	return groupCmd("risk", "Scan SBOMs for known vulnerabilities and score package names for typosquatting",
		a.riskScanCmd(), a.riskTyposquatCmd(), a.riskDownloadCmd())
}

// decisionRank orders risk decisions, most urgent first (0).
var decisionRank = map[string]int{"act": 0, "attend": 1, "track*": 2, "track": 3}

// riskInputs are the enrichment flags risk scan and gate share.
type riskInputs struct {
	db   string
	kev  string
	epss string
	vex  []string
}

func (r *riskInputs) flags(cmd *cobra.Command, dbRequired bool) {
	cmd.Flags().StringVar(&r.db, "db", "", "OSV database: a directory of OSV JSON, an all.zip, a Go vulndb tree, or a compact index (.idx)")
	cmd.Flags().StringVar(&r.kev, "kev", "", "CISA Known Exploited Vulnerabilities catalogue (JSON)")
	cmd.Flags().StringVar(&r.epss, "epss", "", "EPSS scores (CSV, cve,epss,percentile)")
	cmd.Flags().StringArrayVar(&r.vex, "vex", nil, "VEX document, OpenVEX or CycloneDX (repeatable)")
	if dbRequired {
		_ = cmd.MarkFlagRequired("db")
	}
}

// load reads the database and the enrichment data.
func (r *riskInputs) load(p *progress) (*vulndb.DB, []risk.ScanOption, error) {
	p.step("loading the OSV database %s", r.db)
	defer p.finish()
	db, err := vulndb.Load(r.db)
	if err != nil {
		return nil, nil, err
	}
	var opts []risk.ScanOption
	if r.kev != "" {
		b, err := readFile("KEV catalogue", r.kev, risk.MaxKEVBytes)
		if err != nil {
			return nil, nil, err
		}
		k, err := risk.ReadKEV(bytes.NewReader(b))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", r.kev, err)
		}
		opts = append(opts, risk.WithKEV(k))
	}
	if r.epss != "" {
		b, err := readFile("EPSS scores", r.epss, risk.MaxEPSSBytes)
		if err != nil {
			return nil, nil, err
		}
		e, err := risk.ReadEPSS(bytes.NewReader(b))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", r.epss, err)
		}
		opts = append(opts, risk.WithEPSS(e))
	}
	var vexes []*risk.VEX
	for _, path := range r.vex {
		b, err := readFile("VEX document", path, risk.MaxVEXBytes)
		if err != nil {
			return nil, nil, err
		}
		// OpenVEX documents are JSON-LD with an @context; CycloneDX VEX
		// is a BOM.
		read := risk.ReadCycloneDXVEX
		if bytes.Contains(b, []byte(`"@context"`)) {
			read = risk.ReadOpenVEX
		}
		v, err := read(bytes.NewReader(b))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		vexes = append(vexes, v)
	}
	if len(vexes) > 0 {
		opts = append(opts, risk.WithVEX(vexes...))
	}
	return db, opts, nil
}

func (a *app) riskScanCmd() *cobra.Command {
	var in riskInputs
	var failOn string
	var goBinary, goSource bool
	cmd := &cobra.Command{
		Use:   "scan SBOM",
		Short: "Match an SBOM against an OSV database, with KEV, EPSS and VEX",
		Long: `Scan matches every component of SBOM against an OSV vulnerability database
with each ecosystem's version rules and prioritises the findings (Act,
Attend, Track*, Track) from KEV, EPSS, CVSS, fix availability and the
dependency graph. VEX statements suppress findings (they stay in the
report, marked). Offline: the database is a local directory, zip or index.

--fail-on sets the threshold: the command exits 1 when an active (not
suppressed) finding's decision is at or above it. "track" (the default)
fails on any active finding; "none" never fails.

Output: a table (default), json (the risk report, schema
chaingate.dev/risk/report/v1), sarif (SARIF 2.1.0 for code scanning), or
markdown (a pull-request comment).

With --go-binary the argument is a Go binary instead of an SBOM: its
build information and symbol table say whether each finding's vulnerable
code is linked (EVIDENCE: symbol, package, module, or symbol-absent and
package-absent, which rank last). With --go-source it is a Go module's
directory: a call graph from the module's own code says whether the
vulnerable functions are reachable (dependencies from the module cache:
run go mod download first); markdown shows one call path per finding.

  chaingate risk scan app.cdx.json --db osv/Go/all.zip --kev kev.json
  chaingate risk scan app.cdx.json --db vulndb.idx -o sarif > results.sarif
  chaingate risk scan ./myapp --go-binary --db vulndb.idx
  chaingate risk scan . --go-source --db osv/Go/all.zip -o markdown

` + exitCodesHelp,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.formats("text", "json", "sarif", "markdown"); err != nil {
				return err
			}
			threshold, ok := decisionRank[strings.ToLower(failOn)]
			if !ok && failOn != "none" {
				return usageErr("--fail-on %q: use act, attend, track*, track or none", failOn)
			}
			if goBinary && goSource {
				return usageErr("--go-binary and --go-source exclude each other")
			}
			var doc *sbom.Document
			if !goBinary && !goSource {
				var err error
				if doc, err = decodeSBOMFile(args[0]); err != nil {
					return err
				}
			}
			p := newProgress(a.stderr)
			db, opts, err := in.load(p)
			if err != nil {
				return err
			}
			var rep *risk.Report
			switch {
			case goBinary:
				p.step("reading the Go binary %s against %d entries", args[0], db.Len())
				rep, err = risk.ScanGoBinary(cmd.Context(), args[0], db, opts...)
			case goSource:
				p.step("building the call graph of %s against %d entries", args[0], db.Len())
				rep, err = risk.ScanGoSource(cmd.Context(), args[0], db, opts...)
			default:
				p.step("scanning %d components against %d entries", len(doc.Components), db.Len())
				rep, err = risk.Scan(cmd.Context(), doc, db, opts...)
			}
			p.finish()
			if err != nil {
				return err
			}
			switch a.output {
			case "json":
				err = rep.WriteJSON(a.stdout)
			case "sarif":
				err = rep.WriteSARIF(a.stdout)
			case "markdown":
				err = rep.WriteMarkdown(a.stdout, risk.MarkdownOptions{})
			default:
				err = writeRiskTable(a.stdout, rep)
			}
			if err != nil {
				return err
			}
			if failOn == "none" {
				return nil
			}
			n := 0
			for i := range rep.Findings {
				f := &rep.Findings[i]
				if r, ok := decisionRank[strings.ToLower(string(f.Priority.Decision))]; f.Active() && ok && r <= threshold {
					n++
				}
			}
			if n > 0 {
				return denied("%d active findings at or above %s", n, failOn)
			}
			return nil
		},
	}
	in.flags(cmd, true)
	cmd.Flags().StringVar(&failOn, "fail-on", "track", "exit 1 on an active finding at or above this decision: act, attend, track*, track, none")
	cmd.Flags().BoolVar(&goBinary, "go-binary", false, "the argument is a Go binary: evidence from its build information and symbol table")
	cmd.Flags().BoolVar(&goSource, "go-source", false, "the argument is a Go module directory: evidence from a call graph of its code (offline, module cache)")
	return cmd
}

func writeRiskTable(w io.Writer, rep *risk.Report) error {
	fmt.Fprintf(w, "%s: %d components scanned against %d OSV entries (%s: %s)\n",
		docName(rep), rep.Document.Components, rep.DB.Entries, rep.DB.Source, strings.Join(rep.DB.Ecosystems, ", "))
	fmt.Fprintf(w, "%d findings (%d suppressed by VEX), %d components not assessed\n",
		rep.Summary.Findings, rep.Summary.Suppressed, rep.Summary.Unassessed)
	if len(rep.Findings) == 0 {
		return nil
	}
	evidence := slices.ContainsFunc(rep.Findings, func(f risk.Finding) bool { return f.Evidence.Level != "" })
	head := []string{"DECISION", "SCORE", "ID", "COMPONENT", "VERSION", "FIXED", "EXPLOIT", "SUMMARY"}
	if evidence {
		head = slices.Insert(head, 7, "EVIDENCE")
	}
	t := newTable(w, head...)
	for i := range rep.Findings {
		f := &rep.Findings[i]
		decision := string(f.Priority.Decision)
		if f.Suppressed != nil {
			decision = "vex:" + f.Suppressed.Status
		}
		var exploit []string
		if f.KEV != nil {
			exploit = append(exploit, "KEV")
		}
		if f.EPSS != nil {
			exploit = append(exploit, "EPSS "+strconv.FormatFloat(f.EPSS.Score, 'f', 3, 64))
		}
		pkg := f.Package
		if pkg == "" {
			pkg = f.Component.Name
		}
		row := []string{decision, strconv.FormatFloat(f.Priority.Score, 'f', 0, 64), f.ID, pkg, f.Version,
			strings.Join(f.Fixed, ","), strings.Join(exploit, ","), truncate(f.Summary, 60)}
		if evidence {
			row = slices.Insert(row, 7, string(f.Evidence.Level))
		}
		t.row(row...)
	}
	return t.flush()
}

// docName names a report's SBOM in one word.
func docName(rep *risk.Report) string {
	if rep.Document.Name != "" {
		return rep.Document.Name
	}
	return "SBOM"
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// typosquatResult is one scored name.
type typosquatResult struct {
	Name      string      `json:"name"`
	Ecosystem string      `json:"ecosystem"`
	Score     model.Score `json:"score"`
}

type typosquatReport struct {
	SchemaVersion string            `json:"schemaVersion"`
	Results       []typosquatResult `json:"results"`
	Flagged       int               `json:"flagged"`
}

func (a *app) riskTyposquatCmd() *cobra.Command {
	var ecosystem string
	cmd := &cobra.Command{
		Use:   "typosquat NAME...",
		Short: "Score package names for being an imitation of a popular package",
		Long: `Typosquat scores each NAME with chaingate's built-in model against the
shipped popularity list of the ecosystem (npm or PyPI), and explains the
score: the imitated package, how it was imitated, and each feature's part.
Go has no shipped popularity list and is refused rather than scored.

The command exits 1 when any name is flagged (its score reaches the model's
threshold).

  chaingate risk typosquat --ecosystem npm expresss lodash

` + exitCodesHelp,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr("typosquat needs at least one package name")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.formats("text", "json"); err != nil {
				return err
			}
			rep := typosquatReport{SchemaVersion: typosquatSchema}
			for _, name := range args {
				s, err := signal.TyposquatScore(ecosystem, name)
				if err != nil {
					return err
				}
				rep.Results = append(rep.Results, typosquatResult{Name: name, Ecosystem: ecosystem, Score: s})
				if s.Flagged {
					rep.Flagged++
				}
			}
			if a.output == "json" {
				if err := writeJSON(a.stdout, rep); err != nil {
					return err
				}
			} else {
				t := newTable(a.stdout, "NAME", "SCORE", "FLAGGED", "IMITATES", "HOW", "TOP FEATURE")
				for _, r := range rep.Results {
					top := ""
					if len(r.Score.Contributions) > 0 {
						c := r.Score.Contributions[0]
						top = fmt.Sprintf("%s=%.3g (%+.2f)", c.Feature, c.Value, c.Effect)
					}
					t.row(r.Name, strconv.FormatFloat(r.Score.Value, 'f', 3, 64), strconv.FormatBool(r.Score.Flagged), r.Score.Target, r.Score.Kind, top)
				}
				if err := t.flush(); err != nil {
					return err
				}
			}
			if rep.Flagged > 0 {
				return denied("%d of %d names flagged as likely typosquats", rep.Flagged, len(args))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&ecosystem, "ecosystem", "npm", "package ecosystem: npm or PyPI")
	return cmd
}

func (a *app) riskDownloadCmd() *cobra.Command {
	var dir, baseURL string
	var network bool
	cmd := &cobra.Command{
		Use:   "download ECOSYSTEM",
		Short: "Download or refresh an ecosystem's OSV database (network, opt-in)",
		Long: `Download fetches ECOSYSTEM's all.zip from OSV into DIR/ECOSYSTEM/all.zip,
conditionally on the copy already there, verifies every entry, and only
then replaces the old copy. It needs --allow-network: nothing else in this
CLI downloads vulnerability data. A progress bar is shown when stderr is
a terminal.

  chaingate risk download Go --dir osv --allow-network
  chaingate risk scan app.cdx.json --db osv/Go/all.zip

` + exitCodesHelp,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.formats("text", "json"); err != nil {
				return err
			}
			if !network {
				return usageErr("risk download reaches %s: add --allow-network", baseURL)
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			p := newProgress(a.stderr)
			res, err := vulndb.Download(cmd.Context(), &http.Client{}, args[0], dir,
				vulndb.WithBaseURL(baseURL),
				vulndb.WithProgress(func(d vulndb.DownloadProgress) {
					if d.Phase == "verify" {
						p.step("verifying %s: %d/%d entries", d.Ecosystem, d.Done, d.Total)
						return
					}
					p.bar(d.Phase+" "+d.Ecosystem, d.Done, d.Total)
				}))
			p.finish()
			if err != nil {
				return err
			}
			if a.output == "json" {
				return writeJSON(a.stdout, res)
			}
			if !res.Updated {
				fmt.Fprintf(a.stdout, "%s is current (%s)\n", res.Path, humanBytes(res.Bytes))
				return nil
			}
			fmt.Fprintf(a.stdout, "downloaded %s: %s, %d entries verified\n", res.Path, humanBytes(res.Bytes), res.Entries)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "osv", "directory to keep the databases in")
	cmd.Flags().StringVar(&baseURL, "base-url", vulndb.DefaultOSVBaseURL, "OSV server")
	cmd.Flags().BoolVar(&network, "allow-network", false, "allow the download (network is opt-in)")
	return cmd
}
