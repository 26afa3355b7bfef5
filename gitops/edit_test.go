package gitops

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	dgA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	dgB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// splitLines splits keeping each line's ending, so CRLF survives the diff.
func splitLines(b []byte) []string {
	var out []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, string(b))
			break
		}
		out = append(out, string(b[:i+1]))
		b = b[i+1:]
	}
	return out
}

// assertOnlyLines checks that got differs from orig exactly on the given
// 1-based lines, and that those lines now read as want says.
func assertOnlyLines(t *testing.T, orig, got []byte, want map[int]string) {
	t.Helper()
	a, b := splitLines(orig), splitLines(got)
	if len(a) != len(b) {
		t.Fatalf("line count changed: %d -> %d\n%s", len(a), len(b), got)
	}
	for i := range a {
		w, ok := want[i+1]
		switch {
		case ok && b[i] != w:
			t.Errorf("line %d = %q, want %q", i+1, b[i], w)
		case !ok && a[i] != b[i]:
			t.Errorf("line %d changed unexpectedly: %q -> %q", i+1, a[i], b[i])
		}
	}
}

func readCorpus(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEditImageCorpus(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		target ImageTarget
		ref    string
		want   map[int]string
	}{
		{
			name: "deployment by name keeps quoting and comments",
			file: "corpus/deployment.yaml", target: ImageTarget{Name: "ghcr.io/acme/web"}, ref: "ghcr.io/acme/web:v1.5.0",
			want: map[int]string{
				14: "          image: \"ghcr.io/acme/web:v1.5.0\"   # run migrations first\n",
				17: "          image: ghcr.io/acme/web:v1.5.0\n",
			},
		},
		{
			name: "single quotes kept", file: "corpus/deployment.yaml",
			target: ImageTarget{Name: "envoyproxy/envoy"}, ref: "docker.io/envoyproxy/envoy:v1.30.0@" + dgA,
			want: map[int]string{20: "          image: 'docker.io/envoyproxy/envoy:v1.30.0@" + dgA + "'\n"},
		},
		{
			name: "by container name", file: "corpus/deployment.yaml",
			target: ImageTarget{Container: "web"}, ref: "ghcr.io/acme/web@" + dgB,
			want: map[int]string{17: "          image: ghcr.io/acme/web@" + dgB + "\n"},
		},
		{
			name: "path with index", file: "corpus/deployment.yaml",
			target: ImageTarget{Path: "spec.template.spec.containers[1].image"}, ref: "envoyproxy/envoy:v2",
			want: map[int]string{20: "          image: 'envoyproxy/envoy:v2'\n"},
		},
		{
			name: "path with selector", file: "corpus/deployment.yaml",
			target: ImageTarget{Path: "spec.template.spec.initContainers[name=migrate].image"}, ref: "ghcr.io/acme/web:v9",
			want: map[int]string{14: "          image: \"ghcr.io/acme/web:v9\"   # run migrations first\n"},
		},
		{
			name: "multi-document StatefulSet and CronJob", file: "corpus/multi.yaml",
			target: ImageTarget{Name: "docker.io/library/postgres"}, ref: "postgres:16.3",
			want: map[int]string{
				12: "        image: postgres:16.3\n",
				26: "            image: postgres:16.3   # same image as the database\n",
			},
		},
		{
			name: "path in second document", file: "corpus/multi.yaml",
			target: ImageTarget{Path: "spec.jobTemplate.spec.template.spec.containers[0].image", Doc: 1}, ref: "postgres:17",
			want: map[int]string{26: "            image: postgres:17   # same image as the database\n"},
		},
		{
			name: "kustomize newTag quoted", file: "corpus/kustomization.yaml",
			target: ImageTarget{Name: "ghcr.io/acme/api"}, ref: "ghcr.io/acme/api:2.4.0",
			want: map[int]string{8: "  newTag: \"2.4.0\"\n"},
		},
		{
			name: "kustomize by newName with digest", file: "corpus/kustomization.yaml",
			target: ImageTarget{Name: "registry.example.com/mirror/nginx"}, ref: "registry.example.com/mirror/nginx:1.25.4@" + dgA,
			want: map[int]string{11: "  newTag: 1.25.4\n", 12: "  digest: " + dgA + "\n"},
		},
		{
			name: "kustomize rename", file: "corpus/kustomization.yaml",
			target: ImageTarget{Name: "nginx"}, ref: "registry.example.com/other/nginx:1.26.0@" + dgB,
			want: map[int]string{10: "  newName: registry.example.com/other/nginx\n", 11: "  newTag: 1.26.0\n", 12: "  digest: " + dgB + "\n"},
		},
		{
			name: "helm values 4-space indent, tag and digest keys", file: "corpus/values.yaml",
			target: ImageTarget{Name: "ghcr.io/acme/api"}, ref: "ghcr.io/acme/api:2.4.0@" + dgA,
			want: map[int]string{
				7:  "    tag: \"2.4.0@" + dgA + "\"\n",
				13: "        tag: 2.4.0\n",
				14: "        digest: \"" + dgA + "\"\n",
			},
		},
		{
			name: "helm path image.tag", file: "corpus/values.yaml",
			target: ImageTarget{Path: "image.tag"}, ref: "ghcr.io/acme/api:v5",
			want: map[int]string{7: "    tag: \"v5\"\n"},
		},
		{
			name: "helm tag that would not stay a string gets quoted", file: "corpus/values.yaml",
			target: ImageTarget{Path: "worker.image.tag"}, ref: "ghcr.io/acme/api:1.5",
			want: map[int]string{13: "        tag: \"1.5\"\n"},
		},
		{
			name: "flux setters in HelmRelease values", file: "corpus/helmrelease.yaml",
			target: ImageTarget{Policy: "flux-system:podinfo"}, ref: "ghcr.io/stefanprodan/podinfo:6.6.0",
			want: map[int]string{
				15: "      tag: 6.6.0 # {\"$imagepolicy\": \"flux-system:podinfo:tag\"}\n",
				16: "    extra: ghcr.io/stefanprodan/podinfo:6.6.0 # {\"$imagepolicy\": \"flux-system:podinfo\"}\n",
			},
		},
		{
			name: "flux setters rename and digest", file: "corpus/helmrelease.yaml",
			target: ImageTarget{Policy: "flux-system:podinfo"}, ref: "ghcr.io/acme/podinfo:6.6.0@" + dgA,
			want: map[int]string{
				14: "      repository: ghcr.io/acme/podinfo # {\"$imagepolicy\": \"flux-system:podinfo:name\"}\n",
				15: "      tag: 6.6.0@" + dgA + " # {\"$imagepolicy\": \"flux-system:podinfo:tag\"}\n",
				16: "    extra: ghcr.io/acme/podinfo:6.6.0@" + dgA + " # {\"$imagepolicy\": \"flux-system:podinfo\"}\n",
			},
		},
		{
			name: "flux HelmRelease values by name", file: "corpus/helmrelease.yaml",
			target: ImageTarget{Name: "ghcr.io/stefanprodan/podinfo"}, ref: "ghcr.io/stefanprodan/podinfo:6.7.0",
			want: map[int]string{15: "      tag: 6.7.0 # {\"$imagepolicy\": \"flux-system:podinfo:tag\"}\n"},
		},
		{
			name: "CRLF without final newline", file: "corpus/crlf-nofinalnewline.yaml",
			target: ImageTarget{Name: "quay.io/acme/app"}, ref: "quay.io/acme/app@" + dgB,
			want: map[int]string{10: "        image: quay.io/acme/app@" + dgB + "\r\n"},
		},
		{
			name: "real: trillian log deployment", file: "real/log-deployment.yaml",
			target: ImageTarget{Name: "gcr.io/trillian-opensource-ci/log_server"}, ref: "gcr.io/trillian-opensource-ci/log_server:v1.7.3",
			want: map[int]string{34: "        image: gcr.io/trillian-opensource-ci/log_server:v1.7.3\n"},
		},
		{
			name: "real: trillian sidecar shared by two files", file: "real/log-signer-deployment.yaml",
			target: ImageTarget{Name: "gcr.io/google-containers/prometheus-to-sd"}, ref: "gcr.io/google-containers/prometheus-to-sd:v0.9.2",
			want: map[int]string{56: "        image: gcr.io/google-containers/prometheus-to-sd:v0.9.2\n"},
		},
		{
			name: "real: etcd operator", file: "real/etcd-deployment.yaml",
			target: ImageTarget{Container: "trillian-etcd-operator"}, ref: "quay.io/coreos/etcd-operator:v0.9.5",
			want: map[int]string{16: "        image: quay.io/coreos/etcd-operator:v0.9.5\n"},
		},
		{
			name: "real: galera StatefulSet in a multi-document file", file: "real/galera.yaml",
			target: ImageTarget{Name: "us.gcr.io/trillian-test/galera"}, ref: "us.gcr.io/trillian-test/galera:v2",
			want: map[int]string{95: "          image: us.gcr.io/trillian-test/galera:v2\n"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			orig := readCorpus(t, tc.file)
			got, err := EditImage(orig, tc.target, tc.ref)
			if err != nil {
				t.Fatalf("EditImage: %v", err)
			}
			assertOnlyLines(t, orig, got, tc.want)
			// Applying the same edit again is a no-op.
			again, err := EditImage(got, tc.target, tc.ref)
			if err != nil || !bytes.Equal(again, got) {
				t.Errorf("second EditImage changed the file again (err %v)", err)
			}
		})
	}
}

func TestEditImageErrors(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		target ImageTarget
		ref    string
		want   error
	}{
		{"nothing matched", "image: nginx:1\n", ImageTarget{Name: "redis"}, "redis:7", ErrNoTarget},
		{"commented out only", "a: 1\n# image: redis:6\n", ImageTarget{Name: "redis"}, "redis:7", ErrNoTarget},
		{"commented-out setter", "a: 1\n# b: x:1 # {\"$imagepolicy\": \"ns:p\"}\n", ImageTarget{Policy: "ns:p"}, "x:2", ErrNoTarget},
		{"path missing", "image:\n  tag: v1\n", ImageTarget{Path: "image.digest"}, "x@" + dgA, ErrNoTarget},
		{"path at a mapping", "image:\n  tag: v1\n", ImageTarget{Path: "image"}, "x:1", ErrNoTarget},
		{"path at a mapping is also invalid", "image:\n  tag: v1\n", ImageTarget{Path: "image"}, "x:1", ErrInvalidTarget},
		{"empty file", "", ImageTarget{Name: "x"}, "x:1", ErrNoTarget},
		{"comments only", "# image: x:1\n", ImageTarget{Name: "x"}, "x:1", ErrNoTarget},
		{"doc out of range", "a: b\n", ImageTarget{Path: "a", Doc: 3}, "x:1", ErrNoTarget},
		{"literal block scalar", "image: |\n  nginx:1\n", ImageTarget{Path: "image"}, "nginx:2", ErrUnsafeEdit},
		{"folded block scalar", "image: >-\n  nginx:1\n", ImageTarget{Path: "image"}, "nginx:2", ErrUnsafeEdit},
		{"multi-line plain", "image: nginx\n  :1\n", ImageTarget{Path: "image"}, "nginx:2", ErrUnsafeEdit},
		{"multi-line double quoted", "image: \"nginx\n  x\"\n", ImageTarget{Path: "image"}, "nginx:2", ErrUnsafeEdit},
		{"aliased anchor by path", "a: &x nginx:1\nb: *x\n", ImageTarget{Path: "a"}, "nginx:2", ErrUnsafeEdit},
		{"path through alias", "a: &x {image: nginx:1}\nb: *x\n", ImageTarget{Path: "b.image"}, "nginx:2", ErrUnsafeEdit},
		{"empty value", "image:\n  tag:\n", ImageTarget{Path: "image.tag"}, "x:1", ErrUnsafeEdit},
		{"stale digest pin", "image:\n  repository: x\n  tag: v1\n  digest: " + dgA + "\n", ImageTarget{Name: "x"}, "x:v2", ErrInvalidTarget},
		{"digest-only ref into tag-only map", "image:\n  repository: x\n  tag: v1\n", ImageTarget{Name: "x"}, "x@" + dgA, ErrInvalidTarget},
		{"no selector", "a: b\n", ImageTarget{}, "x:1", ErrInvalidTarget},
		{"bad ref", "a: b\n", ImageTarget{Name: "x"}, "x/Y:1", ErrInvalidReference},
		{"ref without tag or digest", "a: b\n", ImageTarget{Name: "x"}, "x", ErrInvalidReference},
		{"bad policy", "a: b\n", ImageTarget{Policy: "nocolon"}, "x:1", ErrInvalidTarget},
		{"duplicate key on path", "a: x:1\na: x:2\n", ImageTarget{Path: "a"}, "x:3", ErrUnsafeEdit},
		{"explicit non-string tag", "tag: !!int 5\n", ImageTarget{Path: "tag"}, "x:v6", ErrUnsafeEdit},
		{"utf-16", "\xff\xfea\x00", ImageTarget{Name: "x"}, "x:1", ErrUnsafeEdit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := EditImage([]byte(tc.src), tc.target, tc.ref)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v (out %q)", err, tc.want, out)
			}
			if out != nil {
				t.Errorf("output on error: %q", out)
			}
		})
	}
}

func TestEditImageTricky(t *testing.T) {
	tests := []struct {
		name, src string
		target    ImageTarget
		ref, want string
	}{
		{"anchor on edited value, name mode updates alias too", "image: &x nginx:1\nb:\n  image: *x\n", ImageTarget{Name: "nginx"}, "nginx:2", "image: &x nginx:2\nb:\n  image: *x\n"},
		{"explicit tag kept", "image: !!str nginx:1\n", ImageTarget{Name: "nginx"}, "nginx:2", "image: !!str nginx:2\n"},
		{"flow mapping", "c: {name: a, image: nginx:1, x: y}\n", ImageTarget{Name: "nginx"}, "nginx:1.25", "c: {name: a, image: nginx:1.25, x: y}\n"},
		{"flow sequence in json style", `{"image": "nginx:1", "n": 1}` + "\n", ImageTarget{Name: "nginx"}, "nginx:2", `{"image": "nginx:2", "n": 1}` + "\n"},
		{"unicode before value", "# café\nimage: nginx:1 # ünïcode\n", ImageTarget{Name: "nginx"}, "nginx:2", "# café\nimage: nginx:2 # ünïcode\n"},
		{"tab before comment", "image: nginx:1\t# c\n", ImageTarget{Name: "nginx"}, "nginx:2", "image: nginx:2\t# c\n"},
		{"document markers", "%YAML 1.1\n---\nimage: nginx:1\n...\n---\nimage: nginx:1\n...\n", ImageTarget{Name: "nginx"}, "nginx:2", "%YAML 1.1\n---\nimage: nginx:2\n...\n---\nimage: nginx:2\n...\n"},
		{"BOM", "\xEF\xBB\xBFimage: nginx:1\n", ImageTarget{Name: "nginx"}, "nginx:2", "\xEF\xBB\xBFimage: nginx:2\n"},
		{"numeric tag stays number-looking when it was", "tag: 1.20\n", ImageTarget{Path: "tag"}, "x:1.21", "tag: 1.21\n"},
		{"int tag to string tag", "tag: 5\n", ImageTarget{Path: "tag"}, "x:v6", "tag: v6\n"},
		{"tag key with digest and no digest key", "image:\n  tag: 'v1'\n", ImageTarget{Path: "image.tag"}, "x:v5@" + dgA, "image:\n  tag: 'v5@" + dgA + "'\n"},
		{"escaped double quotes", "image: \"ngi\\u006Ex:1\"\n", ImageTarget{Name: "nginx"}, "nginx:2", "image: \"nginx:2\"\n"},
		{"already current", "image: nginx:2\n", ImageTarget{Name: "nginx"}, "nginx:2", "image: nginx:2\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := EditImage([]byte(tc.src), tc.target, tc.ref)
			if err != nil {
				t.Fatalf("EditImage: %v", err)
			}
			if string(got) != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestParseReference(t *testing.T) {
	for _, s := range []string{"nginx:1", "nginx@" + dgA, "ghcr.io/a/b:v1@" + dgA, "localhost:5000/x/y:z", "Registry.Example.com:443/a_b/c-d.e:1.0_rc"} {
		r, err := ParseReference(s)
		if err != nil {
			t.Errorf("%s: %v", s, err)
			continue
		}
		if r.String() != s {
			t.Errorf("round trip %q -> %q", s, r.String())
		}
	}
	for _, s := range []string{"", "a:b:c", "x/B", "x@sha256:12", "x:-bad", "x:" + strings.Repeat("a", 129), "/x", "x//y"} {
		if _, err := ParseReference(s); !errors.Is(err, ErrInvalidReference) {
			t.Errorf("%q: err %v, want ErrInvalidReference", s, err)
		}
	}
	if !sameImageName("nginx", "index.docker.io/library/nginx") || sameImageName("nginx", "ghcr.io/nginx") {
		t.Error("Docker Hub name normalisation is wrong")
	}
}
