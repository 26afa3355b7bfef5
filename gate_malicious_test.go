package chaingate_test

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chaingate/chaingate"
	"github.com/chaingate/chaingate/policy"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
	"github.com/chaingate/chaingate/verify"
)

// maliciousGate is a gate over the real OpenSSF report MAL-2025-3546
// (npm blur-plugins) and its GitHub twin, with the policy library at its
// defaults plus the data given.
func maliciousGate(t *testing.T, data map[string]any) *chaingate.Gate {
	t.Helper()
	trust, err := verify.ParseTrustedRoot(readData(t, "trusted_root.json"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := verify.New(trust)
	if err != nil {
		t.Fatal(err)
	}
	db, err := vulndb.Load(filepath.Join("risk", "testdata", "osv", "multi"))
	if err != nil {
		t.Fatal(err)
	}
	opts := []policy.Option{policy.WithLibrary()}
	if data != nil {
		opts = append(opts, policy.WithData(data))
	}
	engine, err := policy.New(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	g, err := chaingate.NewGate(chaingate.WithVerifier(v), chaingate.WithVulnDB(db), chaingate.WithPolicy(engine),
		chaingate.WithClock(func() time.Time { return fixedNow }))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestEvaluateDeniesKnownMaliciousPackage (issue 13): the sigstore-js
// release, with its verified provenance, plus one dependency on npm's
// blur-plugins. With the library at its defaults the gate denies it with
// CG-VULN-010, the one reason the same candidate without blur-plugins
// does not have; the finding is one (MAL and GHSA twins merged), Act,
// malicious. Only ignoring its id or alias lifts the deny.
func TestEvaluateDeniesKnownMaliciousPackage(t *testing.T) {
	ctx := context.Background()
	c := sigstoreJS(t)
	doc, err := sbom.Decode(bytes.NewReader(c.SBOM))
	if err != nil {
		t.Fatal(err)
	}
	clean := c
	clean.Document = doc
	bad := *doc
	bad.Components = append(slices.Clone(doc.Components),
		sbom.Component{ID: "blur-plugins@1.0.0", Type: "library", Name: "blur-plugins", Version: "1.0.0", PURL: "pkg:npm/blur-plugins@1.0.0"})
	withMal := c
	withMal.Document = &bad

	g := maliciousGate(t, nil)
	vc, err := g.Evaluate(ctx, clean)
	if err != nil {
		t.Fatal(err)
	}
	if vc.Input.Provenance == nil || !vc.Input.Provenance.Verified {
		t.Fatalf("provenance not verified: %+v", vc.Input.Provenance)
	}
	v, err := g.Evaluate(ctx, withMal)
	if err != nil {
		t.Fatal(err)
	}
	if v.Allow {
		t.Fatal("a known-malicious dependency was allowed")
	}
	before, after := codes(vc.Reasons), codes(v.Reasons)
	if after["CG-VULN-010"] != 1 || before["CG-VULN-010"] != 0 {
		t.Fatalf("CG-VULN-010: %v without, %v with blur-plugins", before, after)
	}
	delete(after, "CG-VULN-010")
	if len(after) != len(before) {
		t.Errorf("other reasons changed: %v vs %v", before, after)
	}
	var msg string
	for _, r := range v.Reasons {
		if r.Code == "CG-VULN-010" {
			msg = r.Message
		}
	}
	if !strings.Contains(msg, "MAL-2025-3546") || !strings.Contains(msg, "GHSA-p396-9cxf-5q3r") || !strings.Contains(msg, "blur-plugins") {
		t.Errorf("reason %q", msg)
	}
	r := v.Input.Risk
	if r == nil || len(r.Findings) != 1 || !r.Findings[0].Malicious || r.Findings[0].ID != "MAL-2025-3546" || r.Findings[0].Priority != "critical" {
		t.Fatalf("policy input risk %+v", r)
	}
	for _, id := range []string{"MAL-2025-3546", "GHSA-p396-9cxf-5q3r"} {
		g := maliciousGate(t, map[string]any{"chaingate": map[string]any{"config": map[string]any{
			"vulnerabilities": map[string]any{"ignore": []any{id}}}}})
		v, err := g.Evaluate(ctx, withMal)
		if err != nil {
			t.Fatal(err)
		}
		if n := codes(v.Reasons)["CG-VULN-010"]; n != 0 {
			t.Errorf("ignore %s: still denied as malicious", id)
		}
	}
}
