package gitops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

const releaseStages = `stages:
  - name: staging
    edits:
      - file: apps/staging/kustomization.yaml
        target: {name: ghcr.io/acme/api}
      - file: apps/staging/kustomization.yaml
        target: {name: ghcr.io/acme/web}
      - file: apps/staging/values.yaml
        target: {name: ghcr.io/acme/worker}
`

func releaseRepo(t *testing.T) string {
	return newBareRepo(t, map[string]string{
		".chaingate/stages.yaml":          releaseStages,
		"apps/staging/kustomization.yaml": "kind: Kustomization\nresources: [../base]\nimages:\n- name: ghcr.io/acme/api\n  newTag: v1\n- name: ghcr.io/acme/web\n  newTag: v1\n",
		"apps/staging/values.yaml":        "worker:\n  image:\n    repository: ghcr.io/acme/worker\n    tag: v1\n",
	})
}

// recordingGate allows every candidate except those it denies, and keeps
// every candidate it was asked about.
type recordingGate struct {
	mu    sync.Mutex
	seen  []Candidate
	denyN string
}

func (g *recordingGate) Check(ctx context.Context, c Candidate) (Decision, error) {
	g.mu.Lock()
	g.seen = append(g.seen, c)
	g.mu.Unlock()
	if g.denyN != "" && c.Image.Name == g.denyN {
		return Decision{Allow: false, Reasons: []string{"unsigned"}}, nil
	}
	return Decision{Allow: true, Reasons: []string{"ok " + c.Image.String()}, Digest: digestOf([]byte(c.Image.String()))}, nil
}

func TestReleaseOneCommitEveryArtifactGated(t *testing.T) {
	bare := releaseRepo(t)
	ctx := t.Context()
	api, web, worker := "ghcr.io/acme/api:v2@"+dgA, "ghcr.io/acme/web:v2", "ghcr.io/acme/worker:v2@"+dgB
	req := Request{Image: api, Stage: "staging", Artifacts: []Artifact{{Image: web}, {Image: worker}}}

	// One artifact denied: the gate saw all three, nothing is written.
	before := tip(t, bare)
	deny := &recordingGate{denyN: "ghcr.io/acme/web"}
	p, err := NewPromoter(Repository{URL: bare}, WithGate(deny))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Promote(ctx, req)
	var de *DeniedError
	if !errors.Is(err, ErrDenied) || !errors.As(err, &de) || !strings.Contains(err.Error(), web+": unsigned") {
		t.Fatalf("release with a denied artifact = %v", err)
	}
	if len(deny.seen) != 3 {
		t.Errorf("gate asked about %d artifacts, want 3", len(deny.seen))
	}
	if tip(t, bare) != before {
		t.Fatal("a denied release moved the branch")
	}

	// All allowed: one commit with every edit and one trailer block.
	gate := &recordingGate{}
	p, _ = NewPromoter(Repository{URL: bare}, WithGate(gate))
	prom, err := p.Promote(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if n := gitCmd(t, bare, "rev-list", "--count", before+"..main"); n != "1" {
		t.Fatalf("%s commits, want 1", n)
	}
	if len(gate.seen) != 3 {
		t.Fatalf("gate asked %d times", len(gate.seen))
	}
	for i, c := range gate.seen {
		if len(c.Release) != 3 || c.Release[i] != c.Image.String() || len(c.Files) != 1 {
			t.Errorf("candidate %d = %+v", i, c)
		}
	}
	if c := gate.seen[2]; c.Files[0] != "apps/staging/values.yaml" || c.Previous[0] != "ghcr.io/acme/worker:v1" {
		t.Errorf("worker candidate = %+v", c)
	}
	k := showFile(t, bare, "main", "apps/staging/kustomization.yaml")
	wantK := "kind: Kustomization\nresources: [../base]\nimages:\n- name: ghcr.io/acme/api\n  newTag: v2\n  digest: " + dgA + "\n- name: ghcr.io/acme/web\n  newTag: v2"
	if k != wantK {
		t.Errorf("kustomization:\n%s\nwant\n%s", k, wantK)
	}
	if v := showFile(t, bare, "main", "apps/staging/values.yaml"); v != "worker:\n  image:\n    repository: ghcr.io/acme/worker\n    tag: v2@"+dgB {
		t.Errorf("values:\n%s", v)
	}
	msg := gitCmd(t, bare, "log", "-1", "--format=%B", "main")
	for _, want := range []string{"Chaingate-Image: " + api, "Chaingate-Image: " + web, "Chaingate-Image: " + worker, "Chaingate-Decision: " + digestOf([]byte(worker))} {
		if !strings.Contains(msg, want) {
			t.Errorf("commit message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Count(msg, "\n\n") != 1 {
		t.Errorf("trailers are not one block:\n%s", msg)
	}
	if len(prom.Artifacts) != 3 || prom.Artifacts[1].Image.String() != web || prom.Artifacts[2].DecisionRef != digestOf([]byte(worker)) {
		t.Errorf("promotion artifacts = %+v", prom.Artifacts)
	}

	// History reads the release back; a second release, then a rollback
	// restores every artifact of the first.
	recs, err := p.History(ctx, HistoryOptions{Stage: "staging"})
	if err != nil || len(recs) != 1 || len(recs[0].Artifacts) != 3 || len(recs[0].Decisions) != 3 || recs[0].Artifacts[2].String() != worker {
		t.Fatalf("history = %+v, %v", recs, err)
	}
	first := showFile(t, bare, "main", "apps/staging/kustomization.yaml") + showFile(t, bare, "main", "apps/staging/values.yaml")
	req2 := Request{Image: "ghcr.io/acme/api:v3", Stage: "staging", Artifacts: []Artifact{{Image: "ghcr.io/acme/web:v3"}, {Image: "ghcr.io/acme/worker:v3"}}}
	if _, err := p.Promote(ctx, req2); err != nil {
		t.Fatal(err)
	}
	rb, err := p.Rollback(ctx, RollbackRequest{Stage: "staging"})
	if err != nil {
		t.Fatalf("rollback: %v", err)
	}
	if len(rb.Artifacts) != 3 {
		t.Errorf("rollback promoted %+v", rb)
	}
	if now := showFile(t, bare, "main", "apps/staging/kustomization.yaml") + showFile(t, bare, "main", "apps/staging/values.yaml"); now != first {
		t.Errorf("rollback did not restore the whole release:\n%s\nwant\n%s", now, first)
	}
	recs, _ = p.History(ctx, HistoryOptions{Stage: "staging", Limit: 1})
	if !recs[0].Rollback || len(recs[0].Artifacts) != 3 {
		t.Errorf("rollback record = %+v", recs[0])
	}
	// Rolling back to one artifact of a release restores the release.
	rb, err = p.Rollback(ctx, RollbackRequest{Stage: "staging", To: "ghcr.io/acme/web:v3"})
	if err != nil || len(rb.Artifacts) != 3 || rb.Artifacts[2].Image.String() != "ghcr.io/acme/worker:v3" {
		t.Errorf("rollback to web:v3 = %+v, %v", rb, err)
	}
	gitCmd(t, bare, "fsck", "--strict")
}

func TestReleaseRequestsRefused(t *testing.T) {
	bare := releaseRepo(t)
	p, _ := NewPromoter(Repository{URL: bare}, WithGate(allowAll))
	for name, req := range map[string]Request{
		"duplicate image": {Image: "ghcr.io/acme/api:v2", Stage: "staging", Artifacts: []Artifact{{Image: "ghcr.io/acme/api:v3"}}},
		"no edits":        {Image: "ghcr.io/acme/api:v2", Stage: "staging", Artifacts: []Artifact{{Image: "ghcr.io/acme/other:v3"}}},
		"bad reference":   {Image: "ghcr.io/acme/api:v2", Stage: "staging", Artifacts: []Artifact{{Image: "UPPER/x:1"}}},
		"no tag":          {Image: "ghcr.io/acme/api:v2", Stage: "staging", Artifacts: []Artifact{{Image: "ghcr.io/acme/web"}}},
	} {
		before := tip(t, bare)
		if _, err := p.Promote(t.Context(), req); err == nil {
			t.Errorf("%s: promoted", name)
		}
		if tip(t, bare) != before {
			t.Errorf("%s: branch moved", name)
		}
	}
}

// TestConcurrentReleasesLandWhole races 8 releases of three artifacts
// each, all editing one shared file: every release lands once, whole.
func TestConcurrentReleasesLandWhole(t *testing.T) {
	var shared strings.Builder
	for i := 0; i < 24; i++ {
		fmt.Fprintf(&shared, "s%02d:\n  image: ghcr.io/acme/s%02d:v0\n", i, i)
	}
	bare := newBareRepo(t, map[string]string{"apps/shared.yaml": shared.String()})
	before := tip(t, bare)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for k := 0; k < 8; k++ {
		p, err := NewPromoter(Repository{URL: bare}, WithGate(allowAll), WithRetry(80, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		var arts []Artifact
		for j := 0; j < 3; j++ {
			img := fmt.Sprintf("ghcr.io/acme/s%02d", k*3+j)
			arts = append(arts, Artifact{Image: img + ":v1", Edits: []Edit{{File: "apps/shared.yaml", Target: ImageTarget{Name: img}}}})
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[k] = p.Promote(context.Background(), Request{Image: arts[0].Image, Edits: arts[0].Edits, Artifacts: arts[1:]})
		}()
	}
	wg.Wait()
	for k, err := range errs {
		if err != nil {
			t.Fatalf("release %d: %v", k, err)
		}
	}
	if n := gitCmd(t, bare, "rev-list", "--count", before+"..main"); n != "8" {
		t.Errorf("%s commits, want 8", n)
	}
	// Each commit changes exactly its release's three lines.
	for _, c := range strings.Fields(gitCmd(t, bare, "rev-list", before+"..main")) {
		diff := gitCmd(t, bare, "diff", "--unified=0", c+"^", c)
		imgs := strings.Fields(gitCmd(t, bare, "log", "-1", "--format=%(trailers:key=Chaingate-Image,valueonly)", c))
		if len(imgs) != 3 || strings.Count(diff, "\n+  image: ") != 3 {
			t.Errorf("commit %s: images %v, diff\n%s", c, imgs, diff)
		}
		for _, img := range imgs {
			if !strings.Contains(diff, "+  image: "+img) {
				t.Errorf("commit %s records %s but does not write it", c, img)
			}
		}
	}
	final := showFile(t, bare, "main", "apps/shared.yaml")
	for i := 0; i < 24; i++ {
		if !strings.Contains(final, fmt.Sprintf("image: ghcr.io/acme/s%02d:v1", i)) {
			t.Errorf("final state lost s%02d:\n%s", i, final)
		}
	}
	gitCmd(t, bare, "fsck", "--strict")
}

// TestAuditSignedRelease: Audit checks a release commit like any other:
// its signature and every path it changes against its signer's paths.
func TestAuditSignedRelease(t *testing.T) {
	bare := releaseRepo(t)
	priv, pub := newSSHKey(t)
	s, err := NewSSHSignerFromPEM(priv, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPromoter(Repository{URL: bare}, WithGate(allowAll), WithSigner(s))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Promote(t.Context(), Request{Image: "ghcr.io/acme/api:v2", Stage: "staging",
		Artifacts: []Artifact{{Image: "ghcr.io/acme/worker:v2"}}}); err != nil {
		t.Fatal(err)
	}
	v, err := NewSSHVerifier([]byte("promoter@example.com " + pub + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Audit(t.Context(), AuditOptions{Verifier: v, Limit: 1,
		Signers: []AllowedSigner{{Name: "promoter@example.com", Paths: []string{"apps/staging/kustomization.yaml"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].Kind != FindingPathNotAllowed || len(rep.Findings[0].Paths) != 1 || rep.Findings[0].Paths[0] != "apps/staging/values.yaml" {
		t.Errorf("audit of a release touching two files, one allowed = %+v", rep.Findings)
	}
	rep, err = p.Audit(t.Context(), AuditOptions{Verifier: v, Limit: 1,
		Signers: []AllowedSigner{{Name: "promoter@example.com", Paths: []string{"apps/staging/**"}}}})
	if err != nil || !rep.OK() {
		t.Errorf("audit with both paths allowed = %+v, %v", rep, err)
	}
}
