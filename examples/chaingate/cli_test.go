package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
)

// Real data already in the repository (see testdata/README.md).
const (
	gateData      = "../release-gate/data/"
	bundlePath    = gateData + "sigstore-2.0.0.sigstore.json"
	trustedRoot   = gateData + "trusted_root.json"
	shopAPISBOM   = gateData + "shop-api.cdx.json"
	signerSBOM    = gateData + "signer-service.cdx.json"
	signerLock    = gateData + "signer-service.package-lock.json"
	vulnIndex     = gateData + "vulndb.idx"
	kevGo         = gateData + "kev-go.json"
	gateConfig    = "testdata/gate-config.json"
	harnessPolicy = "../policy-harness/policies"

	sigstoreJSDigest = "sha512:46d4e2f74c4877316640000a6fdf8a8b59f1e0847667973e9859f774dd31b8f1e0937813b777fb66a2ac67d50540fe34640966eee9fc2ccca387082b4c85cd3c"
	sigstoreJSIssuer = "https://token.actions.githubusercontent.com"
	sigstoreJSSAN    = "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main"
	shopAPIDigest    = "sha256:ed036634c7533a39955b404c3b733432d3e756008380629ae791bf251f68e0c2"
)

type result struct {
	code           int
	stdout, stderr string
}

// cli runs the CLI in-process.
func cli(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// want checks the exit code and fails with the output when it differs.
func (r result) want(t *testing.T, code int) result {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, truncateOut(r.stdout), r.stderr)
	}
	return r
}

func truncateOut(s string) string {
	if len(s) > 4000 {
		return s[:4000] + "\n…"
	}
	return s
}

// decode unmarshals the JSON on stdout into v, strictly: one document.
func (r result) decode(t *testing.T, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	if err := dec.Decode(v); err != nil {
		t.Fatalf("stdout is not the expected JSON: %v\n%s", err, truncateOut(r.stdout))
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON document:\n%s", truncateOut(r.stdout))
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		wantStdout string
		wantStderr string
	}{
		{"no arguments prints help", nil, exitOK, "Exit codes:", ""},
		{"help of a command documents exit codes", []string{"risk", "scan", "--help"}, exitOK, "2  usage or runtime error", ""},
		{"unknown command", []string{"deploy"}, exitFailure, "", "unknown command"},
		{"unknown subcommand", []string{"sbom", "explode"}, exitFailure, "", "unknown command"},
		{"unknown flag", []string{"sbom", "validate", "--frobnicate", shopAPISBOM}, exitFailure, "", "unknown flag: --frobnicate"},
		{"missing argument", []string{"sbom", "validate"}, exitFailure, "", "accepts 1 arg"},
		{"unsupported output", []string{"sbom", "validate", "-o", "sarif", shopAPISBOM}, exitFailure, "", "--output sarif is not supported"},
		{"missing file", []string{"sbom", "validate", "does-not-exist.json"}, exitFailure, "", "no such file"},
		{"required flag", []string{"risk", "scan", shopAPISBOM}, exitFailure, "", `required flag(s) "db" not set`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cli(t, tt.args...).want(t, tt.code)
			if !strings.Contains(r.stdout, tt.wantStdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantStdout, r.stdout)
			}
			if !strings.Contains(r.stderr, tt.wantStderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantStderr, r.stderr)
			}
		})
	}
}

// The progress indicator writes nothing unless stderr is a terminal: in
// tests (a buffer) and CI logs every command is quiet on stderr.
func TestQuietWhenNotATerminal(t *testing.T) {
	r := cli(t, "risk", "scan", signerSBOM, "--db", vulnIndex).want(t, exitOK)
	if r.stderr != "" {
		t.Errorf("stderr = %q, want nothing", r.stderr)
	}
	if newProgress(&bytes.Buffer{}) != nil {
		t.Error("progress enabled for a buffer")
	}
}

// The indicator itself, as a terminal would see it: a frame with the
// message, then a cleared line when it finishes.
func TestProgressDraws(t *testing.T) {
	var buf syncBuffer
	p := &progress{w: &buf}
	p.step("loading %s", "vulndb.idx")
	p.finish()
	p.bar("download Go", 512, 1024)
	p.finish()
	out := buf.String()
	if !strings.Contains(out, "loading vulndb.idx") || !strings.Contains(out, "[===============               ] 512 B/1.0 KiB") {
		t.Errorf("progress output %q", out)
	}
	if !strings.HasSuffix(out, "\r\033[K") {
		t.Errorf("progress does not clear its line: %q", out)
	}
	var nilp *progress // not a terminal: every method is a no-op
	nilp.step("x")
	nilp.bar("x", 1, 2)
	nilp.finish()
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
