package typosquat

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/chaingate/chaingate/risk/signal"
)

// repoRoot walks up from the test's directory to the go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

// TestShippedArtefactIsReproducible re-trains from ../shared/data and
// checks the result is byte for byte the artefact risk embeds, and that
// the embedded popularity lists are the shared ones.
func TestShippedArtefactIsReproducible(t *testing.T) {
	root := repoRoot(t)
	dir := DataDir(root)
	if _, err := os.Stat(filepath.Join(dir, "train.jsonl")); err != nil {
		t.Skipf("shared training data not found at ../shared/data/typosquat beside the repository (%v); CI has it", err)
	}
	res, err := TrainFromDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.Artefact, signal.BuiltinTyposquatModelJSON()) {
		t.Fatal("risk/signal/models/typosquat-logistic.json is not what internal/cmd/train-typosquat produces from ../shared/data/typosquat; re-run the command and commit the artefact")
	}
	for _, f := range []string{"npm-top.tsv", "pypi-top.tsv"} {
		shared, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		shipped, err := os.ReadFile(filepath.Join(root, "risk", "model", "models", f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(shared, shipped) {
			t.Errorf("risk/model/models/%s differs from the shared list", f)
		}
	}
	// The metrics file beside the artefact is the command's output too.
	mb, err := json.MarshalIndent(res.Validation, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	shippedMetrics, err := os.ReadFile(filepath.Join(root, "risk", "signal", "models", "typosquat-metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(append(mb, '\n'), shippedMetrics) {
		t.Error("risk/signal/models/typosquat-metrics.json is not what the command writes; re-run it")
	}
	m := res.Validation["validation"]
	naive := res.Validation["validation/naive-edit1"]
	t.Logf("model %s", m)
	t.Logf("naive %s", naive)
	if m.F1 <= naive.F1 || m.FPR > naive.FPR {
		t.Errorf("trained model does not beat the naive bar")
	}
}

func TestFitSeparable(t *testing.T) {
	// y = 1 exactly when x0 > 0.5: the fitted weight must be positive and
	// the regularised fit must stay finite.
	var s []sample
	for i := 0; i < 40; i++ {
		x := float64(i) / 40
		y := 0.0
		if x > 0.5 {
			y = 1
		}
		s = append(s, sample{x: []float64{x, 0.3}, y: y})
	}
	w, err := fit(s, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if w[1] <= 0 || raw(w, []float64{0.9, 0.3}) <= 0 || raw(w, []float64{0.1, 0.3}) >= 0 {
		t.Errorf("weights %v", w)
	}
}
