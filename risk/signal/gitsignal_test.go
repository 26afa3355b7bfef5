package signal

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

type gitTestRepo struct {
	t    *testing.T
	dir  string
	repo *git.Repository
	wt   *git.Worktree
	when time.Time
}

func newGitTestRepo(t *testing.T) *gitTestRepo {
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	return &gitTestRepo{t: t, dir: dir, repo: repo, wt: wt, when: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
}

// commit writes files and commits them as who; it returns the hash.
func (r *gitTestRepo) commit(who, msg string, files map[string]string) plumbing.Hash {
	r.t.Helper()
	for name, body := range files {
		p := filepath.Join(r.dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			r.t.Fatal(err)
		}
		if _, err := r.wt.Add(name); err != nil {
			r.t.Fatal(err)
		}
	}
	r.when = r.when.Add(time.Hour)
	sig := &object.Signature{Name: who, Email: who + "@example.com", When: r.when}
	h, err := r.wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		r.t.Fatal(err)
	}
	return h
}

// signHead rewrites HEAD's commit with a (syntactically) signed copy: the
// detector checks for a signature's presence; verifying signers is the
// verify and gitops packages' work.
func (r *gitTestRepo) signHead() plumbing.Hash {
	r.t.Helper()
	head, _ := r.repo.Head()
	c, err := r.repo.CommitObject(head.Hash())
	if err != nil {
		r.t.Fatal(err)
	}
	c.PGPSignature = "-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEE\n-----END PGP SIGNATURE-----\n"
	obj := r.repo.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		r.t.Fatal(err)
	}
	h, err := r.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		r.t.Fatal(err)
	}
	ref := plumbing.NewHashReference(head.Name(), h)
	if head.Name() == plumbing.HEAD {
		r.t.Fatal("detached HEAD")
	}
	if err := r.repo.Storer.SetReference(ref); err != nil {
		r.t.Fatal(err)
	}
	return h
}

func lines(n int, tag string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%s line %d\n", tag, i)
	}
	return b.String()
}

func TestGitHistorySignals(t *testing.T) {
	r := newGitTestRepo(t)
	r.commit("alice", "initial", map[string]string{
		"README.md": "hello\n", "Makefile": "all:\n\tgo build\n", ".github/workflows/ci.yml": "on: push\n",
		"go.sum": "x v1 h1:abc\n", "main.go": lines(20, "v0"),
	})
	for i := 1; i <= 6; i++ {
		r.commit("alice", fmt.Sprintf("tweak %d", i), map[string]string{"main.go": lines(20, "v0") + lines(3+i%3, fmt.Sprintf("v%d", i))})
	}
	bobFirst := r.commit("bob", "docs", map[string]string{"README.md": "hello world\n"})
	big := r.commit("alice", "vendor everything", map[string]string{"big.go": lines(3000, "big")})
	bobCI := r.commit("bob", "ci tweak", map[string]string{".github/workflows/ci.yml": "on: [push, pull_request]\n"})
	carol := r.commit("carol", "bump deps", map[string]string{"go.sum": "x v2 h1:def\n"})
	r.commit("alice", "signed change", map[string]string{"main.go": lines(22, "v9")})
	signed := r.signHead()

	sigs, err := GitHistory(context.Background(), r.repo, GitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]map[string]float64{}
	for _, s := range sigs {
		if by[s.ID] == nil {
			by[s.ID] = map[string]float64{}
		}
		by[s.ID][s.Source] = s.Value
		if len(s.Evidence) == 0 {
			t.Errorf("no evidence: %+v", s)
		}
	}
	check := func(id string, h plumbing.Hash, want bool) {
		t.Helper()
		if _, ok := by[id][h.String()]; ok != want {
			t.Errorf("%s on %s: %v, want %v (all: %v)", id, h.String()[:8], ok, want, by[id])
		}
	}
	check(SignalNewAuthor, bobFirst, true)
	check(SignalNewAuthor, bobCI, false)
	check(SignalNewAuthor, carol, true)
	check(SignalOffPatternChange, big, true)
	check(SignalSensitiveChange, bobCI, true)
	check(SignalSensitiveChange, carol, true)
	check(SignalSensitiveChange, signed, false)
	check(SignalUnsignedCommit, carol, true)
	check(SignalUnsignedCommit, signed, false)
	if by[SignalSensitiveChange][carol.String()] <= by[SignalSensitiveChange][bobCI.String()] {
		t.Error("a newcomer's lockfile change should weigh more than a known author's first CI change")
	}
	if len(by[SignalOffPatternChange]) != 1 {
		t.Errorf("off-pattern changes %v, want only the 3,000-line commit", by[SignalOffPatternChange])
	}
	if len(by[SignalNewAuthor]) != 2 {
		t.Errorf("new authors %v", by[SignalNewAuthor])
	}

	// Report only the newest two commits.
	sigs, err = GitHistory(context.Background(), r.repo, GitOptions{Report: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sigs {
		if s.Source != carol.String() && s.Source != signed.String() {
			t.Errorf("signal on an unreported commit: %+v", s)
		}
	}
	if _, err := GitHistory(context.Background(), r.repo, GitOptions{Ref: "no-such-ref"}); err == nil {
		t.Error("bad ref accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := GitHistory(ctx, r.repo, GitOptions{}); err == nil {
		t.Error("cancelled context ignored")
	}
}

// TestGitHistoryOwnRepository runs the detector over this repository's
// newest commits.
func TestGitHistoryOwnRepository(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		t.Skip("not a git checkout")
	}
	if _, err := os.Stat(filepath.Join(root, ".git", "shallow")); err == nil {
		t.Skip("shallow clone: history incomplete")
	}
	sigs, err := GitHistoryDir(context.Background(), root, GitOptions{MaxCommits: 40, Report: 10})
	if err != nil {
		t.Fatal(err)
	}
	repo, err := git.PlainOpenWithOptions(root, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sigs {
		if len(s.Source) != 40 || len(s.Evidence) == 0 || s.Value <= 0 || s.Value > 1 {
			t.Errorf("bad signal %+v", s)
		}
		c, err := repo.CommitObject(plumbing.NewHash(s.Source))
		if err != nil {
			t.Errorf("signal source %s is not a commit: %v", s.Source, err)
			continue
		}
		if s.ID == SignalUnsignedCommit && c.PGPSignature != "" {
			t.Errorf("signed commit %s reported unsigned", s.Source)
		}
	}
	t.Logf("%d signals over the newest 10 of 40 commits", len(sigs))
}

func TestGitClassify(t *testing.T) {
	for p, want := range map[string]string{
		".github/workflows/release.yml": gitClassCI, ".gitlab-ci.yml": gitClassCI, "sub/Jenkinsfile": gitClassCI,
		"go.sum": gitClassLock, "web/package-lock.json": gitClassLock, "poetry.lock": gitClassLock,
		"Makefile": gitClassBuild, "setup.py": gitClassBuild, "scripts/release.sh": gitClassBuild,
		"main.go": "", "docs/README.md": "",
	} {
		if got := gitClassify(p); got != want {
			t.Errorf("%s: %q want %q", p, got, want)
		}
	}
	med, mad := gitMedianMAD([]float64{1, 2, 3, 4, 100})
	if med != 3 || mad != 1 {
		t.Errorf("median %v MAD %v", med, mad)
	}
}

// TestGitHistoryLinkedWorktree runs GitHistoryDir on a work tree
// made by git worktree add, whose .git is a file pointing into the main
// repository: it must read the same history as the main work tree.
func TestGitHistoryLinkedWorktree(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not on PATH")
	}
	dir := t.TempDir()
	main, linked := filepath.Join(dir, "main"), filepath.Join(dir, "linked")
	run := func(dir string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=A", "GIT_AUTHOR_EMAIL=a@example.com",
			"GIT_COMMITTER_NAME=A", "GIT_COMMITTER_EMAIL=a@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	if err := os.MkdirAll(main, 0o755); err != nil {
		t.Fatal(err)
	}
	run(main, "init", "-q", "-b", "main")
	for i := range 3 {
		if err := os.WriteFile(filepath.Join(main, "f.txt"), []byte(strings.Repeat("x", i+1)), 0o644); err != nil {
			t.Fatal(err)
		}
		run(main, "add", "f.txt")
		run(main, "commit", "-q", "-m", "c")
	}
	run(main, "worktree", "add", "-q", linked, "-b", "other")
	if fi, err := os.Stat(filepath.Join(linked, ".git")); err != nil || fi.IsDir() {
		t.Fatalf("linked work tree's .git is not a file: %v", err)
	}
	opts := GitOptions{MaxCommits: 10, Report: 10}
	want, err := GitHistoryDir(context.Background(), main, opts)
	if err != nil {
		t.Fatal(err)
	}
	got, err := GitHistoryDir(context.Background(), linked, opts)
	if err != nil {
		t.Fatalf("linked work tree: %v", err)
	}
	if len(got) == 0 || len(got) != len(want) {
		t.Fatalf("linked work tree gave %d signals, main work tree %d (unsigned commits must be reported)", len(got), len(want))
	}
}
