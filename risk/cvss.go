package risk

import (
	"errors"
	"fmt"
	"strings"

	"github.com/chaingate/chaingate/risk/vulndb"
	cvss30 "github.com/pandatix/go-cvss/30"
	cvss31 "github.com/pandatix/go-cvss/31"
	cvss40 "github.com/pandatix/go-cvss/40"
)

// ErrInvalidCVSS reports a CVSS vector that go-cvss rejects.
var ErrInvalidCVSS = errors.New("risk: invalid CVSS vector")

// Severity is a scored CVSS vector.
type Severity struct {
	// Type is "CVSS_V3" or "CVSS_V4" (OSV's names), or "GHSA" for
	// GitHub's severity word (database_specific.severity), used only when
	// no record of the advisory gives a vector.
	Type   string `json:"type"`
	Vector string `json:"vector,omitempty"`
	// Score is the base score (CVSS v4.0: CVSS-B) in [0, 10]; for a GHSA
	// severity word, the lowest CVSS score of its band (LOW 0.1, MODERATE
	// 4.0, HIGH 7.0, CRITICAL 9.0).
	Score float64 `json:"score"`
	// Rating is "NONE", "LOW", "MEDIUM", "HIGH" or "CRITICAL".
	Rating string `json:"rating"`
	// Source is the id of the record that gave it.
	Source string `json:"source,omitempty"`
}

// cvssGHSA scores GitHub's severity word (database_specific.severity)
// at the bottom of its CVSS v3 band, so a word never outranks a vector
// of the same band.
func cvssGHSA(word, source string) (Severity, bool) {
	s := Severity{Type: "GHSA", Source: source}
	switch strings.ToUpper(word) {
	case "LOW":
		s.Score, s.Rating = 0.1, "LOW"
	case "MODERATE", "MEDIUM":
		s.Score, s.Rating = 4.0, "MEDIUM"
	case "HIGH":
		s.Score, s.Rating = 7.0, "HIGH"
	case "CRITICAL":
		s.Score, s.Rating = 9.0, "CRITICAL"
	default:
		return Severity{}, false
	}
	return s, true
}

// ParseCVSS parses and scores a CVSS v3.0, v3.1 or v4.0 vector with
// pandatix/go-cvss.
func ParseCVSS(vector string) (Severity, error) {
	v := strings.TrimSpace(vector)
	if len(v) > 512 {
		return Severity{}, fmt.Errorf("risk: parse CVSS: %w: %d bytes", vulndb.ErrTooLarge, len(v))
	}
	var s Severity
	var err error
	switch {
	case strings.HasPrefix(v, "CVSS:3.1/"):
		var c *cvss31.CVSS31
		if c, err = cvss31.ParseVector(v); err == nil {
			s = Severity{Type: "CVSS_V3", Vector: v, Score: c.BaseScore()}
			s.Rating, err = cvss31.Rating(s.Score)
		}
	case strings.HasPrefix(v, "CVSS:3.0/"):
		var c *cvss30.CVSS30
		if c, err = cvss30.ParseVector(v); err == nil {
			s = Severity{Type: "CVSS_V3", Vector: v, Score: c.BaseScore()}
			s.Rating, err = cvss30.Rating(s.Score)
		}
	case strings.HasPrefix(v, "CVSS:4.0/"):
		var c *cvss40.CVSS40
		if c, err = cvss40.ParseVector(v); err == nil {
			s = Severity{Type: "CVSS_V4", Vector: v, Score: c.Score()}
			s.Rating, err = cvss40.Rating(s.Score)
		}
	default:
		err = errors.New("unknown CVSS version prefix")
	}
	if err != nil {
		return Severity{}, fmt.Errorf("risk: parse CVSS %q: %w: %v", vector, ErrInvalidCVSS, err)
	}
	return s, nil
}

// cvssScore scores an entry's severities, skipping vectors it cannot
// parse (reported in the priority reasons instead).
func cvssScore(sev []vulndb.Severity) ([]Severity, []string) {
	var out []Severity
	var bad []string
	for _, s := range sev {
		if s.Type != "CVSS_V3" && s.Type != "CVSS_V4" {
			continue
		}
		p, err := ParseCVSS(s.Score)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		out = append(out, p)
	}
	return out, bad
}

// cvssMax returns the highest score.
func cvssMax(sev []Severity) (Severity, bool) {
	var best Severity
	ok := false
	for _, s := range sev {
		if !ok || s.Score > best.Score {
			best, ok = s, true
		}
	}
	return best, ok
}
