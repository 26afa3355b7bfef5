package gitops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Record is one promotion read back from a commit's trailers.
type Record struct {
	SchemaVersion  string    `json:"schemaVersion"`
	Commit         string    `json:"commit"`
	Time           time.Time `json:"time"`
	Author         string    `json:"author"`
	Stage          string    `json:"stage,omitempty"`
	Image          Reference `json:"image"`
	Previous       []string  `json:"previous,omitempty"`
	Decision       string    `json:"decisionDigest,omitempty"`
	PolicyRevision string    `json:"policyRevision,omitempty"`
	Evidence       []string  `json:"evidence,omitempty"`
	Rollback       bool      `json:"rollback,omitempty"`
	Signed         bool      `json:"signed"`
	// Artifacts and Charts list the images and Helm charts of a release of
	// more than one artifact, and Decisions the decision digest of each,
	// images first; Image and Decision are the first image's (Image is
	// zero when the release has only charts).
	Artifacts []Reference    `json:"artifacts,omitempty"`
	Charts    []ChartVersion `json:"charts,omitempty"`
	Decisions []string       `json:"decisionDigests,omitempty"`
}

// release returns what a record promoted: image references, and charts
// as "name version[@digest]".
func (r Record) release() []string {
	if len(r.Artifacts) == 0 && len(r.Charts) == 0 {
		return []string{r.Image.String()}
	}
	var out []string
	for _, a := range r.Artifacts {
		out = append(out, a.String())
	}
	for _, c := range r.Charts {
		out = append(out, c.String())
	}
	return out
}

// releaseRequest turns release() strings back into a request.
func releaseRequest(ids []string) (Request, error) {
	var req Request
	for _, id := range ids {
		if strings.Contains(id, " ") {
			c, err := ParseChartVersion(id)
			if err != nil {
				return Request{}, err
			}
			req.Artifacts = append(req.Artifacts, Artifact{Chart: &c})
			continue
		}
		if req.Image == "" {
			req.Image = id
			continue
		}
		req.Artifacts = append(req.Artifacts, Artifact{Image: id})
	}
	return req, nil
}

// HistoryOptions filters History.
type HistoryOptions struct {
	// Stage keeps only records of this stage when set.
	Stage string
	// Limit stops after this many records (0: no limit).
	Limit int
}

// parseTrailers reads "Key: value" lines from a message's last paragraph.
func parseTrailers(msg string) map[string][]string {
	msg = strings.TrimRight(msg, "\n")
	if i := strings.LastIndex(msg, "\n\n"); i >= 0 {
		msg = msg[i+2:]
	}
	out := map[string][]string{}
	for _, line := range strings.Split(msg, "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return map[string][]string{}
		}
		out[k] = append(out[k], strings.TrimSpace(v))
	}
	return out
}

func recordOf(c *object.Commit) (Record, bool) {
	tr := parseTrailers(c.Message)
	imgs, chartIDs := tr[TrailerImage], tr[TrailerChart]
	total := len(imgs) + len(chartIDs)
	if total == 0 || total > maxReleaseArtifacts {
		return Record{}, false
	}
	charts := make([]ChartVersion, len(chartIDs))
	for i, id := range chartIDs {
		c, err := ParseChartVersion(id)
		if err != nil {
			return Record{}, false
		}
		charts[i] = c
	}
	refs := make([]Reference, len(imgs))
	for i, img := range imgs {
		r, err := ParseReference(img)
		if err != nil {
			return Record{}, false
		}
		refs[i] = r
	}
	var ref Reference
	if len(refs) > 0 {
		ref = refs[0]
	}
	// A release names a decision for every artifact, in order.
	if total > 1 && len(tr[TrailerDecision]) != total {
		return Record{}, false
	}
	r := Record{
		SchemaVersion: SchemaVersion, Commit: c.Hash.String(), Time: c.Committer.When.UTC(),
		Author: c.Author.Name + " <" + c.Author.Email + ">", Image: ref,
		Previous: tr[TrailerPrevious], Evidence: tr[TrailerEvidence],
		Rollback: len(tr[TrailerRollback]) > 0 && tr[TrailerRollback][0] == "true",
		Signed:   c.PGPSignature != "",
	}
	if s := tr[TrailerStage]; len(s) > 0 {
		r.Stage = s[0]
	}
	if d := tr[TrailerDecision]; len(d) > 0 {
		r.Decision = d[0]
	}
	if total > 1 || len(charts) > 0 {
		r.Artifacts, r.Charts, r.Decisions = refs, charts, tr[TrailerDecision]
	}
	if pr := tr[TrailerPolicy]; len(pr) > 0 {
		r.PolicyRevision = pr[0]
	}
	return r, true
}

// History returns the promotion records on the branch, newest first,
// following first parents from the tip.
func (p *Promoter) History(ctx context.Context, opts HistoryOptions) ([]Record, error) {
	var out []Record
	err := p.useClone(ctx, func() error {
		var err error
		out, err = p.history(ctx, opts)
		return err
	})
	return out, err
}

func (p *Promoter) history(ctx context.Context, opts HistoryOptions) ([]Record, error) {
	snap, err := fetchTip(ctx, p.repo, 0)
	if err != nil {
		return nil, err
	}
	var out []Record
	c := snap.commit
	for c != nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if r, ok := recordOf(c); ok && (opts.Stage == "" || r.Stage == opts.Stage) {
			out = append(out, r)
			if opts.Limit > 0 && len(out) >= opts.Limit {
				break
			}
		}
		if len(c.ParentHashes) == 0 {
			break
		}
		next, err := snap.repo.CommitObject(c.ParentHashes[0])
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			break // shallow boundary of a caller's clone
		}
		if err != nil {
			return nil, fmt.Errorf("gitops: history: %w", err)
		}
		c = next
	}
	return out, nil
}

// maxReleaseArtifacts bounds the artifacts a promotion record may name.
const maxReleaseArtifacts = 1000

// RollbackRequest asks for a stage to return to a previously recorded
// image, or release: rolling back to any artifact of a release restores
// every artifact of that release.
type RollbackRequest struct {
	Stage string `json:"stage"`
	// To is the image to return to; when empty, the most recent recorded
	// image of the stage that differs from its current one.
	To       string     `json:"to,omitempty"`
	Evidence []Evidence `json:"evidence,omitempty"`
	Message  string     `json:"message,omitempty"`
}

// ErrNoHistory reports a rollback with no earlier recorded value.
var ErrNoHistory = errors.New("gitops: no earlier promotion recorded")

// Rollback promotes a previously recorded image again, as a new promotion
// (never a revert: other promotions may have landed since). It passes the
// Gate and respects the stage's pin like any promotion; the stage's
// RequireLiveIn rule is waived, since the value was live there before.
func (p *Promoter) Rollback(ctx context.Context, req RollbackRequest) (*Promotion, error) {
	if req.Stage == "" {
		return nil, fmt.Errorf("%w: rollback needs a stage", ErrInvalidTarget)
	}
	recs, err := p.History(ctx, HistoryOptions{Stage: req.Stage})
	if err != nil {
		return nil, err
	}
	// A release is rolled back whole: every artifact of the release
	// that is restored.
	same := func(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") }
	var target []string
	if req.To == "" {
		if len(recs) == 0 {
			return nil, fmt.Errorf("%w for stage %s", ErrNoHistory, req.Stage)
		}
		cur := recs[0].release()
		isRelease := func(r Record) bool { return len(r.Artifacts)+len(r.Charts) > 0 }
		for _, r := range recs[1:] {
			if !same(r.release(), cur) {
				target = r.release()
				break
			}
		}
		if target == nil {
			oldest := recs[len(recs)-1]
			if isRelease(oldest) {
				if prev := oldest.Previous; len(prev) > 0 && !same(prev, cur) {
					target = prev
				}
			} else {
				for _, prev := range oldest.Previous {
					if prev != cur[0] {
						target = []string{prev}
						break
					}
				}
			}
		}
		if target == nil {
			return nil, fmt.Errorf("%w for stage %s", ErrNoHistory, req.Stage)
		}
	} else {
	search:
		for _, r := range recs {
			for _, img := range r.release() {
				if img == req.To {
					target = r.release()
					break search
				}
			}
			for _, prev := range r.Previous {
				if prev == req.To {
					target = []string{req.To}
					if len(r.Artifacts)+len(r.Charts) > 0 {
						target = r.Previous
					}
					break search
				}
			}
		}
		if target == nil {
			return nil, fmt.Errorf("%w: %s was never recorded for stage %s", ErrNoHistory, req.To, req.Stage)
		}
	}
	out, err := releaseRequest(target)
	if err != nil {
		return nil, fmt.Errorf("gitops: rollback %s: %w", req.Stage, err)
	}
	out.Stage, out.Evidence, out.Message, out.rollback = req.Stage, req.Evidence, req.Message, true
	return p.Promote(ctx, out)
}

// AllowedSigner is one trusted committer and the paths it may change.
type AllowedSigner struct {
	// Fingerprint is the key fingerprint Verifier reports (OpenPGP hex or
	// SSH "SHA256:..."); Name, when Fingerprint is empty, matches the
	// identity's name or principal instead.
	Fingerprint string `json:"fingerprint,omitempty"`
	Name        string `json:"name,omitempty"`
	// Paths are glob patterns ("apps/foo/**"); empty means any path.
	Paths []string `json:"paths,omitempty"`
}

// AuditOptions configures Audit.
type AuditOptions struct {
	// Verifier checks signatures; required.
	Verifier Verifier
	// Signers is the allow-list; empty trusts every key Verifier accepts.
	Signers []AllowedSigner
	// Limit stops after this many commits (0: all).
	Limit int
}

// Finding kinds reported by Audit.
const (
	FindingUnsigned       = "unsigned"
	FindingUntrusted      = "untrusted-signature"
	FindingUnknownSigner  = "unknown-signer"
	FindingPathNotAllowed = "path-not-allowed"
)

// Finding is one problem Audit found in one commit.
type Finding struct {
	Commit  string    `json:"commit"`
	Kind    string    `json:"kind"`
	Message string    `json:"message"`
	Signer  *Identity `json:"signer,omitempty"`
	Paths   []string  `json:"paths,omitempty"`
}

// AuditReport is the result of Audit.
type AuditReport struct {
	SchemaVersion string    `json:"schemaVersion"`
	Branch        string    `json:"branch"`
	Tip           string    `json:"tip"`
	Commits       int       `json:"commits"`
	Findings      []Finding `json:"findings"`
}

// OK is true when no findings were reported.
func (r *AuditReport) OK() bool { return len(r.Findings) == 0 }

// Audit walks the branch's history and reports commits that are unsigned,
// signed by a key that does not verify or is not allowed, or that change
// paths outside what their signer may change.
func (p *Promoter) Audit(ctx context.Context, opts AuditOptions) (*AuditReport, error) {
	var rep *AuditReport
	err := p.useClone(ctx, func() error {
		var err error
		rep, err = p.audit(ctx, opts)
		return err
	})
	return rep, err
}

func (p *Promoter) audit(ctx context.Context, opts AuditOptions) (*AuditReport, error) {
	if opts.Verifier == nil {
		return nil, errors.New("gitops: audit needs a Verifier")
	}
	snap, err := fetchTip(ctx, p.repo, 0)
	if err != nil {
		return nil, err
	}
	rep := &AuditReport{SchemaVersion: SchemaVersion, Branch: p.repo.branch(), Tip: snap.tip.String(), Findings: []Finding{}}
	seen := map[plumbing.Hash]bool{}
	queue := []plumbing.Hash{snap.tip}
	for len(queue) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h := queue[0]
		queue = queue[1:]
		if seen[h] {
			continue
		}
		seen[h] = true
		c, err := snap.repo.CommitObject(h)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("gitops: audit %s: %w", h, err)
		}
		rep.Commits++
		queue = append(queue, c.ParentHashes...)
		rep.Findings = append(rep.Findings, auditCommit(snap, c, opts)...)
		if opts.Limit > 0 && rep.Commits >= opts.Limit {
			break
		}
	}
	return rep, nil
}

func auditCommit(snap *snapshot, c *object.Commit, opts AuditOptions) []Finding {
	id := c.Hash.String()
	if c.PGPSignature == "" {
		return []Finding{{Commit: id, Kind: FindingUnsigned, Message: "commit is not signed"}}
	}
	payload, err := signedPayload(c)
	if err != nil {
		return []Finding{{Commit: id, Kind: FindingUntrusted, Message: err.Error()}}
	}
	ident, err := opts.Verifier.Verify(payload, []byte(c.PGPSignature))
	if err != nil {
		return []Finding{{Commit: id, Kind: FindingUntrusted, Message: err.Error()}}
	}
	if len(opts.Signers) == 0 {
		return nil
	}
	var rule *AllowedSigner
	for i, s := range opts.Signers {
		if (s.Fingerprint != "" && strings.EqualFold(s.Fingerprint, ident.Fingerprint)) ||
			(s.Fingerprint == "" && s.Name != "" && s.Name == ident.Name) {
			rule = &opts.Signers[i]
			break
		}
	}
	if rule == nil {
		return []Finding{{Commit: id, Kind: FindingUnknownSigner, Signer: &ident,
			Message: fmt.Sprintf("signer %s (%s) is not in the allow-list", ident.Fingerprint, ident.Name)}}
	}
	if len(rule.Paths) == 0 {
		return nil
	}
	changed, err := changedPaths(snap, c)
	if err != nil {
		return []Finding{{Commit: id, Kind: FindingPathNotAllowed, Signer: &ident, Message: "cannot list changed paths: " + err.Error()}}
	}
	var outside []string
	for _, pth := range changed {
		ok := false
		for _, pat := range rule.Paths {
			ok = ok || matchGlob(pat, pth)
		}
		if !ok {
			outside = append(outside, pth)
		}
	}
	if len(outside) > 0 {
		return []Finding{{Commit: id, Kind: FindingPathNotAllowed, Signer: &ident, Paths: outside,
			Message: fmt.Sprintf("signer %s changed %d paths outside %v", ident.Name, len(outside), rule.Paths)}}
	}
	return nil
}

func signedPayload(c *object.Commit) ([]byte, error) {
	enc := &plumbing.MemoryObject{}
	if err := c.EncodeWithoutSignature(enc); err != nil {
		return nil, err
	}
	rd, err := enc.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

// changedPaths lists the files a commit changes against its first parent
// (every file for a root commit).
func changedPaths(snap *snapshot, c *object.Commit) ([]string, error) {
	tree, err := c.Tree()
	if err != nil {
		return nil, err
	}
	var from *object.Tree
	if len(c.ParentHashes) > 0 {
		parent, err := snap.repo.CommitObject(c.ParentHashes[0])
		if err != nil {
			return nil, err
		}
		if from, err = parent.Tree(); err != nil {
			return nil, err
		}
	}
	changes, err := object.DiffTree(from, tree)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, ch := range changes {
		if ch.From.Name != "" {
			set[ch.From.Name] = true
		}
		if ch.To.Name != "" {
			set[ch.To.Name] = true
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out, nil
}

// StageState is what one stage runs according to the repository.
type StageState struct {
	Stage  string      `json:"stage"`
	Images []Reference `json:"images"`
}

// DriftReport compares what two stages run.
type DriftReport struct {
	SchemaVersion string     `json:"schemaVersion"`
	Commit        string     `json:"commit"`
	From          StageState `json:"from"`
	To            StageState `json:"to"`
	// InSync is true when both stages run the same digests (or, without
	// digests, the same tags) of the same images.
	InSync bool `json:"inSync"`
	// Differences explain why the stages are not in sync.
	Differences []string `json:"differences,omitempty"`
}

// Drift compares what stages from and to run, from the repository alone.
func (p *Promoter) Drift(ctx context.Context, from, to string) (*DriftReport, error) {
	var rep *DriftReport
	err := p.useClone(ctx, func() error {
		var err error
		rep, err = p.drift(ctx, from, to)
		return err
	})
	return rep, err
}

func (p *Promoter) drift(ctx context.Context, from, to string) (*DriftReport, error) {
	snap, err := fetchTip(ctx, p.repo, 1)
	if err != nil {
		return nil, err
	}
	pl, err := p.pipelineAt(snap)
	if err != nil {
		return nil, err
	}
	rep := &DriftReport{SchemaVersion: SchemaVersion, Commit: snap.tip.String()}
	for _, side := range []struct {
		name string
		out  *StageState
	}{{from, &rep.From}, {to, &rep.To}} {
		st, ok := pl.Stage(side.name)
		if !ok {
			return nil, fmt.Errorf("%w: unknown stage %q", ErrStageRule, side.name)
		}
		imgs, err := p.stageImages(ctx, snap, st)
		if err != nil {
			return nil, err
		}
		*side.out = StageState{Stage: side.name, Images: imgs}
	}
	version := func(r Reference) string {
		if r.Digest != "" {
			return r.Digest
		}
		return r.Tag
	}
	byName := func(s StageState) map[string]map[string]bool {
		m := map[string]map[string]bool{}
		for _, r := range s.Images {
			n := normalizeName(r.Name)
			if m[n] == nil {
				m[n] = map[string]bool{}
			}
			m[n][version(r)] = true
		}
		return m
	}
	a, b := byName(rep.From), byName(rep.To)
	names := map[string]bool{}
	for n := range a {
		names[n] = true
	}
	for n := range b {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		va, vb := keys(a[n]), keys(b[n])
		if strings.Join(va, ",") != strings.Join(vb, ",") {
			rep.Differences = append(rep.Differences, fmt.Sprintf("%s: %s runs %v, %s runs %v", n, from, va, to, vb))
		}
	}
	rep.InSync = len(rep.Differences) == 0
	return rep, nil
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
