package main

import (
	"strings"
	"testing"

	"github.com/chaingate/chaingate/gitops"
)

// FuzzParseEdit checks the --edit parser: it never panics, every accepted
// edit names a file and a selector, and the file is what precedes the
// first comma.
func FuzzParseEdit(f *testing.F) {
	for _, s := range []string{
		"apps/api/deployment.yaml",
		"apps/api/values.yaml,path=image.tag",
		"k8s/app.yaml,container=web,name=ghcr.io/acme/api",
		"clusters/prod.yaml,policy=flux-system:api",
		"multi.yaml,path=spec.template.spec.containers[name=web].image,doc=2",
		"x.yaml,doc=-1", "x.yaml,colour=blue", ",name=a", "x.yaml,noequals",
	} {
		f.Add(s, "ghcr.io/acme/api")
	}
	f.Fuzz(func(t *testing.T, s, image string) {
		e, err := parseEdit(s, image)
		if err != nil {
			return
		}
		if e.File == "" || e.File != strings.Split(s, ",")[0] {
			t.Fatalf("parseEdit(%q) file %q", s, e.File)
		}
		if e.Target == (gitops.ImageTarget{Doc: e.Target.Doc}) && image != "" {
			t.Fatalf("parseEdit(%q) selects nothing: %+v", s, e.Target)
		}
		if e.Target.Doc < 0 {
			t.Fatalf("parseEdit(%q) doc %d", s, e.Target.Doc)
		}
	})
}

func TestParseEdit(t *testing.T) {
	tests := []struct {
		in   string
		want gitops.Edit
		err  bool
	}{
		{"apps/api.yaml", gitops.Edit{File: "apps/api.yaml", Target: gitops.ImageTarget{Name: "ghcr.io/acme/api"}}, false},
		{"v.yaml,path=image.tag", gitops.Edit{File: "v.yaml", Target: gitops.ImageTarget{Path: "image.tag"}}, false},
		{"k.yaml,container=web,doc=1", gitops.Edit{File: "k.yaml", Target: gitops.ImageTarget{Container: "web", Doc: 1}}, false},
		{"f.yaml,policy=flux-system:api", gitops.Edit{File: "f.yaml", Target: gitops.ImageTarget{Policy: "flux-system:api"}}, false},
		// doc alone selects nothing: the image name is the selector.
		{"m.yaml,doc=2", gitops.Edit{File: "m.yaml", Target: gitops.ImageTarget{Name: "ghcr.io/acme/api", Doc: 2}}, false},
		{",name=x", gitops.Edit{}, true},
		{"x.yaml,colour=blue", gitops.Edit{}, true},
		{"x.yaml,doc=-1", gitops.Edit{}, true},
		{"x.yaml,path", gitops.Edit{}, true},
	}
	for _, tt := range tests {
		got, err := parseEdit(tt.in, "ghcr.io/acme/api")
		if (err != nil) != tt.err || (!tt.err && got != tt.want) {
			t.Errorf("parseEdit(%q) = %+v, %v; want %+v (error %v)", tt.in, got, err, tt.want, tt.err)
		}
	}
}
