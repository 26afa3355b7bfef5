package chaingate.lib.sbom_test

import data.chaingate.lib.sbom as s

comp(name, version, purl, license) := {"id": name, "name": name, "version": version, "purl": purl, "license": license}

good := {"components": [
	comp("lodash", "4.17.21", "pkg:npm/lodash@4.17.21", "MIT"),
	comp("dual", "1.0.0", "pkg:npm/dual@1.0.0", "MIT OR GPL-3.0-only"),
]}

test_missing_denied if {
	count(s.deny_missing) == 1 with input as {"artifact": {"name": "a"}}
}

test_missing_allowed_when_not_required if {
	count(s.deny_missing) == 0 with input as {} with data.chaingate.config.sbom as {"required": false}
}

test_complete_passes if {
	count(s.deny_incomplete) == 0 with input as {"sbom": good}
}

test_incomplete_denied if {
	r := s.deny_incomplete with input as {"sbom": {"components": [{"id": "x", "name": "x", "type": "library"}]}}
	count(r) == 1
	some x in r
	x.missing == ["version", "purl"]
}

test_incomplete_ignores_files_and_dev if {
	inp := {"sbom": {"components": [
		{"id": "f", "name": "f", "type": "file"},
		{"id": "d", "name": "d", "scope": "excluded"},
	]}}
	count(s.deny_incomplete) == 0 with input as inp
}

test_banned_by_name_and_version if {
	cfg := {"banned": [{"name": "event-stream", "versions": ["3.3.6"], "reason": "compromised"}]}
	bad := {"components": [comp("event-stream", "3.3.6", "pkg:npm/event-stream@3.3.6", "MIT")]}
	ok := {"components": [comp("event-stream", "3.3.5", "pkg:npm/event-stream@3.3.5", "MIT")]}
	count(s.deny_banned) == 1 with input as {"sbom": bad} with data.chaingate.config.sbom as cfg
	count(s.deny_banned) == 0 with input as {"sbom": ok} with data.chaingate.config.sbom as cfg
}

test_banned_by_purl_prefix_any_version if {
	cfg := {"banned": [{"purl": "pkg:npm/colors@"}]}
	bad := {"components": [comp("colors", "1.4.1", "pkg:npm/colors@1.4.1", "MIT")]}
	count(s.deny_banned) == 1 with input as {"sbom": bad} with data.chaingate.config.sbom as cfg
}

test_license_or_satisfied_by_allowed_branch if {
	count(s.deny_license_not_allowed) == 0 with input as {"sbom": good}
		with data.chaingate.config.sbom as {"licenses": {"allowed": ["MIT", "Apache-2.0"]}}
}

test_license_and_needs_both if {
	inp := {"sbom": {"components": [comp("x", "1", "pkg:npm/x@1", "MIT AND GPL-3.0-only")]}}
	count(s.deny_license_not_allowed) == 1 with input as inp
		with data.chaingate.config.sbom as {"licenses": {"allowed": ["MIT"]}}
}

test_denied_license_avoidable_by_or if {
	count(s.deny_license_denied) == 0 with input as {"sbom": good}
		with data.chaingate.config.sbom as {"licenses": {"denied": ["GPL-3.0-only"]}}
}

test_denied_license_required_by_and if {
	inp := {"sbom": {"components": [comp("x", "1", "pkg:npm/x@1", "MIT AND GPL-3.0-only")]}}
	count(s.deny_license_denied) == 1 with input as inp
		with data.chaingate.config.sbom as {"licenses": {"denied": ["GPL-3.0-only"]}}
}

test_invalid_license_expression if {
	inp := {"sbom": {"components": [comp("x", "1", "pkg:npm/x@1", "MIT AND AND")]}}
	count(s.deny_license_invalid) == 1 with input as inp
		with data.chaingate.config.sbom as {"licenses": {"allowed": ["MIT"]}}
}

test_missing_license_warns_by_default if {
	inp := {"sbom": {"components": [{"id": "x", "name": "x", "version": "1", "purl": "pkg:npm/x@1"}]}}
	count(s.warn_license_missing) == 1 with input as inp with data.chaingate.config.sbom as {"licenses": {"allowed": ["MIT"]}}
	count(s.deny_license_missing) == 0 with input as inp with data.chaingate.config.sbom as {"licenses": {"allowed": ["MIT"]}}
}

test_missing_license_can_deny if {
	inp := {"sbom": {"components": [{"id": "x", "name": "x", "version": "1", "purl": "pkg:npm/x@1", "license": "NOASSERTION"}]}}
	count(s.deny_license_missing) == 1 with input as inp
		with data.chaingate.config.sbom as {"licenses": {"allowed": ["MIT"], "missing": "deny"}}
}

test_component_without_scope_is_checked if {
	inp := {"sbom": {"components": [{"id": "x", "name": "x", "version": "1", "purl": "pkg:npm/x@1", "license": "GPL-3.0-only"}]}}
	count(s.deny_license_not_allowed) == 1 with input as inp
		with data.chaingate.config.sbom as {"licenses": {"allowed": ["MIT"]}}
}

test_empty_version_is_incomplete if {
	inp := {"sbom": {"components": [{"id": "x", "name": "x", "version": "", "purl": ""}]}}
	count(s.deny_incomplete) == 1 with input as inp
}
