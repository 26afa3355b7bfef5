package policy_test

import (
	"slices"
	"testing"

	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

// The risk report's unassessed components reach the input with their
// identity, OSV ecosystem, root flag, reason and candidate advisories.
func TestRiskFromReportUnassessed(t *testing.T) {
	root := sbom.Component{ID: "root", Name: "github.com/acme/api", PURL: "pkg:golang/github.com/acme/api"}
	gin := sbom.Component{ID: "gin", Name: "github.com/gin-gonic/gin", Version: "v1.7.0.1", PURL: "pkg:golang/github.com/gin-gonic/gin@v1.7.0.1"}
	deb := sbom.Component{ID: "deb", Name: "openssl", Version: "x", PURL: "pkg:deb/debian/openssl@x?distro=debian-12"}
	apk := sbom.Component{ID: "apk", Name: "musl", PURL: "pkg:apk/alpine/musl"}
	override := sbom.Component{ID: "ovr", Name: "zlib", Version: "?", PURL: "pkg:generic/zlib@%3F",
		Properties: []sbom.Property{{Name: vulndb.PropertyOSVEcosystem, Value: "Debian:12"}}}
	generic := sbom.Component{ID: "gen", Name: "blob", PURL: "pkg:generic/blob@1"}
	nopurl := sbom.Component{ID: "np", Name: "thing"}
	rep := &risk.Report{Document: risk.DocumentRef{Root: "root"}, Unassessed: []risk.Unassessed{
		{Component: root, Reason: `version "" is unknown: not matched`},
		{Component: gin, Reason: `version "v1.7.0.1" could not be compared`, IDs: []string{"GO-2023-1737", "GO-2020-0001"}},
		{Component: deb, Reason: "r"}, {Component: apk, Reason: "r"}, {Component: override, Reason: "r"},
		{Component: generic, Reason: "r"}, {Component: nopurl, Reason: "no purl"},
	}}
	got := policy.RiskFromReport(rep)
	if got.Summary.Unassessed != 7 || len(got.Unassessed) != 7 {
		t.Fatalf("summary %+v, %d unassessed", got.Summary, len(got.Unassessed))
	}
	g := got.Unassessed[1]
	if g.Component != "gin" || g.Package != gin.Name || g.Version != "v1.7.0.1" || g.PURL != gin.PURL || g.Ecosystem != "Go" ||
		g.Root || g.Reason != rep.Unassessed[1].Reason || !slices.Equal(g.Advisories, []string{"GO-2023-1737", "GO-2020-0001"}) {
		t.Errorf("gin %+v", g)
	}
	if !got.Unassessed[0].Root || got.Unassessed[0].Ecosystem != "Go" {
		t.Errorf("root %+v", got.Unassessed[0])
	}
	for i, want := range []string{"Go", "Go", "Debian", "Alpine", "Debian:12", "", ""} {
		if e := got.Unassessed[i].Ecosystem; e != want {
			t.Errorf("%s: ecosystem %q, want %q", got.Unassessed[i].Component, e, want)
		}
	}
	// The input does not share the report's slices.
	rep.Unassessed[1].IDs[0] = "changed"
	if got.Unassessed[1].Advisories[0] != "GO-2023-1737" {
		t.Error("advisories alias the report's IDs")
	}
}
