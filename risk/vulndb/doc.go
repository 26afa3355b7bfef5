// Package vulndb is chaingate's OSV vulnerability database: loading it,
// keeping it compact and matching its records against package versions.
//
// Load reads a database from a directory of OSV JSON files, osv.dev's
// per-ecosystem or full all.zip (or a directory of several), the Go
// vulnerability database layout or a compact index written by
// (*DB).WriteIndex; ReadIndex reads such an index from any reader, for
// example an embedded file. Download fetches and refreshes an all.zip with
// the caller's HTTP client; nothing else touches the network. A loaded DB
// is immutable and safe for concurrent use.
//
// Records that name each other in aliases or upstream, transitively, are
// linked into one advisory when the DB is built, and a record that is or
// aliases a known-malicious report (MAL-, OpenSSF malicious-packages,
// GitHub malware with CWE-506) marks its whole advisory malicious.
//
// Identify turns an SBOM component into an OSV identity (ecosystem, name,
// version) from its purl and qualifiers; (*DB).Match compares it with
// every record that names the package, and each ecosystem's version
// ordering (Go and SemVer, npm, PyPI, Maven, RubyGems, NuGet, Packagist,
// Pub, CRAN, Hackage, rpm, dpkg, apk and the others OSV names) decides
// whether the version is in a record's affected ranges. Match returns one
// Verdict per record (affected or not, the range that matched, the fixes
// above the version, the advisory the record belongs to) and the records
// it could not assess; (*DB).Record reads the record a verdict names.
//
// What does not live here: the scan that turns matches into findings, their
// priority, enrichment and outputs (package risk, which imports this one),
// and supply-chain signals (risk/signal).
package vulndb
