package provenance_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/provenance"
)

func seed(f *testing.F, match string) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), match) {
			b, err := os.ReadFile(filepath.Join("testdata", e.Name()))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
}

func FuzzParseStatement(f *testing.F) {
	seed(f, "statement")
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"digest":{"sha256":"00"}}],"predicateType":"x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := provenance.ParseStatement(data)
		if err != nil {
			return
		}
		if err := st.Validate(); err != nil {
			t.Fatalf("parsed statement does not validate: %v", err)
		}
		_, _ = st.DecodePredicate()
		out, err := st.Marshal()
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if _, err := provenance.ParseStatement(out); err != nil {
			t.Fatalf("re-parse: %v", err)
		}
	})
}

func FuzzParseEnvelope(f *testing.F) {
	seed(f, "dsse")
	f.Add([]byte(`{"payloadType":"t","payload":"e30=","signatures":[{"sig":"AA=="}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := provenance.ParseEnvelope(data)
		if err != nil {
			return
		}
		_, _ = provenance.EnvelopeStatement(env)
		if _, err := provenance.MarshalEnvelope(env); err != nil {
			t.Fatalf("marshal a valid envelope: %v", err)
		}
	})
}

func FuzzParseBundle(f *testing.F) {
	seed(f, "bundle")
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := provenance.ParseBundle(data)
		if err != nil {
			return
		}
		_ = b.BundleVersion()
		_, _ = b.Statement()
		if b.Sigstore() == nil {
			t.Fatal("parsed bundle without its sigstore-go form")
		}
		_, _ = b.Sigstore().VerificationContent()
	})
}
