package gitops

import (
	"context"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// observeImages returns the image references a target selects in content,
// as they stand: the read side of EditImage, used for stage rules, drift
// and the previous value recorded in a promotion. It runs EditImage's
// selector with a probe reference and reads back which part of the
// reference each selected value would take, so reading and writing can
// never disagree about what a target means.
func observeImages(ctx context.Context, content []byte, target ImageTarget) ([]Reference, error) {
	probeName := target.Name
	if probeName == "" {
		probeName = "probe.invalid/image"
	}
	probe := Reference{Name: probeName, Tag: "probe-tag", Digest: "sha256:" + strings.Repeat("f", 64)}
	f, err := parseYAMLFile(ctx, content)
	if err != nil {
		return nil, err
	}
	s := &editSelector{f: f, ref: probe, target: target, edits: map[*yaml.Node]string{}}
	if target.Name != "" || target.Container != "" {
		for _, d := range f.docs {
			if err := s.walkNames(d, ""); err != nil {
				return nil, err
			}
		}
	}
	if target.Path != "" {
		if err := s.selectPath(); err != nil {
			return nil, err
		}
	}
	if target.Policy != "" {
		if err := s.selectPolicy(); err != nil {
			return nil, err
		}
	}
	if len(s.order) == 0 {
		return nil, ErrNoTarget
	}
	var out []Reference
	groups := map[*yaml.Node]*Reference{}
	var groupOrder []*yaml.Node
	for _, n := range s.order {
		switch s.edits[n] {
		case probe.String():
			if r, err := ParseReference(n.Value); err == nil {
				out = append(out, r)
			} else {
				out = append(out, Reference{Name: n.Value})
			}
			continue
		}
		parent := f.parent[n]
		g := groups[parent]
		if g == nil {
			g = &Reference{Name: target.Name}
			groups[parent] = g
			groupOrder = append(groupOrder, parent)
		}
		switch s.edits[n] {
		case probe.Name:
			g.Name = n.Value
		case probe.Tag:
			g.Tag = n.Value
		case probe.Tag + "@" + probe.Digest:
			g.Tag, g.Digest, _ = strings.Cut(n.Value, "@")
		case probe.Digest:
			g.Digest = n.Value
		}
	}
	for _, p := range groupOrder {
		g := groups[p]
		// A map that selects only a tag or a digest still names its image.
		if g.Name == "" {
			for _, k := range []string{"repository", "newName", "name"} {
				if v := mapGet(p, k); v != nil && v.Kind == yaml.ScalarNode && v.Value != "" {
					g.Name = v.Value
					break
				}
			}
		}
		out = append(out, *g)
	}
	return out, nil
}
