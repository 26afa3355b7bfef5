package gitops

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

var pathMatch = path.Match

// ErrForge reports a forge API failure.
var ErrForge = errors.New("gitops: forge request failed")

// PullRequestRequest asks a forge to open (or update) a pull request from
// Head into Base.
type PullRequestRequest struct {
	Head  string `json:"head"`
	Base  string `json:"base"`
	Title string `json:"title"`
	Body  string `json:"body,omitempty"`
}

// PullRequest is an opened or updated pull request.
type PullRequest struct {
	Number int    `json:"number"`
	URL    string `json:"url"`
	// Updated is true when a pull request for Head already existed and was
	// updated rather than created.
	Updated bool `json:"updated,omitempty"`
}

// ForgeClient opens review requests on a Git forge.
type ForgeClient interface {
	OpenPullRequest(ctx context.Context, req PullRequestRequest) (*PullRequest, error)
}

// GitHub is a ForgeClient for the GitHub REST API. Authentication is the
// caller's: put it in Client's transport (or set Token).
type GitHub struct {
	// Client makes the requests; it is required (no default client).
	Client *http.Client
	// BaseURL is the API root, "https://api.github.com" when empty.
	BaseURL string
	// Owner and Repo name the repository.
	Owner, Repo string
	// Token, when set, is sent as a bearer token.
	Token string
}

const maxForgeResponse = 4 << 20

func (g *GitHub) do(ctx context.Context, method, p string, body any, out any) (int, []byte, error) {
	if g.Client == nil {
		return 0, nil, fmt.Errorf("%w: GitHub.Client is nil", ErrForge)
	}
	base := strings.TrimSuffix(g.BaseURL, "/")
	if base == "" {
		base = "https://api.github.com"
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+p, rd)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: %v", ErrForge, err)
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if g.Token != "" {
		req.Header.Set("Authorization", "Bearer "+g.Token)
	}
	resp, err := g.Client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: %s %s: %v", ErrForge, method, p, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxForgeResponse))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("%w: %s %s: %v", ErrForge, method, p, err)
	}
	if resp.StatusCode/100 == 2 && out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, b, fmt.Errorf("%w: %s %s: decode response: %v", ErrForge, method, p, err)
		}
	}
	return resp.StatusCode, b, nil
}

type ghPull struct {
	Number  int    `json:"number"`
	HTMLURL string `json:"html_url"`
}

// OpenPullRequest creates a pull request, or updates the open one for the
// same head and base when GitHub answers that it already exists.
func (g *GitHub) OpenPullRequest(ctx context.Context, req PullRequestRequest) (*PullRequest, error) {
	repoPath := "/repos/" + url.PathEscape(g.Owner) + "/" + url.PathEscape(g.Repo)
	var pr ghPull
	status, body, err := g.do(ctx, http.MethodPost, repoPath+"/pulls", req, &pr)
	if err != nil {
		return nil, err
	}
	if status == http.StatusCreated || status == http.StatusOK {
		return &PullRequest{Number: pr.Number, URL: pr.HTMLURL}, nil
	}
	if status != http.StatusUnprocessableEntity || !bytes.Contains(bytes.ToLower(body), []byte("already exists")) {
		return nil, fmt.Errorf("%w: create pull request: HTTP %d: %s", ErrForge, status, truncate(body, 300))
	}
	q := url.Values{"head": {g.Owner + ":" + req.Head}, "base": {req.Base}, "state": {"open"}}
	var open []ghPull
	status, body, err = g.do(ctx, http.MethodGet, repoPath+"/pulls?"+q.Encode(), nil, &open)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK || len(open) == 0 {
		return nil, fmt.Errorf("%w: find existing pull request: HTTP %d: %s", ErrForge, status, truncate(body, 300))
	}
	upd := map[string]string{"title": req.Title, "body": req.Body}
	status, body, err = g.do(ctx, http.MethodPatch, fmt.Sprintf("%s/pulls/%d", repoPath, open[0].Number), upd, &pr)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("%w: update pull request %d: HTTP %d: %s", ErrForge, open[0].Number, status, truncate(body, 300))
	}
	return &PullRequest{Number: pr.Number, URL: pr.HTMLURL, Updated: true}, nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

// landPullRequest pushes the promotion commit to a promotion branch (its
// own, so it is force-updated) and opens or updates the pull request.
// landPullRequest writes the promotion commit, pushes it to a promotion
// branch (holding the clone's lock, if any) and then opens or updates the
// pull request (without it).
func (p *Promoter) landPullRequest(ctx context.Context, snap *snapshot, req Request, pl *plan, decisions []Decision, decisionRefs []string, prom *Promotion) (*Promotion, error) {
	ref := pl.arts[0].ref
	if c := pl.arts[0].chart; c != nil {
		ref = Reference{Name: c.Name, Tag: c.Version}
	}
	name := req.Stage
	if name == "" {
		name = "edit"
	}
	short := strings.TrimPrefix(ref.Digest, "sha256:")
	if short == "" {
		short = ref.Tag
	}
	if len(short) > 12 {
		short = short[:12]
	}
	branch := p.cfg.prBranchFront + sanitizeBranch(name) + "-" + sanitizeBranch(short)
	err := p.useClone(ctx, func() error {
		commit, err := p.commit(snap, req, pl, decisions, decisionRefs)
		if err != nil {
			return err
		}
		prom.Commit = commit.String()
		if err := push(ctx, snap, p.repo.Auth, commit, plumbing.NewBranchReferenceName(branch), plumbing.ZeroHash, true); err != nil {
			return fmt.Errorf("gitops: push promotion branch %s: %w", branch, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	title := "chaingate: promote " + ref.String()
	if req.Stage != "" {
		title += " to " + req.Stage
	}
	body := fmt.Sprintf("Promotion of `%s`.\n\nDecision: %s\n", ref, prom.DecisionRef)
	for _, f := range prom.Files {
		body += fmt.Sprintf("- `%s` (%d values)\n", f.File, len(f.Changes))
	}
	pr, err := p.cfg.forge.OpenPullRequest(ctx, PullRequestRequest{Head: branch, Base: p.repo.branch(), Title: title, Body: body})
	if err != nil {
		return nil, err
	}
	prom.PullRequest = pr
	return prom, nil
}

func sanitizeBranch(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), ".-")
}
