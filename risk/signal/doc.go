// Package signal holds chaingate's supply-chain signals: the Signal type,
// the Detector interface that risk.Scan runs, the detectors and how their
// signals combine.
//
// The detectors: DependencyChanges, DependencyConfusion and Unpinned
// compare or inspect SBOMs (DependencyChangeDetector runs them in a
// scan); TyposquatScore, TyposquatScorer and TyposquatDetector score how
// much a package name imitates a popular one with the built-in model
// (BuiltinTyposquatModel); GitHistory and GitHistoryDir read a repository's
// history for unsigned commits, newcomers and off-pattern changes. Static
// hands signals gathered elsewhere (for example a content.Report's) to a
// scan. Combine, CombineBySource and RiskOf turn the signals of one source
// into one explained score.
//
// What does not live here: the features, models, evaluation and drift
// checks the scores come from (risk/model, which this package imports),
// package content analysis (risk/content, which produces signals), and
// the scan (package risk).
package signal
