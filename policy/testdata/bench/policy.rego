# A release policy of the kind teams write by hand (conftest conventions),
# used by the speed benchmarks with input.json (200 components, 30
# vulnerabilities).
package main

allowed_registries := {"ghcr.io", "registry.acme.io"}

allowed_builders := {"https://github.com/actions/runner/github-hosted"}

allowed_licenses := {"MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "ISC", "MPL-2.0", "MIT OR Apache-2.0", "Apache-2.0 AND BSD-3-Clause"}

banned := {"github.com/dgrijalva/jwt-go", "github.com/satori/go.uuid"}

blocking := {"critical", "high"}

window_ns := 30 * 86400000000000

now := time.parse_rfc3339_ns(input.time)

deny contains msg if {
	not startswith(object.get(input.artifact, "digest", ""), "sha256:")
	msg := sprintf("%s is not pinned by digest", [input.artifact.name])
}

deny contains msg if {
	registry := object.get(input.artifact, "registry", "")
	not registry in allowed_registries
	msg := sprintf("registry %q is not allowed", [registry])
}

deny contains msg if {
	object.get(object.get(input, "provenance", {}), "verified", false) != true
	msg := "provenance is not verified"
}

deny contains msg if {
	builder := object.get(object.get(input, "provenance", {}), "builderId", "")
	not builder in allowed_builders
	msg := sprintf("builder %q is not allowed", [builder])
}

deny contains msg if {
	some f in input.risk.findings
	f.kev
	not f.suppressed
	msg := sprintf("%s in %s is known to be exploited", [f.id, f.package])
}

deny contains msg if {
	some f in input.risk.findings
	f.priority in blocking
	not f.suppressed
	now - time.parse_rfc3339_ns(f.fixedSince) > window_ns
	msg := sprintf("%s (%s) in %s %s: fixed in %v more than 30 days ago", [f.id, f.priority, f.package, f.version, f.fixedVersions])
}

deny contains msg if {
	some c in input.sbom.components
	c.name in banned
	msg := sprintf("%s is banned", [c.name])
}

deny contains msg if {
	some c in input.sbom.components
	not c.purl
	msg := sprintf("%s has no purl", [c.name])
}

deny contains msg if {
	some c in input.sbom.components
	license := object.get(c, "license", "none")
	not license in allowed_licenses
	msg := sprintf("%s@%s has licence %q", [c.name, c.version, license])
}

deny contains msg if {
	input.gitops.environment == "prod"
	not deployed_to_staging
	msg := "prod needs the same digest in staging first"
}

deployed_to_staging if {
	some h in input.gitops.history
	h.environment == "staging"
	h.digest == input.artifact.digest
}

warn contains msg if {
	some f in input.risk.findings
	f.priority == "medium"
	not f.suppressed
	msg := sprintf("%s (medium) in %s", [f.id, f.package])
}
