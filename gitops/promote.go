package gitops

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	yaml "go.yaml.in/yaml/v3"
)

// SchemaVersion is the version of the JSON shapes of this package
// (Candidate, Decision, Promotion, Record, AuditReport, DriftReport).
const SchemaVersion = "chaingate.gitops/v1"

// ErrDenied reports that the Gate did not allow a promotion.
var ErrDenied = errors.New("gitops: promotion denied")

// ErrPinned reports a promotion to a stage pinned to another digest.
var ErrPinned = errors.New("gitops: stage is pinned")

// ErrStageRule reports a promotion that breaks a stage rule (for example
// "prod only with the digest live in staging").
var ErrStageRule = errors.New("gitops: stage rule not met")

// ErrPathNotAllowed reports an edit outside the promoter's allowed paths.
var ErrPathNotAllowed = errors.New("gitops: path not allowed")

// Gate decides whether a promotion may be written; any error is a deny.
// The package ships GateFunc to adapt a function; a policy engine is
// plugged in through a GateFunc or a small adapter type that maps a
// Candidate to its input and its answer to a Decision.
type Gate interface {
	Check(ctx context.Context, c Candidate) (Decision, error)
}

// GateFunc adapts a function to the Gate interface.
type GateFunc func(ctx context.Context, c Candidate) (Decision, error)

// Check calls f.
func (f GateFunc) Check(ctx context.Context, c Candidate) (Decision, error) { return f(ctx, c) }

// Evidence is a reference to something a decision rests on: a
// verification result, an SBOM, a policy revision.
type Evidence struct {
	// Kind names the evidence, e.g. "verification", "sbom", "policy".
	Kind string `json:"kind"`
	// Ref locates it (a URI, a file, a revision).
	Ref string `json:"ref,omitempty"`
	// Digest is "sha256:..." of its content, when known.
	Digest string `json:"digest,omitempty"`
}

// Candidate is what the Gate is asked about: one image going to one stage
// through the listed file changes (in a release, one Candidate for each
// artifact).
type Candidate struct {
	SchemaVersion string     `json:"schemaVersion"`
	Repository    string     `json:"repository"`
	Branch        string     `json:"branch"`
	Stage         string     `json:"stage,omitempty"`
	Image         Reference  `json:"image"`
	Previous      []string   `json:"previous,omitempty"`
	Files         []string   `json:"files"`
	Evidence      []Evidence `json:"evidence,omitempty"`
	Rollback      bool       `json:"rollback,omitempty"`
	// Chart is set, and Image is zero, when the artifact is a Helm chart.
	Chart *ChartVersion `json:"chart,omitempty"`
	// Release lists every artifact promoted in the same commit (image
	// references, and charts as "name version[@digest]"), this one among
	// them, when there is more than one; each is checked on its own.
	Release []string `json:"release,omitempty"`
}

// Decision is a Gate's answer.
type Decision struct {
	// Allow is true only when the promotion may proceed.
	Allow bool `json:"allow"`
	// Reasons explain the decision (denies in particular).
	Reasons []string `json:"reasons,omitempty"`
	// Digest identifies the decision document (e.g. "sha256:" of the
	// policy output); when empty, the digest of this Decision's JSON is
	// recorded instead.
	Digest string `json:"digest,omitempty"`
	// PolicyRevision names the policy that decided, if known.
	PolicyRevision string `json:"policyRevision,omitempty"`
}

// Edit is one file change a promotion makes.
type Edit struct {
	File   string      `json:"file" yaml:"file"`
	Target ImageTarget `json:"target" yaml:"target"`
}

// Stage is one environment of a pipeline.
type Stage struct {
	Name string `json:"name" yaml:"name"`
	// Edits are the files and targets the stage's image lives in.
	Edits []Edit `json:"edits" yaml:"edits"`
	// RequireLiveIn names a stage whose current image digest the promoted
	// digest must equal ("prod only with the digest live in staging").
	RequireLiveIn string `json:"requireLiveIn,omitempty" yaml:"requireLiveIn,omitempty"`
	// Pin, when set, is the only digest the stage accepts.
	Pin string `json:"pin,omitempty" yaml:"pin,omitempty"`
}

// Pipeline is the ordered stages of a GitOps repository.
type Pipeline struct {
	Stages []Stage `json:"stages" yaml:"stages"`
}

// Stage returns the named stage.
func (p Pipeline) Stage(name string) (Stage, bool) {
	for _, s := range p.Stages {
		if s.Name == name {
			return s, true
		}
	}
	return Stage{}, false
}

// DefaultPipelineFile is where a pipeline is read from in the repository
// when none is given with WithPipeline.
const DefaultPipelineFile = ".chaingate/stages.yaml"

// ParsePipeline reads a pipeline definition (YAML or JSON).
func ParsePipeline(b []byte) (Pipeline, error) {
	if len(b) > 1<<20 {
		return Pipeline{}, fmt.Errorf("%w: pipeline of %d bytes", ErrTooLarge, len(b))
	}
	var p Pipeline
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return Pipeline{}, fmt.Errorf("gitops: parse pipeline: %w", err)
	}
	seen := map[string]bool{}
	for i, s := range p.Stages {
		if s.Name == "" || seen[s.Name] {
			return Pipeline{}, fmt.Errorf("gitops: parse pipeline: stage %d has an empty or duplicate name %q", i, s.Name)
		}
		seen[s.Name] = true
		if len(s.Edits) == 0 {
			return Pipeline{}, fmt.Errorf("gitops: parse pipeline: stage %q has no edits", s.Name)
		}
		for _, e := range s.Edits {
			if _, err := cleanRepoPath(e.File); err != nil {
				return Pipeline{}, fmt.Errorf("gitops: parse pipeline: stage %q: %w", s.Name, err)
			}
		}
		if s.Pin != "" && !validDigest(s.Pin) {
			return Pipeline{}, fmt.Errorf("gitops: parse pipeline: stage %q pin %q is not a digest", s.Name, s.Pin)
		}
	}
	for _, s := range p.Stages {
		if s.RequireLiveIn != "" && !seen[s.RequireLiveIn] {
			return Pipeline{}, fmt.Errorf("gitops: parse pipeline: stage %q requires unknown stage %q", s.Name, s.RequireLiveIn)
		}
	}
	return p, nil
}

// Request is one promotion.
type Request struct {
	// Image is the artifact: name with a digest (name@sha256:...), a tag
	// (name:tag) or both.
	Image string `json:"image"`
	// Stage selects the edits of a pipeline stage and its rules.
	Stage string `json:"stage,omitempty"`
	// Edits are explicit edits, applied besides the stage's.
	Edits []Edit `json:"edits,omitempty"`
	// Evidence is recorded in the commit and passed to the Gate.
	Evidence []Evidence `json:"evidence,omitempty"`
	// Message is an optional commit message body.
	Message string `json:"message,omitempty"`
	// Artifacts are further images and Helm charts promoted in the same
	// commit as Image (which may then be empty): a release. Every artifact passes the Gate on its own and nothing is
	// written if any is denied; all edits land in one commit with one
	// trailer block. With a Stage, each artifact takes the stage's edits
	// whose target Name is its image name (with one artifact, all of them).
	Artifacts []Artifact `json:"artifacts,omitempty"`
	// rollback is set only by Rollback, after it found the image in the
	// stage's history; it waives the stage's RequireLiveIn rule.
	rollback bool
}

// Artifact is one further artifact of a release (see Request.Artifacts):
// an image or a Helm chart version.
type Artifact struct {
	// Image is the reference, as Request.Image; empty for a chart.
	Image string `json:"image,omitempty"`
	// Chart is a Helm chart version, written with EditChart to the edits'
	// files; the edits' Target.Name is the chart name (only Name is used).
	Chart *ChartVersion `json:"chart,omitempty"`
	// Edits are this artifact's explicit edits.
	Edits []Edit `json:"edits,omitempty"`
}

// PromotedArtifact is one artifact of a promoted release.
type PromotedArtifact struct {
	Image       Reference     `json:"image,omitempty"`
	Chart       *ChartVersion `json:"chart,omitempty"`
	Previous    []string      `json:"previous,omitempty"`
	Files       []string      `json:"files"`
	Decision    Decision      `json:"decision"`
	DecisionRef string        `json:"decisionDigest"`
}

// FileChange lists the values one file had changed.
type FileChange struct {
	File    string   `json:"file"`
	Changes []Change `json:"changes"`
}

// Promotion is the result of a promotion that was allowed.
type Promotion struct {
	SchemaVersion string       `json:"schemaVersion"`
	Stage         string       `json:"stage,omitempty"`
	Image         Reference    `json:"image"`
	Branch        string       `json:"branch"`
	Commit        string       `json:"commit,omitempty"`
	Parent        string       `json:"parent"`
	Previous      []string     `json:"previous,omitempty"`
	Files         []FileChange `json:"files,omitempty"`
	Decision      Decision     `json:"decision"`
	DecisionRef   string       `json:"decisionDigest"`
	// Artifacts lists every artifact of a release of more than one, the
	// first being Image (whose Decision and DecisionRef are above).
	Artifacts []PromotedArtifact `json:"artifacts,omitempty"`
	Attempts  int                `json:"attempts"`
	// NoChange is true when the targets already held the image; nothing
	// was committed.
	NoChange    bool         `json:"noChange,omitempty"`
	PullRequest *PullRequest `json:"pullRequest,omitempty"`
}

// Option configures a Promoter.
type Option func(*config) error

type config struct {
	gate          Gate
	noGate        bool
	signer        Signer
	authorName    string
	authorEmail   string
	pipeline      *Pipeline
	pipelineFile  string
	allowed       []string
	forge         ForgeClient
	maxAttempts   int
	baseDelay     time.Duration
	maxDelay      time.Duration
	now           func() time.Time
	prBranchFront string
	renderCheck   bool
	// fetchDepth is the depth of a promotion's fetch without a Clone (1;
	// the benchmark compares 0, a full fetch, with the git CLI's).
	fetchDepth int
}

// WithGate sets the Gate every promotion must pass.
func WithGate(g Gate) Option {
	return func(c *config) error {
		if g == nil {
			return errors.New("gitops: WithGate(nil)")
		}
		c.gate = g
		return nil
	}
}

// WithoutGateUnsafe lets promotions through without a Gate. Only for tests
// and tools that gate elsewhere.
func WithoutGateUnsafe() Option { return func(c *config) error { c.noGate = true; return nil } }

// WithSigner signs every promotion commit.
func WithSigner(s Signer) Option {
	return func(c *config) error {
		if s == nil {
			return errors.New("gitops: WithSigner(nil)")
		}
		c.signer = s
		return nil
	}
}

// WithAuthor sets the commit author and committer.
func WithAuthor(name, email string) Option {
	return func(c *config) error {
		if name == "" || email == "" || strings.ContainsAny(name+email, "<>\n") {
			return fmt.Errorf("gitops: bad author %q <%s>", name, email)
		}
		c.authorName, c.authorEmail = name, email
		return nil
	}
}

// WithPipeline gives the stages in Go instead of reading them from the
// repository.
func WithPipeline(p Pipeline) Option {
	return func(c *config) error {
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		checked, err := ParsePipeline(b)
		if err != nil {
			return err
		}
		c.pipeline = &checked
		return nil
	}
}

// WithPipelineFile reads the stages from this repository path
// (default DefaultPipelineFile).
func WithPipelineFile(p string) Option {
	return func(c *config) error {
		clean, err := cleanRepoPath(p)
		c.pipelineFile = clean
		return err
	}
}

// WithAllowedPaths limits the files this promoter may change to those
// matching one of the patterns ("apps/foo/overlays/prod/**", "*.yaml").
func WithAllowedPaths(patterns ...string) Option {
	return func(c *config) error {
		for _, p := range patterns {
			if p == "" || strings.HasPrefix(p, "/") {
				return fmt.Errorf("gitops: bad path pattern %q", p)
			}
		}
		c.allowed = append(c.allowed, patterns...)
		return nil
	}
}

// WithPullRequest lands promotions on a promotion branch and opens or
// updates a pull request through forge instead of pushing to the branch.
func WithPullRequest(forge ForgeClient) Option {
	return func(c *config) error {
		if forge == nil {
			return errors.New("gitops: WithPullRequest(nil)")
		}
		c.forge = forge
		return nil
	}
}

// WithRetry bounds the attempts on conflict and the jittered exponential
// backoff between them.
func WithRetry(maxAttempts int, base, max time.Duration) Option {
	return func(c *config) error {
		if maxAttempts < 1 || base < 0 || max < base {
			return fmt.Errorf("gitops: bad retry settings %d %s %s", maxAttempts, base, max)
		}
		c.maxAttempts, c.baseDelay, c.maxDelay = maxAttempts, base, max
		return nil
	}
}

// WithClock sets the time used for commit timestamps.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("gitops: WithClock(nil)")
		}
		c.now = now
		return nil
	}
}

// Promoter writes promotions into one repository branch. It is safe for
// concurrent use: concurrent promotions, in this process or others, meet
// at the push's compare-and-swap and are retried on the new tip. With a
// Repository.Clone, work on that clone's object store is serialised by a
// lock of that clone, taken with the caller's context.
type Promoter struct {
	repo Repository
	cfg  config
}

// NewPromoter validates the options and returns a Promoter for repo.
func NewPromoter(repo Repository, opts ...Option) (*Promoter, error) {
	cfg := config{
		authorName:    "chaingate",
		authorEmail:   "chaingate@localhost",
		pipelineFile:  DefaultPipelineFile,
		maxAttempts:   20,
		baseDelay:     5 * time.Millisecond,
		maxDelay:      500 * time.Millisecond,
		now:           time.Now,
		prBranchFront: "chaingate/promote/",
		fetchDepth:    1,
	}
	var errs []error
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			errs = append(errs, err)
		}
	}
	if cfg.gate == nil && !cfg.noGate {
		errs = append(errs, errors.New("gitops: no Gate: use WithGate (or WithoutGateUnsafe)"))
	}
	if repo.URL == "" && repo.Clone == nil {
		errs = append(errs, errors.New("gitops: repository has neither URL nor Clone"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &Promoter{repo: repo, cfg: cfg}, nil
}

// useClone runs fn holding the lock of the caller's clone, when there is
// one (see cloneLocks); without a Clone it just runs fn. The lock covers
// only work on the clone's object store, which includes fetching into it
// and pushing from it; never a Gate call or a backoff.
func (p *Promoter) useClone(ctx context.Context, fn func() error) error {
	if p.repo.Clone == nil {
		return fn()
	}
	unlock, err := lockClone(ctx, p.repo.Clone)
	if err != nil {
		return err
	}
	defer unlock()
	return fn()
}

// pipelineAt returns the configured pipeline or reads it from the tree.
func (p *Promoter) pipelineAt(snap *snapshot) (Pipeline, error) {
	if p.cfg.pipeline != nil {
		return *p.cfg.pipeline, nil
	}
	b, err := readFile(snap.tree, p.cfg.pipelineFile)
	if err != nil {
		return Pipeline{}, fmt.Errorf("gitops: read pipeline: %w", err)
	}
	return ParsePipeline(b)
}

// plan is one attempt's computed commit content.
type plan struct {
	files    map[string][]byte
	changes  []FileChange
	previous []string
	order    []string
	arts     []artPlan
}

// artifactReq is one artifact of a request.
type artifactReq struct {
	ref   Reference
	chart *ChartVersion
	edits []Edit
}

// id names the artifact in trailers, Release lists and messages.
func (a artifactReq) id() string {
	if a.chart != nil {
		return a.chart.String()
	}
	return a.ref.String()
}

// artPlan is what one artifact changes in a plan.
type artPlan struct {
	artifactReq
	files    []string
	previous []string
}

// requestArtifacts returns the artifacts of req: Image, then the images of
// Artifacts, then its charts (the order of the trailers).
func requestArtifacts(req Request) ([]artifactReq, error) {
	var images []Artifact
	var out, charts []artifactReq
	if req.Image != "" || len(req.Artifacts) == 0 {
		images = append(images, Artifact{Image: req.Image, Edits: req.Edits})
	} else if len(req.Edits) > 0 {
		return nil, fmt.Errorf("%w: request edits without an image", ErrInvalidTarget)
	}
	for _, a := range req.Artifacts {
		if a.Chart == nil {
			images = append(images, a)
			continue
		}
		if a.Image != "" {
			return nil, fmt.Errorf("%w: artifact has both an image and a chart", ErrInvalidTarget)
		}
		c := *a.Chart
		if err := c.validate(); err != nil {
			return nil, err
		}
		for _, o := range charts {
			if o.chart.Name == c.Name {
				return nil, fmt.Errorf("%w: chart %s is already in the release", ErrInvalidTarget, c.Name)
			}
		}
		charts = append(charts, artifactReq{chart: &c, edits: a.Edits})
	}
	for i, a := range images {
		ref, err := ParseReference(a.Image)
		if err != nil {
			return nil, err
		}
		if ref.Tag == "" && ref.Digest == "" {
			return nil, fmt.Errorf("%w %q: needs a tag or a digest", ErrInvalidReference, a.Image)
		}
		for _, o := range out {
			if sameImageName(o.ref.Name, ref.Name) {
				return nil, fmt.Errorf("%w: artifact %d: %s is already in the release", ErrInvalidTarget, i, ref.Name)
			}
		}
		out = append(out, artifactReq{ref: ref, edits: a.Edits})
	}
	return append(out, charts...), nil
}

func (p *Promoter) stageImages(ctx context.Context, snap *snapshot, st Stage) ([]Reference, error) {
	var out []Reference
	for _, e := range st.Edits {
		b, err := readFile(snap.tree, e.File)
		if err != nil {
			return nil, err
		}
		refs, err := observeImages(ctx, b, e.Target)
		if err != nil {
			return nil, fmt.Errorf("gitops: read stage %s %s: %w", st.Name, e.File, err)
		}
		out = append(out, refs...)
	}
	return out, nil
}

func (p *Promoter) makePlan(ctx context.Context, snap *snapshot, req Request, arts []artifactReq) (*plan, error) {
	edits := make([][]Edit, len(arts))
	for i, a := range arts {
		edits[i] = append([]Edit(nil), a.edits...)
	}
	if req.Stage != "" {
		pl, err := p.pipelineAt(snap)
		if err != nil {
			return nil, err
		}
		st, ok := pl.Stage(req.Stage)
		if !ok {
			return nil, fmt.Errorf("%w: unknown stage %q", ErrStageRule, req.Stage)
		}
		var live []Reference
		if st.RequireLiveIn != "" && !req.rollback {
			src, _ := pl.Stage(st.RequireLiveIn)
			if live, err = p.stageImages(ctx, snap, src); err != nil {
				return nil, err
			}
		}
		for i, a := range arts {
			ref := a.ref
			if a.chart != nil {
				for _, e := range st.Edits {
					if e.Target.Name == a.chart.Name {
						edits[i] = append(edits[i], e)
					}
				}
				continue
			}
			if st.Pin != "" && ref.Digest != st.Pin {
				return nil, fmt.Errorf("%w: %s is pinned to %s, not %q", ErrPinned, st.Name, st.Pin, ref.Digest)
			}
			for _, l := range live {
				if len(arts) > 1 && !sameImageName(l.Name, ref.Name) {
					continue
				}
				if ref.Digest == "" || l.Digest != ref.Digest {
					return nil, fmt.Errorf("%w: %s needs the digest live in %s (%s), got %q", ErrStageRule, st.Name, st.RequireLiveIn, l, ref.Digest)
				}
			}
			for _, e := range st.Edits {
				switch {
				case len(arts) == 1:
					edits[i] = append(edits[i], e)
				case chartNamed(arts, e.Target.Name):
					// the chart's edit
				case e.Target.Name == "":
					return nil, fmt.Errorf("%w: stage %s edits %s without an image name; a release of several artifacts needs stage edits by name", ErrInvalidTarget, st.Name, e.File)
				case sameImageName(e.Target.Name, ref.Name):
					edits[i] = append(edits[i], e)
				}
			}
		}
	}
	pl := &plan{files: map[string][]byte{}, arts: make([]artPlan, len(arts))}
	type fileEdit struct {
		art    int
		target ImageTarget
	}
	byFile := map[string][]fileEdit{}
	for i, a := range arts {
		pl.arts[i].artifactReq = a
		if len(edits[i]) == 0 {
			if len(arts) == 1 {
				return nil, fmt.Errorf("%w: request has no stage and no edits", ErrInvalidTarget)
			}
			return nil, fmt.Errorf("%w: artifact %s has no edits", ErrInvalidTarget, a.id())
		}
		for _, e := range edits[i] {
			clean, err := cleanRepoPath(e.File)
			if err != nil {
				return nil, err
			}
			if !p.pathAllowed(clean) {
				return nil, fmt.Errorf("%w: %s", ErrPathNotAllowed, clean)
			}
			if _, ok := byFile[clean]; !ok {
				pl.order = append(pl.order, clean)
			}
			byFile[clean] = append(byFile[clean], fileEdit{i, e.Target})
			pl.arts[i].files = appendUnique(pl.arts[i].files, clean)
		}
		sort.Strings(pl.arts[i].files)
	}
	for _, file := range pl.order {
		orig, err := readFile(snap.tree, file)
		if err != nil {
			return nil, err
		}
		cur := orig
		fc := FileChange{File: file}
		for _, fe := range byFile[file] {
			if c := arts[fe.art].chart; c != nil {
				if prev, err := observeChart(ctx, cur, c.Name); err == nil {
					for _, v := range prev {
						if v.Version != "" {
							pl.previous = appendUnique(pl.previous, v.String())
							pl.arts[fe.art].previous = appendUnique(pl.arts[fe.art].previous, v.String())
						}
					}
				}
				next, ch, err := editChart(ctx, cur, *c)
				if err != nil {
					return nil, fmt.Errorf("gitops: edit %s: %w", file, err)
				}
				cur = next
				fc.Changes = append(fc.Changes, ch...)
				continue
			}
			if prev, err := observeImages(ctx, cur, fe.target); err == nil {
				for _, r := range prev {
					pl.previous = appendUnique(pl.previous, r.String())
					pl.arts[fe.art].previous = appendUnique(pl.arts[fe.art].previous, r.String())
				}
			}
			next, ch, err := editImage(ctx, cur, fe.target, arts[fe.art].ref.String())
			if err != nil {
				return nil, fmt.Errorf("gitops: edit %s: %w", file, err)
			}
			cur = next
			fc.Changes = append(fc.Changes, ch...)
		}
		if len(fc.Changes) > 0 {
			pl.files[file] = cur
			pl.changes = append(pl.changes, fc)
		}
	}
	return pl, nil
}

// chartNamed reports whether a chart artifact of arts is named name.
func chartNamed(arts []artifactReq, name string) bool {
	for _, a := range arts {
		if a.chart != nil && a.chart.Name == name {
			return true
		}
	}
	return false
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

func (p *Promoter) pathAllowed(file string) bool {
	if len(p.cfg.allowed) == 0 {
		return true
	}
	for _, pat := range p.cfg.allowed {
		if matchGlob(pat, file) {
			return true
		}
	}
	return false
}

// matchGlob matches slash-separated paths where "*" matches within one
// segment and "**" matches any number of segments.
func matchGlob(pattern, name string) bool {
	ps, ns := strings.Split(pattern, "/"), strings.Split(name, "/")
	var match func(i, j int) bool
	match = func(i, j int) bool {
		for i < len(ps) {
			if ps[i] == "**" {
				for k := j; k <= len(ns); k++ {
					if match(i+1, k) {
						return true
					}
				}
				return false
			}
			if j >= len(ns) {
				return false
			}
			if ok, err := pathMatch(ps[i], ns[j]); err != nil || !ok {
				return false
			}
			i, j = i+1, j+1
		}
		return j == len(ns)
	}
	return match(0, 0)
}

// Promote writes req into the repository if the Gate allows it: one commit
// with every edit, pushed with compare-and-swap on the old tip and retried
// from the new tip on conflict (a fresh commit each time; nobody else's
// commit is rewritten). A deny or any error writes nothing.
func (p *Promoter) Promote(ctx context.Context, req Request) (*Promotion, error) {
	arts, err := requestArtifacts(req)
	if err != nil {
		return nil, err
	}
	first := arts[0]
	var decisions []Decision
	var decisionRefs []string
	for attempt := 1; ; attempt++ {
		var (
			snap *snapshot
			pl   *plan
		)
		err := p.useClone(ctx, func() error {
			var err error
			if snap, err = fetchTip(ctx, p.repo, p.cfg.fetchDepth); err != nil {
				return err
			}
			if pl, err = p.makePlan(ctx, snap, req, arts); err != nil {
				return err
			}
			if p.cfg.renderCheck {
				return p.renderCheck(ctx, snap, pl)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if decisions == nil {
			if decisions, decisionRefs, err = p.checkAll(ctx, req, pl); err != nil {
				return nil, err
			}
		}
		prom := &Promotion{
			SchemaVersion: SchemaVersion, Stage: req.Stage, Image: first.ref, Branch: p.repo.branch(),
			Parent: snap.tip.String(), Previous: pl.previous, Files: pl.changes,
			Decision: decisions[0], DecisionRef: decisionRefs[0], Attempts: attempt,
		}
		if len(arts) > 1 {
			for i, a := range pl.arts {
				prom.Artifacts = append(prom.Artifacts, PromotedArtifact{
					Image: a.ref, Chart: a.chart, Previous: a.previous, Files: a.files, Decision: decisions[i], DecisionRef: decisionRefs[i],
				})
			}
		}
		if len(pl.files) == 0 {
			prom.NoChange = true
			return prom, nil
		}
		if p.cfg.forge != nil {
			return p.landPullRequest(ctx, snap, req, pl, decisions, decisionRefs, prom)
		}
		err = p.useClone(ctx, func() error {
			commit, err := p.commit(snap, req, pl, decisions, decisionRefs)
			if err != nil {
				return err
			}
			prom.Commit = commit.String()
			return push(ctx, snap, p.repo.Auth, commit, plumbing.NewBranchReferenceName(p.repo.branch()), snap.tip, false)
		})
		if err == nil {
			return prom, nil
		}
		if !errors.Is(err, ErrConflict) || attempt >= p.cfg.maxAttempts {
			return nil, fmt.Errorf("gitops: promote %s after %d attempts: %w", first.id(), attempt, err)
		}
		if err := p.backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

func (p *Promoter) backoff(ctx context.Context, attempt int) error {
	d := p.cfg.baseDelay << min(attempt-1, 16)
	if d > p.cfg.maxDelay || d <= 0 {
		d = p.cfg.maxDelay
	}
	if d > 0 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		d = d/2 + time.Duration(binary.LittleEndian.Uint64(b[:])%uint64(d/2+1))
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("gitops: promote: %w", ctx.Err())
	case <-t.C:
		return nil
	}
}

// checkAll asks the Gate about every artifact of the plan; any deny or
// error denies the whole release, after every artifact was asked.
func (p *Promoter) checkAll(ctx context.Context, req Request, pl *plan) ([]Decision, []string, error) {
	var release []string
	if len(pl.arts) > 1 {
		for _, a := range pl.arts {
			release = append(release, a.id())
		}
	}
	decisions := make([]Decision, len(pl.arts))
	refs := make([]string, len(pl.arts))
	var denied *DeniedError
	var errs []error
	for i, a := range pl.arts {
		d, dref, err := p.check(ctx, req, a, release)
		var de *DeniedError
		switch {
		case errors.As(err, &de):
			if denied == nil {
				denied = &DeniedError{Decision: de.Decision}
				denied.Decision.Reasons = nil
			}
			for _, r := range de.Decision.Reasons {
				if len(pl.arts) > 1 {
					r = a.id() + ": " + r
				}
				denied.Decision.Reasons = append(denied.Decision.Reasons, r)
			}
		case err != nil:
			errs = append(errs, err)
		}
		decisions[i], refs[i] = d, dref
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	if denied != nil {
		return nil, nil, denied
	}
	return decisions, refs, nil
}

func (p *Promoter) check(ctx context.Context, req Request, a artPlan, release []string) (Decision, string, error) {
	cand := Candidate{
		SchemaVersion: SchemaVersion, Repository: p.repo.URL, Branch: p.repo.branch(), Stage: req.Stage,
		Image: a.ref, Chart: a.chart, Previous: a.previous, Files: a.files, Evidence: req.Evidence, Rollback: req.rollback,
		Release: release,
	}
	if p.cfg.gate == nil {
		d := Decision{Allow: true, Reasons: []string{"no gate (WithoutGateUnsafe)"}}
		return d, decisionDigest(d), nil
	}
	d, err := p.cfg.gate.Check(ctx, cand)
	if err != nil {
		return Decision{}, "", fmt.Errorf("%w: gate error for %s: %w", ErrDenied, a.id(), err)
	}
	if !d.Allow {
		return d, "", &DeniedError{Decision: d}
	}
	return d, decisionDigest(d), nil
}

// DeniedError carries the Gate's deny; errors.Is(err, ErrDenied) holds.
type DeniedError struct{ Decision Decision }

// Error lists the deny reasons.
func (e *DeniedError) Error() string {
	return fmt.Sprintf("gitops: promotion denied: %s", strings.Join(e.Decision.Reasons, "; "))
}

// Unwrap makes a DeniedError match ErrDenied.
func (e *DeniedError) Unwrap() error { return ErrDenied }

func decisionDigest(d Decision) string {
	if d.Digest != "" {
		return d.Digest
	}
	b, _ := json.Marshal(d)
	return digestOf(b)
}

// Trailer keys written on every promotion commit.
const (
	TrailerStage = "Chaingate-Stage"
	TrailerImage = "Chaingate-Image"
	// TrailerChart names a Helm chart version of a release ("name
	// version[@digest]"); Chaingate-Decision trailers follow the order of
	// the Chaingate-Image trailers, then the Chaingate-Chart trailers.
	TrailerChart    = "Chaingate-Chart"
	TrailerDigest   = "Chaingate-Digest"
	TrailerPrevious = "Chaingate-Previous"
	TrailerDecision = "Chaingate-Decision"
	TrailerEvidence = "Chaingate-Evidence"
	TrailerRollback = "Chaingate-Rollback"
	TrailerPolicy   = "Chaingate-Policy-Revision"
)

func trailerValue(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func (p *Promoter) commit(snap *snapshot, req Request, pl *plan, decisions []Decision, decisionRefs []string) (plumbing.Hash, error) {
	ref, decision := pl.arts[0].ref, decisions[0]
	subjectOf := pl.arts[0].id()
	st := snap.repo.Storer
	tree, err := writeTree(st, snap.tree, pl.files)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("gitops: write tree: %w", err)
	}
	var msg strings.Builder
	subject := "promote " + subjectOf
	if pl.arts[0].chart != nil {
		subject = "promote chart " + subjectOf
	}
	if n := len(pl.arts); n > 1 {
		subject = fmt.Sprintf("promote release of %d artifacts (%s, …)", n, subjectOf)
	}
	if req.Stage != "" {
		subject += " to " + req.Stage
	}
	if req.rollback {
		subject = "rollback: " + subject
	}
	msg.WriteString("chaingate: " + subject + "\n\n")
	if body := strings.TrimSpace(req.Message); body != "" {
		msg.WriteString(body + "\n\n")
	}
	if req.Stage != "" {
		fmt.Fprintf(&msg, "%s: %s\n", TrailerStage, trailerValue(req.Stage))
	}
	// One block for the whole release: the i-th Chaingate-Decision is
	// the decision on the i-th Chaingate-Image.
	for _, a := range pl.arts {
		if a.chart == nil {
			fmt.Fprintf(&msg, "%s: %s\n", TrailerImage, a.ref)
		} else {
			fmt.Fprintf(&msg, "%s: %s\n", TrailerChart, a.chart)
		}
	}
	if len(pl.arts) == 1 && ref.Digest != "" {
		fmt.Fprintf(&msg, "%s: %s\n", TrailerDigest, ref.Digest)
	}
	for _, prev := range pl.previous {
		fmt.Fprintf(&msg, "%s: %s\n", TrailerPrevious, trailerValue(prev))
	}
	for _, d := range decisionRefs {
		fmt.Fprintf(&msg, "%s: %s\n", TrailerDecision, d)
	}
	if decision.PolicyRevision != "" {
		fmt.Fprintf(&msg, "%s: %s\n", TrailerPolicy, trailerValue(decision.PolicyRevision))
	}
	for _, e := range req.Evidence {
		v := trailerValue(e.Kind)
		if e.Ref != "" {
			v += " " + trailerValue(e.Ref)
		}
		if e.Digest != "" {
			v += " " + trailerValue(e.Digest)
		}
		fmt.Fprintf(&msg, "%s: %s\n", TrailerEvidence, v)
	}
	if req.rollback {
		fmt.Fprintf(&msg, "%s: true\n", TrailerRollback)
	}
	now := p.cfg.now()
	sig := object.Signature{Name: p.cfg.authorName, Email: p.cfg.authorEmail, When: now}
	c := &object.Commit{
		Author: sig, Committer: sig, Message: msg.String(),
		TreeHash: tree, ParentHashes: []plumbing.Hash{snap.tip},
	}
	h, err := writeCommit(st, c, p.cfg.signer)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return h, nil
}
