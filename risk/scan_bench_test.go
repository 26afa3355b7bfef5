package risk

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/chaingate/chaingate/internal/benchutil"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

// benchVulnDB returns data/osv of the full Go vulndb in the module
// cache, or skips.
func benchVulnDB(tb testing.TB) string { return benchutil.GoVulnDB(tb) }

var benchFull struct {
	db  *vulndb.DB
	idx []byte
	err error
}

func benchLoadFull(tb testing.TB) (*vulndb.DB, []byte) {
	tb.Helper()
	dir := benchVulnDB(tb)
	if benchFull.db == nil && benchFull.err == nil {
		benchFull.db, benchFull.err = vulndb.Load(dir)
		if benchFull.err == nil {
			var buf bytes.Buffer
			benchFull.err = benchFull.db.WriteIndex(&buf)
			benchFull.idx = buf.Bytes()
		}
	}
	if benchFull.err != nil {
		tb.Fatal(benchFull.err)
	}
	return benchFull.db, benchFull.idx
}

// benchVulnerableModules are real modules at versions the Go vulndb
// lists as affected, mixed into the generated SBOM.
var benchVulnerableModules = [][2]string{
	{"golang.org/x/net", "v0.17.0"},
	{"golang.org/x/crypto", "v0.16.0"},
	{"golang.org/x/text", "v0.3.5"},
	{"github.com/gin-gonic/gin", "v1.9.0"},
	{"gopkg.in/yaml.v2", "v2.2.2"},
	{"github.com/dgrijalva/jwt-go", "v3.2.0+incompatible"},
	{"github.com/Azure/azure-sdk-for-go/sdk/azidentity", "v1.5.0"},
	{"google.golang.org/grpc", "v1.56.2"},
	{"github.com/docker/docker", "v24.0.5+incompatible"},
	{"stdlib", "v1.21.0"},
	{"github.com/hashicorp/vault", "v1.13.0"},
	{"k8s.io/kubernetes", "v1.27.0"},
	{"github.com/prometheus/client_golang", "v1.11.0"},
	{"github.com/opencontainers/runc", "v1.1.11"},
	{"github.com/go-git/go-git/v5", "v5.10.0"},
}

// benchSBOM generates an SBOM of n components: real vulnerable modules
// every 100 components, the rest plausible but invented Go, npm and PyPI
// packages.
func benchSBOM(n int) *sbom.Document {
	doc := &sbom.Document{Name: "bench", Root: "root"}
	doc.Components = append(doc.Components, sbom.Component{ID: "root", Name: "example.com/app", Version: "v1.0.0", PURL: "pkg:golang/example.com/app@v1.0.0"})
	for i := 1; i < n; i++ {
		var c sbom.Component
		switch {
		case i%100 == 0:
			m := benchVulnerableModules[(i/100)%len(benchVulnerableModules)]
			c = sbom.Component{Name: m[0], Version: m[1], PURL: "pkg:golang/" + m[0] + "@" + m[1]}
		case i%3 == 0:
			c = sbom.Component{Name: fmt.Sprintf("pkg-%d", i), Version: "1.2.3", PURL: fmt.Sprintf("pkg:npm/pkg-%d@1.2.3", i)}
		case i%3 == 1:
			c = sbom.Component{Name: fmt.Sprintf("Py_Pkg.%d", i), Version: "2.0.1", PURL: fmt.Sprintf("pkg:pypi/py-pkg-%d@2.0.1", i)}
		default:
			c = sbom.Component{Name: fmt.Sprintf("github.com/org%d/mod", i), Version: "v0.4.1", PURL: fmt.Sprintf("pkg:golang/github.com/org%d/mod@v0.4.1", i)}
		}
		c.ID = fmt.Sprintf("c%d", i)
		c.Type = sbom.TypeLibrary
		doc.Components = append(doc.Components, c)
		doc.Dependencies = append(doc.Dependencies, sbom.Dependency{Ref: "root", DependsOn: []string{c.ID}})
	}
	return doc
}

// withNaive makes Scan use no index and no memo: the baseline.
func withNaive() ScanOption {
	return func(c *scanConfig) error { c.naive = true; return nil }
}

// benchCPU runs fn b.N times and also reports the CPU time per
// operation (see benchutil.CPU).
func benchCPU(b *testing.B, fn func()) { benchutil.CPU(b, fn) }

func BenchmarkScan(b *testing.B) {
	db, _ := benchLoadFull(b)
	doc := benchSBOM(20000)
	ctx := context.Background()
	rep, err := Scan(ctx, doc, db)
	if err != nil {
		b.Fatal(err)
	}
	if len(rep.Findings) == 0 {
		b.Fatal("no findings in the generated SBOM")
	}
	b.Run("chaingate", func(b *testing.B) {
		benchCPU(b, func() {
			if _, err := Scan(ctx, doc, db); err != nil {
				b.Fatal(err)
			}
		})
		b.ReportMetric(float64(len(rep.Findings)), "findings")
	})
	nrep, err := Scan(ctx, doc, db, withNaive())
	if err != nil {
		b.Fatal(err)
	}
	if len(nrep.Findings) != len(rep.Findings) {
		b.Fatalf("naive scan found %d findings, indexed scan %d", len(nrep.Findings), len(rep.Findings))
	}
	b.Run("naive", func(b *testing.B) {
		benchCPU(b, func() {
			if _, err := Scan(ctx, doc, db, withNaive()); err != nil {
				b.Fatal(err)
			}
		})
	})
}
