package signal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Signal IDs of the Git history detector.
const (
	SignalUnsignedCommit   = "unsigned-commit"
	SignalNewAuthor        = "new-author"
	SignalNewCommitter     = "new-committer"
	SignalSensitiveChange  = "sensitive-change-by-newcomer"
	SignalOffPatternChange = "off-pattern-change"
)

// GitOptions selects what GitHistory reads and reports.
type GitOptions struct {
	// Ref is the revision to walk back from; empty means HEAD.
	Ref string
	// MaxCommits bounds how many commits are read (newest first); zero
	// means 2,000.
	MaxCommits int
	// Report is how many of the newest commits get signals; the older
	// ones only build each author's history. Zero reports on all.
	Report int
	// MinHistory is how many earlier commits an author needs before their
	// change sizes are judged; zero means 5.
	MinHistory int
}

// File classes whose changes matter for the supply chain.
const (
	gitClassCI    = "CI/CD definition"
	gitClassLock  = "lockfile"
	gitClassBuild = "build script"
)

// gitClassify says whether a changed path is a CI/CD definition, a
// lockfile or a build script.
func gitClassify(p string) string {
	base := path.Base(p)
	lower := strings.ToLower(p)
	switch {
	case strings.HasPrefix(lower, ".github/workflows/") || strings.HasPrefix(lower, ".github/actions/") ||
		strings.HasPrefix(lower, ".circleci/") || strings.HasPrefix(lower, ".buildkite/") || strings.HasPrefix(lower, ".ci/") ||
		base == ".gitlab-ci.yml" || base == "Jenkinsfile" || base == "azure-pipelines.yml" || base == ".travis.yml" ||
		base == "cloudbuild.yaml" || base == "bitbucket-pipelines.yml" || base == ".drone.yml":
		return gitClassCI
	case slices.Contains([]string{"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "go.sum", "go.mod",
		"poetry.lock", "Pipfile.lock", "uv.lock", "Cargo.lock", "Gemfile.lock", "composer.lock", "gradle.lockfile"}, base):
		return gitClassLock
	case slices.Contains([]string{"Makefile", "GNUmakefile", "Dockerfile", "Containerfile", "setup.py", "setup.cfg", "pyproject.toml",
		"build.gradle", "build.gradle.kts", "pom.xml", "CMakeLists.txt", "build.sh", "install.sh", "Taskfile.yml", "magefile.go",
		".goreleaser.yml", ".goreleaser.yaml", "binding.gyp", "package.json"}, base) ||
		strings.HasSuffix(base, ".mk") || strings.HasPrefix(lower, "scripts/") || strings.HasPrefix(lower, "hack/"):
		return gitClassBuild
	}
	return ""
}

type gitCommitInfo struct {
	c       *object.Commit
	author  string
	commit  string
	signed  bool
	files   []string
	lines   int
	subject string
}

// GitHistory reads a repository's history (go-git) and reports,
// for each reported commit: no signature; an author or committer new to
// the repository; a change to CI/CD definitions, lockfiles or build
// scripts by someone who had not touched that kind of file before; and a
// change much larger than that author's usual (robust z-score over the
// author's own earlier commits: median and MAD of log lines changed,
// above 3.5).
func GitHistory(ctx context.Context, repo *git.Repository, opts GitOptions) ([]Signal, error) {
	if repo == nil {
		return nil, errors.New("risk: git history: nil repository")
	}
	if opts.MaxCommits <= 0 {
		opts.MaxCommits = 2000
	}
	if opts.MinHistory <= 0 {
		opts.MinHistory = 5
	}
	var from plumbing.Hash
	if opts.Ref == "" {
		head, err := repo.Head()
		if err != nil {
			return nil, fmt.Errorf("risk: git history: HEAD: %w", err)
		}
		from = head.Hash()
	} else {
		h, err := repo.ResolveRevision(plumbing.Revision(opts.Ref))
		if err != nil {
			return nil, fmt.Errorf("risk: git history: resolve %q: %w", opts.Ref, err)
		}
		from = *h
	}
	iter, err := repo.Log(&git.LogOptions{From: from, Order: git.LogOrderCommitterTime})
	if err != nil {
		return nil, fmt.Errorf("risk: git history: log: %w", err)
	}
	defer iter.Close()
	var commits []*object.Commit
	for len(commits) < opts.MaxCommits {
		c, err := iter.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("risk: git history: log: %w", err)
		}
		commits = append(commits, c)
	}
	slices.Reverse(commits) // oldest first
	infos := make([]gitCommitInfo, 0, len(commits))
	for _, c := range commits {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("risk: git history: %w", err)
		}
		st, err := c.StatsContext(ctx)
		if err != nil {
			return nil, fmt.Errorf("risk: git history: commit %s: %w", c.Hash, err)
		}
		ci := gitCommitInfo{c: c, author: gitIdentity(c.Author), commit: gitIdentity(c.Committer),
			signed: strings.TrimSpace(c.PGPSignature) != "", subject: gitSubject(c.Message)}
		for _, f := range st {
			ci.files = append(ci.files, f.Name)
			ci.lines += f.Addition + f.Deletion
		}
		infos = append(infos, ci)
	}

	seen := map[string]bool{}               // identities seen as author or committer
	touched := map[string]map[string]bool{} // identity -> classes touched
	sizes := map[string][]float64{}         // author -> log1p(lines) of earlier commits
	reportFrom := 0
	if opts.Report > 0 && opts.Report < len(infos) {
		reportFrom = len(infos) - opts.Report
	}
	var out []Signal
	for i, ci := range infos {
		report := i >= reportFrom
		src := ci.c.Hash.String()
		who := fmt.Sprintf("commit %s %q by %s", src[:12], ci.subject, ci.author)
		if report && !ci.signed {
			out = append(out, Signal{ID: SignalUnsignedCommit, Value: 0.2, Source: src,
				Evidence: []string{who + " has no signature"}})
		}
		newAuthor := i > 0 && !seen[ci.author]
		if report && newAuthor {
			out = append(out, Signal{ID: SignalNewAuthor, Value: 0.3, Source: src,
				Evidence: []string{fmt.Sprintf("%s: first commit by this author in the %d commits read", who, i+1)}})
		}
		if report && i > 0 && ci.commit != ci.author && !seen[ci.commit] {
			out = append(out, Signal{ID: SignalNewCommitter, Value: 0.3, Source: src,
				Evidence: []string{fmt.Sprintf("%s: committed by %s, new to the repository", who, ci.commit)}})
		}
		// Sensitive files by someone who never touched that class before.
		classes := map[string][]string{}
		for _, f := range ci.files {
			if cl := gitClassify(f); cl != "" {
				classes[cl] = append(classes[cl], f)
			}
		}
		clNames := make([]string, 0, len(classes))
		for cl := range classes {
			clNames = append(clNames, cl)
		}
		sort.Strings(clNames)
		for _, cl := range clNames {
			if i > 0 && report && !touched[ci.author][cl] {
				v := 0.6
				if newAuthor {
					v = 0.8
				}
				out = append(out, Signal{ID: SignalSensitiveChange, Value: v, Source: src,
					Evidence: []string{fmt.Sprintf("%s changes %s files (%s); the author had not changed any before", who, cl, strings.Join(gitFirst(classes[cl], 5), ", "))}})
			}
		}
		// Change size against the author's own history.
		x := math.Log1p(float64(ci.lines))
		if hist := sizes[ci.author]; report && len(hist) >= opts.MinHistory {
			med, mad := gitMedianMAD(hist)
			scale := math.Max(1.4826*mad, 0.5) // at least half a log unit: ~1.6x
			if z := (x - med) / scale; z > 3.5 {
				out = append(out, Signal{ID: SignalOffPatternChange, Value: math.Min(0.7, 0.3+z/20), Source: src,
					Evidence: []string{fmt.Sprintf("%s changes %d lines in %d files; the author's median over %d earlier commits is %.0f lines (robust z %.1f)",
						who, ci.lines, len(ci.files), len(hist), math.Expm1(med), z)}})
			}
		}
		sizes[ci.author] = append(sizes[ci.author], x)
		seen[ci.author], seen[ci.commit] = true, true
		for cl := range classes {
			if touched[ci.author] == nil {
				touched[ci.author] = map[string]bool{}
			}
			touched[ci.author][cl] = true
		}
	}
	anomalySort(out)
	return out, nil
}

// GitHistoryDir opens the repository at dir (a work tree, a linked
// work tree made by git worktree add, or a bare repository) and runs
// GitHistory.
func GitHistoryDir(ctx context.Context, dir string, opts GitOptions) ([]Signal, error) {
	// EnableDotGitCommonDir: a linked work tree's .git is a file naming
	// its private directory, whose refs and objects live in the main
	// repository's common directory; without it go-git finds no HEAD.
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("risk: git history %s: %w", dir, err)
	}
	return GitHistory(ctx, repo, opts)
}

func gitIdentity(s object.Signature) string {
	if e := strings.ToLower(strings.TrimSpace(s.Email)); e != "" {
		return e
	}
	return strings.TrimSpace(s.Name)
}

func gitSubject(msg string) string {
	s, _, _ := strings.Cut(strings.TrimSpace(msg), "\n")
	if len(s) > 72 {
		s = s[:72] + "…"
	}
	return s
}

func gitFirst(s []string, n int) []string {
	if len(s) > n {
		return append(slices.Clone(s[:n]), fmt.Sprintf("and %d more", len(s)-n))
	}
	return s
}

// gitMedianMAD returns the median and the median absolute deviation.
// Hand-written: gonum's stat.Quantile needs sorted input and takes the
// lower middle value for an even count, where the median averages them.
func gitMedianMAD(xs []float64) (med, mad float64) {
	med = gitMedian(xs)
	dev := make([]float64, len(xs))
	for i, x := range xs {
		dev[i] = math.Abs(x - med)
	}
	return med, gitMedian(dev)
}

func gitMedian(xs []float64) float64 {
	s := slices.Clone(xs)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
