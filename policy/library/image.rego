# METADATA
# title: Images
# description: >-
#   Container images must be referenced by digest and come from an allowed
#   registry. Configure with data.chaingate.config.image.
package chaingate.lib.image

defaults := {
	"enabled": true,
	"require_digest": true,
	"allowed_registries": [],
}

default settings := {}

# settings are the caller's, from data.chaingate.config.image.
settings := data.chaingate.config.image

cfg := object.union(defaults, settings)

default artifact := {}

artifact := input.artifact if is_object(input.artifact)

# The rules apply to images: artifacts whose type is "image" or unset.
is_image if object.get(artifact, "type", "image") == "image"

digest_pattern := `^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$`

# METADATA
# title: Image not pinned by digest
# custom:
#   code: CG-IMG-001
#   severity: high
deny_no_digest contains msg if {
	cfg.enabled
	cfg.require_digest
	is_image
	d := object.get(artifact, "digest", "")
	not regex.match(digest_pattern, d)
	msg := sprintf("image %s is not referenced by a sha256/sha512 digest (digest %q)", [object.get(artifact, "name", "?"), d])
}

# METADATA
# title: Registry not allowed
# description: The image's registry must match allowed_registries (exact or glob, e.g. "*.acme.io").
# custom:
#   code: CG-IMG-002
#   severity: high
deny_registry contains msg if {
	cfg.enabled
	is_image
	count(cfg.allowed_registries) > 0
	r := object.get(artifact, "registry", "")
	not registry_allowed(r)
	msg := sprintf("image %s comes from registry %q, not one of %s", [object.get(artifact, "name", "?"), r, concat(", ", cfg.allowed_registries)])
}

registry_allowed(r) if {
	some p in cfg.allowed_registries
	glob.match(p, ["."], r)
}
