package gitops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// ErrRenderFailed reports that, after the edits, a kustomization they
// affect no longer builds, or its rendered objects do not hold the
// promoted reference (see WithRenderCheck). Nothing is written.
var ErrRenderFailed = errors.New("gitops: rendered check failed")

// Limits of the rendered check: the repository is loaded into memory.
const (
	maxRenderFiles = 20000
	maxRenderBytes = 128 << 20
)

// WithRenderCheck renders, after editing and before the Gate, every
// kustomization a promotion's edits affect (the kustomization edited, or
// one whose resources, bases or components list an edited file or an
// affected kustomization), in process with sigs.k8s.io/kustomize/api and
// kustomize's default options (no plugins, no Helm inflation, files only
// from the kustomization's root), and refuses the promotion with
// ErrRenderFailed when one does not build or its output lacks a promoted
// image reference. Remote bases are never fetched: a kustomization that
// needs one is refused.
func WithRenderCheck() Option {
	return func(c *config) error { c.renderCheck = true; return nil }
}

// kustomizationNames are the file names kustomize reads, in its order.
var kustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// kustomizationRefs is what the render check reads of a kustomization.
type kustomizationRefs struct {
	Resources  []string `yaml:"resources"`
	Bases      []string `yaml:"bases"`
	Components []string `yaml:"components"`
}

// renderCheck implements WithRenderCheck for one plan.
func (p *Promoter) renderCheck(ctx context.Context, snap *snapshot, pl *plan) error {
	if len(pl.files) == 0 {
		return nil
	}
	fs := filesys.MakeFsInMemory()
	kfiles := map[string]string{} // dir -> kustomization file path
	files, total := 0, 0
	err := snap.tree.Files().ForEach(func(f *object.File) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if f.Mode != filemode.Regular && f.Mode != filemode.Executable {
			return nil
		}
		files++
		total += int(f.Size)
		if files > maxRenderFiles || total > maxRenderBytes {
			return fmt.Errorf("%w: render check: repository over %d files or %d bytes", ErrTooLarge, maxRenderFiles, maxRenderBytes)
		}
		data, ok := pl.files[f.Name]
		if !ok {
			rd, err := f.Reader()
			if err != nil {
				return err
			}
			data, err = io.ReadAll(io.LimitReader(rd, maxRenderBytes))
			rd.Close()
			if err != nil {
				return err
			}
		}
		dir, base := path.Split(f.Name)
		dir = path.Clean("/" + dir)
		for _, k := range kustomizationNames {
			if base == k {
				if _, seen := kfiles[dir]; !seen {
					kfiles[dir] = f.Name
				}
			}
		}
		return fs.WriteFile("/"+f.Name, data)
	})
	if err != nil {
		return fmt.Errorf("gitops: render check: load tree: %w", err)
	}
	refs := map[string][]string{} // kustomization dir -> resolved entries
	for dir, file := range kfiles {
		b, err := fs.ReadFile("/" + file)
		if err != nil {
			return err
		}
		var k kustomizationRefs
		if err := yaml.Unmarshal(b, &k); err != nil {
			// kustomize reports it when that kustomization is built.
			continue
		}
		for _, e := range append(append(k.Resources, k.Bases...), k.Components...) {
			if strings.Contains(e, "://") || strings.Contains(e, "?ref=") || strings.HasPrefix(e, "github.com/") || strings.HasPrefix(e, "git@") {
				refs[dir] = append(refs[dir], "remote:"+e)
				continue
			}
			refs[dir] = append(refs[dir], path.Clean(path.Join(dir, e)))
		}
	}
	// Kustomizations affected by each changed file: the one that is the
	// file or lists it, then every one that lists an affected one.
	affected := map[string]map[string]bool{} // changed file -> kustomization dirs
	for file := range pl.files {
		abs := "/" + file
		set := map[string]bool{}
		for dir, kf := range kfiles {
			if kf == file {
				set[dir] = true
			}
			for _, r := range refs[dir] {
				if r == abs {
					set[dir] = true
				}
			}
		}
		for grew := true; grew; {
			grew = false
			for dir := range kfiles {
				if set[dir] {
					continue
				}
				for _, r := range refs[dir] {
					if set[r] {
						set[dir], grew = true, true
						break
					}
				}
			}
		}
		affected[file] = set
	}
	builds := map[string]string{}
	var dirs []string
	for _, set := range affected {
		for dir := range set {
			if _, ok := builds[dir]; !ok {
				builds[dir] = ""
				dirs = append(dirs, dir)
			}
		}
	}
	sort.Strings(dirs)
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	for _, dir := range dirs {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("gitops: render check: %w", err)
		}
		if err := localOnly(fs, refs, dir, map[string]bool{}); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrRenderFailed, dir, err)
		}
		rm, err := k.Run(fs, dir)
		if err != nil {
			return fmt.Errorf("%w: kustomize build %s: %w", ErrRenderFailed, strings.TrimPrefix(dir, "/"), err)
		}
		out, err := rm.AsYaml()
		if err != nil {
			return fmt.Errorf("%w: kustomize build %s: %w", ErrRenderFailed, strings.TrimPrefix(dir, "/"), err)
		}
		builds[dir] = string(out)
	}
	for _, a := range pl.arts {
		if a.chart != nil {
			continue
		}
		for _, file := range a.files {
			if _, changed := pl.files[file]; !changed {
				continue
			}
			for dir := range affected[file] {
				if !renderedHolds(builds[dir], a.ref) {
					return fmt.Errorf("%w: kustomize build %s does not contain %s", ErrRenderFailed, strings.TrimPrefix(dir, "/"), a.ref)
				}
			}
		}
	}
	return nil
}

// localOnly proves that dir's kustomization and the kustomizations it
// reaches name only files and directories present in the repository, so
// that kustomize never tries to fetch a remote base.
func localOnly(fs filesys.FileSystem, refs map[string][]string, dir string, seen map[string]bool) error {
	if seen[dir] {
		return nil
	}
	seen[dir] = true
	for _, r := range refs[dir] {
		if strings.HasPrefix(r, "remote:") {
			return fmt.Errorf("remote resource %s is not fetched", strings.TrimPrefix(r, "remote:"))
		}
		if !fs.Exists(r) {
			return fmt.Errorf("resource %s does not exist in the repository", strings.TrimPrefix(r, "/"))
		}
		if fs.IsDir(r) {
			if err := localOnly(fs, refs, r, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

// renderedHolds reports whether kustomize output names ref: as written,
// or as kustomize's image transformer writes it (a digest replaces the
// tag).
func renderedHolds(out string, ref Reference) bool {
	if strings.Contains(out, ref.String()) {
		return true
	}
	if ref.Digest != "" {
		return strings.Contains(out, ref.Name+"@"+ref.Digest)
	}
	return strings.Contains(out, ref.Name+":"+ref.Tag)
}
