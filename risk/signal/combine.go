package signal

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/chaingate/chaingate/internal/scoring"

	"github.com/chaingate/chaingate/risk/model"
)

// RiskThreshold is the default threshold of Combine: a
// combined score at or above it is flagged.
const RiskThreshold = 0.8

// Combine turns signals (of one component, package or repository,
// or of a whole report) into one explained Score. Each signal is read as
// independent evidence that something is wrong with probability Value;
// the combined value is 1 - Π(1 - value) (noisy-OR), so no single weak
// signal dominates and several medium ones add up. Each signal's effect is
// its share -ln(1 - value) of the total -ln(1 - Score.Value); effects add
// up to that total. Signals of the same ID and Source count once, at their
// highest value. threshold <= 0 means RiskThreshold.
//
// A model's candidate needs corroboration: a signal that carries a model
// Score the model did not flag (a name that resembles a popular package
// but stays below the model's threshold) never flags the combination on
// its own; with another signal about the same source (an install script,
// a download-and-execute hook) it counts at its full value. This is how
// package content and dependency changes act as co-evidence for name
// confusion the name alone cannot decide (combosquats).
func Combine(sigs []Signal, threshold float64) model.Score {
	if threshold <= 0 {
		threshold = RiskThreshold
	}
	s := model.Score{Threshold: threshold, Model: "signals-noisy-or@1"}
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
	contributing, candidates := 0, 0
	for _, k := range keys {
		sg := best[k]
		if scoring.Clamp01(sg.Value) > 0 {
			contributing++
			if sg.Score != nil && !sg.Score.Flagged {
				candidates++
			}
		}
		v := scoring.Clamp01(sg.Value)
		// Cap at 0.999 so that one certain signal leaves an effect that
		// is finite and comparable.
		e := -math.Log1p(-math.Min(v, 0.999))
		keep *= 1 - v
		if v == 0 {
			continue
		}
		s.Contributions = append(s.Contributions, model.Contribution{Feature: sg.ID + " " + sg.Source, Value: v, Weight: 1, Effect: e})
		if len(sg.Evidence) > 0 {
			s.Evidence = append(s.Evidence, fmt.Sprintf("%s (%.2f): %s", sg.ID, v, sg.Evidence[0]))
		}
	}
	scoring.SortByEffect(s.Contributions, func(c *model.Contribution) float64 { return c.Effect })
	s.Value = scoring.Round4(1 - keep)
	s.Flagged = s.Value >= threshold && !(contributing == 1 && candidates == 1)
	if s.Value >= threshold && !s.Flagged {
		s.Evidence = append(s.Evidence, "a model's unflagged candidate alone does not flag: it needs another signal about the same source")
	}
	return s
}

// SourceRisk is the combination of the signals about one source (a
// component, package or repository): see Combine.
type SourceRisk struct {
	// Source is what the signals are about (their common Signal.Source).
	Source string `json:"source"`
	// Signals are the IDs of the signals combined, sorted.
	Signals []string `json:"signals"`
	// Score is the combined, explained score.
	Score model.Score `json:"score"`
}

// RiskOf combines sigs per source (CombineBySource) and
// returns one SourceRisk per source, highest Value first, then by
// Source. threshold <= 0 means RiskThreshold.
func RiskOf(sigs []Signal, threshold float64) []SourceRisk {
	by := CombineBySource(sigs, threshold)
	ids := map[string][]string{}
	for _, sg := range sigs {
		if !slices.Contains(ids[sg.Source], sg.ID) {
			ids[sg.Source] = append(ids[sg.Source], sg.ID)
		}
	}
	out := make([]SourceRisk, 0, len(by))
	for src, sc := range by {
		sort.Strings(ids[src])
		out = append(out, SourceRisk{Source: src, Signals: ids[src], Score: sc})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score.Value != out[j].Score.Value {
			return out[i].Score.Value > out[j].Score.Value
		}
		return out[i].Source < out[j].Source
	})
	return out
}

// CombineBySource groups signals by Source and combines each group
// (see Combine).
func CombineBySource(sigs []Signal, threshold float64) map[string]model.Score {
	groups := map[string][]Signal{}
	for _, sg := range sigs {
		groups[sg.Source] = append(groups[sg.Source], sg)
	}
	out := make(map[string]model.Score, len(groups))
	for src, g := range groups {
		out[src] = Combine(g, threshold)
	}
	return out
}
