package model_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/chaingate/chaingate/risk/model"
	"github.com/chaingate/chaingate/risk/signal"
)

func FuzzLoadPopularityList(f *testing.F) {
	npmTop, err := os.ReadFile(filepath.Join("models", "npm-top.tsv"))
	if err != nil {
		f.Fatal(err)
	}
	goTop, err := os.ReadFile(filepath.Join("models", "go-top.tsv"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(npmTop[:2000])
	f.Add([]byte("rank\tname\tdownloads\n1\t@a/b\t10\n2\tc\t1e9\n"))
	f.Add([]byte("1\tx\n"))
	f.Add(goTop[:2000])
	f.Add([]byte("rank\tmodule\tdependents\n1\tgithub.com/a/b\t0\n2\texample.com/\t1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, eco := range []string{"npm", "Go"} {
			l, err := model.LoadPopularityList(eco, "fuzz", bytes.NewReader(data))
			if err != nil {
				continue
			}
			for _, name := range []string{"crossenv", "github.com/stretchr/testfiy", "@x/y"} {
				fv := l.ExtractTyposquatFeatures(name)
				if len(fv.Values) != len(model.TyposquatFeatureNames()) {
					t.Fatal("bad vector")
				}
				for _, v := range fv.Values {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("%s: non-finite feature %v", name, fv.Values)
					}
				}
			}
		}
	})
}

func FuzzLoadModel(f *testing.F) {
	f.Add(signal.BuiltinTyposquatModelJSON())
	f.Add([]byte(`{"schema":"chaingate.risk.model/v1"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := model.LoadModel(data)
		if err != nil {
			return
		}
		l, _ := model.BuiltinPopularityList("npm")
		s, err := m.Score(l.ExtractTyposquatFeatures("lodahs"))
		if err == nil && (s.Value < 0 || s.Value > 1 || math.IsNaN(s.Value)) {
			t.Fatalf("value %v", s.Value)
		}
	})
}

func FuzzReadLabelledNames(f *testing.F) {
	data, err := os.ReadFile("../testdata/signals/typosquat-train.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data[:1500])
	f.Add([]byte(`{"name":"x","ecosystem":"npm","label":"maybe"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := model.ReadLabelledNames("fuzz", bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, r := range rows {
			if r.Name == "" {
				t.Fatal("empty name accepted")
			}
		}
	})
}
