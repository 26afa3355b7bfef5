package risk_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/sbom"
)

// Score one name against the shipped npm popularity list.
func ExampleTyposquatScore() {
	s, err := risk.TyposquatScore("npm", "crossenv")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Flagged, s.Kind, s.Target)

	s, _ = risk.TyposquatScore("npm", "cross-env")
	fmt.Println(s.Flagged)

	s, _ = risk.TyposquatScore("Go", "github.com/stretchr/testfiy")
	fmt.Println(s.Flagged, s.Kind, s.Target)
	// Output:
	// true delimiter cross-env
	// false
	// true edit1 github.com/stretchr/testify
}

// Explain a score: each feature's part in the log-odds.
func ExampleScore_contributions() {
	s, _ := risk.TyposquatScore("PyPI", "reqeusts")
	fmt.Printf("flagged=%v calibrated=%v target=%s\n", s.Flagged, s.Calibrated, s.Target)
	for _, c := range s.Contributions[:2] {
		fmt.Printf("%s moves the score\n", c.Feature)
	}
	// Output:
	// flagged=true calibrated=true target=requests
	// edit_similarity moves the score
	// edit1 moves the score
}

// Score the npm and PyPI components of an SBOM.
func ExampleTyposquatDetector() {
	doc := &sbom.Document{Components: []sbom.Component{
		{ID: "a", Name: "crossenv", Version: "1.0.0", PURL: "pkg:npm/crossenv@1.0.0"},
		{ID: "b", Name: "express", Version: "4.21.2", PURL: "pkg:npm/express@4.21.2"},
	}}
	sigs, err := risk.TyposquatDetector{}.Detect(context.Background(), doc)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range sigs {
		fmt.Println(s.ID, s.Source)
	}
	// Output:
	// typosquat pkg:npm/crossenv@1.0.0
}

// Evaluate the built-in model on the validation split of the labelled
// names, and compare it with its recorded numbers.
func ExampleEvaluate() {
	data, err := os.ReadFile("testdata/signals/typosquat-train.jsonl")
	if err != nil {
		fmt.Println(err)
		return
	}
	rows, _ := risk.ReadLabelledNames("train.jsonl", bytes.NewReader(data))
	_, validation := risk.SplitByTarget(rows)
	m, _ := risk.BuiltinTyposquatModel()
	got, _ := risk.Evaluate(m, validation)
	rec := m.Info().Metrics["validation"]
	fmt.Println(got.N == rec.N, got.F1 >= rec.F1, got.FPR <= rec.FPR)
	// Output: true true true
}

// Scan an npm tarball for install-time behaviour.
func ExampleScanPackageArchive() {
	f, err := os.Open("testdata/signals/npm/bufferutil-4.0.9.tgz")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	rep, err := risk.ScanPackageArchive(context.Background(), "bufferutil-4.0.9.tgz", f)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Name, rep.Version, rep.Malicious)
	fmt.Println(rep.InstallHooks)
	// Output:
	// bufferutil 4.0.9 false
	// [scripts.install: node-gyp-build]
}

// Compare two lockfile SBOMs for supply-chain anomalies.
func ExampleDependencyChangeSignals() {
	load := func(name string) *sbom.Document {
		f, _ := os.Open("testdata/signals/lock/" + name)
		defer f.Close()
		doc, _ := sbom.FromNPMLock(f)
		return doc
	}
	sigs, err := risk.DependencyChangeSignals(load("after-package-lock.json"), load("tampered-package-lock.json"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range sigs {
		fmt.Println(s.ID, s.Source)
	}
	// Output:
	// tampered pkg:npm/%40types/ms@0.7.34
	// tampered pkg:npm/debug@4.3.3
	// registry-moved pkg:npm/%40types/ms@0.7.34
}

// Load a model artefact; an artefact made for other features is refused.
func ExampleLoadModel() {
	m, err := risk.LoadModel(risk.BuiltinTyposquatModelJSON())
	if err != nil {
		fmt.Println(err)
		return
	}
	info := m.Info()
	fmt.Println(info.ID, info.Kind, info.FeatureSchemaHash == risk.TyposquatFeatureSchemaHash())

	other := bytes.Replace(risk.BuiltinTyposquatModelJSON(), []byte(info.FeatureSchemaHash), []byte("sha256:00"), 1)
	_, err = risk.LoadModel(other)
	fmt.Println(errors.Is(err, risk.ErrSchemaMismatch))
	// Output:
	// typosquat-logistic logistic true
	// true
}

// Check whether a batch of names looks like the training data.
func ExampleCheckDrift() {
	m, _ := risk.BuiltinTyposquatModel()
	npm, _ := risk.BuiltinPopularityList("npm")
	var batch []risk.FeatureVector
	for _, name := range []string{"lodash-utils", "react-helper", "axios-retry-x", "express-js", "chalk-cli", "vue-lib"} {
		batch = append(batch, npm.ExtractTyposquatFeatures(name))
	}
	rep, err := risk.CheckDrift(m.Info(), batch)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Retrain)
	// Output: true
}

// Read a repository's history for risky changes.
func ExampleGitHistorySignals() {
	dir, err := os.MkdirTemp("", "gitsignal")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	repo, _ := git.PlainInit(dir, false)
	wt, _ := repo.Worktree()
	when := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	commit := func(who, file, body string) {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(file)), 0o755)
		os.WriteFile(filepath.Join(dir, file), []byte(body), 0o644)
		wt.Add(file)
		when = when.Add(time.Hour)
		sig := &object.Signature{Name: who, Email: who + "@example.com", When: when}
		wt.Commit("change "+file, &git.CommitOptions{Author: sig, Committer: sig})
	}
	commit("maintainer", "main.go", "package main\n")
	commit("maintainer", ".github/workflows/ci.yml", "on: push\n")
	commit("newcomer", ".github/workflows/ci.yml", "on: push\njobs: {}\n")

	sigs, err := risk.GitHistorySignals(context.Background(), repo, risk.GitOptions{Report: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range sigs {
		fmt.Println(s.ID, s.Value)
	}
	// Output:
	// sensitive-change-by-newcomer 0.8
	// new-author 0.3
	// unsigned-commit 0.2
}

// Combine the signals about one package into one explained score.
func ExampleCombineSignals() {
	sigs := []risk.Signal{
		{ID: "install-script", Value: 0.3, Source: "pkg:npm/x@1.0.0", Evidence: []string{"postinstall runs node setup.js"}},
		{ID: "env-exfiltration", Value: 0.9, Source: "pkg:npm/x@1.0.0", Evidence: []string{"setup.js posts process.env"}},
	}
	s := risk.CombineSignals(sigs, 0)
	fmt.Println(s.Value, s.Flagged)
	for _, c := range s.Contributions {
		fmt.Printf("%s %.2f\n", c.Feature, c.Effect)
	}
	// Output:
	// 0.93 true
	// env-exfiltration pkg:npm/x@1.0.0 2.30
	// install-script pkg:npm/x@1.0.0 0.36
}
