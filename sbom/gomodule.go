package sbom

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
)

// More property names written by FromGoModule.
const (
	// PropGoToolchain is the toolchain directive of a go.mod ("go1.22.3").
	PropGoToolchain = "chaingate:go:toolchain"
	// PropGoModuleSource says how FromGoModule found the build list:
	// "go-command" (go list -m all and go mod graph) or "go.mod" (go.mod
	// and go.sum read without the go command).
	PropGoModuleSource = "chaingate:go:module-source"
)

// Format names of generator inputs, used in *ParseError.
const (
	formatGoMod   Format = "go.mod"
	formatGoSum   Format = "go.sum"
	formatNPMLock Format = "npm-package-lock"
)

// FromGoModule returns the SBOM of the Go module in dir (the directory
// holding its go.mod): the main module as the root (type application) and
// every module of its build list as a library with a pkg:golang purl, the
// go.sum "h1:" hash as a SHA-256 Hash and PropGoH1, and replacements
// recorded as FromGoBuildInfo records them. PropGoDirect says whether
// go.mod requires a module directly.
//
// When the go command is present (see WithGoCommand, WithoutGoCommand),
// the build list is the one `go list -m all` gives and the dependency
// edges are those of `go mod graph`, each mapped to the selected version.
// Each module component then lists in PropGoPackages the packages of the
// build that the main module's packages import (`go list -deps ./...`,
// test files excluded; empty for a module of the build list nothing
// imports), the root its own packages, and the root and the document
// record the platform they were listed for as the build settings GOOS
// and GOARCH (the go
// command's, from the environment: set GOOS and GOARCH to list another
// platform's), so risk.Scan gives Go findings package-level evidence.
// That needs the dependencies' sources in the module cache (go mod
// download); without them no packages are recorded and
// Document.Limitations says so.
// The go command runs offline (GOPROXY=off, GOWORK=off,
// GOTOOLCHAIN=local) on a temporary copy of go.mod and go.sum, so it never
// modifies dir and never reaches the network; it needs the go.mod files
// of the module graph in the module cache. When it is absent or fails,
// FromGoModule falls back to reading go.mod and go.sum with
// golang.org/x/mod/modfile and says in Document.Limitations what that
// cannot know (the module graph, and for go.mod files older than go 1.17,
// modules required only indirectly).
//
// The standard library is not a component: a module does not fix the
// toolchain it is built with (its go and toolchain lines are the root's
// PropGoVersion and PropGoToolchain). Use FromGoBinary for what a build
// really linked.
func FromGoModule(ctx context.Context, dir string, opts ...GenerateOption) (*Document, error) {
	cfg, err := newGenerateConfig(opts)
	if err != nil {
		return nil, err
	}
	modPath := filepath.Join(dir, "go.mod")
	modData, err := readFileLimited(modPath, cfg.limit)
	if err != nil {
		return nil, err
	}
	sumData, err := readFileLimited(filepath.Join(dir, "go.sum"), cfg.limit)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	mf, sums, err := parseGoModSum(modPath, modData, sumData)
	if err != nil {
		return nil, err
	}
	var reason string
	if cfg.noGoCmd {
		reason = "the go command was not used (WithoutGoCommand)"
	} else {
		doc, err := goModuleWithCommand(ctx, cfg, dir, modData, sumData, mf, sums)
		if err == nil {
			return doc, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("sbom: go module %s: %w", dir, ctx.Err())
		}
		reason = err.Error()
	}
	return goModuleFromFiles(cfg, mf, sums, reason), nil
}

// readFileLimited reads a file of at most limit bytes.
func readFileLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sbom: read %s: %w", path, err)
	}
	defer f.Close()
	return readAllLimited(f, limit, path)
}

// readAllLimited reads r to its end, failing with ErrTooLarge past limit
// bytes. A reader that knows its length (bytes.Reader, strings.Reader,
// *os.File) is read into one allocation of that size.
func readAllLimited(r io.Reader, limit int64, what string) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("sbom: read %s: nil reader", what)
	}
	size := int64(-1)
	switch v := r.(type) {
	case interface{ Len() int }:
		size = int64(v.Len())
	case *os.File:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	if size > limit {
		return nil, fmt.Errorf("sbom: read %s: %d bytes, limit %d: %w", what, size, limit, ErrTooLarge)
	}
	var buf bytes.Buffer
	if size >= 0 {
		buf.Grow(int(size) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(r, limit+1)); err != nil {
		return nil, fmt.Errorf("sbom: read %s: %w", what, err)
	}
	if int64(buf.Len()) > limit {
		return nil, fmt.Errorf("sbom: read %s: more than %d bytes: %w", what, limit, ErrTooLarge)
	}
	return buf.Bytes(), nil
}

// goSum maps "path@version" to its go.sum hashes.
type goSum map[string]goSumEntry

type goSumEntry struct{ zip, mod string }

// parseGoModSum parses go.mod (with modfile.Parse, strict) and go.sum.
// go.sum is parsed by hand: golang.org/x/mod exports no go.sum parser
// (the go command's is internal), and its format is one
// "path version[/go.mod] hash" triple a line.
func parseGoModSum(name string, modData, sumData []byte) (*modfile.File, goSum, error) {
	mf, err := modfile.Parse(name, modData, nil)
	if err != nil {
		pe := &ParseError{Format: formatGoMod, Offset: -1, Err: err}
		var list modfile.ErrorList
		var one *modfile.Error
		if errors.As(err, &list) && len(list) > 0 {
			pe.Line, pe.Col, pe.Offset = list[0].Pos.Line, list[0].Pos.LineRune, int64(list[0].Pos.Byte)
		} else if errors.As(err, &one) {
			pe.Line, pe.Col, pe.Offset = one.Pos.Line, one.Pos.LineRune, int64(one.Pos.Byte)
		}
		return nil, nil, pe
	}
	if mf.Module == nil || mf.Module.Mod.Path == "" {
		return nil, nil, &ParseError{Format: formatGoMod, Offset: -1, Err: fmt.Errorf("%s: no module directive", name)}
	}
	sums := goSum{}
	line := 0
	for raw := range bytes.Lines(sumData) {
		line++
		f := strings.Fields(string(raw))
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return nil, nil, &ParseError{Format: formatGoSum, Line: line, Col: 1, Offset: -1,
				Err: fmt.Errorf("want \"path version hash\", got %d fields", len(f))}
		}
		path, version, hash := f[0], f[1], f[2]
		v, isMod := strings.CutSuffix(version, "/go.mod")
		if !semver.IsValid(v) || !strings.Contains(hash, ":") {
			return nil, nil, &ParseError{Format: formatGoSum, Line: line, Col: 1, Offset: -1,
				Err: fmt.Errorf("malformed entry for %s %s", path, version)}
		}
		e := sums[path+"@"+v]
		if isMod {
			e.mod = hash
		} else {
			e.zip = hash
		}
		sums[path+"@"+v] = e
	}
	return mf, sums, nil
}

// goModRoot returns the root component of a module.
func goModRoot(mf *modfile.File, source string) Component {
	p := mf.Module.Mod.Path
	root := Component{Type: TypeApplication, Name: p, PURL: GoPURL(p, ""),
		Properties: []Property{{PropGoModuleSource, source}}}
	if mf.Go != nil {
		root.Properties = append(root.Properties, Property{PropGoVersion, mf.Go.Version})
	}
	if mf.Toolchain != nil {
		root.Properties = append(root.Properties, Property{PropGoToolchain, mf.Toolchain.Name})
	}
	return root
}

// goModDirect returns the set of module paths go.mod requires
// directly (true) or with an "// indirect" comment (false).
func goModDirect(mf *modfile.File) map[string]bool {
	m := make(map[string]bool, len(mf.Require))
	for _, r := range mf.Require {
		m[r.Mod.Path] = m[r.Mod.Path] || !r.Indirect
	}
	return m
}

// goModComponent builds a dependency component and marks it direct or
// indirect.
func goModComponent(path, version string, rep *debug.Module, sums goSum, direct map[string]bool) Component {
	sum := sums[path+"@"+version]
	c := goModuleComponent(path, version, sum.zip, rep)
	if rep == nil && sum.mod != "" {
		c.Properties = append(c.Properties, Property{PropGoModH1, sum.mod})
	}
	d := "false"
	if direct[path] {
		d = "true"
	}
	c.Properties = append(c.Properties, Property{PropGoDirect, d})
	return c
}

// goModuleFromFiles builds the SBOM from go.mod and go.sum alone.
func goModuleFromFiles(cfg *generateConfig, mf *modfile.File, sums goSum, reason string) *Document {
	doc := cfg.newDocument(mf.Module.Mod.Path)
	ids := idCounter{}
	root := goModRoot(mf, "go.mod")
	root.ID = ids.unique(root.PURL)
	doc.Root = root.ID
	doc.Components = append(doc.Components, root)
	direct := goModDirect(mf)
	var deps []string
	seen := map[string]bool{}
	for _, r := range mf.Require {
		key := r.Mod.Path + "@" + r.Mod.Version
		if seen[key] {
			continue
		}
		seen[key] = true
		var rep *debug.Module
		if nr := findReplace(mf, r.Mod.Path, r.Mod.Version); nr != nil {
			rep = &debug.Module{Path: nr.New.Path, Version: nr.New.Version, Sum: sums[nr.New.Path+"@"+nr.New.Version].zip}
		}
		c := goModComponent(r.Mod.Path, r.Mod.Version, rep, sums, direct)
		c.ID = ids.unique(c.PURL)
		doc.Components = append(doc.Components, c)
		deps = append(deps, c.ID)
	}
	if len(deps) > 0 {
		doc.Dependencies = []Dependency{{Ref: root.ID, DependsOn: deps}}
	}
	doc.Properties = append(doc.Properties, Property{PropGoModuleSource, "go.mod"})
	doc.Limitations = append(doc.Limitations,
		"built from go.mod and go.sum without the go command ("+reason+"): the module graph is unknown, so every required module is recorded as a dependency of the main module, and modules of the full build list that go.mod does not name (needed only by other modules' tests or by pruned parts of the graph) are missing")
	if mf.Go == nil || semver.Compare("v"+mf.Go.Version, "v1.17") < 0 {
		doc.Limitations = append(doc.Limitations,
			"go.mod declares a go version before 1.17, so it does not list every module the build needs: indirectly required modules are missing")
	}
	var noHash []string
	for _, c := range doc.Components[1:] {
		if len(c.Hashes) == 0 {
			if _, local := c.Property(PropGoReplacedByDir); !local {
				noHash = append(noHash, c.Name+"@"+c.Version)
			}
		}
	}
	if len(noHash) > 0 {
		doc.Limitations = append(doc.Limitations, fmt.Sprintf(
			"go.sum has no hash for %d required module(s): %s", len(noHash), truncList(noHash, 10)))
	}
	return doc
}

func truncList(s []string, n int) string {
	if len(s) <= n {
		return strings.Join(s, ", ")
	}
	return strings.Join(s[:n], ", ") + fmt.Sprintf(" and %d more", len(s)-n)
}

// findReplace returns the replacement go.mod applies to path@version:
// a replace naming the version wins over one for every version.
func findReplace(mf *modfile.File, path, version string) *modfile.Replace {
	var any *modfile.Replace
	for _, r := range mf.Replace {
		if r.Old.Path != path {
			continue
		}
		if r.Old.Version == version {
			return r
		}
		if r.Old.Version == "" {
			any = r
		}
	}
	return any
}

// goListModule is one module of `go list -m -json` output.
type goListModule struct {
	Path     string
	Version  string
	Main     bool
	Indirect bool
	Sum      string
	GoModSum string
	Replace  *goListModule
}

// goModuleWithCommand builds the SBOM with the go command.
func goModuleWithCommand(ctx context.Context, cfg *generateConfig, dir string, modData, sumData []byte,
	mf *modfile.File, sums goSum) (*Document, error) {
	tmp, err := os.MkdirTemp("", "chaingate-gomod-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := os.WriteFile(filepath.Join(tmp, "go.mod"), modData, 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp, "go.sum"), sumData, 0o600); err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"GOFLAGS=-mod=mod -modfile="+filepath.Join(tmp, "go.mod"),
		"GOPROXY=off", "GOSUMDB=off", "GOWORK=off", "GOTOOLCHAIN=local")
	run := func(args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, cfg.goCmd, args...)
		cmd.Dir = dir
		cmd.Env = env
		out := &limitedBuffer{limit: cfg.limit}
		stderr := &limitedBuffer{limit: 64 << 10}
		cmd.Stdout = out
		cmd.Stderr = stderr
		if err := cmd.Run(); err != nil {
			// The first line that is not progress ("go: downloading m v1").
			msg := ""
			for l := range strings.Lines(stderr.buf.String()) {
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "go: downloading ") {
					msg = l
					break
				}
			}
			if msg != "" {
				return nil, fmt.Errorf("%s %s failed: %v: %s", cfg.goCmd, strings.Join(args, " "), err, msg)
			}
			return nil, fmt.Errorf("%s %s failed: %v", cfg.goCmd, strings.Join(args, " "), err)
		}
		if out.over {
			return nil, fmt.Errorf("%s %s: output of more than %d bytes: %w", cfg.goCmd, strings.Join(args, " "), cfg.limit, ErrTooLarge)
		}
		return out.buf.Bytes(), nil
	}
	// go mod graph fails when a go.mod of the graph cannot be loaded;
	// go list -m -e all would instead return a silently shorter list.
	graph, err := run("mod", "graph")
	if err != nil {
		return nil, err
	}
	listing, err := run("list", "-m", "-e", "-json", "all")
	if err != nil {
		return nil, err
	}
	var mods []goListModule
	dec := json.NewDecoder(bytes.NewReader(listing))
	for {
		var m goListModule
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list -m -json all: %w", err)
		}
		mods = append(mods, m)
	}
	if len(mods) == 0 || !mods[0].Main {
		return nil, errors.New("go list -m -json all: no main module")
	}

	doc := cfg.newDocument(mf.Module.Mod.Path)
	ids := idCounter{}
	root := goModRoot(mf, "go-command")
	root.ID = ids.unique(root.PURL)
	doc.Root = root.ID
	doc.Components = append(doc.Components, root)
	direct := goModDirect(mf)
	selected := map[string]string{} // path -> selected version
	idOf := map[string]string{}     // path -> component ID
	for _, m := range mods[1:] {
		if m.Main || m.Path == "" {
			continue
		}
		var rep *debug.Module
		if m.Replace != nil {
			rs := m.Replace.Sum
			if rs == "" {
				rs = sums[m.Replace.Path+"@"+m.Replace.Version].zip
			}
			rep = &debug.Module{Path: m.Replace.Path, Version: m.Replace.Version, Sum: rs}
		} else if m.Sum != "" || m.GoModSum != "" {
			e := sums[m.Path+"@"+m.Version]
			if e.zip == "" {
				e.zip = m.Sum
			}
			if e.mod == "" {
				e.mod = m.GoModSum
			}
			sums[m.Path+"@"+m.Version] = e
		}
		c := goModComponent(m.Path, m.Version, rep, sums, direct)
		c.ID = ids.unique(c.PURL)
		selected[m.Path] = m.Version
		idOf[m.Path] = c.ID
		doc.Components = append(doc.Components, c)
	}

	edges := map[string][]string{}
	mainPath := mods[0].Path
	sc := bufio.NewScanner(bytes.NewReader(graph))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		from, to, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		var fromID string
		if from == mainPath {
			fromID = root.ID
		} else {
			p, v, _ := strings.Cut(from, "@")
			if selected[p] != v {
				continue // an edge of a version MVS did not select
			}
			fromID = idOf[p]
		}
		tp, _, _ := strings.Cut(to, "@")
		toID, ok := idOf[tp] // "go@..." and "toolchain@..." have none
		if !ok || fromID == "" || toID == fromID {
			continue
		}
		edges[fromID] = append(edges[fromID], toID)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("go mod graph: %w", err)
	}
	for _, c := range doc.Components {
		if to := edges[c.ID]; len(to) > 0 {
			slices.Sort(to)
			doc.Dependencies = append(doc.Dependencies, Dependency{Ref: c.ID, DependsOn: slices.Compact(to)})
		}
	}
	if err := goModulePackages(run, doc, mainPath, idOf); err != nil {
		doc.Limitations = append(doc.Limitations,
			"the packages in the build are not recorded (a scan gives module-level evidence only): "+err.Error())
	}
	doc.Properties = append(doc.Properties, Property{PropGoModuleSource, "go-command"})
	return doc, nil
}

// goListDepsFormat prints, for each package of the build that is not
// in the standard library, its import path and its module's path.
const goListDepsFormat = "{{if not .Standard}}{{.ImportPath}} {{with .Module}}{{.Path}}{{end}}{{end}}"

// goModulePackages records on each module component the packages of
// the build that the main module's packages import (go list -deps
// ./...), on the root the main module's own, and on the root and the
// document the platform they were listed for (PropGoBuildPrefix GOOS and GOARCH: the
// go command's, from the environment). A module of the build list none of
// whose packages is imported gets an empty list. Any error of go list
// (sources missing from the module cache, a package that does not load)
// records nothing: a partial list would call imported code absent.
func goModulePackages(run func(...string) ([]byte, error), doc *Document, mainPath string, idOf map[string]string) error {
	plat, err := run("env", "GOOS", "GOARCH")
	if err != nil {
		return err
	}
	pf := strings.Fields(string(plat))
	if len(pf) != 2 {
		return fmt.Errorf("go env GOOS GOARCH: unexpected output %q", plat)
	}
	out, err := run("list", "-deps", "-f", goListDepsFormat, "./...")
	if err != nil {
		return fmt.Errorf("%w (the module's dependencies must be in the module cache: go mod download)", err)
	}
	byModule := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		t := strings.TrimSpace(sc.Text())
		if t == "" {
			continue // a standard-library package
		}
		pkg, mod, ok := strings.Cut(t, " ")
		if !ok || pkg == "" || mod == "" {
			return fmt.Errorf("go list -deps: line %d: package %q without a module", line, t)
		}
		byModule[mod] = append(byModule[mod], pkg)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("go list -deps: %w", err)
	}
	pathOf := make(map[string]string, len(idOf)) // component ID -> module path
	for p, id := range idOf {
		pathOf[id] = p
	}
	for i := range doc.Components {
		c := &doc.Components[i]
		var ps []string
		if c.ID == doc.Root {
			// On the root and the document, as FromGoBuildInfo records
			// a binary's (risk.Scan reads the document's).
			plat := []Property{{PropGoBuildPrefix + "GOOS", pf[0]}, {PropGoBuildPrefix + "GOARCH", pf[1]}}
			c.Properties = append(c.Properties, plat...)
			doc.Properties = append(doc.Properties, plat...)
			if ps = byModule[mainPath]; len(ps) == 0 {
				continue
			}
		} else if path, ok := pathOf[c.ID]; ok {
			ps = byModule[path]
		} else {
			continue
		}
		slices.Sort(ps)
		c.Properties = append(c.Properties, Property{PropGoPackages, strings.Join(slices.Compact(ps), ",")})
	}
	return nil
}

// limitedBuffer is an io.Writer that keeps at most limit bytes and
// notes that more arrived.
type limitedBuffer struct {
	buf   bytes.Buffer
	limit int64
	over  bool
}

// Write buffers p up to the limit and fails past it.
func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - int64(b.buf.Len()); int64(len(p)) > room {
		b.over = true
		if room > 0 {
			b.buf.Write(p[:room])
		}
		return len(p), nil
	}
	return b.buf.Write(p)
}
