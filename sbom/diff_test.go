package sbom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func goComp(path, version, h1 string) Component {
	c := goModuleComponent(path, version, h1, nil)
	c.ID = c.PURL
	return c
}

func npmComp(name, version, integrity, resolved string) Component {
	c := Component{ID: NPMPURL(name, version), Name: name, Version: version, PURL: NPMPURL(name, version),
		Hashes: npmHashes(integrity)}
	if integrity != "" {
		c.Properties = append(c.Properties, Property{PropNPMIntegrity, integrity})
	}
	if resolved != "" {
		c.Properties = append(c.Properties, Property{PropNPMResolved, resolved})
	}
	return c
}

// describeChanges renders a diff list compactly: "key before->after".
func describeChanges(list []Change) string {
	var out []string
	for _, c := range list {
		var b, a string
		if c.Before != nil {
			b = c.Before.Version
		}
		if c.After != nil {
			a = c.After.Version
		}
		out = append(out, fmt.Sprintf("%s %s->%s", c.Key, b, a))
	}
	return strings.Join(out, "; ")
}

const (
	h1A  = "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
	h1B  = "h1:V5VMDjClKFSiaHE5aMSWsaxhhNcVnNOqi3MAxlEovl8="
	sriA = "sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg=="
	sriB = "sha512-28HqgMZAmih1Czt9ny7qr6ek2qddF4FclbMzwhCREB6OFfH+rXAnuNCwo1/wFvrtbgsQDb4kSbX9de9lFbrXnA=="
)

func TestDiff(t *testing.T) {
	tests := []struct {
		name                                        string
		before, after                               []Component
		added, removed, upgraded, downgraded, modif string
		unchanged                                   int
		reason                                      string
	}{
		{
			name: "go upgrades and downgrades",
			before: []Component{goComp("example.com/x", "v1.0.0", ""), goComp("example.com/y", "v1.2.0", ""),
				goComp("example.com/z", "v0.1.0", ""), goComp("example.com/same", "v1.0.0", h1A)},
			after: []Component{goComp("example.com/x", "v1.10.0", ""), goComp("example.com/y", "v1.2.0-rc.1", ""),
				goComp("example.com/w", "v0.0.1", ""), goComp("example.com/same", "v1.0.0", h1A)},
			added: "golang/example.com/w ->v0.0.1", removed: "golang/example.com/z v0.1.0->",
			upgraded: "golang/example.com/x v1.0.0->v1.10.0", downgraded: "golang/example.com/y v1.2.0->v1.2.0-rc.1",
			unchanged: 1,
		},
		{
			name:     "go pseudo-versions and +incompatible",
			before:   []Component{goComp("example.com/p", "v0.0.0-20200101000000-abcdefabcdef", ""), goComp("github.com/docker/docker", "v20.10.7+incompatible", "")},
			after:    []Component{goComp("example.com/p", "v0.1.0", ""), goComp("github.com/docker/docker", "v28.0.1+incompatible", "")},
			upgraded: "golang/example.com/p v0.0.0-20200101000000-abcdefabcdef->v0.1.0; golang/github.com/docker/docker v20.10.7+incompatible->v28.0.1+incompatible",
		},
		{
			name:    "go module paths are case-sensitive",
			before:  []Component{goComp("github.com/Azure/go-ansiterm", "v0.1.0", "")},
			after:   []Component{goComp("github.com/azure/go-ansiterm", "v0.1.0", "")},
			added:   "golang/github.com/azure/go-ansiterm ->v0.1.0",
			removed: "golang/github.com/Azure/go-ansiterm v0.1.0->",
		},
		{
			name:   "go h1 tampered",
			before: []Component{goComp("example.com/t", "v1.0.0", h1A)},
			after:  []Component{goComp("example.com/t", "v1.0.0", h1B)},
			modif:  "golang/example.com/t v1.0.0->v1.0.0", reason: "SHA-256 hash differs",
		},
		{
			name:   "npm integrity tampered",
			before: []Component{npmComp("@babel/core", "7.26.0", sriA, "https://registry.npmjs.org/@babel/core/-/core-7.26.0.tgz")},
			after:  []Component{npmComp("@babel/core", "7.26.0", sriB, "https://registry.npmjs.org/@babel/core/-/core-7.26.0.tgz")},
			modif:  "npm/@babel/core 7.26.0->7.26.0", reason: "SHA-512 hash differs",
		},
		{
			name:   "npm integrity stripped",
			before: []Component{npmComp("left-pad", "1.3.0", sriA, "")},
			after:  []Component{npmComp("left-pad", "1.3.0", "", "")},
			modif:  "npm/left-pad 1.3.0->1.3.0", reason: "hashes removed",
		},
		{
			name:      "hashes added is not a change",
			before:    []Component{npmComp("left-pad", "1.3.0", "", "")},
			after:     []Component{npmComp("left-pad", "1.3.0", sriA, "")},
			unchanged: 1,
		},
		{
			name:   "npm source moved",
			before: []Component{npmComp("lodash", "4.17.21", sriA, "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz")},
			after:  []Component{npmComp("lodash", "4.17.21", sriA, "https://evil.example/lodash-4.17.21.tgz")},
			modif:  "npm/lodash 4.17.21->4.17.21", reason: PropNPMResolved + " differs",
		},
		{
			name:     "npm semver order and several versions of one name",
			before:   []Component{npmComp("lodash", "3.10.1", "", ""), npmComp("lodash", "4.17.21", "", ""), npmComp("semver", "7.9.0", "", "")},
			after:    []Component{npmComp("lodash", "4.17.21", "", ""), npmComp("semver", "7.10.0-beta.1", "", "")},
			removed:  "npm/lodash 3.10.1->",
			upgraded: "npm/semver 7.9.0->7.10.0-beta.1", unchanged: 1,
		},
		{
			name:       "no purl: name and string order",
			before:     []Component{{ID: "1", Name: "openssl", Version: "3.0.9"}, {ID: "2", Name: "zlib", Version: "1.2.13"}},
			after:      []Component{{ID: "1", Name: "openssl", Version: "3.0.10"}, {ID: "2", Name: "zlib", Version: "1.2.13a"}, {ID: "3", Name: "zlib", Version: "1.2.11"}},
			upgraded:   "name:openssl 3.0.9->3.0.10",
			downgraded: "name:zlib 1.2.13->1.2.11",
			added:      "name:zlib ->1.2.13a",
		},
		{
			name:      "purl spelling is not a change",
			before:    []Component{{ID: "1", Name: "github.com/docker/docker", Version: "v20.10.7+incompatible", PURL: "pkg:golang/github.com/docker/docker@v20.10.7+incompatible"}},
			after:     []Component{{ID: "1", Name: "github.com/docker/docker", Version: "v20.10.7+incompatible", PURL: "pkg:golang/github.com/docker/docker@v20.10.7%2Bincompatible"}},
			unchanged: 1,
		},
		{
			name:   "purl qualifier is a source change",
			before: []Component{{ID: "1", Name: "left-pad", Version: "1.3.0", PURL: "pkg:npm/left-pad@1.3.0"}},
			after:  []Component{{ID: "1", Name: "left-pad", Version: "1.3.0", PURL: "pkg:npm/left-pad@1.3.0?repository_url=https://npm.evil.example"}},
			modif:  "npm/left-pad 1.3.0->1.3.0", reason: "purl differs",
		},
		{
			name:      "go version without v",
			before:    []Component{{ID: "1", Name: "golang.org/x/net", Version: "0.1.0", PURL: "pkg:golang/golang.org/x/net@0.1.0"}},
			after:     []Component{{ID: "1", Name: "golang.org/x/net", Version: "v0.38.0", PURL: "pkg:golang/golang.org/x/net@v0.38.0"}},
			upgraded:  "golang/golang.org/x/net 0.1.0->v0.38.0",
			unchanged: 0,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Diff(&Document{Components: tc.before}, &Document{Components: tc.after})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				what string
				list []Change
				want string
			}{{"added", res.Added, tc.added}, {"removed", res.Removed, tc.removed}, {"upgraded", res.Upgraded, tc.upgraded},
				{"downgraded", res.Downgraded, tc.downgraded}, {"modified", res.Modified, tc.modif}} {
				if got := describeChanges(c.list); got != c.want {
					t.Errorf("%s = %q, want %q", c.what, got, c.want)
				}
			}
			if res.Unchanged != tc.unchanged {
				t.Errorf("unchanged = %d, want %d", res.Unchanged, tc.unchanged)
			}
			if tc.reason != "" {
				if len(res.Modified) != 1 || !strings.Contains(strings.Join(res.Modified[0].Reasons, "\n"), tc.reason) {
					t.Errorf("reasons %v lack %q", res.Modified, tc.reason)
				}
				if m := res.Modified[0]; m.Before == nil || m.After == nil {
					t.Error("a modification must carry both sides")
				}
			}
			if res.Empty() != (tc.added+tc.removed+tc.upgraded+tc.downgraded+tc.modif == "") {
				t.Errorf("Empty() = %v", res.Empty())
			}
		})
	}
	if _, err := Diff(nil, &Document{}); err == nil {
		t.Error("nil document accepted")
	}
}

func TestDiffStringOrder(t *testing.T) {
	ordered := []string{"", "0.9", "1", "1.0", "1.00", "1.0a", "1.01", "1.2", "1.10", "1.10.1", "2:1.0", "10", "a", "b1", "b2", "b10"}
	for i := range ordered {
		for j := range ordered {
			got := DiffStringOrder(ordered[i], ordered[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got != want {
				t.Errorf("DiffStringOrder(%q, %q) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}

// TestDiffNPMLocks diffs the SBOMs of a real lockfile and an edited copy:
// express downgraded, ms 2.1.3's tarball swapped, semver dropped and a
// new package added.
func TestDiffNPMLocks(t *testing.T) {
	data := readNPMLock(t, "v3-workspaces")
	var lock map[string]any
	if err := json.Unmarshal(data, &lock); err != nil {
		t.Fatal(err)
	}
	pkgs := lock["packages"].(map[string]any)
	pkgs["node_modules/express"].(map[string]any)["version"] = "4.21.1"
	pkgs["node_modules/ms"].(map[string]any)["integrity"] = sriB
	delete(pkgs, "node_modules/semver")
	pkgs["node_modules/left-pad"] = map[string]any{"version": "1.3.0", "integrity": sriA,
		"resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz"}
	edited, err := json.Marshal(lock)
	if err != nil {
		t.Fatal(err)
	}
	a, err := FromNPMLock(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b, err := FromNPMLock(bytes.NewReader(edited))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Diff(a, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ got, want string }{
		{describeChanges(res.Added), "npm/left-pad ->1.3.0"},
		{describeChanges(res.Removed), "npm/semver 7.6.3->"},
		{describeChanges(res.Downgraded), "npm/express 4.21.2->4.21.1"},
		{describeChanges(res.Upgraded), ""},
		{describeChanges(res.Modified), "npm/ms 2.1.3->2.1.3"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if res.Unchanged != len(a.Components)-3 { // all but express, ms and semver
		t.Errorf("unchanged %d, want %d", res.Unchanged, len(a.Components)-3)
	}
	if res.Downgraded[0].Ordering != "npm-semver" {
		t.Errorf("ordering %q", res.Downgraded[0].Ordering)
	}
	out, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte(`"schemaVersion":"`+DiffSchemaVersion+`"`)) || !bytes.Contains(out, []byte(`"before":{`)) {
		t.Errorf("JSON shape: %.300s", out)
	}
}

// BenchmarkDiff diffs two SBOMs of 20,000 npm packages (a generated
// lockfile and a copy with one package in ten at another version),
// beside the naive baseline: two maps by purl name, compared by version
// string.
func BenchmarkDiff(b *testing.B) {
	data := largeNPMLock(20000)
	a, err := FromNPMLock(bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	edited := bytes.ReplaceAll(data, []byte(`"version":"1.3.`), []byte(`"version":"1.3.9`))
	c, err := FromNPMLock(bytes.NewReader(edited))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("chaingate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			res, err := Diff(a, c)
			if err != nil || len(res.Upgraded) == 0 {
				b.Fatal(err)
			}
		}
	})
	b.Run("naive-map-by-name", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			before := make(map[string]string, len(a.Components))
			for i := range a.Components {
				before[a.Components[i].Name] = a.Components[i].Version
			}
			changed := 0
			for i := range c.Components {
				if v, ok := before[c.Components[i].Name]; ok && v != c.Components[i].Version {
					changed++
				}
			}
			if changed == 0 {
				b.Fatal("no change")
			}
		}
	})
}
