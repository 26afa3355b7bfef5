package gitops

import (
	"context"
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// ChartVersion is a Helm chart at a version: what a chart promotion writes.
type ChartVersion struct {
	// Name is the chart's name: a Flux HelmRelease's spec.chart.spec.chart,
	// an Argo CD Application source's chart, a Chart.yaml dependency's
	// name, or the last path segment of a Flux OCIRepository's oci:// URL.
	Name string `json:"name"`
	// Version is the version (or OCI tag) to write.
	Version string `json:"version"`
	// Digest ("sha256:…") pins an OCI chart where the format can hold it
	// (Flux OCIRepository spec.ref.digest); elsewhere it is refused.
	Digest string `json:"digest,omitempty"`
}

// String renders "name version" or "name version@digest".
func (c ChartVersion) String() string {
	s := c.Name + " " + c.Version
	if c.Digest != "" {
		s += "@" + c.Digest
	}
	return s
}

// ParseChartVersion reads what String writes.
func ParseChartVersion(s string) (ChartVersion, error) {
	name, ver, ok := strings.Cut(strings.TrimSpace(s), " ")
	c := ChartVersion{Name: name}
	c.Version, c.Digest, _ = strings.Cut(ver, "@")
	if !ok || c.validate() != nil {
		return ChartVersion{}, fmt.Errorf("%w: chart %q is not \"name version[@digest]\"", ErrInvalidTarget, s)
	}
	return c, nil
}

func (c ChartVersion) validate() error {
	bad := func(s string) bool {
		return s == "" || len(s) > 256 || strings.ContainsAny(s, " \t\r\n@\"'#")
	}
	switch {
	case bad(c.Name):
		return fmt.Errorf("%w: chart name %q", ErrInvalidTarget, c.Name)
	case bad(c.Version):
		return fmt.Errorf("%w: chart %s version %q", ErrInvalidTarget, c.Name, c.Version)
	case c.Digest != "" && !validDigest(c.Digest):
		return fmt.Errorf("%w: chart %s digest %q", ErrInvalidTarget, c.Name, c.Digest)
	}
	return nil
}

// EditChart sets the version of the Helm chart chart.Name in one YAML file:
// Flux HelmRelease spec.chart.spec.version, Flux OCIRepository spec.ref
// (tag, and digest when given; a semver range or an old digest that would
// override the tag is removed), Argo CD Application spec.source and
// spec.sources[] targetRevision, and Chart.yaml dependencies[].version.
// A missing version key is added. As with EditImage, only the bytes of
// what changes differ and the result is re-parsed to prove it; a file
// that names the chart nowhere is ErrNoTarget.
func EditChart(content []byte, chart ChartVersion) ([]byte, error) {
	out, _, err := editChart(context.Background(), content, chart)
	return out, err
}

func editChart(ctx context.Context, content []byte, chart ChartVersion) ([]byte, []Change, error) {
	if err := chart.validate(); err != nil {
		return nil, nil, err
	}
	f, err := parseYAMLFile(ctx, content)
	if err != nil {
		return nil, nil, err
	}
	s := &editSelector{f: f, edits: map[*yaml.Node]string{}}
	matched := false
	for _, d := range f.docs {
		if len(d.Content) != 1 || d.Content[0].Kind != yaml.MappingNode {
			continue
		}
		ok, err := s.selectChart(d.Content[0], chart)
		if err != nil {
			return nil, nil, err
		}
		matched = matched || ok
	}
	if !matched {
		return nil, nil, fmt.Errorf("%w: chart %s", ErrNoTarget, chart.Name)
	}
	return s.finish()
}

// isKeyRenamedValue reports whether n is the value of a key that edits rename.
func isKeyRenamedValue(f *yamlFile, n *yaml.Node, edits map[*yaml.Node]string) bool {
	m := f.parent[n]
	if m == nil || m.Kind != yaml.MappingNode {
		return false
	}
	for i := 1; i < len(m.Content); i += 2 {
		if m.Content[i] == n {
			k := m.Content[i-1]
			v, ok := edits[k]
			return ok && v != k.Value
		}
	}
	return false
}

// follow follows mapping keys from m.
func follow(m *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if m == nil {
			return nil
		}
		m = mapGet(m, k)
	}
	return m
}

// setOrInsert sets key in mapping m to value, adding the key when absent.
func (s *editSelector) setOrInsert(m *yaml.Node, key, value string) error {
	if m == nil || m.Kind != yaml.MappingNode {
		return fmt.Errorf("%w: %s has no mapping to hold it", ErrUnsafeEdit, key)
	}
	if v := mapGet(m, key); v != nil {
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("%w: %s at line %d is not a scalar", ErrUnsafeEdit, key, v.Line)
		}
		return s.set(v, value, false)
	}
	s.insert(m, kv{key, value})
	return nil
}

// selectChart plans the edits for chart in one document's root mapping.
func (s *editSelector) selectChart(root *yaml.Node, chart ChartVersion) (bool, error) {
	kind := ""
	if k := mapGet(root, "kind"); k != nil {
		kind = k.Value
	}
	noDigest := func(where string) error {
		if chart.Digest != "" {
			return fmt.Errorf("%w: %s cannot pin chart %s by digest", ErrInvalidTarget, where, chart.Name)
		}
		return nil
	}
	switch {
	case kind == "HelmRelease":
		spec := follow(root, "spec", "chart", "spec")
		if c := mapGet(spec, "chart"); c == nil || c.Value != chart.Name {
			return false, nil
		}
		if err := noDigest(fmt.Sprintf("HelmRelease at line %d", root.Line)); err != nil {
			return false, err
		}
		return true, s.setOrInsert(spec, "version", chart.Version)
	case kind == "OCIRepository":
		url := follow(root, "spec", "url")
		if url == nil || !strings.HasPrefix(url.Value, "oci://") || (url.Value != chart.Name && !strings.HasSuffix(url.Value, "/"+chart.Name)) {
			return false, nil
		}
		ref := follow(root, "spec", "ref")
		if ref == nil {
			return false, fmt.Errorf("%w: OCIRepository at line %d has no spec.ref", ErrUnsafeEdit, root.Line)
		}
		// Flux applies digest, then semver, then tag: what would override
		// the new tag goes.
		semKey, semVal := mapPair(ref, "semver")
		tagVal := mapGet(ref, "tag")
		switch {
		case semVal != nil && tagVal == nil:
			if err := s.rename(semKey, semVal, "tag", chart.Version); err != nil {
				return false, err
			}
		case semVal != nil:
			if err := s.remove(ref, semKey); err != nil {
				return false, err
			}
			fallthrough
		default:
			if err := s.setOrInsert(ref, "tag", chart.Version); err != nil {
				return false, err
			}
		}
		digKey, digVal := mapPair(ref, "digest")
		switch {
		case chart.Digest != "":
			if err := s.setOrInsert(ref, "digest", chart.Digest); err != nil {
				return false, err
			}
		case digVal != nil:
			if err := s.remove(ref, digKey); err != nil {
				return false, err
			}
		}
		return true, nil
	case kind == "Application":
		matched := false
		sources := []*yaml.Node{follow(root, "spec", "source")}
		if ss := follow(root, "spec", "sources"); ss != nil && ss.Kind == yaml.SequenceNode {
			sources = append(sources, ss.Content...)
		}
		for _, src := range sources {
			if c := mapGet(src, "chart"); c == nil || c.Value != chart.Name {
				continue
			}
			if err := noDigest(fmt.Sprintf("Application source at line %d", src.Line)); err != nil {
				return false, err
			}
			if err := s.setOrInsert(src, "targetRevision", chart.Version); err != nil {
				return false, err
			}
			matched = true
		}
		return matched, nil
	case kind == "":
		deps := mapGet(root, "dependencies")
		if deps == nil || deps.Kind != yaml.SequenceNode || mapGet(root, "apiVersion") == nil {
			return false, nil
		}
		matched := false
		for _, d := range deps.Content {
			if n := mapGet(d, "name"); n == nil || n.Value != chart.Name {
				continue
			}
			if err := noDigest(fmt.Sprintf("Chart.yaml dependency at line %d", d.Line)); err != nil {
				return false, err
			}
			if err := s.setOrInsert(d, "version", chart.Version); err != nil {
				return false, err
			}
			matched = true
		}
		return matched, nil
	}
	return false, nil
}

// observeChart reads the versions chart name is at in content (the read
// side of EditChart, for the previous value a promotion records).
func observeChart(ctx context.Context, content []byte, name string) ([]ChartVersion, error) {
	f, err := parseYAMLFile(ctx, content)
	if err != nil {
		return nil, err
	}
	var out []ChartVersion
	add := func(v, d *yaml.Node) {
		c := ChartVersion{Name: name}
		if v != nil && v.Kind == yaml.ScalarNode {
			c.Version = v.Value
		}
		if d != nil && d.Kind == yaml.ScalarNode {
			c.Digest = d.Value
		}
		out = append(out, c)
	}
	for _, d := range f.docs {
		if len(d.Content) != 1 {
			continue
		}
		root := d.Content[0]
		kind := ""
		if k := mapGet(root, "kind"); k != nil {
			kind = k.Value
		}
		switch kind {
		case "HelmRelease":
			spec := follow(root, "spec", "chart", "spec")
			if c := mapGet(spec, "chart"); c != nil && c.Value == name {
				add(mapGet(spec, "version"), nil)
			}
		case "OCIRepository":
			url := follow(root, "spec", "url")
			if url != nil && (url.Value == name || strings.HasSuffix(url.Value, "/"+name)) {
				ref := follow(root, "spec", "ref")
				v := mapGet(ref, "tag")
				if v == nil {
					v = mapGet(ref, "semver")
				}
				add(v, mapGet(ref, "digest"))
			}
		case "Application":
			sources := []*yaml.Node{follow(root, "spec", "source")}
			if ss := follow(root, "spec", "sources"); ss != nil && ss.Kind == yaml.SequenceNode {
				sources = append(sources, ss.Content...)
			}
			for _, src := range sources {
				if c := mapGet(src, "chart"); c != nil && c.Value == name {
					add(mapGet(src, "targetRevision"), nil)
				}
			}
		case "":
			if deps := mapGet(root, "dependencies"); deps != nil && deps.Kind == yaml.SequenceNode {
				for _, dep := range deps.Content {
					if n := mapGet(dep, "name"); n != nil && n.Value == name {
						add(mapGet(dep, "version"), nil)
					}
				}
			}
		}
	}
	if len(out) == 0 {
		return nil, ErrNoTarget
	}
	return out, nil
}
