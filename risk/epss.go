package risk

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/chaingate/chaingate/risk/vulndb"
)

// MaxEPSSBytes is the size limit of an EPSS CSV (the daily file is about
// 10 MB uncompressed for 300,000 CVEs).
const MaxEPSSBytes = 64 << 20

// ErrInvalidEPSS reports a malformed EPSS CSV.
var ErrInvalidEPSS = errors.New("risk: invalid EPSS CSV")

// EPSS holds the scores of one daily EPSS CSV (FIRST.org's
// "cve,epss,percentile" file with its "#model_version,score_date"
// header). It is immutable after ReadEPSS and safe for concurrent use.
type EPSS struct {
	ModelVersion string
	ScoreDate    string
	scores       map[string]epssPair
}

type epssPair struct{ score, percentile float64 }

// EPSSScore is the EPSS data of one CVE, with the model and date it came
// from.
type EPSSScore struct {
	CVE          string  `json:"cve"`
	Score        float64 `json:"score"`
	Percentile   float64 `json:"percentile"`
	ModelVersion string  `json:"modelVersion,omitempty"`
	ScoreDate    string  `json:"scoreDate,omitempty"`
}

// ReadEPSS reads an EPSS CSV. The comment header is optional; the column
// header "cve,epss,percentile" is required. Scores and percentiles must
// be in [0, 1].
func ReadEPSS(r io.Reader) (*EPSS, error) {
	lr := &io.LimitedReader{R: r, N: MaxEPSSBytes + 1}
	br := bufio.NewReader(lr)
	e := &EPSS{scores: map[string]epssPair{}}
	fail := func(line int, format string, a ...any) (*EPSS, error) {
		return nil, fmt.Errorf("risk: read EPSS line %d: %w: %s", line, ErrInvalidEPSS, fmt.Sprintf(format, a...))
	}
	// The first line may be "#model_version:v2025.03.14,score_date:2025-...".
	if b, err := br.Peek(1); err == nil && b[0] == '#' {
		line, err := br.ReadString('\n')
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("risk: read EPSS: %w", err)
		}
		for f := range strings.SplitSeq(strings.TrimSpace(strings.TrimPrefix(line, "#")), ",") {
			k, v, _ := strings.Cut(f, ":")
			switch strings.TrimSpace(k) {
			case "model_version":
				e.ModelVersion = strings.TrimSpace(v)
			case "score_date":
				e.ScoreDate = strings.TrimSpace(v)
			}
		}
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = 3
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return fail(1, "header: %v", err)
	}
	if strings.TrimSpace(header[0]) != "cve" || strings.TrimSpace(header[1]) != "epss" || strings.TrimSpace(header[2]) != "percentile" {
		return fail(1, "header %q, want cve,epss,percentile", strings.Join(header, ","))
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return fail(line, "%v", err)
		}
		line, _ := cr.FieldPos(0)
		cve := strings.TrimSpace(rec[0])
		if !isCVE(cve) {
			return fail(line, "%q is not a CVE id", cve)
		}
		s, err1 := strconv.ParseFloat(strings.TrimSpace(rec[1]), 64)
		p, err2 := strconv.ParseFloat(strings.TrimSpace(rec[2]), 64)
		if err1 != nil || err2 != nil || !(s >= 0 && s <= 1) || !(p >= 0 && p <= 1) {
			return fail(line, "score %q or percentile %q not a number in [0,1]", rec[1], rec[2])
		}
		e.scores[cve] = epssPair{s, p}
	}
	if lr.N <= 0 {
		return nil, fmt.Errorf("risk: read EPSS: %w: over %d bytes", vulndb.ErrTooLarge, MaxEPSSBytes)
	}
	return e, nil
}

// Len returns the number of CVEs scored.
func (e *EPSS) Len() int { return len(e.scores) }

// Lookup returns the EPSS score of a CVE.
func (e *EPSS) Lookup(cve string) (EPSSScore, bool) {
	if e == nil {
		return EPSSScore{}, false
	}
	p, ok := e.scores[cve]
	if !ok {
		return EPSSScore{}, false
	}
	return EPSSScore{CVE: cve, Score: p.score, Percentile: p.percentile, ModelVersion: e.ModelVersion, ScoreDate: e.ScoreDate}, true
}
