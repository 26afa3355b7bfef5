package release_test

import data.chaingate.lib.image

# A team's own tests of the built-in library under its configuration.
test_our_registry_passes if {
	count(image.deny_registry) == 0 with input as {"artifact": {"name": "x", "registry": "registry.acme.io"}}
		with data.chaingate.config.image as {"allowed_registries": ["*.acme.io"]}
}
