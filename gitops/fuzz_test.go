package gitops

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/object"
	yaml "go.yaml.in/yaml/v3"
)

// scalarsOf flattens every scalar value of every document, in order.
func scalarsOf(t *testing.T, b []byte) []string {
	t.Helper()
	f, err := parseYAMLFile(context.Background(), b)
	if err != nil {
		t.Fatalf("output does not parse: %v\n%q", err, b)
	}
	var out []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			out = append(out, n.Value)
		}
		if n.Kind == yaml.AliasNode {
			out = append(out, "*"+n.Value)
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, d := range f.docs {
		walk(d)
	}
	return out
}

// FuzzEditImage checks the splice: every edit either fails with one of the
// package's errors or yields a file whose re-parse differs from the input
// only in scalar values that take a part of the new reference, on the same
// lines, with every other byte untouched.
func FuzzEditImage(f *testing.F) {
	for _, dir := range []string{"testdata/corpus", "testdata/real"} {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err == nil {
				f.Add(b, uint8(0), "ghcr.io/acme/web", "ghcr.io/acme/web:v2")
				f.Add(b, uint8(1), "spec.template.spec.containers[0].image", "nginx:1.2@"+dgA)
				f.Add(b, uint8(2), "flux-system:podinfo", "ghcr.io/x/podinfo:1@"+dgB)
				f.Add(b, uint8(3), "web", "web@"+dgA)
			}
		}
	}
	f.Add([]byte("image: {repository: nginx, tag: '1', digest: \"\"}\n"), uint8(0), "nginx", "nginx:2@"+dgA)
	f.Add(flowItems(4<<10, false), uint8(0), "ghcr.io/a/b", "ghcr.io/a/b:2")
	f.Add(flowItems(4<<10, true), uint8(0), "ghcr.io/a/b", "ghcr.io/a/b@"+dgA)
	f.Add([]byte("a: &x nginx:1\nb: *x\nimage: nginx:1 # {\"$imagepolicy\": \"a:b:tag\"}\n"), uint8(2), "a:b", "nginx:3")
	f.Fuzz(func(t *testing.T, src []byte, mode uint8, sel, ref string) {
		if len(src) > 64<<10 {
			return
		}
		var target ImageTarget
		switch mode % 4 {
		case 0:
			target.Name = sel
		case 1:
			target.Path = sel
			target.Doc = int(mode / 4 % 3)
		case 2:
			target.Policy = sel
		case 3:
			target.Container = sel
		}
		out, err := EditImage(src, target, ref)
		if err != nil {
			if !(errors.Is(err, ErrNoTarget) || errors.Is(err, ErrUnsafeEdit) || errors.Is(err, ErrInvalidTarget) ||
				errors.Is(err, ErrInvalidReference) || errors.Is(err, ErrTooLarge)) {
				// A parse error of the input is the only other outcome.
				if _, perr := parseYAMLFile(context.Background(), src); perr == nil {
					t.Fatalf("unexpected error class: %v", err)
				}
			}
			return
		}
		r, _ := ParseReference(ref)
		allowed := map[string]bool{r.String(): true, r.Name: true, r.Tag: true, r.Digest: true, r.Tag + "@" + r.Digest: true}
		a, b := scalarsOf(t, src), scalarsOf(t, out)
		if len(a) != len(b) {
			// A kustomize images: entry gained or lost keys: only those
			// keys, the parts of the reference and the image name are
			// added, and only newTag/digest pairs are removed.
			count := map[string]int{}
			for _, v := range a {
				count[v]++
			}
			for _, v := range b {
				count[v]--
			}
			keys := map[string]bool{"newTag": true, "digest": true, "newName": true, "images": true, "name": true, sel: true}
			removed, removedKeys := 0, 0
			for v, c := range count {
				switch {
				case c < 0 && !allowed[v] && !keys[v]:
					t.Fatalf("scalar %q added, not a part of %s", v, ref)
				case c > 0:
					removed += c
					if v == "newTag" || v == "digest" {
						removedKeys += c
					}
				}
			}
			if removed > 2*removedKeys {
				t.Fatalf("%d scalars removed, %d of them newTag/digest keys", removed, removedKeys)
			}
			return
		}
		for i := range a {
			if a[i] != b[i] && !allowed[b[i]] {
				t.Fatalf("scalar %d changed %q -> %q, not a part of %s", i, a[i], b[i], ref)
			}
		}
		la, lb := splitLines(src), splitLines(out)
		if len(la) != len(lb) {
			t.Fatalf("line count %d -> %d", len(la), len(lb))
		}
		if bytes.Equal(src, out) {
			return
		}
		for i := range la {
			if la[i] != lb[i] {
				// The line ending and the text before the first changed
				// byte are kept.
				ea, eb := la[i][len(bytes.TrimRight([]byte(la[i]), "\r\n")):], lb[i][len(bytes.TrimRight([]byte(lb[i]), "\r\n")):]
				if ea != eb {
					t.Fatalf("line %d ending changed %q -> %q", i+1, ea, eb)
				}
			}
		}
	})
}

// FuzzParseReference: a parsed reference renders back to its input, and
// every rendering parses to the same reference.
func FuzzParseReference(f *testing.F) {
	for _, s := range []string{"nginx", "nginx:1.25", "ghcr.io/a/b:v1@" + dgA, "localhost:5000/x@" + dgB, "A/b:c", "x@sha512:" + dgA[7:] + dgA[7:]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseReference(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidReference) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if r.String() != s {
			t.Fatalf("%q renders as %q", s, r.String())
		}
		again, err := ParseReference(r.String())
		if err != nil || again != r {
			t.Fatalf("round trip of %q: %+v, %v", s, again, err)
		}
	})
}

// FuzzParsePipeline: a pipeline either fails to parse or is internally
// consistent (unique names, safe paths, known RequireLiveIn stages).
func FuzzParsePipeline(f *testing.F) {
	f.Add([]byte(testStages))
	f.Add([]byte(`{"stages":[{"name":"a","edits":[{"file":"x.yaml","target":{"name":"x"}}],"pin":"` + dgA + `"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePipeline(b)
		if err != nil {
			return
		}
		names := map[string]bool{}
		for _, s := range p.Stages {
			if s.Name == "" || names[s.Name] {
				t.Fatalf("bad stage name %q accepted", s.Name)
			}
			names[s.Name] = true
			for _, e := range s.Edits {
				if _, err := cleanRepoPath(e.File); err != nil {
					t.Fatalf("unsafe path accepted: %v", err)
				}
			}
		}
		for _, s := range p.Stages {
			if s.RequireLiveIn != "" && !names[s.RequireLiveIn] {
				t.Fatalf("unknown stage %q accepted", s.RequireLiveIn)
			}
		}
	})
}

// FuzzParseTrailers: commit messages never panic the record reader, and a
// record's image always parses.
func FuzzParseTrailers(f *testing.F) {
	f.Add("chaingate: promote x\n\nChaingate-Image: ghcr.io/a/b:v1\nChaingate-Stage: prod\n")
	f.Add("subject\n\nbody\n\nChaingate-Image: bad ref\n")
	f.Add("chaingate: promote release\n\nChaingate-Image: ghcr.io/a/b:v1\nChaingate-Image: ghcr.io/a/c@" + dgA + "\nChaingate-Chart: podinfo 6.5.0\nChaingate-Decision: " + dgA + "\nChaingate-Decision: " + dgB + "\nChaingate-Decision: " + dgA + "\n")
	f.Add("x\n\nChaingate-Chart: cert-manager v1.15.0@" + dgB + "\nChaingate-Decision: " + dgA + "\n")
	f.Fuzz(func(t *testing.T, msg string) {
		if len(msg) > 1<<16 {
			return
		}
		tr := parseTrailers(msg)
		for k := range tr {
			if strings.ContainsAny(k, " \t\n") {
				t.Fatalf("trailer key %q", k)
			}
		}
		// A record of a release names a decision for every artifact.
		r, ok := recordOf(&object.Commit{Message: msg})
		if ok && len(r.Artifacts)+len(r.Charts) > 1 && len(r.Decisions) != len(r.Artifacts)+len(r.Charts) {
			t.Fatalf("record %+v", r)
		}
		if ok {
			if _, err := releaseRequest(r.release()); err != nil && r.Image.Name != "" {
				t.Fatalf("recorded release does not read back: %v", err)
			}
		}
	})
}

// FuzzNewSSHVerifier: an allowed-signers file either is refused with an
// error or yields a verifier that refuses a signature it cannot verify;
// options are never dropped silently (an accepted line with an option
// carries it).
func FuzzNewSSHVerifier(f *testing.F) {
	b, err := os.ReadFile("testdata/ssh/allowed_signers")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	for _, line := range strings.Split(string(b), "\n") {
		f.Add([]byte(line))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := NewSSHVerifier(b)
		if err != nil {
			return
		}
		for _, lines := range v.(sshVerifier).keys {
			for _, as := range lines {
				if as.line < 1 {
					t.Fatalf("line number %d", as.line)
				}
			}
		}
		if _, err := v.Verify([]byte("tree 0\n\nmsg\n"), []byte("-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n")); !errors.Is(err, ErrUntrustedSignature) {
			t.Fatalf("garbage signature: %v", err)
		}
	})
}

// FuzzEditChart: a chart edit either fails with one of the package's
// errors or changes only version-holding values and keys, keeping the
// document count.
func FuzzEditChart(f *testing.F) {
	ents, _ := os.ReadDir("testdata/real/flux2-kustomize-helm-example")
	for _, e := range ents {
		if b, err := os.ReadFile(filepath.Join("testdata/real/flux2-kustomize-helm-example", e.Name())); err == nil {
			f.Add(b, "podinfo", "6.5.0", "")
			f.Add(b, "cert-manager", "v1.15.0", dgA)
		}
	}
	f.Add([]byte("apiVersion: v2\nname: x\ndependencies:\n- name: redis\n  version: 1.0.0\n"), "redis", "2.0.0", "")
	f.Fuzz(func(t *testing.T, src []byte, name, version, digest string) {
		if len(src) > 64<<10 {
			return
		}
		out, err := EditChart(src, ChartVersion{Name: name, Version: version, Digest: digest})
		if err != nil {
			if !(errors.Is(err, ErrNoTarget) || errors.Is(err, ErrUnsafeEdit) || errors.Is(err, ErrInvalidTarget) || errors.Is(err, ErrTooLarge)) {
				if _, perr := parseYAMLFile(context.Background(), src); perr == nil {
					t.Fatalf("unexpected error class: %v", err)
				}
			}
			return
		}
		a, b := scalarsOf(t, src), scalarsOf(t, out)
		count := map[string]int{}
		for _, v := range a {
			count[v]++
		}
		for _, v := range b {
			count[v]--
		}
		ok := map[string]bool{version: true, digest: true, "version": true, "tag": true, "digest": true, "targetRevision": true}
		for v, c := range count {
			if c < 0 && !ok[v] {
				t.Fatalf("scalar %q added", v)
			}
		}
	})
}
