// Package typosquat trains chaingate's name-confusion model: an
// L2-regularised logistic regression over risk's typosquat features,
// fitted with gonum's L-BFGS, calibrated with Platt scaling on grouped
// out-of-fold scores, and written as the JSON artefact risk embeds.
//
// Training is deterministic: the same data gives the same artefact bytes
// (parameters are rounded to six significant digits so that the last
// bits of floating-point arithmetic do not show).
package typosquat

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"

	"github.com/chaingate/chaingate/risk/model"
)

// ModelID and ModelVersion identify the artefact this package writes.
const (
	ModelID      = "typosquat-logistic"
	ModelVersion = "1.0.0"
)

// Lambdas are the L2 strengths tried; the one with the best grouped
// out-of-fold log-loss on the training split is kept.
var Lambdas = []float64{0.00001, 0.00003, 0.0001, 0.0003, 0.001, 0.003, 0.01}

// MaxOOFFPR is the largest out-of-fold false-positive rate the flag
// threshold may have on the training split's benign names.
const MaxOOFFPR = 0.02

// MaxOOFUnlistedFPR bounds the out-of-fold false-positive rate on benign
// names that are not on the popularity list (less popular, legitimate
// packages), so that the threshold is not bought with their flags.
const MaxOOFUnlistedFPR = 0.02

// Result is what Train produces.
type Result struct {
	// Artefact is the model JSON, as embedded in risk/signal/models.
	Artefact []byte
	// Model is the artefact loaded back.
	Model model.Model
	// Validation holds the evaluations recorded in the artefact.
	Validation map[string]model.Metrics
}

// DataDir returns the shared typosquat data directory for a repository
// root: ../shared/data/typosquat beside it.
func DataDir(repoRoot string) string {
	return filepath.Join(repoRoot, "..", "shared", "data", "typosquat")
}

// TrainFromDir reads train.jsonl in dir, trains, and returns the result.
// The popularity lists used for features are the ones risk embeds (copies
// of npm-top.tsv and pypi-top.tsv in dir; the manifest records both).
func TrainFromDir(dir string) (*Result, error) {
	trainPath := filepath.Join(dir, "train.jsonl")
	data, err := os.ReadFile(trainPath)
	if err != nil {
		return nil, fmt.Errorf("typosquat: train: %w", err)
	}
	rows, err := model.ReadLabelledNames("train.jsonl", bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("typosquat: train: %w", err)
	}
	files := []model.DataFile{{Path: "shared/data/typosquat/train.jsonl", SHA256: sha(data), Rows: len(rows),
		Origin: "OpenSSF malicious-packages (Apache-2.0), Backstabber's Knife Collection; benign names from the popularity lists"}}
	for _, l := range []struct{ file, origin string }{
		{"npm-top.tsv", "npm download counts (top 10,000 by monthly downloads)"},
		{"pypi-top.tsv", "hugovk/top-pypi-packages 2026-04-01 (MIT)"},
	} {
		b, err := os.ReadFile(filepath.Join(dir, l.file))
		if err != nil {
			return nil, fmt.Errorf("typosquat: train: %w", err)
		}
		files = append(files, model.DataFile{Path: "shared/data/typosquat/" + l.file, SHA256: sha(b), Rows: bytes.Count(b, []byte("\n")) - 1, Origin: l.origin})
	}
	return Train(rows, files)
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

type sample struct {
	x    []float64
	y    float64
	fold int
}

func featurize(rows []model.LabelledName) ([]sample, []model.FeatureVector, error) {
	out := make([]sample, 0, len(rows))
	fvs := make([]model.FeatureVector, 0, len(rows))
	for _, r := range rows {
		l, err := model.BuiltinPopularityList(r.Ecosystem)
		if err != nil {
			return nil, nil, fmt.Errorf("typosquat: features of %q: %w", r.Name, err)
		}
		fv := l.ExtractTyposquatFeatures(r.Name)
		y := 0.0
		if r.Malicious() {
			y = 1
		}
		out = append(out, sample{x: fv.Values, y: y, fold: model.SplitGroup(r)})
		fvs = append(fvs, fv)
	}
	return out, fvs, nil
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// logLoss returns log(1+exp(-s·z)) stably, for label y in {0,1}.
func logLoss(z, y float64) float64 {
	if y == 0 {
		z = -z
	}
	if z > 0 {
		return math.Log1p(math.Exp(-z))
	}
	return -z + math.Log1p(math.Exp(z))
}

// fit minimises mean log-loss + lambda/2·|w|² (the intercept, params[0],
// is not penalised) with L-BFGS.
func fit(s []sample, lambda float64) ([]float64, error) {
	d := len(s[0].x)
	n := float64(len(s))
	p := optimize.Problem{
		Func: func(w []float64) float64 {
			f := 0.0
			for _, e := range s {
				f += logLoss(w[0]+floats.Dot(w[1:], e.x), e.y)
			}
			return f/n + lambda/2*floats.Dot(w[1:], w[1:])
		},
		Grad: func(g, w []float64) {
			for i := range g {
				g[i] = 0
			}
			for _, e := range s {
				r := (sigmoid(w[0]+floats.Dot(w[1:], e.x)) - e.y) / n
				g[0] += r
				floats.AddScaled(g[1:], r, e.x)
			}
			floats.AddScaled(g[1:], lambda, w[1:])
		},
	}
	res, err := optimize.Minimize(p, make([]float64, d+1), &optimize.Settings{GradientThreshold: 1e-7, MajorIterations: 5000}, &optimize.LBFGS{})
	if err != nil {
		// A line search that cannot improve any more has reached the
		// optimum to machine precision; accept it when the gradient is
		// small.
		if res == nil || !errors.Is(err, optimize.ErrLinesearcherFailure) {
			return nil, fmt.Errorf("typosquat: fit: %w", err)
		}
		g := make([]float64, d+1)
		p.Grad(g, res.X)
		if floats.Norm(g, math.Inf(1)) > 1e-4 {
			return nil, fmt.Errorf("typosquat: fit: %w (gradient %g)", err, floats.Norm(g, math.Inf(1)))
		}
	}
	return res.X, nil
}

func raw(w, x []float64) float64 { return w[0] + floats.Dot(w[1:], x) }

// oof returns grouped out-of-fold raw scores over the training folds.
func oof(s []sample, lambda float64) ([]float64, error) {
	z := make([]float64, len(s))
	folds := map[int]bool{}
	for _, e := range s {
		folds[e.fold] = true
	}
	keys := make([]int, 0, len(folds))
	for k := range folds {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		var tr []sample
		for _, e := range s {
			if e.fold != k {
				tr = append(tr, e)
			}
		}
		w, err := fit(tr, lambda)
		if err != nil {
			return nil, err
		}
		for i, e := range s {
			if e.fold == k {
				z[i] = raw(w, e.x)
			}
		}
	}
	return z, nil
}

// platt fits sigmoid(a·z+b) to labels.
func platt(z []float64, s []sample) (a, b float64, err error) {
	cal := make([]sample, len(z))
	for i := range z {
		cal[i] = sample{x: []float64{z[i]}, y: s[i].y}
	}
	w, err := fit(cal, 0)
	if err != nil {
		return 0, 0, err
	}
	return w[1], w[0], nil
}

func slicesCompact(s []float64) []float64 {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func round6(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 6, 64), 64)
	if r == 0 {
		return 0 // no negative zero in the artefact
	}
	return r
}

// Train fits the model on the training split of rows (SplitByTarget),
// evaluates it and its baselines on the validation split, and returns the
// artefact.
func Train(rows []model.LabelledName, files []model.DataFile) (*Result, error) {
	trainRows, valRows := model.SplitByTarget(rows)
	s, trainFV, err := featurize(trainRows)
	if err != nil {
		return nil, err
	}
	if len(s) == 0 {
		return nil, fmt.Errorf("typosquat: train: no training rows")
	}

	// Choose lambda by grouped out-of-fold log-loss.
	bestLambda, bestLoss := 0.0, math.Inf(1)
	var bestZ []float64
	for _, lam := range Lambdas {
		z, err := oof(s, lam)
		if err != nil {
			return nil, err
		}
		loss := 0.0
		for i := range z {
			loss += logLoss(z[i], s[i].y)
		}
		if loss < bestLoss-1e-9 {
			bestLambda, bestLoss, bestZ = lam, loss, z
		}
	}
	a, b, err := platt(bestZ, s)
	if err != nil {
		return nil, err
	}
	w, err := fit(s, bestLambda)
	if err != nil {
		return nil, err
	}

	// Threshold: best out-of-fold F1 of the floored model (logistic
	// score at or above the threshold, or flagged by the rule floor) with
	// FPR <= MaxOOFFPR.
	floor := model.NewRuleModel()
	p := make([]float64, len(s))
	floored := make([]bool, len(s))
	neg, pos, negUnlisted := 0, 0, 0
	for i := range s {
		if s[i].y == 0 && trainFV[i].Listed == 0 {
			negUnlisted++
		}
		p[i] = sigmoid(a*bestZ[i] + b)
		fs, err := floor.Score(trainFV[i])
		if err != nil {
			return nil, err
		}
		floored[i] = fs.Flagged
		if s[i].y == 1 {
			pos++
		} else {
			neg++
		}
	}
	cands := append([]float64(nil), p...)
	sort.Float64s(cands)
	cands = slicesCompact(cands)
	thr, bestF1 := 0.5, -1.0
	for ci, t := range cands {
		tp, fp, fpUnlisted := 0, 0, 0
		for i := range s {
			if p[i] >= t || floored[i] {
				if s[i].y == 1 {
					tp++
				} else {
					fp++
					if trainFV[i].Listed == 0 {
						fpUnlisted++
					}
				}
			}
		}
		if tp == 0 || float64(fp) > MaxOOFFPR*float64(neg) || float64(fpUnlisted) > MaxOOFUnlistedFPR*float64(negUnlisted) {
			continue
		}
		prec, rec := float64(tp)/float64(tp+fp), float64(tp)/float64(pos)
		if f1 := 2 * prec * rec / (prec + rec); f1 > bestF1 {
			bestF1 = f1
			// midway to the next lower score, so rounding cannot move it
			lower := 0.0
			if ci > 0 {
				lower = cands[ci-1]
			}
			thr = (t + lower) / 2
		}
	}

	params := &model.LogisticParams{Intercept: round6(w[0]), CalibrationA: round6(a), CalibrationB: round6(b), Lambda: bestLambda}
	for _, v := range w[1:] {
		params.Weights = append(params.Weights, round6(v))
	}
	nTrain, nVal := len(trainRows), len(valRows)
	art := model.Artefact{
		Schema: model.ArtefactSchema,
		Info: model.Info{
			ID: ModelID, Version: ModelVersion, Kind: "logistic",
			FeatureSchema: model.TyposquatFeatureSchema, FeatureSchemaHash: model.TyposquatFeatureSchemaHash(),
			Features: model.TyposquatFeatureNames(),
			Training: model.TrainingManifest{
				Data: files,
				Split: fmt.Sprintf("group split on the imitated package (benign rows: their own name): FNV-1a-64(ecosystem, normalised name) mod %d; fold 0 is validation (risk.SplitByTarget)",
					model.SplitFolds),
				Method: fmt.Sprintf("logistic regression, L2 lambda %g chosen from %v by grouped out-of-fold log-loss on the training folds; gonum optimize.LBFGS; Platt calibration on the out-of-fold scores; the rule floor (risk.DefaultTyposquatRules at thresholds.floor) keeps its flags; flag threshold = best out-of-fold F1 of the floored model with FPR <= %g overall and <= %g on unlisted benign names",
					bestLambda, Lambdas, MaxOOFFPR, MaxOOFUnlistedFPR),
				TrainRows: nTrain, ValidationRows: nVal,
				Distribution: model.FeatureDistribution(trainFV),
			},
			Thresholds: map[string]float64{"flag": round6(thr)},
		},
		Logistic: params,
		Floor:    model.DefaultTyposquatRules(),
	}
	art.Info.Thresholds["floor"] = floor.Info().Thresholds["flag"]
	// Load to score the validation split with exactly the shipped numbers.
	tmp, err := json.Marshal(art)
	if err != nil {
		return nil, fmt.Errorf("typosquat: encode: %w", err)
	}
	m, err := model.LoadModel(tmp)
	if err != nil {
		return nil, fmt.Errorf("typosquat: load trained model: %w", err)
	}
	metrics := map[string]model.Metrics{}
	for name, mdl := range map[string]model.Model{
		"validation":             m,
		"validation/rules":       model.NewRuleModel(),
		"validation/naive-edit1": NaiveEdit(1),
		"validation/naive-edit2": NaiveEdit(2),
	} {
		mt, err := model.Evaluate(mdl, valRows)
		if err != nil {
			return nil, fmt.Errorf("typosquat: evaluate %s: %w", name, err)
		}
		metrics[name] = mt
	}
	art.Info.Metrics = metrics
	out, err := json.MarshalIndent(art, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("typosquat: encode: %w", err)
	}
	out = append(out, '\n')
	m, err = model.LoadModel(out)
	if err != nil {
		return nil, fmt.Errorf("typosquat: load trained model: %w", err)
	}
	return &Result{Artefact: out, Model: m, Validation: metrics}, nil
}
