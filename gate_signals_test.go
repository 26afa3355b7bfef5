package chaingate_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/chaingate/chaingate"
	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/risk/signal"
	"github.com/chaingate/chaingate/sbom"
)

// TestEvaluateDeniesTyposquat runs the allowed sigstore-js candidate with
// one more dependency, crossenv (the 2017 npm typosquat of cross-env), and
// the typosquat detector: the signal flows from risk through the policy
// input to the library's CG-SIG-001, and the same candidate without it is
// still allowed.
func TestEvaluateDeniesTyposquat(t *testing.T) {
	g := newGate(t, chaingate.WithScanOptions(risk.WithDetectors(signal.TyposquatDetector{})))
	c := sigstoreJS(t)
	doc, err := sbom.Decode(bytes.NewReader(c.SBOM))
	if err != nil {
		t.Fatal(err)
	}
	clean := c
	clean.Document = doc
	v, err := g.Evaluate(context.Background(), clean)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Allow {
		t.Fatalf("clean candidate denied with the detector on: %+v", v.Reasons)
	}

	bad := *doc
	bad.Components = append(append([]sbom.Component(nil), doc.Components...),
		sbom.Component{ID: "crossenv@6.1.1", Type: "library", Name: "crossenv", Version: "6.1.1", PURL: "pkg:npm/crossenv@6.1.1"})
	c.Document = &bad
	v, err = g.Evaluate(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if v.Allow {
		t.Fatal("a flagged typosquat dependency was allowed")
	}
	var msg string
	for _, r := range v.Reasons {
		if r.Code == "CG-SIG-001" {
			msg = r.Message
		}
	}
	if !strings.Contains(msg, "pkg:npm/crossenv@6.1.1") || !strings.Contains(msg, "cross-env") {
		t.Errorf("CG-SIG-001 reason %q; reasons %v", msg, codes(v.Reasons))
	}
	if v.Input.Risk == nil || v.Input.Risk.Summary.SignalsFlagged != 1 {
		t.Errorf("policy input risk summary %+v", v.Input.Risk)
	}
}
