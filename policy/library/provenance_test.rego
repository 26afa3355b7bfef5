package chaingate.lib.provenance_test

import data.chaingate.lib.provenance as p

good := {
	"present": true,
	"verified": true,
	"builderId": "https://github.com/actions/runner/github-hosted",
	"sourceRepository": "https://github.com/acme/api",
	"sourceRef": "refs/heads/main",
	"slsaLevel": 3,
	"signers": [{"issuer": "https://token.actions.githubusercontent.com", "subject": "https://github.com/acme/api/.github/workflows/release.yml@refs/heads/main"}],
}

strict := {
	"allowed_builders": ["https://github.com/actions/runner/*"],
	"allowed_source_repositories": ["https://github.com/acme/*"],
	"allowed_source_refs": ["refs/heads/main", "refs/tags/v*"],
	"allowed_signers": [{"issuer": "https://token.actions.githubusercontent.com", "subject": "https://github.com/acme/**"}],
	"min_slsa_level": 3,
}

all_denies(inp) := d if {
	d := (((((p.deny_missing | p.deny_unverified) | p.deny_builder) | p.deny_source_repository) | p.deny_source_ref) | p.deny_slsa_level) | p.deny_signer with input as inp
}

test_good_passes_strict if {
	count(all_denies({"provenance": good})) == 0 with data.chaingate.config.provenance as strict
}

test_missing_denied if {
	count(p.deny_missing) == 1 with input as {"artifact": {"name": "x"}}
}

test_missing_allowed_when_not_required if {
	count(p.deny_missing) == 0 with input as {"artifact": {"name": "x"}}
		with data.chaingate.config.provenance as {"required": false}
}

test_unverified_denied if {
	r := p.deny_unverified with input as {"provenance": object.union(good, {"verified": false, "errors": ["signature mismatch"]})}
	count(r) == 1
	some x in r
	contains(x.msg, "signature mismatch")
}

test_builder_denied if {
	count(p.deny_builder) == 1 with input as {"provenance": object.union(good, {"builderId": "https://evil.example/builder"})}
		with data.chaingate.config.provenance as strict
}

test_repo_denied if {
	count(p.deny_source_repository) == 1 with input as {"provenance": object.union(good, {"sourceRepository": "https://github.com/evil/api"})}
		with data.chaingate.config.provenance as strict
}

test_ref_tag_allowed_branch_denied if {
	count(p.deny_source_ref) == 0 with input as {"provenance": object.union(good, {"sourceRef": "refs/tags/v1.2.3"})}
		with data.chaingate.config.provenance as strict
	count(p.deny_source_ref) == 1 with input as {"provenance": object.union(good, {"sourceRef": "refs/heads/feature"})}
		with data.chaingate.config.provenance as strict
}

test_slsa_level_denied if {
	count(p.deny_slsa_level) == 1 with input as {"provenance": object.union(good, {"slsaLevel": 1})}
		with data.chaingate.config.provenance as strict
}

test_slsa_level_missing_provenance_denied if {
	count(p.deny_slsa_level) == 1 with input as {}
		with data.chaingate.config.provenance as strict
}

test_signer_denied if {
	bad := object.union(good, {"signers": [{"issuer": "https://accounts.google.com", "subject": "mallory@example.com"}]})
	count(p.deny_signer) == 1 with input as {"provenance": bad}
		with data.chaingate.config.provenance as strict
}

test_no_allow_lists_means_any if {
	count(p.deny_builder) == 0 with input as {"provenance": object.union(good, {"builderId": "anything"})}
}
