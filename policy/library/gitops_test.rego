package chaingate.lib.gitops_test

import data.chaingate.lib.gitops as gi

cfg := {"stages": ["dev", "staging", "prod"], "allowed_signers": ["release-bot@acme.io"]}

art := {"name": "ghcr.io/acme/api", "digest": "sha256:aa"}

prod(history) := {
	"artifact": art,
	"gitops": {"environment": "prod", "repository": "git@acme/deploy", "commit": "c1", "signed": true, "signedBy": "release-bot@acme.io", "history": history},
}

test_prod_after_staging_allowed if {
	inp := prod([{"environment": "staging", "digest": "sha256:aa"}])
	count(gi.deny_promotion_order) == 0 with input as inp with data.chaingate.config.gitops as cfg
	count(gi.deny_signer) == 0 with input as inp with data.chaingate.config.gitops as cfg
	count(gi.deny_unsigned_commit) == 0 with input as inp with data.chaingate.config.gitops as cfg
}

test_prod_without_staging_denied if {
	inp := prod([{"environment": "dev", "digest": "sha256:aa"}])
	count(gi.deny_promotion_order) == 1 with input as inp with data.chaingate.config.gitops as cfg
}

test_staging_of_other_digest_denied if {
	inp := prod([{"environment": "staging", "digest": "sha256:bb"}])
	count(gi.deny_promotion_order) == 1 with input as inp with data.chaingate.config.gitops as cfg
}

test_first_stage_needs_nothing if {
	inp := {"artifact": art, "gitops": {"environment": "dev", "signed": true}}
	count(gi.deny_promotion_order) == 0 with input as inp with data.chaingate.config.gitops as cfg
}

test_unknown_environment_denied if {
	inp := {"artifact": art, "gitops": {"environment": "qa", "signed": true}}
	count(gi.deny_unknown_environment) == 1 with input as inp with data.chaingate.config.gitops as cfg
}

test_unsigned_denied if {
	inp := {"artifact": art, "gitops": {"environment": "dev", "commit": "c2"}}
	count(gi.deny_unsigned_commit) == 1 with input as inp
}

test_wrong_signer_denied if {
	inp := {"artifact": art, "gitops": {"environment": "dev", "signed": true, "signedBy": "mallory@evil.io"}}
	count(gi.deny_signer) == 1 with input as inp with data.chaingate.config.gitops as cfg
}

test_no_gitops_context_no_denials if {
	count(gi.deny_unsigned_commit) == 0 with input as {"artifact": art}
}

test_missing_environment_denied if {
	count(gi.deny_unknown_environment) == 1 with input as {"artifact": art, "gitops": {"signed": true}}
		with data.chaingate.config.gitops as cfg
}

test_no_commit_yet_not_denied if {
	count(gi.deny_unsigned_commit) == 0 with input as {"artifact": art, "gitops": {"environment": "dev"}}
}
