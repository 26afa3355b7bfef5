package signal

import (
	"context"

	"github.com/chaingate/chaingate/risk/model"
	"github.com/chaingate/chaingate/sbom"
)

// Signal is one supply-chain observation about a component, a package or
// a repository, produced by a detector from data the caller provided.
type Signal struct {
	// ID names the detector and what it saw ("typosquat", "install-script",
	// "hash-changed", ...).
	ID string `json:"id"`
	// Value is the signal's strength in [0, 1].
	Value float64 `json:"value"`
	// Evidence explains the signal in words a reviewer can check
	// ("name 'crossenv' is one delimiter away from 'cross-env'").
	Evidence []string `json:"evidence,omitempty"`
	// Source names what the signal is about: a component ID, a package
	// name, a file, a commit.
	Source string `json:"source"`
	// Score, when a model produced the signal, is the model's explained
	// score (per-feature contributions, threshold, model version).
	Score *model.Score `json:"score,omitempty"`
}

// Detector produces signals about an SBOM. risk.Scan runs the detectors it is
// given (see the scan options) and puts their signals in the risk.Report.
type Detector interface {
	// Name identifies the detector in reasons and errors.
	Name() string
	// Detect returns the detector's signals about doc.
	Detect(ctx context.Context, doc *sbom.Document) ([]Signal, error)
}
