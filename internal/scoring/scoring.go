// Package scoring holds the arithmetic that the risk models share
// (risk/model's typosquat model, risk/content's content model and
// risk/signal's combination): rounding, clamping, ordering the
// contributions of an explanation, and the size limit of a model
// artefact. It is internal so that none of it becomes API of the
// packages that use it.
package scoring

import (
	"math"
	"sort"
)

// MaxArtefactBytes bounds a model artefact read by model.LoadModel or
// content.LoadModel.
const MaxArtefactBytes = 1 << 20

// Round4 rounds v to four decimals, and NaN to 0, as every score and
// metric chaingate reports is rounded.
func Round4(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return math.Round(v*1e4) / 1e4
}

// Clamp01 limits v to [0, 1].
func Clamp01(v float64) float64 { return math.Max(0, math.Min(1, v)) }

// SortByEffect orders the contributions of an explanation by the size
// of their effect (effect's absolute value), largest first, keeping the
// order of equal ones.
func SortByEffect[E any](cs []E, effect func(*E) float64) {
	sort.SliceStable(cs, func(i, j int) bool { return math.Abs(effect(&cs[i])) > math.Abs(effect(&cs[j])) })
}
