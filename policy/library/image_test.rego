package chaingate.lib.image_test

import data.chaingate.lib.image as i

digest := "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

test_digest_passes if {
	count(i.deny_no_digest) == 0 with input as {"artifact": {"name": "ghcr.io/acme/api", "digest": digest}}
}

test_tag_only_denied if {
	count(i.deny_no_digest) == 1 with input as {"artifact": {"name": "ghcr.io/acme/api", "tag": "1.0"}}
}

test_bad_digest_denied if {
	count(i.deny_no_digest) == 1 with input as {"artifact": {"name": "a", "digest": "sha256:abc"}}
}

test_files_exempt if {
	count(i.deny_no_digest) == 0 with input as {"artifact": {"name": "a.tar.gz", "type": "file"}}
}

test_registry_allowed if {
	count(i.deny_registry) == 0 with input as {"artifact": {"name": "ghcr.io/acme/api", "registry": "ghcr.io"}}
		with data.chaingate.config.image as {"allowed_registries": ["ghcr.io", "*.acme.io"]}
	count(i.deny_registry) == 0 with input as {"artifact": {"name": "r.acme.io/api", "registry": "r.acme.io"}}
		with data.chaingate.config.image as {"allowed_registries": ["ghcr.io", "*.acme.io"]}
}

test_registry_denied if {
	count(i.deny_registry) == 1 with input as {"artifact": {"name": "docker.io/evil/api", "registry": "docker.io"}}
		with data.chaingate.config.image as {"allowed_registries": ["ghcr.io"]}
}

test_glob_does_not_cross_dots if {
	count(i.deny_registry) == 1 with input as {"artifact": {"name": "x", "registry": "a.b.acme.io"}}
		with data.chaingate.config.image as {"allowed_registries": ["*.acme.io"]}
}

test_disabled if {
	count(i.deny_no_digest) == 0 with input as {"artifact": {"name": "a"}}
		with data.chaingate.config.image as {"enabled": false}
}
