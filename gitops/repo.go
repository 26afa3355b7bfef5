package gitops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"sync"

	git "github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/memory"
)

// ErrConflict reports that the branch moved while a promotion was being
// written: the push was rejected because its old tip was no longer current.
// Promote retries it by itself; it is returned when retries run out.
var ErrConflict = errors.New("gitops: conflicting update")

// ErrUnsafePath reports a file path that is absolute, leaves the repository
// (".."), or names a symlink or a non-regular file.
var ErrUnsafePath = errors.New("gitops: unsafe path")

// Repository names a GitOps repository and the branch that holds desired
// state. The zero Branch means "main".
type Repository struct {
	// URL is a local path, or a file://, git://, http(s):// or ssh:// URL.
	// With Clone set it may be empty: Clone's "origin" remote is used.
	URL string `json:"url"`
	// Branch is the branch promotions land on.
	Branch string `json:"branch,omitempty"`
	// Auth is the caller's credentials for the transport, if any.
	Auth transport.AuthMethod `json:"-"`
	// Clone is an optional existing local clone whose object store is used
	// instead of a fresh in-memory one. Its branches and worktree are never
	// changed; promotions are pushed from it by commit id.
	Clone *git.Repository `json:"-"`
}

func (r Repository) branch() string {
	if r.Branch == "" {
		return "main"
	}
	return r.Branch
}

// cloneLocks serialises the use of one caller-supplied clone
// (Repository.Clone) inside the process: go-git's storage keeps unguarded
// maps and is not safe for concurrent fetches, reads and writes. Promoters
// without a Clone work in their own in-memory clone per attempt and take
// no lock; concurrent writers meet at the push's compare-and-swap. Entries
// are removed when their last holder or waiter leaves.
var cloneLocks = struct {
	sync.Mutex
	m map[*git.Repository]*cloneLock
}{m: map[*git.Repository]*cloneLock{}}

type cloneLock struct {
	sem  chan struct{}
	refs int // holders and waiters
}

// lockClone takes r's lock, or gives up with ctx's error.
func lockClone(ctx context.Context, r *git.Repository) (unlock func(), err error) {
	cloneLocks.Lock()
	l := cloneLocks.m[r]
	if l == nil {
		l = &cloneLock{sem: make(chan struct{}, 1)}
		cloneLocks.m[r] = l
	}
	l.refs++
	cloneLocks.Unlock()
	leave := func() {
		cloneLocks.Lock()
		l.refs--
		if l.refs == 0 {
			delete(cloneLocks.m, r)
		}
		cloneLocks.Unlock()
	}
	select {
	case l.sem <- struct{}{}:
		return func() { <-l.sem; leave() }, nil
	case <-ctx.Done():
		leave()
		return nil, fmt.Errorf("gitops: wait for the clone: %w", ctx.Err())
	}
}

// snapshot is the branch tip a promotion attempt works from.
type snapshot struct {
	repo   *git.Repository
	remote string // remote name used for fetch and push
	tip    plumbing.Hash
	commit *object.Commit
	tree   *object.Tree
}

const remoteName = "origin"

// fetchTip gets the current tip of branch with a depth-1, single-branch,
// no-checkout fetch into memory (or into the caller's clone).
func fetchTip(ctx context.Context, r Repository, depth int) (*snapshot, error) {
	branch := plumbing.NewBranchReferenceName(r.branch())
	if r.Clone != nil {
		remote := remoteName
		if r.URL != "" {
			remote = "chaingate-promote"
			if _, err := r.Clone.Remote(remote); errors.Is(err, git.ErrRemoteNotFound) {
				if _, err := r.Clone.CreateRemote(&gitconfig.RemoteConfig{Name: remote, URLs: []string{r.URL}}); err != nil && !errors.Is(err, git.ErrRemoteExists) {
					return nil, fmt.Errorf("gitops: add remote for %s: %w", r.URL, err)
				}
			}
		}
		track := plumbing.NewRemoteReferenceName(remote, r.branch())
		// No depth here: a shallow fetch would make the caller's full
		// clone shallow. An incremental fetch is cheap anyway.
		err := r.Clone.FetchContext(ctx, &git.FetchOptions{
			RemoteName: remote,
			RefSpecs:   []gitconfig.RefSpec{gitconfig.RefSpec("+" + branch.String() + ":" + track.String())},
			Auth:       r.Auth,
			Tags:       git.NoTags,
		})
		if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
			return nil, fmt.Errorf("gitops: fetch %s %s: %w", r.URL, r.branch(), err)
		}
		ref, err := r.Clone.Reference(track, true)
		if err != nil {
			return nil, fmt.Errorf("gitops: read %s: %w", track, err)
		}
		return loadSnapshot(r.Clone, remote, ref.Hash())
	}
	if r.URL == "" {
		return nil, fmt.Errorf("gitops: repository has neither URL nor Clone")
	}
	repo, err := git.CloneContext(ctx, memory.NewStorage(), nil, &git.CloneOptions{
		URL:           r.URL,
		Auth:          r.Auth,
		RemoteName:    remoteName,
		ReferenceName: branch,
		SingleBranch:  true,
		Depth:         depth,
		NoCheckout:    true,
		Tags:          git.NoTags,
	})
	if err != nil {
		return nil, fmt.Errorf("gitops: clone %s %s: %w", r.URL, r.branch(), err)
	}
	ref, err := repo.Reference(plumbing.NewRemoteReferenceName(remoteName, r.branch()), true)
	if err != nil {
		return nil, fmt.Errorf("gitops: read tip of %s: %w", r.branch(), err)
	}
	return loadSnapshot(repo, remoteName, ref.Hash())
}

func loadSnapshot(repo *git.Repository, remote string, tip plumbing.Hash) (*snapshot, error) {
	c, err := repo.CommitObject(tip)
	if err != nil {
		return nil, fmt.Errorf("gitops: read commit %s: %w", tip, err)
	}
	t, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("gitops: read tree of %s: %w", tip, err)
	}
	return &snapshot{repo: repo, remote: remote, tip: tip, commit: c, tree: t}, nil
}

// cleanRepoPath validates a repository-relative file path.
func cleanRepoPath(p string) (string, error) {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "\\") || strings.ContainsRune(p, 0) ||
		(len(p) > 1 && p[1] == ':') {
		return "", fmt.Errorf("%w: %q", ErrUnsafePath, p)
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." || seg == ".git" {
			return "", fmt.Errorf("%w: %q", ErrUnsafePath, p)
		}
	}
	if c := path.Clean(p); c != p || c == "." {
		return "", fmt.Errorf("%w: %q is not a clean relative path", ErrUnsafePath, p)
	}
	return p, nil
}

// maxBlobSize bounds a file read from the repository.
const maxBlobSize = MaxFileSize

// readFile returns a regular file's bytes from a tree; symlinks, submodules
// and directories are refused.
func readFile(t *object.Tree, p string) ([]byte, error) {
	clean, err := cleanRepoPath(p)
	if err != nil {
		return nil, err
	}
	e, err := t.FindEntry(clean)
	if err != nil {
		return nil, fmt.Errorf("gitops: read %s: %w", clean, err)
	}
	if e.Mode != filemode.Regular && e.Mode != filemode.Executable {
		return nil, fmt.Errorf("%w: %s has mode %s (not a regular file)", ErrUnsafePath, clean, e.Mode)
	}
	f, err := t.TreeEntryFile(e)
	if err != nil {
		return nil, fmt.Errorf("gitops: read %s: %w", clean, err)
	}
	if f.Size > maxBlobSize {
		return nil, fmt.Errorf("%w: %s is %d bytes", ErrTooLarge, clean, f.Size)
	}
	rd, err := f.Reader()
	if err != nil {
		return nil, fmt.Errorf("gitops: read %s: %w", clean, err)
	}
	defer rd.Close()
	b, err := io.ReadAll(io.LimitReader(rd, maxBlobSize+1))
	if err != nil {
		return nil, fmt.Errorf("gitops: read %s: %w", clean, err)
	}
	return b, nil
}

func writeBlob(s storer.EncodedObjectStorer, data []byte) (plumbing.Hash, error) {
	obj := s.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(data)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(obj)
}

// writeTree returns a copy of t with the given existing regular files
// replaced, writing only the blobs and trees along the changed paths.
func writeTree(s storer.EncodedObjectStorer, t *object.Tree, files map[string][]byte) (plumbing.Hash, error) {
	direct := map[string][]byte{}
	sub := map[string]map[string][]byte{}
	for p, data := range files {
		if dir, rest, ok := strings.Cut(p, "/"); ok {
			if sub[dir] == nil {
				sub[dir] = map[string][]byte{}
			}
			sub[dir][rest] = data
		} else {
			direct[p] = data
		}
	}
	nt := &object.Tree{Entries: make([]object.TreeEntry, len(t.Entries))}
	copy(nt.Entries, t.Entries)
	done := 0
	for i, e := range nt.Entries {
		if data, ok := direct[e.Name]; ok {
			if e.Mode != filemode.Regular && e.Mode != filemode.Executable {
				return plumbing.ZeroHash, fmt.Errorf("%w: %s is not a regular file", ErrUnsafePath, e.Name)
			}
			h, err := writeBlob(s, data)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			nt.Entries[i].Hash = h
			done++
		}
		if m, ok := sub[e.Name]; ok {
			if e.Mode != filemode.Dir {
				return plumbing.ZeroHash, fmt.Errorf("%w: %s is not a directory", ErrUnsafePath, e.Name)
			}
			st, err := object.GetTree(s, e.Hash)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			h, err := writeTree(s, st, m)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			nt.Entries[i].Hash = h
			done++
		}
	}
	if done != len(direct)+len(sub) {
		var missing []string
		for p := range files {
			missing = append(missing, p)
		}
		sort.Strings(missing)
		return plumbing.ZeroHash, fmt.Errorf("gitops: write tree: some of %v do not exist", missing)
	}
	obj := s.NewEncodedObject()
	if err := nt.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(obj)
}

// writeCommit stores a commit, signed when signer is not nil.
func writeCommit(s storer.EncodedObjectStorer, c *object.Commit, signer Signer) (plumbing.Hash, error) {
	if signer != nil {
		unsigned := &plumbing.MemoryObject{}
		if err := c.EncodeWithoutSignature(unsigned); err != nil {
			return plumbing.ZeroHash, err
		}
		rd, err := unsigned.Reader()
		if err != nil {
			return plumbing.ZeroHash, err
		}
		sig, err := signer.Sign(rd)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("gitops: sign commit: %w", err)
		}
		c.PGPSignature = string(sig)
	}
	obj := s.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(obj)
}

// push updates dst on the remote from old to newHash, atomically: the
// client checks the advertised old value (RequireRemoteRefs) and the
// server applies the update only if the ref still holds old. force allows
// a non-fast-forward update (promotion branches only).
func push(ctx context.Context, snap *snapshot, auth transport.AuthMethod, newHash plumbing.Hash, dst plumbing.ReferenceName, old plumbing.Hash, force bool) error {
	spec := newHash.String() + ":" + dst.String()
	if force {
		spec = "+" + spec
	}
	opts := &git.PushOptions{
		RemoteName: snap.remote,
		RefSpecs:   []gitconfig.RefSpec{gitconfig.RefSpec(spec)},
		Auth:       auth,
	}
	if !old.IsZero() {
		opts.RequireRemoteRefs = []gitconfig.RefSpec{gitconfig.RefSpec(old.String() + ":" + dst.String())}
	}
	err := snap.repo.PushContext(ctx, opts)
	if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	return classifyPushError(err)
}

// conflictWordings are the rejections that mean "someone else moved the
// ref first", as worded by go-git, git receive-pack and the forges.
var conflictWordings = []string{
	"non-fast-forward",
	"failed to update ref",
	"required to be",
	"fetch first",
	"cannot lock ref",
	"incorrect old value provided",
	"stale info",
	"but expected",
	"updates were rejected",
	"reference already exists",
	"ref updated by another",
}

func isConflictMessage(msg string) bool {
	m := strings.ToLower(msg)
	for _, w := range conflictWordings {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}

// classifyPushError maps a push failure to ErrConflict when the remote
// rejected it because the ref moved, keeping the original error.
func classifyPushError(err error) error {
	if errors.Is(err, git.ErrNonFastForwardUpdate) || errors.Is(err, git.ErrForceNeeded) || isConflictMessage(err.Error()) {
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return fmt.Errorf("gitops: push: %w", err)
}
