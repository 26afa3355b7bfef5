package gitops

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	git "github.com/go-git/go-git/v5"
)

const testStages = `# Promotion pipeline.
stages:
  - name: dev
    edits:
      - file: apps/app/dev/kustomization.yaml
        target: {name: ghcr.io/acme/app}
  - name: staging
    edits:
      - file: apps/app/staging/values.yaml
        target: {name: ghcr.io/acme/app}
  - name: prod
    requireLiveIn: staging
    edits:
      - file: apps/app/prod/deploy.yaml
        target: {container: app}
      - file: apps/app/prod/release.yaml
        target: {policy: "flux-system:app"}
`

func stagedRepo(t *testing.T) string {
	return newBareRepo(t, map[string]string{
		".chaingate/stages.yaml":          testStages,
		"apps/app/dev/kustomization.yaml": "resources: [../base]\nimages:\n- name: ghcr.io/acme/app\n  newTag: v1\n  digest: \"\"\n",
		"apps/app/staging/values.yaml":    "image:\n    repository: ghcr.io/acme/app\n    tag: v1\n    digest: \"\"\n",
		"apps/app/prod/deploy.yaml":       testDeployment,
		"apps/app/prod/release.yaml":      "spec:\n  values:\n    image: ghcr.io/acme/app:v1 # {\"$imagepolicy\": \"flux-system:app\"}\n",
		"apps/other/deploy.yaml":          "image: ghcr.io/acme/app:v1\n",
	})
}

func TestStagesRulesAndHistory(t *testing.T) {
	bare := stagedRepo(t)
	ctx := context.Background()
	p, err := NewPromoter(Repository{URL: bare}, WithGate(allowAll))
	if err != nil {
		t.Fatal(err)
	}
	v2 := "ghcr.io/acme/app:v2@" + dgA
	v3 := "ghcr.io/acme/app:v3@" + dgB

	// prod needs the digest live in staging.
	before := tip(t, bare)
	if _, err := p.Promote(ctx, Request{Image: v2, Stage: "prod"}); !errors.Is(err, ErrStageRule) {
		t.Fatalf("prod before staging: err = %v, want ErrStageRule", err)
	}
	if tip(t, bare) != before {
		t.Fatal("refused promotion moved the branch")
	}
	for _, st := range []string{"dev", "staging", "prod"} {
		if _, err := p.Promote(ctx, Request{Image: v2, Stage: st}); err != nil {
			t.Fatalf("promote %s: %v", st, err)
		}
	}
	if got := showFile(t, bare, "main", "apps/app/staging/values.yaml"); !strings.Contains(got, "    tag: v2\n    digest: \""+dgA+"\"") {
		t.Errorf("staging values:\n%s", got)
	}
	if got := showFile(t, bare, "main", "apps/app/prod/release.yaml"); !strings.Contains(got, "image: "+v2+" # {") {
		t.Errorf("prod release:\n%s", got)
	}
	drift, err := p.Drift(ctx, "staging", "prod")
	if err != nil || !drift.InSync {
		t.Fatalf("drift after promotion: %+v, %v", drift, err)
	}
	if _, err := p.Promote(ctx, Request{Image: v3, Stage: "staging"}); err != nil {
		t.Fatal(err)
	}
	drift, _ = p.Drift(ctx, "staging", "prod")
	if drift.InSync || len(drift.Differences) != 1 || !strings.Contains(drift.Differences[0], dgB) {
		t.Errorf("drift = %+v", drift)
	}
	if _, err := p.Promote(ctx, Request{Image: v3, Stage: "prod"}); err != nil {
		t.Fatal(err)
	}

	// History reads the trailers back.
	recs, err := p.History(ctx, HistoryOptions{Stage: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Image.String() != v3 || recs[1].Image.String() != v2 || recs[1].Previous[0] != "ghcr.io/acme/app:v1" || recs[0].Decision == "" || recs[0].PolicyRevision != "policy@v1" {
		b, _ := json.MarshalIndent(recs, "", " ")
		t.Fatalf("history:\n%s", b)
	}

	// Rollback is a new promotion of the previous recorded value.
	rb, err := p.Rollback(ctx, RollbackRequest{Stage: "prod"})
	if err != nil {
		t.Fatalf("rollback: %v", err)
	}
	if rb.Image.String() != v2 || gitCmd(t, bare, "rev-list", "--count", rb.Parent+"..main") != "1" {
		t.Errorf("rollback = %+v", rb)
	}
	recs, _ = p.History(ctx, HistoryOptions{Stage: "prod", Limit: 1})
	if !recs[0].Rollback || recs[0].Image.String() != v2 {
		t.Errorf("rollback record = %+v", recs[0])
	}
	if _, err := p.Rollback(ctx, RollbackRequest{Stage: "prod", To: "ghcr.io/acme/app:v9"}); !errors.Is(err, ErrNoHistory) {
		t.Errorf("rollback to an unrecorded value: %v", err)
	}
	// A pin holds against rollbacks too.
	pl, _ := ParsePipeline([]byte(testStages))
	pl.Stages[2].Pin = dgA
	pinned, _ := NewPromoter(Repository{URL: bare}, WithGate(allowAll), WithPipeline(pl))
	if _, err := pinned.Rollback(ctx, RollbackRequest{Stage: "prod", To: v3}); !errors.Is(err, ErrPinned) {
		t.Errorf("rollback against a pin: err = %v, want ErrPinned", err)
	}
	gitCmd(t, bare, "fsck", "--strict")
}

func TestPinsAndAllowedPaths(t *testing.T) {
	bare := stagedRepo(t)
	ctx := context.Background()
	pl, err := ParsePipeline([]byte(testStages))
	if err != nil {
		t.Fatal(err)
	}
	pl.Stages[1].Pin = dgA
	p, err := NewPromoter(Repository{URL: bare}, WithGate(allowAll), WithPipeline(pl), WithAllowedPaths("apps/app/**"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Promote(ctx, Request{Image: "ghcr.io/acme/app:v2@" + dgB, Stage: "staging"}); !errors.Is(err, ErrPinned) {
		t.Errorf("pinned stage: err = %v, want ErrPinned", err)
	}
	if _, err := p.Promote(ctx, Request{Image: "ghcr.io/acme/app:v2@" + dgA, Stage: "staging"}); err != nil {
		t.Errorf("pinned digest refused: %v", err)
	}
	before := tip(t, bare)
	if _, err := p.Promote(ctx, Request{Image: "ghcr.io/acme/app:v2", Edits: []Edit{{File: "apps/other/deploy.yaml", Target: ImageTarget{Name: "ghcr.io/acme/app"}}}}); !errors.Is(err, ErrPathNotAllowed) {
		t.Errorf("outside allowed paths: err = %v", err)
	}
	if tip(t, bare) != before {
		t.Fatal("refused promotion moved the branch")
	}
	for _, bad := range []string{"stages: [{name: a}]", "stages: [{name: a, edits: [{file: ../x, target: {name: x}}]}]", "stages: [{name: a, requireLiveIn: b, edits: [{file: x, target: {name: x}}]}]", "stages: [{name: a, bogus: 1}]"} {
		if _, err := ParsePipeline([]byte(bad)); err == nil {
			t.Errorf("ParsePipeline(%q) succeeded", bad)
		}
	}
	for _, c := range []struct {
		pat, name string
		want      bool
	}{{"apps/**", "apps/a/b.yaml", true}, {"apps/*/prod/**", "apps/x/prod/y/z.yaml", true}, {"apps/*/prod/**", "apps/x/dev/z.yaml", false}, {"*.yaml", "a/b.yaml", false}, {"**/kustomization.yaml", "a/b/kustomization.yaml", true}} {
		if got := matchGlob(c.pat, c.name); got != c.want {
			t.Errorf("matchGlob(%q, %q) = %v", c.pat, c.name, got)
		}
	}
}

// fakeGitHub records pull requests like the GitHub REST API does.
type fakeGitHub struct {
	mu    sync.Mutex
	pulls map[string]int // head -> number
	calls []string
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r.Method+" "+r.URL.Path)
	if r.Header.Get("Authorization") != "Bearer t0ken" {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var req map[string]string
	_ = json.Unmarshal(body, &req)
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/repos/acme/gitops/pulls":
		if _, ok := f.pulls[req["head"]]; ok {
			w.WriteHeader(http.StatusUnprocessableEntity)
			io.WriteString(w, `{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"A pull request already exists for acme:`+req["head"]+`."}]}`)
			return
		}
		n := len(f.pulls) + 1
		f.pulls[req["head"]] = n
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"number": n, "html_url": "https://github.example/acme/gitops/pull/" + string(rune('0'+n))})
	case r.Method == http.MethodGet && r.URL.Path == "/repos/acme/gitops/pulls":
		head := strings.TrimPrefix(r.URL.Query().Get("head"), "acme:")
		var out []map[string]any
		if n, ok := f.pulls[head]; ok {
			out = append(out, map[string]any{"number": n, "html_url": "https://github.example/acme/gitops/pull/1"})
		}
		json.NewEncoder(w).Encode(out)
	case r.Method == http.MethodPatch && r.URL.Path == "/repos/acme/gitops/pulls/1":
		json.NewEncoder(w).Encode(map[string]any{"number": 1, "html_url": "https://github.example/acme/gitops/pull/1"})
	default:
		http.NotFound(w, r)
	}
}

func TestPullRequestLanding(t *testing.T) {
	bare := stagedRepo(t)
	fake := &fakeGitHub{pulls: map[string]int{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	gh := &GitHub{Client: srv.Client(), BaseURL: srv.URL, Owner: "acme", Repo: "gitops", Token: "t0ken"}
	p, err := NewPromoter(Repository{URL: bare}, WithGate(allowAll), WithPullRequest(gh))
	if err != nil {
		t.Fatal(err)
	}
	before := tip(t, bare)
	ctx := context.Background()
	img := "ghcr.io/acme/app:v2@" + dgA
	prom, err := p.Promote(ctx, Request{Image: img, Stage: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if prom.PullRequest == nil || prom.PullRequest.Number != 1 || prom.PullRequest.Updated {
		t.Fatalf("pull request = %+v", prom.PullRequest)
	}
	if tip(t, bare) != before {
		t.Error("pull-request landing moved the base branch")
	}
	branch := "chaingate/promote/dev-" + strings.TrimPrefix(dgA, "sha256:")[:12]
	if got := gitCmd(t, bare, "rev-parse", branch); got != prom.Commit {
		t.Errorf("promotion branch at %s, want %s", got, prom.Commit)
	}
	// The same promotion again updates the existing pull request.
	prom2, err := p.Promote(ctx, Request{Image: img, Stage: "dev", Message: "again"})
	if err != nil {
		t.Fatal(err)
	}
	if !prom2.PullRequest.Updated || prom2.PullRequest.Number != 1 {
		t.Errorf("second pull request = %+v (calls %v)", prom2.PullRequest, fake.calls)
	}
	gh.Token = "wrong"
	if _, err := p.Promote(ctx, Request{Image: img, Stage: "dev"}); !errors.Is(err, ErrForge) {
		t.Errorf("bad credentials: err = %v, want ErrForge", err)
	}
}

func TestExistingClone(t *testing.T) {
	bare := stagedRepo(t)
	dir := t.TempDir()
	clone, err := git.PlainClone(dir, false, &git.CloneOptions{URL: bare})
	if err != nil {
		t.Fatal(err)
	}
	headBefore, _ := clone.Head()
	p, err := NewPromoter(Repository{Clone: clone, Branch: "main"}, WithGate(allowAll))
	if err != nil {
		t.Fatal(err)
	}
	prom, err := p.Promote(context.Background(), Request{Image: "ghcr.io/acme/app:v7", Stage: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if tip(t, bare) != prom.Commit {
		t.Error("promotion from an existing clone did not land")
	}
	if _, err := os.Stat(filepath.Join(dir, ".git", "shallow")); err == nil {
		t.Error("the caller's full clone was made shallow")
	}
	headAfter, _ := clone.Head()
	if headAfter.Hash() != headBefore.Hash() {
		t.Error("the caller's checkout was moved")
	}
	recs, err := p.History(context.Background(), HistoryOptions{})
	if err != nil || len(recs) != 1 {
		t.Errorf("history from clone: %v, %v", recs, err)
	}
}
