package gitops

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
)

// serveGitSSH runs a minimal SSH server on 127.0.0.1 that accepts one
// client key and runs git-upload-pack / git-receive-pack under root.
func serveGitSSH(t *testing.T, root string, client ssh.PublicKey) (addr string, host ssh.PublicKey) {
	t.Helper()
	_, hk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hostSigner, _ := ssh.NewSignerFromKey(hk)
	cfg := &ssh.ServerConfig{PublicKeyCallback: func(_ ssh.ConnMetadata, k ssh.PublicKey) (*ssh.Permissions, error) {
		if bytes.Equal(k.Marshal(), client.Marshal()) {
			return nil, nil
		}
		return nil, errors.New("key not allowed")
	}}
	cfg.AddHostKey(hostSigner)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skip("no loopback listener:", err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, chans, reqs, err := ssh.NewServerConn(c, cfg)
				if err != nil {
					return
				}
				go ssh.DiscardRequests(reqs)
				for nc := range chans {
					if nc.ChannelType() != "session" {
						nc.Reject(ssh.UnknownChannelType, "no")
						continue
					}
					ch, creqs, err := nc.Accept()
					if err != nil {
						return
					}
					go serveGitSession(root, ch, creqs)
				}
			}()
		}
	}()
	return ln.Addr().String(), hostSigner.PublicKey()
}

func serveGitSession(root string, ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	for req := range reqs {
		if req.Type != "exec" {
			req.Reply(false, nil)
			continue
		}
		var p struct{ Command string }
		if ssh.Unmarshal(req.Payload, &p) != nil {
			req.Reply(false, nil)
			return
		}
		verb, arg, _ := strings.Cut(p.Command, " ")
		dir := filepath.Join(root, filepath.Clean("/"+strings.Trim(arg, "'")))
		if verb != "git-upload-pack" && verb != "git-receive-pack" {
			req.Reply(false, nil)
			return
		}
		req.Reply(true, nil)
		cmd := exec.Command("git", strings.TrimPrefix(verb, "git-"), dir)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = ch, ch, ch.Stderr()
		status := uint32(0)
		if err := cmd.Run(); err != nil {
			status = 1
		}
		ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{status}))
		return
	}
}

// TestPromoteOverSSH promotes through ssh:// with the caller's key and a
// pinned host key.
func TestPromoteOverSSH(t *testing.T) {
	bare := newBareRepo(t, map[string]string{"d.yaml": testDeployment})
	_, ck, _ := ed25519.GenerateKey(rand.Reader)
	clientSigner, _ := ssh.NewSignerFromKey(ck)
	addr, hostKey := serveGitSSH(t, filepath.Dir(bare), clientSigner.PublicKey())
	url := "ssh://git@" + addr + "/" + filepath.Base(bare)
	auth := &gitssh.PublicKeys{User: "git", Signer: clientSigner}
	auth.HostKeyCallback = ssh.FixedHostKey(hostKey)

	req := Request{Image: "ghcr.io/acme/app:v5", Edits: []Edit{{File: "d.yaml", Target: ImageTarget{Name: "ghcr.io/acme/app"}}}}
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	otherSigner, _ := ssh.NewSignerFromKey(otherKey)
	wrong := &gitssh.PublicKeys{User: "git", Signer: otherSigner}
	wrong.HostKeyCallback = ssh.FixedHostKey(hostKey)
	pw, _ := NewPromoter(Repository{URL: url, Auth: wrong}, WithGate(allowAll))
	if _, err := pw.Promote(context.Background(), req); err == nil {
		t.Fatal("promotion with an unknown key succeeded")
	}
	p, _ := NewPromoter(Repository{URL: url, Auth: auth}, WithGate(allowAll))
	prom, err := p.Promote(context.Background(), req)
	if err != nil {
		t.Fatalf("Promote over ssh://: %v", err)
	}
	if tip(t, bare) != prom.Commit {
		t.Fatal("ssh:// promotion did not land")
	}
	gitCmd(t, bare, "fsck", "--strict")
}
