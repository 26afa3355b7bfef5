package signal

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/sbom"
)

func anomalyLock(t *testing.T, name string) *sbom.Document {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "signals", "lock", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := sbom.FromNPMLock(f)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func anomalyBySource(sigs []Signal) map[string][]string {
	out := map[string][]string{}
	for _, s := range sigs {
		out[s.ID] = append(out[s.ID], s.Source)
	}
	return out
}

func TestDependencyChangeSignals(t *testing.T) {
	before := anomalyLock(t, "before-package-lock.json")
	after := anomalyLock(t, "after-package-lock.json")
	sigs, err := DependencyChanges(before, after)
	if err != nil {
		t.Fatal(err)
	}
	got := anomalyBySource(sigs)
	t.Logf("%v", got)
	want := map[string]string{
		SignalDowngrade:        "pkg:npm/debug@4.3.3",
		SignalNewInstallScript: "pkg:npm/bufferutil@4.0.9",
		SignalNewDirect:        "pkg:npm/bufferutil@4.0.9",
	}
	for id, src := range want {
		if !strings.Contains(strings.Join(got[id], " "), src) {
			t.Errorf("%s: got %v, want %s", id, got[id], src)
		}
	}
	if len(got[SignalTampered]) != 0 || len(got[SignalRegistryMoved]) != 0 {
		t.Errorf("honest upgrade reported as tampering: %v", got)
	}
	if strings.Contains(strings.Join(got[SignalNewDirect], " "), "node-gyp-build") {
		t.Errorf("transitive dependency reported as direct: %v", got[SignalNewDirect])
	}

	tampered := anomalyLock(t, "tampered-package-lock.json")
	sigs, err = DependencyChanges(after, tampered)
	if err != nil {
		t.Fatal(err)
	}
	got = anomalyBySource(sigs)
	if s := strings.Join(got[SignalTampered], " "); !strings.Contains(s, "debug@4.3.3") || !strings.Contains(s, "ms@0.7.34") {
		t.Errorf("tampered: %v", got[SignalTampered])
	}
	if s := strings.Join(got[SignalRegistryMoved], " "); !strings.Contains(s, "%40types/ms") && !strings.Contains(s, "@types/ms") {
		t.Errorf("registry moved: %v", got)
	}
	for _, s := range sigs {
		if len(s.Evidence) == 0 || s.Value <= 0 {
			t.Errorf("signal without evidence: %+v", s)
		}
	}
	if _, err := DependencyChanges(nil, after); err == nil {
		t.Error("nil before accepted")
	}
}

func TestDependencyConfusionAndUnpinned(t *testing.T) {
	doc := anomalyLock(t, "after-package-lock.json")
	doc.Components = append(doc.Components,
		sbom.Component{ID: "x1", Name: "@acme/billing", Version: "9.9.9", PURL: "pkg:npm/%40acme/billing@9.9.9",
			Properties: []sbom.Property{{Name: sbom.PropNPMResolved, Value: "https://registry.npmjs.org/@acme/billing/-/billing-9.9.9.tgz"}}},
		sbom.Component{ID: "x2", Name: "@acme/auth", Version: "1.0.0", PURL: "pkg:npm/%40acme/auth@1.0.0",
			Properties: []sbom.Property{{Name: sbom.PropNPMResolved, Value: "https://npm.acme.internal/@acme/auth/-/auth-1.0.0.tgz"}}},
		sbom.Component{ID: "x3", Name: "acme-utils", PURL: "pkg:pypi/acme-utils"},
		sbom.Component{ID: "x4", Name: "left-pad", Version: "^1.3.0", PURL: "pkg:npm/left-pad"},
		sbom.Component{ID: "x5", Name: "gitdep", Version: "1.0.0", PURL: "pkg:npm/gitdep@1.0.0",
			Properties: []sbom.Property{{Name: sbom.PropNPMResolved, Value: "git+ssh://git@github.com/o/gitdep.git#main"}}},
	)
	conf := anomalyBySource(DependencyConfusion(doc, []string{"@acme/", "acme-"}))
	if s := strings.Join(conf[SignalDependencyConfuse], " "); !strings.Contains(s, "billing") || !strings.Contains(s, "acme-utils") || strings.Contains(s, "auth") {
		t.Errorf("dependency confusion: %v", conf)
	}
	if len(DependencyConfusion(doc, []string{"@types/"})) != 1 {
		t.Error("@types/ms from the public registry not reported for an internal @types/ prefix")
	}
	unp := anomalyBySource(Unpinned(doc))
	if s := strings.Join(unp[SignalUnpinned], " "); !strings.Contains(s, "left-pad") || !strings.Contains(s, "acme-utils") || !strings.Contains(s, "gitdep") || strings.Contains(s, "debug") {
		t.Errorf("unpinned: %v", unp)
	}

	det := DependencyChangeDetector{Baseline: anomalyLock(t, "before-package-lock.json"), InternalPrefixes: []string{"@acme/"}}
	sigs, err := det.Detect(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	all := anomalyBySource(sigs)
	for _, id := range []string{SignalDowngrade, SignalDependencyConfuse, SignalUnpinned, SignalNewInstallScript} {
		if len(all[id]) == 0 {
			t.Errorf("detector missing %s: %v", id, all)
		}
	}
	if sigs[0].Value < sigs[len(sigs)-1].Value {
		t.Error("signals not sorted strongest first")
	}
}

func FuzzSignalParsePURL(f *testing.F) {
	for _, s := range []string{"pkg:npm/%40types/node@20.0.0", "pkg:pypi/requests@2.31.0?x=y#sub", "pkg:golang/github.com/Azure/x@v1.0.0", "pkg:", "pkg:npm/", "npm/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, purl string) {
		typ, _, name, _, ok := parsePURL(purl)
		if ok && (typ == "" || name == "") {
			t.Fatalf("%q: ok with empty type or name", purl)
		}
		c := &sbom.Component{PURL: purl, Version: purl}
		Unpinned(&sbom.Document{Components: []sbom.Component{*c}})
		DependencyConfusion(&sbom.Document{Components: []sbom.Component{*c}}, []string{"@acme/"})
	})
}
