package main

import (
	"strings"
	"testing"

	"github.com/chaingate/chaingate"
)

// sigstoreGate are the gate flags for the real sigstore@2.0.0 release: its
// provenance bundle, its dependency SBOM, the Go vulndb subset and KEV,
// and the built-in library configured by testdata/gate-config.json.
func sigstoreGate() []string {
	return []string{"gate", "--image", "registry.npmjs.org/sigstore:2.0.0", "--digest", sigstoreJSDigest,
		"--attestation", bundlePath, "--trusted-root", trustedRoot, "--issuer", sigstoreJSIssuer, "--san", sigstoreJSSAN,
		"--sbom", signerSBOM, "--db", vulnIndex, "--kev", kevGo, "--data", gateConfig, "--env", "prod"}
}

// shopAPIGate are the gate flags for shop-api: no provenance, its real
// binary's SBOM with 2021 dependencies.
func shopAPIGate() []string {
	return []string{"gate", "--image", "ghcr.io/acme/shop-api:1.4.0", "--digest", shopAPIDigest,
		"--trusted-root", trustedRoot, "--sbom", shopAPISBOM, "--db", vulnIndex, "--kev", kevGo,
		"--data", gateConfig, "--env", "prod"}
}

func TestGate(t *testing.T) {
	r := cli(t, append(sigstoreGate(), "-o", "json")...).want(t, exitOK)
	var v chaingate.Verdict
	r.decode(t, &v)
	if !v.Allow || v.SchemaVersion != chaingate.VerdictSchemaVersion || v.Digest != sigstoreJSDigest || v.Environment != "prod" {
		t.Fatalf("verdict %+v", v)
	}
	for _, s := range v.Stages {
		if s.Status != "ok" {
			t.Errorf("stage %+v", s)
		}
	}
	if len(v.Verification) != 1 || !v.Verification[0].Verified || v.SBOM == nil || v.SBOM.Components == 0 || v.Risk == nil || v.Decision == nil {
		t.Errorf("evidence: verification %v sbom %+v", v.Verification, v.SBOM)
	}
	if txt := cli(t, sigstoreGate()...).want(t, exitOK).stdout; !strings.HasPrefix(txt, "ALLOW  registry.npmjs.org/sigstore:2.0.0 → prod") ||
		!strings.Contains(txt, "signer   "+sigstoreJSSAN) {
		t.Errorf("text:\n%s", txt)
	}

	t.Run("denied by policy", func(t *testing.T) {
		r := cli(t, append(shopAPIGate(), "-o", "json")...).want(t, exitDenied)
		var v chaingate.Verdict
		r.decode(t, &v)
		if v.Allow || !hasCode(v.Reasons, "CG-PROV-001") || !hasCode(v.Reasons, "CG-VULN-002") {
			t.Fatalf("verdict allow=%v reasons %+v", v.Allow, v.Reasons)
		}
		txt := cli(t, shopAPIGate()...).want(t, exitDenied).stdout
		// One reason of each code first: provenance is not buried under
		// fifty vulnerabilities.
		if i, j := strings.Index(txt, "CG-PROV-001"), strings.Index(txt, "GO-2023-1737"); i < 0 || j < 0 || i > j {
			t.Errorf("text order:\n%s", txt)
		}
		md := cli(t, append(shopAPIGate(), "-o", "markdown")...).want(t, exitDenied).stdout
		if !strings.Contains(md, "Denied") || !strings.Contains(md, "CG-PROV-001") {
			t.Errorf("markdown:\n%s", md)
		}
	})
	t.Run("a failed stage denies", func(t *testing.T) {
		// The right bundle for another signer: the verify stage fails and
		// the gate fails closed, naming it.
		args := sigstoreGate()
		for i, a := range args {
			if a == sigstoreJSSAN {
				args[i] = "https://github.com/evil/sigstore-js/.github/workflows/release.yml@refs/heads/main"
			}
		}
		r := cli(t, append(args, "-o", "json")...).want(t, exitDenied)
		var v chaingate.Verdict
		r.decode(t, &v)
		failed := false
		for _, s := range v.Stages {
			failed = failed || (s.Name == chaingate.StageVerify && s.Status == "failed")
		}
		if v.Allow || !failed {
			t.Errorf("verdict allow=%v stages %+v", v.Allow, v.Stages)
		}
	})
	t.Run("usage", func(t *testing.T) {
		cli(t, "gate", "--db", vulnIndex, "--trusted-root", trustedRoot).want(t, exitFailure)            // no image
		cli(t, append(sigstoreGate(), "--context", "novalue")...).want(t, exitFailure)                   // bad context
		cli(t, append(sigstoreGate(), "-o", "sarif")...).want(t, exitFailure)                            // no SARIF verdict
		cli(t, append(sigstoreGate(), "--attestation", "missing.sigstore.json")...).want(t, exitFailure) // unreadable
	})
}
