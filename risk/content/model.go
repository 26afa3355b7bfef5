package content

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/chaingate/chaingate/internal/scoring"

	"github.com/chaingate/chaingate/risk/model"
)

// FeatureSchema names the features of the content model: one per
// rule, 1 when the package has a finding of that rule, else 0.
const FeatureSchema = "chaingate.risk.content-features/v1"

// rules are the rules, in feature order, with their categories.
var rules = []struct{ rule, category string }{
	{"env-exfiltration", "network.exfiltration"},
	{"file-exfiltration", "network.exfiltration"},
	{"data-exfiltration", "network.exfiltration"},
	{"sysinfo-exfiltration", "network.exfiltration"},
	{"dns-exfiltration", "network.dns-exfil"},
	{"exec-downloaded", "process.download-exec"},
	{"exec-decoded", "runtime.obfuscation"},
	{"write-then-exec", "process.write-exec"},
	{"shell-download-exec", "process.download-exec"},
	{"install-download-exec", "process.download-exec"},
	{"api-obfuscation", "runtime.obfuscation"},
	{"persistence", "filesystem.autostart"},
	{"process-injection", "process.injection"},
	{"dll-drop", "process.injection"},
	{"collect-user-data", "runtime.collection"},
	{"read-sensitive-file", "filesystem.read"},
	{"shady-link", "network.outbound"},
	{"install-network", "network.outbound"},
	{"install-spawn", "process.spawn"},
	{"install-dynamic-eval", "runtime.eval"},
	{"install-script", "process.hooks"},
	{"pth-import", "process.hooks"},
	{"bidi-characters", "runtime.obfuscation"},
	{"invisible-characters", "runtime.obfuscation"},
	{"packed-eval", "runtime.obfuscation"},
	{"obfuscator-identifiers", "runtime.obfuscation"},
	{"minified", "code.minified"},
	{"high-entropy-blob", "runtime.obfuscation"},
	{"unparsed-install-code", "process.hooks"},
}

// FeatureNames returns the content model's feature names (its
// rules) in order.
func FeatureNames() []string {
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = r.rule
	}
	return out
}

// Category returns the category of a content rule, "" if the rule
// is unknown.
func Category(rule string) string {
	for _, r := range rules {
		if r.rule == rule {
			return r.category
		}
	}
	return ""
}

// Features returns the report's values for the content model's features
// (FeatureNames): 1 for each rule with a finding, else 0.
func (r *Report) Features() []float64 {
	x := make([]float64, len(rules))
	for _, f := range r.Findings {
		for i, cr := range rules {
			if cr.rule == f.Rule {
				x[i] = 1
			}
		}
	}
	return x
}

//go:embed models/content-logistic.json
var modelJSON []byte

// Model is the fitted combination of content findings: a logistic
// regression over FeatureNames, loaded from an artefact.
type Model struct {
	info model.Info
	p    model.LogisticParams
}

var (
	modelOnce sync.Once
	modelVal  *Model
	modelErr  error
)

// BuiltinModel returns the content model embedded in this
// package (models/content-logistic.json).
func BuiltinModel() (*Model, error) { return builtinContentModel() }

// builtinContentModel loads the embedded artefact once.
func builtinContentModel() (*Model, error) {
	modelOnce.Do(func() {
		modelVal, modelErr = LoadModel(modelJSON)
	})
	return modelVal, modelErr
}

// LoadModel reads a content model artefact (schema
// chaingate.risk.model/v1, kind "logistic", feature schema
// FeatureSchema) and checks that its features are this code's.
func LoadModel(data []byte) (*Model, error) {
	if len(data) > scoring.MaxArtefactBytes {
		return nil, fmt.Errorf("risk: load content model: artefact larger than %d bytes", scoring.MaxArtefactBytes)
	}
	var a model.Artefact
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("risk: load content model: %w", err)
	}
	if a.Schema != "chaingate.risk.model/v1" || a.Info.Kind != "logistic" || a.Logistic == nil {
		return nil, fmt.Errorf("risk: load content model: want a chaingate.risk.model/v1 logistic artefact, got schema %q kind %q", a.Schema, a.Info.Kind)
	}
	if a.Info.FeatureSchema != FeatureSchema || !slices.Equal(a.Info.Features, FeatureNames()) {
		return nil, fmt.Errorf("risk: load content model: %w: artefact features %q/%v, code %q/%v", model.ErrSchemaMismatch, a.Info.FeatureSchema, a.Info.Features, FeatureSchema, FeatureNames())
	}
	if len(a.Logistic.Weights) != len(rules) {
		return nil, fmt.Errorf("risk: load content model: %d weights for %d features", len(a.Logistic.Weights), len(rules))
	}
	for _, w := range append([]float64{a.Logistic.Intercept, a.Logistic.CalibrationA, a.Logistic.CalibrationB}, a.Logistic.Weights...) {
		if math.IsNaN(w) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("risk: load content model: parameter %v is not finite", w)
		}
	}
	if t, ok := a.Info.Thresholds["flag"]; !ok || t <= 0 || t >= 1 {
		return nil, fmt.Errorf("risk: load content model: flag threshold %v not in (0, 1)", a.Info.Thresholds["flag"])
	}
	return &Model{info: a.Info, p: *a.Logistic}, nil
}

// Info describes the model.
func (m *Model) Info() model.Info { return m.info }

// Score returns the model's explained score of a feature vector (see
// Report.Features).
func (m *Model) Score(x []float64) (model.Score, error) {
	if len(x) != len(rules) {
		return model.Score{}, fmt.Errorf("risk: content model: %d feature values, want %d", len(x), len(rules))
	}
	a := m.p.CalibrationA
	s := model.Score{
		Calibrated: true,
		Threshold:  m.info.Thresholds["flag"],
		Model:      m.info.ID + "@" + m.info.Version,
		Intercept:  a*m.p.Intercept + m.p.CalibrationB,
	}
	z := s.Intercept
	for i, v := range x {
		if v == 0 {
			continue
		}
		e := a * m.p.Weights[i] * v
		z += e
		s.Contributions = append(s.Contributions, model.Contribution{Feature: rules[i].rule, Value: v, Weight: a * m.p.Weights[i], Effect: e})
	}
	if math.IsNaN(z) {
		return model.Score{}, fmt.Errorf("risk: content model %s: score is not a number", s.Model)
	}
	scoring.SortByEffect(s.Contributions, func(c *model.Contribution) float64 { return c.Effect })
	s.Value = scoring.Round4(1 / (1 + math.Exp(-z)))
	s.Flagged = s.Value >= s.Threshold
	return s, nil
}

// alone is the model's probability for a package whose only finding is
// rule i: the value of that rule's Signal.
func (m *Model) alone(i int) float64 {
	a := m.p.CalibrationA
	z := a*(m.p.Intercept+m.p.Weights[i]) + m.p.CalibrationB
	return scoring.Round4(1 / (1 + math.Exp(-z)))
}
