package typosquat

import (
	"fmt"

	"github.com/chaingate/chaingate/risk/model"
)

// NaiveEdit returns the naive bar as a model.Model: flag a name within k
// (1 or 2) edits of a popular name. It reads the edit1/edit2 features,
// so "two edits" applies to names of five characters or more.
func NaiveEdit(k int) model.Model { return naive{k} }

type naive struct{ k int }

// Info describes the naive baseline as a model.
func (n naive) Info() model.Info {
	return model.Info{
		ID: fmt.Sprintf("naive-edit%d", n.k), Version: "1", Kind: "rules",
		FeatureSchema: model.TyposquatFeatureSchema, FeatureSchemaHash: model.TyposquatFeatureSchemaHash(),
		Features: model.TyposquatFeatureNames(), Thresholds: map[string]float64{"flag": 0.5},
	}
}

// Score flags a name within the baseline's edit distance of a listed one.
func (n naive) Score(f model.FeatureVector) (model.Score, error) {
	if f.SchemaHash != model.TyposquatFeatureSchemaHash() {
		return model.Score{}, model.ErrSchemaMismatch
	}
	e1, _ := f.Get("edit1")
	e2, _ := f.Get("edit2")
	v := e1
	if n.k >= 2 {
		v = max(e1, e2)
	}
	return model.Score{Value: v, Flagged: v >= 0.5, Threshold: 0.5, Model: n.Info().ID}, nil
}
