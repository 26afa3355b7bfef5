package release

# METADATA
# title: Unpinned image
# custom:
#   code: REL-1
deny_unpinned contains msg if {
	not startswith(object.get(input.artifact, "digest", ""), "sha256:")
	msg := sprintf("%s is not pinned by digest", [input.artifact.name])
}

deny_licence contains msg if {
	some c in input.sbom.components
	not chaingate.spdx_satisfies(c.license, data.release.allowed_licenses)
	msg := sprintf("%s: licence %s", [c.name, c.license])
}
