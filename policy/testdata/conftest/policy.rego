package main

# METADATA
# title: Latest tag
# description: Images must not use the mutable latest tag.
# custom:
#   code: CG-IMG-001
#   severity: critical
deny_latest contains msg if {
	input.artifact.tag == "latest"
	msg := sprintf("image %s uses the latest tag", [input.artifact.name])
}

deny contains {"msg": "artifact has no digest", "details": {"field": "artifact.digest"}} if {
	not input.artifact.digest
}

warn contains "no SBOM attached" if {
	not input.sbom
}

exception contains ["latest"] if {
	input.context.break_glass == true
}
