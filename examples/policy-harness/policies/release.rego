# METADATA
# title: Acme release rules
# description: >-
#   The rules one team adds on top of chaingate's built-in library: images
#   from the company registry only, and no component under a licence the
#   legal team has not cleared for production.
package main

# METADATA
# title: Company registry
# custom:
#   code: ACME-001
#   severity: high
deny_registry contains result if {
	not startswith(input.artifact.name, "registry.acme.example/")
	result := {"msg": sprintf("image %s is not from registry.acme.example", [input.artifact.name])}
}

# METADATA
# title: Licence cleared for production
# custom:
#   code: ACME-002
#   severity: medium
deny_license contains result if {
	input.gitops.environment == "prod"
	some c in input.sbom.components
	some banned in data.acme.banned_licenses
	contains(c.license, banned)
	result := {"msg": sprintf("%s %s is %s, not cleared for prod", [c.name, c.version, c.license])}
}

# METADATA
# title: Pinned by digest
# custom:
#   code: ACME-003
#   severity: low
warn_digest contains msg if {
	not input.artifact.digest
	msg := sprintf("image %s has no digest", [input.artifact.name])
}
