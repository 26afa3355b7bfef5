package model

import (
	"fmt"
	"math"
	"sort"

	"github.com/chaingate/chaingate/internal/scoring"
)

// DriftSchema is the schema version of a DriftReport.
const DriftSchema = "chaingate.risk.drift/v1"

// PSI levels, the usual rule of thumb: below 0.1 stable, 0.1 to 0.25 a
// moderate shift worth watching, above 0.25 a shift that calls for
// re-training.
const (
	DriftWatchPSI   = 0.1
	DriftRetrainPSI = 0.25
)

// FeatureHistogram is the share of inputs in each bin of one feature.
// Bins: below 0, exactly 0, (0,0.25], (0.25,0.5], (0.5,0.75], above 0.75.
type FeatureHistogram struct {
	Feature   string    `json:"feature"`
	Fractions []float64 `json:"fractions"`
}

func driftBin(v float64) int {
	switch {
	case v < 0:
		return 0
	case v == 0:
		return 1
	case v <= 0.25:
		return 2
	case v <= 0.5:
		return 3
	case v <= 0.75:
		return 4
	}
	return 5
}

const driftBins = 6

// FeatureDistribution summarises feature vectors as one histogram per
// feature, in schema order, fractions rounded to six decimals.
func FeatureDistribution(vs []FeatureVector) []FeatureHistogram {
	if len(vs) == 0 {
		return nil
	}
	names := vs[0].Names
	out := make([]FeatureHistogram, len(names))
	for i, n := range names {
		counts := make([]float64, driftBins)
		for _, v := range vs {
			if i < len(v.Values) {
				counts[driftBin(v.Values[i])]++
			}
		}
		for b := range counts {
			counts[b] = math.Round(counts[b]/float64(len(vs))*1e6) / 1e6
		}
		out[i] = FeatureHistogram{Feature: n, Fractions: counts}
	}
	return out
}

// FeatureDrift is one feature's population stability index.
type FeatureDrift struct {
	Feature string  `json:"feature"`
	PSI     float64 `json:"psi"`
	// Level is "stable", "watch" or "retrain".
	Level string `json:"level"`
}

// DriftReport compares a batch of inputs with a model's training data.
type DriftReport struct {
	Schema string `json:"schema"`
	Model  string `json:"model"`
	N      int    `json:"n"`
	// Features lists every feature's drift, largest PSI first.
	Features []FeatureDrift `json:"features"`
	MaxPSI   float64        `json:"maxPSI"`
	// Retrain says the model should be re-trained: some feature's PSI is
	// above DriftRetrainPSI.
	Retrain bool `json:"retrain"`
	// Reasons says which features moved.
	Reasons []string `json:"reasons,omitempty"`
}

// CheckDrift computes the population stability index of each feature
// between the model's recorded training distribution and batch:
// PSI = Σ (b - t)·ln(b/t) over bins, with shares floored at 1e-4.
func CheckDrift(info Info, batch []FeatureVector) (DriftReport, error) {
	ref := info.Training.Distribution
	r := DriftReport{Schema: DriftSchema, Model: info.ID + "@" + info.Version, N: len(batch)}
	if len(ref) == 0 {
		return r, fmt.Errorf("risk: check drift %s: the model records no training distribution", r.Model)
	}
	if len(batch) == 0 {
		return r, fmt.Errorf("risk: check drift %s: empty batch", r.Model)
	}
	for i, v := range batch {
		if v.SchemaHash != info.FeatureSchemaHash || len(v.Values) != len(ref) {
			return r, fmt.Errorf("risk: check drift %s: input %d: %w", r.Model, i, ErrSchemaMismatch)
		}
	}
	cur := FeatureDistribution(batch)
	for i, h := range ref {
		if len(h.Fractions) != driftBins || cur[i].Feature != h.Feature {
			return r, fmt.Errorf("risk: check drift %s: training distribution of %q: %w", r.Model, h.Feature, ErrSchemaMismatch)
		}
		psi := 0.0
		for b := 0; b < driftBins; b++ {
			t, c := math.Max(h.Fractions[b], 1e-4), math.Max(cur[i].Fractions[b], 1e-4)
			psi += (c - t) * math.Log(c/t)
		}
		psi = scoring.Round4(psi)
		fd := FeatureDrift{Feature: h.Feature, PSI: psi, Level: "stable"}
		switch {
		case psi > DriftRetrainPSI:
			fd.Level = "retrain"
			r.Retrain = true
			r.Reasons = append(r.Reasons, fmt.Sprintf("feature %s shifted (PSI %.3f > %.2f): re-train the model on data like this batch", h.Feature, psi, DriftRetrainPSI))
		case psi > DriftWatchPSI:
			fd.Level = "watch"
			r.Reasons = append(r.Reasons, fmt.Sprintf("feature %s moved moderately (PSI %.3f)", h.Feature, psi))
		}
		r.MaxPSI = math.Max(r.MaxPSI, psi)
		r.Features = append(r.Features, fd)
	}
	sort.SliceStable(r.Features, func(a, b int) bool { return r.Features[a].PSI > r.Features[b].PSI })
	return r, nil
}
