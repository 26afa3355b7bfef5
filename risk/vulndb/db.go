package vulndb

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// DB is a loaded OSV vulnerability database, indexed by ecosystem and
// normalised package name. It is immutable after Load or ReadIndex
// returns and safe for concurrent use by any number of Scans. The zero
// DB is an empty database.
type DB struct {
	entries []entry
	index   map[string]map[string][]ref // ecosystem → normalised name → refs
	info    Info
	// prepared caches each affected[] element's parsed, sorted range
	// events, filled on first use (indexed by ref.slot).
	prepared []atomic.Pointer[matchParsed]
	// extras holds each entry's decoded extra (indexed like entries),
	// filled at build time from JSON or on first use from an index.
	extras []atomic.Pointer[extra]

	// group numbers the advisory each entry belongs to: entries linked
	// through aliases and upstream, transitively (see groups).
	group []int32
	// malicious marks the entries that are known-malicious-package
	// records, or alias one (see malicious).
	malicious []bool

	// linearOnce builds linearDB, the view of this database that finds
	// a package's records without the index (see linearView); only a
	// benchmark baseline asks for it. linearOnly marks such a view and
	// linear holds its list.
	linearOnce sync.Once
	linearDB   *DB
	linearOnly bool
	linear     []linear
}

// ref points to one affected[] element of one entry.
type ref struct {
	entry, affected, slot int32
}

// Option configures Load and ReadIndex.
type Option func(*Config) error

// Config is what the Options of Load and ReadIndex set; its fields are
// unexported, so only the With... options can change them.
type Config struct {
	maxEntryBytes int64
	maxTotalBytes int64
	ecosystems    map[string]bool
	// noGroups skips linking records into advisories: only the
	// benchmark baseline of the load path before advisories were linked
	// sets it (see withoutLinks in the tests).
	noGroups bool
}

func newConfig(opts []Option) (*Config, error) {
	c := &Config{maxEntryBytes: MaxOSVEntryBytes, maxTotalBytes: 4 << 30}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// WithMaxEntryBytes limits the size of one OSV entry (default
// MaxOSVEntryBytes).
func WithMaxEntryBytes(n int64) Option {
	return func(c *Config) error {
		if n <= 0 {
			return fmt.Errorf("risk: WithMaxEntryBytes(%d): must be positive", n)
		}
		c.maxEntryBytes = n
		return nil
	}
}

// WithMaxTotalBytes limits the total uncompressed size read (default 4
// GiB), which bounds what a hostile zip can make Load read.
func WithMaxTotalBytes(n int64) Option {
	return func(c *Config) error {
		if n <= 0 {
			return fmt.Errorf("risk: WithMaxTotalBytes(%d): must be positive", n)
		}
		c.maxTotalBytes = n
		return nil
	}
}

// WithEcosystems keeps only the affected packages of the named OSV
// ecosystems, written as osv.dev writes them or shorter ("Go", "npm",
// "Debian:12", "Ubuntu:22.04:LTS", "Red Hat:enterprise_linux:9"). A name
// keeps every ecosystem it is a ':'-separated prefix of, after both are
// normalised as the index does: "Debian" keeps every release, "Ubuntu:Pro"
// every Ubuntu Pro release, and "Red Hat:enterprise_linux:9::appstream"
// keeps the baseos and crb records of RHEL 9 too (a purl does not name
// the repository a package came from, so the index does not tell them
// apart). Entries with no affected package left are dropped.
func WithEcosystems(ecosystems ...string) Option {
	return func(c *Config) error {
		if len(ecosystems) == 0 {
			return fmt.Errorf("risk: WithEcosystems: no ecosystem named")
		}
		c.ecosystems = map[string]bool{}
		for _, e := range ecosystems {
			c.ecosystems[ecosystemCanonical(e)] = true
		}
		return nil
	}
}

func (c *Config) keep(ecosystem string) bool {
	return c.ecosystems == nil || ecosystemSelected(c.ecosystems, ecosystem)
}

// build indexes entries (sorted by ID for a stable order).
func build(entries []entry, source string, cfg *Config) *DB {
	if cfg != nil && cfg.ecosystems != nil {
		kept := entries[:0]
		for _, e := range entries {
			var af []affected
			var idx []int
			for j, a := range e.Affected {
				if cfg.keep(a.Ecosystem) {
					af = append(af, a)
					idx = append(idx, j)
				}
			}
			if len(af) > 0 {
				if len(af) < len(e.Affected) {
					e.Decoded = keepDetails(&e, idx)
				}
				e.Affected = af
				kept = append(kept, e)
			}
		}
		entries = kept
	}
	slices.SortStableFunc(entries, func(a, b entry) int {
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
	entries = dedupe(entries)
	db := &DB{entries: entries, index: map[string]map[string][]ref{}, info: Info{Source: source, Entries: len(entries)}}
	if cfg == nil || !cfg.noGroups {
		db.group = groups(entries)
		db.malicious = malicious(entries)
	}
	ecos := map[string]bool{}
	slots := 0
	var modified time.Time
	for i := range entries {
		e := &entries[i]
		if !e.Withdrawn.IsZero() {
			db.info.Withdrawn++
		}
		if e.Modified.After(modified) {
			modified = e.Modified
		}
		for j := range e.Affected {
			a := &e.Affected[j]
			eco := ecosystemCanonical(a.Ecosystem)
			ecos[eco] = true
			byName := db.index[eco]
			if byName == nil {
				byName = map[string][]ref{}
				db.index[eco] = byName
			}
			k := ecosystemNormName(eco, a.Name)
			byName[k] = append(byName[k], ref{int32(i), int32(j), int32(slots)})
			slots++
		}
	}
	for e := range ecos {
		db.info.Ecosystems = append(db.info.Ecosystems, e)
	}
	slices.Sort(db.info.Ecosystems)
	db.info.Modified = modified
	db.prepared = make([]atomic.Pointer[matchParsed], slots)
	db.extras = make([]atomic.Pointer[extra], len(entries))
	for i := range entries {
		if entries[i].Decoded != nil {
			db.extras[i].Store(entries[i].Decoded)
			entries[i].Decoded = nil
		}
	}
	return db
}

// keepDetails returns e's details with only the affected[] elements at
// idx, so that they stay parallel to the elements WithEcosystems keeps.
// Details that cannot be decoded are left for (*DB).details to report.
func keepDetails(e *entry, idx []int) *extra {
	x := e.Decoded
	if x == nil {
		x = &extra{}
		if err := json.Unmarshal([]byte(e.Extra), x); err != nil {
			return nil
		}
	}
	y := *x
	y.Affected = make([]RecordPackage, len(idx))
	for k, j := range idx {
		if j < len(x.Affected) {
			y.Affected[k] = x.Affected[j]
		}
	}
	return &y
}

// Info describes the database.
func (db *DB) Info() Info {
	info := db.info
	info.Ecosystems = slices.Clone(info.Ecosystems)
	return info
}

// Len returns the number of entries, withdrawn ones included.
func (db *DB) Len() int { return len(db.entries) }

// Has reports whether the database has an entry with the given OSV id.
func (db *DB) Has(id string) bool {
	_, ok := slices.BinarySearchFunc(db.entries, id, func(e entry, id string) int {
		switch {
		case e.ID < id:
			return -1
		case e.ID > id:
			return 1
		}
		return 0
	})
	return ok
}

// lookup returns the affected[] elements of the entries that name a
// package, by OSV ecosystem and normalised name: from the index, or, in
// a linear view, by walking every affected[] element.
func (db *DB) lookup(ecosystem, name string) []ref {
	if db.linearOnly {
		return db.linearLookup(ecosystem, name)
	}
	return db.index[ecosystem][name]
}

// prepare returns the parsed ranges of the affected[] element r points
// to, parsing them on first use. Concurrent first uses may both parse;
// the results are equal and one wins.
func (db *DB) prepare(r ref, ecosystem string) *matchParsed {
	slot := &db.prepared[r.slot]
	if p := slot.Load(); p != nil {
		return p
	}
	p := matchPrepare(&db.entries[r.entry].Affected[r.affected], ecosystem)
	slot.CompareAndSwap(nil, p)
	return slot.Load()
}

// linearView returns a view of db that finds a package's records by
// walking every affected package of every entry, as a database without
// an index would (identities are normalised once, so the walk is only
// comparisons): the baseline risk's Scan benchmarks measure the index
// against, reached through internal/baseline. The view shares db's
// records and caches; it is built once.
func (db *DB) linearView() *DB {
	db.linearOnce.Do(func() {
		v := &DB{entries: db.entries, index: db.index, info: db.info, prepared: db.prepared, extras: db.extras,
			group: db.group, malicious: db.malicious, linearOnly: true}
		for eco, byName := range db.index {
			for n, refs := range byName {
				for _, r := range refs {
					v.linear = append(v.linear, linear{eco, n, r})
				}
			}
		}
		slices.SortFunc(v.linear, func(a, b linear) int { return int(a.ref.slot - b.ref.slot) })
		db.linearDB = v
	})
	return db.linearDB
}

// linearLookup is lookup in a linear view.
func (db *DB) linearLookup(ecosystem, name string) []ref {
	var out []ref
	for i := range db.linear {
		l := &db.linear[i]
		if l.name == name && l.ecosystem == ecosystem {
			out = append(out, l.ref)
		}
	}
	return out
}

type linear struct {
	ecosystem, name string
	ref             ref
}

// details returns the finding-only data of entry i, decoding it from the
// compact index on first use. A corrupt blob yields details whose
// summary says so (matching does not depend on it).
func (db *DB) details(i int32) *extra {
	slot := &db.extras[i]
	if x := slot.Load(); x != nil {
		return x
	}
	x := &extra{}
	if err := json.Unmarshal([]byte(db.entries[i].Extra), x); err != nil {
		x = &extra{Summary: fmt.Sprintf("(details unreadable in the compact index: %v)", err)}
	}
	if len(x.Affected) != len(db.entries[i].Affected) {
		x.Affected = append(x.Affected, make([]RecordPackage, max(0, len(db.entries[i].Affected)-len(x.Affected)))...)
	}
	slot.CompareAndSwap(nil, x)
	return slot.Load()
}

// dedupe keeps one entry per id in entries sorted by id: the most
// recently modified, else the first. The same record is in several of
// osv.dev's per-ecosystem zips (a GHSA advisory for Go and Maven
// packages is in both), and a directory holding them must not report it
// twice.
func dedupe(entries []entry) []entry {
	if len(entries) < 2 {
		return entries
	}
	out := entries[:1]
	for i := 1; i < len(entries); i++ {
		last := &out[len(out)-1]
		if entries[i].ID != last.ID {
			out = append(out, entries[i])
			continue
		}
		if entries[i].Modified.After(last.Modified) {
			*last = entries[i]
		}
	}
	clear(entries[len(out):])
	return out
}

// groups links the entries into advisories: two entries are one
// advisory when one names the other's id, or both name a common id, in
// their aliases or upstream, transitively, within the database (a
// union-find over ids). It returns each entry's advisory number.
func groups(entries []entry) []int32 {
	node := make(map[string]int32, len(entries)*2)
	parent := make([]int32, 0, len(entries)*2)
	id := func(s string) int32 {
		if n, ok := node[s]; ok {
			return n
		}
		n := int32(len(parent))
		node[s] = n
		parent = append(parent, n)
		return n
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	union := func(a, b int32) {
		if ra, rb := find(a), find(b); ra != rb {
			parent[max(ra, rb)] = min(ra, rb)
		}
	}
	own := make([]int32, len(entries))
	for i := range entries {
		e := &entries[i]
		own[i] = id(e.ID)
		for _, a := range e.Aliases {
			union(own[i], id(a))
		}
		for _, a := range e.Upstream {
			union(own[i], id(a))
		}
	}
	group := make([]int32, len(entries))
	for i := range entries {
		group[i] = find(own[i])
	}
	return group
}

// malicious marks the known-malicious-package records: those that say
// so themselves (entry.Malicious), and those that alias one or that
// one aliases (GHSA-p396-9cxf-5q3r is MAL-2025-3546's twin). Only a
// direct alias between the two records counts: a record that merely
// names the same CVE as a malicious one (another package's advisory for
// it, a chain of distro advisories) is not made malware by it.
func malicious(entries []entry) []bool {
	ids := map[string]bool{}     // ids of malicious records
	aliased := map[string]bool{} // ids they alias
	for i := range entries {
		if e := &entries[i]; e.Malicious {
			ids[e.ID] = true
			for _, a := range e.Aliases {
				aliased[a] = true
			}
		}
	}
	out := make([]bool, len(entries))
	if len(ids) == 0 {
		return out
	}
	for i := range entries {
		e := &entries[i]
		out[i] = e.Malicious || aliased[e.ID] || slices.ContainsFunc(e.Aliases, func(a string) bool { return ids[a] })
	}
	return out
}

// maliciousAt reports whether entry i is a known-malicious-package
// record.
func (db *DB) maliciousAt(i int32) bool {
	if db.malicious == nil {
		return db.entries[i].Malicious
	}
	return db.malicious[i]
}

// groupOf returns entry i's advisory number (its own index when the
// database was built without links).
func (db *DB) groupOf(i int32) int32 {
	if db.group == nil {
		return -1 - i
	}
	return db.group[i]
}

// Info describes a loaded vulnerability database.
type Info struct {
	// Source is what Load read: "dir", "zip", "go-vulndb" or "index".
	Source string `json:"source"`
	// Entries is the number of entries, withdrawn ones included.
	Entries int `json:"entries"`
	// Withdrawn is the number of withdrawn entries (never matched).
	Withdrawn int `json:"withdrawn"`
	// Ecosystems are the OSV ecosystems that have entries.
	Ecosystems []string `json:"ecosystems,omitempty"`
	// Modified is the latest modification time of any entry (zero when
	// the database does not record one, as the Go vulndb does not).
	Modified time.Time `json:"modified,omitzero"`
}
