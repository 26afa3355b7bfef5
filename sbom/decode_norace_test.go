//go:build !race

package sbom

// decRaceEnabled is true under the race detector (see decode_race_test.go).
const decRaceEnabled = false
