package vulndb

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
)

// MaxOSVEntryBytes is the default size limit of one OSV JSON entry
// (see WithMaxEntryBytes). The largest entry in the Go vulndb is about
// 200 KB; OSV's Linux kernel entries reach a few MB.
const MaxOSVEntryBytes = 16 << 20

// ErrTooLarge reports an input over its size limit.
var ErrTooLarge = errors.New("risk: input too large")

// ErrInvalidOSV reports an OSV entry that does not follow the OSV schema.
var ErrInvalidOSV = errors.New("risk: invalid OSV entry")

// ParseOSV parses one OSV JSON entry with the osv-schema Go bindings.
// Unknown fields are ignored (the schema grows); an entry without an id
// or with a malformed range is an error wrapping ErrInvalidOSV.
func ParseOSV(data []byte) (*osvschema.Vulnerability, error) {
	if len(data) > MaxOSVEntryBytes {
		return nil, fmt.Errorf("risk: parse OSV entry: %w (%d bytes, limit %d)", ErrTooLarge, len(data), MaxOSVEntryBytes)
	}
	var v osvschema.Vulnerability
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("risk: parse OSV entry: %w: %v", ErrInvalidOSV, err)
	}
	if _, err := convert(&v); err != nil {
		return nil, err
	}
	return &v, nil
}

// entry is the compact form of an OSV entry that the DB keeps and the
// serialised index stores: what matching needs, decoded eagerly, and the
// rest (texts, references, affected packages and symbols) as extra,
// decoded only for entries that match (see (*DB).details).
type entry struct {
	ID      string
	Aliases []string
	// Upstream are the ids the entry's OSV "upstream" names (a distro
	// advisory's CVEs); with Aliases they link records into one advisory
	// (see groups).
	Upstream []string
	// Malicious is set when the record itself says the package is
	// known-malicious (see isMalicious); build extends it to every
	// record linked with such a record.
	Malicious bool
	Modified  time.Time
	Withdrawn time.Time
	Affected  []affected
	// Extra is the JSON of the entry's extra, set only in a compact
	// index; Decoded is the decoded form, set when parsed from OSV JSON.
	Extra   string
	Decoded *extra
}

// extra is the part of an entry only findings need.
type extra struct {
	Related    []string        `json:"related,omitempty"`
	Summary    string          `json:"summary,omitempty"`
	Details    string          `json:"details,omitempty"`
	Published  time.Time       `json:"published,omitzero"`
	Severity   []Severity      `json:"severity,omitempty"`
	References []Reference     `json:"references,omitempty"`
	URL        string          `json:"url,omitempty"`
	Affected   []RecordPackage `json:"affected,omitempty"`
	// GHSASeverity is GitHub's database_specific.severity ("LOW",
	// "MODERATE", "HIGH", "CRITICAL"), used when no record of an
	// advisory gives a CVSS vector.
	GHSASeverity string `json:"ghsaSeverity,omitempty"`
}

// RecordPackage is the finding-only part of one affected[] element of a
// record (Record.Affected is parallel to the record's affected[]). Its
// JSON form is part of the compact index.
type RecordPackage struct {
	// PURL is the package URL the element gives, if any.
	PURL string `json:"purl,omitempty"`
	// Imports are the Go packages and symbols the element says are
	// vulnerable (the Go vulndb's ecosystem_specific.imports).
	Imports []AffectedPackage `json:"imports,omitempty"`
	// Severity is the element's own severity, if it gives one.
	Severity []Severity `json:"severity,omitempty"`
}

// Severity is one severity an OSV entry gives: a CVSS vector or a score
// and its type.
type Severity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

type affected struct {
	Ecosystem string
	Name      string
	Ranges    []affectedRange
	Versions  []string
}

type affectedRange struct {
	Type   string
	Events []event
}

type eventKind uint8

const (
	eventIntroduced eventKind = iota + 1
	eventFixed
	eventLastAffected
	eventLimit
)

// String names the OSV range event.
func (k eventKind) String() string {
	switch k {
	case eventIntroduced:
		return "introduced"
	case eventFixed:
		return "fixed"
	case eventLastAffected:
		return "last_affected"
	case eventLimit:
		return "limit"
	}
	return "unknown"
}

type event struct {
	Kind    eventKind
	Version string
}

func toTime(ts interface {
	AsTime() time.Time
	IsValid() bool
}) time.Time {
	if ts == nil || !ts.IsValid() {
		return time.Time{}
	}
	t := ts.AsTime().UTC()
	if t.Year() <= 1 {
		return time.Time{}
	}
	return t
}

// convert checks an entry and returns its compact form.
func convert(v *osvschema.Vulnerability) (*entry, error) {
	id := v.GetId()
	bad := func(format string, a ...any) error {
		return fmt.Errorf("risk: OSV entry %q: %w: %s", id, ErrInvalidOSV, fmt.Sprintf(format, a...))
	}
	if id == "" {
		return nil, bad("no id")
	}
	x := &extra{
		Related:  v.GetRelated(),
		Summary:  v.GetSummary(),
		Details:  v.GetDetails(),
		Severity: severities(v.GetSeverity()),
	}
	e := &entry{ID: id, Aliases: v.GetAliases(), Upstream: v.GetUpstream(), Decoded: x}
	e.Malicious = isMalicious(v)
	if v.Published != nil {
		x.Published = toTime(v.Published)
	}
	if v.Modified != nil {
		e.Modified = toTime(v.Modified)
	}
	if v.Withdrawn != nil {
		e.Withdrawn = v.Withdrawn.AsTime().UTC()
		if e.Withdrawn.IsZero() {
			e.Withdrawn = time.Unix(0, 0).UTC()
		}
	}
	for _, r := range v.GetReferences() {
		x.References = append(x.References, Reference{Type: r.GetType().String(), URL: r.GetUrl()})
	}
	if ds := v.GetDatabaseSpecific(); ds != nil {
		if u, ok := ds.GetFields()["url"]; ok {
			x.URL = u.GetStringValue()
		}
		if sv, ok := ds.GetFields()["severity"]; ok {
			x.GHSASeverity = strings.ToUpper(strings.TrimSpace(sv.GetStringValue()))
		}
	}
	for i, a := range v.GetAffected() {
		pkg := a.GetPackage()
		af := affected{
			Ecosystem: pkg.GetEcosystem(),
			Name:      pkg.GetName(),
			Versions:  a.GetVersions(),
		}
		ax := RecordPackage{PURL: pkg.GetPurl(), Severity: severities(a.GetSeverity())}
		if af.Name == "" || af.Ecosystem == "" {
			// OSV allows affected[] without a package for GIT-only
			// entries; they cannot match a package and are skipped.
			if len(a.GetRanges()) > 0 && allGit(a.GetRanges()) {
				continue
			}
			return nil, bad("affected[%d] has no package name or ecosystem", i)
		}
		for j, r := range a.GetRanges() {
			rr := affectedRange{Type: r.GetType().String()}
			if r.GetType() == osvschema.Range_UNSPECIFIED {
				return nil, bad("affected[%d].ranges[%d] has no valid type", i, j)
			}
			for k, ev := range r.GetEvents() {
				var oe event
				n := 0
				if s := ev.GetIntroduced(); s != "" {
					oe, n = event{eventIntroduced, s}, n+1
				}
				if s := ev.GetFixed(); s != "" {
					oe, n = event{eventFixed, s}, n+1
				}
				if s := ev.GetLastAffected(); s != "" {
					oe, n = event{eventLastAffected, s}, n+1
				}
				if s := ev.GetLimit(); s != "" {
					oe, n = event{eventLimit, s}, n+1
				}
				if n != 1 {
					return nil, bad("affected[%d].ranges[%d].events[%d] must set exactly one of introduced, fixed, last_affected, limit", i, j, k)
				}
				rr.Events = append(rr.Events, oe)
			}
			if len(rr.Events) == 0 {
				return nil, bad("affected[%d].ranges[%d] has no events", i, j)
			}
			af.Ranges = append(af.Ranges, rr)
		}
		ax.Imports = imports(a.GetEcosystemSpecific())
		e.Affected = append(e.Affected, af)
		x.Affected = append(x.Affected, ax)
	}
	return e, nil
}

// malwareCWE is CWE-506, Embedded Malicious Code: GitHub files its
// malware advisories under it.
const malwareCWE = "CWE-506"

// isMalicious reports whether a record says by itself that its
// packages are known-malicious: an OpenSSF malicious-packages id
// ("MAL-2025-3546"), the malicious-packages-origins that project's
// records carry in database_specific, or a GitHub malware advisory
// (CWE-506 in database_specific.cwe_ids, or in an affected package's
// database_specific.cwes as OpenSSF copies it). Aliasing such a record
// is handled at the database level (build).
func isMalicious(v *osvschema.Vulnerability) bool {
	if strings.HasPrefix(v.GetId(), "MAL-") {
		return true
	}
	if ds := v.GetDatabaseSpecific(); ds != nil {
		f := ds.GetFields()
		if _, ok := f["malicious-packages-origins"]; ok {
			return true
		}
		for _, c := range f["cwe_ids"].GetListValue().GetValues() {
			if strings.EqualFold(strings.TrimSpace(c.GetStringValue()), malwareCWE) {
				return true
			}
		}
	}
	for _, a := range v.GetAffected() {
		for _, c := range a.GetDatabaseSpecific().GetFields()["cwes"].GetListValue().GetValues() {
			if strings.EqualFold(c.GetStructValue().GetFields()["cweId"].GetStringValue(), malwareCWE) {
				return true
			}
		}
	}
	return false
}

func allGit(rs []*osvschema.Range) bool {
	for _, r := range rs {
		if r.GetType() != osvschema.Range_GIT {
			return false
		}
	}
	return true
}

func severities(ss []*osvschema.Severity) []Severity {
	var out []Severity
	for _, s := range ss {
		out = append(out, Severity{Type: s.GetType().String(), Score: s.GetScore()})
	}
	return out
}

// imports reads the Go vulndb's ecosystem_specific.imports: the
// affected packages and symbols.
func imports(s *structpb.Struct) []AffectedPackage {
	if s == nil {
		return nil
	}
	imps := s.GetFields()["imports"].GetListValue()
	var out []AffectedPackage
	for _, iv := range imps.GetValues() {
		f := iv.GetStructValue().GetFields()
		p := AffectedPackage{Path: f["path"].GetStringValue()}
		if p.Path == "" {
			continue
		}
		p.Symbols = stringsOf(f["symbols"])
		p.GOOS = stringsOf(f["goos"])
		p.GOARCH = stringsOf(f["goarch"])
		out = append(out, p)
	}
	return out
}

func stringsOf(v *structpb.Value) []string {
	var out []string
	for _, x := range v.GetListValue().GetValues() {
		if s := strings.TrimSpace(x.GetStringValue()); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Reference is a link an entry gives ("ADVISORY", "FIX", "WEB", ...).
type Reference struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// AffectedPackage is a package (a Go import path) and the symbols in it
// that an entry says are vulnerable.
type AffectedPackage struct {
	Path    string   `json:"path"`
	Symbols []string `json:"symbols,omitempty"`
	GOOS    []string `json:"goos,omitempty"`
	GOARCH  []string `json:"goarch,omitempty"`
}
