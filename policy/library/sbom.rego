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

sbom := object.get(input, "sbom", null)

components contains c if {
	cfg.enabled
	some c in sbom.components
	not skipped(c)
}

skipped(c) if {
	cfg.ignore_excluded_scope
	c.scope == "excluded"
}

label(c) := sprintf("%s@%s", [c.name, object.get(c, "version", "?")])

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
	some c in components
	not c.type in cfg.complete_ignore_types
	missing := [f | some f in ["version", "purl"]; object.get(c, f, "") == ""]
	count(missing) > 0
	result := {"msg": sprintf("component %s (%s) has no %s", [c.name, c.id, concat(" or ", missing)]), "component": c.id, "missing": missing}
}

# banned_match holds when component c matches ban entry b: by name
# (exact or glob) or purl prefix, and by version list (empty: any version).
banned_match(c, b) if {
	glob.match(b.name, ["/"], c.name)
	version_banned(c, b)
}

banned_match(c, b) if {
	not b.name
	startswith(object.get(c, "purl", ""), b.purl)
	version_banned(c, b)
}

version_banned(_, b) if count(object.get(b, "versions", [])) == 0

version_banned(c, b) if object.get(c, "version", "") in b.versions

# METADATA
# title: Banned package
# description: No component may match an entry of banned ({name or purl prefix, versions, reason}).
# custom:
#   code: CG-SBOM-003
#   severity: critical
deny_banned contains result if {
	some c in components
	some b in cfg.banned
	banned_match(c, b)
	result := {"msg": sprintf("component %s is banned: %s", [label(c), object.get(b, "reason", "listed in sbom.banned")]), "component": c.id}
}

license_of(c) := l if {
	l := object.get(c, "license", "")
	l != ""
	l != "NOASSERTION"
	l != "NONE"
}

valid_license(c) := l if {
	l := license_of(c)
	chaingate.spdx_valid(l)
}

# METADATA
# title: Licence expression invalid
# custom:
#   code: CG-SBOM-004
#   severity: medium
deny_license_invalid contains msg if {
	count(cfg.licenses.allowed) + count(cfg.licenses.denied) > 0
	some c in components
	l := license_of(c)
	not chaingate.spdx_valid(l)
	msg := sprintf("component %s has an invalid SPDX licence expression %q", [label(c), l])
}

# METADATA
# title: Licence not allowed
# description: With an allow list, every licence expression must be satisfiable with allowed licences only.
# custom:
#   code: CG-SBOM-005
#   severity: high
deny_license_not_allowed contains result if {
	count(cfg.licenses.allowed) > 0
	some c in components
	l := valid_license(c)
	not chaingate.spdx_satisfies(l, cfg.licenses.allowed)
	result := {"msg": sprintf("component %s licence %q is not satisfied by the allowed licences", [label(c), l]), "component": c.id, "license": l}
}

# METADATA
# title: Licence denied
# description: A licence expression that cannot be met without a denied licence is refused.
# custom:
#   code: CG-SBOM-006
#   severity: high
deny_license_denied contains result if {
	count(cfg.licenses.denied) > 0
	some c in components
	l := valid_license(c)
	ids := chaingate.spdx_licenses(l)
	some id in ids
	id in cfg.licenses.denied
	rest := [x | some x in ids; not x in cfg.licenses.denied]
	not chaingate.spdx_satisfies(l, rest)
	result := {"msg": sprintf("component %s licence %q requires denied licence %s", [label(c), l, id]), "component": c.id, "license": l}
}

missing_license contains c if {
	count(cfg.licenses.allowed) > 0
	some c in components
	not license_of(c)
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
