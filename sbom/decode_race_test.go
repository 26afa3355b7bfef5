//go:build race

package sbom

// decRaceEnabled is true under the race detector. tools-golang's RDF
// reader (github.com/spdx/gordf) parses with goroutines that share an
// error variable without synchronisation, which the race detector
// reports; RDF cases are skipped under -race.
const decRaceEnabled = true
