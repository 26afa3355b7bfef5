package main_test

import data.main

good := {
	"artifact": {"name": "registry.acme.example/shop/api", "digest": "sha256:0d3c2f8a7b6e5d4c3b2a19f8e7d6c5b4a3928176f5e4d3c2b1a0f9e8d7c6b5a4"},
	"sbom": {"components": [{"name": "golang.org/x/text", "version": "v0.21.0", "license": "BSD-3-Clause"}]},
	"gitops": {"environment": "prod"},
}

test_good_release_allowed if {
	count(main.deny_registry) + count(main.deny_license) == 0 with input as good
	count(main.warn_digest) == 0 with input as good
}

test_foreign_registry_denied if {
	some r in main.deny_registry with input as object.union(good, {"artifact": {"name": "docker.io/library/nginx", "digest": "sha256:00"}})
	contains(r.msg, "docker.io/library/nginx")
}

test_agpl_denied_in_prod if {
	bad := object.union(good, {"sbom": {"components": [{"name": "ghostscript", "version": "10.0", "license": "AGPL-3.0-or-later"}]}})
	some r in main.deny_license with input as bad
	contains(r.msg, "not cleared for prod")
}

test_agpl_allowed_in_dev if {
	dev := object.union(good, {
		"gitops": {"environment": "dev"},
		"sbom": {"components": [{"name": "ghostscript", "version": "10.0", "license": "AGPL-3.0-or-later"}]},
	})
	count(main.deny_license) == 0 with input as dev
}

test_missing_digest_warns if {
	nodigest := {"artifact": {"name": "registry.acme.example/shop/api"}, "gitops": {"environment": "dev"}}
	count(main.warn_digest) == 1 with input as nodigest
}
