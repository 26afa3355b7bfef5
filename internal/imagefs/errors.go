package imagefs

import "errors"

// ErrInputTooLarge is sbom.ErrTooLarge, the error of any input over its
// size limit. It is defined here, where ErrTooLarge needs it, because
// sbom imports this package and not the reverse; sbom exports it under
// its own name.
var ErrInputTooLarge = errors.New("sbom: input too large")

// ErrTooLarge is sbom.ErrImageTooLarge: an image, a layer or a file
// that must be read is larger than its limit. It matches
// ErrInputTooLarge too (errors.Is).
var ErrTooLarge error = &sentinel{msg: "sbom: image too large", parent: ErrInputTooLarge}

// sentinel is a sentinel that also matches a more general one.
type sentinel struct {
	msg    string
	parent error
}

// Error implements error.
func (e *sentinel) Error() string { return e.msg }

// Unwrap returns the sentinel the error matches.
func (e *sentinel) Unwrap() error { return e.parent }

// ErrDigestMismatch is sbom.ErrImageDigestMismatch: an image's content
// does not match its digests (a config whose digest is not the one the
// manifest names, a layer whose uncompressed bytes do not hash to the
// config's diff ID, a blob that does not hash to its name).
var ErrDigestMismatch = errors.New("sbom: image content does not match its digest")

// ErrPlatformNotFound is sbom.ErrImagePlatformNotFound: an image index
// has no image for the requested platform, or a single image is for
// another platform than the one explicitly requested.
var ErrPlatformNotFound = errors.New("sbom: no image for the platform")
