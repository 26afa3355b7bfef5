package vulndb

import (
	"fmt"
	"slices"
	"time"

	"github.com/chaingate/chaingate/internal/baseline"
)

func init() {
	baseline.LinearDB = func(db any) any { return db.(*DB).linearView() }
}

// Record is one OSV record of a DB, as (*DB).Record returns it. It is a
// copy, but its slices are shared with the DB, which is shared across
// goroutines: callers must not modify them (clone before appending).
type Record struct {
	ID       string
	Aliases  []string
	Upstream []string
	// Malicious says the record reports a known-malicious package: it
	// says so itself (a MAL- id, OpenSSF's origins, GitHub's CWE-506) or
	// it and such a record alias each other (see the package doc).
	Malicious bool
	Modified  time.Time // zero when the database does not record it
	Withdrawn time.Time // zero unless withdrawn; withdrawn records never match
	Published time.Time
	Summary   string
	Details   string
	// Severity is the record's own severity list (CVSS vectors and
	// their types, as OSV writes them).
	Severity   []Severity
	References []Reference
	// URL is the advisory's page (database_specific.url), if given.
	URL string
	// GHSASeverity is GitHub's severity word (database_specific.severity:
	// "LOW", "MODERATE", "HIGH", "CRITICAL"), if given.
	GHSASeverity string
	// Affected holds the finding-only data of each of the record's
	// affected[] elements, in the record's order.
	Affected []RecordPackage
}

// Record returns record i (0 <= i < Len()); Verdict.Record names one.
// It panics when i is out of range, as an index expression does.
func (db *DB) Record(i int) Record {
	e := &db.entries[i]
	x := db.details(int32(i))
	return Record{
		ID: e.ID, Aliases: e.Aliases, Upstream: e.Upstream, Malicious: db.maliciousAt(int32(i)),
		Modified: e.Modified, Withdrawn: e.Withdrawn, Published: x.Published,
		Summary: x.Summary, Details: x.Details, Severity: x.Severity, References: x.References,
		URL: x.URL, GHSASeverity: x.GHSASeverity, Affected: x.Affected[:len(e.Affected):len(e.Affected)],
	}
}

// Verdict is what one record says about one package version. Its slices
// may be shared with the DB: callers must not modify them.
type Verdict struct {
	// Record is the record's index, for (*DB).Record.
	Record int
	// Advisory numbers the advisory the record belongs to: records that
	// name each other, or a common id, in aliases or upstream,
	// transitively, have the same number. Numbers mean nothing across
	// databases.
	Advisory int
	// Affected says whether the version is in one of the record's
	// affected ranges or versions lists for the package.
	Affected bool
	// The rest is set only when Affected.
	//
	// Package is the package name as the record writes it, and Element
	// the index in Record.Affected of the first affected[] element that
	// matched.
	Package string
	Element int
	// Range is the range that matched (">=1.2.0, <1.2.5", ">=0",
	// "versions list: 1.2.3"); when several affected[] elements of the
	// record match, their ranges are joined with "; ".
	Range string
	// Fixed lists the record's fixed versions above the version, in the
	// record's order.
	Fixed []string
	// Imports are the affected Go packages and symbols of the matching
	// affected[] elements.
	Imports []AffectedPackage
}

// Matches is what (*DB).Match found for one package version.
type Matches struct {
	// Verdicts has one verdict per record that names the package and
	// could be assessed (withdrawn records are left out), in the
	// database's order; a record that lists the package in several
	// affected[] elements is one verdict.
	Verdicts []Verdict
	// Unassessed are the ids of the records the version could not be
	// compared with: a range in a version scheme the version does not
	// parse in, an ecosystem without a known ordering, or an unknown
	// version (IsUnknownVersion), which is compared with nothing.
	Unassessed []string
	// Err says why the first of them could not be assessed.
	Err error
}

// Match compares a package version with every record of the database
// that names the package (id.Ecosystem and the normalised id.Name, as
// Identify gives them), with the ecosystem's version ordering, as the
// OSV schema defines matching: an explicit versions list, then each
// SEMVER or ECOSYSTEM range (GIT ranges name commits and are skipped).
// A version that cannot be assessed against a record is never "not
// affected" silently: the record is in Unassessed.
//
// The verdicts are appended to buf[:0], so that a caller matching many
// packages can reuse one slice (Matches.Verdicts then shares buf's
// array); buf may be nil.
func (db *DB) Match(id Identity, buf []Verdict) Matches {
	// Most packages of an SBOM have no record: they cost the index
	// look-up alone.
	refs := db.lookup(id.Ecosystem, id.Name)
	if len(refs) == 0 {
		return Matches{}
	}
	return db.match(id, refs, buf)
}

// match is Match for a package that has records.
func (db *DB) match(id Identity, refs []ref, buf []Verdict) Matches {
	out := Matches{Verdicts: buf[:0]}
	if IsUnknownVersion(id.Version) {
		for _, r := range refs {
			if e := &db.entries[r.entry]; e.Withdrawn.IsZero() && !slices.Contains(out.Unassessed, e.ID) {
				out.Unassessed = append(out.Unassessed, e.ID)
			}
		}
		if len(out.Unassessed) > 0 {
			out.Err = fmt.Errorf("%w: version %q is unknown", ErrUnassessableVersion, id.Version)
		}
		return out
	}
	vc := &versionCache{Version: id.Version}
	for _, r := range refs {
		e := &db.entries[r.entry]
		if !e.Withdrawn.IsZero() {
			continue
		}
		a := &e.Affected[r.affected]
		m, err := matchPrepared(a, db.prepare(r, id.Ecosystem), id.Ecosystem, vc)
		if err != nil {
			if !slices.Contains(out.Unassessed, e.ID) {
				out.Unassessed = append(out.Unassessed, e.ID)
			}
			if out.Err == nil {
				out.Err = err
			}
			continue
		}
		j := verdictOf(out.Verdicts, int(r.entry))
		if j < 0 {
			out.Verdicts = append(out.Verdicts, Verdict{Record: int(r.entry), Advisory: int(db.groupOf(r.entry))})
			j = len(out.Verdicts) - 1
		}
		if !m.Affected {
			continue
		}
		v := &out.Verdicts[j]
		ax := &db.details(r.entry).Affected[r.affected]
		// One record may list the same package in several affected[]
		// elements: one verdict says what all of them say.
		if v.Affected {
			v.Range += "; " + m.Rng
			for _, fv := range m.Fixed {
				if !slices.Contains(v.Fixed, fv) {
					v.Fixed = append(v.Fixed, fv)
				}
			}
			v.Imports = append(slices.Clip(v.Imports), ax.Imports...)
			continue
		}
		v.Affected, v.Package, v.Element = true, a.Name, int(r.affected)
		v.Range, v.Fixed, v.Imports = m.Rng, m.Fixed, ax.Imports
	}
	return out
}

// verdictOf returns the index of record i's verdict in vs, or -1. The
// refs of one record are adjacent (the index and the linear view list
// them record by record), so the last verdict is tried first; the rest
// are compared in place, not copied.
func verdictOf(vs []Verdict, i int) int {
	if n := len(vs); n > 0 && vs[n-1].Record == i {
		return n - 1
	}
	for j := range vs {
		if vs[j].Record == i {
			return j
		}
	}
	return -1
}
