// Package sbom holds chaingate's one SBOM model, Document, and reads and
// writes it as CycloneDX (JSON and XML) and SPDX 2.x (JSON, tag-value,
// YAML). It also generates SBOMs from Go binaries, Go modules, npm
// lockfiles and container images, answers graph questions ("why is this
// component here?") and diffs two SBOMs.
//
// Every other chaingate package takes a *Document: risk scans it, policy
// reads it as input, the root package's gate composes them.
package sbom
