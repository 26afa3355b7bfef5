package signal

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/internal/scoring"

	"github.com/chaingate/chaingate/risk/model"
	"github.com/chaingate/chaingate/sbom"
)

func TestTyposquatScoreContract(t *testing.T) {
	tests := []struct {
		eco, name string
		flagged   bool
		kind      string
		target    string
	}{
		{"npm", "crossenv", true, model.MatchDelimiter, "cross-env"},
		{"npm", "lodahs", true, model.MatchEdit1, "lodash"},
		{"npm", "l0dash", true, model.MatchHomoglyph, "lodash"},
		{"npm", "types-node", false, model.MatchScopeUnscoped, "@types/node"}, // flag checked below against threshold
		{"npm", "nodefetch", true, model.MatchDelimiter, "node-fetch"},
		{"PyPI", "reqeusts", true, model.MatchEdit1, "requests"},
		{"pypi", "setup-tools", true, model.MatchDelimiter, "setuptools"},
		{"pypi", "pandas2", true, model.MatchAffix, "pandas"},
		// An affix with a generic word sits near the threshold: in the
		// training data a quarter of such names are legitimate packages.
		{"pypi", "numpy-lib", false, model.MatchAffix, "numpy"},
		// Popular names are not imitations of themselves.
		{"npm", "lodash", false, "", ""},
		{"npm", "cross-env", false, "", ""},
		{"npm", "@types/node", false, "", ""},
		{"PyPI", "requests", false, "", ""},
		{"PyPI", "python_dateutil", false, "", ""}, // PEP 503: the same project as python-dateutil
		// An unpopular name that resembles nothing is not suspicious.
		{"npm", "my-internal-lib", false, "", ""},
		{"PyPI", "zhconv", false, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.eco+"/"+tc.name, func(t *testing.T) {
			s, err := TyposquatScore(tc.eco, tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if s.Value < 0 || s.Value > 1 || math.IsNaN(s.Value) {
				t.Fatalf("value %v outside [0,1]", s.Value)
			}
			if s.Flagged != (s.Value >= s.Threshold) {
				t.Fatalf("flagged %v inconsistent with value %v threshold %v", s.Flagged, s.Value, s.Threshold)
			}
			if !strings.HasPrefix(s.Model, "typosquat-logistic@") {
				t.Errorf("model %q", s.Model)
			}
			if tc.kind == "" {
				if s.Flagged || s.Value > 0.5 {
					t.Errorf("benign %s scored %.3f (flagged %v): %v", tc.name, s.Value, s.Flagged, s.Evidence)
				}
				return
			}
			if tc.flagged && !s.Flagged {
				t.Errorf("%s not flagged: %.3f < %.3f", tc.name, s.Value, s.Threshold)
			}
			if s.Value < 0.5 {
				t.Errorf("%s scored only %.3f", tc.name, s.Value)
			}
			if s.Kind != tc.kind || s.Target != tc.target {
				t.Errorf("kind %q target %q, want %q %q", s.Kind, s.Target, tc.kind, tc.target)
			}
			// The logistic contributions add up to the score's log-odds;
			// when the rule floor decided, the score says so.
			z := s.Intercept
			floor := false
			for _, c := range s.Contributions {
				if strings.HasPrefix(c.Feature, "floor:") {
					floor = true
					continue
				}
				z += c.Effect
			}
			got := 1 / (1 + math.Exp(-z))
			switch {
			case s.Calibrated && (floor || math.Abs(got-s.Value) > 1e-9):
				t.Errorf("contributions give %v, value %v", got, s.Value)
			case !s.Calibrated && (!floor || got >= s.Threshold || s.Value != s.Threshold ||
				!strings.Contains(strings.Join(s.Evidence, " "), "rule floor")):
				t.Errorf("uncalibrated score not explained by the floor: %+v", s)
			}
			if len(s.Evidence) == 0 || !strings.Contains(s.Evidence[0], tc.target) {
				t.Errorf("evidence %v does not name %s", s.Evidence, tc.target)
			}
		})
	}
}

func TestTyposquatScoreErrors(t *testing.T) {
	// A scorer given no Go list says so rather than scoring clean.
	m, err := BuiltinTyposquatModel()
	if err != nil {
		t.Fatal(err)
	}
	npm, err := model.BuiltinPopularityList("npm")
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewTyposquatScorer(m, npm).Score("golang", "github.com/sirupsen/logrus")
	if !errors.Is(err, model.ErrNoPopularityList) || !strings.Contains(err.Error(), "go-top.tsv") {
		t.Errorf("Go without a list: %v, want ErrNoPopularityList naming the list", err)
	}
	if _, err := TyposquatScore("cargo", "serde"); !errors.Is(err, model.ErrUnknownEcosystem) {
		t.Errorf("cargo: %v", err)
	}
	if _, err := TyposquatScore("npm", "  "); !errors.Is(err, ErrEmptyName) {
		t.Errorf("empty: %v", err)
	}
	if _, err := TyposquatScore("npm", strings.Repeat("a", 300)); err == nil {
		t.Error("over-long name accepted")
	}
}

func TestLoadModelRefusesOtherSchema(t *testing.T) {
	var a model.Artefact
	if err := json.Unmarshal(BuiltinTyposquatModelJSON(), &a); err != nil {
		t.Fatal(err)
	}
	a.Info.FeatureSchemaHash = "sha256:0000"
	b, _ := json.Marshal(a)
	if _, err := model.LoadModel(b); !errors.Is(err, model.ErrSchemaMismatch) {
		t.Errorf("hash mismatch: %v", err)
	}
	json.Unmarshal(BuiltinTyposquatModelJSON(), &a)
	a.Info.Features = a.Info.Features[1:]
	b, _ = json.Marshal(a)
	if _, err := model.LoadModel(b); !errors.Is(err, model.ErrSchemaMismatch) {
		t.Errorf("feature list mismatch: %v", err)
	}
	json.Unmarshal(BuiltinTyposquatModelJSON(), &a)
	a.Logistic.Weights = a.Logistic.Weights[1:]
	b, _ = json.Marshal(a)
	if _, err := model.LoadModel(b); err == nil {
		t.Error("short weights accepted")
	}
	for _, bad := range []string{``, `{}`, `{"schema":"x"}`, `[1]`} {
		if _, err := model.LoadModel([]byte(bad)); err == nil {
			t.Errorf("LoadModel(%q) accepted", bad)
		}
	}
	// A vector of another schema is refused at scoring time.
	m, err := BuiltinTyposquatModel()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Score(model.FeatureVector{SchemaHash: "sha256:other", Values: []float64{1}}); !errors.Is(err, model.ErrSchemaMismatch) {
		t.Errorf("score other schema: %v", err)
	}
}

func TestLoadModelRules(t *testing.T) {
	info := model.NewRuleModel().Info()
	a := model.Artefact{Schema: model.ArtefactSchema, Info: info, Rules: model.DefaultTyposquatRules()}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.LoadModel(b)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := model.BuiltinPopularityList("npm")
	s, err := m.Score(l.ExtractTyposquatFeatures("crossenv"))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Flagged || s.Calibrated || s.Model != "typosquat-rules@1" {
		t.Errorf("rule score %+v", s)
	}
	sum := 0.0
	for _, c := range s.Contributions {
		sum += c.Effect
	}
	if scoring.Clamp01(sum) != s.Value {
		t.Errorf("rule contributions %v != value %v", sum, s.Value)
	}
}

func typosquatTrainRows(t testing.TB) []model.LabelledName {
	t.Helper()
	f, err := os.Open("../testdata/signals/typosquat-train.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := model.ReadLabelledNames("typosquat-train.jsonl", f)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestShippedModelMetrics re-evaluates the shipped model on the validation
// split and fails if any recorded number got worse, or if the model does
// not beat the naive one-edit bar at an equal or lower false-positive rate.
func TestShippedModelMetrics(t *testing.T) {
	m, err := BuiltinTyposquatModel()
	if err != nil {
		t.Fatal(err)
	}
	_, val := model.SplitByTarget(typosquatTrainRows(t))
	got, err := model.Evaluate(m, val)
	if err != nil {
		t.Fatal(err)
	}
	rec := m.Info().Metrics["validation"]
	if rec.N == 0 || got.N != rec.N {
		t.Fatalf("validation rows %d, recorded %d", got.N, rec.N)
	}
	t.Logf("shipped: %s", got)
	for name, pair := range map[string][2]float64{
		"precision": {got.Precision, rec.Precision}, "recall": {got.Recall, rec.Recall}, "f1": {got.F1, rec.F1},
		"prAUC": {got.PRAUC, rec.PRAUC}, "recallAt1PctFPR": {got.RecallAt1PctFPR, rec.RecallAt1PctFPR},
	} {
		if pair[0] < pair[1] {
			t.Errorf("%s %.4f below recorded %.4f", name, pair[0], pair[1])
		}
	}
	if got.FPR > rec.FPR || got.Brier > rec.Brier {
		t.Errorf("FPR %.4f / Brier %.4f above recorded %.4f / %.4f", got.FPR, got.Brier, rec.FPR, rec.Brier)
	}
	naive := m.Info().Metrics["validation/naive-edit1"]
	if !(got.F1 > naive.F1 && got.FPR <= naive.FPR && got.EcosystemFPR["npm"] <= naive.EcosystemFPR["npm"]) {
		t.Errorf("model F1 %.3f FPR %.4f does not beat naive one-edit F1 %.3f FPR %.4f", got.F1, got.FPR, naive.F1, naive.FPR)
	}
	if got.EcosystemFPR["npm"] > 0.025 {
		t.Errorf("npm FPR %.4f above the naive bar's 2.5%%", got.EcosystemFPR["npm"])
	}
	for _, fam := range []string{"affix", "typo-dl2"} {
		if got.FamilyRecall[fam] <= naive.FamilyRecall[fam] {
			t.Errorf("family %s recall %.3f not above naive %.3f", fam, got.FamilyRecall[fam], naive.FamilyRecall[fam])
		}
	}
	if got.TierFPR["unlisted"] > naive.TierFPR["unlisted"] {
		t.Errorf("FPR on less popular legitimate names %.4f", got.TierFPR["unlisted"])
	}
}

// TestFamilyRecallAllRows reports recall per family on every labelled row
// (training rows included, so in-sample: the small scope, reorder and
// delimiter families have too few validation rows to judge alone).
func TestFamilyRecallAllRows(t *testing.T) {
	m, err := BuiltinTyposquatModel()
	if err != nil {
		t.Fatal(err)
	}
	got, err := model.Evaluate(m, typosquatTrainRows(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("all rows: %s; family recall %v; tier FPR %v", got, got.FamilyRecall, got.TierFPR)
	for fam, min := range map[string]float64{"affix": 0.2, "combosquat": 0.02, "scope-confusion": 0.2, "reorder": 0.3, "delimiter": 0.5, "homoglyph": 0.5, "typo-dl1": 0.6, "typo-dl2": 0.3} {
		if got.FamilyRecall[fam] < min {
			t.Errorf("family %s recall %.3f below %.2f", fam, got.FamilyRecall[fam], min)
		}
	}
	if got.EcosystemFPR["npm"] > 0.02 || got.TierFPR["unlisted"] > 0.02 {
		t.Errorf("FPR npm %.4f, unlisted %.4f", got.EcosystemFPR["npm"], got.TierFPR["unlisted"])
	}
}

func TestMetricsOf(t *testing.T) {
	mal := func(fam string) model.LabelledName {
		return model.LabelledName{Label: "malicious", Family: fam, Ecosystem: "npm"}
	}
	ben := model.LabelledName{Label: "benign", Ecosystem: "npm"}
	scored := []model.EvalScored{
		{Row: mal("affix"), Value: 0.9, Flagged: true},
		{Row: mal("affix"), Value: 0.2},
		{Row: mal("combosquat"), Value: 0.8, Flagged: true},
		{Row: ben, Value: 0.85, Flagged: true, Tier: "unlisted"},
		{Row: ben, Value: 0.1, Tier: "unlisted"},
		{Row: ben, Value: 0.0, Tier: "top-1k"},
	}
	m := model.MetricsOf(scored, 0.5)
	if m.TP != 2 || m.FP != 1 || m.Precision != 0.6667 || m.Recall != 0.6667 || m.FPR != 0.3333 {
		t.Errorf("counts %+v", m)
	}
	if m.FamilyRecall["affix"] != 0.5 || m.FamilyRecall["combosquat"] != 1 || m.TierFPR["unlisted"] != 0.5 || m.TierFPR["top-1k"] != 0 {
		t.Errorf("breakdown %+v %+v", m.FamilyRecall, m.TierFPR)
	}
	// Ranking 0.9+,0.85-,0.8+,0.2+: AP = 1/3·1 + 1/3·2/3 + 1/3·3/4.
	if want := scoring.Round4(1.0/3 + 2.0/9 + 1.0/4); m.PRAUC != want {
		t.Errorf("PR-AUC %v want %v", m.PRAUC, want)
	}
	// Brier: (.1²+.8²+.2²+.85²+.1²+0)/6
	if want := scoring.Round4((0.01 + 0.64 + 0.04 + 0.7225 + 0.01) / 6); m.Brier != want {
		t.Errorf("Brier %v want %v", m.Brier, want)
	}
	if m.RecallAt1PctFPR != 0.3333 {
		t.Errorf("recall at 1%% FPR %v", m.RecallAt1PctFPR)
	}
}

func TestSplitByTargetGroups(t *testing.T) {
	rows := typosquatTrainRows(t)
	train, val := model.SplitByTarget(rows)
	if len(train)+len(val) != len(rows) || len(val) < len(rows)/10 || len(val) > len(rows)/3 {
		t.Fatalf("split %d/%d of %d", len(train), len(val), len(rows))
	}
	trainTargets := map[string]bool{}
	for _, r := range train {
		if r.Malicious() && r.Imitates != "" {
			trainTargets[r.Ecosystem+"/"+r.Imitates] = true
		}
	}
	for _, r := range val {
		if r.Malicious() && trainTargets[r.Ecosystem+"/"+r.Imitates] {
			t.Errorf("target %s in both splits", r.Imitates)
		}
	}
}

func TestEmbeddedListsMatchShared(t *testing.T) {
	for _, eco := range []string{"npm", "PyPI"} {
		l, err := model.BuiltinPopularityList(eco)
		if err != nil {
			t.Fatal(err)
		}
		if l.Len() != 10000 {
			t.Errorf("%s list has %d names", eco, l.Len())
		}
	}
	if r, dl := mustList(t, "npm").Rank("semver"); r != 1 || dl < 1e9 {
		t.Errorf("semver rank %d downloads %v", r, dl)
	}
}

func mustList(t testing.TB, eco string) *model.PopularityList {
	l, err := model.BuiltinPopularityList(eco)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLoadPopularityListErrors(t *testing.T) {
	for name, in := range map[string]string{
		"fields":    "rank\tname\tdownloads\n1\tx\n",
		"downloads": "1\tx\tmany\n",
		"empty":     "rank\tname\tdownloads\n",
		"negative":  "1\tx\t-5\n",
	} {
		if _, err := model.LoadPopularityList("npm", name, strings.NewReader(in)); err == nil {
			t.Errorf("%s accepted", name)
		} else if !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v does not name the source", name, err)
		}
	}
	if _, err := model.LoadPopularityList("cargo", "c", strings.NewReader("1\tx\t5\n")); !errors.Is(err, model.ErrUnknownEcosystem) {
		t.Errorf("cargo: %v", err)
	}
	// A caller-supplied Go list makes Go names scorable.
	goList, err := model.LoadPopularityList("golang", "go-top", strings.NewReader("rank\tname\tdownloads\n1\tgithub.com/sirupsen/logrus\t1000000000\n2\tgithub.com/spf13/cobra\t500000000\n"))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := BuiltinTyposquatModel()
	s, err := NewTyposquatScorer(m, goList).Score("Go", "github.com/sirupsen/logrux")
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind != model.MatchEdit1 || s.Target != "github.com/sirupsen/logrus" {
		t.Errorf("Go list score %+v", s)
	}
}

func TestTyposquatDetector(t *testing.T) {
	doc := &sbom.Document{Components: []sbom.Component{
		{ID: "a", Name: "crossenv", Version: "1.0.0", PURL: "pkg:npm/crossenv@1.0.0"},
		{ID: "b", Name: "cross-env", Version: "7.0.3", PURL: "pkg:npm/cross-env@7.0.3"},
		{ID: "c", Name: "reqeusts", Version: "1.0", PURL: "pkg:pypi/reqeusts@1.0"},
		{ID: "d", Name: "node", Version: "20.0.0", PURL: "pkg:npm/%40types/node@20.0.0"},
		{ID: "e", Name: "logrus", PURL: "pkg:golang/github.com/sirupsen/logrus@v1.9.3"},
		{ID: "f", Name: "no-purl"},
	}}
	sigs, err := TyposquatDetector{}.Detect(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Signal{}
	for _, s := range sigs {
		got[s.Source] = s
	}
	if len(sigs) != 2 || got["pkg:npm/crossenv@1.0.0"].Score == nil || got["pkg:pypi/reqeusts@1.0"].ID != "typosquat" {
		t.Fatalf("signals %+v", sigs)
	}
	if ev := strings.Join(got["pkg:npm/crossenv@1.0.0"].Evidence, "\n"); !strings.Contains(ev, "cross-env") {
		t.Errorf("evidence %s", ev)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (TyposquatDetector{}).Detect(ctx, doc); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestCheckDrift(t *testing.T) {
	m, _ := BuiltinTyposquatModel()
	rows := typosquatTrainRows(t)
	train, _ := model.SplitByTarget(rows)
	var same, shifted []model.FeatureVector
	for i, r := range train {
		l := mustList(t, r.Ecosystem)
		if i%3 == 0 {
			same = append(same, l.ExtractTyposquatFeatures(r.Name))
		}
		if r.Family == "combosquat" || r.Family == "affix" {
			shifted = append(shifted, l.ExtractTyposquatFeatures(r.Name))
		}
	}
	rep, err := model.CheckDrift(m.Info(), same)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Retrain || rep.MaxPSI > model.DriftWatchPSI {
		t.Errorf("training-like batch drifts: %+v", rep.Features[:3])
	}
	rep, err = model.CheckDrift(m.Info(), shifted)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Retrain || len(rep.Reasons) == 0 {
		t.Errorf("combosquat-only batch does not drift: max PSI %v", rep.MaxPSI)
	}
	if _, err := model.CheckDrift(m.Info(), nil); err == nil {
		t.Error("empty batch accepted")
	}
	if _, err := model.CheckDrift(model.NewRuleModel().Info(), same); err == nil {
		t.Error("model without distribution accepted")
	}
}

func FuzzTyposquatScore(f *testing.F) {
	for _, s := range []string{"crossenv", "@types/node", "l0dash", "", "@", "@/", "a--b__c..d", "python_dateutil", "ünïcödé", "@scope/very-long-name-with-many-tokens-a-b-c-d-e-f-g-h"} {
		f.Add("npm", s)
		f.Add("pypi", s)
	}
	f.Fuzz(func(t *testing.T, eco, name string) {
		s, err := TyposquatScore(eco, name)
		if err != nil {
			return
		}
		if s.Value < 0 || s.Value > 1 || math.IsNaN(s.Value) {
			t.Fatalf("%s/%q: value %v", eco, name, s.Value)
		}
	})
}

// TestLoadPopularityListDependents reads a list whose counts are
// dependents: Rank and evidence keep them, the model's popularity
// features see them on the npm download scale.
func TestLoadPopularityListDependents(t *testing.T) {
	data := "rank\tmodule\tdependents\n1\tgolang.org/x/sys\t700\n2\tgithub.com/stretchr/testify\t600\n3\tgithub.com/acme/tiny\t2\n"
	l, err := model.LoadPopularityList("Go", "test", strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if r, n := l.Rank("github.com/stretchr/testify"); r != 2 || n != 600 {
		t.Errorf("rank %d count %v", r, n)
	}
	fv := l.ExtractTyposquatFeatures("github.com/stretchr/testfiy")
	pop, _ := fv.Get("target_popularity")
	if fv.Target != "github.com/stretchr/testify" || pop < 0.9 || !strings.Contains(strings.Join(fv.Evidence, " "), "600 dependents") {
		t.Errorf("target %q popularity %v evidence %v", fv.Target, pop, fv.Evidence)
	}
	fv = l.ExtractTyposquatFeatures("github.com/acme/tinyy")
	if pop, _ := fv.Get("target_popularity"); fv.Target != "github.com/acme/tiny" || pop > 0.5 {
		t.Errorf("tail module: target %q popularity %v", fv.Target, pop)
	}
	// The same data read as downloads is a different scale.
	n, err := model.LoadPopularityList("Go", "test", strings.NewReader(strings.Replace(data, "dependents", "downloads", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if pop, _ := n.ExtractTyposquatFeatures("github.com/stretchr/testfiy").Get("target_popularity"); pop != 0 {
		t.Errorf("600 downloads scored popularity %v", pop)
	}
}

func TestTyposquatScoreConcurrent(t *testing.T) {
	want, err := TyposquatScore("npm", "crossenv")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan model.Score, 8)
	for i := 0; i < 8; i++ {
		go func() {
			s, _ := TyposquatScore("npm", "crossenv")
			done <- s
		}()
	}
	for i := 0; i < 8; i++ {
		if s := <-done; s.Value != want.Value || s.Flagged != want.Flagged {
			t.Errorf("concurrent score %v, want %v", s.Value, want.Value)
		}
	}
}

// TestTyposquatScoreGo scores Go module paths against the shipped Go
// list (modules ranked by dependents): a misspelt owner or repository, a
// look-alike character or letter case is flagged; the same repository
// under another account is a candidate; listed and unrelated modules are
// not.
func TestTyposquatScoreGo(t *testing.T) {
	tests := []struct {
		name    string
		flagged bool
		minimum float64 // the score must reach it (0: must stay below 0.5)
		kind    string
		target  string
	}{
		{"github.com/sirupsen/logruss", true, 0.5, model.MatchEdit1, "github.com/sirupsen/logrus"},
		{"github.com/stretchr/testfiy", true, 0.5, model.MatchEdit1, "github.com/stretchr/testify"},
		// A misspelt account: another account that is also one edit away.
		{"github.com/strechr/testify", true, 0.5, model.MatchScopeAdded, "github.com/stretchr/testify"},
		{"golang.org/x/crypt0", true, 0.5, model.MatchHomoglyph, "golang.org/x/crypto"},
		{"github.com/gin-gonlc/gin", true, 0.5, model.MatchHomoglyph, "github.com/gin-gonic/gin"},
		{"go.uber.org/zapp", true, 0.5, model.MatchEdit1, "go.uber.org/zap"},
		// The capitalised path of logrus's early days: another module to Go.
		{"github.com/Sirupsen/logrus", true, 0.5, model.MatchHomoglyph, "github.com/sirupsen/logrus"},
		// Another account: a candidate for corroboration, not a verdict.
		{"github.com/evil/testify", false, DefaultTyposquatCandidate, model.MatchScopeAdded, "github.com/stretchr/testify"},
		// Listed modules and unrelated ones.
		{"github.com/sirupsen/logrus", false, 0, "", ""},
		{"golang.org/x/net", false, 0, "", ""},
		{"github.com/go-git/go-git/v5", false, 0, "", ""},
		{"github.com/chaingate/chaingate", false, 0, "", ""},
		{"example.com/acme/internal-tool", false, 0, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := TyposquatScore("Go", tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if s.Flagged != tc.flagged {
				t.Errorf("flagged %v at %.3f, want %v: %v", s.Flagged, s.Value, tc.flagged, s.Evidence)
			}
			if tc.minimum == 0 {
				if s.Value >= 0.5 {
					t.Errorf("scored %.3f: %v", s.Value, s.Evidence)
				}
				return
			}
			if s.Value < tc.minimum || s.Kind != tc.kind || s.Target != tc.target {
				t.Errorf("%.3f %s %s, want >= %.2f %s %s", s.Value, s.Kind, s.Target, tc.minimum, tc.kind, tc.target)
			}
			if ev := strings.Join(s.Evidence, "\n"); !strings.Contains(ev, tc.target) || !strings.Contains(ev, "dependents") {
				t.Errorf("evidence %s does not name the module and its dependents", ev)
			}
		})
	}
	l, err := model.BuiltinPopularityList("golang")
	if err != nil {
		t.Fatal(err)
	}
	if r, n := l.Rank("github.com/sirupsen/logrus"); r == 0 || n < 10 {
		t.Errorf("logrus rank %d with %v dependents", r, n)
	}
	if r, _ := l.Rank("golang.org/x/sys"); r != 1 {
		t.Errorf("golang.org/x/sys rank %d, want 1", r)
	}
}

// TestTyposquatGoRealModules scores every module this repository builds
// with (go list -m all, 485 real modules, most not on the Go list): none
// may be flagged, and few may even be candidates.
func TestTyposquatGoRealModules(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "signals", "go-modules.txt"))
	if err != nil {
		t.Fatal(err)
	}
	n, candidates := 0, 0
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n++
		s, err := TyposquatScore("Go", line)
		if err != nil {
			t.Fatal(err)
		}
		if s.Flagged {
			t.Errorf("real module %s flagged at %.3f: %v", line, s.Value, s.Evidence)
		}
		if s.Value >= DefaultTyposquatCandidate {
			candidates++
		}
	}
	if n < 400 || candidates > n/50 {
		t.Errorf("%d modules, %d candidates", n, candidates)
	}
}
