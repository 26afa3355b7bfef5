package sbom

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func fuzzSeed(f *testing.F, patterns ...string) {
	n := 0
	for _, p := range patterns {
		files, err := filepath.Glob(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			if len(data) > 64<<10 {
				continue // keep the corpus small; large files add little
			}
			f.Add(data)
			n++
		}
	}
	if n == 0 {
		f.Fatal("no seed files")
	}
}

// FuzzDecode feeds every format's decoder through Decode. Whatever the
// input: no panic; an error is ErrTooLarge, ErrUnsupportedFormat or a
// *ParseError; a decoded document can be validated and encoded to every
// output format, and the encoding decodes again.
func FuzzDecode(f *testing.F) {
	fuzzSeed(f, "testdata/cyclonedx/*", "testdata/spdx/*", "testdata/golden/*.json", "testdata/golden/*.xml", "testdata/golden/*.spdx")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, strict := range []bool{false, true} {
			opts := []DecodeOption{WithMaxSize(1 << 20)}
			if strict {
				opts = append(opts, Strict())
			}
			doc, err := Decode(bytes.NewReader(data), opts...)
			if err != nil {
				var pe *ParseError
				if !errors.Is(err, ErrUnsupportedFormat) && !errors.Is(err, ErrTooLarge) && !errors.As(err, &pe) {
					t.Fatalf("error %v (%T) is neither a sentinel nor a *ParseError", err, err)
				}
				continue
			}
			_ = Validate(doc)
			for _, to := range []Format{CycloneDXJSON, CycloneDXXML, SPDXJSON, SPDXTagValue} {
				var buf bytes.Buffer
				if err := Encode(&buf, doc, to); err != nil {
					t.Fatalf("Encode %s of a decoded document: %v", to, err)
				}
				if _, err := Decode(bytes.NewReader(buf.Bytes())); err != nil {
					t.Fatalf("Encode %s output does not decode: %v\n%s", to, err, buf.Bytes())
				}
			}
		}
	})
}

// FuzzSPDXJSONHotPath is a differential fuzz of the SPDX JSON hot path
// against tools-golang: when both read a document, the Documents are equal.
func FuzzSPDXJSONHotPath(f *testing.F) {
	fuzzSeed(f, "testdata/spdx/*.json", "testdata/golden/*.spdx.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		fast, ok, err := spdxFastJSON(data)
		if err != nil || !ok {
			return
		}
		td, err := spdxReadTools(data, SPDXJSON)
		if err != nil {
			return
		}
		slow := spdxFromTools(td)
		slow.SPDXVersion = fast.SPDXVersion
		a, errA := spdxToDocument(fast, SPDXJSON)
		b, errB := spdxToDocument(slow, SPDXJSON)
		if errA != nil || errB != nil {
			t.Fatalf("spdxToDocument: %v / %v", errA, errB)
		}
		if diff := cmp.Diff(b, a); diff != "" {
			t.Fatalf("hot path differs from tools-golang (-tools +hot):\n%s", diff)
		}
	})
}

// FuzzDetect checks that Detect never panics and agrees with Decode's
// detection on what it accepts.
func FuzzDetect(f *testing.F) {
	fuzzSeed(f, "testdata/cyclonedx/*.xml", "testdata/spdx/*.spdx", "testdata/spdx/*.yaml", "testdata/golden/*.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Detect(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrUnsupportedFormat) {
				t.Fatalf("Detect error %v is not ErrUnsupportedFormat", err)
			}
			return
		}
		if len(data) <= decSniffSize {
			if want := decDetect(data, false); want != got {
				t.Fatalf("Detect = %v, decDetect = %v", got, want)
			}
		}
	})
}

// FuzzDecodeAs drives each decoder directly (WithFormat), so mutated
// inputs reach every one of them even when detection would reject them.
func FuzzDecodeAs(f *testing.F) {
	formats := []Format{CycloneDXJSON, CycloneDXXML, SPDXJSON, SPDXTagValue, SPDXYAML, SPDXRDF}
	for _, p := range []string{"testdata/cyclonedx/*", "testdata/spdx/*"} {
		files, err := filepath.Glob(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			if len(data) > 64<<10 {
				continue
			}
			fm, err := Detect(bytes.NewReader(data))
			if err != nil {
				continue
			}
			for i, x := range formats {
				if x == fm {
					f.Add(data, uint8(i))
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		fm := formats[int(which)%len(formats)]
		doc, err := Decode(bytes.NewReader(data), WithFormat(fm), WithMaxSize(1<<20))
		if err != nil {
			var pe *ParseError
			if !errors.Is(err, ErrTooLarge) && !errors.As(err, &pe) {
				t.Fatalf("%s: error %v (%T) is not a *ParseError", fm, err, err)
			}
			return
		}
		if doc.Format != fm {
			t.Fatalf("decoded as %s, want %s", doc.Format, fm)
		}
		_ = Validate(doc)
	})
}
