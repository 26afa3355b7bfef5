// Package risk says how risky an SBOM is: it matches components against an
// OSV vulnerability database with each ecosystem's version rules, enriches
// findings with CVSS, EPSS and CISA KEV, applies VEX, collects supply-chain
// signals (typosquats, dependency anomalies, install scripts, Git
// behaviour) and turns them into explainable, prioritised results.
//
// # Layout
//
// Package risk holds the scan and what it returns: Scan, Report, Finding,
// Evidence, Priority and prioritisation, enrichment (CVSS, EPSS, KEV), VEX
// in and out, SARIF in and out, Markdown, and the Go evidence entry points
// ScanGoBinary and ScanGoSource. The rest lives in packages below it, each
// importing only the ones below it:
//
//   - risk/vulndb: the vulnerability database: vulndb.Load, vulndb.Download,
//     the compact index (vulndb.ReadIndex, (*DB).WriteIndex), OSV records,
//     ecosystems and each ecosystem's version ordering, and matching a
//     record's affected ranges against a version.
//   - risk/content: package content analysis (content.ScanPackageArchive,
//     content.ScanNPMDir, content.Report and its model); it produces signals.
//   - risk/signal: the Signal type, the Detector interface, the detectors
//     (dependency changes, confusion and pinning, typosquats, Git history)
//     and their combination (signal.Combine).
//   - risk/model: typosquat features, popularity lists, the logistic, rule
//     and floored models, the training artefact format, evaluation and drift.
//
// DB, Score, LoadOSV, ReadIndex, TyposquatScore and ScanPackageArchive are
// kept here as aliases and forwarders, so code written before the split
// compiles unchanged.
//
// # Vulnerabilities
//
// vulndb.Load reads a database from a directory of OSV JSON files, osv.dev's
// per-ecosystem or full all.zip (or a directory of several), the Go
// vulnerability database layout or a compact index written by
// (*DB).WriteIndex (vulndb.ReadIndex reads one from any reader, for example
// an embedded file). vulndb.Download fetches and refreshes an all.zip with
// the caller's HTTP client; nothing else touches the network.
//
// Scan matches an sbom.Document against a DB. Identity comes from the
// purl (Go module paths keep their case), names are normalised per
// ecosystem, versions are compared with the ecosystem's own rules exactly
// as OSV defines ranges: Go and SemVer; npm, crates.io, Hex, SwiftURL,
// ConanCenter; PyPI (PEP 440); Maven; RubyGems; NuGet; Packagist
// (Composer); Pub; CRAN; Hackage; rpm (Red Hat, AlmaLinux, Rocky Linux,
// SUSE, openSUSE, Mageia, openEuler, Photon OS, Azure Linux); dpkg
// (Debian, Ubuntu); apk (Alpine, Wolfi, Chainguard). Distro packages are
// matched by their purl's "distro" qualifier ("distro=rhel-9.4" matches
// osv.dev's "Red Hat:enterprise_linux:9::appstream" and "::baseos"
// records, "distro=ubuntu-22.04" its "Ubuntu:22.04:LTS" ones) and, for
// Debian, Ubuntu and the Red Hat family, the "epoch" qualifier.
// Components whose version is unknown are reported as unassessed, never
// matched; withdrawn entries never match.
//
// # Advisories
//
// One vulnerability often has several records: osv.dev's zips mix an
// ecosystem's own records (GO-, PYSEC-, DSA-, ...) with GitHub's (GHSA-)
// and OpenSSF's malicious-packages reports (MAL-). Records that name each
// other in aliases or upstream, transitively, are one advisory, and the
// records of one advisory that match a component are one Finding: its ID
// is the primary record's (see Finding.ID), every other id is an alias,
// and its severities, fixes, references, KEV and EPSS come from all of
// them. Evidence.Records says which records call the version affected.
//
// A known-malicious package (Finding.Malicious: a MAL- record, an OpenSSF
// malicious-packages origin, a GitHub malware advisory with CWE-506, or a
// record aliasing one) ranks Act with score 100, above every other
// finding, is never suppressed by VEX, and leads the Markdown report.
//
// ScanGoBinary scans a compiled Go binary (ELF, Mach-O, PE; stripped or
// not) and says for each Go finding whether the vulnerable code is in
// it: a vulnerable function is linked or inlined ("symbol"), only the
// affected package is ("package", "symbol-absent") or not even that
// ("package-absent"), read from the build information and the function
// table as govulncheck's binary mode does.
//
// # Priority
//
// Each finding gets an SSVC-style Decision (Act, Attend, TrackStar, Track)
// and an ordinal score with its reasons, from CISA KEV, EPSS, CVSS,
// whether a fix exists, the dependency relationship, the component's
// scope and the evidence level. Known-exploited and likely-exploited
// findings always rank above merely critical ones; findings whose
// vulnerable code is not in the build rank below all others. PriorityConfig's zero
// value is the default; its fields tune the weights.
//
// # Formats
//
// The Report is JSON with a schema version (ReportSchemaVersion) and can
// also be written as SARIF 2.1.0, Markdown (for a pull-request comment)
// and OpenVEX (for the findings chaingate proves not affected). VEX in
// (OpenVEX, CycloneDX) suppresses findings scoped to the product and
// subcomponents it names; SARIF in adds other tools' results to the same
// prioritised list.
package risk
