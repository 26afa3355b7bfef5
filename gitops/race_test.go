package gitops

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestConcurrentPromotionsLandOnce(t *testing.T) {
	files := map[string]string{}
	shared := ""
	for i := 0; i < 4; i++ {
		shared += fmt.Sprintf("svc%d:\n  image: ghcr.io/acme/svc%d:v0\n", i, i)
		files[fmt.Sprintf("apps/own%d/deploy.yaml", i)] = fmt.Sprintf("image: ghcr.io/acme/own%d:v0\n", i)
	}
	files["apps/shared/values.yaml"] = shared
	bare := newBareRepo(t, files)
	before := tip(t, bare)

	const rounds = 2
	type job struct {
		image string
		edit  Edit
	}
	var jobs []job
	for r := 1; r <= rounds; r++ {
		for i := 0; i < 4; i++ {
			jobs = append(jobs,
				// Same file, different values: only a re-applied edit keeps both.
				job{fmt.Sprintf("ghcr.io/acme/svc%d:v%d", i, r), Edit{File: "apps/shared/values.yaml", Target: ImageTarget{Name: fmt.Sprintf("ghcr.io/acme/svc%d", i)}}},
				job{fmt.Sprintf("ghcr.io/acme/own%d:v%d", i, r), Edit{File: fmt.Sprintf("apps/own%d/deploy.yaml", i), Target: ImageTarget{Name: fmt.Sprintf("ghcr.io/acme/own%d", i)}}},
			)
		}
	}
	// Each round races 8 promoters; without a Clone they take no lock and
	// meet at the compare-and-swap, as separate processes would.
	attempts := 0
	for r := 0; r < rounds; r++ {
		var wg sync.WaitGroup
		var mu sync.Mutex
		errs := make([]error, 8)
		for k, j := range jobs[r*8 : r*8+8] {
			p, err := NewPromoter(Repository{URL: bare}, WithGate(allowAll), WithRetry(60, time.Millisecond, 20*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				prom, err := p.Promote(context.Background(), Request{Image: j.image, Edits: []Edit{j.edit}})
				errs[k] = err
				if err == nil {
					mu.Lock()
					attempts += prom.Attempts
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		for k, err := range errs {
			if err != nil {
				t.Fatalf("promotion %s: %v", jobs[r*8+k].image, err)
			}
		}
	}
	t.Logf("%d promotions took %d attempts", len(jobs), attempts)

	after := tip(t, bare)
	if n := gitCmd(t, bare, "rev-list", "--count", before+".."+after); n != fmt.Sprint(len(jobs)) {
		t.Errorf("%s commits landed, want %d", n, len(jobs))
	}
	if m := gitCmd(t, bare, "rev-list", "--merges", "main"); m != "" {
		t.Errorf("history is not linear: merges %s", m)
	}
	if n := gitCmd(t, bare, "rev-list", "--count", "--min-parents=2", "main"); n != "0" {
		t.Errorf("merge commits: %s", n)
	}
	// Every promotion landed exactly once.
	trailers := gitCmd(t, bare, "log", "--format=%(trailers:key=Chaingate-Image,valueonly)", "main")
	counts := map[string]int{}
	for _, f := range strings.Fields(trailers) {
		counts[f]++
	}
	for _, j := range jobs {
		if c := counts[j.image]; c != 1 {
			t.Errorf("%s recorded %d times in\n%s", j.image, c, trailers)
		}
	}
	// The final state holds the last round's value everywhere: no update lost.
	sharedNow := showFile(t, bare, "main", "apps/shared/values.yaml")
	for i := 0; i < 4; i++ {
		if !strings.Contains(sharedNow, fmt.Sprintf("ghcr.io/acme/svc%d:v%d", i, rounds)) {
			t.Errorf("shared file lost svc%d:\n%s", i, sharedNow)
		}
		if own := showFile(t, bare, "main", fmt.Sprintf("apps/own%d/deploy.yaml", i)); own != fmt.Sprintf("image: ghcr.io/acme/own%d:v%d", i, rounds) {
			t.Errorf("own%d = %q", i, own)
		}
	}
	gitCmd(t, bare, "fsck", "--strict")
}

func TestPushRejectedLeavesRemoteUntouched(t *testing.T) {
	bare := newBareRepo(t, map[string]string{"d.yaml": testDeployment})
	before := tip(t, bare)
	hook := filepath.Join(bare, "hooks", "pre-receive")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\necho 'rejected by hook' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	objectsBefore := gitCmd(t, bare, "count-objects", "-v")
	p, _ := NewPromoter(Repository{URL: bare}, WithGate(allowAll))
	_, err := p.Promote(context.Background(), Request{Image: "ghcr.io/acme/app:v2", Edits: []Edit{{File: "d.yaml", Target: ImageTarget{Name: "ghcr.io/acme/app"}}}})
	if err == nil {
		t.Fatal("promotion succeeded through a rejecting hook")
	}
	if tip(t, bare) != before {
		t.Fatal("rejected push moved the branch")
	}
	// Quarantined objects of a rejected push are discarded.
	if got := gitCmd(t, bare, "count-objects", "-v"); got != objectsBefore {
		t.Errorf("object store changed:\n%s\n->\n%s", objectsBefore, got)
	}

	// A cancelled context stops before writing.
	os.Remove(hook)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Promote(ctx, Request{Image: "ghcr.io/acme/app:v2", Edits: []Edit{{File: "d.yaml", Target: ImageTarget{Name: "ghcr.io/acme/app"}}}}); err == nil {
		t.Fatal("promotion with a cancelled context succeeded")
	}
	if tip(t, bare) != before {
		t.Fatal("cancelled promotion moved the branch")
	}
	gitCmd(t, bare, "fsck", "--strict")
}

func TestUnsafePathsRefused(t *testing.T) {
	bare := newBareRepo(t, map[string]string{
		"d.yaml":        testDeployment,
		"link.yaml":     "symlink:../../outside.yaml",
		"inner/ok.yaml": testDeployment,
		"dirlink":       "symlink:/etc",
	})
	before := tip(t, bare)
	p, _ := NewPromoter(Repository{URL: bare}, WithGate(allowAll))
	for _, f := range []string{"../d.yaml", "/etc/passwd", "inner/../d.yaml", "./d.yaml", "link.yaml", "dirlink/passwd", ".git/config", "inner//ok.yaml", `inner\ok.yaml`} {
		_, err := p.Promote(context.Background(), Request{Image: "ghcr.io/acme/app:v2", Edits: []Edit{{File: f, Target: ImageTarget{Name: "ghcr.io/acme/app"}}}})
		if err == nil {
			t.Errorf("%q: promotion succeeded", f)
		}
		if f != "dirlink/passwd" && !strings.Contains(err.Error(), "unsafe path") {
			t.Errorf("%q: err = %v, want ErrUnsafePath", f, err)
		}
	}
	if tip(t, bare) != before {
		t.Fatal("a refused edit moved the branch")
	}
}

func TestClassifyPushError(t *testing.T) {
	conflicts := []string{
		"non-fast-forward update: refs/heads/main",
		"command error on refs/heads/main: failed to update ref",
		"remote ref refs/heads/main required to be abc but is def",
		"! [rejected] main -> main (fetch first)",
		"error: cannot lock ref 'refs/heads/main': is at 1 but expected 2",
		"incorrect old value provided",
		"Updates were rejected because the tip of your current branch is behind",
	}
	for _, m := range conflicts {
		if err := classifyPushError(fmt.Errorf("%s", m)); !strings.Contains(err.Error(), ErrConflict.Error()) {
			t.Errorf("%q not classified as a conflict", m)
		}
	}
	for _, m := range []string{"authentication required", "unpack error: index-pack abnormal exit", "pre-receive hook declined", "repository not found"} {
		if err := classifyPushError(fmt.Errorf("%s", m)); strings.Contains(err.Error(), ErrConflict.Error()) {
			t.Errorf("%q classified as a conflict", m)
		}
	}
}
