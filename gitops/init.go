package gitops

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// InitRepository creates a bare repository at dir whose branch (default
// "main") holds files in one initial commit, and points HEAD at it. It is
// meant for bootstrapping a GitOps repository, examples and tests; the
// result is a valid URL for Repository.
func InitRepository(ctx context.Context, dir, branch string, files map[string][]byte) error {
	if branch == "" {
		branch = "main"
	}
	if len(files) == 0 {
		return fmt.Errorf("gitops: init %s: no files", dir)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for p := range files {
		if _, err := cleanRepoPath(p); err != nil {
			return fmt.Errorf("gitops: init %s: %w", dir, err)
		}
	}
	repo, err := git.PlainInit(dir, true)
	if err != nil {
		return fmt.Errorf("gitops: init %s: %w", dir, err)
	}
	tree, err := buildTree(repo.Storer, files)
	if err != nil {
		return fmt.Errorf("gitops: init %s: %w", dir, err)
	}
	sig := object.Signature{Name: "chaingate", Email: "chaingate@localhost", When: time.Unix(0, 0).UTC()}
	c := &object.Commit{Author: sig, Committer: sig, Message: "initial\n", TreeHash: tree}
	h, err := writeCommit(repo.Storer, c, nil)
	if err != nil {
		return fmt.Errorf("gitops: init %s: %w", dir, err)
	}
	ref := plumbing.NewBranchReferenceName(branch)
	if err := repo.Storer.SetReference(plumbing.NewHashReference(ref, h)); err != nil {
		return fmt.Errorf("gitops: init %s: %w", dir, err)
	}
	if err := repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, ref)); err != nil {
		return fmt.Errorf("gitops: init %s: %w", dir, err)
	}
	return nil
}

// buildTree writes a tree (and subtrees) holding files, in git's entry order.
func buildTree(s storer.EncodedObjectStorer, files map[string][]byte) (plumbing.Hash, error) {
	sub := map[string]map[string][]byte{}
	t := &object.Tree{}
	for p, data := range files {
		if dir, rest, ok := strings.Cut(p, "/"); ok {
			if sub[dir] == nil {
				sub[dir] = map[string][]byte{}
			}
			sub[dir][rest] = data
			continue
		}
		h, err := writeBlob(s, data)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		t.Entries = append(t.Entries, object.TreeEntry{Name: p, Mode: filemode.Regular, Hash: h})
	}
	for dir, m := range sub {
		if _, clash := files[dir]; clash {
			return plumbing.ZeroHash, fmt.Errorf("%s is both a file and a directory", dir)
		}
		h, err := buildTree(s, m)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		t.Entries = append(t.Entries, object.TreeEntry{Name: dir, Mode: filemode.Dir, Hash: h})
	}
	// Git orders entries by name, comparing a directory as if it ended in "/".
	key := func(e object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	sort.Slice(t.Entries, func(i, j int) bool { return key(t.Entries[i]) < key(t.Entries[j]) })
	obj := s.NewEncodedObject()
	if err := t.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(obj)
}
