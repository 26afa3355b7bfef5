# METADATA
# title: GitOps promotion
# description: >-
#   Promotions follow the stage order (an artifact reaches a stage only after
#   the same digest was deployed to the stage before it), and the GitOps
#   commit is signed by an allowed signer. Configure with
#   data.chaingate.config.gitops. The rules apply when input.gitops is set.
package chaingate.lib.gitops

defaults := {
	"enabled": true,
	"stages": [],
	"require_signed_commits": true,
	"allowed_signers": [],
}

default settings := {}

# settings are the caller's, from data.chaingate.config.gitops.
settings := data.chaingate.config.gitops

cfg := object.union(defaults, settings)

g := input.gitops if is_object(input.gitops)

digest := object.get(input, ["artifact", "digest"], "")

deployed(env) if {
	some h in g.history
	h.environment == env
	h.digest == digest
	digest != ""
}

# METADATA
# title: Promotion out of order
# custom:
#   code: CG-GITOPS-001
#   severity: high
deny_promotion_order contains result if {
	cfg.enabled
	some i, stage in cfg.stages
	stage == g.environment
	i > 0
	prev := cfg.stages[i - 1]
	not deployed(prev)
	result := {
		"msg": sprintf("promotion to %s needs %s deployed to %s first", [stage, object.get(input, ["artifact", "name"], "the artifact"), prev]),
		"environment": stage,
		"requires": prev,
	}
}

# METADATA
# title: Unknown environment
# custom:
#   code: CG-GITOPS-002
#   severity: high
deny_unknown_environment contains msg if {
	cfg.enabled
	count(cfg.stages) > 0
	not object.get(g, "environment", "") in cfg.stages
	msg := sprintf("environment %q is not one of the stages %s", [object.get(g, "environment", ""), concat(", ", cfg.stages)])
}

# METADATA
# title: GitOps commit not signed
# custom:
#   code: CG-GITOPS-003
#   severity: high
deny_unsigned_commit contains msg if {
	cfg.enabled
	cfg.require_signed_commits
	object.get(g, "commit", "") != "" # before the promotion commit exists there is none to check
	object.get(g, "signed", false) != true
	msg := sprintf("GitOps commit %s in %s is not signed", [object.get(g, "commit", "?"), object.get(g, "repository", "?")])
}

# METADATA
# title: GitOps commit signer not allowed
# custom:
#   code: CG-GITOPS-004
#   severity: high
deny_signer contains msg if {
	cfg.enabled
	count(cfg.allowed_signers) > 0
	object.get(g, "signed", false) == true
	by := object.get(g, "signedBy", "")
	not by in cfg.allowed_signers
	msg := sprintf("GitOps commit %s is signed by %q, not an allowed signer", [object.get(g, "commit", "?"), by])
}
