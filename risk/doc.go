// Package risk says how risky an SBOM is: it matches components against an
// OSV vulnerability database with each ecosystem's version rules, enriches
// findings with CVSS, EPSS and CISA KEV, applies VEX, collects supply-chain
// signals (typosquats, dependency anomalies, install scripts, Git
// behaviour) and turns them into explainable, prioritised results.
//
// # Vulnerabilities
//
// LoadOSV reads a database from a directory of OSV JSON files, OSV's
// per-ecosystem all.zip, the Go vulnerability database layout or a
// compact index written by (*DB).WriteIndex (ReadIndex reads one from any
// reader, for example an embedded file). DownloadOSV fetches and refreshes
// an all.zip with the caller's HTTP client; nothing else touches the
// network.
//
// Scan matches an sbom.Document against a DB. Identity comes from the
// purl (Go module paths keep their case), names are normalised per
// ecosystem, versions are compared with the ecosystem's own rules (Go and
// SemVer, npm, PyPI, Maven, Debian, Alpine, RubyGems, NuGet) exactly as
// OSV defines ranges. Components whose version is unknown are reported as
// unassessed, never matched; withdrawn entries never match.
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
