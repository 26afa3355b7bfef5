package provenance_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"log"
	"os"

	"github.com/chaingate/chaingate/provenance"
	"github.com/sigstore/sigstore/pkg/signature"
)

// Build SLSA v1 provenance for an artifact and sign it into a Sigstore
// bundle with any sigstore signature.Signer.
func ExampleNewSLSABuilder() {
	st, err := provenance.NewSLSABuilder("https://github.com/actions/runner/github-hosted", "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1").
		Subject("app.tar.gz", map[string]string{"sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}).
		ExternalParameter("workflow", map[string]any{"repository": "https://github.com/acme/app", "ref": "refs/tags/v1.2.3"}).
		ResolvedDependency("git+https://github.com/acme/app@refs/tags/v1.2.3", map[string]string{"gitCommit": "3f1c2a9d4b5e6f708192a3b4c5d6e7f8091a2b3c"}).
		Statement()
	if err != nil {
		log.Fatal(err)
	}
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	signer, _ := signature.LoadDefaultSigner(priv)
	bundleJSON, err := provenance.SignStatementBundle(context.Background(), signer, st)
	if err != nil {
		log.Fatal(err)
	}
	b, err := provenance.ParseBundle(bundleJSON)
	if err != nil {
		log.Fatal(err)
	}
	back, _ := b.Statement()
	p, _ := back.SLSAv1()
	fmt.Println(b.BundleVersion(), back.PredicateType)
	fmt.Println(p.RunDetails.Builder.ID)
	// Output:
	// v0.3 https://slsa.dev/provenance/v1
	// https://github.com/actions/runner/github-hosted
}

// Read a real in-toto Statement and its typed predicate.
func ExampleParseStatement() {
	data, err := os.ReadFile("testdata/statement-v0.1-slsa-v0.2.json")
	if err != nil {
		log.Fatal(err)
	}
	st, err := provenance.ParseStatement(data)
	if err != nil {
		log.Fatal(err)
	}
	p, err := st.SLSAv02()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Type)
	fmt.Println(st.Subject[0].Name, p.Builder.ID)
	// Output:
	// https://in-toto.io/Statement/v0.1
	// pkg:npm/sigstore@1.3.0 https://github.com/actions/runner
}

// A parsed bundle keeps sigstore-go's form behind Sigstore, for callers
// that pass it to sigstore-go themselves.
func ExampleBundle_Sigstore() {
	data, err := os.ReadFile("testdata/bundle-v0.3.sigstore.json")
	if err != nil {
		log.Fatal(err)
	}
	b, err := provenance.ParseBundle(data)
	if err != nil {
		log.Fatal(err)
	}
	sb := b.Sigstore()
	fmt.Println(b.BundleVersion(), sb.GetMediaType())
	fmt.Println("message signature:", sb.GetMessageSignature() != nil)
	// Output:
	// v0.3 application/vnd.dev.sigstore.bundle.v0.3+json
	// message signature: true
}
