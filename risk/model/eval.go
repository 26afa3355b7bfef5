package model

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"sort"
	"strings"

	"github.com/chaingate/chaingate/internal/scoring"
)

// LabelledName is one row of a name-confusion data set, in the JSON-lines
// form of the shared training data.
type LabelledName struct {
	Name      string `json:"name"`
	Ecosystem string `json:"ecosystem"`
	// Label is "malicious" or "benign".
	Label string `json:"label"`
	// Family is the malicious row's kind of confusion (typo-dl1, affix,
	// combosquat, scope-confusion, ...).
	Family string `json:"family,omitempty"`
	// Imitates is the popular package a malicious row imitates.
	Imitates       string `json:"imitates,omitempty"`
	FirstPublished string `json:"first_published,omitempty"`
}

// Malicious reports whether the row is labelled malicious.
func (r LabelledName) Malicious() bool { return r.Label == "malicious" }

const (
	evalMaxRows     = 1_000_000
	evalMaxLineSize = 64 << 10
)

// ReadLabelledNames reads JSON-lines labelled names. source names the
// input in errors, which carry the line number.
func ReadLabelledNames(source string, r io.Reader) ([]LabelledName, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), evalMaxLineSize)
	var out []LabelledName
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var row LabelledName
		if err := json.Unmarshal(b, &row); err != nil {
			return nil, fmt.Errorf("risk: read labelled names %s line %d: %w", source, line, err)
		}
		if row.Name == "" || (row.Label != "malicious" && row.Label != "benign") {
			return nil, fmt.Errorf("risk: read labelled names %s line %d: want a name and label malicious or benign", source, line)
		}
		if _, err := CanonicalEcosystem(row.Ecosystem); err != nil {
			return nil, fmt.Errorf("risk: read labelled names %s line %d: %w", source, line, err)
		}
		if len(out) >= evalMaxRows {
			return nil, fmt.Errorf("risk: read labelled names %s: more than %d rows", source, evalMaxRows)
		}
		out = append(out, row)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("risk: read labelled names %s line %d: %w", source, line+1, err)
	}
	return out, nil
}

// SplitFolds is the number of groups SplitByTarget hashes rows into; one
// of them is the validation split.
const SplitFolds = 5

// SplitGroup returns the fold (0..SplitFolds-1) of a row: rows are grouped
// by the package they imitate (benign rows by their own name), so every
// row about one target lands in the same fold and validation targets are
// unseen in training.
func SplitGroup(r LabelledName) int {
	eco, _ := CanonicalEcosystem(r.Ecosystem)
	key := r.Imitates
	if !r.Malicious() || key == "" {
		key = r.Name
	}
	h := fnv.New64a()
	h.Write([]byte(eco + "\x00" + NormalizePackageName(eco, key)))
	return int(h.Sum64() % SplitFolds)
}

// SplitByTarget splits rows into training and validation sets: the
// validation set is fold 0 of SplitGroup, a group split on the imitated
// package.
func SplitByTarget(rows []LabelledName) (train, validation []LabelledName) {
	for _, r := range rows {
		if SplitGroup(r) == 0 {
			validation = append(validation, r)
		} else {
			train = append(train, r)
		}
	}
	return train, validation
}

// Metrics is an evaluation of a model on a labelled set. Rates are
// rounded to four decimals so that recorded metrics are stable.
type Metrics struct {
	N         int     `json:"n"`
	Positives int     `json:"positives"`
	Negatives int     `json:"negatives"`
	Threshold float64 `json:"threshold"`
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// FPR is the false-positive rate on benign rows at Threshold.
	FPR float64 `json:"fpr"`
	// PRAUC is the area under the precision-recall curve (average
	// precision).
	PRAUC float64 `json:"prAUC"`
	// RecallAt1PctFPR is the best recall at a false-positive rate of at
	// most 1%.
	RecallAt1PctFPR float64 `json:"recallAt1PctFPR"`
	// Brier is the mean squared error of Value against the label.
	Brier float64 `json:"brier"`
	// FamilyRecall is recall per malicious family.
	FamilyRecall map[string]float64 `json:"familyRecall"`
	// TierFPR is the false-positive rate per popularity tier of benign
	// rows: "top-1k", "top-10k" (rank 1,001 to 10,000) and "unlisted".
	TierFPR map[string]float64 `json:"tierFPR"`
	// EcosystemFPR and EcosystemRecall split FPR and recall by ecosystem.
	EcosystemFPR    map[string]float64 `json:"ecosystemFPR"`
	EcosystemRecall map[string]float64 `json:"ecosystemRecall"`
}

// EvalScored is one scored, labelled row, as Evaluate sees it.
type EvalScored struct {
	Row     LabelledName
	Value   float64
	Flagged bool
	Tier    string
}

// Evaluate scores every row with m (name-confusion features against the
// built-in popularity lists, or against lists given for an ecosystem) and
// reports its metrics at the model's flag threshold.
func Evaluate(m Model, set []LabelledName, lists ...*PopularityList) (Metrics, error) {
	scored, err := EvaluateScores(m, set, lists...)
	if err != nil {
		return Metrics{}, err
	}
	return MetricsOf(scored, m.Info().Thresholds["flag"]), nil
}

// EvaluateScores scores every row of set with m; see Evaluate.
func EvaluateScores(m Model, set []LabelledName, lists ...*PopularityList) ([]EvalScored, error) {
	byEco := map[string]*PopularityList{}
	for _, l := range lists {
		byEco[l.Ecosystem()] = l
	}
	out := make([]EvalScored, 0, len(set))
	for i, r := range set {
		eco, err := CanonicalEcosystem(r.Ecosystem)
		if err != nil {
			return nil, fmt.Errorf("risk: evaluate row %d: %w", i, err)
		}
		l := byEco[eco]
		if l == nil {
			if l, err = BuiltinPopularityList(eco); err != nil {
				return nil, fmt.Errorf("risk: evaluate row %d: %w", i, err)
			}
			byEco[eco] = l
		}
		fv := l.ExtractTyposquatFeatures(r.Name)
		s, err := m.Score(fv)
		if err != nil {
			return nil, fmt.Errorf("risk: evaluate row %d (%s): %w", i, r.Name, err)
		}
		tier := "unlisted"
		switch {
		case fv.Listed > 0 && fv.Listed <= 1000:
			tier = "top-1k"
		case fv.Listed > 0:
			tier = "top-10k"
		}
		r.Ecosystem = eco
		out = append(out, EvalScored{Row: r, Value: s.Value, Flagged: s.Flagged, Tier: tier})
	}
	return out, nil
}

// MetricsOf computes metrics of scored rows; a row counts as flagged if
// its Flagged is set (threshold is recorded, not applied).
func MetricsOf(scored []EvalScored, threshold float64) Metrics {
	m := Metrics{N: len(scored), Threshold: scoring.Round4(threshold), FamilyRecall: map[string]float64{},
		TierFPR: map[string]float64{}, EcosystemFPR: map[string]float64{}, EcosystemRecall: map[string]float64{}}
	famN, famTP := map[string]int{}, map[string]int{}
	tierN, tierFP := map[string]int{}, map[string]int{}
	ecoNeg, ecoFP, ecoPos, ecoTP := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	brier := 0.0
	for _, s := range scored {
		y := 0.0
		if s.Row.Malicious() {
			y = 1
			m.Positives++
			famN[s.Row.Family]++
			ecoPos[s.Row.Ecosystem]++
			if s.Flagged {
				m.TP++
				famTP[s.Row.Family]++
				ecoTP[s.Row.Ecosystem]++
			}
		} else {
			m.Negatives++
			tierN[s.Tier]++
			ecoNeg[s.Row.Ecosystem]++
			if s.Flagged {
				m.FP++
				tierFP[s.Tier]++
				ecoFP[s.Row.Ecosystem]++
			}
		}
		brier += (s.Value - y) * (s.Value - y)
	}
	div := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	m.Precision = div(m.TP, m.TP+m.FP)
	m.Recall = div(m.TP, m.Positives)
	if m.Precision+m.Recall > 0 {
		m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
	}
	m.FPR = div(m.FP, m.Negatives)
	if m.N > 0 {
		m.Brier = brier / float64(m.N)
	}
	for f, n := range famN {
		m.FamilyRecall[f] = scoring.Round4(div(famTP[f], n))
	}
	for t, n := range tierN {
		m.TierFPR[t] = scoring.Round4(div(tierFP[t], n))
	}
	for e, n := range ecoNeg {
		m.EcosystemFPR[e] = scoring.Round4(div(ecoFP[e], n))
	}
	for e, n := range ecoPos {
		m.EcosystemRecall[e] = scoring.Round4(div(ecoTP[e], n))
	}

	// Ranking metrics: walk the scores from high to low, one step per
	// distinct value.
	idx := make([]int, len(scored))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scored[idx[a]].Value > scored[idx[b]].Value })
	tp, fp, ap := 0, 0, 0.0
	for i := 0; i < len(idx); {
		j, dtp := i, 0
		for j < len(idx) && scored[idx[j]].Value == scored[idx[i]].Value {
			if scored[idx[j]].Row.Malicious() {
				dtp++
			} else {
				fp++
			}
			j++
		}
		tp += dtp
		if m.Positives > 0 && dtp > 0 {
			ap += float64(dtp) / float64(m.Positives) * float64(tp) / float64(tp+fp)
		}
		if div(fp, m.Negatives) <= 0.01 {
			m.RecallAt1PctFPR = div(tp, m.Positives)
		}
		i = j
	}
	m.PRAUC = ap
	for _, p := range []*float64{&m.Precision, &m.Recall, &m.F1, &m.FPR, &m.Brier, &m.PRAUC, &m.RecallAt1PctFPR} {
		*p = scoring.Round4(*p)
	}
	return m
}

// String renders the headline numbers on one line.
func (m Metrics) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "n=%d P=%.3f R=%.3f F1=%.3f FPR=%.4f PR-AUC=%.3f R@1%%FPR=%.3f Brier=%.4f",
		m.N, m.Precision, m.Recall, m.F1, m.FPR, m.PRAUC, m.RecallAt1PctFPR, m.Brier)
	return b.String()
}
