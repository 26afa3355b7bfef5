package verify_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/verify"
)

func TestVerifyLayout(t *testing.T) {
	ctx := context.Background()
	alice := readFile(t, "in-toto", "alice.pub")
	carol := readFile(t, "in-toto", "carol.pub")
	dir := filepath.Join("testdata", "in-toto")
	for _, layout := range []string{"demo.layout", "demo.dsse.layout"} {
		t.Run(layout, func(t *testing.T) {
			res, err := verify.VerifyLayout(ctx, filepath.Join(dir, layout), [][]byte{alice}, verify.LayoutOptions{LinkDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Verified || res.InspectionsRun || len(res.Steps) != 2 || len(res.Inspections) != 1 {
				t.Errorf("result %+v", res)
			}
		})
	}
	t.Run("wrong layout key", func(t *testing.T) {
		_, err := verify.VerifyLayout(ctx, filepath.Join(dir, "demo.layout"), [][]byte{carol}, verify.LayoutOptions{LinkDir: dir})
		if !errors.Is(err, verify.ErrLayout) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("missing link", func(t *testing.T) {
		tmp := t.TempDir()
		data := readFile(t, "in-toto", "write-code.b7d643de.link")
		if err := os.WriteFile(filepath.Join(tmp, "write-code.b7d643de.link"), data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := verify.VerifyLayout(ctx, filepath.Join(dir, "demo.layout"), [][]byte{alice}, verify.LayoutOptions{LinkDir: tmp})
		if !errors.Is(err, verify.ErrLayout) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("oversized link", func(t *testing.T) {
		tmp := t.TempDir()
		for _, f := range []string{"write-code.b7d643de.link", "package.d3ffd108.link"} {
			if err := os.WriteFile(filepath.Join(tmp, f), readFile(t, "in-toto", f), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		// A link is read whole by in-toto-golang: one over the limit is
		// refused before it is read.
		big, err := os.Create(filepath.Join(tmp, "write-code.b7d643de.link"))
		if err != nil {
			t.Fatal(err)
		}
		if err := big.Truncate(9 << 20); err != nil {
			t.Fatal(err)
		}
		big.Close()
		_, err = verify.VerifyLayout(ctx, filepath.Join(dir, "demo.layout"), [][]byte{alice}, verify.LayoutOptions{LinkDir: tmp})
		if !errors.Is(err, verify.ErrLayout) || !strings.Contains(err.Error(), "over") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("tampered link", func(t *testing.T) {
		tmp := t.TempDir()
		for _, f := range []string{"write-code.b7d643de.link", "package.d3ffd108.link"} {
			data := readFile(t, "in-toto", f)
			if f == "package.d3ffd108.link" {
				if !bytes.Contains(data, []byte(`"foo.tar.gz"`)) {
					t.Fatal("fixture changed")
				}
				data = bytes.Replace(data, []byte(`"foo.tar.gz"`), []byte(`"foo.tar.gx"`), 1)
			}
			if err := os.WriteFile(filepath.Join(tmp, f), data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		_, err := verify.VerifyLayout(ctx, filepath.Join(dir, "demo.layout"), [][]byte{alice}, verify.LayoutOptions{LinkDir: tmp})
		if !errors.Is(err, verify.ErrLayout) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestVerifyLayoutWithInspections(t *testing.T) {
	if _, err := exec.LookPath("tar"); err != nil {
		t.Skip("tar not available for the demo layout's inspection")
	}
	dir := filepath.Join("testdata", "in-toto")
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	run := t.TempDir()
	if err := os.WriteFile(filepath.Join(run, "foo.tar.gz"), readFile(t, "in-toto", "foo.tar.gz"), 0o600); err != nil {
		t.Fatal(err)
	}
	alice := readFile(t, "in-toto", "alice.pub")
	// in-toto-golang writes each inspection's link to the working directory.
	t.Chdir(t.TempDir())
	res, err := verify.VerifyLayout(context.Background(), filepath.Join(abs, "demo.layout"), [][]byte{alice},
		verify.LayoutOptions{LinkDir: abs, RunInspections: true, InspectionDir: run})
	if err != nil {
		t.Fatal(err)
	}
	if !res.InspectionsRun {
		t.Error("inspections not run")
	}
	if _, err := verify.VerifyLayout(context.Background(), filepath.Join(abs, "demo.layout"), [][]byte{alice},
		verify.LayoutOptions{LinkDir: abs, RunInspections: true}); err == nil {
		t.Error("inspections without a directory accepted")
	}
}
