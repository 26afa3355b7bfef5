//go:build ignore

// Command gen writes ../bench/input.json, the benchmark and library-test
// fixture: 200 SBOM components and 30 vulnerability findings built from
// real data. Run from policy/testdata:
//
//	go run ./gen -vulndb "$(go mod download -json golang.org/x/vulndb@v0.0.0-20261105234957-e22db6528018 | jq -r .Zip)" \
//	    -kev ../../../shared/data/kev/known_exploited_vulnerabilities-2025-08-25.json
//
// Components are the modules of this repository's go.sum (real names and
// versions); findings are real Go vulnerability database entries (IDs,
// aliases, affected modules, fixed versions), marked KEV when an alias is
// in CISA's catalogue. Severities, licences and dates, which the sources
// do not carry, are assigned deterministically.
package main

import (
	"archive/zip"
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"sort"
	"strings"

	"github.com/chaingate/chaingate/policy"
)

type osv struct {
	ID       string   `json:"id"`
	Aliases  []string `json:"aliases"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
		Ranges []struct {
			Type   string `json:"type"`
			Events []struct {
				Introduced string `json:"introduced"`
				Fixed      string `json:"fixed"`
			} `json:"events"`
		} `json:"ranges"`
	} `json:"affected"`
	Withdrawn string `json:"withdrawn"`
}

func main() {
	vulndb := flag.String("vulndb", "", "golang.org/x/vulndb module zip")
	kevPath := flag.String("kev", "", "CISA KEV JSON")
	out := flag.String("o", "bench/input.json", "output")
	flag.Parse()

	kev := map[string]bool{}
	if b, err := os.ReadFile(*kevPath); err == nil {
		var k struct {
			Vulnerabilities []struct {
				CVE string `json:"cveID"`
			} `json:"vulnerabilities"`
		}
		if err := json.Unmarshal(b, &k); err != nil {
			log.Fatal(err)
		}
		for _, v := range k.Vulnerabilities {
			kev[v.CVE] = true
		}
	} else {
		log.Fatal(err)
	}

	zr, err := zip.OpenReader(*vulndb)
	if err != nil {
		log.Fatal(err)
	}
	var entries []osv
	for _, f := range zr.File {
		if !strings.Contains(f.Name, "/data/osv/GO-") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			log.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		var e osv
		if err := json.Unmarshal(b, &e); err != nil {
			log.Fatal(err)
		}
		if e.Withdrawn != "" || len(e.Affected) == 0 || e.Affected[0].Package.Name == "stdlib" || e.Affected[0].Package.Name == "toolchain" {
			continue
		}
		entries = append(entries, e)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].ID < entries[j].ID })
	isKEV := func(e osv) bool {
		for _, a := range e.Aliases {
			if kev[a] {
				return true
			}
		}
		return false
	}
	var picked []osv
	for _, e := range entries {
		if isKEV(e) && len(picked) < 3 {
			picked = append(picked, e)
		}
	}
	for i := 0; len(picked) < 30 && i < len(entries); i += len(entries) / 40 {
		if !isKEV(entries[i]) {
			picked = append(picked, entries[i])
		}
	}

	licences := []string{"MIT", "Apache-2.0", "BSD-3-Clause", "MIT OR Apache-2.0", "ISC", "BSD-2-Clause", "MPL-2.0", "Apache-2.0 AND BSD-3-Clause"}
	severities := []string{"critical", "high", "high", "medium", "medium", "medium", "low", "low"}
	in := policy.Input{
		SchemaVersion: policy.InputSchemaVersion,
		Time:          "2026-06-01T12:00:00Z",
		Artifact: policy.Artifact{
			Name: "ghcr.io/acme/payments-api", Reference: "ghcr.io/acme/payments-api:1.8.2",
			Digest: "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b", Registry: "ghcr.io",
			Repository: "acme/payments-api", Tag: "1.8.2", Type: "image",
		},
		Provenance: &policy.Provenance{
			Present: true, Verified: true, PredicateType: "https://slsa.dev/provenance/v1",
			BuilderID:        "https://github.com/actions/runner/github-hosted",
			BuildType:        "https://actions.github.io/buildtypes/workflow/v1",
			SourceRepository: "https://github.com/acme/payments-api", SourceRef: "refs/tags/v1.8.2",
			SourceDigest: "sha1:9f2c1e6a8d4b3c7e5f1a0b9c8d7e6f5a4b3c2d1e", SLSALevel: 3,
			Signers: []policy.Signer{{Issuer: "https://token.actions.githubusercontent.com", Subject: "https://github.com/acme/payments-api/.github/workflows/release.yml@refs/tags/v1.8.2"}},
		},
		GitOps: &policy.GitOps{
			Environment: "prod", Repository: "https://github.com/acme/deploy", Commit: "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
			Signed: true, SignedBy: "release-bot@acme.io",
			History: []policy.Deployment{{Environment: "staging", Digest: "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b", Commit: "1f2e3d4c5b6a79881726354453627180a9b8c7d6", Time: "2026-05-30T09:00:00Z"}},
		},
		Context: map[string]any{"ci": map[string]any{"job": "release", "run": 4711.0}, "requester": "alice@acme.io"},
	}
	sb := &policy.SBOM{Format: "cyclonedx-json", SpecVersion: "1.6"}
	add := func(name, version string) {
		i := len(sb.Components)
		c := policy.Component{
			ID: fmt.Sprintf("pkg:golang/%s@%s", name, version), Type: "library", Name: name, Version: version,
			PURL: fmt.Sprintf("pkg:golang/%s@%s", name, version), License: licences[i%len(licences)], Scope: "required",
			Hashes: map[string]string{"SHA-256": fmt.Sprintf("%064x", i*7919+1)},
		}
		sb.Components = append(sb.Components, c)
	}
	risk := &policy.Risk{}
	for i, e := range picked {
		a := e.Affected[0]
		intro, fixed := "0.0.1", ""
		for _, r := range a.Ranges {
			for _, ev := range r.Events {
				if ev.Introduced != "" && ev.Introduced != "0" {
					intro = ev.Introduced
				}
				if ev.Fixed != "" && fixed == "" {
					fixed = ev.Fixed
				}
			}
		}
		add(a.Package.Name, "v"+intro)
		c := sb.Components[len(sb.Components)-1]
		f := policy.Finding{
			ID: e.ID, Aliases: e.Aliases, Kind: "vulnerability", Component: c.ID, Package: c.Name, Version: c.Version, PURL: c.PURL,
			Severity: severities[i%len(severities)], CVSS: []float64{9.8, 8.1, 7.5, 6.1, 5.3, 4.3, 3.1, 2.2}[i%8],
			EPSS: float64(i%10) / 20, KEV: isKEV(e), Priority: severities[(i+1)%len(severities)], Score: float64(90 - 2*i),
			Published: fmt.Sprintf("2025-%02d-%02dT00:00:00Z", 1+i%12, 1+i%28),
		}
		if fixed != "" {
			f.FixedVersions = []string{"v" + fixed}
			f.FixedSince = fmt.Sprintf("2026-%02d-%02dT00:00:00Z", 1+i%5, 1+i%28)
		}
		if i%7 == 6 {
			f.Suppressed, f.VEXStatus, f.VEXJustification = true, "not_affected", "vulnerable_code_not_in_execute_path"
		}
		risk.Findings = append(risk.Findings, f)
	}
	gosum, err := os.Open("../../go.sum")
	if err != nil {
		log.Fatal(err)
	}
	seen := map[string]bool{}
	sc := bufio.NewScanner(gosum)
	for sc.Scan() && len(sb.Components) < 200 {
		fs := strings.Fields(sc.Text())
		if len(fs) != 3 || strings.HasSuffix(fs[1], "/go.mod") || seen[fs[0]] {
			continue
		}
		seen[fs[0]] = true
		add(fs[0], fs[1])
	}
	for _, c := range sb.Components {
		sb.Summary.Components++
		if c.Version != "" {
			sb.Summary.WithVersion++
		}
		if c.PURL != "" {
			sb.Summary.WithPURL++
		}
		if c.License != "" {
			sb.Summary.WithLicense++
		}
		if len(c.Hashes) > 0 {
			sb.Summary.WithHash++
		}
	}
	for _, f := range risk.Findings {
		risk.Summary.Total++
		switch f.Priority {
		case "critical":
			risk.Summary.Critical++
		case "high":
			risk.Summary.High++
		case "medium":
			risk.Summary.Medium++
		case "low":
			risk.Summary.Low++
		}
		if f.KEV {
			risk.Summary.KEV++
		}
		if f.Suppressed {
			risk.Summary.Suppressed++
		}
	}
	in.SBOM, in.Risk = sb, risk
	b, err := json.MarshalIndent(in, "", " ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d components, %d findings (%d KEV)\n", len(sb.Components), len(risk.Findings), risk.Summary.KEV)
}
