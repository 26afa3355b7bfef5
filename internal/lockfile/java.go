package lockfile

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/package-url/packageurl-go"
)

// isGradle matches gradle.lockfile and buildscript-gradle.lockfile.
func isGradle(base string) bool {
	return base == "gradle.lockfile" || base == "buildscript-gradle.lockfile"
}

// mavenPkg is a Maven artifact.
func mavenPkg(group, artifact, version string) Package {
	return Package{Name: artifact, Group: group, Version: version, Key: group + ":" + artifact,
		OSVPackage: group + ":" + artifact,
		PURL:       packageurl.NewPackageURL(packageurl.TypeMaven, group, artifact, version, nil, "").ToString()}
}

// parseGradle reads a Gradle dependency lockfile: one
// "group:artifact:version=configuration,..." line per module, "empty="
// for configurations without dependencies. A module whose configurations
// are all test or annotation-processor ones is development scope.
func parseGradle(in Input) (*File, error) {
	const format = "gradle.lockfile"
	lf := &File{Ecosystem: "Maven"}
	sc := bufio.NewScanner(bytes.NewReader(in.Data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' || strings.HasPrefix(s, "empty=") {
			continue
		}
		coords, confs, _ := strings.Cut(s, "=")
		parts := strings.Split(coords, ":")
		if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
			return nil, newError(format, in.Name, line, "%q is not group:artifact:version=configurations", trunc(s))
		}
		p := mavenPkg(parts[0], parts[1], parts[2])
		p.Key = coords
		if confs != "" {
			p.Scope = ScopeExcluded
			for _, c := range strings.Split(confs, ",") {
				lc := strings.ToLower(c)
				if !strings.Contains(lc, "test") && !strings.Contains(lc, "annotationprocessor") &&
					!strings.Contains(lc, "developmentonly") && !strings.Contains(lc, "kapt") {
					p.Scope = ScopeRequired
					break
				}
			}
			p.Props = []Property{{"chaingate:gradle:configurations", confs}}
		}
		lf.Packages = append(lf.Packages, p)
	}
	if err := sc.Err(); err != nil {
		return nil, newError(format, in.Name, line+1, "%v", err)
	}
	return lf, nil
}

// pomProject is the part of a pom.xml FromDirectory reads.
type pomProject struct {
	GroupID    string `xml:"groupId"`
	ArtifactID string `xml:"artifactId"`
	Version    string `xml:"version"`
	Parent     struct {
		GroupID    string `xml:"groupId"`
		ArtifactID string `xml:"artifactId"`
		Version    string `xml:"version"`
	} `xml:"parent"`
	Properties struct {
		Entries []struct {
			XMLName xml.Name
			Value   string `xml:",chardata"`
		} `xml:",any"`
	} `xml:"properties"`
	Dependencies         []pomDep `xml:"dependencies>dependency"`
	DependencyManagement []pomDep `xml:"dependencyManagement>dependencies>dependency"`
}

type pomDep struct {
	GroupID    string `xml:"groupId"`
	ArtifactID string `xml:"artifactId"`
	Version    string `xml:"version"`
	Scope      string `xml:"scope"`
	Optional   string `xml:"optional"`
	Type       string `xml:"type"`
}

var pomProp = regexp.MustCompile(`\$\{([^}]+)\}`)

// parsePom reads a Maven pom.xml with encoding/xml: the dependencies
// it declares, with versions taken from the element, else from its own
// dependencyManagement, and ${properties} resolved from its <properties>
// and project.* / parent coordinates. Parents and imported BOMs are not
// fetched: a dependency whose version stays unknown, unresolved or a
// range is listed in the limitations. Scope test is development,
// provided and system are optional.
func parsePom(in Input) (*File, error) {
	const format = "pom.xml"
	var pom pomProject
	dec := xml.NewDecoder(bytes.NewReader(in.Data))
	dec.CharsetReader = func(charset string, r io.Reader) (io.Reader, error) { return r, nil }
	if err := dec.Decode(&pom); err != nil {
		return nil, wrapError(format, in.Name, in.Data, err)
	}
	props := map[string]string{}
	for _, e := range pom.Properties.Entries {
		props[e.XMLName.Local] = strings.TrimSpace(e.Value)
	}
	group := cmp.Or(pom.GroupID, pom.Parent.GroupID)
	version := cmp.Or(pom.Version, pom.Parent.Version)
	for k, v := range map[string]string{
		"project.groupId": group, "pom.groupId": group, "groupId": group,
		"project.artifactId": pom.ArtifactID, "project.version": version, "pom.version": version, "version": version,
		"project.parent.version": pom.Parent.Version, "parent.version": pom.Parent.Version,
		"project.parent.groupId": pom.Parent.GroupID,
	} {
		if _, set := props[k]; !set && v != "" {
			props[k] = v
		}
	}
	resolve := func(s string) (string, bool) {
		s = strings.TrimSpace(s)
		for range 8 { // properties may refer to properties
			if !strings.Contains(s, "${") {
				return s, true
			}
			ok := true
			s = pomProp.ReplaceAllStringFunc(s, func(m string) string {
				v, found := props[m[2:len(m)-1]]
				if !found {
					ok = false
					return m
				}
				return v
			})
			if !ok {
				return s, false
			}
		}
		return s, !strings.Contains(s, "${")
	}
	managed := map[string]string{}
	for _, d := range pom.DependencyManagement {
		g, _ := resolve(d.GroupID)
		a, _ := resolve(d.ArtifactID)
		if v, ok := resolve(d.Version); ok && v != "" {
			managed[g+":"+a] = v
		}
	}
	lf := &File{Ecosystem: "Maven"}
	seen := map[string]bool{}
	for _, d := range pom.Dependencies {
		g, okg := resolve(d.GroupID)
		a, oka := resolve(d.ArtifactID)
		if !okg || !oka || g == "" || a == "" {
			lf.Limits = append(lf.Limits, fmt.Sprintf("dependency %s:%s: unresolved coordinates: not listed", d.GroupID, d.ArtifactID))
			continue
		}
		v, ok := resolve(d.Version)
		if d.Version == "" {
			v, ok = managed[g+":"+a]
		}
		switch {
		case !ok || v == "":
			lf.Limits = append(lf.Limits, fmt.Sprintf("dependency %s:%s: version %q not resolved within the file (parents and BOMs are not fetched): not listed", g, a, cmp.Or(d.Version, "managed elsewhere")))
			continue
		case strings.ContainsAny(v, "[]()"):
			lf.Limits = append(lf.Limits, fmt.Sprintf("dependency %s:%s: version range %q: not listed", g, a, v))
			continue
		}
		if seen[g+":"+a+":"+v] {
			continue
		}
		seen[g+":"+a+":"+v] = true
		p := mavenPkg(g, a, v)
		p.Direct = 1
		switch strings.TrimSpace(d.Scope) {
		case "test":
			p.Scope = ScopeExcluded
		case "provided", "system":
			p.Scope = ScopeOptional
		default:
			p.Scope = ScopeRequired
			if strings.TrimSpace(d.Optional) == "true" {
				p.Scope = ScopeOptional
			}
		}
		if d.Scope != "" {
			p.Props = []Property{{"chaingate:maven:scope", strings.TrimSpace(d.Scope)}}
		}
		lf.Packages = append(lf.Packages, p)
	}
	lf.Limits = append(lf.Limits, "pom.xml lists declared dependencies only: transitive dependencies need Maven's resolution")
	return lf, nil
}
