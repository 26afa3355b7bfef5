package chaingate.lib.sbom_attested_test

import data.chaingate.lib.sbom as s

doc(source) := {"format": "cyclonedx-json", "source": source, "summary": {"components": 0}, "components": []}

required := {"require_attested": true}

test_attested_allowed if {
	count(s.deny_not_attested) == 0 with input as {"artifact": {"name": "a"}, "sbom": doc("attested")}
		with data.chaingate.config.sbom as required
}

test_supplied_denied if {
	r := s.deny_not_attested with input as {"artifact": {"name": "ghcr.io/acme/api"}, "sbom": doc("supplied")}
		with data.chaingate.config.sbom as required
	r == {"the SBOM of ghcr.io/acme/api is supplied by the caller, not from a verified SBOM attestation"}
}

test_unrecorded_source_denied if {
	r := s.deny_not_attested with input as {"artifact": {"name": "a"}, "sbom": {"components": []}}
		with data.chaingate.config.sbom as required
	r == {"the SBOM of a is of unrecorded origin, not from a verified SBOM attestation"}
}

test_other_source_denied if {
	r := s.deny_not_attested with input as {"artifact": {"name": "a"}, "sbom": doc("scanned")}
		with data.chaingate.config.sbom as required
	r == {"the SBOM of a is of source \"scanned\", not from a verified SBOM attestation"}
}

test_not_required_by_default if {
	count(s.deny_not_attested) == 0 with input as {"artifact": {"name": "a"}, "sbom": doc("supplied")}
}

test_missing_sbom_is_deny_missing_only if {
	count(s.deny_not_attested) == 0 with input as {"artifact": {"name": "a"}}
		with data.chaingate.config.sbom as required
	count(s.deny_missing) == 1 with input as {"artifact": {"name": "a"}}
		with data.chaingate.config.sbom as required
}
