// Package sbom holds chaingate's one SBOM model, Document, and reads and
// writes it as CycloneDX (JSON and XML) and SPDX 2.x (JSON, tag-value,
// YAML). It also generates SBOMs from Go binaries, Go modules, npm
// lockfiles, project directories (FromDirectory, every lockfile format
// LockfileFormats lists) and container images (FromImage), answers graph
// questions ("why is this component here?") and diffs two SBOMs.
//
// Every other chaingate package takes a *Document: risk scans it, policy
// reads it as input, the root package's gate composes them.
//
// Three internal packages do the low-level work of FromImage and
// FromDirectory and are not part of this package's API: internal/imagefs
// reads an image's layers into one squashed, link-resolving file tree
// (tarballs, layouts, indexes, whiteouts, links, every size limit),
// internal/catalog parses the package databases and metadata files found
// in it (dpkg, apk, RPM, Python, npm, Java archives), and
// internal/lockfile parses lockfiles and manifests (every format of
// LockfileFormats but package-lock.json and go.mod), each into its own
// records. What stays here: the image sources and options, which files
// the cataloguers want, finding and reading lockfiles, the
// package-lock.json and go.mod adapters (they reuse FromNPMLock and
// FromGoModule), turning records into Components (purls, OSV ecosystems,
// properties, scopes, edges) and lockfile errors into *ParseError,
// assembling the Document, and the Go and npm generators.
package sbom
