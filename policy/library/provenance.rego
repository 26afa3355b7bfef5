# METADATA
# title: Provenance
# description: >-
#   Build provenance must be present, verified, made by an allowed builder
#   from an allowed source repository and ref, at a minimum SLSA build level.
#   Configure with data.chaingate.config.provenance; an empty allow list
#   means "any".
package chaingate.lib.provenance

defaults := {
	"enabled": true,
	"required": true,
	"require_verified": true,
	"allowed_builders": [],
	"allowed_source_repositories": [],
	"allowed_source_refs": [],
	"allowed_signers": [],
	"min_slsa_level": 0,
}

default settings := {}

# settings are the caller's, from data.chaingate.config.provenance.
settings := data.chaingate.config.provenance

cfg := object.union(defaults, settings)

default prov := {}

prov := input.provenance if is_object(input.provenance)

present if prov.present == true

# matches holds when value matches one of the glob patterns ("*" stays
# within a "/" segment, "**" crosses them).
matches(patterns, value) if {
	some p in patterns
	glob.match(p, ["/"], value)
}

# METADATA
# title: Provenance missing
# custom:
#   code: CG-PROV-001
#   severity: high
deny_missing contains msg if {
	cfg.enabled
	cfg.required
	not present
	msg := sprintf("artifact %s has no build provenance", [object.get(input, ["artifact", "name"], "?")])
}

# METADATA
# title: Provenance not verified
# custom:
#   code: CG-PROV-002
#   severity: critical
deny_unverified contains result if {
	cfg.enabled
	cfg.require_verified
	present
	prov.verified != true
	result := {
		"msg": sprintf("provenance of %s did not verify: %s", [object.get(input, ["artifact", "name"], "?"), concat("; ", object.get(prov, "errors", ["no verified signature"]))]),
		"errors": object.get(prov, "errors", []),
	}
}

# METADATA
# title: Builder not allowed
# custom:
#   code: CG-PROV-003
#   severity: high
deny_builder contains msg if {
	cfg.enabled
	present
	count(cfg.allowed_builders) > 0
	builder := object.get(prov, "builderId", "")
	not matches(cfg.allowed_builders, builder)
	msg := sprintf("builder %q is not allowed (allowed: %s)", [builder, concat(", ", cfg.allowed_builders)])
}

# METADATA
# title: Source repository not allowed
# custom:
#   code: CG-PROV-004
#   severity: high
deny_source_repository contains msg if {
	cfg.enabled
	present
	count(cfg.allowed_source_repositories) > 0
	repo := object.get(prov, "sourceRepository", "")
	not matches(cfg.allowed_source_repositories, repo)
	msg := sprintf("source repository %q is not allowed", [repo])
}

# METADATA
# title: Source ref not allowed
# custom:
#   code: CG-PROV-005
#   severity: high
deny_source_ref contains msg if {
	cfg.enabled
	present
	count(cfg.allowed_source_refs) > 0
	ref := object.get(prov, "sourceRef", "")
	not matches(cfg.allowed_source_refs, ref)
	msg := sprintf("source ref %q is not allowed (allowed: %s)", [ref, concat(", ", cfg.allowed_source_refs)])
}

# METADATA
# title: SLSA build level too low
# custom:
#   code: CG-PROV-006
#   severity: high
deny_slsa_level contains msg if {
	cfg.enabled
	cfg.min_slsa_level > 0
	level := object.get(prov, "slsaLevel", 0)
	level < cfg.min_slsa_level
	msg := sprintf("SLSA build level %d is below the required %d", [level, cfg.min_slsa_level])
}

signer_allowed(s) if {
	some a in cfg.allowed_signers
	glob.match(object.get(a, "issuer", "**"), [], object.get(s, "issuer", ""))
	glob.match(object.get(a, "subject", "**"), ["/"], object.get(s, "subject", object.get(s, "keyId", "")))
}

# METADATA
# title: Signer not allowed
# description: At least one verified signer must match allowed_signers ({issuer, subject} globs).
# custom:
#   code: CG-PROV-007
#   severity: high
deny_signer contains msg if {
	cfg.enabled
	present
	count(cfg.allowed_signers) > 0
	signers := object.get(prov, "signers", [])
	not any_signer_allowed(signers)
	msg := sprintf("no verified signer is allowed (signers: %s)", [concat(", ", [sprintf("%s %s", [object.get(s, "issuer", ""), object.get(s, "subject", object.get(s, "keyId", ""))]) | some s in signers])])
}

any_signer_allowed(signers) if {
	some s in signers
	signer_allowed(s)
}
