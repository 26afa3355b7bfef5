package gitops

import (
	"context"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// TestPromoteOverSmartHTTP serves the bare repository with git
// http-backend on 127.0.0.1 behind basic auth and promotes through it.
func TestPromoteOverSmartHTTP(t *testing.T) {
	bare := newBareRepo(t, map[string]string{"d.yaml": testDeployment})
	gitCmd(t, bare, "config", "http.receivepack", "true")
	gitPath, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git not installed")
	}
	backend := &cgi.Handler{
		Path: gitPath,
		Args: []string{"http-backend"},
		Env:  []string{"GIT_PROJECT_ROOT=" + filepath.Dir(bare), "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1"},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "promoter" || p != "s3cret" {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(w, r)
	}))
	defer srv.Close()
	url := srv.URL + "/" + filepath.Base(bare)

	req := Request{Image: "ghcr.io/acme/app:v2", Edits: []Edit{{File: "d.yaml", Target: ImageTarget{Name: "ghcr.io/acme/app"}}}}
	noAuth, _ := NewPromoter(Repository{URL: url}, WithGate(allowAll))
	if _, err := noAuth.Promote(context.Background(), req); err == nil {
		t.Fatal("promotion without credentials succeeded")
	}
	p, _ := NewPromoter(Repository{URL: url, Auth: &githttp.BasicAuth{Username: "promoter", Password: "s3cret"}}, WithGate(allowAll))
	prom, err := p.Promote(context.Background(), req)
	if err != nil {
		t.Fatalf("Promote over HTTP: %v", err)
	}
	if tip(t, bare) != prom.Commit {
		t.Fatal("HTTP promotion did not land")
	}
	if got := showFile(t, bare, "main", "d.yaml"); !strings.Contains(got, "image: ghcr.io/acme/app:v2") {
		t.Errorf("d.yaml:\n%s", got)
	}
	gitCmd(t, bare, "fsck", "--strict")
}

// TestPromoteOverGitProtocol serves the bare repository with git daemon
// (one --inetd process per connection accepted on 127.0.0.1).
func TestPromoteOverGitProtocol(t *testing.T) {
	bare := newBareRepo(t, map[string]string{"d.yaml": testDeployment})
	root := filepath.Dir(bare)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skip("no loopback listener:", err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				cmd := exec.Command("git", "daemon", "--inetd", "--export-all", "--enable=receive-pack", "--base-path="+root, root)
				cmd.Stdin, cmd.Stdout = c, c
				_ = cmd.Run()
			}()
		}
	}()
	url := "git://" + ln.Addr().String() + "/" + filepath.Base(bare)
	p, _ := NewPromoter(Repository{URL: url}, WithGate(allowAll))
	prom, err := p.Promote(context.Background(), Request{Image: "ghcr.io/acme/app:v4", Edits: []Edit{{File: "d.yaml", Target: ImageTarget{Name: "ghcr.io/acme/app"}}}})
	if err != nil {
		t.Fatalf("Promote over git://: %v", err)
	}
	if tip(t, bare) != prom.Commit {
		t.Fatal("git:// promotion did not land")
	}
	gitCmd(t, bare, "fsck", "--strict")
}
