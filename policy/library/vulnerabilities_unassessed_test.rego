package chaingate.lib.vulnerabilities_unassessed_test

import data.chaingate.lib.vulnerabilities as v

gin := {
	"component": "pkg:golang/github.com/gin-gonic/gin@v1.7.0.1",
	"package": "github.com/gin-gonic/gin",
	"version": "v1.7.0.1",
	"purl": "pkg:golang/github.com/gin-gonic/gin@v1.7.0.1",
	"ecosystem": "Go",
	"reason": "version \"v1.7.0.1\" could not be compared",
	"advisories": ["GO-2023-1737"],
}

test_unassessed_denied if {
	r := v.deny_unassessed with input as {"risk": {"findings": [], "unassessed": [gin]}}
	count(r) == 1
	some x in r
	x.component == gin.component
	x.advisories == ["GO-2023-1737"]
	contains(x.msg, "could not be checked")
	contains(x.msg, "GO-2023-1737")
}

test_unassessed_setting_off if {
	count(v.deny_unassessed) == 0 with input as {"risk": {"findings": [], "unassessed": [gin]}}
		with data.chaingate.config.vulnerabilities as {"deny_unassessed": false}
}

test_unassessed_area_disabled if {
	count(v.deny_unassessed) == 0 with input as {"risk": {"findings": [], "unassessed": [gin]}}
		with data.chaingate.config.vulnerabilities as {"enabled": false}
}

test_unassessed_distro_release if {
	u := {"component": "c", "ecosystem": "Debian:12", "reason": "version \"1:2:3:x\" could not be compared"}
	r := v.deny_unassessed with input as {"risk": {"unassessed": [u]}}
	count(r) == 1
	some x in r
	contains(x.msg, "c (no version) (Debian)")
}

test_unassessed_ecosystem_without_database if {
	u := {"component": "c", "purl": "pkg:generic/x@1", "reason": "purl type \"generic\" has no OSV ecosystem"}
	count(v.deny_unassessed) == 0 with input as {"risk": {"unassessed": [u]}}
}

test_unassessed_ecosystems_configurable if {
	count(v.deny_unassessed) == 0 with input as {"risk": {"unassessed": [gin]}}
		with data.chaingate.config.vulnerabilities as {"unassessed_ecosystems": ["npm"]}
}

test_unassessed_root_without_advisories_skipped if {
	root := {"component": "pkg:golang/github.com/acme/shop-api", "package": "github.com/acme/shop-api", "ecosystem": "Go", "root": true, "reason": "version \"\" is unknown: not matched"}
	count(v.deny_unassessed) == 0 with input as {"risk": {"unassessed": [root]}}
}

test_unassessed_root_with_advisories_denied if {
	root := object.union(gin, {"root": true})
	count(v.deny_unassessed) == 1 with input as {"risk": {"unassessed": [root]}}
}

test_no_risk_no_unassessed_deny if {
	count(v.deny_unassessed) == 0 with input as {}
}
