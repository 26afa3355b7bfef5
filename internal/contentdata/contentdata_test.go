package contentdata

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRowsRoundTrip(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "risk", "testdata", "content", "features-real.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := ReadRows(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 500 {
		t.Fatalf("%d rows", len(rows))
	}
	var out bytes.Buffer
	if err := WriteRows(&out, rows); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), b) {
		t.Error("features-real.tsv does not round-trip")
	}
	for _, bad := range []string{"x\n", featuresHeader + "\nnpm\ta\n", featuresHeader + "\nnpm\ta\t1\tmaybe\tx\t\n"} {
		if _, err := ReadRows(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "line") {
			t.Errorf("%q: error %v does not name the line", bad, err)
		}
	}
}

func TestPackDeterministic(t *testing.T) {
	dir := filepath.Join("..", "..", "risk", "testdata", "content")
	samples, err := LoadSamples(dir)
	if err != nil {
		t.Fatal(err)
	}
	n1, a, err := Pack(dir, samples[0])
	if err != nil {
		t.Fatal(err)
	}
	n2, b, err := Pack(dir, samples[0])
	if err != nil {
		t.Fatal(err)
	}
	if n1 != n2 || !bytes.Equal(a, b) {
		t.Error("packing is not deterministic")
	}
	held := 0
	for _, s := range samples {
		if HeldOut(s.Ecosystem, s.Name) {
			held++
		}
	}
	if held == 0 || held == len(samples) {
		t.Errorf("held-out split of the samples: %d of %d", held, len(samples))
	}
}

func FuzzReadRows(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("..", "..", "risk", "testdata", "content", "features-real.tsv"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b[:min(len(b), 4096)])
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ReadRows(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, r := range rows {
			if r.Label != "malicious" && r.Label != "benign" {
				t.Fatalf("label %q accepted", r.Label)
			}
		}
	})
}
