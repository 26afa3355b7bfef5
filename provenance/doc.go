// Package provenance reads and creates attestations: in-toto Statements
// (v0.1 and v1) with typed SLSA provenance, SBOM, vulnerability-scan and
// verification-summary predicates, DSSE envelopes and Sigstore bundles.
// It parses and signs; package verify decides whether to trust.
//
// Reading: ParseStatement, ParseEnvelope and ParseBundle (Sigstore bundle
// v0.1 to v0.3, through sigstore-go) validate shape and size only.
// Statement.DecodePredicate returns a typed predicate — *SLSAProvenanceV1,
// *SLSAProvenanceV02 (in-toto-golang's bindings), *VerificationSummary
// (in-toto/attestation's binding), *VulnScan, *SBOMPredicate (turned into
// an sbom.Document by its Document method) — or *RawPredicate for types
// without a binding. Statement.Proto converts to the in-toto/attestation
// v1 binding. ParseCosignSignature reads cosign's signature + certificate
// pairs (and its Rekor bundle annotation) and converts them to bundles.
//
// Creating: NewSLSABuilder builds a v1 Statement with SLSA v1 provenance;
// SignStatement signs it as a DSSE envelope with one or more sigstore
// signature.Signers (ECDSA P-256/P-384/P-521, Ed25519, RSA, KMS);
// SignStatementBundle and SignArtifactBundle emit a Sigstore v0.3 bundle
// whose verification material is a public-key hint (KeyHint). No log or
// timestamp authority is contacted, so such bundles verify in package
// verify only with its explicit WithKeySignaturesWithoutTlogUnsafe option.
package provenance
