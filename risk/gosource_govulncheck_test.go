package risk

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/internal/gobin/gobintest"
	"github.com/chaingate/chaingate/risk/vulndb"
)

// TestScanGoSourceAgainstGovulncheck compares ScanGoSource with
// govulncheck's source mode (`-scan symbol`), same module, same database:
// the module of internal/gobin/gobintest with the test entries of
// testdata/gobinary/osv, the same with goSourceCallbackMain (the library
// called back from skipped standard-library bodies only), plus any module directories named in
// CHAINGATE_GOVULNCHECK_SRC (colon-separated; their dependencies in the
// module cache) against the OSV directory in CHAINGATE_GOVULNCHECK_OSV
// (default testdata/osv/go). Skipped when govulncheck is not on PATH.
//
// Every symbol govulncheck finds reachable must be found reachable by
// chaingate (for an entry that lists symbols, the same symbols among
// chaingate's). The standard library is not compared (ScanGoSource does
// not scan it). Known differences, logged with their counts:
//
//   - an entry that lists no symbols: govulncheck names every function
//     of the package it reaches; chaingate names the first one reached
//     per package (the finding is at symbol level in both);
//   - govulncheck "package" is chaingate "symbol-absent", govulncheck
//     "module" is chaingate "package-absent": the same fact, govulncheck
//     reports its strongest level and chaingate says what was not found;
//   - chaingate lists more of the entry's symbols: govulncheck reports a
//     symbol only when a call stack reaches it without going through
//     another vulnerable symbol of the same entry and package (x/vuln
//     internal/vulncheck/witness.go, sourceCallstack's skipSymbols), so
//     yaml.v2's decoder.unmarshal, reached only through Unmarshal, is not
//     reported; chaingate lists every reachable listed symbol;
//   - chaingate at symbol level where govulncheck is not: the
//     over-approximation of bodies not analysed (see ScanGoSource: a
//     function value or a method of a type converted to an interface in
//     analysed code, of a type the skipped code can name, counts as
//     called; once skipped code is entered, also when made in code no
//     entry point reaches). Never the other way round. node_exporter: 4
//     (x/net/http2 server entries: ConfigureServer's closure), dive: 1
//     (GO-2026-5970, norm.Form.Append's method value);
//   - modules of the build list none of whose packages is imported:
//     chaingate "package-absent", govulncheck nothing.
//
// Measured on real programs with the Go vulndb of the module cache
// (golang.org/x/vulndb v0.0.0-20261105234957-e22db6528018), old releases
// with known vulnerabilities: gh v1.14.0 (github.com/cli/cli, 193
// modules), dive v0.10.0, yq v4.6.0, and this repository (614 modules):
// no finding of govulncheck missing, no symbol missing, no level
// different. gh: 65 govulncheck findings, 3 at symbol level, 1 of them
// with more symbols (html.Tokenizer.readStartTag, behind Tokenizer.Next).
// dive: 51 findings, 4 at symbol level, all 4 with more symbols
// (yaml.v2's decoder.unmarshal and yaml_parser_* behind Unmarshal,
// x/net/proxy's PerHost.dialerForRequest behind PerHost.Dial). Before
// the signature rule, dive had one more: GO-2026-5970 at symbol level
// (golang.org/x/text/unicode/norm.nextComposed, whose value norm's init
// stores in a table), package level for govulncheck.
//
// Review (other programs, same database): node_exporter v1.0.0 (net/http
// handlers, x/net/http2, protobuf, yaml.v2), inbucket v3.2.0
// (gorilla/mux, x/net/html through enmime), miniflux v2.3.5 (generics;
// no affected package imported, no call graph). Before the round-trip
// and unreached-callback rules node_exporter had 5 of govulncheck's
// symbol findings at symbol-absent (GO-2026-4918 and GO-2026-6610:
// x/net/http2 Transport.RoundTrip, reached through configureTransport's
// TLSNextProto closure; GO-2022-0236 httpguts, GO-2026-5026 idna,
// GO-2026-5970 x/text norm, behind it) and 140 symbols missing from 6
// more (x/net/http2 client side); now nothing is missing on any of the
// five programs, gh v1.14.0 and dive v0.10.0 re-run.
func TestScanGoSourceAgainstGovulncheck(t *testing.T) {
	gvc, err := exec.LookPath("govulncheck")
	if err != nil {
		t.Skip("govulncheck not on PATH (go install golang.org/x/vuln/cmd/govulncheck@v1.9.0)")
	}
	type run struct{ name, dir, osv, modcache string }
	dir, modcache := gobintest.Source(t, true)
	runs := []run{{"gobintest", dir, filepath.Join("testdata", "gobinary", "osv"), modcache}}
	// The same library called back from the standard library only.
	cbDir, cbCache := gobintest.Source(t, true)
	if err := os.WriteFile(filepath.Join(cbDir, "main.go"), []byte(goSourceCallbackMain), 0o644); err != nil {
		t.Fatal(err)
	}
	runs = append(runs, run{"callbacks", cbDir, filepath.Join("testdata", "gobinary", "osv"), cbCache})
	osvDir := os.Getenv("CHAINGATE_GOVULNCHECK_OSV")
	if osvDir == "" {
		osvDir = filepath.Join("testdata", "osv", "go")
	}
	for _, d := range filepath.SplitList(os.Getenv("CHAINGATE_GOVULNCHECK_SRC")) {
		if d != "" {
			runs = append(runs, run{filepath.Base(d), d, osvDir, ""})
		}
	}
	layouts := map[string]string{}
	for _, r := range runs {
		if _, ok := layouts[r.osv]; !ok {
			layouts[r.osv] = goVulnDBLayout(t, r.osv)
		}
		t.Run(r.name, func(t *testing.T) {
			if r.modcache != "" {
				t.Setenv("GOMODCACHE", r.modcache)
			}
			db, err := LoadOSV(r.osv)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := ScanGoSource(context.Background(), r.dir, db)
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(gvc, "-scan", "symbol", "-db", "file://"+filepath.ToSlash(layouts[r.osv]), "-format", "json", "./...")
			cmd.Dir = r.dir
			cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local")
			theirs := govulncheckRun(t, cmd)
			ours := map[string]Finding{}
			for _, f := range rep.Findings {
				if f.Ecosystem == "Go" {
					ours[f.ID+" "+f.Package] = f
				}
			}
			compareGoSource(t, theirs, ours)
		})
	}
}

func compareGoSource(t *testing.T, theirs map[string]goBinWant, ours map[string]Finding) {
	t.Helper()
	counts := map[string]int{}
	n := 0
	for k, g := range theirs {
		if strings.HasSuffix(k, " stdlib") || strings.HasSuffix(k, " toolchain") {
			continue
		}
		n++
		f, ok := ours[k]
		if !ok {
			t.Errorf("%s: govulncheck %s %v, chaingate no finding", k, g.level, g.symbols)
			continue
		}
		o := f.Evidence
		switch {
		case g.level == EvidenceSymbol:
			if o.Level != EvidenceSymbol {
				t.Errorf("%s: govulncheck symbol %v, chaingate %s (%s)", k, g.symbols, o.Level, o.Reason)
				continue
			}
			if !goSourceListsSymbols(f) {
				counts["symbol (entry lists no symbols: chaingate names the first reached)"]++
				continue
			}
			for _, s := range g.symbols {
				if !slices.Contains(o.Symbols, s) {
					t.Errorf("%s: govulncheck reaches %s, chaingate does not: %v", k, s, o.Symbols)
				}
			}
			if len(o.Symbols) > len(g.symbols) {
				counts["symbol, chaingate reaches more of the listed symbols"]++
				t.Logf("%s: chaingate %v, govulncheck %v (path %v)", k, o.Symbols, g.symbols, o.CallPath)
			} else {
				counts["same symbol"]++
			}
		case o.Level == EvidenceSymbol:
			counts["chaingate symbol, govulncheck "+string(g.level)]++
			t.Logf("%s: chaingate symbol %v (path %v), govulncheck %s", k, o.Symbols, o.CallPath, g.level)
		case o.Level == g.level,
			g.level == EvidencePackage && o.Level == EvidenceSymbolAbsent,
			g.level == EvidenceModule && o.Level == EvidencePackageAbsent:
			counts["same: govulncheck "+string(g.level)+", chaingate "+string(o.Level)]++
		default:
			t.Errorf("%s: govulncheck %s, chaingate %s (%s)", k, g.level, o.Level, o.Reason)
		}
	}
	for k, f := range ours {
		if _, ok := theirs[k]; !ok {
			counts["only chaingate: "+string(f.Evidence.Level)]++
			if f.Evidence.Level == EvidenceSymbol || f.Evidence.Level == EvidencePackage {
				t.Errorf("%s: only chaingate, %s (%s)", k, f.Evidence.Level, f.Evidence.Reason)
			}
		}
	}
	t.Logf("%d govulncheck findings (stdlib aside), %d chaingate findings: %v", n, len(ours), counts)
	if n == 0 {
		t.Error("govulncheck found nothing: the comparison proves nothing")
	}
}

// goSourceListsSymbols reports whether the finding's entry lists symbols
// for every affected package.
func goSourceListsSymbols(f Finding) bool {
	return len(f.AffectedPackages) > 0 && !slices.ContainsFunc(f.AffectedPackages, func(p vulndb.AffectedPackage) bool { return len(p.Symbols) == 0 })
}
