// Package provenance reads and creates attestations: in-toto Statements
// (v0.1 and v1) with typed SLSA provenance, SBOM, vulnerability-scan and
// verification-summary predicates, DSSE envelopes and Sigstore bundles.
// It parses and signs; package verify decides whether to trust.
package provenance
