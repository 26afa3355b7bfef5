package policy

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown"
	"go.yaml.in/yaml/v3"
)

// Limits on what New reads.
const (
	// MaxPolicyFileBytes is the largest Rego, JSON or YAML file New reads.
	MaxPolicyFileBytes = 8 << 20
	// MaxPolicyFiles is the most files New reads from one source.
	MaxPolicyFiles = 10000
)

// MaxTraceBytes bounds Decision.Trace from Explain.
const MaxTraceBytes = 4 << 20

// DefaultNamespace is the Rego package queried when WithNamespaces is not
// given, as in conftest.
const DefaultNamespace = "main"

// Engine evaluates a fixed set of Rego policies. New loads, compiles and
// prepares them once; Decide only evaluates. An Engine is immutable and
// safe for concurrent use by many goroutines.
type Engine struct {
	cfg      *config
	query    string
	pq       rego.PreparedEvalQuery
	rules    []policyRule
	allows   []int // indexes into rules of allow rules
	info     PolicyInfo
	modules  map[string]*ast.Module
	data     map[string]any
	compiler *ast.Compiler
}

// policyRule is one rule the decision query reads.
type policyRule struct {
	ns, name string
	kind     string // "deny", "warn", "exception", "allow"
	keyed    bool   // some definition has a key below the name (an object document)
	suffix   string // "kev" for deny_kev
	binding  string
	code     string
	severity string
	title    string
	desc     string
	meta     map[string]any
	loc      *Location
	paths    []string
	spans    []policySpan // where the rule's definitions are
}

// policySpan is a file's row range.
type policySpan struct {
	file     string
	from, to int
}

// config is what the options set.
type config struct {
	sources       []policySource
	data          []policyDataItem
	namespaces    []string
	revision      string
	maxInputBytes int64
	netHosts      []string
	net           bool
	allowBuiltins []string
	builtins      []Builtin
	verification  *bundle.VerificationConfig
	library       []string
	libraryOn     bool
	allNamespaces bool
}

type policyFile struct {
	name string
	src  []byte
}

type policyDataItem struct {
	origin string
	value  map[string]any
}

// policyLoaded is what the sources produced.
type policyLoaded struct {
	files    []policyFile
	modules  map[string]*ast.Module
	data     []policyDataItem
	revision string
	v0       []string // modules read with Rego v0 syntax (see addModule)
}

type policySource func(ctx context.Context, cfg *config, l *policyLoaded) error

// Option configures New. Options are checked together when New runs.
type Option func(*config) error

// FromDir loads the Rego modules (*.rego, except *_test.rego) under dir,
// recursively, and the data files named data.json, data.yaml or data.yml,
// each at the data path of its directory (OPA's convention). dir may also
// name a single .rego file. Modules are Rego v1; a classic conftest module
// in v0 syntax (`deny[msg] { ... }`) is read as v0 and named in
// PolicyInfo.RegoV0Modules.
func FromDir(dir string) Option {
	return func(c *config) error {
		if dir == "" {
			return errors.New("FromDir: empty path")
		}
		c.sources = append(c.sources, func(ctx context.Context, _ *config, l *policyLoaded) error {
			st, err := os.Stat(dir)
			if err != nil {
				return fmt.Errorf("policy: load %s: %w: %w", dir, ErrLoad, err)
			}
			if !st.IsDir() {
				if !strings.HasSuffix(dir, ".rego") {
					return fmt.Errorf("policy: load %s: %w: not a directory or a .rego file", dir, ErrLoad)
				}
				b, err := policyReadFile(os.DirFS(filepath.Dir(dir)), filepath.Base(dir))
				if err != nil {
					return fmt.Errorf("policy: load %s: %w: %w", dir, ErrLoad, err)
				}
				return l.addModule(filepath.ToSlash(dir), b)
			}
			return policyLoadFS(ctx, os.DirFS(dir), ".", filepath.ToSlash(dir), l)
		})
		return nil
	}
}

// FromFS loads like FromDir from dir inside fsys (use "." for its root), so
// policies can be embedded with //go:embed.
func FromFS(fsys fs.FS, dir string) Option {
	return func(c *config) error {
		if fsys == nil {
			return errors.New("FromFS: nil fs.FS")
		}
		if dir == "" {
			dir = "."
		}
		c.sources = append(c.sources, func(ctx context.Context, _ *config, l *policyLoaded) error {
			return policyLoadFS(ctx, fsys, dir, "", l)
		})
		return nil
	}
}

// FromModule adds one Rego module from memory; name is its file name in
// errors and locations.
func FromModule(name, source string) Option {
	return func(c *config) error {
		if name == "" {
			return errors.New("FromModule: empty name")
		}
		c.sources = append(c.sources, func(_ context.Context, _ *config, l *policyLoaded) error {
			return l.addModule(name, []byte(source))
		})
		return nil
	}
}

// FromBundle loads an OPA bundle: a directory or a .tar.gz file. A signed
// bundle (one with .signatures.json) is verified with the key given by
// WithBundleKey or WithBundleVerification, and refused when none was given;
// an unsigned bundle is refused when a key was given. The bundle's
// manifest revision becomes the Decision's Policy.Revision.
func FromBundle(path string) Option {
	return func(c *config) error {
		if path == "" {
			return errors.New("FromBundle: empty path")
		}
		c.sources = append(c.sources, func(_ context.Context, cfg *config, l *policyLoaded) error {
			return policyLoadBundle(path, cfg.verification, l)
		})
		return nil
	}
}

// WithBundleKey sets the public key that signed bundles must verify with:
// keyID as named in the bundle's signature, key a PEM public key (or an
// HMAC secret), algorithm e.g. "RS256", "ES256", "HS256" (empty: RS256).
func WithBundleKey(keyID, key, algorithm string) Option {
	return func(c *config) error {
		if keyID == "" || key == "" {
			return errors.New("WithBundleKey: empty key ID or key")
		}
		if algorithm == "" {
			algorithm = "RS256"
		}
		kc := &bundle.KeyConfig{Key: key, Algorithm: algorithm}
		c.verification = bundle.NewVerificationConfig(map[string]*bundle.KeyConfig{keyID: kc}, keyID, "", nil)
		return nil
	}
}

// WithBundleVerification sets OPA's full bundle verification configuration.
func WithBundleVerification(vc *bundle.VerificationConfig) Option {
	return func(c *config) error {
		if vc == nil {
			return errors.New("WithBundleVerification: nil config")
		}
		c.verification = vc
		return nil
	}
}

// WithData merges value into the policies' data document at its root
// (for example {"chaingate": {"config": {...}}} to configure the library).
// Conflicting leaves are an error.
func WithData(value map[string]any) Option {
	return func(c *config) error {
		c.data = append(c.data, policyDataItem{origin: "WithData", value: value})
		return nil
	}
}

// WithDataFile merges a JSON or YAML file (by extension: .json, .yaml,
// .yml) into the data document at its root.
func WithDataFile(file string) Option {
	return func(c *config) error {
		c.sources = append(c.sources, func(_ context.Context, _ *config, l *policyLoaded) error {
			b, err := policyReadFile(os.DirFS(filepath.Dir(file)), filepath.Base(file))
			if err != nil {
				return fmt.Errorf("policy: data file %s: %w: %w", file, ErrLoad, err)
			}
			v, err := policyDecodeData(file, b)
			if err != nil {
				return err
			}
			l.files = append(l.files, policyFile{name: "data:" + file, src: b})
			l.data = append(l.data, policyDataItem{origin: file, value: v})
			return nil
		})
		return nil
	}
}

// WithNamespaces sets the Rego packages to query (without "data."),
// replacing the default "main". The library's namespaces are added by
// WithLibrary on their own. New refuses it together with
// WithAllNamespaces.
func WithNamespaces(namespaces ...string) Option {
	return func(c *config) error {
		for _, ns := range namespaces {
			if ns == "" || strings.HasPrefix(ns, "data.") {
				return fmt.Errorf("WithNamespaces: %q: give the package path without \"data.\"", ns)
			}
		}
		c.namespaces = append(c.namespaces, namespaces...)
		return nil
	}
}

// WithAllNamespaces queries every package that has decision rules, like
// conftest's --all-namespaces (the library's packages only with
// WithLibrary). New refuses it together with WithNamespaces.
func WithAllNamespaces() Option {
	return func(c *config) error { c.allNamespaces = true; return nil }
}

// WithRevision sets Policy.Revision (a bundle's manifest revision wins
// when unset).
func WithRevision(rev string) Option {
	return func(c *config) error { c.revision = rev; return nil }
}

// WithMaxInputBytes bounds the input's size (strings plus 8 bytes per
// value); a larger input is refused with ErrInputTooLarge. Default
// DefaultMaxInputBytes.
func WithMaxInputBytes(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("WithMaxInputBytes: %d is not positive", n)
		}
		c.maxInputBytes = n
		return nil
	}
}

// WithNetworkUnsafe re-enables http.send and net.lookup_ip_addr for the
// listed hosts only (OPA's allow_net). Without it, a policy that calls
// them fails to load. Decisions then depend on the network: use only when
// the hosts are under your control.
func WithNetworkUnsafe(hosts ...string) Option {
	return func(c *config) error {
		if len(hosts) == 0 {
			return errors.New("WithNetworkUnsafe: no hosts: list the hosts policies may reach")
		}
		c.net = true
		c.netHosts = append(c.netHosts, hosts...)
		return nil
	}
}

// WithBuiltinsUnsafe re-enables named builtins that the engine removes
// because they are not deterministic ("time.now_ns", "rand.intn",
// "uuid.rfc4122", "opa.runtime", ...). Network builtins need
// WithNetworkUnsafe instead.
func WithBuiltinsUnsafe(names ...string) Option {
	return func(c *config) error {
		for _, n := range names {
			if policyNetworkBuiltins[n] {
				return fmt.Errorf("WithBuiltinsUnsafe: %s reaches the network: use WithNetworkUnsafe", n)
			}
		}
		c.allowBuiltins = append(c.allowBuiltins, names...)
		return nil
	}
}

// WithBuiltin adds a custom function to this Engine only.
func WithBuiltin(b Builtin) Option {
	return func(c *config) error {
		if b.decl == nil || b.fn == nil {
			return errors.New("WithBuiltin: zero Builtin: use NewBuiltin")
		}
		c.builtins = append(c.builtins, b)
		return nil
	}
}

var (
	policyNetworkBuiltins = map[string]bool{"http.send": true, "net.lookup_ip_addr": true}
	// policyRemovedBuiltins are removed from the capabilities unless
	// allowed: the network ones, every builtin OPA marks as
	// non-deterministic, and a few that expose the host.
	policyRemovedBuiltins = func() map[string]bool {
		m := map[string]bool{"http.send": true, "net.lookup_ip_addr": true, "opa.runtime": true, "time.now_ns": true, "rand.intn": true, "uuid.rfc4122": true, "trace": false}
		for _, b := range ast.CapabilitiesForThisVersion().Builtins {
			if b.Nondeterministic {
				m[b.Name] = true
			}
		}
		delete(m, "trace")
		return m
	}()
)

func (l *policyLoaded) addModule(name string, src []byte) error {
	if len(src) > MaxPolicyFileBytes {
		return fmt.Errorf("policy: module %s: %w: larger than %d bytes", name, ErrLoad, MaxPolicyFileBytes)
	}
	if _, dup := l.modules[name]; dup {
		return fmt.Errorf("policy: module %s: %w: loaded twice", name, ErrLoad)
	}
	m, err := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
	if err != nil && policyV0Only(err) {
		// Classic conftest policies (`deny[msg] { ... }`) are Rego v0: a
		// module that fails v1 only for want of `if`/`contains` and parses
		// as v0 is read as v0, as `opa --v0-compatible` would, and listed
		// in PolicyInfo.RegoV0Modules. Any other syntax error stays fatal.
		if m0, err0 := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{RegoVersion: ast.RegoV0, ProcessAnnotation: true}); err0 == nil {
			m, err = m0, nil
			l.v0 = append(l.v0, name)
		}
	}
	if err != nil {
		return fmt.Errorf("policy: parse %s: %w: %w", name, ErrLoad, err)
	}
	l.modules[name] = m
	l.files = append(l.files, policyFile{name: name, src: src})
	return nil
}

// policyV0Only says whether a v1 parse error is one that only Rego v0
// syntax explains (rule bodies without `if`, partial sets without
// `contains`).
func policyV0Only(err error) bool {
	var errs ast.Errors
	if !errors.As(err, &errs) || len(errs) == 0 {
		return false
	}
	for _, e := range errs {
		if !strings.Contains(e.Message, "`if` keyword is required") && !strings.Contains(e.Message, "`contains` keyword is required") {
			return false
		}
	}
	return true
}

func policyReadFile(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxPolicyFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxPolicyFileBytes {
		return nil, fmt.Errorf("larger than %d bytes", MaxPolicyFileBytes)
	}
	return b, nil
}

// policyLoadFS walks dir in fsys; prefix is prepended to file names in
// messages and locations.
func policyLoadFS(ctx context.Context, fsys fs.FS, dir, prefix string, l *policyLoaded) error {
	n := 0
	return fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("policy: load %s: %w: %w", path.Join(prefix, p), ErrLoad, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		base := d.Name()
		isRego := strings.HasSuffix(base, ".rego") && !strings.HasSuffix(base, "_test.rego")
		isData := base == "data.json" || base == "data.yaml" || base == "data.yml"
		if !isRego && !isData {
			return nil
		}
		if n++; n > MaxPolicyFiles {
			return fmt.Errorf("policy: load %s: %w: more than %d files", path.Join(prefix, dir), ErrLoad, MaxPolicyFiles)
		}
		name := path.Join(prefix, p)
		b, err := policyReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("policy: load %s: %w: %w", name, ErrLoad, err)
		}
		if isRego {
			return l.addModule(name, b)
		}
		v, err := policyDecodeData(name, b)
		if err != nil {
			return err
		}
		rel, _ := strings.CutPrefix(path.Dir(p), strings.TrimSuffix(dir, "/"))
		for _, seg := range slices.Backward(strings.FieldsFunc(rel, func(r rune) bool { return r == '/' || r == '.' && rel == "." })) {
			v = map[string]any{seg: v}
		}
		l.files = append(l.files, policyFile{name: "data:" + name, src: b})
		l.data = append(l.data, policyDataItem{origin: name, value: v})
		return nil
	})
}

func policyDecodeData(name string, b []byte) (map[string]any, error) {
	var v any
	switch strings.ToLower(path.Ext(name)) {
	case ".json":
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("policy: data %s: %w: %w", name, ErrLoad, err)
		}
	case ".yaml", ".yml":
		if err := yaml.Unmarshal(b, &v); err != nil {
			return nil, fmt.Errorf("policy: data %s: %w: %w", name, ErrLoad, err)
		}
		var err error
		if v, err = policyYAMLToJSON(v); err != nil {
			return nil, fmt.Errorf("policy: data %s: %w: %w", name, ErrLoad, err)
		}
	default:
		return nil, fmt.Errorf("policy: data %s: %w: not .json, .yaml or .yml", name, ErrLoad)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("policy: data %s: %w: top level is not an object", name, ErrLoad)
	}
	return m, nil
}

// policyYAMLToJSON makes YAML values JSON-like (string keys only, times as
// strings).
func policyYAMLToJSON(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			n, err := policyYAMLToJSON(e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			x[k] = n
		}
		return x, nil
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("key %v is not a string", k)
			}
			n, err := policyYAMLToJSON(e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", ks, err)
			}
			m[ks] = n
		}
		return m, nil
	case []any:
		for i, e := range x {
			n, err := policyYAMLToJSON(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			x[i] = n
		}
		return x, nil
	case fmt.Stringer:
		return x.String(), nil
	default:
		return x, nil
	}
}

// MaxBundleBytes bounds the total uncompressed size of a bundle.
const MaxBundleBytes = 10 * MaxPolicyFileBytes

func policyLoadBundle(p string, vc *bundle.VerificationConfig, l *policyLoaded) error {
	st, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("policy: bundle %s: %w: %w", p, ErrLoad, err)
	}
	var dl bundle.DirectoryLoader
	if st.IsDir() {
		dl, _, err = loader.GetBundleDirectoryLoader(p)
		if err != nil {
			return fmt.Errorf("policy: bundle %s: %w: %w", p, ErrLoad, err)
		}
	} else {
		if err := policyCheckTarball(p); err != nil {
			return fmt.Errorf("policy: bundle %s: %w: %w", p, ErrLoad, err)
		}
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("policy: bundle %s: %w: %w", p, ErrLoad, err)
		}
		defer f.Close()
		dl = bundle.NewTarballLoaderWithBaseURL(f, p)
	}
	br := bundle.NewCustomReader(dl.WithSizeLimitBytes(MaxPolicyFileBytes)).
		WithBundleVerificationConfig(vc).
		WithProcessAnnotations(true).
		WithRegoVersion(ast.RegoV1).
		WithBundleName(p)
	if st.IsDir() {
		br = br.WithBaseDir(p)
	}
	b, err := br.Read()
	if err != nil {
		msg := err.Error()
		if strings.Contains(msg, "signature") || strings.Contains(msg, "verification") || strings.Contains(msg, "verify") {
			return fmt.Errorf("policy: bundle %s: %w: %w", p, ErrBundleSignature, err)
		}
		return fmt.Errorf("policy: bundle %s: %w: %w", p, ErrLoad, err)
	}
	for _, mf := range b.Modules {
		if strings.HasSuffix(mf.Path, "_test.rego") {
			continue
		}
		if _, dup := l.modules[mf.Path]; dup {
			return fmt.Errorf("policy: bundle %s: module %s: %w: loaded twice", p, mf.Path, ErrLoad)
		}
		l.modules[mf.Path] = mf.Parsed
		l.files = append(l.files, policyFile{name: mf.Path, src: mf.Raw})
	}
	if len(b.Data) > 0 {
		data := b.Data
		delete(data, "system") // OPA writes the manifest under data.system.bundles
		raw, _ := json.Marshal(data)
		l.files = append(l.files, policyFile{name: "data:" + p, src: raw})
		l.data = append(l.data, policyDataItem{origin: p, value: data})
	}
	if b.Manifest.Revision != "" && l.revision == "" {
		l.revision = b.Manifest.Revision
	}
	return nil
}

// policyCheckTarball reads a .tar.gz bundle once, without keeping it, to
// refuse archives that would decompress beyond MaxBundleBytes or hold more
// than MaxPolicyFiles entries before OPA reads them.
func policyCheckTarball(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("not a gzip file: %w", err)
	}
	defer zr.Close()
	tr := tar.NewReader(io.LimitReader(zr, MaxBundleBytes+1<<20))
	var total int64
	for n := 0; ; n++ {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("tar entry %d: %w", n, err)
		}
		if n >= MaxPolicyFiles {
			return fmt.Errorf("more than %d files", MaxPolicyFiles)
		}
		if hdr.Size > MaxPolicyFileBytes {
			return fmt.Errorf("%s: %d bytes, more than %d", hdr.Name, hdr.Size, MaxPolicyFileBytes)
		}
		if total += hdr.Size; total > MaxBundleBytes {
			return fmt.Errorf("more than %d bytes uncompressed", MaxBundleBytes)
		}
	}
}

// policyMerge deep-merges src into dst; a leaf present in both is an error.
func policyMerge(dst, src map[string]any, at string) error {
	for k, v := range src {
		p := k
		if at != "" {
			p = at + "." + k
		}
		old, ok := dst[k]
		if !ok {
			dst[k] = v
			continue
		}
		om, ok1 := old.(map[string]any)
		nm, ok2 := v.(map[string]any)
		if !ok1 || !ok2 {
			return fmt.Errorf("data.%s is set twice", p)
		}
		cp := make(map[string]any, len(om))
		for k2, v2 := range om {
			cp[k2] = v2
		}
		if err := policyMerge(cp, nm, p); err != nil {
			return err
		}
		dst[k] = cp
	}
	return nil
}

var policyRuleName = regexp.MustCompile(`^(deny|violation|warn)(?:_([A-Za-z0-9_]+))?$`)

// New loads, compiles and prepares the policies. It fails with an error
// wrapping ErrLoad, ErrForbiddenBuiltin, ErrBundleSignature or ErrNoRules
// when they cannot be used.
func New(ctx context.Context, opts ...Option) (*Engine, error) {
	cfg := &config{maxInputBytes: DefaultMaxInputBytes}
	var errs []error
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(cfg); err != nil {
			errs = append(errs, fmt.Errorf("policy: option %w: %w", err, ErrInvalidOption))
		}
	}
	if cfg.allNamespaces && len(cfg.namespaces) > 0 {
		// Either would silently override the other.
		errs = append(errs, fmt.Errorf("policy: option WithAllNamespaces conflicts with WithNamespaces(%s): give one: %w", strings.Join(cfg.namespaces, ", "), ErrInvalidOption))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	l := &policyLoaded{modules: map[string]*ast.Module{}}
	for _, src := range cfg.sources {
		if err := src(ctx, cfg, l); err != nil {
			return nil, err
		}
	}
	if len(l.modules) == 0 {
		return nil, fmt.Errorf("policy: %w: no Rego modules loaded (use FromDir, FromFS, FromModule, FromBundle or WithLibrary)", ErrLoad)
	}
	// Copy the caller's Go values (JSON round trip): the engine must not
	// change when the caller later changes its maps, and the values must
	// be JSON.
	owned := make([]policyDataItem, 0, len(cfg.data))
	for _, d := range cfg.data {
		b, err := json.Marshal(d.value)
		if err != nil {
			return nil, fmt.Errorf("policy: WithData: %w: %w", ErrLoad, err)
		}
		v, err := policyDecodeData("WithData.json", b)
		if err != nil {
			return nil, err
		}
		owned = append(owned, policyDataItem{origin: d.origin, value: v})
	}
	data := map[string]any{}
	for _, d := range append(l.data, owned...) {
		if err := policyMerge(data, d.value, ""); err != nil {
			return nil, fmt.Errorf("policy: data from %s: %w: %w", d.origin, ErrLoad, err)
		}
	}

	// Forbidden builtins: refuse with a clear error before compiling.
	caps, customDecls, err := cfg.capabilities()
	if err != nil {
		return nil, err
	}
	if err := policyCheckBuiltins(l.modules, caps); err != nil {
		return nil, err
	}

	compiler := ast.NewCompiler().
		WithCapabilities(caps).
		WithBuiltins(customDecls).
		WithDefaultRegoVersion(ast.RegoV1).
		WithEnablePrintStatements(false).
		WithUseTypeCheckAnnotations(true)
	compiler.Compile(l.modules)
	if compiler.Failed() {
		return nil, fmt.Errorf("policy: compile: %w: %w", ErrLoad, compiler.Errors)
	}

	namespaces := cfg.namespaces
	explicit := len(namespaces) > 0
	if !explicit {
		namespaces = []string{DefaultNamespace}
	}
	if cfg.allNamespaces {
		namespaces = nil
		seen := map[string]bool{}
		for _, m := range compiler.Modules {
			ns := strings.TrimPrefix(m.Package.Path.String(), "data.")
			if !seen[ns] && !slices.Contains(cfg.library, ns) {
				seen[ns] = true
				namespaces = append(namespaces, ns)
			}
		}
		slices.Sort(namespaces)
		explicit = false
	}
	if cfg.libraryOn {
		namespaces = append(slices.Clone(namespaces), cfg.library...)
	}
	var uniq []string
	for _, ns := range namespaces {
		if !slices.Contains(uniq, ns) {
			uniq = append(uniq, ns)
		}
	}
	namespaces = uniq
	rules, err := policyFindRules(compiler, namespaces, explicit)
	if err != nil {
		return nil, err
	}
	if cfg.allNamespaces { // report only the packages that decide
		namespaces = namespaces[:0]
		for _, r := range rules {
			if !slices.Contains(namespaces, r.ns) {
				namespaces = append(namespaces, r.ns)
			}
		}
	}

	var q strings.Builder
	e := &Engine{cfg: cfg, modules: l.modules, data: data, compiler: compiler}
	for i := range rules {
		r := &rules[i]
		r.binding = fmt.Sprintf("cg%d", i)
		ref := append(ast.Ref{ast.DefaultRootDocument}, policyNSRef(r.ns)...)
		ref = append(ref, ast.StringTerm(r.name))
		if i > 0 {
			q.WriteString("; ")
		}
		fmt.Fprintf(&q, "%s = [x | x = %s]", r.binding, ref.String())
		if r.kind == "allow" {
			e.allows = append(e.allows, i)
		}
	}
	e.rules = rules
	e.query = q.String()

	store := inmem.NewFromObject(data)
	ropts := []func(*rego.Rego){
		rego.Compiler(compiler),
		rego.Store(store),
		rego.Query(q.String()),
		rego.StrictBuiltinErrors(true),
	}
	for _, b := range append(slices.Clone(policyBuiltins), cfg.builtins...) {
		ropts = append(ropts, b.fn)
	}
	pq, err := rego.New(ropts...).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("policy: prepare: %w: %w", ErrLoad, err)
	}
	e.pq = pq

	rev := cfg.revision
	if rev == "" {
		rev = l.revision
	}
	e.info = PolicyInfo{Digest: policyDigestFiles(l.files, owned), Revision: rev, Namespaces: namespaces, RegoV0Modules: l.v0}
	return e, nil
}

// capabilities returns OPA capabilities without the removed builtins
// (unless allowed), with the custom ones, and the custom declarations.
func (cfg *config) capabilities() (*ast.Capabilities, map[string]*ast.Builtin, error) {
	caps := ast.CapabilitiesForThisVersion()
	allowed := map[string]bool{}
	for _, n := range cfg.allowBuiltins {
		allowed[n] = true
	}
	if cfg.net {
		for n := range policyNetworkBuiltins {
			allowed[n] = true
		}
		caps.AllowNet = slices.Clone(cfg.netHosts)
	} else {
		caps.AllowNet = []string{}
	}
	kept := caps.Builtins[:0:0]
	for _, b := range caps.Builtins {
		if policyRemovedBuiltins[b.Name] && !allowed[b.Name] {
			continue
		}
		kept = append(kept, b)
	}
	decls := map[string]*ast.Builtin{}
	for _, b := range append(slices.Clone(policyBuiltins), cfg.builtins...) {
		d := b.Decl()
		if _, dup := decls[d.Name]; dup {
			return nil, nil, fmt.Errorf("policy: builtin %s: %w: declared twice", d.Name, ErrLoad)
		}
		if _, exists := ast.BuiltinMap[d.Name]; exists {
			return nil, nil, fmt.Errorf("policy: builtin %s: %w: shadows an OPA builtin", d.Name, ErrLoad)
		}
		decls[d.Name] = d
		kept = append(kept, d)
	}
	caps.Builtins = kept
	return caps, decls, nil
}

// policyCheckBuiltins reports every call of a removed builtin with its
// location, so the error says what to change.
func policyCheckBuiltins(modules map[string]*ast.Module, caps *ast.Capabilities) error {
	have := map[string]bool{}
	for _, b := range caps.Builtins {
		have[b.Name] = true
	}
	var errs []error
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range modules {
			if !yield(k) {
				return
			}
		}
	})
	for _, name := range names {
		ast.WalkRefs(modules[name], func(r ast.Ref) bool {
			s := r.String()
			if policyRemovedBuiltins[s] && !have[s] {
				hint := "enable it with WithBuiltinsUnsafe"
				if policyNetworkBuiltins[s] {
					hint = "enable it for named hosts with WithNetworkUnsafe"
				}
				loc := ""
				if len(r) > 0 && r[0].Location != nil {
					loc = fmt.Sprintf("%s:%d: ", r[0].Location.File, r[0].Location.Row)
				}
				errs = append(errs, fmt.Errorf("policy: %s%s is not allowed (network or non-deterministic builtin; %s): %w", loc, s, hint, ErrForbiddenBuiltin))
			}
			return false
		})
	}
	return errors.Join(errs...)
}

func policyNSRef(ns string) ast.Ref {
	parts := strings.Split(ns, ".")
	r := make(ast.Ref, len(parts))
	for i, p := range parts {
		r[i] = ast.StringTerm(p)
	}
	return r
}

// policyFindRules lists the decision rules of each namespace, in a stable
// order, with their annotations, locations and input paths.
func policyFindRules(c *ast.Compiler, namespaces []string, explicit bool) ([]policyRule, error) {
	var out []policyRule
	as := c.GetAnnotationSet()
	for _, ns := range namespaces {
		pkgPath := append(ast.Ref{ast.DefaultRootDocument}, policyNSRef(ns)...)
		byName := map[string][]*ast.Rule{}
		keyed := map[string]bool{} // names with a rule whose document has a key below the name
		found := false
		for _, name := range slices.Sorted(func(yield func(string) bool) {
			for k := range c.Modules {
				if !yield(k) {
					return
				}
			}
		}) {
			m := c.Modules[name]
			if !m.Package.Path.HasPrefix(pkgPath) {
				continue
			}
			found = true
			for _, r := range m.Rules {
				// A rule's document is its package path below the
				// namespace, then its head ref: `deny_x[msg] if`,
				// `deny[msg] := true if`, `deny.x contains msg if` and
				// rules of a package `<ns>.deny` all build data.<ns>.deny*
				// as an object, which OPA reports as a non-empty deny.
				// Each counts, under its first name.
				full := append(slices.Clone(m.Package.Path[len(pkgPath):]), r.Head.Ref()...)
				name := policyTermName(full[0])
				byName[name] = append(byName[name], r)
				if len(full) > 1 {
					keyed[name] = true
				}
			}
		}
		if !found {
			if explicit {
				return nil, fmt.Errorf("policy: namespace %q: %w: no module has package %s", ns, ErrNoRules, ns)
			}
			continue
		}
		for _, name := range slices.Sorted(func(yield func(string) bool) {
			for k := range byName {
				if !yield(k) {
					return
				}
			}
		}) {
			defs := byName[name]
			pr := policyRule{ns: ns, name: name, keyed: keyed[name]}
			switch {
			case name == "allow", name == "exception":
				// allow must be one boolean and exception a set of rule
				// names: a keyed form (allow[x], exception.x) would be an
				// object the decision cannot read, so it is refused here
				// rather than read as "not allowed" or "nothing excepted"
				// at every decision.
				if pr.keyed {
					d := defs[0]
					for _, x := range defs {
						if len(x.Head.Ref()) > 1 || !x.Module.Package.Path.Equal(pkgPath) {
							d = x
							break
						}
					}
					return nil, fmt.Errorf("policy: %s: rule %s.%s: %w: it has a key (%s in package %s); %s must be a rule without one",
						policyLocString(d.Location), ns, name, ErrLoad, d.Head.Ref(), d.Module.Package.Path, name)
				}
				pr.kind = name
			default:
				m := policyRuleName.FindStringSubmatch(name)
				if m == nil {
					continue
				}
				pr.kind = m[1]
				if pr.kind == "violation" {
					pr.kind = "deny"
				}
				pr.suffix = m[2]
			}
			pr.code = ns + "." + name
			if pr.kind == "deny" {
				pr.severity = "high"
			} else if pr.kind == "warn" {
				pr.severity = "medium"
			}
			first := defs[0]
			pr.loc = &Location{File: first.Location.File, Row: first.Location.Row, Col: first.Location.Col}
			paths := map[string]bool{}
			for _, d := range defs {
				if d.Location != nil {
					pr.spans = append(pr.spans, policySpan{d.Location.File, d.Location.Row, d.Location.Row + bytes.Count(d.Location.Text, []byte("\n"))})
				}
				for _, a := range as.GetRuleScope(d) {
					pr.applyAnnotations(a)
				}
				policyCollectInputPaths(c, d, paths, map[*ast.Rule]bool{}, 0)
			}
			if len(paths) > 1 {
				delete(paths, "input") // object.get(input, ...): the others say more
			}
			if doc := as.GetDocumentScope(first.Path()); doc != nil {
				pr.applyAnnotations(doc)
			}
			pr.paths = slices.Sorted(func(yield func(string) bool) {
				for k := range paths {
					if !yield(k) {
						return
					}
				}
			})
			out = append(out, pr)
		}
	}
	n := 0
	for _, r := range out {
		if r.kind != "exception" {
			n++
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("policy: namespaces %s: %w: define deny, violation, warn or allow rules", strings.Join(namespaces, ", "), ErrNoRules)
	}
	return out, nil
}

// policyTermName is the name a ref term stands for: a rule's variable or
// a package path segment.
func policyTermName(t *ast.Term) string {
	switch v := t.Value.(type) {
	case ast.Var:
		return string(v)
	case ast.String:
		return string(v)
	}
	return t.String()
}

func policyLocString(l *ast.Location) string {
	if l == nil {
		return "?"
	}
	return fmt.Sprintf("%s:%d", l.File, l.Row)
}

// policyCollectInputPaths adds the input refs of rule r and of the rules
// and functions it uses (transitively, up to a depth), so a reason names
// the input paths behind helper rules too.
func policyCollectInputPaths(c *ast.Compiler, r *ast.Rule, paths map[string]bool, seen map[*ast.Rule]bool, depth int) {
	if seen[r] || depth > 8 {
		return
	}
	seen[r] = true
	ast.WalkRefs(r, func(ref ast.Ref) bool {
		switch {
		case ref.HasPrefix(ast.InputRootRef):
			paths[policyInputPath(ref)] = true
		case ref.HasPrefix(ast.DefaultRootRef):
			for _, dep := range c.GetRules(ref.GroundPrefix()) {
				policyCollectInputPaths(c, dep, paths, seen, depth+1)
			}
		}
		return false
	})
}

func (pr *policyRule) applyAnnotations(a *ast.Annotations) {
	if a == nil {
		return
	}
	if pr.title == "" {
		pr.title = a.Title
	}
	if pr.desc == "" {
		pr.desc = a.Description
	}
	for k, v := range a.Custom {
		switch k {
		case "code":
			if s, ok := v.(string); ok && pr.code == pr.ns+"."+pr.name {
				pr.code = s
			}
		case "severity":
			if s, ok := v.(string); ok {
				pr.severity = strings.ToLower(s)
			}
		default:
			if pr.meta == nil {
				pr.meta = map[string]any{}
			}
			if _, set := pr.meta[k]; !set {
				pr.meta[k] = v
			}
		}
	}
}

// policyInputPath renders an input ref with variables as "[_]".
func policyInputPath(r ast.Ref) string {
	var b strings.Builder
	b.WriteString("input")
	for _, t := range r[1:] {
		switch v := t.Value.(type) {
		case ast.String:
			if ast.IsVarCompatibleString(string(v)) {
				b.WriteString(".")
				b.WriteString(string(v))
			} else {
				fmt.Fprintf(&b, "[%q]", string(v))
			}
		case ast.Var:
			b.WriteString("[_]")
		default:
			fmt.Fprintf(&b, "[%s]", v.String())
		}
	}
	return b.String()
}

func policyDigestFiles(files []policyFile, data []policyDataItem) string {
	sorted := slices.Clone(files)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	h := sha256.New()
	for _, f := range sorted {
		fmt.Fprintf(h, "%d:%s\n%d:", len(f.name), f.name, len(f.src))
		h.Write(f.src)
	}
	for _, d := range data {
		b, _ := json.Marshal(d.value)
		fmt.Fprintf(h, "data:%d:", len(b))
		h.Write(b)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// Query returns the Rego query the engine prepared: one array
// comprehension per decision rule, so a rule that is undefined yields [].
// Useful to reproduce a decision with raw OPA.
func (e *Engine) Query() string { return e.query }

// Policy returns the identity of the engine's policies.
func (e *Engine) Policy() PolicyInfo {
	p := e.info
	p.Namespaces = slices.Clone(p.Namespaces)
	return p
}

// Decide evaluates the policies over input and returns the Decision. input
// may be an Input or *Input (converted directly to OPA's value form), a
// *PreparedInput, a map[string]any or other JSON-like Go value (such as
// JSON decoded with encoding/json), JSON text as []byte or
// json.RawMessage, an ast.Value, or any value encoding/json can marshal.
//
// A denial is a Decision with Allow false, not an error. Decide returns an
// error when the input is too large or invalid (arrays and objects nested
// more than 1000 deep are refused with ErrInvalidInput), when evaluation fails or
// ctx ends, or when the decision is undefined: any error means "not
// allowed".
func (e *Engine) Decide(ctx context.Context, input any) (*Decision, error) {
	if p, ok := input.(*PreparedInput); ok {
		return e.DecideValue(ctx, p)
	}
	c := policyConv{limit: e.cfg.maxInputBytes}
	v, err := c.value(input)
	if err != nil {
		return nil, err
	}
	return e.decide(ctx, v, c.digest(v), nil)
}

// DecideValue decides an input converted once with PrepareInput; deciding
// the same prepared input against several engines skips the conversion.
func (e *Engine) DecideValue(ctx context.Context, in *PreparedInput) (*Decision, error) {
	if in == nil || in.value == nil {
		return nil, fmt.Errorf("policy: nil prepared input: %w", ErrInvalidInput)
	}
	if in.size > e.cfg.maxInputBytes {
		return nil, fmt.Errorf("policy: input of %d bytes exceeds %d: %w", in.size, e.cfg.maxInputBytes, ErrInputTooLarge)
	}
	return e.decide(ctx, in.value, in.digest, nil)
}

// Explain decides like Decide and also fills Decision.Trace with OPA's
// evaluation trace (with source locations) of the rules that denied or
// warned: each expression they evaluated, with the input values it read,
// to see which rule and which input led to the result. Without any deny
// or warning the whole trace is given. It is much slower than Decide.
func (e *Engine) Explain(ctx context.Context, input any) (*Decision, error) {
	p, ok := input.(*PreparedInput)
	if !ok {
		var err error
		if p, err = e.PrepareInput(input); err != nil {
			return nil, err
		}
	}
	if p == nil || p.value == nil || p.size > e.cfg.maxInputBytes {
		return nil, fmt.Errorf("policy: prepared input missing or over %d bytes: %w", e.cfg.maxInputBytes, ErrInvalidInput)
	}
	buf := topdown.NewBufferTracer()
	d, err := e.decide(ctx, p.value, p.digest, buf)
	if err != nil {
		return nil, err
	}
	events := *buf
	var spans []policySpan
	for _, rs := range [][]Reason{d.Deny, d.Warn} {
		for _, r := range rs {
			for i := range e.rules {
				if e.rules[i].name == r.Rule && e.rules[i].ns == r.Namespace {
					spans = append(spans, e.rules[i].spans...)
				}
			}
		}
	}
	if len(spans) > 0 {
		var kept []*topdown.Event
		for _, ev := range events {
			if ev.Location == nil {
				continue
			}
			for _, sp := range spans {
				if ev.Location.File == sp.file && ev.Location.Row >= sp.from && ev.Location.Row <= sp.to {
					kept = append(kept, ev)
					break
				}
			}
		}
		events = kept
	}
	var sb strings.Builder
	topdown.PrettyTraceWithLocation(&sb, events)
	d.Trace = sb.String()
	if len(d.Trace) > MaxTraceBytes {
		d.Trace = d.Trace[:MaxTraceBytes] + "\n... trace truncated"
	}
	return d, nil
}

func (e *Engine) decide(ctx context.Context, v ast.Value, digest string, tracer *topdown.BufferTracer) (*Decision, error) {
	if err := ctx.Err(); err != nil {
		return nil, &EvalError{Err: err}
	}
	eopts := []rego.EvalOption{rego.EvalParsedInput(v)}
	if tracer != nil {
		eopts = append(eopts, rego.EvalQueryTracer(tracer))
	}
	rs, err := e.pq.Eval(ctx, eopts...)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, &EvalError{Err: errors.Join(cerr, err)}
		}
		return nil, &EvalError{Err: err}
	}
	if err := ctx.Err(); err != nil {
		return nil, &EvalError{Err: err}
	}
	if len(rs) != 1 {
		return nil, fmt.Errorf("policy: query gave %d results: %w", len(rs), ErrUndefined)
	}
	b := rs[0].Bindings
	d := &Decision{
		SchemaVersion: DecisionSchemaVersion,
		Deny:          []Reason{},
		Warn:          []Reason{},
		Policy:        e.Policy(),
		InputDigest:   digest,
	}
	// Exceptions first: they name rules of their namespace.
	var excepted map[string]bool
	for i := range e.rules {
		r := &e.rules[i]
		if r.kind != "exception" {
			continue
		}
		vals, _ := b[r.binding].([]any)
		if len(vals) == 0 {
			continue
		}
		elems, ok := vals[0].([]any) // the exception set
		if !ok {
			elems = vals[:1]
		}
		for _, val := range elems {
			for _, name := range policyExceptionNames(val) {
				if excepted == nil {
					excepted = map[string]bool{}
				}
				excepted[r.ns+"\x00"+name] = true
			}
		}
	}
	allow := true
	for i := range e.rules {
		r := &e.rules[i]
		vals, _ := b[r.binding].([]any)
		switch r.kind {
		case "exception":
			continue
		case "allow":
			if len(vals) == 0 {
				return nil, fmt.Errorf("policy: %s.allow is undefined (give it a default): %w", r.ns, ErrUndefined)
			}
			ok, isBool := vals[0].(bool)
			if !isBool {
				return nil, fmt.Errorf("policy: %s.allow is %T, not a boolean: %w", r.ns, vals[0], ErrEval)
			}
			allow = allow && ok
			continue
		}
		if len(vals) == 0 {
			continue
		}
		isExcepted := excepted != nil && (excepted[r.ns+"\x00"+r.name] || (r.suffix != "" && excepted[r.ns+"\x00"+r.suffix]))
		var results []any
		switch x := vals[0].(type) {
		case []any: // a partial set (or an array)
			results = x
		case bool:
			if x {
				results = []any{r.title}
			}
		case nil:
		case map[string]any:
			if r.keyed {
				results = policyKeyedResults(x, "", nil, 0)
			} else {
				results = []any{x}
			}
		default:
			results = []any{x}
		}
		for _, res := range results {
			reason := r.reason(res)
			switch {
			case isExcepted:
				d.Exceptions = append(d.Exceptions, reason)
			case r.kind == "deny":
				d.Deny = append(d.Deny, reason)
			default:
				d.Warn = append(d.Warn, reason)
			}
		}
	}
	d.Allow = allow && len(d.Deny) == 0
	return d, nil
}

// policyMaxKeyDepth bounds how deep policyKeyedResults descends into a
// keyed rule's object: deeper levels are reported as one result each, so
// nothing is dropped.
const policyMaxKeyDepth = 32

// policyKeyedResults flattens the object a keyed deny or warn rule builds
// into its results, so that every entry OPA reports counts: a set under a
// key (`deny.x contains msg`) gives its elements; an object with a msg or
// message gives itself; another object (`deny.a.b contains msg`) is
// descended into; a string value (`deny[k] := msg`) is the message; any
// other value (`deny[msg] := true`, even false) gives its key as the
// message (an object key, its fields). The key path is kept as the
// result's "key" metadata.
func policyKeyedResults(obj map[string]any, at string, out []any, depth int) []any {
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		path := k
		if at != "" {
			path = at + "." + k
		}
		switch v := obj[k].(type) {
		case []any:
			for _, e := range v {
				out = append(out, policyWithKey(e, path))
			}
		case map[string]any:
			_, hasMsg := v["msg"]
			_, hasMessage := v["message"]
			if hasMsg || hasMessage || depth >= policyMaxKeyDepth || len(v) == 0 {
				if len(v) == 0 {
					v = map[string]any{"msg": k}
				}
				out = append(out, policyWithKey(v, path))
				continue
			}
			out = policyKeyedResults(v, path, out, depth+1)
		case string:
			out = append(out, map[string]any{"msg": v, "key": path})
		default:
			// A key that is itself an object (`violation[{"msg": m}] if`)
			// reaches Go as its JSON text: read it back as the result.
			var res map[string]any
			if strings.HasPrefix(k, "{") && json.Unmarshal([]byte(k), &res) == nil {
				out = append(out, res)
				continue
			}
			out = append(out, map[string]any{"msg": k, "key": path})
		}
	}
	return out
}

// policyWithKey adds the key path to an object result; other results are
// wrapped in one.
func policyWithKey(res any, path string) any {
	switch x := res.(type) {
	case map[string]any:
		if _, ok := x["key"]; ok {
			return x
		}
		cp := make(map[string]any, len(x)+1)
		maps.Copy(cp, x)
		cp["key"] = path
		return cp
	case string:
		return map[string]any{"msg": x, "key": path}
	}
	b, _ := json.Marshal(res)
	return map[string]any{"msg": string(b), "key": path}
}

func policyExceptionNames(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// reason builds the Reason for one result of the rule.
func (r *policyRule) reason(res any) Reason {
	reason := Reason{
		Rule:        r.name,
		Namespace:   r.ns,
		Code:        r.code,
		Severity:    r.severity,
		Title:       r.title,
		Description: r.desc,
		InputPaths:  slices.Clone(r.paths),
	}
	if r.loc != nil {
		loc := *r.loc
		reason.Location = &loc
	}
	if len(r.meta) > 0 {
		reason.Metadata = make(map[string]any, len(r.meta))
		for k, v := range r.meta {
			reason.Metadata[k] = v
		}
	}
	switch x := res.(type) {
	case string:
		reason.Message = x
	case map[string]any:
		for k, v := range x {
			s, isStr := v.(string)
			switch {
			case (k == "msg" || k == "message") && isStr:
				reason.Message = s
			case k == "code" && isStr:
				reason.Code = s
			case k == "severity" && isStr:
				reason.Severity = strings.ToLower(s)
			case k == "title" && isStr:
				reason.Title = s
			default:
				if reason.Metadata == nil {
					reason.Metadata = map[string]any{}
				}
				reason.Metadata[k] = v
			}
		}
		if reason.Message == "" {
			b, _ := json.Marshal(x)
			reason.Message = string(b)
		}
	default:
		b, _ := json.Marshal(x)
		reason.Message = string(b)
	}
	if reason.Message == "" {
		reason.Message = r.ns + "." + r.name
	}
	return reason
}
