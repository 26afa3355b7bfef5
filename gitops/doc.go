// Package gitops promotes an allowed artifact into a GitOps repository:
// byte-exact edits of image references in Kubernetes YAML, kustomizations,
// Helm values and Flux setter markers, signed commits, pushes that survive
// concurrent promotions, promotion records, rollback and history audit.
//
// # Edits
//
// EditImage is a pure function over one file's bytes. It locates the
// values an ImageTarget selects with go.yaml.in/yaml/v3 (line and column),
// splices the new scalar into the original bytes, keeping the value's
// quoting style, and re-parses the result to prove that exactly the
// intended values changed. Comments, blank lines, indentation, anchors,
// document markers, CRLF line endings and a missing final newline are
// untouched. What cannot be replaced in place (block or multi-line
// scalars, values under an anchor that an alias uses, empty values) is
// refused with ErrUnsafeEdit; a target that matches nothing is
// ErrNoTarget. kustomize images: entries follow `kustomize edit set image`
// (checked against kustomize v5.8.2): where kustomize rewrites the file,
// EditImage renames, removes or adds only the keys that change, and the
// re-parse proof covers those structural edits too. EditChart does the
// same for Helm chart versions (Flux HelmRelease and OCIRepository, Argo
// CD Application sources, Chart.yaml dependencies).
//
// # Promotions
//
// A Promoter writes a Request into one branch (one image, or a release of
// several images and Helm charts, each gated, in one commit): it clones only the tip
// (depth 1, single branch, no checkout, in memory), asks the Gate, edits
// the files, writes blobs, trees and one commit directly (signed with an
// OpenPGP or SSH Signer when configured), and pushes with compare-and-swap
// on the old tip. A rejected push is classified as ErrConflict and the
// declarative edit is re-applied on the new tip as a fresh commit, with
// jittered backoff. Promoters that work from a caller's existing clone
// (Repository.Clone) take that clone's lock, with their context, around
// the work on its object store only (fetch, read, write, push); never
// around the Gate call or a backoff. Every promotion commit carries trailers
// (Chaingate-Image, -Digest, -Previous, -Stage, -Decision, -Evidence) that
// History reads back; Rollback promotes a recorded value again. Audit
// walks the history and reports unsigned commits, unknown signers and
// changes outside a signer's allowed paths; Drift compares two stages.
//
// The package imports no other chaingate package: policy reaches it only
// through the Gate interface.
//
// Local paths and file:// URLs are served by the git binary
// (git-upload-pack, git-receive-pack), as with go-git's file transport;
// git://, http(s):// and ssh:// use go-git's own clients with the
// caller's transport.AuthMethod.
package gitops
