package gitops

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// benchRepo generates a bare repository with files files and commits
// commits of history using git fast-import, and returns its path.
func benchRepo(b *testing.B, files, commits int, extra ...map[string]string) string {
	b.Helper()
	requireGit(b)
	root := b.TempDir()
	bare := filepath.Join(root, "bench.git")
	gitCmd(b, root, "init", "-q", "--bare", "-b", "main", bare)
	var s bytes.Buffer
	data := func(v string) { fmt.Fprintf(&s, "data %d\n%s\n", len(v), v) }
	content := func(i, version int) string {
		return fmt.Sprintf("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc%04d\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ghcr.io/acme/svc%04d:v%d # service %d\n", i, i, version, i)
	}
	when := 1700000000
	s.WriteString("commit refs/heads/main\n")
	fmt.Fprintf(&s, "committer Bench <bench@example.com> %d +0000\n", when)
	data("initial")
	for i := 0; i < files; i++ {
		fmt.Fprintf(&s, "M 100644 inline apps/svc%04d/deploy.yaml\n", i)
		data(content(i, 0))
	}
	for _, m := range extra {
		for name, c := range m {
			fmt.Fprintf(&s, "M 100644 inline %s\n", name)
			data(c)
		}
	}
	for c := 1; c < commits; c++ {
		i := c % files
		s.WriteString("commit refs/heads/main\n")
		fmt.Fprintf(&s, "committer Bench <bench@example.com> %d +0000\n", when+c)
		data(fmt.Sprintf("bump svc%04d", i))
		fmt.Fprintf(&s, "M 100644 inline apps/svc%04d/deploy.yaml\n", i)
		data(content(i, c))
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = bare
	cmd.Stdin = &s
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("git fast-import: %v\n%s", err, out)
	}
	// A served repository is normally packed with deltas; fast-import's
	// pack is not, and would slow the CLI's clone unfairly.
	gitCmd(b, bare, "repack", "-adq")
	return bare
}

// BenchmarkPromote compares one promotion (edit one file, one commit,
// push) with the git CLI doing the same against a 1,000-file repository
// with 5,000 commits of history, like with like: "shallow" fetches depth 1
// on both sides, "full" the whole history on both sides, and neither side
// checks files out (the CLI edits through plumbing: cat-file,
// hash-object, read-tree, update-index, write-tree, commit-tree, push).
func BenchmarkPromote(b *testing.B) {
	bare := benchRepo(b, 1000, 5000)
	url := "file://" + filepath.ToSlash(bare)
	seq := 0 // unique values across the benchmark's repeated runs
	for _, mode := range []struct {
		name  string
		depth int
	}{{"shallow", 1}, {"full", 0}} {
		b.Run(mode.name+"/chaingate", func(b *testing.B) {
			p, err := NewPromoter(Repository{URL: url, Branch: "main"}, WithGate(allowAll))
			if err != nil {
				b.Fatal(err)
			}
			p.cfg.fetchDepth = mode.depth
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				_, err := p.Promote(context.Background(), Request{
					Image: fmt.Sprintf("ghcr.io/acme/svc0042:cg%d", seq),
					Edits: []Edit{{File: "apps/svc0042/deploy.yaml", Target: ImageTarget{Name: "ghcr.io/acme/svc0042"}}},
				})
				if err != nil {
					b.Fatal(err)
				}
				seq++
			}
		})
		b.Run(mode.name+"/git-cli", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				root := b.TempDir()
				dir := filepath.Join(root, "clone")
				args := []string{"clone", "-q", "--no-checkout", "--single-branch", "--branch", "main"}
				if mode.depth > 0 {
					args = append(args, "--depth", fmt.Sprint(mode.depth))
				}
				gitCmd(b, root, append(args, url, dir)...)
				const file = "apps/svc0043/deploy.yaml"
				old := gitCmd(b, dir, "cat-file", "blob", "HEAD:"+file)
				lines := strings.Split(old, "\n")
				for j, l := range lines {
					if strings.Contains(l, "image: ") {
						lines[j] = fmt.Sprintf("          image: ghcr.io/acme/svc0043:cli%d # service 43", seq)
						seq++
					}
				}
				edited := filepath.Join(root, "edited.yaml")
				if err := os.WriteFile(edited, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
					b.Fatal(err)
				}
				blob := gitCmd(b, dir, "hash-object", "-w", edited)
				gitCmd(b, dir, "read-tree", "HEAD")
				gitCmd(b, dir, "update-index", "--cacheinfo", "100644,"+blob+","+file)
				tree := gitCmd(b, dir, "write-tree")
				commit := gitCmd(b, dir, "commit-tree", tree, "-p", "HEAD", "-m", "promote")
				gitCmd(b, dir, "push", "-q", "origin", commit+":refs/heads/main")
			}
		})
	}
}

// BenchmarkRelease compares a release of 5 images and 2 Helm charts in
// one gated commit with five sequential single-image promotions, in the
// 1,000-file, 5,000-commit repository.
func BenchmarkRelease(b *testing.B) {
	chart := func(name string) string {
		return "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: " + name + "\nspec:\n  chart:\n    spec:\n      chart: " + name + "\n      version: 1.0.0\n"
	}
	bare := benchRepo(b, 1000, 5000, map[string]string{"charts/podinfo.yaml": chart("podinfo"), "charts/redis.yaml": chart("redis")})
	url := "file://" + filepath.ToSlash(bare)
	p, err := NewPromoter(Repository{URL: url, Branch: "main"}, WithGate(allowAll))
	if err != nil {
		b.Fatal(err)
	}
	seq := 0
	image := func(svc int) (string, []Edit) {
		name := fmt.Sprintf("ghcr.io/acme/svc%04d", svc)
		return fmt.Sprintf("%s:rel%d", name, seq), []Edit{{File: fmt.Sprintf("apps/svc%04d/deploy.yaml", svc), Target: ImageTarget{Name: name}}}
	}
	b.Run("release-5-images-2-charts", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			img, edits := image(100)
			req := Request{Image: img, Edits: edits}
			for svc := 101; svc < 105; svc++ {
				img, edits := image(svc)
				req.Artifacts = append(req.Artifacts, Artifact{Image: img, Edits: edits})
			}
			for _, c := range []string{"podinfo", "redis"} {
				req.Artifacts = append(req.Artifacts, Artifact{Chart: &ChartVersion{Name: c, Version: fmt.Sprintf("1.%d.0", seq)},
					Edits: []Edit{{File: "charts/" + c + ".yaml", Target: ImageTarget{Name: c}}}})
			}
			if _, err := p.Promote(context.Background(), req); err != nil {
				b.Fatal(err)
			}
			seq++
		}
	})
	b.Run("5-sequential-images", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for svc := 100; svc < 105; svc++ {
				img, edits := image(svc)
				if _, err := p.Promote(context.Background(), Request{Image: img, Edits: edits}); err != nil {
					b.Fatal(err)
				}
			}
			seq++
		}
	})
}

// BenchmarkEditImage compares EditImage (locate, splice, re-parse to
// verify) with the raw go.yaml.in/yaml/v3 round trip (decode to nodes,
// set the value, encode), which is what most tools do and which rewrites
// the rest of the file.
func BenchmarkEditImage(b *testing.B) {
	src, err := os.ReadFile("testdata/real/docker-cli-compose-full-example.yml")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("chaingate", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for i := 0; i < b.N; i++ {
			if _, err := EditImage(src, ImageTarget{Name: "redis"}, "redis:7.2"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw-yaml-v3-roundtrip", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for i := 0; i < b.N; i++ {
			var n yaml.Node
			if err := yaml.Unmarshal(src, &n); err != nil {
				b.Fatal(err)
			}
			var set func(*yaml.Node)
			set = func(n *yaml.Node) {
				for j := 0; j+1 < len(n.Content); j += 2 {
					if n.Kind == yaml.MappingNode && n.Content[j].Value == "image" && n.Content[j+1].Value == "redis" {
						n.Content[j+1].Value = "redis:7.2"
					}
				}
				for _, c := range n.Content {
					set(c)
				}
			}
			set(&n)
			if _, err := yaml.Marshal(&n); err != nil {
				b.Fatal(err)
			}
		}
	})
}
