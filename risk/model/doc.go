// Package model holds chaingate's explainable scoring models and their
// lifecycle: the Model interface and its logistic, rule and floored
// implementations with their Score and Contribution; the versioned model
// artefact and its training manifest (Artefact, TrainingManifest,
// LoadModel); the typosquat features (FeatureVector, the typosquat feature
// schema) and the popularity lists they are computed against
// (PopularityList, BuiltinPopularityList); evaluation on labelled names
// (Evaluate, Metrics, SplitByTarget); and drift checks on the features a
// deployed model sees (CheckDrift).
//
// What does not live here: the detectors that use the models, the
// built-in typosquat model and its scorer (risk/signal), the content model
// (risk/content), and the scan (package risk). This package imports no
// other chaingate package.
package model
