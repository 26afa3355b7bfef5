package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/chaingate/chaingate/verify"
)

func (a *app) verifyCmd() *cobra.Command {
	return groupCmd("verify", "Verify Sigstore bundles, SLSA provenance and OCI image signatures",
		a.verifyBundleCmd(), a.verifyImageCmd(), a.verifySLSACmd())
}

// trustFlags are the trust material every verify command takes. They are
// fixed for the run, as verify.New fixes them for a Verifier.
type trustFlags struct {
	root       string
	keys       []string
	noTlog     bool
	noSCT      bool
	issuer     string
	issuerRe   string
	san        string
	sanRe      string
	ghRepo     string
	ghRef      string
	predicate  string
	slsa       slsaFlags
	slsaNeeded bool
}

func (t *trustFlags) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&t.root, "trusted-root", "", "Sigstore trusted_root.json (pinned; never fetched)")
	f.StringArrayVar(&t.keys, "key", nil, "PEM public key that may sign (repeatable)")
	f.BoolVar(&t.noTlog, "insecure-ignore-tlog", false, "accept key-signed bundles without a transparency-log entry (unsafe; for private signing)")
	f.BoolVar(&t.noSCT, "insecure-ignore-sct", false, "accept certificates without a signed certificate timestamp (unsafe; for private deployments without CT)")
	f.StringVar(&t.issuer, "issuer", "", "required OIDC issuer of a keyless signer")
	f.StringVar(&t.issuerRe, "issuer-regexp", "", "required OIDC issuer, as a regular expression")
	f.StringVar(&t.san, "san", "", "required subject alternative name (identity) of a keyless signer")
	f.StringVar(&t.sanRe, "san-regexp", "", "required subject alternative name, as a regular expression")
	f.StringVar(&t.ghRepo, "github-repository", "", "required GitHub repository of the signing workflow (owner/repo)")
	f.StringVar(&t.ghRef, "github-ref", "", "required git ref of the signing workflow (refs/heads/main)")
}

func (t *trustFlags) predicateFlag(cmd *cobra.Command) {
	cmd.Flags().StringVar(&t.predicate, "predicate-type", "", "required in-toto predicate type of an attestation")
}

// verifier builds the Verifier from the trust flags.
func (t *trustFlags) verifier() (*verify.Verifier, error) {
	var trust *verify.TrustedRoot
	if t.root != "" {
		var err error
		if trust, err = verify.LoadTrustedRoot(t.root); err != nil {
			return nil, err
		}
	} else if !(len(t.keys) > 0 && t.noTlog) {
		return nil, usageErr("give --trusted-root (or --key with --insecure-ignore-tlog)")
	}
	var opts []verify.Option
	for _, k := range t.keys {
		pem, err := readFile("public key", k, 1<<20)
		if err != nil {
			return nil, err
		}
		opts = append(opts, verify.WithPublicKey(pem))
	}
	if t.noTlog {
		opts = append(opts, verify.WithKeySignaturesWithoutTlogUnsafe())
	}
	if t.noSCT {
		opts = append(opts, verify.WithoutSCTUnsafe())
	}
	return verify.New(trust, opts...)
}

// requirements returns the identity and predicate requirements (the
// artifact is set by the caller).
func (t *trustFlags) requirements() (verify.Requirements, error) {
	var req verify.Requirements
	id := verify.Identity{
		Issuer: t.issuer, IssuerRegexp: t.issuerRe,
		SubjectAlternativeName: t.san, SubjectAlternativeNameRegexp: t.sanRe,
		GitHubRepository: t.ghRepo, GitHubRef: t.ghRef,
	}
	if id != (verify.Identity{}) {
		req.Identity = &id
	}
	req.PredicateType = t.predicate
	if t.slsaNeeded || t.slsa.set() {
		s, err := t.slsa.requirements()
		if err != nil {
			return req, err
		}
		req.SLSA = s
	}
	return req, nil
}

// slsaFlags are slsa-verifier's requirements.
type slsaFlags struct {
	builders     []string
	source       string
	branch       string
	tag          string
	versionedTag string
	buildType    string
}

func (s *slsaFlags) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&s.builders, "builder-id", nil, "allowed builder ID (repeatable; without @ any version of the builder)")
	f.StringVar(&s.source, "source-uri", "", "required source repository, e.g. github.com/owner/repo")
	f.StringVar(&s.branch, "source-branch", "", "required branch that was built (main)")
	f.StringVar(&s.tag, "source-tag", "", "required tag that was built (v1.2.3)")
	f.StringVar(&s.versionedTag, "source-versioned-tag", "", "semver constraint the built tag must satisfy (^1.2)")
	f.StringVar(&s.buildType, "build-type", "", "required build type URI")
}

func (s *slsaFlags) set() bool {
	return len(s.builders) > 0 || s.source != "" || s.branch != "" || s.tag != "" || s.versionedTag != "" || s.buildType != ""
}

func (s *slsaFlags) requirements() (*verify.SLSARequirements, error) {
	if len(s.builders) == 0 {
		return nil, usageErr("SLSA checks need at least one --builder-id: provenance from an unknown builder proves nothing")
	}
	return &verify.SLSARequirements{
		BuilderIDs: s.builders, SourceURI: s.source, Branch: s.branch, Tag: s.tag,
		VersionedTag: s.versionedTag, BuildType: s.buildType,
	}, nil
}

// artifactFlags say what a bundle must be about.
type artifactFlags struct {
	digest   string
	artifact string
}

func (f *artifactFlags) flags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.digest, "digest", "", "digest of the signed artifact, sha256:<hex> or sha512:<hex>")
	cmd.Flags().StringVar(&f.artifact, "artifact", "", "the signed artifact file")
}

// open returns the verify.Artifact; an artifact file
// is read by the verifier through a reader that the returned func closes.
func (f *artifactFlags) open() (verify.Artifact, func(), error) {
	switch {
	case f.digest != "" && f.artifact != "":
		return verify.Artifact{}, nil, usageErr("give --digest or --artifact, not both")
	case f.digest != "":
		alg, hex, ok := strings.Cut(f.digest, ":")
		if !ok {
			return verify.Artifact{}, nil, usageErr("--digest %q: want algorithm:hex", f.digest)
		}
		return verify.ArtifactDigest(alg, hex), func() {}, nil
	case f.artifact != "":
		fh, err := os.Open(f.artifact)
		if err != nil {
			return verify.Artifact{}, nil, fmt.Errorf("read artifact: %w", err)
		}
		return verify.ArtifactReader(fh), func() { fh.Close() }, nil
	}
	return verify.Artifact{}, nil, usageErr("give the signed artifact with --digest or --artifact")
}

// verifyOutcome turns a verification error into the exit code: a failed
// check (a *CheckError) is a "no" (1); anything else could not verify (2).
func verifyOutcome(err error) error {
	var ce *verify.CheckError
	if errors.As(err, &ce) {
		return denied("verification failed: %v", err)
	}
	return err
}

func (a *app) runVerifyBundle(cmd *cobra.Command, bundlePath string, t *trustFlags, af *artifactFlags) error {
	if err := a.formats("text", "json"); err != nil {
		return err
	}
	req, err := t.requirements()
	if err != nil {
		return err
	}
	art, closeArt, err := af.open()
	if err != nil {
		return err
	}
	defer closeArt()
	req.Artifact = art
	v, err := t.verifier()
	if err != nil {
		return err
	}
	bundle, err := readFile("bundle", bundlePath, verify.MaxBundleSize)
	if err != nil {
		return err
	}
	res, verr := v.VerifyBundle(cmd.Context(), bundle, req)
	if res == nil && verr != nil {
		return verifyOutcome(verr)
	}
	if a.output == "json" {
		if err := writeJSON(a.stdout, res); err != nil {
			return err
		}
	} else if err := writeResultText(a.stdout, bundlePath, res, verr); err != nil {
		return err
	}
	if verr != nil {
		return verifyOutcome(verr)
	}
	if !res.Verified {
		return denied("%s did not verify", bundlePath)
	}
	return nil
}

func writeResultText(w io.Writer, what string, res *verify.Result, verr error) error {
	status := "VERIFIED"
	if verr != nil || !res.Verified {
		status = "NOT VERIFIED"
	}
	fmt.Fprintf(w, "%s: %s\n", what, status)
	if res.BundleVersion != "" {
		fmt.Fprintf(w, "  bundle     %s\n", res.BundleVersion)
	}
	if res.Artifact != "" {
		fmt.Fprintf(w, "  artifact   %s\n", res.Artifact)
	}
	if s := res.Signer; s != nil {
		if s.Kind == "key" {
			fmt.Fprintf(w, "  signer     key %s\n", s.KeyID)
		} else {
			fmt.Fprintf(w, "  signer     %s (%s)\n", s.SubjectAlternativeName, s.Issuer)
		}
	}
	if res.Statement != nil {
		fmt.Fprintf(w, "  predicate  %s\n", res.Statement.PredicateType)
	}
	if s := res.SLSA; s != nil {
		fmt.Fprintf(w, "  builder    %s\n", s.BuilderID)
		if s.SourceURI != "" {
			fmt.Fprintf(w, "  source     %s@%s %s\n", s.SourceURI, s.Ref, s.Commit)
		}
	}
	for _, ts := range res.Timestamps {
		fmt.Fprintf(w, "  timestamp  %s %s %s\n", ts.Kind, ts.URI, ts.Time.UTC().Format(time.RFC3339))
	}
	return printChecks(w, res.Checks, verr)
}

func (a *app) verifyBundleCmd() *cobra.Command {
	var t trustFlags
	var af artifactFlags
	cmd := &cobra.Command{
		Use:   "bundle BUNDLE",
		Short: "Verify a Sigstore bundle against a trusted root or keys, for an artifact and a signer",
		Long: `Bundle verifies a Sigstore bundle (v0.1 to v0.3, message signature or DSSE)
offline: the signature over the artifact (--digest or --artifact), the
certificate chain to the trusted root, the transparency-log entry, an
observer timestamp and the SCT, and the signer's identity (--issuer and
--san, or their -regexp forms, and the GitHub workflow claims).

  chaingate verify bundle sigstore-2.0.0.sigstore.json --trusted-root trusted_root.json \
    --digest sha512:46d4e2f7... \
    --issuer https://token.actions.githubusercontent.com \
    --san https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main

A bundle that does not verify, malformed ones included, exits 1; every
check made is listed with its outcome.

` + exitCodesHelp,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runVerifyBundle(cmd, args[0], &t, &af)
		},
	}
	t.flags(cmd)
	t.predicateFlag(cmd)
	t.slsa.flags(cmd)
	af.flags(cmd)
	return cmd
}

func (a *app) verifySLSACmd() *cobra.Command {
	var t trustFlags
	var af artifactFlags
	t.slsaNeeded = true
	cmd := &cobra.Command{
		Use:   "slsa BUNDLE",
		Short: "Verify a SLSA provenance bundle and check builder, source and ref (like slsa-verifier)",
		Long: `SLSA verifies a provenance bundle as "verify bundle" does, then checks the
verified SLSA provenance (v0.2 or v1) against slsa-verifier's requirements:
the builder (--builder-id, required), the source repository (--source-uri),
the branch or tag that was built, a semver constraint on the tag, and the
build type. Only a verified statement is checked: an unverified one proves
nothing.

  chaingate verify slsa sigstore-2.0.0.sigstore.json --trusted-root trusted_root.json \
    --digest sha512:46d4e2f7... --issuer https://token.actions.githubusercontent.com \
    --san-regexp 'https://github.com/sigstore/sigstore-js/.*' \
    --builder-id https://github.com/actions/runner/github-hosted \
    --source-uri github.com/sigstore/sigstore-js --source-branch main

` + exitCodesHelp,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runVerifyBundle(cmd, args[0], &t, &af)
		},
	}
	t.flags(cmd)
	t.predicateFlag(cmd)
	t.slsa.flags(cmd)
	af.flags(cmd)
	return cmd
}

func (a *app) verifyImageCmd() *cobra.Command {
	var t trustFlags
	var network, insecure, requireSig, requireAtt bool
	cmd := &cobra.Command{
		Use:   "image REFERENCE",
		Short: "Verify an OCI image's signatures and attestations in its registry (network, opt-in)",
		Long: `Image resolves REFERENCE in its registry, finds its signatures and
attestations both ways they are published (cosign's sha256-<hex>.sig and
.att tags, and OCI 1.1 referrers), and verifies each against the image's
manifest digest. It needs --allow-network; --allow-insecure-registry
permits a plain-HTTP registry (a local one). Credentials are not read:
the registry is accessed anonymously.

By default one verified signature or attestation is enough;
--require-signature and --require-attestation ask for both kinds. The SLSA
flags check every verified provenance attestation.

  chaingate verify image ghcr.io/acme/api:1.2.0 --allow-network \
    --trusted-root trusted_root.json --issuer https://token.actions.githubusercontent.com \
    --san-regexp 'https://github.com/acme/api/.*' --require-signature

` + exitCodesHelp,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.formats("text", "json"); err != nil {
				return err
			}
			if !network {
				return usageErr("verify image reaches the registry of %s: add --allow-network", args[0])
			}
			req, err := t.requirements()
			if err != nil {
				return err
			}
			v, err := t.verifier()
			if err != nil {
				return err
			}
			ro := verify.RegistryOptions{Client: &http.Client{}}
			if insecure {
				ro.NameOptions = append(ro.NameOptions, name.Insecure)
			}
			p := newProgress(a.stderr)
			p.step("verifying %s", args[0])
			res, verr := v.VerifyImage(cmd.Context(), args[0], verify.ImageRequirements{
				Requirements: req, RequireSignature: requireSig, RequireAttestation: requireAtt,
			}, ro)
			p.finish()
			if res == nil {
				if verr == nil {
					verr = errors.New("verify image: no result")
				}
				return verifyOutcome(verr)
			}
			if a.output == "json" {
				if err := writeJSON(a.stdout, res); err != nil {
					return err
				}
			} else if err := writeImageResultText(a.stdout, res, verr); err != nil {
				return err
			}
			if verr != nil {
				return verifyOutcome(verr)
			}
			if !res.Verified {
				return denied("%s did not verify", args[0])
			}
			return nil
		},
	}
	t.flags(cmd)
	t.predicateFlag(cmd)
	t.slsa.flags(cmd)
	cmd.Flags().BoolVar(&network, "allow-network", false, "allow reaching the registry (network is opt-in)")
	cmd.Flags().BoolVar(&insecure, "allow-insecure-registry", false, "allow a plain-HTTP registry")
	cmd.Flags().BoolVar(&requireSig, "require-signature", false, "require at least one verified image signature")
	cmd.Flags().BoolVar(&requireAtt, "require-attestation", false, "require at least one verified attestation")
	return cmd
}

func writeImageResultText(w io.Writer, res *verify.ImageResult, verr error) error {
	status := "VERIFIED"
	if verr != nil || !res.Verified {
		status = "NOT VERIFIED"
	}
	fmt.Fprintf(w, "%s: %s\n  digest        %s\n  signatures    %d verified\n  attestations  %d verified\n",
		res.Reference, status, res.Digest, len(res.Signatures), len(res.Attestations))
	for _, r := range append(append([]*verify.Result(nil), res.Signatures...), res.Attestations...) {
		if r.Signer != nil {
			who := r.Signer.SubjectAlternativeName
			if r.Signer.Kind == "key" {
				who = "key " + r.Signer.KeyID
			}
			fmt.Fprintf(w, "  signer        %s\n", who)
		}
		if r.SLSA != nil {
			fmt.Fprintf(w, "  provenance    %s from %s@%s\n", r.SLSA.BuilderID, r.SLSA.SourceURI, r.SLSA.Ref)
		}
	}
	return printChecks(w, res.Checks, verr)
}

// printChecks writes a verification's checks as a table, then its error.
func printChecks(w io.Writer, checks []verify.Check, verr error) error {
	t := newTable(w, "CHECK", "RESULT", "DETAIL")
	for _, c := range checks {
		r := "ok"
		if !c.Passed {
			r = "FAILED"
		}
		t.row(c.Name, r, c.Detail)
	}
	if err := t.flush(); err != nil {
		return err
	}
	if verr != nil {
		fmt.Fprintf(w, "  error: %v\n", verr)
	}
	return nil
}
