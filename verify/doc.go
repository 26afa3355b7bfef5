// Package verify decides whether an artifact's signatures and attestations
// can be trusted: Sigstore bundles against a trusted root or public keys,
// identity rules (issuer, SAN, GitHub Actions claims), SLSA requirements
// (builder, source, ref), in-toto layouts, and the signatures and
// attestations attached to an OCI image. Offline by default.
package verify
