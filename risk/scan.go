package risk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/chaingate/chaingate/internal/baseline"
	"github.com/chaingate/chaingate/risk/signal"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

// ScanOption configures Scan.
type ScanOption func(*scanConfig) error

type scanConfig struct {
	detectors []signal.Detector
	epss      *EPSS
	kev       *KEV
	vex       []*VEX
	sarif     []*SARIFInput
	priority  PriorityConfig
	// naive disables the index and the per-scan memo: every component is
	// compared with every affected package. Only the benchmark baseline
	// sets it.
	naive bool
	// goBin, set by ScanGoBinary, holds the functions of the scanned
	// binary for symbol-level evidence.
	goBin *goBinSymbols
}

// WithDetectors runs each detector on the document and puts its signals
// in Report.Signals. A detector's error fails the Scan (fail closed).
func WithDetectors(ds ...signal.Detector) ScanOption {
	return func(c *scanConfig) error {
		for i, d := range ds {
			if d == nil {
				return fmt.Errorf("risk: WithDetectors: detector %d is nil", i)
			}
		}
		c.detectors = append(c.detectors, ds...)
		return nil
	}
}

// WithEPSS enriches findings with EPSS scores (see ReadEPSS).
func WithEPSS(e *EPSS) ScanOption {
	return func(c *scanConfig) error {
		if e == nil {
			return errors.New("risk: WithEPSS: nil EPSS")
		}
		c.epss = e
		return nil
	}
}

// WithKEV marks findings whose CVE is in the CISA KEV catalogue (see
// ReadKEV).
func WithKEV(k *KEV) ScanOption {
	return func(c *scanConfig) error {
		if k == nil {
			return errors.New("risk: WithKEV: nil KEV")
		}
		c.kev = k
		return nil
	}
}

// WithVEX applies VEX documents (see ReadOpenVEX and ReadCycloneDXVEX):
// findings a statement says are not affected or fixed are kept in the
// report, marked Suppressed. A statement applies when it names any id of
// the finding's advisory (its ID, Aliases or Upstream). Known-malicious
// packages (Finding.Malicious) are never suppressed: the package itself
// is the attack, so no statement about reachable code applies to it.
func WithVEX(vs ...*VEX) ScanOption {
	return func(c *scanConfig) error {
		for i, v := range vs {
			if v == nil {
				return fmt.Errorf("risk: WithVEX: document %d is nil", i)
			}
		}
		c.vex = append(c.vex, vs...)
		return nil
	}
}

// WithSARIF adds the results of SAST/DAST tools (see ReadSARIF) to the
// report, prioritised with the vulnerabilities.
func WithSARIF(ss ...*SARIFInput) ScanOption {
	return func(c *scanConfig) error {
		for i, s := range ss {
			if s == nil {
				return fmt.Errorf("risk: WithSARIF: input %d is nil", i)
			}
		}
		c.sarif = append(c.sarif, ss...)
		return nil
	}
}

// WithPriorityConfig sets the prioritisation weights (the zero value is
// the default).
func WithPriorityConfig(p PriorityConfig) ScanOption {
	return func(c *scanConfig) error {
		c.priority = p
		return nil
	}
}

// Scan matches every component of doc against db and returns the
// findings, enriched, VEX-applied and prioritised, with the components
// it could not assess. Components are identified by purl (Go module paths
// keep their case); versions are compared with their ecosystem's rules.
// A component whose version is empty, "UNKNOWN" or "(devel)" is never
// matched: it is listed in Report.Unassessed. Withdrawn entries never
// match. Scan does no I/O; db is only read, so many Scans may share it.
func Scan(ctx context.Context, doc *sbom.Document, db *vulndb.DB, opts ...ScanOption) (*Report, error) {
	if doc == nil {
		return nil, errors.New("risk: scan: nil document")
	}
	if db == nil {
		return nil, errors.New("risk: scan: nil database")
	}
	var cfg scanConfig
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	rep := &Report{
		SchemaVersion: ReportSchemaVersion,
		Document:      DocumentRef{Name: doc.Name, SerialNumber: doc.SerialNumber, Root: doc.Root, Components: len(doc.Components)},
		DB:            db.Info(),
		Findings:      []Finding{},
	}
	memo := map[vulndb.Identity]*scanMatches{}
	var verdicts []vulndb.Verdict // scratch for scanMatch
	// Two passes: match every component (memoised per identity), then
	// allocate the findings once and fill them.
	matched := make([]*scanMatches, len(doc.Components))
	ids := make([]string, len(doc.Components))
	total := 0
	for i := range doc.Components {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("risk: scan: %w", err)
			}
		}
		c := &doc.Components[i]
		if m, eco := scanComponent(db, c, memo, &verdicts, rep, cfg.naive); m != nil {
			matched[i], ids[i] = m, eco
			total += len(m.findings)
		}
	}
	rep.Findings = make([]Finding, 0, total)
	target := scanTargetOf(doc)
	for i, m := range matched {
		if m == nil {
			continue
		}
		c := &doc.Components[i]
		for _, t := range m.findings {
			f := t // slices shared with the DB and other findings (see Finding)
			f.Component = *c
			f.Evidence = scanEvidence(c, ids[i], f.AffectedPackages, target)
			if cfg.goBin != nil && ids[i] == "Go" {
				f.Evidence = cfg.goBin.evidence(f.Evidence, f.Package, f.AffectedPackages, target)
			}
			if recs := t.Evidence.Records; len(recs) > 0 {
				f.Evidence.Records = recs
				f.Evidence.Reason += scanRecordsReason(recs)
			}
			rep.Findings = append(rep.Findings, f)
		}
	}
	scanRelationships(doc, rep.Findings)
	if err := scanEnrich(ctx, doc, &cfg, rep); err != nil {
		return nil, err
	}
	return rep, nil
}

// scanRelationships sets each finding's Relationship, "direct" or
// "transitive", from the dependency graph when the document has a root
// and edges. Only the components with findings are tracked, so a large
// clean SBOM costs one pass over its edges.
func scanRelationships(doc *sbom.Document, fs []Finding) {
	defer func() {
		// A Go generator's own record of go.mod's direct requirements
		// is more exact than a flattened build-info graph.
		for i := range fs {
			switch d, _ := fs[i].Component.Property("chaingate:go:direct"); d {
			case "true":
				fs[i].Relationship = "direct"
			case "false":
				fs[i].Relationship = "transitive"
			}
		}
	}()
	if doc.Root == "" || len(doc.Dependencies) == 0 || len(fs) == 0 {
		return
	}
	rel := make(map[string]string, len(fs))
	for i := range fs {
		rel[fs[i].Component.ID] = ""
	}
	for _, d := range doc.Dependencies {
		for _, to := range d.DependsOn {
			cur, ok := rel[to]
			if !ok {
				continue
			}
			if d.Ref == doc.Root {
				rel[to] = "direct"
			} else if cur == "" {
				rel[to] = "transitive"
			}
		}
	}
	for i := range fs {
		fs[i].Relationship = rel[fs[i].Component.ID]
	}
}

// scanMatches is what one (ecosystem, name, version) matched: finding
// templates without the component, and the entries it could not be
// compared with.
type scanMatches struct {
	findings   []Finding
	unassessed []string
	why        error
}

// scanMatch makes the findings of one identity from what the database
// matched for it (the verdict of each record that names the package):
// a finding of each record that says the version is affected, the
// records of one advisory merged into one finding (scanMerge). buf is
// the caller's scratch slice for the verdicts (ms.Verdicts may share
// it); no finding keeps it.
func scanMatch(db *vulndb.DB, id vulndb.Identity, ms vulndb.Matches, buf *[]vulndb.Verdict) *scanMatches {
	if cap(ms.Verdicts) > cap(*buf) {
		*buf = ms.Verdicts[:0]
	}
	out := &scanMatches{unassessed: ms.Unassessed, why: ms.Err}
	for i := range ms.Verdicts {
		v := &ms.Verdicts[i] // a Verdict is large: no copies
		if !v.Affected {
			continue
		}
		rec := db.Record(v.Record)
		f := Finding{
			ID:               rec.ID,
			Aliases:          rec.Aliases,
			Upstream:         rec.Upstream,
			Malicious:        rec.Malicious,
			Source:           "osv",
			Summary:          rec.Summary,
			Ecosystem:        id.Ecosystem,
			Package:          v.Package,
			Version:          id.Version,
			Range:            v.Range,
			Fixed:            v.Fixed,
			AffectedPackages: v.Imports,
			References:       rec.References,
			URL:              rec.URL,
		}
		if f.Summary == "" {
			f.Summary = scanFirstLine(rec.Details)
		}
		f.Severity, _ = cvssScore(append(slices.Clip(rec.Severity), rec.Affected[v.Element].Severity...))
		for i := range f.Severity {
			f.Severity[i].Source = rec.ID
		}
		out.findings = append(out.findings, f)
	}
	out.findings = scanMerge(db, out.findings, ms.Verdicts)
	return out
}

// scanMerge merges the findings of records of one advisory (the same
// vulndb advisory number) into one, and fills in what needs the whole
// group: the records that said the version is not affected, GitHub's
// severity word when no record gives a vector. fs holds one finding per
// affected verdict, in the verdicts' order. The common case, one record
// per advisory, returns the findings as they are.
func scanMerge(db *vulndb.DB, fs []Finding, verdicts []vulndb.Verdict) []Finding {
	shared := false
	if len(verdicts) > 1 {
		seen := make(map[int]bool, len(verdicts))
		for i := range verdicts {
			adv := verdicts[i].Advisory
			if seen[adv] {
				shared = true
				break
			}
			seen[adv] = true
		}
	}
	if !shared {
		k := 0
		for i := range verdicts {
			if verdicts[i].Affected {
				scanSeverityWord(db, &fs[k], verdicts[i].Record)
				k++
			}
		}
		return fs
	}
	// state[j] is the index in fs of verdict j's finding, -1 when the
	// record says not affected, scanMerged once merged.
	state := make([]int, len(verdicts))
	k := 0
	for j := range verdicts {
		state[j] = -1
		if verdicts[j].Affected {
			state[j] = k
			k++
		}
	}
	out := make([]Finding, 0, len(fs))
	for i := range verdicts {
		if state[i] == scanMerged || !verdicts[i].Affected {
			continue
		}
		var members []scanMember
		for j := range verdicts {
			if state[j] != scanMerged && verdicts[j].Advisory == verdicts[i].Advisory {
				members = append(members, scanMember{&verdicts[j], state[j]})
				state[j] = scanMerged
			}
		}
		// Affected records first, each side in primary-id order.
		slices.SortStableFunc(members, func(a, b scanMember) int {
			if a.Affected != b.Affected {
				if a.Affected {
					return -1
				}
				return 1
			}
			return scanIDCompare(db.Record(a.Record).ID, db.Record(b.Record).ID)
		})
		if len(members) == 1 {
			f := fs[members[0].finding]
			scanSeverityWord(db, &f, members[0].Record)
			out = append(out, f)
			continue
		}
		out = append(out, scanMergeGroup(db, fs, members))
	}
	return out
}

// scanMerged marks a verdict already merged (see scanMerge).
const scanMerged = -2

// scanMember is one record of an advisory being merged: its verdict and
// the index of its finding (-1 when not affected).
type scanMember struct {
	*vulndb.Verdict
	finding int
}

// scanMergeGroup builds one finding from the verdicts of one advisory's
// records (affected ones first, the primary record first).
func scanMergeGroup(db *vulndb.DB, fs []Finding, members []scanMember) Finding {
	f := fs[members[0].finding]
	primary := f.ID
	f.Aliases, f.Upstream = nil, nil
	f.Fixed = slices.Clone(f.Fixed)
	f.References = slices.Clone(f.References)
	f.Severity = slices.Clone(f.Severity)
	f.AffectedPackages = slices.Clone(f.AffectedPackages)
	ids := map[string]bool{primary: true}
	addID := func(list *[]string, id string) {
		if !ids[id] {
			ids[id] = true
			*list = append(*list, id)
		}
	}
	var ranges []string
	for k, m := range members {
		rec := db.Record(m.Record)
		addID(&f.Aliases, rec.ID)
		rv := RecordVerdict{ID: rec.ID, Affected: m.Affected}
		if m.Affected {
			g := &fs[m.finding]
			rv.Range, rv.Fixed = g.Range, g.Fixed
			ranges = append(ranges, rec.ID+": "+g.Range)
			f.Malicious = f.Malicious || g.Malicious
			if k > 0 {
				for _, v := range g.Fixed {
					if !slices.Contains(f.Fixed, v) {
						f.Fixed = append(f.Fixed, v)
					}
				}
				for _, p := range g.AffectedPackages {
					if !slices.ContainsFunc(f.AffectedPackages, func(q vulndb.AffectedPackage) bool { return q.Path == p.Path }) {
						f.AffectedPackages = append(f.AffectedPackages, p)
					}
				}
				if f.Summary == "" {
					f.Summary = g.Summary
				}
				if f.URL == "" {
					f.URL = g.URL
				}
			}
		}
		if k > 0 {
			for _, r := range rec.References {
				if !slices.ContainsFunc(f.References, func(q vulndb.Reference) bool { return q.URL == r.URL }) {
					f.References = append(f.References, r)
				}
			}
			sev, _ := cvssScore(rec.Severity)
			for _, a := range rec.Affected {
				if s, _ := cvssScore(a.Severity); len(s) > 0 {
					sev = append(sev, s...)
				}
			}
			for _, s := range sev {
				s.Source = rec.ID
				if !slices.Contains(f.Severity, s) {
					f.Severity = append(f.Severity, s)
				}
			}
		}
		f.Evidence.Records = append(f.Evidence.Records, rv)
	}
	for _, m := range members {
		for _, a := range db.Record(m.Record).Aliases {
			addID(&f.Aliases, a)
		}
	}
	for _, m := range members {
		for _, a := range db.Record(m.Record).Upstream {
			if !ids[a] && !slices.Contains(f.Upstream, a) {
				f.Upstream = append(f.Upstream, a)
			}
		}
	}
	f.Aliases = slices.DeleteFunc(f.Aliases, func(a string) bool { return a == primary })
	slices.SortStableFunc(f.Aliases, scanIDCompare)
	if len(ranges) > 1 {
		f.Range = strings.Join(ranges, "; ")
	}
	for _, m := range members {
		if len(f.Severity) > 0 {
			break
		}
		scanSeverityWord(db, &f, m.Record)
	}
	return f
}

// scanSeverityWord gives a finding without any CVSS vector GitHub's
// severity word from record i, if it has one. Called for each record of
// an advisory in turn, the first that has one gives it.
func scanSeverityWord(db *vulndb.DB, f *Finding, i int) {
	if len(f.Severity) > 0 {
		return
	}
	rec := db.Record(i)
	if s, ok := cvssGHSA(rec.GHSASeverity, rec.ID); ok {
		f.Severity = []Severity{s}
	}
}

// scanIDRank orders the databases for the primary id of an advisory
// (see Finding.ID).
func scanIDRank(id string) int {
	switch {
	case strings.HasPrefix(id, "MAL-"):
		return 1
	case strings.HasPrefix(id, "GHSA-"):
		return 2
	case strings.HasPrefix(id, "CVE-"):
		return 3
	}
	return 0
}

func scanIDCompare(a, b string) int {
	if ra, rb := scanIDRank(a), scanIDRank(b); ra != rb {
		return ra - rb
	}
	return strings.Compare(a, b)
}

// scanComponent matches one component, recording it as unassessed when
// it must be, and returns its matches and OSV ecosystem (nil when none).
func scanComponent(db *vulndb.DB, c *sbom.Component, memo map[vulndb.Identity]*scanMatches, buf *[]vulndb.Verdict, rep *Report, naive bool) (*scanMatches, string) {
	id, err := vulndb.Identify(c)
	if err != nil {
		rep.Unassessed = append(rep.Unassessed, Unassessed{Component: *c, Reason: err.Error()})
		return nil, ""
	}
	if vulndb.IsUnknownVersion(id.Version) {
		u := Unassessed{Component: *c, Reason: fmt.Sprintf("version %q is unknown: not matched", id.Version)}
		u.IDs = db.Match(id, nil).Unassessed
		rep.Unassessed = append(rep.Unassessed, u)
		return nil, ""
	}
	var m *scanMatches
	ok := false
	if !naive { // the baseline has no memo
		m, ok = memo[id]
	}
	if !ok {
		mdb := db
		if naive {
			mdb = baseline.LinearDB(db).(*vulndb.DB)
		}
		ms := mdb.Match(id, *buf)
		if len(ms.Verdicts) == 0 && len(ms.Unassessed) == 0 {
			return nil, ""
		}
		m = scanMatch(mdb, id, ms, buf)
		if !naive {
			memo[id] = m
		}
	}
	if len(m.unassessed) > 0 {
		rep.Unassessed = append(rep.Unassessed, Unassessed{Component: *c, Reason: fmt.Sprintf("version %q could not be compared: %v", id.Version, m.why), IDs: slices.Clone(m.unassessed)})
	}
	if len(m.findings) == 0 {
		return nil, ""
	}
	return m, id.Ecosystem
}

// scanRecordsReason says which records of an advisory call the version
// affected and which do not, when they disagree.
func scanRecordsReason(recs []RecordVerdict) string {
	var yes, no []string
	for _, r := range recs {
		if r.Affected {
			yes = append(yes, r.ID)
		} else {
			no = append(no, r.ID)
		}
	}
	if len(no) == 0 {
		return ""
	}
	return "; affected according to " + strings.Join(yes, ", ") + ", not affected according to " + strings.Join(no, ", ")
}

func scanFirstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// scanTarget is the platform a Go SBOM was built for, when it says so
// (the build settings of a Go binary, or the image's platform).
type scanTarget struct{ goos, goarch string }

func scanTargetOf(doc *sbom.Document) scanTarget {
	var t scanTarget
	for _, p := range doc.Properties {
		switch p.Name {
		case "chaingate:go:build:GOOS":
			t.goos = p.Value
		case "chaingate:go:build:GOARCH":
			t.goarch = p.Value
		}
	}
	if doc.Image != nil {
		if t.goos == "" {
			t.goos = doc.Image.OS
		}
		if t.goarch == "" {
			t.goarch = doc.Image.Architecture
		}
	}
	return t
}

// applies reports whether an affected package can be in a build for the
// target platform (an unknown target or an unrestricted package: yes).
func (t scanTarget) applies(a vulndb.AffectedPackage) bool {
	if t.goos != "" && len(a.GOOS) > 0 && !slices.Contains(a.GOOS, t.goos) {
		return false
	}
	if t.goarch != "" && len(a.GOARCH) > 0 && !slices.Contains(a.GOARCH, t.goarch) {
		return false
	}
	return true
}

// scanEvidence decides the evidence level of a Go finding. When the
// entry restricts every affected package to other platforms than the
// build's, or the component lists the packages in the build
// (PropertyGoPackages) and none is affected, the vulnerable code is not
// in the build (package-absent); when one is listed, it is package-level.
func scanEvidence(c *sbom.Component, ecosystem string, affected []vulndb.AffectedPackage, target scanTarget) Evidence {
	ev := Evidence{Level: EvidenceModule, Reason: "component version is in an affected range"}
	if ecosystem != "Go" || len(affected) == 0 {
		return ev
	}
	onTarget := affected
	if target != (scanTarget{}) {
		onTarget = nil
		for _, a := range affected {
			if target.applies(a) {
				onTarget = append(onTarget, a)
			}
		}
		if len(onTarget) == 0 {
			ev.Level = EvidencePackageAbsent
			ev.Reason = "the affected packages are vulnerable only on other platforms than the build's (" + target.goos + "/" + target.goarch + ")"
			return ev
		}
	}
	list, ok := c.Property(PropertyGoPackages)
	if !ok {
		ev.Reason = "component version is in an affected range; the SBOM does not list the packages in the build"
		return ev
	}
	inBuild := map[string]bool{}
	for p := range strings.SplitSeq(list, ",") {
		if p = strings.TrimSpace(p); p != "" {
			inBuild[p] = true
		}
	}
	for _, a := range onTarget {
		if inBuild[a.Path] && !slices.Contains(ev.Packages, a.Path) {
			ev.Packages = append(ev.Packages, a.Path)
		}
	}
	if len(ev.Packages) > 0 {
		ev.Level, ev.Reason = EvidencePackage, "affected package in the build: "+strings.Join(ev.Packages, ", ")
	} else {
		ev.Level, ev.Reason = EvidencePackageAbsent, "none of the affected packages is in the build"
	}
	return ev
}

// scanEnrich adds EPSS, KEV, VEX, SARIF, signals and priorities, sorts
// the findings and fills the summary.
func scanEnrich(ctx context.Context, doc *sbom.Document, cfg *scanConfig, rep *Report) error {
	for _, s := range cfg.sarif {
		rep.Findings = append(rep.Findings, s.findings()...)
		rep.Enrichment.SARIF = append(rep.Enrichment.SARIF, s.Tool)
	}
	if cfg.epss != nil {
		rep.Enrichment.EPSSModelVersion, rep.Enrichment.EPSSScoreDate = cfg.epss.ModelVersion, cfg.epss.ScoreDate
	}
	if cfg.kev != nil {
		rep.Enrichment.KEVVersion = cfg.kev.Version
	}
	for _, v := range cfg.vex {
		rep.Enrichment.VEX = append(rep.Enrichment.VEX, v.Format+":"+v.ID)
	}
	// EPSS and KEV depend only on the vulnerability, the priority only on
	// its inputs: compute each once per distinct key, not per finding.
	type enrichment struct {
		epss *EPSSScore
		kev  *KEVEntry
	}
	byID := map[string]enrichment{}
	type prioKey struct {
		id       string
		mal      bool
		rel      string
		runtime  bool
		evidence EvidenceLevel
		sev      float64
		hasSev   bool
		hasFix   bool
	}
	prios := map[prioKey]Priority{}
	for i := range rep.Findings {
		f := &rep.Findings[i]
		en, ok := byID[f.ID]
		if !ok {
			for _, cve := range f.CVEs() {
				if s, ok := cfg.epss.Lookup(cve); ok && (en.epss == nil || s.Score > en.epss.Score) {
					en.epss = &s
				}
				if k, ok := cfg.kev.Lookup(cve); ok && en.kev == nil {
					en.kev = &k
				}
			}
			byID[f.ID] = en
		}
		f.EPSS, f.KEV = en.epss, en.kev
		for _, v := range cfg.vex {
			if f.Malicious {
				break // never suppressed: see WithVEX
			}
			if s := v.suppresses(doc, f); s != nil {
				f.Suppressed = s
				break
			}
		}
		if f.Suppressed != nil || f.Source != "osv" {
			f.Priority = cfg.priority.Prioritize(f)
			continue
		}
		sev, hasSev := cvssMax(f.Severity)
		dev, _ := f.Component.Property("cdx:npm:package:development")
		k := prioKey{f.ID, f.Malicious, f.Relationship, f.Component.Scope != sbom.ScopeExcluded && dev != "true", f.Evidence.Level, sev.Score, hasSev, len(f.Fixed) > 0}
		p, ok := prios[k]
		if !ok {
			p = cfg.priority.Prioritize(f)
			prios[k] = p
		}
		f.Priority = p
	}
	order := make([]int, len(rep.Findings))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		a, b := &rep.Findings[i], &rep.Findings[j]
		switch {
		case a.Priority.Score > b.Priority.Score:
			return -1
		case a.Priority.Score < b.Priority.Score:
			return 1
		}
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return strings.Compare(a.Component.ID, b.Component.ID)
	})
	scanPermute(rep.Findings, order)
	for _, d := range cfg.detectors {
		sigs, err := d.Detect(ctx, doc)
		if err != nil {
			return fmt.Errorf("risk: scan: detector %s: %w", d.Name(), err)
		}
		rep.Signals = append(rep.Signals, sigs...)
	}
	if len(rep.Signals) > 0 {
		rep.SignalRisk = signal.RiskOf(rep.Signals, 0)
	}
	rep.Summary = Summary{Unassessed: len(rep.Unassessed), ByDecision: map[Decision]int{}}
	for _, f := range rep.Findings {
		if f.Suppressed != nil {
			rep.Summary.Suppressed++
			continue
		}
		rep.Summary.Findings++
		rep.Summary.ByDecision[f.Priority.Decision]++
	}
	return nil
}

// scanPermute reorders fs in place so that fs[i] becomes the old
// fs[order[i]], following cycles (no second slice of large Findings).
func scanPermute(fs []Finding, order []int) {
	for i := range order {
		if order[i] < 0 {
			continue
		}
		tmp := fs[i]
		j := i
		for {
			k := order[j]
			order[j] = -1
			if k == i {
				fs[j] = tmp
				break
			}
			fs[j] = fs[k]
			j = k
		}
	}
}
