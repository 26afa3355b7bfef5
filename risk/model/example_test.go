package model_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/chaingate/chaingate/risk/model"
	"github.com/chaingate/chaingate/risk/signal"
)

// Explain a score: each feature's part in the log-odds.
func ExampleScore_contributions() {
	s, _ := signal.TyposquatScore("PyPI", "reqeusts")
	fmt.Printf("flagged=%v calibrated=%v target=%s\n", s.Flagged, s.Calibrated, s.Target)
	for _, c := range s.Contributions[:2] {
		fmt.Printf("%s moves the score\n", c.Feature)
	}
	// Output:
	// flagged=true calibrated=true target=requests
	// edit_similarity moves the score
	// edit1 moves the score
}

// Evaluate the built-in model on the validation split of the labelled
// names, and compare it with its recorded numbers.
func ExampleEvaluate() {
	data, err := os.ReadFile("../testdata/signals/typosquat-train.jsonl")
	if err != nil {
		fmt.Println(err)
		return
	}
	rows, _ := model.ReadLabelledNames("train.jsonl", bytes.NewReader(data))
	_, validation := model.SplitByTarget(rows)
	m, _ := signal.BuiltinTyposquatModel()
	got, _ := model.Evaluate(m, validation)
	rec := m.Info().Metrics["validation"]
	fmt.Println(got.N == rec.N, got.F1 >= rec.F1, got.FPR <= rec.FPR)
	// Output: true true true
}

// Load a model artefact; an artefact made for other features is refused.
func ExampleLoadModel() {
	m, err := model.LoadModel(signal.BuiltinTyposquatModelJSON())
	if err != nil {
		fmt.Println(err)
		return
	}
	info := m.Info()
	fmt.Println(info.ID, info.Kind, info.FeatureSchemaHash == model.TyposquatFeatureSchemaHash())

	other := bytes.Replace(signal.BuiltinTyposquatModelJSON(), []byte(info.FeatureSchemaHash), []byte("sha256:00"), 1)
	_, err = model.LoadModel(other)
	fmt.Println(errors.Is(err, model.ErrSchemaMismatch))
	// Output:
	// typosquat-logistic logistic true
	// true
}

// Check whether a batch of names looks like the training data.
func ExampleCheckDrift() {
	m, _ := signal.BuiltinTyposquatModel()
	npm, _ := model.BuiltinPopularityList("npm")
	var batch []model.FeatureVector
	for _, name := range []string{"lodash-utils", "react-helper", "axios-retry-x", "express-js", "chalk-cli", "vue-lib"} {
		batch = append(batch, npm.ExtractTyposquatFeatures(name))
	}
	rep, err := model.CheckDrift(m.Info(), batch)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Retrain)
	// Output: true
}

// The most used names of a shipped popularity list, by rank.
func ExamplePopularityList_Name() {
	pypi, err := model.BuiltinPopularityList("PyPI")
	if err != nil {
		fmt.Println(err)
		return
	}
	rank, _ := pypi.Rank(pypi.Name(0))
	fmt.Println(pypi.Len() > 1000, rank)
	// Output:
	// true 1
}
