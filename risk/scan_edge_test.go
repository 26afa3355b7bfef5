package risk

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/risk/signal"
	"github.com/chaingate/chaingate/sbom"
)

func testComp(id, purl string) sbom.Component {
	return sbom.Component{ID: id, Type: sbom.TypeLibrary, Name: id, PURL: purl}
}

func testFindingIDs(rep *Report, componentID string) []string {
	var ids []string
	for _, f := range rep.Findings {
		if f.Component.ID == componentID {
			ids = append(ids, f.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

func testFinding(rep *Report, componentID, id string) *Finding {
	for i := range rep.Findings {
		if rep.Findings[i].Component.ID == componentID && rep.Findings[i].ID == id {
			return &rep.Findings[i]
		}
	}
	return nil
}

func testUnassessed(rep *Report, componentID string) *Unassessed {
	for i := range rep.Unassessed {
		if rep.Unassessed[i].Component.ID == componentID {
			return &rep.Unassessed[i]
		}
	}
	return nil
}

// TestScanRealEntries checks Scan against real Go vulndb entries and
// modules whose vulnerable versions are known.
func TestScanRealEntries(t *testing.T) {
	db := testDB(t)
	doc := &sbom.Document{Name: "edge", Root: "app", Components: []sbom.Component{
		{ID: "app", Name: "example.com/app", Version: "(devel)", PURL: "pkg:golang/example.com/app@(devel)"},
		testComp("stdlib-old", "pkg:golang/stdlib@go1.21.8"),
		testComp("stdlib-fixed", "pkg:golang/stdlib@v1.21.9"),
		testComp("stdlib-rc", "pkg:golang/stdlib@go1.22rc1"),
		testComp("yaml-old", "pkg:golang/gopkg.in/yaml.v2@v2.2.2"),
		testComp("yaml-fixed", "pkg:golang/gopkg.in/yaml.v2@v2.2.8"),
		testComp("jwt", "pkg:golang/github.com/dgrijalva/jwt-go@v3.2.0%2Bincompatible"),
		testComp("nginx-upper", "pkg:golang/github.com/0xJacky/Nginx-UI@v1.9.9"),
		testComp("nginx-lower", "pkg:golang/github.com/0xJacky/nginx-ui@v1.9.9"),
		testComp("pq", "pkg:golang/github.com/lib/pq@v1.10.9"),
		testComp("toolchain", "pkg:golang/toolchain@go1.21.0"),
		testComp("net-unknown", "pkg:golang/golang.org/x/net@UNKNOWN"),
		{ID: "net-empty", Name: "golang.org/x/net", PURL: "pkg:golang/golang.org/x/net"},
		testComp("no-purl", ""),
		testComp("generic", "pkg:generic/openssl@3.0.0"),
		testComp("net-pseudo", "pkg:golang/golang.org/x/net@v0.0.0-20190404232315-eb5bcb51f2a3"),
	}}
	rep, err := Scan(context.Background(), doc, db)
	if err != nil {
		t.Fatal(err)
	}
	if rep.SchemaVersion != ReportSchemaVersion {
		t.Errorf("schema version %q", rep.SchemaVersion)
	}

	// GO-2024-2687 (HTTP/2 CONTINUATION flood): stdlib <1.21.9, >=1.22.0-0 <1.22.2.
	f := testFinding(rep, "stdlib-old", "GO-2024-2687")
	if f == nil {
		t.Fatal("go1.21.8 must match GO-2024-2687")
	}
	if f.Range != ">=0, <1.21.9" || !slices.Equal(f.Fixed, []string{"1.21.9", "1.22.2"}) {
		t.Errorf("GO-2024-2687 range %q fixed %v", f.Range, f.Fixed)
	}
	if !slices.Contains(f.Aliases, "CVE-2023-45288") || f.URL == "" || len(f.References) == 0 {
		t.Errorf("GO-2024-2687 aliases %v url %q refs %d", f.Aliases, f.URL, len(f.References))
	}
	if len(f.AffectedPackages) == 0 || f.AffectedPackages[0].Path != "net/http" || len(f.AffectedPackages[0].Symbols) == 0 {
		t.Errorf("GO-2024-2687 affected packages %+v", f.AffectedPackages)
	}
	if f.Evidence.Level != EvidenceModule {
		t.Errorf("evidence %q, want module", f.Evidence.Level)
	}
	if testFinding(rep, "stdlib-fixed", "GO-2024-2687") != nil {
		t.Error("v1.21.9 is the fixed version; must not match GO-2024-2687")
	}
	if testFinding(rep, "stdlib-rc", "GO-2024-2687") == nil {
		t.Error("go1.22rc1 is after 1.22.0-0 and before 1.22.2: must match GO-2024-2687")
	}

	if got := testFindingIDs(rep, "yaml-old"); !slices.Equal(got, []string{"GO-2020-0036", "GO-2021-0061", "GO-2022-0956"}) {
		t.Errorf("yaml.v2 v2.2.2: %v", got)
	}
	if got := testFindingIDs(rep, "yaml-fixed"); slices.Contains(got, "GO-2020-0036") || len(got) != 0 {
		t.Errorf("yaml.v2 v2.2.8: %v, want none", got)
	}
	if testFinding(rep, "jwt", "GO-2020-0017") == nil {
		t.Error("jwt-go v3.2.0+incompatible must match GO-2020-0017")
	}

	// Go module paths are case-sensitive: the two Nginx-UI casings are
	// two modules with different advisories.
	up, low := testFindingIDs(rep, "nginx-upper"), testFindingIDs(rep, "nginx-lower")
	if !slices.Contains(up, "GO-2024-2480") || slices.Contains(up, "GO-2026-4901") {
		t.Errorf("github.com/0xJacky/Nginx-UI: %v", up)
	}
	if !slices.Contains(low, "GO-2026-4901") || slices.Contains(low, "GO-2024-2480") {
		t.Errorf("github.com/0xJacky/nginx-ui: %v", low)
	}

	// lib/pq has only withdrawn entries in the subset: never a finding.
	if got := testFindingIDs(rep, "pq"); len(got) != 0 {
		t.Errorf("withdrawn entries matched: %v", got)
	}
	if !db.Has("GO-2026-6166") {
		t.Fatal("test data lost withdrawn entry GO-2026-6166")
	}
	if db.Info().Withdrawn == 0 {
		t.Error("DB counts no withdrawn entries")
	}

	if testFinding(rep, "toolchain", "GO-2023-2042") == nil {
		t.Error("toolchain go1.21.0 must match GO-2023-2042 (>=1.21.0-0 <1.21.1)")
	}
	if testFinding(rep, "net-pseudo", "GO-2023-2102") == nil {
		t.Error("x/net pseudo-version from 2019 must match GO-2023-2102 (<0.17.0)")
	}

	for _, id := range []string{"app", "net-unknown", "net-empty", "no-purl", "generic"} {
		if u := testUnassessed(rep, id); u == nil {
			t.Errorf("%s must be unassessed", id)
		} else if u.Reason == "" {
			t.Errorf("%s unassessed without a reason", id)
		}
		if got := testFindingIDs(rep, id); len(got) != 0 {
			t.Errorf("%s has findings %v", id, got)
		}
	}
	if u := testUnassessed(rep, "net-unknown"); u == nil || !slices.Contains(u.IDs, "GO-2023-2102") {
		t.Errorf("unknown-version x/net must list the entries it could have matched: %+v", u)
	}
	if rep.Summary.Findings != len(rep.Findings) || rep.Summary.Unassessed != len(rep.Unassessed) {
		t.Errorf("summary %+v", rep.Summary)
	}
	for i := 1; i < len(rep.Findings); i++ {
		if rep.Findings[i-1].Priority.Score < rep.Findings[i].Priority.Score {
			t.Fatalf("findings not ordered by priority at %d", i)
		}
	}
}

func TestScanPackageEvidence(t *testing.T) {
	db := testDB(t)
	with := testComp("net-in", "pkg:golang/golang.org/x/net@v0.16.0")
	with.Properties = []sbom.Property{{Name: PropertyGoPackages, Value: "golang.org/x/net/http2, golang.org/x/net/idna"}}
	without := testComp("net-out", "pkg:golang/golang.org/x/net@v0.15.0")
	without.Properties = []sbom.Property{{Name: PropertyGoPackages, Value: "golang.org/x/net/html"}}
	doc := &sbom.Document{Components: []sbom.Component{with, without}}
	rep, err := Scan(context.Background(), doc, db)
	if err != nil {
		t.Fatal(err)
	}
	in, out := testFinding(rep, "net-in", "GO-2023-2102"), testFinding(rep, "net-out", "GO-2023-2102")
	if in == nil || out == nil {
		t.Fatal("x/net v0.15.0 and v0.16.0 must match GO-2023-2102")
	}
	if in.Evidence.Level != EvidencePackage || !slices.Equal(in.Evidence.Packages, []string{"golang.org/x/net/http2"}) {
		t.Errorf("in-build evidence %+v", in.Evidence)
	}
	if out.Evidence.Level != EvidencePackageAbsent {
		t.Errorf("absent evidence %+v", out.Evidence)
	}
	if out.Priority.Score >= in.Priority.Score {
		t.Errorf("package-absent finding scores %.2f >= in-build %.2f", out.Priority.Score, in.Priority.Score)
	}
	var buf strings.Builder
	if err := rep.WriteOpenVEX(&buf, OpenVEXOptions{Author: "test"}); err != nil {
		t.Fatal(err)
	}
	v, err := ReadOpenVEX(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatalf("chaingate's own OpenVEX does not read back: %v\n%s", err, buf.String())
	}
	// Applying our own VEX suppresses exactly the package-absent finding.
	rep2, err := Scan(context.Background(), doc, db, WithVEX(v))
	if err != nil {
		t.Fatal(err)
	}
	suppressed := 0
	for _, f := range rep2.Findings {
		absent := f.Evidence.Level == EvidencePackageAbsent
		if absent != (f.Suppressed != nil) {
			t.Errorf("%s in %s: evidence %s, suppressed %+v", f.ID, f.Component.ID, f.Evidence.Level, f.Suppressed)
		}
		if f.Suppressed != nil {
			suppressed++
		}
		if f.Component.ID == "net-in" && f.ID == "GO-2023-2102" && f.Suppressed != nil {
			t.Error("in-build GO-2023-2102 suppressed")
		}
	}
	if suppressed == 0 || rep2.Summary.Suppressed != suppressed {
		t.Errorf("suppressed %d, summary %d", suppressed, rep2.Summary.Suppressed)
	}
}

func TestScanFailClosed(t *testing.T) {
	db := testDB(t)
	doc := &sbom.Document{Components: []sbom.Component{testComp("a", "pkg:golang/golang.org/x/net@v0.16.0")}}
	if _, err := Scan(context.Background(), nil, db); err == nil {
		t.Error("nil document accepted")
	}
	if _, err := Scan(context.Background(), doc, nil); err == nil {
		t.Error("nil DB accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Scan(ctx, doc, db); err == nil {
		t.Error("cancelled context accepted")
	}
	if _, err := Scan(context.Background(), doc, db, WithDetectors(testFailingDetector{})); err == nil {
		t.Error("a detector error must fail the scan")
	}
	rep, err := Scan(context.Background(), doc, db, WithDetectors(testDetector{}))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Signals) != 1 || rep.Signals[0].ID != "test-signal" {
		t.Errorf("signals %+v", rep.Signals)
	}
}

type testDetector struct{}

func (testDetector) Name() string { return "test" }
func (testDetector) Detect(ctx context.Context, doc *sbom.Document) ([]signal.Signal, error) {
	return []signal.Signal{{ID: "test-signal", Value: 0.5, Source: doc.Components[0].ID}}, nil
}

type testFailingDetector struct{}

func (testFailingDetector) Name() string { return "failing" }
func (testFailingDetector) Detect(context.Context, *sbom.Document) ([]signal.Signal, error) {
	return nil, context.DeadlineExceeded
}

// TestScanPlatformAndDirect: a Go binary SBOM records its GOOS/GOARCH
// and which modules go.mod requires directly; a windows-only
// vulnerability is not in a linux build.
func TestScanPlatformAndDirect(t *testing.T) {
	db := testDB(t)
	std := testComp("stdlib", "pkg:golang/stdlib@go1.12.0")
	yaml := testComp("yaml", "pkg:golang/gopkg.in/yaml.v2@v2.2.2")
	yaml.Properties = []sbom.Property{{Name: "chaingate:go:direct", Value: "false"}}
	doc := &sbom.Document{Root: "app", Properties: []sbom.Property{{Name: "chaingate:go:build:GOOS", Value: "linux"}, {Name: "chaingate:go:build:GOARCH", Value: "amd64"}},
		Components:   []sbom.Component{{ID: "app", Name: "example.com/app", Version: "v1.0.0", PURL: "pkg:golang/example.com/app@v1.0.0"}, std, yaml},
		Dependencies: []sbom.Dependency{{Ref: "app", DependsOn: []string{"stdlib", "yaml"}}}}
	rep, err := Scan(context.Background(), doc, db)
	if err != nil {
		t.Fatal(err)
	}
	win := testFinding(rep, "stdlib", "GO-2022-0535") // crypto/x509 on windows only
	if win == nil || win.Evidence.Level != EvidencePackageAbsent || !strings.Contains(win.Evidence.Reason, "linux/amd64") {
		t.Errorf("windows-only GO-2022-0535 on linux: %+v", win)
	}
	if f := testFinding(rep, "stdlib", "GO-2024-2687"); f == nil || f.Evidence.Level != EvidenceModule {
		t.Errorf("net/http GO-2024-2687 applies on linux: %+v", f)
	}
	if f := testFinding(rep, "yaml", "GO-2020-0036"); f == nil || f.Relationship != "transitive" {
		t.Errorf("chaingate:go:direct=false must win over the flat graph: %+v", f)
	}
	if f := testFinding(rep, "stdlib", "GO-2024-2687"); f.Relationship != "direct" {
		t.Errorf("stdlib relationship %q", f.Relationship)
	}
}
