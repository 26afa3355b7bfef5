package release_test

import data.release

test_pinned_image_passes if {
	count(release.deny_unpinned) == 0 with input as {"artifact": {"name": "a", "digest": "sha256:00"}}
}

test_tag_is_denied if {
	release.deny_unpinned == {"a is not pinned by digest"} with input as {"artifact": {"name": "a"}}
}

test_dual_licence_passes if {
	count(release.deny_licence) == 0 with input as {"sbom": {"components": [{"name": "x", "license": "GPL-2.0-only OR MIT"}]}}
}

test_gpl_is_denied if {
	count(release.deny_licence) == 1 with input as {"sbom": {"components": [{"name": "x", "license": "GPL-2.0-only"}]}}
}
