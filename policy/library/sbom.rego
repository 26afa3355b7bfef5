# METADATA
# title: SBOM
# description: >-
#   An SBOM must be present and complete (every component with a version and
#   a purl), contain no banned package or version, and every licence must be
#   acceptable: SPDX expressions are evaluated (an OR is met by any allowed
#   branch), not string-matched. Configure with data.chaingate.config.sbom.
package chaingate.lib.sbom

defaults := {
	"enabled": true,
	"required": true,
	"require_complete": true,
	"complete_ignore_types": ["file", "operating-system", "container"],
	"ignore_excluded_scope": true,
	"banned": [],
	"licenses": {
		"allowed": [],
		"denied": [],
		"missing": "warn",
	},
}

default settings := {}

# settings are the caller's, from data.chaingate.config.sbom.
settings := data.chaingate.config.sbom

cfg := object.union(defaults, settings)

default sbom := null

sbom := input.sbom

# skipped_scope is the scope whose components are left out.
default skipped_scope := "\u0000"

skipped_scope := "excluded" if cfg.ignore_excluded_scope

# comps are the components the rules look at, computed once. The rules
# below first work on the few distinct licences, then pass over comps only
# when there is something to report: 200 components cost little.
comps := sbom.components if {
	cfg.enabled
	count(skipped) == 0
}

comps := [c |
	some i, c in sbom.components
	not skipped[i]
] if {
	cfg.enabled
	count(skipped) > 0
}

# skipped are the indexes of the components left out (a positive test:
# components without a scope are never skipped).
skipped contains i if {
	some i, c in sbom.components
	c.scope == skipped_scope
}

label(c) := sprintf("%s@%s", [c.name, object.get(c, "version", "?")])

# --- Attested SBOM -------------------------------------------------------
# With require_attested, the SBOM must come from an SBOM attestation whose
# signature verified (input.sbom.source "attested"), not from the caller.

attested_defaults := {"require_attested": false}

attested_cfg := object.union(attested_defaults, settings)

# METADATA
# title: SBOM not attested
# description: With require_attested, the SBOM must be the predicate of a verified SBOM attestation.
# custom:
#   code: CG-SBOM-009
#   severity: high
deny_not_attested contains msg if {
	cfg.enabled
	attested_cfg.require_attested
	sbom != null
	object.get(sbom, "source", "") != "attested"
	msg := sprintf("the SBOM of %s is %s, not from a verified SBOM attestation", [
		object.get(input, ["artifact", "name"], "?"),
		object.get({"supplied": "supplied by the caller", "": "of unrecorded origin"}, object.get(sbom, "source", ""), sprintf("of source %q", [object.get(sbom, "source", "")])),
	])
}
# --- end of attested SBOM --------------------------------------------------

# METADATA
# title: SBOM missing
# custom:
#   code: CG-SBOM-001
#   severity: high
deny_missing contains msg if {
	cfg.enabled
	cfg.required
	sbom == null
	msg := sprintf("artifact %s has no SBOM", [object.get(input, ["artifact", "name"], "?")])
}

# METADATA
# title: SBOM incomplete
# description: Every component (except ignored types) needs a version and a purl.
# custom:
#   code: CG-SBOM-002
#   severity: medium
deny_incomplete contains result if {
	cfg.require_complete
	some c in incomplete
	not object.get(c, "type", "") in cfg.complete_ignore_types
	missing := [f | some f in ["version", "purl"]; object.get(c, f, "") == ""]
	result := {"msg": sprintf("component %s (%s) has no %s", [c.name, c.id, concat(" or ", missing)]), "component": c.id, "missing": missing}
}

# incomplete are the components without a version or a purl (one cheap
# pass each, as most components are complete). Note: "not c.version" is
# written alone on purpose: OPA hoists a missing ref out of a larger
# negated expression ("not c.version != \"\"" skips missing versions).
incomplete contains c if {
	some c in comps
	not c.version
}

incomplete contains c if {
	some c in comps
	c.version == ""
}

incomplete contains c if {
	some c in comps
	not c.purl
}

incomplete contains c if {
	some c in comps
	c.purl == ""
}

# banned_names maps the names of bans that are plain names (no glob
# characters) to their bans, so components are matched by lookup (a
# complete object, computed once).
banned_names := {name: bans |
	some b in cfg.banned
	name := b.name
	not regex.match(`[*?\[{]`, name)
	bans := [x | some x in cfg.banned; x.name == name]
}

# banned_other are the bans by glob or purl prefix.
banned_other contains b if {
	some b in cfg.banned
	not banned_names[object.get(b, "name", "\u0000")]
}

version_banned(_, b) if count(object.get(b, "versions", [])) == 0

version_banned(c, b) if object.get(c, "version", "") in b.versions

ban_result(c, b) := {"msg": sprintf("component %s is banned: %s", [label(c), object.get(b, "reason", "listed in sbom.banned")]), "component": c.id}

# METADATA
# title: Banned package
# description: No component may match an entry of banned ({name or purl prefix, versions, reason}).
# custom:
#   code: CG-SBOM-003
#   severity: critical
deny_banned contains ban_result(c, b) if {
	count(banned_names) > 0
	some c in comps
	some b in banned_names[c.name]
	version_banned(c, b)
}

deny_banned contains ban_result(c, b) if {
	some b in banned_other
	some c in comps
	glob.match(b.name, ["/"], c.name)
	version_banned(c, b)
}

deny_banned contains ban_result(c, b) if {
	some b in banned_other
	not b.name
	some c in comps
	startswith(c.purl, b.purl)
	version_banned(c, b)
}

no_license := {"", "NOASSERTION", "NONE"}

# licenses are the distinct licence expressions of comps.
licenses := {l |
	some c in comps
	l := c.license
	not no_license[l]
}

invalid_licenses := {l |
	count(cfg.licenses.allowed) + count(cfg.licenses.denied) > 0
	some l in licenses
	not chaingate.spdx_valid(l)
}

# METADATA
# title: Licence expression invalid
# custom:
#   code: CG-SBOM-004
#   severity: medium
deny_license_invalid contains msg if {
	count(invalid_licenses) > 0
	some c in comps
	c.license in invalid_licenses
	msg := sprintf("component %s has an invalid SPDX licence expression %q", [label(c), c.license])
}

not_allowed_licenses := {l |
	count(cfg.licenses.allowed) > 0
	some l in licenses
	not l in invalid_licenses
	not chaingate.spdx_satisfies(l, cfg.licenses.allowed)
}

# METADATA
# title: Licence not allowed
# description: With an allow list, every licence expression must be satisfiable with allowed licences only.
# custom:
#   code: CG-SBOM-005
#   severity: high
deny_license_not_allowed contains result if {
	count(not_allowed_licenses) > 0
	some c in comps
	c.license in not_allowed_licenses
	result := {"msg": sprintf("component %s licence %q is not satisfied by the allowed licences", [label(c), c.license]), "component": c.id, "license": c.license}
}

# denied_licenses maps an expression that needs a denied licence to the
# denied licences it names.
denied_licenses[l] := needs if {
	count(cfg.licenses.denied) > 0
	some l in licenses
	not l in invalid_licenses
	ids := chaingate.spdx_licenses(l)
	needs := [id | some id in ids; id in cfg.licenses.denied]
	count(needs) > 0
	rest := [x | some x in ids; not x in cfg.licenses.denied]
	not chaingate.spdx_satisfies(l, rest)
}

# METADATA
# title: Licence denied
# description: A licence expression that cannot be met without a denied licence is refused.
# custom:
#   code: CG-SBOM-006
#   severity: high
deny_license_denied contains result if {
	count(denied_licenses) > 0
	some c in comps
	needs := denied_licenses[c.license]
	result := {"msg": sprintf("component %s licence %q requires denied licence %s", [label(c), c.license, concat(", ", needs)]), "component": c.id, "license": c.license}
}

missing_license contains c if {
	count(cfg.licenses.allowed) > 0
	cfg.licenses.missing != "ignore"
	some c in comps
	not c.license
}

missing_license contains c if {
	count(cfg.licenses.allowed) > 0
	cfg.licenses.missing != "ignore"
	some c in comps
	no_license[c.license]
}

# METADATA
# title: Licence missing (blocking)
# custom:
#   code: CG-SBOM-007
#   severity: medium
deny_license_missing contains msg if {
	cfg.licenses.missing == "deny"
	some c in missing_license
	msg := sprintf("component %s has no licence", [label(c)])
}

# METADATA
# title: Licence missing
# custom:
#   code: CG-SBOM-007
#   severity: low
warn_license_missing contains msg if {
	cfg.licenses.missing == "warn"
	some c in missing_license
	msg := sprintf("component %s has no licence", [label(c)])
}
