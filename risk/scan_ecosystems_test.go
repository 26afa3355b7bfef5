package risk

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

// TestScanEcosystems scans components of every supported ecosystem
// against hand-written entries modelled on real advisories.
func TestScanEcosystems(t *testing.T) {
	db, err := vulndb.Load(filepath.Join("testdata", "osv", "other"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		id, purl string
		props    []sbom.Property
		want     string // OSV id or "" for none
	}{
		{"lodash-old", "pkg:npm/lodash@4.17.20", nil, "GHSA-35jh-r3h4-6jhm"},
		{"lodash-new", "pkg:npm/lodash@4.17.21", nil, ""},
		{"lodash-upper", "pkg:npm/Lodash@4.17.15", nil, "GHSA-35jh-r3h4-6jhm"},
		{"scoped", "pkg:npm/%40example/scoped@1.4.2", nil, "GHSA-35jh-r3h4-6jhm"},
		{"scoped-after", "pkg:npm/%40example/scoped@1.4.3", nil, ""},
		{"jinja-pep503", "pkg:pypi/jinja2@2.10", nil, "PYSEC-2019-217"},
		{"jinja-fixed", "pkg:pypi/Jinja2@2.10.1", nil, ""},
		{"jinja-post", "pkg:pypi/jinja2@2.10.post1", nil, "PYSEC-2019-217"},
		{"openssl-deb", "pkg:deb/debian/openssl@3.0.14-1~deb12u1?arch=amd64&distro=debian-12", nil, "DSA-5764-1"},
		{"openssl-deb-fixed", "pkg:deb/debian/openssl@3.0.14-1~deb12u2?arch=amd64&distro=debian-12", nil, ""},
		{"openssl-deb-11", "pkg:deb/debian/openssl@3.0.14-1~deb12u1?distro=debian-11", nil, ""},
		{"libssl-upstream", "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=bookworm&upstream=openssl", nil, "DSA-5764-1"},
		{"openssl-prop", "pkg:deb/debian/openssl@3.0.11-1", []sbom.Property{{Name: vulndb.PropertyOSVEcosystem, Value: "Debian:12"}}, "DSA-5764-1"},
		{"openssl-apk", "pkg:apk/alpine/openssl@3.3.1-r3?arch=x86_64&distro=alpine-3.20.3", nil, "ALPINE-CVE-2024-6119"},
		{"openssl-apk-fixed", "pkg:apk/alpine/openssl@3.3.2-r0?distro=alpine-3.20.3", nil, ""},
		{"openssl-apk-319", "pkg:apk/alpine/openssl@3.3.1-r3?distro=alpine-3.19.1", nil, ""},
		{"log4j", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", nil, "GHSA-jfh8-c2jp-5v3q"},
		{"log4j-fixed", "pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0", nil, ""},
		{"log4j-gap", "pkg:maven/org.apache.logging.log4j/log4j-core@2.3.1", nil, ""},
		{"rack", "pkg:gem/rack@3.0.4", nil, "CHAINGATE-TEST-0001"},
		{"rack-pre", "pkg:gem/rack@3.0.0.alpha", nil, ""},
		{"nuget", "pkg:nuget/newtonsoft.json@12.0.3", nil, "CHAINGATE-TEST-0001"},
		{"crate", "pkg:cargo/time@0.2.22", nil, "CHAINGATE-TEST-0001"},
		{"crate-limit", "pkg:cargo/time@0.3.5", nil, ""},
	}
	doc := &sbom.Document{}
	for _, c := range cases {
		doc.Components = append(doc.Components, sbom.Component{ID: c.id, Name: c.id, PURL: c.purl, Properties: c.props})
	}
	rep, err := Scan(context.Background(), doc, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		got := testFindingIDs(rep, c.id)
		switch {
		case c.want == "" && len(got) != 0:
			t.Errorf("%s (%s): unexpected %v", c.id, c.purl, got)
		case c.want != "" && !slices.Equal(got, []string{c.want}):
			t.Errorf("%s (%s): got %v, want %s", c.id, c.purl, got, c.want)
		}
		if u := testUnassessed(rep, c.id); u != nil {
			t.Errorf("%s unassessed: %s", c.id, u.Reason)
		}
	}
	if f := testFinding(rep, "log4j", "GHSA-jfh8-c2jp-5v3q"); f == nil || len(f.Severity) != 1 || f.Severity[0].Score != 10.0 || f.Severity[0].Rating != "CRITICAL" {
		t.Errorf("log4j severity: %+v", f)
	}
}
