package risk

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// govulncheckLevels runs `govulncheck -mode binary -format json` on exe
// with the database at dbDir (Go vulndb layout) and returns, per OSV id
// and module, the strongest evidence it reports ("symbol", "package",
// "module") and the symbols.
func govulncheckLevels(t *testing.T, gvc, exe, dbDir string) map[string]goBinWant {
	t.Helper()
	return govulncheckRun(t, exec.Command(gvc, "-mode", "binary", "-db", "file://"+filepath.ToSlash(dbDir), "-format", "json", exe))
}

// govulncheckRun runs a govulncheck command with -format json and
// returns, per OSV id and module, the strongest evidence it reports and
// the symbols.
func govulncheckRun(t *testing.T, cmd *exec.Cmd) map[string]goBinWant {
	t.Helper()
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("govulncheck: %v\n%s", err, stderr.String())
	}
	type frame struct{ Module, Package, Function, Receiver string }
	type msg struct {
		Finding *struct {
			OSV   string  `json:"osv"`
			Trace []frame `json:"trace"`
		} `json:"finding"`
	}
	rank := map[EvidenceLevel]int{EvidenceModule: 1, EvidencePackage: 2, EvidenceSymbol: 3}
	res := map[string]goBinWant{}
	dec := json.NewDecoder(&out)
	for {
		var m msg
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("govulncheck output: %v", err)
		}
		if m.Finding == nil || len(m.Finding.Trace) == 0 {
			continue
		}
		fr := m.Finding.Trace[0]
		key := m.Finding.OSV + " " + fr.Module
		lvl := EvidenceModule
		switch {
		case fr.Function != "":
			lvl = EvidenceSymbol
		case fr.Package != "":
			lvl = EvidencePackage
		}
		w := res[key]
		if rank[lvl] > rank[w.level] {
			w.level = lvl
		}
		if fr.Function != "" {
			s := fr.Function
			if r := strings.Trim(fr.Receiver, "*"); r != "" {
				s = r + "." + s
			}
			if q := fr.Package + "." + s; !slices.Contains(w.symbols, q) {
				w.symbols = append(w.symbols, q)
				slices.Sort(w.symbols)
			}
		}
		res[key] = w
	}
	return res
}

// goVulnDBLayout writes the OSV entries of src (a directory of .json
// files) in the Go vulnerability database layout govulncheck's -db
// reads: ID/<id>.json and index/{db,modules}.json.
func goVulnDBLayout(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	for _, d := range []string{"ID", "index"} {
		if err := os.MkdirAll(filepath.Join(dst, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files, err := filepath.Glob(filepath.Join(src, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no OSV files in %s: %v", src, err)
	}
	type vuln struct {
		ID       string `json:"id"`
		Modified string `json:"modified"`
	}
	mods := map[string][]vuln{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var e map[string]any
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		id := e["id"].(string)
		if m, _ := e["modified"].(string); m == "" || strings.HasPrefix(m, "0001-") {
			e["modified"] = "2026-01-01T00:00:00Z" // govulncheck wants a real time
		}
		for _, a := range e["affected"].([]any) {
			p := a.(map[string]any)["package"].(map[string]any)["name"].(string)
			if !slices.ContainsFunc(mods[p], func(v vuln) bool { return v.ID == id }) {
				mods[p] = append(mods[p], vuln{id, e["modified"].(string)})
			}
		}
		b, _ := json.Marshal(e)
		if err := os.WriteFile(filepath.Join(dst, "ID", id+".json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	type module struct {
		Path  string `json:"path"`
		Vulns []vuln `json:"vulns"`
	}
	var ms []module
	for p, vs := range mods {
		ms = append(ms, module{p, vs})
	}
	slices.SortFunc(ms, func(a, b module) int { return strings.Compare(a.Path, b.Path) })
	b, _ := json.Marshal(ms)
	if err := os.WriteFile(filepath.Join(dst, "index", "modules.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, "index", "db.json"), []byte(`{"modified":"2026-01-01T00:00:00Z"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestScanGoBinaryAgainstGovulncheck compares ScanGoBinary with
// govulncheck's binary mode, same binary, same database: the committed
// test program with its entries, plus any binaries named in
// CHAINGATE_GOVULNCHECK_BINS (colon-separated) against the OSV
// directory in CHAINGATE_GOVULNCHECK_OSV (default testdata/osv/go).
// Every symbol govulncheck reports must be reported at symbol level with
// the same symbols; where chaingate is more precise (symbol-absent,
// package-absent, package for an entry without symbols) the difference
// is logged with its reason. Skipped when govulncheck is not on PATH.
//
// Measured with the Go vulndb of the module cache (golang.org/x/vulndb
// v0.0.0-20261105234957-e22db6528018) on linux/amd64 builds of real
// programs, old vulnerable releases among them: gh v1.14.0 (76
// govulncheck findings, 14 at symbol level), dive v0.10.0 (63, 15),
// yq v4.6.0 (15, 0) and this repository's 103 MB examples/chaingate (16,
// 12). Every govulncheck finding is found, every symbol it names too, at
// the same level. The differences, all of one of these kinds:
//
//   - chaingate lists the unexported vulnerable symbols linked beside
//     exported ones; govulncheck's binary mode hides them (x/vuln
//     internal/vulncheck/witness.go): 8 to 10 findings per program;
//   - govulncheck "package" is chaingate "symbol-absent", "module" is
//     "package-absent" (the same fact);
//   - an entry restricted to other platforms (GO-2026-5024 x/sys,
//     GO-2024-2961 x/crypto, GO-2026-6604 stdlib): govulncheck reports
//     nothing, chaingate "package-absent" saying why.
func TestScanGoBinaryAgainstGovulncheck(t *testing.T) {
	gvc, err := exec.LookPath("govulncheck")
	if err != nil {
		t.Skip("govulncheck not on PATH (go install golang.org/x/vuln/cmd/govulncheck@v1.9.0)")
	}
	type run struct{ exe, osv string }
	runs := []run{{"testdata/gobinary/vulnapp-linux-amd64", "testdata/gobinary/osv"}}
	osvDir := os.Getenv("CHAINGATE_GOVULNCHECK_OSV")
	if osvDir == "" {
		osvDir = "testdata/osv/go"
	}
	for _, b := range filepath.SplitList(os.Getenv("CHAINGATE_GOVULNCHECK_BINS")) {
		if b != "" {
			runs = append(runs, run{b, osvDir})
		}
	}
	layouts := map[string]string{}
	for _, r := range runs {
		if _, ok := layouts[r.osv]; !ok {
			layouts[r.osv] = goVulnDBLayout(t, r.osv)
		}
		t.Run(filepath.Base(r.exe), func(t *testing.T) {
			layout := layouts[r.osv]
			db, err := LoadOSV(r.osv)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := ScanGoBinary(context.Background(), r.exe, db)
			if err != nil {
				t.Fatal(err)
			}
			theirs := govulncheckLevels(t, gvc, r.exe, layout)
			ours := map[string]goBinWant{}
			for _, f := range rep.Findings {
				if f.Ecosystem != "Go" {
					continue
				}
				mod := f.Package
				ours[f.ID+" "+mod] = goBinWant{f.Evidence.Level, f.Evidence.Symbols}
			}
			// govulncheck's fallback is for binaries without a symbol
			// table (ELF is what this comparison is run on).
			stripped := false
			if ef, err := elf.Open(r.exe); err == nil {
				stripped = ef.Section(".symtab") == nil
				ef.Close()
			}
			counts := map[string]int{}
			for k, g := range theirs {
				o, ok := ours[k]
				switch {
				case !ok:
					t.Errorf("%s: govulncheck %s %v, chaingate no finding", k, g.level, g.symbols)
				case stripped:
					// govulncheck reads no symbols of a stripped binary
					// and reports every symbol the entry lists as found
					// (x/vuln internal/vulncheck/binary.go,
					// allKnownVulnerableSymbols); chaingate reads its
					// pclntab and inline trees as for any binary.
					counts["stripped: govulncheck "+string(g.level)+" (every listed symbol), chaingate "+string(o.level)]++
				case g.level == EvidenceSymbol && o.level == EvidencePackage && len(o.symbols) == 0 && (strings.Contains(rep.findingReason(k), "lists no symbols") || strings.Contains(rep.findingReason(k), "lists no packages")):
					// An entry without symbols: govulncheck reports any
					// function of the package as a vulnerable symbol; the
					// contract calls it package level.
					counts["govulncheck symbol, chaingate package (entry lists no symbols)"]++
				case g.level == EvidenceSymbol:
					if o.level != EvidenceSymbol {
						t.Errorf("%s: govulncheck symbol %v, chaingate %s", k, g.symbols, o.level)
						continue
					}
					// govulncheck's binary mode hides unexported symbols
					// when a package has exported ones (x/vuln
					// internal/vulncheck/witness.go); chaingate lists all.
					mine := sortedCopy(o.symbols)
					for _, s := range g.symbols {
						if !slices.Contains(mine, s) {
							t.Errorf("%s: govulncheck reports %s, chaingate does not: %v", k, s, mine)
						}
					}
					extra := 0
					for _, s := range mine {
						if !slices.Contains(g.symbols, s) {
							extra++
							if name := s[strings.LastIndexByte(s, '.')+1:]; name == "" || !(name[0] >= 'a' && name[0] <= 'z') {
								t.Errorf("%s: chaingate reports the exported %s, govulncheck does not", k, s)
							}
						}
					}
					if extra > 0 {
						counts["same symbol, chaingate lists unexported symbols govulncheck hides"]++
					} else {
						counts["same symbol"]++
					}
				case o.level == g.level,
					g.level == EvidencePackage && o.level == EvidenceSymbolAbsent,
					g.level == EvidenceModule && o.level == EvidencePackageAbsent:
					// The same fact in other words: govulncheck's strongest
					// level says the next one was not found.
					counts["same: govulncheck "+string(g.level)+", chaingate "+string(o.level)]++
				default:
					t.Errorf("%s: govulncheck %s, chaingate %s (%s)", k, g.level, o.level, rep.findingReason(k))
				}
			}
			for k, o := range ours {
				if _, ok := theirs[k]; !ok {
					counts["only chaingate: "+string(o.level)]++
					t.Logf("%s: only chaingate, %s (%s)", k, o.level, rep.findingReason(k))
				}
			}
			t.Logf("%s: %d govulncheck findings, %d chaingate findings: %v", r.exe, len(theirs), len(ours), counts)
			if len(theirs) == 0 {
				t.Error("govulncheck found nothing: the comparison proves nothing")
			}
		})
	}
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

func (r *Report) findingReason(key string) string {
	for _, f := range r.Findings {
		if f.ID+" "+f.Package == key {
			return f.Evidence.Reason
		}
	}
	return ""
}
