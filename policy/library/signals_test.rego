package chaingate.lib.signals_test

import data.chaingate.lib.signals as s

typo := {"id": "typosquat", "source": "pkg:npm/crossenv@1.0.0", "value": 0.97, "flagged": true, "model": "typosquat-logistic@1.0.0", "target": "cross-env", "evidence": ["delimiter: \"crossenv\" resembles \"cross-env\""]}

candidate := {"id": "typosquat", "source": "pkg:npm/axios-utils@1.0.0", "value": 0.76, "model": "typosquat-logistic@1.0.0", "target": "axios", "evidence": ["affix"]}

exfil := {"id": "env-exfiltration", "source": "pkg:npm/axios-utils@1.0.0", "value": 0.6, "evidence": ["in setup.js of axios-utils-1.0.0.tgz"]}

combined := {"source": "pkg:npm/axios-utils@1.0.0", "signals": ["env-exfiltration", "typosquat"], "value": 0.9, "flagged": true, "evidence": ["x"]}

inp(sigs, risks) := {"risk": {"findings": [], "signals": sigs, "signalRisk": risks}}

test_flagged_denied if {
	r := s.deny_flagged with input as inp([typo], [])
	count(r) == 1
	some x in r
	x.signal == "typosquat"
	contains(x.msg, "imitating cross-env")
}

test_candidate_not_denied_but_warned if {
	count(s.deny_flagged) == 0 with input as inp([candidate], [])
	w := s.warn_signal with input as inp([candidate], [])
	count(w) == 1
}

test_below_warn_value_silent if {
	low := object.union(candidate, {"value": 0.3})
	count(s.warn_signal) == 0 with input as inp([low], [])
}

test_combined_denied if {
	r := s.deny_combined with input as inp([candidate, exfil], [combined])
	count(r) == 1
	some x in r
	x.source == "pkg:npm/axios-utils@1.0.0"
	x.signals == ["env-exfiltration", "typosquat"]
}

test_combined_of_one_flagged_signal_reported_once if {
	one := {"source": typo.source, "signals": ["typosquat"], "value": 0.97, "flagged": true}
	count(s.deny_combined) == 0 with input as inp([typo], [one])
	count(s.deny_flagged) == 1 with input as inp([typo], [one])
}

test_ignore_by_id if {
	count(s.deny_flagged) == 0 with input as inp([typo], []) with data.chaingate.config.signals as {"ignore": ["typosquat"]}
	count(s.deny_combined) == 1 with input as inp([candidate, exfil], [combined]) with data.chaingate.config.signals as {"ignore": ["typosquat"]}
	count(s.deny_combined) == 0 with input as inp([candidate, exfil], [combined])
		with data.chaingate.config.signals as {"ignore": ["typosquat", "env-exfiltration"]}
}

test_ignore_source_glob if {
	count(s.deny_flagged) == 0 with input as inp([typo], []) with data.chaingate.config.signals as {"ignore_sources": ["pkg:npm/crossenv@*"]}
	count(s.deny_combined) == 0 with input as inp([candidate, exfil], [combined])
		with data.chaingate.config.signals as {"ignore_sources": ["pkg:npm/axios-utils@*"]}
}

test_disabled if {
	count(s.deny_flagged) == 0 with input as inp([typo], []) with data.chaingate.config.signals as {"enabled": false}
	count(s.deny_combined) == 0 with input as inp([candidate, exfil], [combined]) with data.chaingate.config.signals as {"deny_combined": false}
	count(s.deny_flagged) == 0 with input as inp([typo], []) with data.chaingate.config.signals as {"deny_flagged": false}
}

test_no_signals_no_reasons if {
	count(s.deny_flagged) == 0 with input as {"risk": {"findings": []}}
	count(s.deny_combined) == 0 with input as {}
	count(s.warn_signal) == 0 with input as {}
}

test_missing_evidence_said if {
	bare := {"id": "hash-changed", "source": "pkg:npm/x@1", "value": 0.9, "flagged": true}
	r := s.deny_flagged with input as inp([bare], [])
	some x in r
	contains(x.msg, "no evidence recorded")
}
