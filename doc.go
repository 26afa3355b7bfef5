// Package chaingate composes the SDK's packages into one release gate:
// verify the artifact, take its SBOM, scan it, decide with policy, and
// return a Verdict that carries all of its evidence.
package chaingate
