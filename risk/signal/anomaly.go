package signal

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/chaingate/chaingate/sbom"
)

// Signal IDs of the dependency-change detectors.
const (
	SignalTampered          = "tampered"              // same name and version, other hash or source
	SignalNewInstallScript  = "new-install-script"    // a package gained install scripts, or a new one has them
	SignalDowngrade         = "downgrade"             // a version went down
	SignalNewDirect         = "new-direct-dependency" // a direct dependency appeared
	SignalRegistryMoved     = "registry-moved"        // resolved from another registry or namespace
	SignalDependencyConfuse = "dependency-confusion"  // an internal-looking name from a public registry
	SignalUnpinned          = "unpinned"              // no exact version
)

// Public registries: a package resolved from one of these hosts is public.
var anomalyPublicHosts = []string{"registry.npmjs.org", "registry.yarnpkg.com", "pypi.org", "files.pythonhosted.org", "proxy.golang.org"}

// DependencyChanges compares two SBOMs of the same project (before,
// after; the diff is sbom.Diff) and reports tampering (same name and
// version, other hash or source), new install scripts, downgrades, new
// direct dependencies and dependencies that moved to another registry or
// namespace.
func DependencyChanges(before, after *sbom.Document) ([]Signal, error) {
	d, err := sbom.Diff(before, after)
	if err != nil {
		return nil, fmt.Errorf("risk: dependency changes: %w", err)
	}
	var out []Signal
	for _, c := range d.Modified {
		out = append(out, Signal{ID: SignalTampered, Value: 0.9, Source: source(c.After),
			Evidence: append([]string{fmt.Sprintf("%s %s is the same name and version as before but its content or source changed", c.Key, c.After.Version)}, c.Reasons...)})
	}
	for _, c := range d.Downgraded {
		out = append(out, Signal{ID: SignalDowngrade, Value: 0.4, Source: source(c.After),
			Evidence: []string{fmt.Sprintf("%s went down from %s to %s (%s order)", c.Key, c.Before.Version, c.After.Version, c.Ordering)}})
	}
	pairs := append(append(append([]sbom.Change{}, d.Modified...), d.Upgraded...), d.Downgraded...)
	for _, c := range pairs {
		if anomalyInstallScript(c.After) && !anomalyInstallScript(c.Before) {
			out = append(out, Signal{ID: SignalNewInstallScript, Value: 0.7, Source: source(c.After),
				Evidence: []string{fmt.Sprintf("%s %s has install scripts; %s did not", c.Key, c.After.Version, c.Before.Version)}})
		}
		if ev := anomalyMoved(c.Before, c.After); ev != "" {
			out = append(out, Signal{ID: SignalRegistryMoved, Value: 0.7, Source: source(c.After),
				Evidence: []string{fmt.Sprintf("%s: %s", c.Key, ev)}})
		}
	}
	// A package whose name disappears while the same name appears under
	// another namespace is a move too (pkg:npm/x -> pkg:npm/%40evil/x).
	removedByName := map[string]*sbom.Component{}
	for _, c := range d.Removed {
		_, _, n, _, ok := parsePURL(c.Before.PURL)
		if ok {
			removedByName[n] = c.Before
		}
	}
	directBefore, directAfter := anomalyDirect(before), anomalyDirect(after)
	for _, c := range d.Added {
		if anomalyInstallScript(c.After) {
			out = append(out, Signal{ID: SignalNewInstallScript, Value: 0.5, Source: source(c.After),
				Evidence: []string{fmt.Sprintf("new dependency %s %s has install scripts", c.Key, c.After.Version)}})
		}
		if directAfter[c.Key] && !directBefore[c.Key] {
			out = append(out, Signal{ID: SignalNewDirect, Value: 0.2, Source: source(c.After),
				Evidence: []string{fmt.Sprintf("new direct dependency %s %s", c.Key, c.After.Version)}})
		}
		if _, ns, n, _, ok := parsePURL(c.After.PURL); ok {
			if old := removedByName[n]; old != nil {
				_, oldNS, _, _, _ := parsePURL(old.PURL)
				if oldNS != ns {
					out = append(out, Signal{ID: SignalRegistryMoved, Value: 0.6, Source: source(c.After),
						Evidence: []string{fmt.Sprintf("%s replaced %s: the same name in another namespace", c.After.PURL, old.PURL)}})
				}
			}
		}
	}
	anomalySort(out)
	return out, nil
}

func anomalySort(s []Signal) {
	sort.SliceStable(s, func(i, j int) bool {
		if s[i].Value != s[j].Value {
			return s[i].Value > s[j].Value
		}
		if s[i].ID != s[j].ID {
			return s[i].ID < s[j].ID
		}
		return s[i].Source < s[j].Source
	})
}

func anomalyInstallScript(c *sbom.Component) bool {
	if c == nil {
		return false
	}
	v, _ := c.Property(sbom.PropNPMInstallScript)
	return v == "true"
}

// anomalyResolvedHost returns where a component was resolved from: the
// host of its resolved URL, or its purl's repository_url qualifier.
func anomalyResolvedHost(c *sbom.Component) string {
	raw, _ := c.Property(sbom.PropNPMResolved)
	if raw == "" {
		if i := strings.Index(c.PURL, "repository_url="); i >= 0 {
			raw = c.PURL[i+len("repository_url="):]
			if j := strings.IndexByte(raw, '&'); j >= 0 {
				raw = raw[:j]
			}
			if u, err := url.QueryUnescape(raw); err == nil {
				raw = u
			}
			if !strings.Contains(raw, "://") {
				raw = "https://" + raw
			}
		}
	}
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Host)
}

func anomalyMoved(before, after *sbom.Component) string {
	hb, ha := anomalyResolvedHost(before), anomalyResolvedHost(after)
	if hb != "" && ha != "" && hb != ha {
		return fmt.Sprintf("resolved from %s, before from %s", ha, hb)
	}
	_, nb, _, _, okb := parsePURL(before.PURL)
	_, na, _, _, oka := parsePURL(after.PURL)
	if okb && oka && nb != na {
		return fmt.Sprintf("namespace %q, before %q", na, nb)
	}
	return ""
}

// anomalyDirect returns the identities (as sbom.Diff keys them) of the
// root's direct dependencies.
func anomalyDirect(doc *sbom.Document) map[string]bool {
	out := map[string]bool{}
	g := sbom.NewGraph(doc)
	for _, id := range g.Direct() {
		if c := g.Component(id); c != nil {
			out[anomalyKey(c)] = true
		}
	}
	for i := range doc.Components {
		if v, _ := doc.Components[i].Property(sbom.PropGoDirect); v == "true" {
			out[anomalyKey(&doc.Components[i])] = true
		}
	}
	return out
}

// anomalyKey mirrors sbom.Diff's identity: "<type>/<namespace>/<name>".
func anomalyKey(c *sbom.Component) string {
	d, err := sbom.Diff(&sbom.Document{}, &sbom.Document{Components: []sbom.Component{*c}})
	if err == nil && len(d.Added) == 1 {
		return d.Added[0].Key
	}
	return c.Group + "/" + c.Name
}

// DependencyConfusion reports components whose name looks internal
// (it starts with one of the caller's internal scopes or prefixes, such
// as "@acme/" or "acme-") but that were resolved from a public registry,
// or whose source the SBOM does not record.
func DependencyConfusion(doc *sbom.Document, internal []string) []Signal {
	var out []Signal
	if doc == nil {
		return nil
	}
	for i := range doc.Components {
		c := &doc.Components[i]
		_, name, ok := packageName(c)
		if !ok {
			name = c.Name
			if c.Group != "" {
				name = c.Group + "/" + c.Name
			}
		}
		prefix := ""
		for _, p := range internal {
			if p != "" && strings.HasPrefix(strings.ToLower(name), strings.ToLower(p)) {
				prefix = p
				break
			}
		}
		if prefix == "" {
			continue
		}
		host := anomalyResolvedHost(c)
		switch {
		case host == "":
			out = append(out, Signal{ID: SignalDependencyConfuse, Value: 0.4, Source: source(c),
				Evidence: []string{fmt.Sprintf("%s matches the internal prefix %q but the SBOM does not say which registry it came from", name, prefix)}})
		case anomalyPublicHost(host):
			out = append(out, Signal{ID: SignalDependencyConfuse, Value: 0.9, Source: source(c),
				Evidence: []string{fmt.Sprintf("%s matches the internal prefix %q but was resolved from the public registry %s", name, prefix, host)}})
		}
	}
	anomalySort(out)
	return out
}

func anomalyPublicHost(h string) bool {
	for _, p := range anomalyPublicHosts {
		if h == p || strings.HasSuffix(h, "."+p) {
			return true
		}
	}
	return false
}

// A version that names one release: no ranges, wildcards or tags.
var anomalyRangeRe = regexp.MustCompile(`(^|\s)(\^|~|>|<|\*|latest$|next$|x$)|\|\||(^|\.)[xX*](\.|$)| - `)

var anomalyCommitRe = regexp.MustCompile(`#[0-9a-f]{40}$`)

// Unpinned reports components whose version is missing or is a
// range, wildcard or tag rather than one exact release, and npm packages
// resolved from a Git URL without a commit.
func Unpinned(doc *sbom.Document) []Signal {
	var out []Signal
	if doc == nil {
		return nil
	}
	for i := range doc.Components {
		c := &doc.Components[i]
		if c.ID == doc.Root || c.Type == sbom.TypeOperatingSystem || c.Type == sbom.TypeFile {
			continue
		}
		switch {
		case strings.TrimSpace(c.Version) == "":
			out = append(out, Signal{ID: SignalUnpinned, Value: 0.3, Source: source(c),
				Evidence: []string{fmt.Sprintf("%s has no version", c.Name)}})
		case anomalyRangeRe.MatchString(c.Version):
			out = append(out, Signal{ID: SignalUnpinned, Value: 0.4, Source: source(c),
				Evidence: []string{fmt.Sprintf("%s version %q is a range or tag, not one release", c.Name, c.Version)}})
		}
		if r, _ := c.Property(sbom.PropNPMResolved); strings.HasPrefix(r, "git") || strings.Contains(r, "github.com/") {
			if !anomalyCommitRe.MatchString(r) {
				out = append(out, Signal{ID: SignalUnpinned, Value: 0.5, Source: source(c),
					Evidence: []string{fmt.Sprintf("%s is resolved from Git (%s) without a commit hash", c.Name, r)}})
			}
		}
	}
	anomalySort(out)
	return out
}

// DependencyChangeDetector is a Detector comparing each SBOM with a
// baseline (the last released one), with dependency-confusion and
// unpinned-version checks.
type DependencyChangeDetector struct {
	// Baseline is the SBOM to compare with; nil skips the change checks.
	Baseline *sbom.Document
	// InternalPrefixes are the caller's internal scopes or name prefixes
	// ("@acme/", "acme-"); empty skips the dependency-confusion check.
	InternalPrefixes []string
	// SkipUnpinned turns the unpinned-version check off.
	SkipUnpinned bool
}

// Name identifies the detector.
func (d DependencyChangeDetector) Name() string { return "dependency-changes" }

// Detect runs the configured checks over doc.
func (d DependencyChangeDetector) Detect(ctx context.Context, doc *sbom.Document) ([]Signal, error) {
	if doc == nil {
		return nil, fmt.Errorf("risk: dependency-changes detector: nil document")
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("risk: dependency-changes detector: %w", err)
	}
	var out []Signal
	if d.Baseline != nil {
		s, err := DependencyChanges(d.Baseline, doc)
		if err != nil {
			return nil, err
		}
		out = append(out, s...)
	}
	if len(d.InternalPrefixes) > 0 {
		out = append(out, DependencyConfusion(doc, d.InternalPrefixes)...)
	}
	if !d.SkipUnpinned {
		out = append(out, Unpinned(doc)...)
	}
	anomalySort(out)
	return out, nil
}
