package verifytest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log"

	"github.com/chaingate/chaingate/provenance"
	"github.com/chaingate/chaingate/verify"
	"github.com/chaingate/chaingate/verify/verifytest"
)

// Issue a keyless bundle whose certificate carries GitHub Actions
// extensions, as Fulcio does for slsa-github-generator's reusable
// workflow, and verify its SLSA provenance against them; then the same
// provenance signed by the repository's own workflow, which does not
// prove the builder it names.
func ExampleSigstore_Attest_extensions() {
	const (
		issuer    = "https://token.actions.githubusercontent.com"
		generator = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.1.0"
		own       = "https://github.com/acme/api/.github/workflows/release.yml@refs/tags/v1.2.3"
	)
	s, err := verifytest.New()
	if err != nil {
		log.Fatal(err)
	}
	artifact := []byte("acme api image manifest")
	sum := sha256.Sum256(artifact)
	st, err := provenance.NewSLSABuilder(generator, "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1").
		Subject("ghcr.io/acme/api", map[string]string{"sha256": hex.EncodeToString(sum[:])}).
		ExternalParameter("workflow", map[string]any{"repository": "https://github.com/acme/api", "ref": "refs/tags/v1.2.3", "path": ".github/workflows/release.yml"}).
		Statement()
	if err != nil {
		log.Fatal(err)
	}
	stJSON, err := st.Marshal()
	if err != nil {
		log.Fatal(err)
	}
	v, err := verify.New(s.TrustedRoot(), verify.WithoutSCTUnsafe())
	if err != nil {
		log.Fatal(err)
	}
	for _, signer := range []string{generator, own} {
		b, err := s.Attest(signer, issuer, stJSON, verifytest.BundleOptions{Extensions: &verify.Extensions{
			BuildSignerURI:      signer,
			SourceRepositoryURI: "https://github.com/acme/api",
			SourceRepositoryRef: "refs/tags/v1.2.3",
			BuildConfigURI:      "https://github.com/acme/api/.github/workflows/release.yml@refs/tags/v1.2.3",
		}})
		if err != nil {
			log.Fatal(err)
		}
		res, err := v.VerifyBundle(context.Background(), b, verify.Requirements{
			Artifact: verify.ArtifactBytes(artifact),
			Identity: &verify.Identity{Issuer: issuer, SubjectAlternativeName: signer},
			SLSA:     &verify.SLSARequirements{BuilderIDs: []string{generator}, SourceURI: "github.com/acme/api", Tag: "v1.2.3"},
		})
		var ce *verify.CheckError
		if errors.As(err, &ce) {
			fmt.Println("refused:", ce.Check)
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("verified, builder proven:", res.BuilderProven())
	}
	// Output:
	// verified, builder proven: true
	// refused: slsa.builder-id
}
