package signal

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/chaingate/chaingate/risk/model"
	"github.com/chaingate/chaingate/sbom"
)

// The built-in name-confusion model, written by
// internal/cmd/train-typosquat from the shared training data.
//
//go:embed models/typosquat-logistic.json
var typosquatModelJSON []byte

// BuiltinTyposquatModelJSON returns a copy of the embedded model artefact.
func BuiltinTyposquatModelJSON() []byte { return append([]byte(nil), typosquatModelJSON...) }

var (
	typosquatModelOnce sync.Once
	typosquatModel     model.Model
	typosquatModelErr  error
)

// BuiltinTyposquatModel returns the embedded logistic name-confusion
// model (see the Model documentation for its model card).
func BuiltinTyposquatModel() (model.Model, error) {
	typosquatModelOnce.Do(func() {
		typosquatModel, typosquatModelErr = model.LoadModel(typosquatModelJSON)
	})
	return typosquatModel, typosquatModelErr
}

// ErrEmptyName is returned when asked to score an empty package name.
var ErrEmptyName = errors.New("risk: empty package name")

// TyposquatScore scores how likely name is a malicious imitation of a
// popular package of the ecosystem ("npm"; "PyPI" or "pypi"; "Go" or
// "golang"), with the built-in model and the shipped popularity lists.
// Score.Value is a calibrated probability in [0, 1]; Score.Flagged says
// whether it reaches the model's recorded threshold.
//
// Go module paths are scored against a list of 3,106 modules ranked by
// dependents (risk/model/models/go-top.tsv), with the module's account in
// the place of an npm scope (see model.BuiltinPopularityList). The model
// was trained on npm and PyPI names only: Go scores apply what it learnt
// there, with no Go validation set (see the model card). Callers with
// their own list of popular modules use model.LoadPopularityList and
// NewTyposquatScorer.
func TyposquatScore(ecosystem, name string) (model.Score, error) {
	s, err := defaultTyposquatScorer()
	if err != nil {
		return model.Score{}, err
	}
	return s.Score(ecosystem, name)
}

var (
	typosquatScorerOnce sync.Once
	typosquatScorer     *TyposquatScorer
	typosquatScorerErr  error
)

func defaultTyposquatScorer() (*TyposquatScorer, error) {
	typosquatScorerOnce.Do(func() {
		m, err := BuiltinTyposquatModel()
		if err != nil {
			typosquatScorerErr = fmt.Errorf("risk: built-in typosquat model: %w", err)
			return
		}
		var lists []*model.PopularityList
		for _, eco := range []string{"npm", "PyPI", "Go"} {
			l, err := model.BuiltinPopularityList(eco)
			if err != nil {
				typosquatScorerErr = err
				return
			}
			lists = append(lists, l)
		}
		typosquatScorer = NewTyposquatScorer(m, lists...)
	})
	return typosquatScorer, typosquatScorerErr
}

// TyposquatScorer scores names with a model against popularity lists. It
// is immutable and safe for concurrent use.
type TyposquatScorer struct {
	model model.Model
	lists map[string]*model.PopularityList
}

// NewTyposquatScorer returns a scorer with model m and one popularity list
// per ecosystem (a later list for the same ecosystem replaces an earlier
// one). Ecosystems without a list fail with model.ErrNoPopularityList.
func NewTyposquatScorer(m model.Model, lists ...*model.PopularityList) *TyposquatScorer {
	s := &TyposquatScorer{model: m, lists: map[string]*model.PopularityList{}}
	for _, l := range lists {
		if l != nil {
			s.lists[l.Ecosystem()] = l
		}
	}
	return s
}

// Model returns the scorer's model.
func (s *TyposquatScorer) Model() model.Model { return s.model }

// Features returns the name-confusion features of name.
func (s *TyposquatScorer) Features(ecosystem, name string) (model.FeatureVector, error) {
	eco, err := model.CanonicalEcosystem(ecosystem)
	if err != nil {
		return model.FeatureVector{}, fmt.Errorf("risk: typosquat score %q: %w", name, err)
	}
	if strings.TrimSpace(name) == "" {
		return model.FeatureVector{}, fmt.Errorf("risk: typosquat score in %s: %w", eco, ErrEmptyName)
	}
	if len(name) > model.TyposquatMaxNameLen {
		return model.FeatureVector{}, fmt.Errorf("risk: typosquat score in %s: name of %d bytes is longer than %d", eco, len(name), model.TyposquatMaxNameLen)
	}
	l, ok := s.lists[eco]
	if !ok {
		if eco == "Go" {
			return model.FeatureVector{}, fmt.Errorf("risk: typosquat score %q: %w %s: no go-top.tsv popularity list is shipped or given", name, model.ErrNoPopularityList, eco)
		}
		return model.FeatureVector{}, fmt.Errorf("risk: typosquat score %q: %w %s", name, model.ErrNoPopularityList, eco)
	}
	return l.ExtractTyposquatFeatures(name), nil
}

// Score scores name in ecosystem; see TyposquatScore.
func (s *TyposquatScorer) Score(ecosystem, name string) (model.Score, error) {
	fv, err := s.Features(ecosystem, name)
	if err != nil {
		return model.Score{}, err
	}
	sc, err := s.model.Score(fv)
	if err != nil {
		return model.Score{}, fmt.Errorf("risk: typosquat score %q: %w", name, err)
	}
	return sc, nil
}

// DefaultTyposquatCandidate is the score from which TyposquatDetector
// reports a name the model did not flag, as a candidate (Signal.Score.
// Flagged false) that needs corroboration (see Combine).
const DefaultTyposquatCandidate = 0.5

// TyposquatDetector is a Detector that scores every component with a
// popularity list (npm, PyPI, and Go when a list is given) for name
// confusion and reports "typosquat" signals: the names the model flags,
// and as candidates the names scoring at least MinValue. Its zero value
// uses the built-in model and lists and DefaultTyposquatCandidate.
type TyposquatDetector struct {
	// Scorer overrides the built-in model and lists.
	Scorer *TyposquatScorer
	// MinValue is the score from which unflagged names are reported as
	// candidates: 0 means DefaultTyposquatCandidate, a value above 1
	// reports flagged names only.
	MinValue float64
}

// Name identifies the detector.
func (d TyposquatDetector) Name() string { return "typosquat" }

// Detect scores the components of doc. Components whose ecosystem has no
// popularity list, or without a purl, are skipped.
func (d TyposquatDetector) Detect(ctx context.Context, doc *sbom.Document) ([]Signal, error) {
	if doc == nil {
		return nil, fmt.Errorf("risk: typosquat detector: nil document")
	}
	s := d.Scorer
	if s == nil {
		var err error
		if s, err = defaultTyposquatScorer(); err != nil {
			return nil, err
		}
	}
	var out []Signal
	for i := range doc.Components {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("risk: typosquat detector: %w", err)
		}
		c := &doc.Components[i]
		eco, name, ok := packageName(c)
		if !ok {
			continue
		}
		sc, err := s.Score(eco, name)
		if errors.Is(err, model.ErrNoPopularityList) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("risk: typosquat detector component %s: %w", c.ID, err)
		}
		minValue := d.MinValue
		if minValue <= 0 {
			minValue = DefaultTyposquatCandidate
		}
		if !sc.Flagged && sc.Value < minValue {
			continue
		}
		verdict := "flagged"
		if !sc.Flagged {
			verdict = "a candidate below the threshold, to weigh with other signals"
		}
		ev := []string{fmt.Sprintf("%s score %.3f (threshold %.3f) for %s package %q: %s", sc.Model, sc.Value, sc.Threshold, eco, name, verdict)}
		ev = append(ev, sc.Evidence...)
		for _, c := range sc.Contributions {
			if len(ev) >= 8 {
				break
			}
			ev = append(ev, fmt.Sprintf("feature %s=%.2f moved the log-odds by %+.2f", c.Feature, c.Value, c.Effect))
		}
		scCopy := sc
		out = append(out, Signal{ID: "typosquat", Value: sc.Value, Evidence: ev, Source: source(c), Score: &scCopy})
	}
	return out, nil
}
