package chaingate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/chaingate/chaingate/gitops"
	"github.com/chaingate/chaingate/policy"
)

// EvidenceSource finds the evidence (attestations, SBOM) for an image that
// a gitops.Promoter is about to promote, so that a Gate can stand in a
// promoter as its gitops.Gate.
type EvidenceSource interface {
	Evidence(ctx context.Context, c gitops.Candidate) (Candidate, error)
}

// EvidenceFunc adapts a function to EvidenceSource.
type EvidenceFunc func(ctx context.Context, c gitops.Candidate) (Candidate, error)

// Evidence calls f.
func (f EvidenceFunc) Evidence(ctx context.Context, c gitops.Candidate) (Candidate, error) {
	return f(ctx, c)
}

var _ gitops.Gate = (*Gate)(nil)

// Check implements gitops.Gate: it finds the promoted image's evidence
// through the gate's EvidenceSource, evaluates it for the promotion's
// stage, and allows only what Evaluate allows. Without an evidence source
// every promotion is denied.
func (g *Gate) Check(ctx context.Context, gc gitops.Candidate) (gitops.Decision, error) {
	if g.c.evidence == nil {
		err := fmt.Errorf("%w: no evidence source for promotions (WithEvidenceSource or Gate.For)", ErrConfig)
		return gitops.Decision{Allow: false, Reasons: []string{err.Error()}}, err
	}
	c, err := g.c.evidence.Evidence(ctx, gc)
	if err != nil {
		err = &StageError{Stage: StageVerify, Err: fmt.Errorf("find evidence for %s: %w", gc.Image.Name, err)}
		return gitops.Decision{Allow: false, Reasons: []string{err.Error()}}, err
	}
	return g.check(ctx, c, gc)
}

// For returns a gitops.Gate that decides promotions of exactly the
// candidate c: a promotion of any other digest, or of the digest under
// another image name, is denied.
func (g *Gate) For(c Candidate) gitops.Gate {
	return gitops.GateFunc(func(ctx context.Context, gc gitops.Candidate) (gitops.Decision, error) {
		return g.check(ctx, c, gc)
	})
}

func (g *Gate) check(ctx context.Context, c Candidate, gc gitops.Candidate) (gitops.Decision, error) {
	if gc.Image.Digest == "" || gc.Image.Digest != c.Digest {
		msg := fmt.Sprintf("promotion of %s@%s does not match the evaluated digest %s", gc.Image.Name, gc.Image.Digest, c.Digest)
		return gitops.Decision{Allow: false, Reasons: []string{msg}}, nil
	}
	// The same digest under another name is another release: the policy
	// (allowed registries, repositories) judged the candidate's name.
	if !sameRepository(c.Image, gc.Image.Name) {
		msg := fmt.Sprintf("promotion of %s does not match the evaluated image %q", gc.Image.String(), c.Image)
		return gitops.Decision{Allow: false, Reasons: []string{msg}}, nil
	}
	// The policy judges the reference being promoted (its tag included),
	// not the one the evidence was gathered under.
	c.Image = gc.Image.String()
	if gc.Stage != "" {
		c.Environment = gc.Stage
	}
	gitopsIn := policy.GitOps{Environment: c.Environment, Repository: gc.Repository}
	if c.GitOps != nil {
		gitopsIn = *c.GitOps
		gitopsIn.Environment = c.Environment
		if gitopsIn.Repository == "" {
			gitopsIn.Repository = gc.Repository
		}
	}
	c.GitOps = &gitopsIn
	v, err := g.Evaluate(ctx, c)
	d := gitops.Decision{Allow: err == nil && v.Allow, Digest: v.DecisionDigest()}
	if v.Decision != nil {
		d.PolicyRevision = v.Decision.Policy.Revision
		if d.PolicyRevision == "" {
			d.PolicyRevision = v.Decision.Policy.Digest
		}
	}
	for _, r := range v.Reasons {
		d.Reasons = append(d.Reasons, reasonLine(r))
	}
	if !d.Allow && len(d.Reasons) == 0 {
		d.Reasons = []string{"not allowed"}
	}
	return d, err
}

// sameRepository reports whether the candidate's image (a reference,
// perhaps with a tag or digest) and a promoted image name name the same
// repository, comparing OCI names in their canonical form
// ("nginx" is "index.docker.io/library/nginx"). Names that are not OCI
// references must be equal once any tag or digest is removed.
func sameRepository(image, promoted string) bool {
	if image == "" || promoted == "" {
		return false
	}
	a, errA := name.ParseReference(image)
	// The promoted name must be a repository name: a tag or digest inside
	// it ("ghcr.io/acme/api:latest") would be written to Git without the
	// policy having judged it (it sees the Reference's Tag and Digest).
	b, errB := name.NewRepository(promoted)
	if errA == nil && errB == nil {
		return a.Context().Name() == b.Name()
	}
	if r, err := gitops.ParseReference(image); err == nil {
		image = r.Name
	}
	return image == promoted
}

func reasonLine(r policy.Reason) string {
	if r.Code != "" {
		return r.Code + ": " + r.Message
	}
	return r.Message
}

// DecisionDigest is "sha256:<hex>" of the verdict's JSON: what a promotion
// record cites as the gate decision it acted on.
func (v *Verdict) DecisionDigest() string {
	b, err := json.Marshal(v)
	if err != nil {
		// A Verdict is plain data; Marshal fails only on a broken Input.Context.
		b = []byte(errors.Join(errors.New("unmarshalable verdict"), err).Error())
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
