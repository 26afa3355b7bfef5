package gitops

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
)

func cloneOf(t *testing.T, bare string) *git.Repository {
	t.Helper()
	c, err := git.PlainClone(t.TempDir(), false, &git.CloneOptions{URL: bare})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func cloneLockState(r *git.Repository) (held bool, present bool) {
	cloneLocks.Lock()
	defer cloneLocks.Unlock()
	l, ok := cloneLocks.m[r]
	return ok && len(l.sem) == 1, ok
}

// TestCloneLockScope: the lock belongs to one caller's clone (two
// promoters with an empty URL do not share it), waiting for it honours the
// context, it is not held while the Gate decides, and it is pruned when
// nobody holds it.
func TestCloneLockScope(t *testing.T) {
	bare := stagedRepo(t)
	cloneA, cloneB := cloneOf(t, bare), cloneOf(t, bare)
	var heldDuringGate []bool
	gate := GateFunc(func(ctx context.Context, c Candidate) (Decision, error) {
		held, _ := cloneLockState(cloneB)
		heldDuringGate = append(heldDuringGate, held)
		return allowAll(ctx, c)
	})
	pA, err := NewPromoter(Repository{Clone: cloneA}, WithGate(gate))
	if err != nil {
		t.Fatal(err)
	}
	pB, err := NewPromoter(Repository{Clone: cloneB}, WithGate(gate))
	if err != nil {
		t.Fatal(err)
	}

	unlockA, err := lockClone(t.Context(), cloneA)
	if err != nil {
		t.Fatal(err)
	}
	// A is held: B, with the same (empty) URL, still promotes.
	if _, err := pB.Promote(t.Context(), Request{Image: "ghcr.io/acme/app:v2", Stage: "dev"}); err != nil {
		t.Fatalf("promotion through clone B while clone A is locked: %v", err)
	}
	if len(heldDuringGate) != 1 || heldDuringGate[0] {
		t.Errorf("clone lock held during the gate call: %v", heldDuringGate)
	}
	if _, present := cloneLockState(cloneB); present {
		t.Error("clone B's lock was not pruned after the promotion")
	}
	// A's promoter waits for A and gives up with its context.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := pA.Promote(ctx, Request{Image: "ghcr.io/acme/app:v3", Stage: "dev"}); !errors.Is(err, context.Canceled) {
		t.Errorf("promotion waiting for a held clone = %v, want context.Canceled", err)
	}
	if _, err := pA.History(ctx, HistoryOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("history waiting for a held clone = %v, want context.Canceled", err)
	}
	unlockA()
	if _, present := cloneLockState(cloneA); present {
		t.Error("clone A's lock was not pruned")
	}
	if _, err := pA.Promote(t.Context(), Request{Image: "ghcr.io/acme/app:v3", Stage: "dev"}); err != nil {
		t.Fatalf("promotion after unlock: %v", err)
	}
}

func TestOptionsRefuseNil(t *testing.T) {
	for name, opt := range map[string]Option{
		"WithClock(nil)":        WithClock(nil),
		"WithSigner(nil)":       WithSigner(nil),
		"WithGate(nil)":         WithGate(nil),
		"WithPullRequest(nil)":  WithPullRequest(nil),
		"WithRetry(0, …)":       WithRetry(0, 0, 0),
		"WithAuthor(empty)":     WithAuthor("", ""),
		"WithAllowedPaths(/x)":  WithAllowedPaths("/x"),
		"WithPipelineFile(../)": WithPipelineFile("../x"),
	} {
		if _, err := NewPromoter(Repository{URL: "/nonexistent"}, WithGate(allowAll), opt); err == nil {
			t.Errorf("NewPromoter with %s succeeded", name)
		}
	}
}

// TestConcurrentPromotionsThroughOneClone: promoters sharing one caller's
// clone serialise their use of it and every promotion lands once.
func TestConcurrentPromotionsThroughOneClone(t *testing.T) {
	files := map[string]string{}
	for i := 0; i < 4; i++ {
		files[fmt.Sprintf("apps/s%d.yaml", i)] = fmt.Sprintf("image: ghcr.io/acme/s%d:v0\n", i)
	}
	bare := newBareRepo(t, files)
	clone := cloneOf(t, bare)
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		p, err := NewPromoter(Repository{Clone: clone}, WithGate(allowAll), WithRetry(60, time.Millisecond, 20*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			_, err := p.Promote(t.Context(), Request{Image: fmt.Sprintf("ghcr.io/acme/s%d:v1", i),
				Edits: []Edit{{File: fmt.Sprintf("apps/s%d.yaml", i), Target: ImageTarget{Name: fmt.Sprintf("ghcr.io/acme/s%d", i)}}}})
			errs <- err
		}()
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 4; i++ {
		if got := showFile(t, bare, "main", fmt.Sprintf("apps/s%d.yaml", i)); got != fmt.Sprintf("image: ghcr.io/acme/s%d:v1", i) {
			t.Errorf("s%d = %q", i, got)
		}
	}
	if _, present := cloneLockState(clone); present {
		t.Error("lock not pruned")
	}
}
