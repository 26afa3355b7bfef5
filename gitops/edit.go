package gitops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// ErrNoTarget reports that nothing in a file matched an ImageTarget.
var ErrNoTarget = errors.New("gitops: no target matched")

// ErrInvalidTarget reports an ImageTarget that cannot be used: nothing to
// select by, a malformed path or policy, or a reference that lacks the part
// a matched field needs.
var ErrInvalidTarget = errors.New("gitops: invalid target")

// ImageTarget selects the image references EditImage changes in one file.
// Every selector that is set applies; at least one must be set.
type ImageTarget struct {
	// Name is an image name without tag or digest. Every reference to it is
	// updated: `image:` strings (all documents); kustomize `images:`
	// entries whose name or newName is Name, the way `kustomize edit set
	// image` rewrites them (a digest replaces newTag, a tag replaces a
	// digest, newName is set or added; a kustomization without an entry
	// gets one); and Helm-style maps whose repository (with registry, when
	// split) is Name (registry, repository, tag and/or digest, each written
	// only if it changes). Docker Hub spellings ("nginx",
	// "docker.io/library/nginx") match.
	Name string `json:"name,omitempty"`
	// Container, when set, selects the `image` of Kubernetes containers
	// (containers, initContainers, ephemeralContainers) with this name, in
	// every document. With Name also set, the container's current image
	// must be Name.
	Container string `json:"container,omitempty"`
	// Path addresses one scalar in document Doc, such as
	// "spec.template.spec.containers[1].image", "image.tag" or
	// "spec.containers[name=web].image"; keys containing dots are written
	// as ["a.b"]. The last key decides what is written: tag/newTag take the
	// tag (with "@digest" appended when the ref has a digest and the map
	// has no digest key, which otherwise takes the digest), digest takes
	// the digest, repository/newName take the name, anything else the
	// full reference.
	Path string `json:"path,omitempty"`
	// Doc is the index of the document Path applies to (0 for the first).
	Doc int `json:"doc,omitempty"`
	// Policy is a Flux image policy "namespace:name"; every setter marker
	// `# {"$imagepolicy": "namespace:name[:tag|:name|:digest]"}` on a value
	// sets that value. Markers in comment lines are never edited.
	Policy string `json:"policy,omitempty"`
}

// String describes the target for error messages.
func (t ImageTarget) String() string {
	var parts []string
	if t.Name != "" {
		parts = append(parts, "name="+t.Name)
	}
	if t.Container != "" {
		parts = append(parts, "container="+t.Container)
	}
	if t.Path != "" {
		parts = append(parts, fmt.Sprintf("path=%s doc=%d", t.Path, t.Doc))
	}
	if t.Policy != "" {
		parts = append(parts, "policy="+t.Policy)
	}
	return strings.Join(parts, " ")
}

// EditImage sets the image references target selects in one YAML file to
// newRef (name:tag, name@digest or name:tag@digest) and returns the new
// bytes. Only the bytes of the changed values differ from content:
// comments, blank lines, indentation, quoting, anchors, document markers,
// line endings and a missing final newline are kept. The result is
// re-parsed to prove that exactly the intended values changed. A selected
// value that cannot be replaced in place is ErrUnsafeEdit; a target that
// matches nothing is ErrNoTarget. A target already at newRef returns
// content unchanged. EditImage is pure and safe for concurrent use.
func EditImage(content []byte, target ImageTarget, newRef string) ([]byte, error) {
	out, _, err := editImage(context.Background(), content, target, newRef)
	return out, err
}

// Change is one value EditImage changed.
type Change struct {
	// Line is the 1-based line of the value in the original file; for an
	// added key, the line it is added before.
	Line int `json:"line"`
	// Old and New are the value before and after. A key that is added,
	// removed or renamed (kustomize images: entries) is shown as
	// "key: value", with Old or New empty when there was or is none.
	Old string `json:"old"`
	New string `json:"new"`
}

// editImage is EditImage with the changes it made; it checks ctx while it
// parses, selects, splices and re-parses.
func editImage(ctx context.Context, content []byte, target ImageTarget, newRef string) ([]byte, []Change, error) {
	if target.Name == "" && target.Container == "" && target.Path == "" && target.Policy == "" {
		return nil, nil, fmt.Errorf("%w: no Name, Container, Path or Policy", ErrInvalidTarget)
	}
	ref, err := ParseReference(newRef)
	if err != nil {
		return nil, nil, err
	}
	if ref.Tag == "" && ref.Digest == "" {
		return nil, nil, fmt.Errorf("%w %q: needs a tag or a digest", ErrInvalidReference, newRef)
	}
	if target.Name != "" && !validName(target.Name) {
		return nil, nil, fmt.Errorf("%w: image name %q", ErrInvalidTarget, target.Name)
	}
	f, err := parseYAMLFile(ctx, content)
	if err != nil {
		return nil, nil, err
	}
	s := &editSelector{f: f, ref: ref, target: target, edits: map[*yaml.Node]string{}}
	if target.Name != "" || target.Container != "" {
		for _, d := range f.docs {
			if err := s.walkNames(d, ""); err != nil {
				return nil, nil, err
			}
		}
	}
	if target.Path != "" {
		if err := s.selectPath(); err != nil {
			return nil, nil, err
		}
	}
	if target.Policy != "" {
		if err := s.selectPolicy(); err != nil {
			return nil, nil, err
		}
	}
	if len(s.order) == 0 && len(s.structs) == 0 && target.Container == "" && target.Path == "" && target.Policy == "" {
		if err := s.addKustomizeImage(); err != nil {
			return nil, nil, err
		}
	}
	if len(s.order) == 0 && len(s.structs) == 0 {
		return nil, nil, fmt.Errorf("%w: %s", ErrNoTarget, target)
	}
	return s.finish()
}

// finish splices the selected edits, proves them and lists the changes.
func (s *editSelector) finish() ([]byte, []Change, error) {
	f := s.f
	edits := make([]scalarEdit, 0, len(s.order))
	changes := s.changes
	for _, n := range s.order {
		edits = append(edits, scalarEdit{node: n, value: s.edits[n]})
		if k, v, ok := f.renamedKey(n, s.edits); ok {
			nv, edited := s.edits[v]
			if !edited {
				nv = v.Value
			}
			changes = append(changes, Change{Line: n.Line, Old: k + ": " + v.Value, New: s.edits[n] + ": " + nv})
			continue
		}
		if n.Value != s.edits[n] && !isKeyRenamedValue(f, n, s.edits) {
			changes = append(changes, Change{Line: n.Line, Old: n.Value, New: s.edits[n]})
		}
	}
	out, err := f.apply(edits, s.structs...)
	if err != nil {
		return nil, nil, err
	}
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].Line < changes[j].Line })
	return out, changes, nil
}

type editSelector struct {
	f       *yamlFile
	ref     Reference
	target  ImageTarget
	edits   map[*yaml.Node]string
	order   []*yaml.Node
	structs []structEdit
	changes []Change // structural changes, reported beside the value changes
}

// kustomizeEntry rewrites a kustomize images: entry m the way
// `kustomize edit set image NAME=REF` does (v5.8.2,
// commands/edit/set/setimage.go): the entry keeps its name and takes the
// reference's newName (when the image is renamed or already had one), its
// tag as newTag and its digest as digest; a tag without a digest drops the
// digest and a digest without a tag drops newTag. Where kustomize rewrites
// the whole file, this renames, deletes or inserts only the keys that
// change; every other byte stays.
func (s *editSelector) kustomizeEntry(m *yaml.Node) error {
	kName, kNewName := mapGet(m, "name"), mapGet(m, "newName")
	ref := s.ref
	where := fmt.Sprintf("kustomize image %q at line %d", kName.Value, kName.Line)
	if !sameImageName(ref.Name, kName.Value) || (kNewName != nil && !sameImageName(kNewName.Value, ref.Name)) {
		if kNewName != nil {
			if err := s.set(kNewName, ref.Name, true); err != nil {
				return err
			}
		} else {
			s.insert(m, kv{"newName", ref.Name})
		}
	}
	tagKey, tagVal := mapPair(m, "newTag")
	digKey, digVal := mapPair(m, "digest")
	for _, n := range []*yaml.Node{tagVal, digVal} {
		if n != nil && n.Kind != yaml.ScalarNode {
			return fmt.Errorf("%w: %s: newTag or digest at line %d is not a scalar", ErrUnsafeEdit, where, n.Line)
		}
	}
	tagToDigest, digestToTag := false, false
	if ref.Tag == "" && tagVal != nil && tagVal.Value != "" {
		if ref.Digest != "" && digVal == nil {
			if err := s.rename(tagKey, tagVal, "digest", ref.Digest); err != nil {
				return err
			}
			tagToDigest = true
		} else if err := s.remove(m, tagKey); err != nil {
			return err
		}
	}
	if ref.Digest == "" && digVal != nil && digVal.Value != "" {
		if ref.Tag != "" && tagVal == nil {
			if err := s.rename(digKey, digVal, "newTag", ref.Tag); err != nil {
				return err
			}
			digestToTag = true
		} else if err := s.remove(m, digKey); err != nil {
			return err
		}
	}
	if ref.Tag != "" && !digestToTag {
		if tagVal != nil {
			if err := s.set(tagVal, ref.Tag, true); err != nil {
				return err
			}
		} else {
			s.insert(m, kv{"newTag", ref.Tag})
		}
	}
	if ref.Digest != "" && !tagToDigest {
		if digVal != nil {
			if err := s.set(digVal, ref.Digest, true); err != nil {
				return err
			}
		} else {
			s.insert(m, kv{"digest", ref.Digest})
		}
	}
	return nil
}

// renamedKey reports whether n is a mapping key that edits rename, with
// its old name and its value node.
func (f *yamlFile) renamedKey(n *yaml.Node, edits map[*yaml.Node]string) (string, *yaml.Node, bool) {
	m := f.parent[n]
	if m == nil || m.Kind != yaml.MappingNode || edits[n] == n.Value {
		return "", nil, false
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i] == n {
			return n.Value, m.Content[i+1], true
		}
	}
	return "", nil, false
}

// mapPair returns the key and value nodes of key in mapping m.
func mapPair(m *yaml.Node, key string) (k, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// rename turns "key: value" into "newKey: newValue" in place.
func (s *editSelector) rename(key, val *yaml.Node, newKey, newValue string) error {
	if err := s.set(key, newKey, false); err != nil {
		return err
	}
	return s.set(val, newValue, true)
}

// remove deletes the pair whose key node is key from mapping m.
func (s *editSelector) remove(m, key *yaml.Node) error {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i] == key {
			s.structs = append(s.structs, structEdit{op: opDelete, parent: m, index: i})
			s.changes = append(s.changes, Change{Line: key.Line, Old: key.Value + ": " + m.Content[i+1].Value})
			return nil
		}
	}
	return fmt.Errorf("%w: key at line %d not in its mapping", ErrUnsafeEdit, key.Line)
}

// insert appends pairs to mapping m (merged with an earlier insert into m).
func (s *editSelector) insert(m *yaml.Node, pair kv) {
	line := lastLeaf(m).Line
	if m.Style&yaml.FlowStyle == 0 && !s.f.flow[m] {
		line++
	}
	s.changes = append(s.changes, Change{Line: line, New: pair.key + ": " + pair.value})
	for i := range s.structs {
		if s.structs[i].op == opInsert && s.structs[i].parent == m {
			s.structs[i].pairs = append(s.structs[i].pairs, pair)
			return
		}
	}
	s.structs = append(s.structs, structEdit{op: opInsert, parent: m, pairs: []kv{pair}})
}

// underKey reports whether n is an item of a sequence held by key.
func (f *yamlFile) underKey(n *yaml.Node, key string) bool {
	seq := f.parent[n]
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return false
	}
	m := f.parent[seq]
	if m == nil || m.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i+1] == seq {
			return m.Content[i].Value == key
		}
	}
	return false
}

// isKustomization reports whether a document's root mapping is a
// kustomization: kind Kustomization, or no kind and one of the keys only a
// kustomization has at its root.
func isKustomization(root *yaml.Node) bool {
	if root == nil || root.Kind != yaml.MappingNode {
		return false
	}
	if k := mapGet(root, "kind"); k != nil {
		return k.Value == "Kustomization"
	}
	for _, key := range []string{"resources", "bases", "components", "patchesStrategicMerge", "configMapGenerator", "secretGenerator", "namePrefix", "nameSuffix"} {
		if mapGet(root, key) != nil {
			return true
		}
	}
	return false
}

// addKustomizeImage adds an images: entry for target.Name, as
// `kustomize edit set image` does when no entry has that name, to the one
// kustomization document of the file.
func (s *editSelector) addKustomizeImage() error {
	var root *yaml.Node
	for _, d := range s.f.docs {
		if len(d.Content) == 1 && isKustomization(d.Content[0]) {
			if root != nil {
				return fmt.Errorf("%w: %s: more than one kustomization in the file", ErrNoTarget, s.target)
			}
			root = d.Content[0]
		}
	}
	if root == nil {
		return nil
	}
	ref := s.ref
	pairs := []kv{{"name", s.target.Name}}
	if !sameImageName(ref.Name, s.target.Name) {
		pairs = append(pairs, kv{"newName", ref.Name})
	}
	if ref.Tag != "" {
		pairs = append(pairs, kv{"newTag", ref.Tag})
	}
	if ref.Digest != "" {
		pairs = append(pairs, kv{"digest", ref.Digest})
	}
	var text []string
	for _, p := range pairs {
		text = append(text, p.key+": "+p.value)
	}
	s.changes = append(s.changes, Change{Line: root.Line, New: "images: {" + strings.Join(text, ", ") + "}"})
	images := mapGet(root, "images")
	switch {
	case images == nil:
		s.structs = append(s.structs, structEdit{op: opAppendKey, parent: root, key: "images", pairs: pairs})
	case images.Kind == yaml.SequenceNode:
		s.structs = append(s.structs, structEdit{op: opAppendItem, parent: images, pairs: pairs})
	default:
		return fmt.Errorf("%w: images: at line %d is not a list", ErrUnsafeEdit, images.Line)
	}
	return nil
}

func (s *editSelector) set(n *yaml.Node, v string, aliasOK bool) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("%w: line %d column %d is not a scalar", ErrUnsafeEdit, n.Line, n.Column)
	}
	if !aliasOK && s.f.anchoredAbove(n) {
		return fmt.Errorf("%w: line %d column %d is under an anchor that an alias refers to", ErrUnsafeEdit, n.Line, n.Column)
	}
	if old, ok := s.edits[n]; ok {
		if old != v {
			return fmt.Errorf("%w: line %d column %d selected for both %q and %q", ErrInvalidTarget, n.Line, n.Column, old, v)
		}
		return nil
	}
	s.edits[n] = v
	s.order = append(s.order, n)
	return nil
}

func mapGet(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func isStringScalar(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!str" || n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0)
}

var containerListKeys = map[string]bool{"containers": true, "initContainers": true, "ephemeralContainers": true}

// walkNames selects by Name and Container. key is the mapping key under
// which n sits ("" for sequence items and roots).
func (s *editSelector) walkNames(n *yaml.Node, key string) error {
	if err := s.f.step(); err != nil {
		return err
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if err := s.walkNames(c, ""); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if s.target.Container != "" && containerListKeys[key] && c.Kind == yaml.MappingNode {
				if err := s.selectContainer(c); err != nil {
					return err
				}
			}
			if err := s.walkNames(c, ""); err != nil {
				return err
			}
		}
	case yaml.MappingNode:
		if s.target.Name != "" && s.target.Container == "" {
			if err := s.selectNameInMap(n); err != nil {
				return err
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := s.walkNames(n.Content[i+1], n.Content[i].Value); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *editSelector) selectContainer(c *yaml.Node) error {
	name := mapGet(c, "name")
	img := mapGet(c, "image")
	if name == nil || name.Value != s.target.Container || img == nil || img.Kind != yaml.ScalarNode {
		return nil
	}
	if s.target.Name != "" {
		cur, err := ParseReference(img.Value)
		if err != nil || !sameImageName(cur.Name, s.target.Name) {
			return nil
		}
	}
	return s.set(img, s.ref.String(), true)
}

func (s *editSelector) selectNameInMap(m *yaml.Node) error {
	name := s.target.Name
	if img := mapGet(m, "image"); isStringScalar(img) {
		if cur, err := ParseReference(img.Value); err == nil && sameImageName(cur.Name, name) {
			if err := s.set(img, s.ref.String(), true); err != nil {
				return err
			}
		}
	}
	// kustomize images: entry.
	kName, kNewName := mapGet(m, "name"), mapGet(m, "newName")
	kTag, kDigest := mapGet(m, "newTag"), mapGet(m, "digest")
	if isStringScalar(kName) && (kNewName != nil || kTag != nil || kDigest != nil || s.f.underKey(m, "images")) {
		matchName := sameImageName(kName.Value, name)
		matchNew := isStringScalar(kNewName) && sameImageName(kNewName.Value, name)
		if matchName || matchNew {
			return s.kustomizeEntry(m)
		}
	}
	// Helm-style map: repository (optionally with registry), tag, digest.
	repo := mapGet(m, "repository")
	if isStringScalar(repo) {
		full := repo.Value
		reg := mapGet(m, "registry")
		if isStringScalar(reg) && reg.Value != "" {
			full = reg.Value + "/" + repo.Value
		}
		if sameImageName(full, name) {
			where := fmt.Sprintf("image map at line %d", repo.Line)
			if !sameImageName(full, s.ref.Name) {
				if err := s.renameSplit(reg, repo, where); err != nil {
					return err
				}
			}
			return s.setTagDigest(mapGet(m, "tag"), mapGet(m, "digest"), where)
		}
	}
	return nil
}

// renameSplit points a Helm-style image map at s.ref's name. When the map
// splits registry and repository, each key is written only if its part
// changes (Docker Hub spellings compare equal); otherwise repository takes
// the whole name.
func (s *editSelector) renameSplit(reg, repo *yaml.Node, where string) error {
	if reg == nil || !isStringScalar(reg) || reg.Value == "" {
		if reg != nil && !isStringScalar(reg) {
			return fmt.Errorf("%w: %s: registry at line %d is not a string", ErrUnsafeEdit, where, reg.Line)
		}
		return s.set(repo, s.ref.Name, true)
	}
	norm := normalizeName(s.ref.Name)
	newReg, newRepo, _ := strings.Cut(norm, "/")
	if first, rest, ok := strings.Cut(s.ref.Name, "/"); ok && isRegistryHost(first) {
		// Keep the reference's own spelling of a non-Docker Hub name.
		newReg, newRepo = first, rest
	}
	if normalizeName(reg.Value+"/x") != normalizeName(newReg+"/x") {
		if err := s.set(reg, newReg, true); err != nil {
			return err
		}
	}
	if !sameImageName(reg.Value+"/"+repo.Value, newReg+"/"+newRepo) {
		if err := s.set(repo, newRepo, true); err != nil {
			return err
		}
	}
	return nil
}

// setTagDigest writes the tag and digest of s.ref into a map's tag and
// digest keys (either may be nil). A digest pinned in the map while the
// new reference has none is refused: leaving it would keep the old image.
func (s *editSelector) setTagDigest(tag, digest *yaml.Node, where string) error {
	ref := s.ref
	if digest != nil && digest.Kind == yaml.ScalarNode && ref.Digest == "" && digest.Value != "" {
		return fmt.Errorf("%w: %s pins digest %s but %s has no digest", ErrInvalidTarget, where, digest.Value, ref)
	}
	if ref.Digest != "" && digest != nil {
		if err := s.set(digest, ref.Digest, true); err != nil {
			return err
		}
	}
	if tag != nil {
		switch {
		case ref.Tag != "" && ref.Digest != "" && digest == nil:
			return s.set(tag, ref.Tag+"@"+ref.Digest, true)
		case ref.Tag != "":
			return s.set(tag, ref.Tag, true)
		case digest == nil:
			return fmt.Errorf("%w: %s has a tag key and no digest key for %s", ErrInvalidTarget, where, ref)
		}
	}
	return nil
}

// pathStep is one element of an ImageTarget.Path.
type pathStep struct {
	key      string
	index    int // >= 0 for [n]
	selKey   string
	selValue string // for [key=value]
}

func parsePath(p string) ([]pathStep, error) {
	var steps []pathStep
	bad := func(msg string) error { return fmt.Errorf("%w: path %q: %s", ErrInvalidTarget, p, msg) }
	i := 0
	for i < len(p) {
		switch p[i] {
		case '.':
			if i == 0 || i+1 >= len(p) || p[i+1] == '.' || p[i+1] == '[' {
				return nil, bad("empty key")
			}
			i++
		case '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return nil, bad("unclosed [")
			}
			inner := p[i+1 : i+end]
			switch {
			case len(inner) >= 2 && (inner[0] == '"' || inner[0] == '\''):
				k, err := strconv.Unquote(`"` + inner[1:len(inner)-1] + `"`)
				if err != nil || inner[len(inner)-1] != inner[0] {
					return nil, bad("bad quoted key")
				}
				steps = append(steps, pathStep{key: k, index: -1})
			case strings.Contains(inner, "="):
				k, v, _ := strings.Cut(inner, "=")
				steps = append(steps, pathStep{index: -1, selKey: k, selValue: strings.Trim(v, `"'`)})
			default:
				n, err := strconv.Atoi(inner)
				if err != nil || n < 0 {
					return nil, bad("bad index " + inner)
				}
				steps = append(steps, pathStep{index: n})
			}
			i += end + 1
		default:
			j := i
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			steps = append(steps, pathStep{key: p[i:j], index: -1})
			i = j
		}
		if len(steps) > 256 {
			return nil, bad("too many steps")
		}
	}
	if len(steps) == 0 {
		return nil, bad("empty")
	}
	return steps, nil
}

func (s *editSelector) selectPath() error {
	steps, err := parsePath(s.target.Path)
	if err != nil {
		return err
	}
	if s.target.Doc < 0 || s.target.Doc >= len(s.f.docs) {
		return fmt.Errorf("%w: document %d of %d", ErrNoTarget, s.target.Doc, len(s.f.docs))
	}
	doc := s.f.docs[s.target.Doc]
	if len(doc.Content) == 0 {
		return fmt.Errorf("%w: document %d is empty", ErrNoTarget, s.target.Doc)
	}
	n := doc.Content[0]
	var parent *yaml.Node
	lastKey := ""
	for _, st := range steps {
		if n.Kind == yaml.AliasNode {
			return fmt.Errorf("%w: path %q goes through alias *%s", ErrUnsafeEdit, s.target.Path, n.Value)
		}
		parent = n
		switch {
		case st.index >= 0:
			if n.Kind != yaml.SequenceNode || st.index >= len(n.Content) {
				return fmt.Errorf("%w: path %q: no item [%d] at line %d", ErrNoTarget, s.target.Path, st.index, n.Line)
			}
			n = n.Content[st.index]
		case st.selKey != "":
			var found *yaml.Node
			if n.Kind == yaml.SequenceNode {
				for _, c := range n.Content {
					if v := mapGet(c, st.selKey); v != nil && v.Kind == yaml.ScalarNode && v.Value == st.selValue {
						if found != nil {
							return fmt.Errorf("%w: path %q: [%s=%s] matches more than one item", ErrInvalidTarget, s.target.Path, st.selKey, st.selValue)
						}
						found = c
					}
				}
			}
			if found == nil {
				return fmt.Errorf("%w: path %q: no item [%s=%s]", ErrNoTarget, s.target.Path, st.selKey, st.selValue)
			}
			n = found
		default:
			if n.Kind != yaml.MappingNode {
				return fmt.Errorf("%w: path %q: no key %q at line %d", ErrNoTarget, s.target.Path, st.key, n.Line)
			}
			var found *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Kind == yaml.ScalarNode && n.Content[i].Value == st.key {
					if found != nil {
						return fmt.Errorf("%w: path %q: duplicate key %q at line %d", ErrUnsafeEdit, s.target.Path, st.key, n.Content[i].Line)
					}
					found = n.Content[i+1]
				}
			}
			if found == nil {
				return fmt.Errorf("%w: path %q: no key %q at line %d", ErrNoTarget, s.target.Path, st.key, n.Line)
			}
			n = found
			lastKey = st.key
		}
	}
	if n.Kind == yaml.AliasNode {
		return fmt.Errorf("%w: path %q ends at alias *%s", ErrUnsafeEdit, s.target.Path, n.Value)
	}
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("%w: %w: path %q addresses a %s, not a scalar", ErrNoTarget, ErrInvalidTarget, s.target.Path, kindName(n.Kind))
	}
	where := "path " + s.target.Path
	if (lastKey == "newTag" || lastKey == "digest" || lastKey == "newName") && parent.Kind == yaml.MappingNode && isStringScalar(mapGet(parent, "name")) {
		if s.f.anchoredAbove(n) {
			return fmt.Errorf("%w: %s is under an anchor that an alias refers to", ErrUnsafeEdit, where)
		}
		if lastKey != "newName" {
			return s.kustomizeEntry(parent)
		}
	}
	switch lastKey {
	case "tag", "newTag":
		var digest *yaml.Node
		if parent.Kind == yaml.MappingNode {
			digest = mapGet(parent, "digest")
		}
		if digest != nil && s.f.anchoredAbove(digest) {
			return fmt.Errorf("%w: %s: digest key is under an aliased anchor", ErrUnsafeEdit, where)
		}
		return s.checkAliasThen(n, func() error { return s.setTagDigest(n, digest, where) })
	case "digest":
		if s.ref.Digest == "" {
			return fmt.Errorf("%w: %s needs a digest, %s has none", ErrInvalidTarget, where, s.ref)
		}
		return s.set(n, s.ref.Digest, false)
	case "repository", "newName":
		return s.set(n, s.ref.Name, false)
	}
	return s.set(n, s.ref.String(), false)
}

func (s *editSelector) checkAliasThen(n *yaml.Node, fn func() error) error {
	if s.f.anchoredAbove(n) {
		return fmt.Errorf("%w: line %d column %d is under an anchor that an alias refers to", ErrUnsafeEdit, n.Line, n.Column)
	}
	return fn()
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "sequence"
	case yaml.AliasNode:
		return "alias"
	case yaml.DocumentNode:
		return "document"
	}
	return "scalar"
}

// setterMarker parses a Flux setter comment `# {"$imagepolicy": "ns:name[:field]"}`.
func setterMarker(comment string) (policy, field string, ok bool) {
	c := strings.TrimSpace(comment)
	if !strings.HasPrefix(c, "#") || strings.Contains(c, "\n") {
		return "", "", false
	}
	c = strings.TrimSpace(strings.TrimPrefix(c, "#"))
	if !strings.HasPrefix(c, "{") || !strings.Contains(c, "$imagepolicy") {
		return "", "", false
	}
	var m map[string]any
	if json.Unmarshal([]byte(c), &m) != nil {
		return "", "", false
	}
	v, _ := m["$imagepolicy"].(string)
	parts := strings.Split(v, ":")
	switch len(parts) {
	case 2:
		return parts[0] + ":" + parts[1], "", true
	case 3:
		return parts[0] + ":" + parts[1], parts[2], true
	}
	return "", "", false
}

func (s *editSelector) selectPolicy() error {
	ns, name, ok := strings.Cut(s.target.Policy, ":")
	if !ok || ns == "" || name == "" || strings.Contains(name, ":") {
		return fmt.Errorf("%w: policy %q is not namespace:name", ErrInvalidTarget, s.target.Policy)
	}
	type marked struct {
		n     *yaml.Node
		field string
	}
	var found []marked
	hasDigest := false
	var walk func(n *yaml.Node, isKey bool)
	walk = func(n *yaml.Node, isKey bool) {
		if n.Kind == yaml.ScalarNode && !isKey && n.LineComment != "" {
			if pol, field, ok := setterMarker(n.LineComment); ok && pol == s.target.Policy {
				found = append(found, marked{n, field})
				hasDigest = hasDigest || field == "digest"
			}
		}
		if n.Kind == yaml.AliasNode {
			return
		}
		for i, c := range n.Content {
			walk(c, n.Kind == yaml.MappingNode && i%2 == 0)
		}
	}
	for _, d := range s.f.docs {
		walk(d, false)
	}
	ref := s.ref
	for _, m := range found {
		where := fmt.Sprintf("setter %s at line %d", s.target.Policy, m.n.Line)
		var v string
		switch m.field {
		case "":
			v = ref.String()
		case "name":
			v = ref.Name
		case "tag":
			switch {
			case ref.Tag == "":
				return fmt.Errorf("%w: %s needs a tag, %s has none", ErrInvalidTarget, where, ref)
			case ref.Digest != "" && !hasDigest:
				v = ref.Tag + "@" + ref.Digest
			default:
				v = ref.Tag
			}
		case "digest":
			if ref.Digest == "" {
				return fmt.Errorf("%w: %s needs a digest, %s has none", ErrInvalidTarget, where, ref)
			}
			v = ref.Digest
		default:
			return fmt.Errorf("%w: %s has unknown field %q", ErrInvalidTarget, where, m.field)
		}
		if err := s.set(m.n, v, false); err != nil {
			return err
		}
	}
	return nil
}
