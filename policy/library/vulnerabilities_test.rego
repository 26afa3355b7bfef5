package chaingate.lib.vulnerabilities_test

import data.chaingate.lib.vulnerabilities as v

now := "2026-06-01T00:00:00Z"

kev_finding := {"id": "CVE-2021-44228", "package": "log4j-core", "version": "2.14.1", "severity": "critical", "kev": true}

test_kev_denied if {
	r := v.deny_kev with input as {"time": now, "risk": {"findings": [kev_finding]}}
	count(r) == 1
	some x in r
	x.finding == "CVE-2021-44228"
}

test_kev_vex_suppressed_not_denied if {
	f := object.union(kev_finding, {"suppressed": true, "vexStatus": "not_affected"})
	count(v.deny_kev) == 0 with input as {"time": now, "risk": {"findings": [f]}}
}

test_kev_vex_status_only_suppresses if {
	f := object.union(kev_finding, {"vexStatus": "fixed"})
	count(v.deny_kev) == 0 with input as {"time": now, "risk": {"findings": [f]}}
}

test_vex_ignored_when_configured if {
	f := object.union(kev_finding, {"suppressed": true})
	count(v.deny_kev) == 1 with input as {"time": now, "risk": {"findings": [f]}}
		with data.chaingate.config.vulnerabilities as {"respect_vex": false}
}

test_kev_disabled if {
	count(v.deny_kev) == 0 with input as {"time": now, "risk": {"findings": [kev_finding]}}
		with data.chaingate.config.vulnerabilities as {"deny_kev": false}
}

test_ignore_by_alias if {
	f := object.union(kev_finding, {"aliases": ["GHSA-jfh8-c2jp-5v3q"]})
	count(v.deny_kev) == 0 with input as {"time": now, "risk": {"findings": [f]}}
		with data.chaingate.config.vulnerabilities as {"ignore": ["GHSA-jfh8-c2jp-5v3q"]}
}

old_fix := {"id": "GHSA-1", "package": "x", "version": "1.0.0", "priority": "high", "fixedVersions": ["1.0.1"], "fixedSince": "2026-01-01T00:00:00Z"}

new_fix := object.union(old_fix, {"fixedSince": "2026-05-25T00:00:00Z"})

test_old_fix_denied if {
	count(v.deny_fix_overdue) == 1 with input as {"time": now, "risk": {"findings": [old_fix]}}
}

test_new_fix_warned_not_denied if {
	count(v.deny_fix_overdue) == 0 with input as {"time": now, "risk": {"findings": [new_fix]}}
	count(v.warn_fix_pending) == 1 with input as {"time": now, "risk": {"findings": [new_fix]}}
}

test_below_threshold_allowed if {
	f := object.union(old_fix, {"priority": "medium"})
	count(v.deny_fix_overdue) == 0 with input as {"time": now, "risk": {"findings": [f]}}
}

test_threshold_configurable if {
	f := object.union(old_fix, {"priority": "medium"})
	count(v.deny_fix_overdue) == 1 with input as {"time": now, "risk": {"findings": [f]}}
		with data.chaingate.config.vulnerabilities as {"threshold": "medium"}
}

test_unknown_priority_fails_closed if {
	f := object.remove(old_fix, ["priority"])
	count(v.deny_fix_overdue) == 1 with input as {"time": now, "risk": {"findings": [f]}}
}

test_severity_used_without_priority if {
	f := object.union(object.remove(old_fix, ["priority"]), {"severity": "low"})
	count(v.deny_fix_overdue) == 0 with input as {"time": now, "risk": {"findings": [f]}}
}

test_missing_time_fails_closed if {
	count(v.deny_fix_overdue) == 1 with input as {"risk": {"findings": [new_fix]}}
}

test_unfixed_allowed_by_default if {
	f := object.remove(old_fix, ["fixedVersions", "fixedSince"])
	count(v.deny_fix_overdue) == 0 with input as {"time": now, "risk": {"findings": [f]}}
}

test_unfixed_denied_when_configured if {
	f := object.remove(old_fix, ["fixedVersions", "fixedSince"])
	count(v.deny_fix_overdue) == 1 with input as {"time": now, "risk": {"findings": [f]}}
		with data.chaingate.config.vulnerabilities as {"deny_unfixed": true}
}

test_window_configurable if {
	count(v.deny_fix_overdue) == 0 with input as {"time": now, "risk": {"findings": [old_fix]}}
		with data.chaingate.config.vulnerabilities as {"fix_window_days": 365}
}

test_disabled if {
	count(v.deny_kev) == 0 with input as {"time": now, "risk": {"findings": [kev_finding]}}
		with data.chaingate.config.vulnerabilities as {"enabled": false}
}

test_no_risk_section if {
	count(v.active) == 0 with input as {"time": now}
}

# Known-malicious packages: MAL-2025-3546 (npm blur-plugins), as risk
# reports it with its GitHub twin as an alias.
mal_finding := {
	"id": "MAL-2025-3546", "aliases": ["GHSA-p396-9cxf-5q3r"], "malicious": true,
	"package": "blur-plugins", "version": "1.0.0", "component": "blur-plugins@1.0.0",
	"priority": "critical",
}

test_malicious_denied_at_defaults if {
	r := v.deny_malicious with input as {"time": now, "risk": {"findings": [mal_finding]}}
	count(r) == 1
	some x in r
	x.finding == "MAL-2025-3546"
	contains(x.msg, "known-malicious")
	contains(x.msg, "GHSA-p396-9cxf-5q3r")
}

test_malicious_denied_whatever_the_settings if {
	f := object.union(mal_finding, {"priority": "low", "severity": "low", "suppressed": true, "vexStatus": "not_affected"})
	count(v.deny_malicious) == 1 with input as {"time": now, "risk": {"findings": [f]}}
		with data.chaingate.config.vulnerabilities as {"threshold": "critical", "fix_window_days": 100000, "deny_unfixed": false, "deny_kev": false, "enabled": false}
}

test_malicious_lifted_by_ignoring_its_id if {
	count(v.deny_malicious) == 0 with input as {"time": now, "risk": {"findings": [mal_finding]}}
		with data.chaingate.config.vulnerabilities as {"ignore": ["MAL-2025-3546"]}
}

test_malicious_lifted_by_ignoring_an_alias if {
	count(v.deny_malicious) == 0 with input as {"time": now, "risk": {"findings": [mal_finding]}}
		with data.chaingate.config.vulnerabilities as {"ignore": ["GHSA-p396-9cxf-5q3r"]}
}

test_malicious_not_lifted_by_another_ignore if {
	count(v.deny_malicious) == 1 with input as {"time": now, "risk": {"findings": [mal_finding]}}
		with data.chaingate.config.vulnerabilities as {"ignore": ["MAL-2025-0001", "GHSA-xxxx-xxxx-xxxx"]}
}

test_not_malicious_not_denied_by_it if {
	f := object.remove(mal_finding, ["malicious"])
	count(v.deny_malicious) == 0 with input as {"time": now, "risk": {"findings": [f, object.union(f, {"malicious": false})]}}
}

# --- evidence levels ---------------------------------------------------

# go_fix is old_fix as a Go module's finding: only those can prove which
# code is in the build, so only those are filtered by evidence_levels.
go_fix := object.union(old_fix, {"purl": "pkg:golang/example.com/m@v1.0.0"})

sym_finding := object.union(go_fix, {"id": "GO-2024-0001", "evidenceLevel": "symbol", "symbols": ["example.com/m/p.Parse", "example.com/m/p.T.Next"]})

pkg_finding := object.union(go_fix, {"id": "GO-2024-0002", "evidenceLevel": "package"})

mod_finding := object.union(go_fix, {"id": "GO-2024-0003", "evidenceLevel": "module"})

absent_finding := object.union(go_fix, {"id": "GO-2024-0004", "evidenceLevel": "symbol-absent"})

pkg_absent_finding := object.union(go_fix, {"id": "GO-2024-0005", "evidenceLevel": "package-absent"})

no_level_finding := object.union(go_fix, {"id": "GHSA-2"})

all_levels := [sym_finding, pkg_finding, mod_finding, absent_finding, pkg_absent_finding, no_level_finding]

denied_ids(r) := {x.finding | some x in r}

test_evidence_default_every_level_blocks if {
	denied_ids(v.deny_fix_overdue) == {"GO-2024-0001", "GO-2024-0002", "GO-2024-0003", "GO-2024-0004", "GO-2024-0005", "GHSA-2"} with input as {"time": now, "risk": {"findings": all_levels}}
	count(v.deny_evidence_levels_invalid) == 0 with input as {"time": now, "risk": {"findings": all_levels}}
}

test_evidence_symbol_only if {
	denied_ids(v.deny_fix_overdue) == {"GO-2024-0001"} with input as {"time": now, "risk": {"findings": all_levels}}
		with data.chaingate.config.vulnerabilities as {"evidence_levels": ["symbol"]}
}

test_evidence_symbol_message_names_symbols if {
	some x in v.deny_fix_overdue with input as {"time": now, "risk": {"findings": [sym_finding]}}
		with data.chaingate.config.vulnerabilities as {"evidence_levels": ["symbol"]}
	contains(x.msg, "vulnerable code in the build: example.com/m/p.Parse, example.com/m/p.T.Next")
}

test_evidence_present_levels_only if {
	# Listing the present levels drops only the absent ones; a finding
	# without a level counts as module.
	denied_ids(v.deny_fix_overdue) == {"GO-2024-0001", "GO-2024-0002", "GO-2024-0003", "GHSA-2"} with input as {"time": now, "risk": {"findings": all_levels}}
		with data.chaingate.config.vulnerabilities as {"evidence_levels": ["symbol", "package", "module"]}
}

test_evidence_levels_filter_kev if {
	k := object.union(kev_finding, {"purl": "pkg:golang/example.com/m@v1.0.0", "evidenceLevel": "package-absent"})
	count(v.deny_kev) == 0 with input as {"time": now, "risk": {"findings": [k]}}
		with data.chaingate.config.vulnerabilities as {"evidence_levels": ["symbol", "package"]}
	count(v.deny_kev) == 1 with input as {"time": now, "risk": {"findings": [object.union(k, {"evidenceLevel": "symbol"})]}}
		with data.chaingate.config.vulnerabilities as {"evidence_levels": ["symbol", "package"]}
}

test_evidence_levels_never_filter_other_ecosystems if {
	npm := object.union(old_fix, {"id": "GHSA-aaaa-bbbb-cccc", "purl": "pkg:npm/left-pad@1.0.0", "evidenceLevel": "module"})
	d := v.deny_fix_overdue with input as {"time": now, "risk": {"findings": [npm, mod_finding]}}
		with data.chaingate.config.vulnerabilities as {"evidence_levels": ["symbol"]}
	count(d) == 1
	some r in d
	r.finding == "GHSA-aaaa-bbbb-cccc"
}

test_evidence_levels_never_lift_malicious if {
	m := object.union(sym_finding, {"evidenceLevel": "package-absent", "malicious": true})
	count(v.deny_malicious) == 1 with input as {"time": now, "risk": {"findings": [m]}}
		with data.chaingate.config.vulnerabilities as {"evidence_levels": ["symbol"]}
}

test_evidence_unknown_level_counts if {
	f := object.union(old_fix, {"id": "GO-X", "evidenceLevel": "reachable-someday"})
	denied_ids(v.deny_fix_overdue) == {"GO-X"} with input as {"time": now, "risk": {"findings": [f]}}
		with data.chaingate.config.vulnerabilities as {"evidence_levels": ["symbol"]}
}

test_evidence_levels_invalid_fails_closed if {
	every bad in [[], "symbol", ["symbols"], {"a": "symbol"}, ["symbol", 3]] {
		denied_ids(v.deny_fix_overdue) == {"GO-2024-0001", "GO-2024-0002", "GO-2024-0003", "GO-2024-0004", "GO-2024-0005", "GHSA-2"} with input as {"time": now, "risk": {"findings": all_levels}}
			with data.chaingate.config.vulnerabilities as {"evidence_levels": bad}
		count(v.deny_evidence_levels_invalid) == 1 with input as {"time": now, "risk": {"findings": all_levels}}
			with data.chaingate.config.vulnerabilities as {"evidence_levels": bad}
	}
}
