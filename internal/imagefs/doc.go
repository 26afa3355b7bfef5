// Package imagefs reads a container image's layers into one squashed,
// link-resolving file tree, for sbom.FromImage.
//
// What lives here: image tarballs (docker save, OCI layout archives,
// gzip-compressed or not) indexed in one pass and read in place
// (Archive); OCI layout directories read without following links
// (DirStore); OCI image indexes over either, with the platform walk
// (FromIndex, CheckPlatform); streaming a layer, checked against its
// diff ID, into its entries, whiteouts and opaque markers (ScanLayer);
// and the squashed file system those build, top layer down, with
// symbolic and hard links resolved within the image's root (Tree,
// Tree.Links). Every limit of these steps (manifest size, layers,
// archive members, tar entries, path length and depth, link hops and
// work) is enforced here, as an error wrapping ErrTooLarge.
//
// What does not: SBOM types and cataloguers. This package knows no
// package database, no Component and no Document; callers say which
// files they want through callbacks (ScanLayer's regular, Wanted) and
// package sbom turns what they read into components. The error
// sentinels are exported by sbom under its own names
// (sbom.ErrImageTooLarge is ErrTooLarge, sbom.ErrTooLarge is
// ErrInputTooLarge, ...).
package imagefs
