# METADATA
# title: Vulnerabilities
# description: >-
#   Known-malicious packages, known-exploited vulnerabilities and findings
#   above a priority whose fix has been available for longer than an
#   allowed window. VEX-suppressed findings are skipped (never malicious
#   ones). Configure with data.chaingate.config.vulnerabilities.
package chaingate.lib.vulnerabilities

defaults := {
	"enabled": true,
	"deny_kev": true,
	"respect_vex": true,
	"threshold": "high",
	"fix_window_days": 30,
	"deny_unfixed": false,
	"unknown_priority": "critical",
	"ignore": [],
	"evidence_levels": ["module", "package", "symbol", "package-absent", "symbol-absent"],
}

default settings := {}

# settings are the caller's, from data.chaingate.config.vulnerabilities.
settings := data.chaingate.config.vulnerabilities

cfg := object.union(defaults, settings)

ranks := {"none": 0, "info": 0, "low": 1, "medium": 2, "moderate": 2, "high": 3, "critical": 4}

# rank is the finding's priority rank, else its severity's; an unknown one
# counts as cfg.unknown_priority (fail closed). One expression, no rule
# lookups: it runs for every finding.
rank(f) := object.get(ranks, lower(object.get(f, "priority", object.get(f, "severity", ""))), ranks[cfg.unknown_priority])

suppressed(f) if {
	cfg.respect_vex
	f.suppressed == true
}

suppressed(f) if {
	cfg.respect_vex
	f.vexStatus in {"not_affected", "fixed"}
}

ignored(f) if f.id in cfg.ignore

ignored(f) if {
	some a in object.get(f, "aliases", [])
	a in cfg.ignore
}

# evidence_levels are risk's evidence levels (risk.EvidenceLevel).
evidence_levels := {"module", "package", "symbol", "package-absent", "symbol-absent"}

# level is the finding's evidence level; a finding that names none counts
# as "module": a version in an affected range is all a plain version match
# establishes.
level(f) := l if {
	l := object.get(f, "evidenceLevel", "")
	l != ""
} else := "module"

# evidence_levels_invalid holds when the caller's evidence_levels is not a
# non-empty array of known levels. Then every finding counts (fail closed)
# and deny_evidence_levels_invalid says why.
evidence_levels_invalid if {
	x := object.get(settings, "evidence_levels", null)
	x != null
	not is_array(x)
}

evidence_levels_invalid if count(settings.evidence_levels) == 0

evidence_levels_invalid if {
	is_array(settings.evidence_levels)
	some l in settings.evidence_levels
	not l in evidence_levels
}

# evidence_counts holds when the finding's evidence level may block
# (evidence_levels). Without the setting, or with an invalid one, every
# finding counts whatever its level, so the defaults change nothing. A
# level the library does not know (a newer producer's) always counts, and
# so does every finding that is not a Go module's.
evidence_counts(_) if object.get(settings, "evidence_levels", null) == null

evidence_counts(_) if evidence_levels_invalid

evidence_counts(f) if level(f) in cfg.evidence_levels

evidence_counts(f) if not level(f) in evidence_levels

# Only Go analysis (risk.ScanGoBinary, ScanGoSource, FromGoModule's
# packages) can prove which code is in the build; a finding of any other
# ecosystem is never filtered out by evidence_levels (fail closed), so
# ["symbol"] cannot silently wave through every npm or PyPI finding.
evidence_counts(f) if not startswith(object.get(f, "purl", ""), "pkg:golang/")

# active are the findings that count: not VEX-suppressed, not ignored, of
# an evidence level that may block.
active := [f |
	cfg.enabled
	some f in input.risk.findings
	not suppressed(f)
	not ignored(f)
	evidence_counts(f)
]

# evidence_note names the vulnerable code found, for symbol-level findings.
evidence_note(f) := sprintf(" (vulnerable code in the build: %s)", [concat(", ", f.symbols)]) if {
	f.evidenceLevel == "symbol"
	count(object.get(f, "symbols", [])) > 0
} else := ""

# blocking are the active findings at or above the threshold.
blocking := [f |
	some f in active
	rank(f) >= ranks[cfg.threshold]
]

label(f) := sprintf("%s in %s %s", [f.id, object.get(f, "package", object.get(f, "component", "?")), object.get(f, "version", "?")])

# malicious are the known-malicious packages (risk's Finding.Malicious).
# Nothing but an explicit ignore of the id or an alias lifts one: not a
# VEX statement, the threshold, the fix window, deny_unfixed, nor
# enabled (a package published to attack its users is no vulnerability
# to schedule).
malicious := [f |
	some f in input.risk.findings
	f.malicious == true
	not ignored(f)
]

# METADATA
# title: Known-malicious package
# description: >-
#   No component may be a known-malicious package (an OpenSSF
#   malicious-packages report, a GitHub malware advisory, or a record
#   aliasing one). Only listing its id or an alias in ignore lifts it.
# custom:
#   code: CG-VULN-010
#   severity: critical
deny_malicious contains result if {
	some f in malicious
	result := {
		"msg": sprintf("%s is a known-malicious package (%s): remove it and treat every machine that installed it as compromised", [label(f), concat(", ", array.concat([f.id], object.get(f, "aliases", [])))]),
		"finding": f.id,
		"component": object.get(f, "component", ""),
	}
}

# --- Unassessed components ---------------------------------------------
# A component the scan could not assess (input.risk.unassessed: a version
# its ecosystem's rules reject, no version) is not a clean component:
# nothing is known about it. In an ecosystem with a vulnerability database
# it is denied unless deny_unassessed is false. The root component (the
# artifact itself) is skipped when no advisory could have applied to it.

unassessed_defaults := {
	"deny_unassessed": true,
	"unassessed_ecosystems": [
		"Go", "npm", "PyPI", "Maven", "crates.io", "RubyGems", "NuGet", "Packagist", "Hex", "Pub",
		"SwiftURL", "ConanCenter", "CRAN", "Hackage",
		"Debian", "Ubuntu", "Alpine", "Wolfi", "Chainguard", "Red Hat", "Rocky Linux", "AlmaLinux",
		"openSUSE", "SUSE", "Mageia", "Photon OS", "Azure Linux",
	],
}

unassessed_cfg := object.union(unassessed_defaults, settings)

# unassessed_ecosystem is the ecosystem without its release ("Debian:12"
# is "Debian").
unassessed_ecosystem(u) := split(object.get(u, "ecosystem", ""), ":")[0]

unassessed_skipped(u) if {
	u.root == true
	count(object.get(u, "advisories", [])) == 0
}

# METADATA
# title: Unassessed component
# description: >-
#   A component whose version the vulnerability scan could not assess, in an
#   ecosystem with a vulnerability database, is denied (turn off with
#   deny_unassessed: false).
# custom:
#   code: CG-VULN-009
#   severity: high
deny_unassessed contains result if {
	cfg.enabled
	unassessed_cfg.deny_unassessed
	some u in object.get(input, ["risk", "unassessed"], [])
	unassessed_ecosystem(u) in unassessed_cfg.unassessed_ecosystems
	not unassessed_skipped(u)
	advisories := object.get(u, "advisories", [])
	result := {
		"msg": sprintf("%s %s (%s) could not be checked for vulnerabilities: %s%s", [
			object.get(u, "package", u.component), object.get(u, "version", "(no version)"), unassessed_ecosystem(u), u.reason,
			unassessed_advisories_note(advisories),
		]),
		"component": u.component,
		"advisories": advisories,
	}
}

unassessed_advisories_note(ids) := "" if count(ids) == 0

unassessed_advisories_note(ids) := sprintf("; advisories that may apply: %s", [concat(", ", ids)]) if count(ids) > 0
# --- end of unassessed components --------------------------------------

# METADATA
# title: Evidence levels setting invalid
# description: >-
#   evidence_levels, when set, must be a non-empty array of risk's evidence
#   levels; otherwise every finding counts and this rule denies.
# custom:
#   code: CG-VULN-011
#   severity: high
deny_evidence_levels_invalid contains result if {
	cfg.enabled
	evidence_levels_invalid
	result := {"msg": sprintf("data.chaingate.config.vulnerabilities.evidence_levels must be a non-empty array of %v, got %v: every finding counts until it is fixed", [sort(evidence_levels), settings.evidence_levels])}
}

# METADATA
# title: Known exploited vulnerability
# description: No finding may be in CISA's Known Exploited Vulnerabilities catalogue.
# custom:
#   code: CG-VULN-001
#   severity: critical
deny_kev contains result if {
	cfg.deny_kev
	some f in active
	f.kev == true
	result := {
		"msg": sprintf("%s is known to be exploited (CISA KEV)%s", [label(f), evidence_note(f)]),
		"finding": f.id,
		"component": object.get(f, "component", ""),
	}
}

fix_known(f) if count(object.get(f, "fixedVersions", [])) > 0

fix_known(f) if object.get(f, "fixedSince", "") != ""

window_ns := cfg.fix_window_days * 86400000000000

# within_window holds when the fix is younger than the window. Without a
# decision time or a fix date the age is unknown: not within (fail closed).
within_window(f) if {
	time.parse_rfc3339_ns(input.time) - time.parse_rfc3339_ns(f.fixedSince) <= window_ns
}

overdue(f) if {
	fix_known(f)
	not within_window(f)
}

overdue(f) if {
	not fix_known(f)
	cfg.deny_unfixed
}

# METADATA
# title: Fix overdue
# description: >-
#   No finding at or above the threshold priority may stay unfixed once a
#   fix has been available for longer than fix_window_days (and, with
#   deny_unfixed, none may be unfixed at all).
# custom:
#   code: CG-VULN-002
#   severity: high
deny_fix_overdue contains result if {
	some f in blocking
	overdue(f)
	result := {
		"msg": sprintf("%s has priority %s at or above %s and a fix available for more than %d days (fixed in %s)%s", [label(f), object.get(f, "priority", object.get(f, "severity", "unknown")), cfg.threshold, cfg.fix_window_days, concat(", ", object.get(f, "fixedVersions", [])), evidence_note(f)]),
		"finding": f.id,
		"component": object.get(f, "component", ""),
	}
}

# METADATA
# title: Fix within window
# description: A finding at or above the threshold has a fix that is still inside the allowed window.
# custom:
#   code: CG-VULN-003
#   severity: medium
warn_fix_pending contains result if {
	some f in blocking
	fix_known(f)
	within_window(f)
	result := {"msg": sprintf("%s has a fix inside the %d-day window: update soon", [label(f), cfg.fix_window_days]), "finding": f.id}
}
