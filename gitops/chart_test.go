package gitops

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestEditChart(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile("testdata/real/flux2-kustomize-helm-example/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	release := read("apps-base-podinfo-release.yaml")
	staging := read("apps-staging-podinfo-values.yaml")
	certManager := read("infrastructure-controllers-cert-manager.yaml")
	const application = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: podinfo
spec:
  source:
    repoURL: https://stefanprodan.github.io/podinfo
    chart: podinfo
    targetRevision: 6.4.0 # pinned
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: multi
spec:
  sources:
    - repoURL: https://stefanprodan.github.io/podinfo
      chart: podinfo
      helm:
        valueFiles: [$values/podinfo.yaml]
    - repoURL: https://github.com/acme/values.git
      targetRevision: main
      ref: values
`
	const chartYAML = "apiVersion: v2\nname: shop\nversion: 1.2.0\ndependencies:\n  - name: podinfo\n    version: \"6.4.0\"\n    repository: oci://ghcr.io/stefanprodan/charts\n  - name: redis\n    version: 18.0.0\n    repository: https://charts.bitnami.com/bitnami\n"
	digest := "sha256:" + strings.Repeat("c", 64)
	cases := []struct {
		name    string
		in      string
		chart   ChartVersion
		want    string
		wantErr error
	}{
		{"HelmRelease adds spec.chart.spec.version", release, ChartVersion{Name: "podinfo", Version: "6.5.0"},
			strings.Replace(release, "        name: podinfo\n", "        name: podinfo\n      version: 6.5.0\n", 1), nil},
		{"HelmRelease patch sets a quoted range", staging, ChartVersion{Name: "podinfo", Version: "6.5.0"},
			"", ErrNoTarget},
		{"OCIRepository semver becomes a tag", certManager, ChartVersion{Name: "cert-manager", Version: "v1.15.0"},
			strings.Replace(certManager, "    semver: \"1.x\"\n", "    tag: \"v1.15.0\"\n", 1), nil},
		{"OCIRepository pinned by digest", certManager, ChartVersion{Name: "cert-manager", Version: "v1.15.0", Digest: digest},
			strings.Replace(certManager, "    semver: \"1.x\"\n", "    tag: \"v1.15.0\"\n    digest: "+digest+"\n", 1), nil},
		{"Argo CD source and sources[]", application, ChartVersion{Name: "podinfo", Version: "6.5.0"},
			strings.Replace(strings.Replace(application, "targetRevision: 6.4.0 # pinned", "targetRevision: 6.5.0 # pinned", 1),
				"        valueFiles: [$values/podinfo.yaml]\n", "        valueFiles: [$values/podinfo.yaml]\n      targetRevision: 6.5.0\n", 1), nil},
		{"Chart.yaml dependency", chartYAML, ChartVersion{Name: "podinfo", Version: "6.5.0"},
			strings.Replace(chartYAML, "version: \"6.4.0\"", "version: \"6.5.0\"", 1), nil},
		{"digest where the format has none", chartYAML, ChartVersion{Name: "podinfo", Version: "6.5.0", Digest: digest}, "", ErrInvalidTarget},
		{"no such chart", chartYAML, ChartVersion{Name: "nginx", Version: "1"}, "", ErrNoTarget},
		{"bad version", chartYAML, ChartVersion{Name: "podinfo", Version: "6.5.0 # x"}, "", ErrInvalidTarget},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := EditChart([]byte(tc.in), tc.chart)
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("no error; got\n%s", out)
				}
				if errors.Is(tc.wantErr, ErrInvalidTarget) || errors.Is(tc.wantErr, ErrNoTarget) {
					if !errors.Is(err, tc.wantErr) {
						t.Fatalf("err = %v, want %v", err, tc.wantErr)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", out, tc.want)
			}
		})
	}
}

func TestParseChartVersion(t *testing.T) {
	for _, s := range []string{"podinfo 6.5.0", "cert-manager v1.15.0@sha256:" + strings.Repeat("d", 64)} {
		c, err := ParseChartVersion(s)
		if err != nil || c.String() != s {
			t.Errorf("%q -> %+v, %v", s, c, err)
		}
	}
	for _, s := range []string{"", "podinfo", "podinfo 6.5.0@sha1:x", "a b c"} {
		if _, err := ParseChartVersion(s); !errors.Is(err, ErrInvalidTarget) {
			t.Errorf("%q: %v", s, err)
		}
	}
}
