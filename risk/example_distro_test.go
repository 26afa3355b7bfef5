package risk_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

// ExampleScan_distroPackages scans operating-system packages, named by
// the purls SBOM tools write for them, against osv.dev distro records:
// the purl's "distro" qualifier picks the release ("rhel-9.4" reads
// osv.dev's "Red Hat:enterprise_linux:9::appstream" and "::baseos"
// records, "ubuntu-22.04" its "Ubuntu:22.04:LTS" ones) and each
// ecosystem's own ordering (rpm, dpkg, apk) decides.
func ExampleScan_distroPackages() {
	db, err := vulndb.Load("testdata/osv-distro", vulndb.WithEcosystems("Red Hat", "AlmaLinux", "Ubuntu", "Alpine"))
	if err != nil {
		fmt.Println(err)
		return
	}
	doc := &sbom.Document{Components: []sbom.Component{
		{ID: "sudo", PURL: "pkg:rpm/redhat/sudo@1.9.5p2-9.el9?arch=x86_64&distro=rhel-9.4"},
		{ID: "openssl-libs", PURL: "pkg:rpm/almalinux/openssl-libs@3.0.1-38.el9_0?arch=x86_64&epoch=1&distro=almalinux-9.0"},
		{ID: "libssl3", PURL: "pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.29?arch=amd64&upstream=openssl&distro=ubuntu-22.04"},
		{ID: "musl", PURL: "pkg:apk/alpine/musl@1.2.5-r1?arch=x86_64&distro=alpine-3.20.3"},
	}}
	rep, err := risk.Scan(context.Background(), doc, db)
	if err != nil {
		fmt.Println(err)
		return
	}
	var lines []string
	for _, f := range rep.Findings {
		lines = append(lines, fmt.Sprintf("%s %s fixed in %v", f.Component.ID, f.ID, f.Fixed))
	}
	slices.Sort(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	// Output:
	// libssl3 USN-8847-1 fixed in [3.0.2-0ubuntu1.30]
	// openssl-libs ALSA-2022:6224 fixed in [1:3.0.1-41.el9_0]
	// sudo RHSA-2025:9978 fixed in [0:1.9.5p2-10.el9_6.1]
}
