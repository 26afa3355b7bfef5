package verify

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/chaingate/chaingate/provenance"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	"google.golang.org/protobuf/encoding/protojson"
)

// Media types of signatures and attestations stored in registries.
const (
	MediaTypeDSSE         = "application/vnd.dsse.envelope.v1+json"
	mediaTypeBundlePrefix = "application/vnd.dev.sigstore.bundle"
	maxOCILayerSize       = 16 << 20
	maxOCIItems           = 64
)

// RegistryOptions gives VerifyImage its network access. Client is
// required: nothing is fetched without it.
type RegistryOptions struct {
	// Client carries requests to the registry (its Transport is used).
	Client *http.Client
	// Keychain resolves credentials; nil means anonymous.
	Keychain authn.Keychain
	// NameOptions are passed to name.ParseReference (e.g. name.Insecure).
	NameOptions []name.Option
}

// ImageRequirements are what VerifyImage demands of an image. The
// artifact is always the image's manifest digest; Requirements.Artifact
// is ignored. Requirements.Threshold counts distinct signers over all
// verified signatures and attestations.
type ImageRequirements struct {
	Requirements
	// RequireSignature needs at least one verified image signature
	// (cosign .sig or a Sigstore bundle signing the manifest digest).
	RequireSignature bool
	// RequireAttestation needs at least one verified attestation (of
	// Requirements.PredicateType when set).
	RequireAttestation bool
}

// ImageResult is the outcome of VerifyImage.
type ImageResult struct {
	SchemaVersion string `json:"schemaVersion"`
	Verified      bool   `json:"verified"`
	Reference     string `json:"reference"`
	Digest        string `json:"digest"`
	// Signatures and Attestations are the verified items.
	Signatures   []*Result `json:"signatures"`
	Attestations []*Result `json:"attestations"`
	// Checks records discovery and every item tried, failed ones included.
	Checks []Check `json:"checks"`
}

type ociItem struct {
	source   string // where it was found
	bundle   []byte // a Sigstore bundle
	isAttest bool
	// payload for cosign simple-signing signatures, checked against the digest.
	simpleSigning []byte
}

// VerifyImage resolves ref, discovers its signatures and attestations both
// ways they are published — cosign's sha256-<hex>.sig / .att tags and the
// OCI 1.1 referrers API — and verifies each against the image digest. It
// fails unless the ImageRequirements are met (by default: at least one
// verified signature or attestation).
func (v *Verifier) VerifyImage(ctx context.Context, ref string, req ImageRequirements, ro RegistryOptions) (*ImageResult, error) {
	out := &ImageResult{SchemaVersion: SchemaVersion, Reference: ref, Signatures: []*Result{}, Attestations: []*Result{}, Checks: []Check{}}
	fail := func(ce *CheckError) (*ImageResult, error) {
		out.Checks = append(out.Checks, Check{Name: ce.Check, Passed: false, Detail: ce.Err.Error()})
		return out, ce
	}
	if ro.Client == nil {
		return fail(checkErr(CheckOCI, ErrInvalidInput, errors.New("RegistryOptions.Client is required (no network without it)")))
	}
	// A required predicate or SLSA check can only be met by an attestation:
	// a plain signature must never stand in for it.
	if req.PredicateType != "" || req.SLSA != nil {
		req.RequireAttestation = true
	}
	r, err := name.ParseReference(ref, ro.NameOptions...)
	if err != nil {
		return fail(checkErr(CheckOCI, ErrInvalidInput, err))
	}
	tr := ro.Client.Transport
	if tr == nil {
		tr = http.DefaultTransport
	}
	kc := ro.Keychain
	if kc == nil {
		kc = authn.NewMultiKeychain()
	}
	opts := []remote.Option{remote.WithContext(ctx), remote.WithTransport(tr), remote.WithAuthFromKeychain(kc)}
	desc, err := remote.Head(r, opts...)
	if err != nil {
		return fail(checkErr(CheckOCI, ErrInvalidInput, fmt.Errorf("resolve %s: %w", ref, err)))
	}
	digest := desc.Digest
	out.Digest = digest.String()
	out.Checks = append(out.Checks, Check{Name: CheckOCI, Passed: true, Detail: "resolved to " + out.Digest})

	items, err := discoverOCI(r.Context(), digest, opts)
	if err != nil {
		return fail(checkErr(CheckOCI, ErrInvalidInput, err))
	}
	if len(items) == 0 {
		return fail(checkErr(CheckOCI, ErrNotFound, fmt.Errorf("no signatures or attestations for %s", out.Digest)))
	}
	itemReq := req.Requirements
	itemReq.Artifact = ArtifactDigest(digest.Algorithm, digest.Hex)
	itemReq.Threshold = 0 // counted over items below
	for _, it := range items {
		r := itemReq
		if it.simpleSigning != nil {
			r.Artifact = ArtifactBytes(it.simpleSigning)
		}
		if !it.isAttest {
			r.PredicateType, r.SLSA = "", nil
		}
		res, err := v.VerifyBundle(ctx, it.bundle, r)
		if err == nil && it.simpleSigning != nil {
			if ce := checkSimpleSigning(it.simpleSigning, digest); ce != nil {
				res, err = res.fail(ce)
			}
		}
		if err != nil {
			out.Checks = append(out.Checks, Check{Name: it.source, Passed: false, Detail: err.Error()})
			continue
		}
		out.Checks = append(out.Checks, Check{Name: it.source, Passed: true, Detail: "verified"})
		if it.isAttest {
			out.Attestations = append(out.Attestations, res)
		} else {
			out.Signatures = append(out.Signatures, res)
		}
	}
	switch {
	case req.RequireSignature && len(out.Signatures) == 0:
		return fail(checkErr(CheckSignature, ErrNoTrustedSignature, fmt.Errorf("no verified signature among %d item(s)", len(items))))
	case req.RequireAttestation && len(out.Attestations) == 0:
		return fail(checkErr(CheckStatement, ErrNoTrustedSignature, fmt.Errorf("no verified attestation among %d item(s)", len(items))))
	case len(out.Signatures)+len(out.Attestations) == 0:
		return fail(checkErr(CheckSignature, ErrNoTrustedSignature, fmt.Errorf("none of %d item(s) verified", len(items))))
	}
	if req.Threshold > 1 {
		seen := map[string]bool{}
		for _, r := range append(append([]*Result{}, out.Signatures...), out.Attestations...) {
			seen[signerKey(r.Signer)] = true
		}
		if len(seen) < req.Threshold {
			return fail(checkErr(CheckThreshold, ErrThresholdNotMet, fmt.Errorf("%d distinct trusted signer(s), need %d", len(seen), req.Threshold)))
		}
		out.Checks = append(out.Checks, Check{Name: CheckThreshold, Passed: true, Detail: fmt.Sprintf("%d distinct signers, need %d", len(seen), req.Threshold)})
	}
	out.Verified = true
	return out, nil
}

func checkSimpleSigning(payload []byte, digest v1.Hash) *CheckError {
	ss, err := provenance.ParseSimpleSigning(payload)
	if err != nil {
		return checkErr(CheckArtifact, ErrInvalidInput, err)
	}
	if ss.Critical.Image.DockerManifestDigest != digest.String() {
		return checkErr(CheckArtifact, ErrArtifactMismatch, fmt.Errorf("signature is for %s, image is %s", ss.Critical.Image.DockerManifestDigest, digest))
	}
	return nil
}

// discoverOCI finds cosign tags and OCI 1.1 referrers.
func discoverOCI(repo name.Repository, digest v1.Hash, opts []remote.Option) ([]ociItem, error) {
	var items []ociItem
	for _, suffix := range []string{"sig", "att"} {
		tag := repo.Tag(fmt.Sprintf("%s-%s.%s", digest.Algorithm, digest.Hex, suffix))
		img, err := remote.Image(tag, opts...)
		if err != nil {
			var te *transport.Error
			if errors.As(err, &te) && te.StatusCode == http.StatusNotFound {
				continue
			}
			return nil, fmt.Errorf("fetch %s: %w", tag, err)
		}
		got, err := ociLayers(img, "tag "+tag.TagStr(), suffix == "att")
		if err != nil {
			return nil, err
		}
		items = append(items, got...)
	}
	idx, err := remote.Referrers(repo.Digest(digest.String()), opts...)
	if err != nil {
		return nil, fmt.Errorf("referrers of %s: %w", digest, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("referrers of %s: %w", digest, err)
	}
	for _, d := range im.Manifests {
		if len(items) >= maxOCIItems {
			break
		}
		if !strings.HasPrefix(d.ArtifactType, mediaTypeBundlePrefix) && d.ArtifactType != MediaTypeDSSE {
			continue
		}
		img, err := remote.Image(repo.Digest(d.Digest.String()), opts...)
		if err != nil {
			return nil, fmt.Errorf("fetch referrer %s: %w", d.Digest, err)
		}
		got, err := ociLayers(img, "referrer "+d.Digest.String(), false)
		if err != nil {
			return nil, err
		}
		items = append(items, got...)
	}
	if len(items) > maxOCIItems {
		items = items[:maxOCIItems]
	}
	return items, nil
}

// ociLayers turns the layers of a signature/attestation image into bundles.
func ociLayers(img v1.Image, source string, att bool) ([]ociItem, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("%s: manifest: %w", source, err)
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("%s: layers: %w", source, err)
	}
	var out []ociItem
	for i, l := range layers {
		if i >= len(m.Layers) || i >= maxOCIItems {
			break
		}
		ld := m.Layers[i]
		if ld.Size > maxOCILayerSize {
			return nil, fmt.Errorf("%s: layer %d of %d bytes over %d", source, i, ld.Size, maxOCILayerSize)
		}
		rc, err := l.Compressed()
		if err != nil {
			return nil, fmt.Errorf("%s: layer %d: %w", source, i, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, maxOCILayerSize+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: layer %d: %w", source, i, err)
		}
		src := fmt.Sprintf("%s layer %d", source, i)
		mt := string(ld.MediaType)
		switch {
		case strings.HasPrefix(mt, mediaTypeBundlePrefix):
			isAtt := att
			if b, err := provenance.ParseBundle(data); err == nil && b.Sigstore().GetDsseEnvelope() != nil {
				isAtt = true
			}
			out = append(out, ociItem{source: src, bundle: data, isAttest: isAtt})
		case mt == MediaTypeDSSE:
			b, err := dsseToBundle(data, ld.Annotations)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", src, err)
			}
			out = append(out, ociItem{source: src, bundle: b, isAttest: true})
		case mt == provenance.CosignSimpleSigningType:
			sig := ld.Annotations[provenance.CosignSignatureAnnotation]
			cs, err := provenance.ParseCosignSignature(data, sig, []byte(ld.Annotations[provenance.CosignCertificateAnnotation]), []byte(ld.Annotations[provenance.CosignChainAnnotation]))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", src, err)
			}
			if rb := ld.Annotations[provenance.CosignBundleAnnotation]; rb != "" {
				if err := cs.SetRekorBundle([]byte(rb)); err != nil {
					return nil, fmt.Errorf("%s: %w", src, err)
				}
			}
			b, err := cs.Bundle("")
			if err != nil {
				return nil, fmt.Errorf("%s: %w", src, err)
			}
			out = append(out, ociItem{source: src, bundle: b, simpleSigning: data})
		}
	}
	return out, nil
}

// dsseToBundle wraps a cosign .att DSSE envelope (key-signed, or with a
// certificate annotation) in a v0.3 bundle so it is verified like any
// other. Without a log entry such bundles verify only under
// WithKeySignaturesWithoutTlogUnsafe.
func dsseToBundle(data []byte, ann map[string]string) ([]byte, error) {
	env, err := provenance.ParseEnvelope(data)
	if err != nil {
		return nil, err
	}
	payload, err := env.DecodeB64Payload()
	if err != nil {
		return nil, err
	}
	pe := &protodsse.Envelope{Payload: payload, PayloadType: env.PayloadType}
	for _, s := range env.Signatures {
		sig, err := decodeB64(s.Sig)
		if err != nil {
			return nil, err
		}
		// keyid left empty: it is an unauthenticated hint, and sigstore-go
		// would skip the configured key when the hint format differs.
		pe.Signatures = append(pe.Signatures, &protodsse.Signature{Sig: sig})
	}
	vm := &protobundle.VerificationMaterial{}
	mediaType := provenance.BundleMediaTypeV03
	if rbJSON := ann[provenance.CosignBundleAnnotation]; rbJSON != "" {
		rb, err := provenance.ParseCosignRekorBundle([]byte(rbJSON))
		if err != nil {
			return nil, err
		}
		tle, err := rb.TransparencyLogEntry()
		if err != nil {
			return nil, err
		}
		vm.TlogEntries = append(vm.TlogEntries, tle)
		mediaType = provenance.BundleMediaTypeV01 // inclusion promise only
	}
	if certPEM := ann[provenance.CosignCertificateAnnotation]; certPEM != "" {
		cs, err := provenance.ParseCosignSignature(nil, "AA==", []byte(certPEM), nil)
		if err != nil {
			return nil, err
		}
		if mediaType == provenance.BundleMediaTypeV01 {
			vm.Content = &protobundle.VerificationMaterial_X509CertificateChain{X509CertificateChain: &protocommon.X509CertificateChain{
				Certificates: []*protocommon.X509Certificate{{RawBytes: cs.Certificate.Raw}},
			}}
		} else {
			vm.Content = &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: cs.Certificate.Raw}}
		}
	} else {
		hint := ""
		if len(env.Signatures) > 0 {
			hint = env.Signatures[0].KeyID
		}
		vm.Content = &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: hint}}
	}
	pb := &protobundle.Bundle{MediaType: mediaType, VerificationMaterial: vm, Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: pe}}
	return protojson.Marshal(pb)
}

func decodeB64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("signature is not base64")
}
