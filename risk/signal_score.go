package risk

import (
	"fmt"
	"math"
	"sort"
)

// SignalRiskThreshold is the default threshold of CombineSignals: a
// combined score at or above it is flagged.
const SignalRiskThreshold = 0.8

// CombineSignals turns signals (of one component, package or repository,
// or of a whole report) into one explained Score. Each signal is read as
// independent evidence that something is wrong with probability Value;
// the combined value is 1 - Π(1 - value) (noisy-OR), so no single weak
// signal dominates and several medium ones add up. Each signal's effect is
// its share -ln(1 - value) of the total -ln(1 - Score.Value); effects add
// up to that total. Signals of the same ID and Source count once, at their
// highest value. threshold <= 0 means SignalRiskThreshold.
func CombineSignals(sigs []Signal, threshold float64) Score {
	if threshold <= 0 {
		threshold = SignalRiskThreshold
	}
	s := Score{Threshold: threshold, Model: "signals-noisy-or@1"}
	best := map[string]Signal{}
	var keys []string
	for _, sg := range sigs {
		if math.IsNaN(sg.Value) {
			continue
		}
		k := sg.ID + "\x00" + sg.Source
		old, ok := best[k]
		if !ok {
			keys = append(keys, k)
		}
		if !ok || sg.Value > old.Value {
			best[k] = sg
		}
	}
	sort.Strings(keys)
	keep := 1.0
	for _, k := range keys {
		sg := best[k]
		v := clamp01(sg.Value)
		// Cap at 0.999 so that one certain signal leaves an effect that
		// is finite and comparable.
		e := -math.Log1p(-math.Min(v, 0.999))
		keep *= 1 - v
		if v == 0 {
			continue
		}
		s.Contributions = append(s.Contributions, Contribution{Feature: sg.ID + " " + sg.Source, Value: v, Weight: 1, Effect: e})
		if len(sg.Evidence) > 0 {
			s.Evidence = append(s.Evidence, fmt.Sprintf("%s (%.2f): %s", sg.ID, v, sg.Evidence[0]))
		}
	}
	modelSortContributions(s.Contributions)
	s.Value = round4(1 - keep)
	s.Flagged = s.Value >= threshold
	return s
}

// CombineSignalsBySource groups signals by Source and combines each group
// (see CombineSignals).
func CombineSignalsBySource(sigs []Signal, threshold float64) map[string]Score {
	groups := map[string][]Signal{}
	for _, sg := range sigs {
		groups[sg.Source] = append(groups[sg.Source], sg)
	}
	out := make(map[string]Score, len(groups))
	for src, g := range groups {
		out[src] = CombineSignals(g, threshold)
	}
	return out
}
