// Package contentmodel trains risk's package-content model: a logistic
// regression over the content rules (content.FeatureNames), fitted
// with the typosquat model's tooling (L2, L-BFGS, Platt scaling on
// out-of-fold scores), on the labelled samples of risk/testdata/content
// and the feature rows of real benign packages. One package in five (by
// a hash of its name, contentdata.HeldOut) is held out: never used to
// fit, to calibrate or to choose the threshold, only to report metrics.
package contentmodel

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/chaingate/chaingate/internal/contentdata"
	"github.com/chaingate/chaingate/internal/typosquat"
	"github.com/chaingate/chaingate/risk/content"
	"github.com/chaingate/chaingate/risk/model"
)

// ModelID and ModelVersion identify the artefact.
const (
	ModelID      = "content-logistic"
	ModelVersion = "1.0.0"
)

// Lambdas are the L2 strengths tried; the best out-of-fold log-loss on
// the training split wins.
var Lambdas = []float64{0.0003, 0.001, 0.003, 0.01, 0.03}

// MaxTrainFPR bounds the out-of-fold false-positive rate of the chosen
// threshold on the training split's benign packages.
const MaxTrainFPR = 0.01

// Result is what Train returns.
type Result struct {
	// Artefact is the model JSON, as embedded in risk/content/models.
	Artefact []byte
	// Metrics are the evaluations recorded in it ("validation" is the
	// held-out split, "train" the training split).
	Metrics map[string]model.Metrics
}

type row struct {
	contentdata.Row
	family string // the category of a malicious sample's rule
	x      []float64
	y      float64
	fold   int
}

// Rows returns the labelled rows: every sample scanned now, then the
// real benign rows of features-real.tsv in dir.
func Rows(dir string) ([]contentdata.Row, map[string]string, error) {
	samples, err := contentdata.LoadSamples(dir)
	if err != nil {
		return nil, nil, err
	}
	var rows []contentdata.Row
	family := map[string]string{}
	for _, s := range samples {
		file, b, err := contentdata.Pack(dir, s)
		if err != nil {
			return nil, nil, err
		}
		rep, err := content.ScanPackageArchive(context.Background(), file, bytes.NewReader(b))
		if err != nil {
			return nil, nil, fmt.Errorf("contentmodel: sample %s: %w", s.Name, err)
		}
		r := contentdata.Row{Ecosystem: s.Ecosystem, Name: s.Name, Version: "sample", Label: s.Label, Origin: "sample"}
		seen := map[string]bool{}
		for _, f := range rep.Findings {
			if !seen[f.Rule] {
				seen[f.Rule] = true
				r.Rules = append(r.Rules, f.Rule)
			}
		}
		sort.Strings(r.Rules)
		rows = append(rows, r)
		family[s.Name] = content.Category(s.Rule)
	}
	f, err := os.Open(filepath.Join(dir, "features-real.tsv"))
	if err != nil {
		return nil, nil, fmt.Errorf("contentmodel: %w", err)
	}
	defer f.Close()
	real, err := contentdata.ReadRows(f)
	if err != nil {
		return nil, nil, err
	}
	return append(rows, real...), family, nil
}

func features(rules []string) []float64 {
	names := content.FeatureNames()
	x := make([]float64, len(names))
	for i, n := range names {
		for _, r := range rules {
			if r == n {
				x[i] = 1
			}
		}
	}
	return x
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

func raw(w, x []float64) float64 {
	z := w[0]
	for i, v := range x {
		z += w[i+1] * v
	}
	return z
}

func logLoss(z, y float64) float64 {
	if y == 0 {
		z = -z
	}
	if z > 0 {
		return math.Log1p(math.Exp(-z))
	}
	return -z + math.Log1p(math.Exp(z))
}

func fitRows(rs []row, lambda float64) ([]float64, error) {
	x := make([][]float64, len(rs))
	y := make([]float64, len(rs))
	for i, r := range rs {
		x[i], y[i] = r.x, r.y
	}
	return typosquat.FitLogistic(x, y, lambda)
}

func round6(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 6, 64), 64)
	if r == 0 {
		return 0
	}
	return r
}

// Train fits the model on dir's data and returns the artefact.
func Train(dir string) (*Result, error) {
	rows, family, err := Rows(dir)
	if err != nil {
		return nil, err
	}
	var train, held []row
	for _, r := range rows {
		rr := row{Row: r, family: family[r.Name], x: features(r.Rules)}
		if r.Label == "malicious" {
			rr.y = 1
		}
		h := fnv.New32a()
		io.WriteString(h, "fold/"+r.Ecosystem+"/"+r.Name)
		rr.fold = int(h.Sum32() % 4)
		if contentdata.HeldOut(r.Ecosystem, r.Name) {
			held = append(held, rr)
		} else {
			train = append(train, rr)
		}
	}
	pos := 0
	for _, r := range train {
		pos += int(r.y)
	}
	if pos == 0 || pos == len(train) {
		return nil, fmt.Errorf("contentmodel: the training split needs both labels (%d malicious of %d)", pos, len(train))
	}
	// Lambda by out-of-fold log-loss.
	bestLambda, bestLoss := 0.0, math.Inf(1)
	var bestZ []float64
	for _, lam := range Lambdas {
		z := make([]float64, len(train))
		for k := 0; k < 4; k++ {
			var tr []row
			for _, r := range train {
				if r.fold != k {
					tr = append(tr, r)
				}
			}
			w, err := fitRows(tr, lam)
			if err != nil {
				return nil, err
			}
			for i, r := range train {
				if r.fold == k {
					z[i] = raw(w, r.x)
				}
			}
		}
		loss := 0.0
		for i := range z {
			loss += logLoss(z[i], train[i].y)
		}
		if loss < bestLoss-1e-9 {
			bestLambda, bestLoss, bestZ = lam, loss, z
		}
	}
	ys := make([]float64, len(train))
	for i, r := range train {
		ys[i] = r.y
	}
	a, b, err := typosquat.PlattScale(bestZ, ys)
	if err != nil {
		return nil, err
	}
	w, err := fitRows(train, bestLambda)
	if err != nil {
		return nil, err
	}
	for i := range w {
		w[i] = round6(w[i])
	}
	a, b = round6(a), round6(b)
	// Threshold: best out-of-fold F1 with FPR <= MaxTrainFPR.
	p := make([]float64, len(train))
	for i := range train {
		p[i] = sigmoid(a*bestZ[i] + b)
	}
	cands := append([]float64(nil), p...)
	sort.Float64s(cands)
	thr, bestF1 := 0.5, -1.0
	neg := len(train) - pos
	for ci, t := range cands {
		tp, fp := 0, 0
		for i := range train {
			if p[i] >= t {
				if train[i].y == 1 {
					tp++
				} else {
					fp++
				}
			}
		}
		if tp == 0 || float64(fp) > MaxTrainFPR*float64(neg) {
			continue
		}
		prec, rec := float64(tp)/float64(tp+fp), float64(tp)/float64(pos)
		if f1 := 2 * prec * rec / (prec + rec); f1 > bestF1+1e-12 {
			bestF1 = f1
			lower := 0.0
			if ci > 0 {
				lower = cands[ci-1]
			}
			thr = round6((t + lower) / 2)
		}
	}
	thr = math.Max(0.05, math.Min(0.95, thr))

	score := func(r row) float64 { return sigmoid(a*raw(w, r.x) + b) }
	metrics := map[string]model.Metrics{}
	for name, set := range map[string][]row{"validation": held, "train": train} {
		var scored []model.EvalScored
		for _, r := range set {
			v := score(r)
			scored = append(scored, model.EvalScored{
				Row:   model.LabelledName{Name: r.Name, Ecosystem: r.Ecosystem, Label: r.Label, Family: r.family},
				Value: v, Flagged: v >= thr, Tier: r.Origin,
			})
		}
		metrics[name] = model.MetricsOf(scored, thr)
	}

	files, err := dataFiles(dir)
	if err != nil {
		return nil, err
	}
	names := content.FeatureNames()
	hs := sha256.Sum256([]byte(content.FeatureSchema + "\n" + strings.Join(names, "\n")))
	art := model.Artefact{
		Schema: "chaingate.risk.model/v1",
		Info: model.Info{
			ID: ModelID, Version: ModelVersion, Kind: "logistic",
			FeatureSchema: content.FeatureSchema, FeatureSchemaHash: "sha256:" + hex.EncodeToString(hs[:]),
			Features: names,
			Training: model.TrainingManifest{
				Data:           files,
				Split:          "held out: one package in five by FNV-32a of ecosystem/name (contentdata.HeldOut); never used to fit, calibrate or choose the threshold",
				Method:         fmt.Sprintf("L2 logistic regression (lambda %g by 4-fold out-of-fold log-loss), L-BFGS, Platt scaling on out-of-fold scores, threshold: best out-of-fold F1 with FPR <= %g", bestLambda, MaxTrainFPR),
				TrainRows:      len(train),
				ValidationRows: len(held),
			},
			Metrics:    metrics,
			Thresholds: map[string]float64{"flag": thr},
		},
		Logistic: &model.LogisticParams{Intercept: w[0], Weights: w[1:], CalibrationA: a, CalibrationB: b, Lambda: bestLambda},
	}
	out, err := json.MarshalIndent(art, "", "  ")
	if err != nil {
		return nil, err
	}
	return &Result{Artefact: append(out, '\n'), Metrics: metrics}, nil
}

// dataFiles records the training inputs with their sha256.
func dataFiles(dir string) ([]model.DataFile, error) {
	var out []model.DataFile
	for _, f := range []struct{ name, origin string }{
		{"samples.json", "samples written from real reports (see README); packed from samples/"},
		{"features-real.tsv", "content findings of real benign packages (benign-npm.tsv, benign-debian.tsv), written by content-eval scan"},
		{"benign-npm.tsv", "the 500 most-downloaded npm packages, with sha256"},
		{"benign-debian.tsv", "Debian 13 python3-* packages, with sha256"},
	} {
		b, err := os.ReadFile(filepath.Join(dir, f.name))
		if err != nil {
			return nil, fmt.Errorf("contentmodel: %w", err)
		}
		s := sha256.Sum256(b)
		out = append(out, model.DataFile{Path: "risk/testdata/content/" + f.name, SHA256: hex.EncodeToString(s[:]), Rows: bytes.Count(b, []byte("\n")), Origin: f.origin})
	}
	return out, nil
}
