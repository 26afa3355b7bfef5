# METADATA
# title: Supply-chain signals
# description: >-
#   Signals of the risk scan beside vulnerabilities: name confusion
#   (typosquats), package content (install hooks that download or execute,
#   secrets sent over the network, decoded eval), dependency changes
#   (tampering, registry moves, dependency confusion) and repository
#   behaviour. A flagged signal denies; several signals about one package
#   that add up (input.risk.signalRisk) deny; a weaker one warns.
#   Configure with data.chaingate.config.signals.
package chaingate.lib.signals

defaults := {
	"enabled": true,
	"deny_flagged": true,
	"deny_combined": true,
	"warn_value": 0.5,
	"ignore": [],
	"ignore_sources": [],
}

default settings := {}

# settings are the caller's, from data.chaingate.config.signals.
settings := data.chaingate.config.signals

cfg := object.union(defaults, settings)

# ignored_source holds for a source listed in ignore_sources: an exact
# value or a glob where * stays inside a / segment and ** crosses
# segments ("pkg:npm/crossenv@*", "pkg:npm/%40acme/**").
ignored_source(src) if {
	some p in cfg.ignore_sources
	glob.match(p, ["/"], src)
}

# active are the signals that count: not of an ignored ID or source.
active := [s |
	cfg.enabled
	some s in input.risk.signals
	not object.get(s, "id", "") in cfg.ignore
	not ignored_source(object.get(s, "source", ""))
]

label(s) := sprintf("%s on %s (%.2f)", [s.id, s.source, object.get(s, "value", 0)])

target(s) := sprintf(", imitating %s", [s.target]) if s.target != ""

else := ""

first_evidence(x) := x.evidence[0] if count(object.get(x, "evidence", [])) > 0

else := "no evidence recorded"

# METADATA
# title: Flagged supply-chain signal
# description: >-
#   No component may carry a signal its detector flagged: a name the
#   typosquat model flags, a download-and-execute install hook, secrets sent
#   over the network, a tampered or registry-moved dependency.
# custom:
#   code: CG-SIG-001
#   severity: high
deny_flagged contains result if {
	cfg.deny_flagged
	some s in active
	s.flagged == true
	result := {
		"msg": sprintf("%s is flagged%s: %s", [label(s), target(s), first_evidence(s)]),
		"signal": s.id,
		"source": s.source,
	}
}

# METADATA
# title: Signals add up
# description: >-
#   No source may have signals whose combination reaches the risk
#   threshold: several medium signals about one package (a name close to a
#   popular package and an install script that calls the network) are
#   evidence together. A model's unflagged candidate alone never counts.
# custom:
#   code: CG-SIG-002
#   severity: high
deny_combined contains result if {
	cfg.deny_combined
	some r in input.risk.signalRisk
	r.flagged == true
	ids := [id | some id in r.signals; not id in cfg.ignore]
	count(ids) > 0
	not ignored_source(object.get(r, "source", ""))
	not all_flagged_alone(r)
	result := {
		"msg": sprintf("signals on %s add up to %.2f: %s", [r.source, r.value, concat(", ", ids)]),
		"source": r.source,
		"signals": ids,
	}
}

# all_flagged_alone holds when a combination is one signal that
# deny_flagged already reports: one reason, not two.
all_flagged_alone(r) if {
	count(r.signals) == 1
	some s in active
	s.source == r.source
	s.id == r.signals[0]
	s.flagged == true
}

# METADATA
# title: Supply-chain signal to review
# description: A signal below the flag that reaches warn_value, for a human to look at.
# custom:
#   code: CG-SIG-003
#   severity: medium
warn_signal contains result if {
	some s in active
	object.get(s, "flagged", false) != true
	object.get(s, "value", 0) >= cfg.warn_value
	result := {
		"msg": sprintf("%s%s: review it (%s)", [label(s), target(s), first_evidence(s)]),
		"signal": s.id,
		"source": s.source,
	}
}
