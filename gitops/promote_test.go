package gitops

import (
	"context"
	"errors"
	"strings"
	"testing"
)

const testDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app   # the app
spec:
  template:
    spec:
      containers:
        - name: app
          image: ghcr.io/acme/app:v1
`

func TestPromoteDirectPush(t *testing.T) {
	bare := newBareRepo(t, map[string]string{
		"apps/app/dev/deploy.yaml":     testDeployment,
		"apps/app/staging/deploy.yaml": testDeployment,
		"README.md":                    "hello\n",
	})
	before := tip(t, bare)
	p, err := NewPromoter(Repository{URL: bare, Branch: "main"}, WithGate(allowAll), fixedClock)
	if err != nil {
		t.Fatal(err)
	}
	ref := "ghcr.io/acme/app:v2@" + dgA
	prom, err := p.Promote(context.Background(), Request{
		Image: ref,
		Edits: []Edit{
			{File: "apps/app/dev/deploy.yaml", Target: ImageTarget{Name: "ghcr.io/acme/app"}},
			{File: "apps/app/staging/deploy.yaml", Target: ImageTarget{Container: "app"}},
		},
		Evidence: []Evidence{{Kind: "verification", Ref: "bundle.json", Digest: dgB}},
	})
	if err != nil {
		t.Fatalf("Promote: %v", err)
	}
	after := tip(t, bare)
	if after != prom.Commit || prom.Parent != before {
		t.Fatalf("tip %s, promotion %s (parent %s, before %s)", after, prom.Commit, prom.Parent, before)
	}
	if n := gitCmd(t, bare, "rev-list", "--count", before+".."+after); n != "1" {
		t.Errorf("%s commits landed, want 1 for a two-file promotion", n)
	}
	want := strings.Replace(testDeployment, "ghcr.io/acme/app:v1", ref, 1)
	for _, f := range []string{"apps/app/dev/deploy.yaml", "apps/app/staging/deploy.yaml"} {
		if got := showFile(t, bare, "main", f); got+"\n" != want {
			t.Errorf("%s =\n%s\nwant\n%s", f, got, want)
		}
	}
	if got := gitCmd(t, bare, "diff", "--name-only", before, after); got != "apps/app/dev/deploy.yaml\napps/app/staging/deploy.yaml" {
		t.Errorf("changed files: %q", got)
	}
	msg := gitCmd(t, bare, "log", "-1", "--format=%B", "main")
	for _, w := range []string{"Chaingate-Image: " + ref, "Chaingate-Digest: " + dgA, "Chaingate-Previous: ghcr.io/acme/app:v1", "Chaingate-Decision: sha256:", "Chaingate-Evidence: verification bundle.json " + dgB} {
		if !strings.Contains(msg, w) {
			t.Errorf("commit message lacks %q:\n%s", w, msg)
		}
	}
	// git itself reads the same trailers.
	if got := gitCmd(t, bare, "log", "-1", "--format=%(trailers:key=Chaingate-Digest,valueonly)", "main"); got != dgA {
		t.Errorf("git trailer parse = %q", got)
	}
	gitCmd(t, bare, "fsck", "--strict")

	// The same promotion again changes nothing.
	again, err := p.Promote(context.Background(), Request{Image: ref, Edits: []Edit{{File: "apps/app/dev/deploy.yaml", Target: ImageTarget{Name: "ghcr.io/acme/app"}}}})
	if err != nil || !again.NoChange || tip(t, bare) != after {
		t.Errorf("repeat promotion: %+v, %v", again, err)
	}
}

func TestPromoteDenyWritesNothing(t *testing.T) {
	bare := newBareRepo(t, map[string]string{"d.yaml": testDeployment})
	before := tip(t, bare)
	edit := []Edit{{File: "d.yaml", Target: ImageTarget{Name: "ghcr.io/acme/app"}}}
	var seen Candidate
	deny := GateFunc(func(ctx context.Context, c Candidate) (Decision, error) {
		seen = c
		return Decision{Allow: false, Reasons: []string{"critical vulnerability CVE-2024-0001"}}, nil
	})
	p, _ := NewPromoter(Repository{URL: bare}, WithGate(deny))
	_, err := p.Promote(context.Background(), Request{Image: "ghcr.io/acme/app:v2", Edits: edit})
	var de *DeniedError
	if !errors.Is(err, ErrDenied) || !errors.As(err, &de) || !strings.Contains(err.Error(), "CVE-2024-0001") {
		t.Fatalf("err = %v, want a DeniedError", err)
	}
	if seen.Image.Tag != "v2" || len(seen.Files) != 1 || seen.Files[0] != "d.yaml" || seen.Previous[0] != "ghcr.io/acme/app:v1" {
		t.Errorf("gate saw %+v", seen)
	}
	broken := GateFunc(func(ctx context.Context, c Candidate) (Decision, error) {
		return Decision{Allow: true}, errors.New("policy engine unavailable")
	})
	p2, _ := NewPromoter(Repository{URL: bare}, WithGate(broken))
	if _, err := p2.Promote(context.Background(), Request{Image: "ghcr.io/acme/app:v2", Edits: edit}); !errors.Is(err, ErrDenied) {
		t.Fatalf("gate error: err = %v, want ErrDenied", err)
	}
	if tip(t, bare) != before {
		t.Fatal("a denied promotion moved the branch")
	}
	if _, err := NewPromoter(Repository{URL: bare}); err == nil {
		t.Error("NewPromoter without a gate succeeded")
	}
}
