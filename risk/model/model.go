package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/chaingate/chaingate/internal/scoring"
)

// ArtefactSchema is the schema version of a model artefact (the JSON
// LoadModel reads and the training command writes).
const ArtefactSchema = "chaingate.risk.model/v1"

// ErrSchemaMismatch is returned when a model artefact or a feature vector
// does not follow the feature schema the code computes.
var ErrSchemaMismatch = errors.New("risk: feature schema mismatch")

// Score is a model's verdict on one input, with its explanation.
type Score struct {
	// Value is the score in [0, 1]; higher means more likely malicious.
	Value float64 `json:"value"`
	// Calibrated says whether Value is a calibrated probability (true
	// for the logistic model) or an ordinal score (the rule model).
	Calibrated bool `json:"calibrated"`
	// Flagged says whether Value reaches Threshold.
	Flagged bool `json:"flagged"`
	// Threshold is the model's recorded decision threshold.
	Threshold float64 `json:"threshold"`
	// Model is the scoring model's "id@version".
	Model string `json:"model"`
	// Intercept is the part of the score that does not depend on the
	// input (the logistic model's bias, in log-odds).
	Intercept float64 `json:"intercept"`
	// Contributions lists every feature's part of the score, largest
	// absolute first; for the logistic model they are log-odds that add
	// up, with Intercept, to logit(Value).
	Contributions []Contribution `json:"contributions"`
	// Target, Kind and Evidence repeat what the features found (for
	// name confusion: the imitated package and how).
	Target   string   `json:"target,omitempty"`
	Kind     string   `json:"kind,omitempty"`
	Evidence []string `json:"evidence,omitempty"`
}

// Contribution is one feature's part in a Score.
type Contribution struct {
	Feature string  `json:"feature"`
	Value   float64 `json:"value"`  // the feature's value
	Weight  float64 `json:"weight"` // the model's weight on it
	Effect  float64 `json:"effect"` // Value × Weight, in the score's units
}

// Info describes a model, as recorded in its artefact.
type Info struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	// Kind is "logistic" or "rules".
	Kind string `json:"kind"`
	// FeatureSchema and FeatureSchemaHash identify the features the model
	// expects (TyposquatFeatureSchema, TyposquatFeatureSchemaHash).
	FeatureSchema     string   `json:"featureSchema"`
	FeatureSchemaHash string   `json:"featureSchemaHash"`
	Features          []string `json:"features"`
	// Training says what data the model was fitted on and how.
	Training TrainingManifest `json:"training"`
	// Metrics holds evaluations by name ("validation", and baselines such
	// as "validation/naive-edit1").
	Metrics map[string]Metrics `json:"metrics,omitempty"`
	// Thresholds holds decision thresholds by name; "flag" is the one
	// Score.Flagged uses.
	Thresholds map[string]float64 `json:"thresholds"`
}

// TrainingManifest records a model's training data and procedure.
type TrainingManifest struct {
	// Data lists the input files with their SHA-256 and row counts.
	Data []DataFile `json:"data,omitempty"`
	// Split says how validation rows were held out.
	Split string `json:"split,omitempty"`
	// Method says how the model was fitted.
	Method string `json:"method,omitempty"`
	// TrainRows and ValidationRows count the rows of each split.
	TrainRows      int `json:"trainRows,omitempty"`
	ValidationRows int `json:"validationRows,omitempty"`
	// Distribution is the training features' distribution, the reference
	// CheckDrift compares new inputs against.
	Distribution []FeatureHistogram `json:"distribution,omitempty"`
}

// DataFile identifies one training input.
type DataFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Rows   int    `json:"rows"`
	Origin string `json:"origin,omitempty"`
}

// LogisticParams are a logistic model's fitted parameters: the raw
// score is z = Intercept + Σ Weights[i]·x[i] and the calibrated value
// sigmoid(CalibrationA·z + CalibrationB) (Platt scaling).
type LogisticParams struct {
	Intercept    float64   `json:"intercept"`
	Weights      []float64 `json:"weights"`
	CalibrationA float64   `json:"calibrationA"`
	CalibrationB float64   `json:"calibrationB"`
	Lambda       float64   `json:"lambda"`
}

// Artefact is the JSON form of a model.
type Artefact struct {
	Schema   string          `json:"schema"`
	Info     Info            `json:"info"`
	Logistic *LogisticParams `json:"logistic,omitempty"`
	// Rules are the rule model's points per feature.
	Rules map[string]float64 `json:"rules,omitempty"`
	// Floor, beside Logistic, are rule points whose verdict (at
	// thresholds.floor) the logistic model cannot overrule: a name the
	// rules flag stays flagged (see FlooredModel).
	Floor map[string]float64 `json:"floor,omitempty"`
}

// LoadModel reads a model artefact. It refuses an artefact whose schema
// is unknown, whose feature schema hash or feature list differs from the
// features this code computes (ErrSchemaMismatch), or whose parameters
// are malformed.
func LoadModel(data []byte) (Model, error) {
	if len(data) > scoring.MaxArtefactBytes {
		return nil, fmt.Errorf("risk: load model: artefact larger than %d bytes", scoring.MaxArtefactBytes)
	}
	var a Artefact
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("risk: load model: %w", err)
	}
	if a.Schema != ArtefactSchema {
		return nil, fmt.Errorf("risk: load model %s: artefact schema %q, want %q", a.Info.ID, a.Schema, ArtefactSchema)
	}
	want := TyposquatFeatureSchemaHash()
	if a.Info.FeatureSchemaHash != want || !slices.Equal(a.Info.Features, typosquatFeatureNames) {
		return nil, fmt.Errorf("risk: load model %s@%s: %w: artefact has %s, code computes %s (%s)",
			a.Info.ID, a.Info.Version, ErrSchemaMismatch, a.Info.FeatureSchemaHash, want, TyposquatFeatureSchema)
	}
	thr, ok := a.Info.Thresholds["flag"]
	if !ok || !(thr >= 0 && thr <= 1) {
		return nil, fmt.Errorf("risk: load model %s: thresholds.flag missing or outside [0,1]", a.Info.ID)
	}
	switch {
	case a.Logistic != nil && a.Rules == nil:
		p := a.Logistic
		if len(p.Weights) != len(typosquatFeatureNames) {
			return nil, fmt.Errorf("risk: load model %s: %d weights for %d features", a.Info.ID, len(p.Weights), len(typosquatFeatureNames))
		}
		for _, v := range append([]float64{p.Intercept, p.CalibrationA, p.CalibrationB}, p.Weights...) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("risk: load model %s: non-finite parameter", a.Info.ID)
			}
		}
		if p.CalibrationA <= 0 {
			return nil, fmt.Errorf("risk: load model %s: calibrationA must be positive", a.Info.ID)
		}
		a.Info.Kind = "logistic"
		lm := &LogisticModel{info: a.Info, p: *p}
		if a.Floor == nil {
			return lm, nil
		}
		ft, ok := a.Info.Thresholds["floor"]
		if !ok || !(ft > 0 && ft <= 1) {
			return nil, fmt.Errorf("risk: load model %s: a floor needs thresholds.floor in (0,1]", a.Info.ID)
		}
		if err := checkRules(a.Info.ID, a.Floor); err != nil {
			return nil, err
		}
		return &FlooredModel{Model: lm, Floor: &RuleModel{info: Info{
			ID: a.Info.ID + "/floor", Version: a.Info.Version, Kind: "rules",
			FeatureSchema: a.Info.FeatureSchema, FeatureSchemaHash: a.Info.FeatureSchemaHash, Features: a.Info.Features,
			Thresholds: map[string]float64{"flag": ft},
		}, points: a.Floor}}, nil
	case a.Rules != nil && a.Logistic == nil && a.Floor == nil:
		if err := checkRules(a.Info.ID, a.Rules); err != nil {
			return nil, err
		}
		a.Info.Kind = "rules"
		return &RuleModel{info: a.Info, points: a.Rules}, nil
	}
	return nil, fmt.Errorf("risk: load model %s: want exactly one of logistic or rules", a.Info.ID)
}

func checkRules(id string, rules map[string]float64) error {
	for k, v := range rules {
		if !slices.Contains(typosquatFeatureNames, k) {
			return fmt.Errorf("risk: load model %s: rule on unknown feature %q", id, k)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("risk: load model %s: non-finite rule weight", id)
		}
	}
	return nil
}

// FlooredModel scores with Model, and keeps a name flagged whenever the
// transparent Floor model flags it: the learned model can add detections
// to the rules but not remove theirs. When the floor decides, the score
// is raised to the model's threshold, marked uncalibrated, and the floor's
// contributions are appended (prefixed "floor:").
type FlooredModel struct {
	Model Model
	Floor Model
}

// Info describes the primary model.
func (m *FlooredModel) Info() Info { return m.Model.Info() }

// Score scores f with both models; see FlooredModel.
func (m *FlooredModel) Score(f FeatureVector) (Score, error) {
	s, err := m.Model.Score(f)
	if err != nil {
		return Score{}, err
	}
	fl, err := m.Floor.Score(f)
	if err != nil {
		return Score{}, err
	}
	if fl.Flagged && !s.Flagged {
		s.Value = math.Max(s.Value, s.Threshold)
		s.Flagged, s.Calibrated = true, false
		for _, c := range fl.Contributions {
			c.Feature = "floor:" + c.Feature
			s.Contributions = append(s.Contributions, c)
		}
		s.Evidence = append(s.Evidence, fmt.Sprintf("the rule floor %s flags it (%.2f >= %.2f)", fl.Model, fl.Value, fl.Threshold))
	}
	return s, nil
}

func checkVector(info Info, f FeatureVector) error {
	if f.SchemaHash != info.FeatureSchemaHash || len(f.Values) != len(info.Features) {
		return fmt.Errorf("risk: score with %s@%s: %w: vector %s with %d values, model %s with %d features",
			info.ID, info.Version, ErrSchemaMismatch, f.SchemaHash, len(f.Values), info.FeatureSchemaHash, len(info.Features))
	}
	for _, v := range f.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("risk: score with %s@%s: non-finite feature value", info.ID, info.Version)
		}
	}
	return nil
}

// LogisticModel is an L2-regularised logistic regression with Platt
// calibration, loaded from an artefact. Use signal.BuiltinTyposquatModel or
// LoadModel to get one.
type LogisticModel struct {
	info Info
	p    LogisticParams
}

// Info describes the model.
func (m *LogisticModel) Info() Info { return m.info }

// Params returns a copy of the fitted parameters.
func (m *LogisticModel) Params() LogisticParams {
	p := m.p
	p.Weights = slices.Clone(p.Weights)
	return p
}

// Score returns sigmoid(a·(b + w·x) + c) with each feature's effect in
// calibrated log-odds (a·w[i]·x[i]).
func (m *LogisticModel) Score(f FeatureVector) (Score, error) {
	if err := checkVector(m.info, f); err != nil {
		return Score{}, err
	}
	a := m.p.CalibrationA
	s := Score{
		Calibrated: true,
		Threshold:  m.info.Thresholds["flag"],
		Model:      m.info.ID + "@" + m.info.Version,
		Intercept:  a*m.p.Intercept + m.p.CalibrationB,
		Target:     f.Target, Kind: f.Kind, Evidence: f.Evidence,
	}
	z := s.Intercept
	for i, v := range f.Values {
		e := a * m.p.Weights[i] * v
		z += e
		if v != 0 {
			s.Contributions = append(s.Contributions, Contribution{Feature: f.Names[i], Value: v, Weight: a * m.p.Weights[i], Effect: e})
		}
	}
	scoring.SortByEffect(s.Contributions, func(c *Contribution) float64 { return c.Effect })
	s.Value = 1 / (1 + math.Exp(-z))
	s.Flagged = s.Value >= s.Threshold
	return s, nil
}

// RuleModel is the transparent floor: fixed, hand-set points per feature,
// summed and clamped to [0, 1]. Its points are in the artefact and in
// DefaultTyposquatRules; it needs no training data.
type RuleModel struct {
	info   Info
	points map[string]float64
}

// DefaultTyposquatRules are the rule model's points. Only the specific
// resemblances (delimiter, homoglyph, reordered words, a flattened scope)
// reach the 0.5 threshold on their own; one edit needs a transposition, a
// doubled letter or a very popular target; an affix needs a popular
// target; a combination only with one of the most downloaded packages
// that is not a namespace; two edits and added scopes never suffice. A name
// on the popularity list itself, an ecosystem naming convention and a
// crowded neighbourhood of similar names take points away.
func DefaultTyposquatRules() map[string]float64 {
	return map[string]float64{
		"delimiter": 0.55, "homoglyph": 0.6, "reorder": 0.55, "scope_unscoped": 0.55,
		"edit1": 0.3, "transposition": 0.2, "edit_repeat": 0.2, "target_popularity": 0.15,
		"affix_known": 0.3, "affix_short": 0.25, "edit2": 0.1, "delimiter_typo": 0.2,
		"combosquat": 0.1, "scope_added": 0.1, "combo_top_target": 0.45,
		"self_popularity": -1, "convention": -0.3, "neighbours": -0.3, "short_name": -0.2,
	}
}

// NewRuleModel returns the rule model with DefaultTyposquatRules and a
// flag threshold of 0.5.
func NewRuleModel() *RuleModel {
	return &RuleModel{
		info: Info{
			ID: "typosquat-rules", Version: "1", Kind: "rules",
			FeatureSchema: TyposquatFeatureSchema, FeatureSchemaHash: TyposquatFeatureSchemaHash(),
			Features:   TyposquatFeatureNames(),
			Training:   TrainingManifest{Method: "hand-set points (DefaultTyposquatRules); not fitted"},
			Thresholds: map[string]float64{"flag": 0.5},
		},
		points: DefaultTyposquatRules(),
	}
}

// Info describes the model.
func (m *RuleModel) Info() Info { return m.info }

// Score sums the points of the features present, clamped to [0, 1].
func (m *RuleModel) Score(f FeatureVector) (Score, error) {
	if err := checkVector(m.info, f); err != nil {
		return Score{}, err
	}
	s := Score{Threshold: m.info.Thresholds["flag"], Model: m.info.ID + "@" + m.info.Version,
		Target: f.Target, Kind: f.Kind, Evidence: f.Evidence}
	sum := 0.0
	for i, v := range f.Values {
		w := m.points[f.Names[i]]
		if v == 0 || w == 0 {
			continue
		}
		sum += w * v
		s.Contributions = append(s.Contributions, Contribution{Feature: f.Names[i], Value: v, Weight: w, Effect: w * v})
	}
	scoring.SortByEffect(s.Contributions, func(c *Contribution) float64 { return c.Effect })
	s.Value = scoring.Clamp01(sum)
	s.Flagged = s.Value >= s.Threshold
	return s, nil
}
