// Package verify decides whether an artifact's signatures and attestations
// can be trusted: Sigstore bundles against a trusted root or public keys,
// identity rules (issuer, SAN, GitHub Actions claims), SLSA requirements
// (builder, source, ref), in-toto layouts, and the signatures and
// attestations attached to an OCI image. Offline by default.
//
// # Shape
//
// Trust material and thresholds are fixed once in New; each call says what
// it requires of one artifact:
//
//	trust, err := verify.LoadTrustedRoot("trusted_root.json") // pinned, never fetched
//	v, err := verify.New(trust)
//	res, err := v.VerifyBundle(ctx, bundleJSON, verify.Requirements{
//		Artifact: verify.ArtifactDigest("sha256", hexDigest), // or ArtifactBytes / ArtifactReader
//		Identity: &verify.Identity{
//			Issuer:                 "https://token.actions.githubusercontent.com",
//			SubjectAlternativeName: "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3",
//		},
//		PredicateType: "https://slsa.dev/provenance/v1",
//		SLSA:          &verify.SLSARequirements{BuilderIDs: []string{"https://github.com/actions/runner/github-hosted"}},
//	})
//
// Any error means "not verified". Errors are *CheckError values naming the
// failed check and matching a sentinel (ErrNoTrustedSignature,
// ErrIdentityMismatch, ErrArtifactMismatch, ...) with errors.Is. The
// Result is JSON with a schema version and lists every check made.
//
// # Policy
//
// Certificate-signed (keyless) bundles always need a transparency-log entry
// verified against the trusted root, at least one observer timestamp (the
// log's integrated time or an RFC 3161 timestamp), and an SCT from a
// trusted CT log. This is chosen in New, never from what a bundle
// contains; a bundle carrying an RFC 3161 timestamp that does not verify is
// rejected even if another timestamp meets the threshold. Thresholds can
// be raised (WithTransparencyLogThreshold, WithTimestampThreshold), not
// dropped; WithoutSCTUnsafe exists for private deployments without CT.
//
// Key-signed bundles (a public-key hint, keys given with WithPublicKey)
// need the same log entry and observer timestamp by default, so New needs
// a trusted root. Bundles with no log entry — like those
// provenance.SignStatementBundle makes — verify only with the explicit
// WithKeySignaturesWithoutTlogUnsafe; then log entries and RFC 3161
// timestamps a bundle does carry are still verified (and need the trusted
// root), and New accepts a nil trust root:
//
//	v, err := verify.New(nil, verify.WithPublicKey(pemKey), verify.WithKeySignaturesWithoutTlogUnsafe())
//
// A key-signed bundle never satisfies an Identity requirement.
//
// # SLSA provenance and the certificate
//
// Provenance is a claim its signer makes; a Fulcio certificate is what
// the CA checked. For a certificate-signed bundle the SLSA checks hold
// the claims to the certificate, as slsa-verifier does:
//
//   - the builder ID must be the workflow the certificate was issued to
//     (Build Signer URI, or a workflow SAN) for any builder under
//     https://github.com/, GitHub's own runner needs a GitHub Actions
//     certificate with a matching runner environment, and any other
//     builder ID signed by a GitHub workflow is refused;
//   - the source repository, ref, commit, workflow file and trigger the
//     provenance states must equal the certificate's extensions (checks
//     slsa.certificate.*, each naming the field that disagreed);
//   - SLSARequirements' SourceURI, Branch, Tag and VersionedTag are
//     compared with what the certificate proves, so provenance that is
//     silent about its source cannot meet them.
//
// Result.BuilderProven says whether the certificate proves the builder
// (GitHub Actions issued it to exactly the builder's workflow); the root
// package grants SLSA build level 3 only then. Provenance signed through
// slsa-github-generator's delegator (BYOB: Maven, Gradle, external
// builders) names a builder the certificate does not, and is refused.
//
// # Network
//
// Only FetchTrustedRoot (TUF) and VerifyImage (OCI registry) touch the
// network, and only through the *http.Client the caller passes.
//
// A Verifier is immutable and safe for concurrent use; VerifyAll spreads
// many bundles over goroutines.
package verify
