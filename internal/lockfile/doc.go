// Package lockfile parses the lockfiles and manifests sbom.FromDirectory
// (and FromImage, for lockfiles inside an image) reads, into small
// records of its own: a File of Packages (name, version, group, purl,
// scope, direct or transitive, dependency keys, hashes, properties) and
// the limits the file could not tell. One Parser per format: yarn.lock
// (v1 and berry), pnpm-lock.yaml, bun.lock, requirements.txt,
// poetry.lock, Pipfile.lock, uv.lock, pdm.lock, pylock.toml, Cargo.lock,
// Gemfile.lock, composer.lock, gradle.lockfile, pom.xml,
// packages.lock.json, mix.lock, pubspec.lock, renv.lock, Podfile.lock
// and conan.lock. Parser.Run checks what a parser returns (a name, a
// version and a purl packageurl-go parses on every package). A malformed
// file is an *Error naming the file, the format, the line (and column
// and byte offset when the syntax library knows them) and what was
// wrong; no parser panics, and each reads only the bytes its caller
// already bounded (sbom's WithInputLimit).
//
// What does not live here: finding lockfiles and reading them within
// the size limit, package-lock.json and go.mod (sbom reads them with its
// FromNPMLock and FromGoModule generators, through two thin adapters
// that return this package's File), turning a File into sbom.Component
// values (PropLockFormat, OSV ecosystem and package, scopes, edges,
// merging a package found in several files), and *sbom.ParseError, which
// sbom builds from an *Error with the same format, location and cause.
// Package sbom does those; this package imports no sbom type.
package lockfile
