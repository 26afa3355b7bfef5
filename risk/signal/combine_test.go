package signal

import (
	"math"
	"testing"

	"github.com/chaingate/chaingate/internal/scoring"
)

func TestCombineSignals(t *testing.T) {
	sigs := []Signal{
		{ID: "install-script", Value: 0.3, Source: "pkg:npm/x@1", Evidence: []string{"postinstall"}},
		{ID: "install-network", Value: 0.4, Source: "pkg:npm/x@1", Evidence: []string{"https"}},
		{ID: "install-network", Value: 0.2, Source: "pkg:npm/x@1"}, // duplicate, lower: ignored
		{ID: "typosquat", Value: 0.9, Source: "pkg:npm/y@1", Evidence: []string{"crossenv"}},
	}
	s := Combine(sigs, 0)
	want := 1 - 0.7*0.6*0.1
	if s.Value != scoring.Round4(want) || !s.Flagged || s.Threshold != RiskThreshold {
		t.Errorf("combined %+v, want %.4f", s, want)
	}
	total := 0.0
	for _, c := range s.Contributions {
		total += c.Effect
	}
	if math.Abs(total+math.Log(1-want)) > 1e-9 {
		t.Errorf("effects %v do not add up to -ln(1-value) %v", total, -math.Log(1-want))
	}
	if s.Contributions[0].Feature != "typosquat pkg:npm/y@1" || len(s.Evidence) != 3 {
		t.Errorf("contributions %+v evidence %v", s.Contributions, s.Evidence)
	}
	by := CombineBySource(sigs, 0.5)
	if x := by["pkg:npm/x@1"]; x.Value != scoring.Round4(1-0.7*0.6) || !x.Flagged {
		t.Errorf("x: %+v", x)
	}
	if len(by) != 2 {
		t.Errorf("groups %v", by)
	}
	if s := Combine(nil, 0); s.Value != 0 || s.Flagged {
		t.Errorf("empty: %+v", s)
	}
	if s := Combine([]Signal{{ID: "a", Value: 1}}, 0); s.Value != 1 || math.IsInf(s.Contributions[0].Effect, 0) {
		t.Errorf("certain signal: %+v", s)
	}
}
