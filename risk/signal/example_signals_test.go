package signal_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/chaingate/chaingate/risk/signal"
	"github.com/chaingate/chaingate/sbom"
)

// Score one name against the shipped npm popularity list.
func ExampleTyposquatScore() {
	s, err := signal.TyposquatScore("npm", "crossenv")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Flagged, s.Kind, s.Target)

	s, _ = signal.TyposquatScore("npm", "cross-env")
	fmt.Println(s.Flagged)

	s, _ = signal.TyposquatScore("Go", "github.com/stretchr/testfiy")
	fmt.Println(s.Flagged, s.Kind, s.Target)
	// Output:
	// true delimiter cross-env
	// false
	// true edit1 github.com/stretchr/testify
}

// Score the npm and PyPI components of an SBOM.
func ExampleTyposquatDetector() {
	doc := &sbom.Document{Components: []sbom.Component{
		{ID: "a", Name: "crossenv", Version: "1.0.0", PURL: "pkg:npm/crossenv@1.0.0"},
		{ID: "b", Name: "express", Version: "4.21.2", PURL: "pkg:npm/express@4.21.2"},
	}}
	sigs, err := signal.TyposquatDetector{}.Detect(context.Background(), doc)
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

// Compare two lockfile SBOMs for supply-chain anomalies.
func ExampleDependencyChanges() {
	load := func(name string) *sbom.Document {
		f, _ := os.Open("../testdata/signals/lock/" + name)
		defer f.Close()
		doc, _ := sbom.FromNPMLock(f)
		return doc
	}
	sigs, err := signal.DependencyChanges(load("after-package-lock.json"), load("tampered-package-lock.json"))
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

// Read a repository's history for risky changes.
func ExampleGitHistory() {
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

	sigs, err := signal.GitHistory(context.Background(), repo, signal.GitOptions{Report: 1})
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
func ExampleCombine() {
	sigs := []signal.Signal{
		{ID: "install-script", Value: 0.3, Source: "pkg:npm/x@1.0.0", Evidence: []string{"postinstall runs node setup.js"}},
		{ID: "env-exfiltration", Value: 0.9, Source: "pkg:npm/x@1.0.0", Evidence: []string{"setup.js posts process.env"}},
	}
	s := signal.Combine(sigs, 0)
	fmt.Println(s.Value, s.Flagged)
	for _, c := range s.Contributions {
		fmt.Printf("%s %.2f\n", c.Feature, c.Effect)
	}
	// Output:
	// 0.93 true
	// env-exfiltration pkg:npm/x@1.0.0 2.30
	// install-script pkg:npm/x@1.0.0 0.36
}
