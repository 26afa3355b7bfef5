package policy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"math"
	"reflect"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"
)

// DefaultMaxInputBytes is the default input size limit (see WithMaxInputBytes).
const DefaultMaxInputBytes = 16 << 20

// PreparedInput is an input converted once to OPA's value form, with its
// digest computed, ready to be decided many times (against several engines,
// for example one per environment) with DecideValue. It is immutable and
// safe for concurrent use.
type PreparedInput struct {
	value  ast.Value
	digest string
	size   int64
}

// Digest returns "sha256:" and the hex digest of the input's canonical JSON.
func (p *PreparedInput) Digest() string { return p.digest }

// Size returns the input's approximate size in bytes (the length of its
// strings plus 8 bytes per value), the measure the size limit applies to.
func (p *PreparedInput) Size() int64 { return p.size }

// PrepareInput converts input to a PreparedInput, with the same conversions
// and size limit as Decide. Pass it to DecideValue.
func (e *Engine) PrepareInput(input any) (*PreparedInput, error) {
	return policyPrepareInput(input, e.cfg.maxInputBytes)
}

// PrepareInput converts input with DefaultMaxInputBytes as limit, for
// callers that prepare before any engine exists.
func PrepareInput(input any) (*PreparedInput, error) {
	return policyPrepareInput(input, DefaultMaxInputBytes)
}

func policyPrepareInput(input any, limit int64) (*PreparedInput, error) {
	c := policyConv{limit: limit}
	v, err := c.value(input)
	if err != nil {
		return nil, err
	}
	return &PreparedInput{value: v, digest: c.digest(v), size: c.size}, nil
}

// policyConv converts Go values to ast values directly, without a JSON
// round trip, counting an approximate size as it goes so that an oversize
// input stops early. Terms are carved from slabs to cut allocations (the
// same technique as OPA's own InterfaceToValue).
type policyConv struct {
	limit int64
	size  int64
	slab  []ast.Term
	err   error
	// stack holds the pairs of the objects being built, innermost last:
	// ast.NewObject copies them, so the space is reused (a child object is
	// always finished before its parent takes its next pair).
	stack [][2]*ast.Term
	// typed and ctx are set when the input was an Input: its digest is
	// then written from the struct (policyDigestInput), ctx being the
	// converted Context.
	typed *Input
	ctx   ast.Value
	// depth is how many arrays and objects enclose the value being
	// converted (see policyMaxInputDepth).
	depth int
}

// policyMaxInputDepth bounds how deeply arrays and objects may nest in an
// input. The conversion, the digest and OPA's evaluation all recurse, so
// an input nested a million deep (a few MiB, under the size limit) would
// overflow the goroutine stack, a fatal error that recover cannot catch.
// Real inputs nest about ten deep.
const policyMaxInputDepth = 1000

// errDepth is the error for an input nested deeper than the limit.
func (c *policyConv) errDepth() error {
	return fmt.Errorf("policy: input nests arrays and objects more than %d deep: %w", policyMaxInputDepth, ErrInvalidInput)
}

// enter counts one level of nesting, failing beyond the limit; leave
// undoes it.
func (c *policyConv) enter() error {
	if c.depth++; c.depth > policyMaxInputDepth {
		return c.errDepth()
	}
	return nil
}

func (c *policyConv) leave() { c.depth-- }

// policyTooDeep reports whether an ast.Value nests deeper than limit. It
// recurses at most limit levels.
func policyTooDeep(v ast.Value, limit int) bool {
	if limit < 0 {
		return true
	}
	deeper := false
	switch x := v.(type) {
	case *ast.Array:
		x.Until(func(t *ast.Term) bool {
			deeper = policyTooDeep(t.Value, limit-1)
			return deeper
		})
	case ast.Object:
		_ = x.Iter(func(k, e *ast.Term) error {
			if policyTooDeep(k.Value, limit-1) || policyTooDeep(e.Value, limit-1) {
				deeper = true
				return errStopWalk
			}
			return nil
		})
	case ast.Set:
		_ = x.Iter(func(t *ast.Term) error {
			if policyTooDeep(t.Value, limit-1) {
				deeper = true
				return errStopWalk
			}
			return nil
		})
	}
	return deeper
}

var errStopWalk = errors.New("stop")

// policyGoTooDeep reports whether a Go value of a type the conversion
// hands to encoding/json (which has no depth limit when encoding) nests
// deeper than limit. It recurses at most limit levels; a pointer cycle
// counts as too deep (encoding/json would refuse it anyway).
func policyGoTooDeep(v reflect.Value, limit int) bool {
	if limit < 0 {
		return true
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && policyGoTooDeep(v.Elem(), limit)
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return false // []byte is a base64 string
		}
		for i := 0; i < v.Len(); i++ {
			if policyGoTooDeep(v.Index(i), limit-1) {
				return true
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if policyGoTooDeep(it.Value(), limit-1) {
				return true
			}
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() && policyGoTooDeep(v.Field(i), limit-1) {
				return true
			}
		}
	}
	return false
}

// digest returns the digest of the converted value v.
func (c *policyConv) digest(v ast.Value) string {
	if c.typed != nil {
		return policyDigestInput(c.typed, c.ctx)
	}
	return policyDigest(v)
}

func (c *policyConv) grow(n int) {
	if c.err != nil {
		return
	}
	c.size += int64(n) + 8
	if c.limit > 0 && c.size > c.limit {
		c.err = fmt.Errorf("policy: input exceeds %d bytes: %w", c.limit, ErrInputTooLarge)
	}
}

func (c *policyConv) term(v ast.Value) *ast.Term {
	if len(c.slab) == 0 {
		c.slab = make([]ast.Term, 128)
	}
	t := &c.slab[0]
	c.slab = c.slab[1:]
	t.Value = v
	return t
}

func (c *policyConv) str(s string) *ast.Term {
	c.grow(len(s))
	if s == "" {
		return policyEmptyString
	}
	return c.term(ast.String(s))
}

var policyEmptyString = ast.StringTerm("")

// policyVocabulary holds terms for the values that recur in most inputs
// (component types, scopes, severities, licences, hash algorithms), shared
// by every conversion instead of allocated each time. Package-local on
// purpose: OPA's own InternStringTerm would change global state.
var policyVocabulary = func() map[string]*ast.Term {
	m := map[string]*ast.Term{}
	for _, s := range []string{
		"application", "framework", "library", "container", "operating-system", "device", "firmware", "file", "platform", "data",
		"required", "optional", "excluded",
		"critical", "high", "medium", "moderate", "low", "none", "info", "unknown",
		"vulnerability", "image", "module", "package", "symbol", "package-absent", "symbol-absent", "not_affected", "affected", "fixed", "under_investigation",
		"MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "ISC", "MPL-2.0", "MIT OR Apache-2.0", "Apache-2.0 OR MIT",
		"GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later", "LGPL-2.1-only", "LGPL-2.1-or-later",
		"LGPL-3.0-only", "AGPL-3.0-only", "Unlicense", "CC0-1.0", "0BSD", "Zlib", "NOASSERTION", "NONE",
		"SHA-1", "SHA-256", "SHA-384", "SHA-512", "SHA3-256", "SHA3-512", "MD5", "BLAKE2b-256", "BLAKE3",
		"cyclonedx-json", "cyclonedx-xml", "spdx-json", "spdx-tag-value", "spdx-yaml",
		"dev", "staging", "prod", "production",
	} {
		m[s] = ast.StringTerm(s)
	}
	return m
}()

// policyKeys are the object keys of Input's JSON form, shared by the
// conversion of map inputs too (keys repeat in every component).
var policyKeys = func() map[string]*ast.Term {
	m := map[string]*ast.Term{}
	for _, t := range []*ast.Term{
		kSchemaVersion, kTime, kArtifact, kSBOM, kRisk, kProvenance, kGitOps, kContext, kName, kReference, kDigest, kRegistry, kRepository, kTag, kType, kFormat, kSpecVersion, kSummary, kComponents, kWithVersion, kWithPURL, kWithLicense, kWithHash, kDirect, kDependencies, kUnknown, kLimitations, kDevComponents, kID, kGroup, kVersion, kPURL, kLicense, kScope, kHashes, kFindings, kTotal, kCritical, kHigh, kMedium, kLow, kKEV, kSuppressed, kAliases, kKind, kComponent, kPackage, kSeverity, kCVSS, kEPSS, kPriority, kScore, kFixedVersions, kFixedSince, kPublished, kVEXStatus, kVEXJustification, kPresent, kVerified, kPredicateType, kBuilderID, kBuildType, kSourceRepository, kSourceRef, kSourceDigest, kSLSALevel, kSigners, kErrors, kIssuer, kSubject, kKeyID, kEnvironment, kCommit, kSigned, kSignedBy, kHistory,
		kSignals, kSignalRisk, kSignalsFlagged, kSourcesFlagged, kSource, kValue, kFlagged, kModel, kTarget, kEvidence,
		kMalicious, kEvidenceLevel, kSymbols,
	} {
		m[string(t.Value.(ast.String))] = t
	}
	return m
}()

// key converts an object key of a generic (map) input.
func (c *policyConv) key(s string) *ast.Term {
	if t, ok := policyKeys[s]; ok {
		c.grow(len(s))
		return t
	}
	return c.str(s)
}

// word converts a string that is likely in policyVocabulary.
func (c *policyConv) word(s string) *ast.Term {
	if t, ok := policyVocabulary[s]; ok {
		c.grow(len(s))
		return t
	}
	return c.str(s)
}

func (c *policyConv) num(f float64) *ast.Term {
	c.grow(8)
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return ast.InternedTerm(int(f))
	}
	return c.term(ast.Number(strconv.FormatFloat(f, 'g', -1, 64)))
}

func (c *policyConv) int(i int) *ast.Term {
	c.grow(8)
	return ast.InternedTerm(i)
}

func (c *policyConv) bool(b bool) *ast.Term {
	c.grow(1)
	return ast.InternedTerm(b)
}

// value converts any supported input.
func (c *policyConv) value(x any) (ast.Value, error) {
	var v ast.Value
	switch x := x.(type) {
	case nil:
		return nil, fmt.Errorf("policy: input is nil: %w", ErrInvalidInput)
	case *PreparedInput:
		return x.value, nil
	case Input:
		v = c.input(&x)
	case *Input:
		if x == nil {
			return nil, fmt.Errorf("policy: input is a nil *Input: %w", ErrInvalidInput)
		}
		v = c.input(x)
	case ast.Value:
		if policyTooDeep(x, policyMaxInputDepth) {
			return nil, c.errDepth()
		}
		v = x
	case json.RawMessage:
		return c.fromJSON(x)
	case []byte:
		return c.fromJSON(x)
	default:
		t, err := c.any(x)
		if err != nil {
			return nil, err
		}
		v = t.Value
	}
	if c.err != nil {
		return nil, c.err
	}
	return v, nil
}

func (c *policyConv) fromJSON(b []byte) (ast.Value, error) {
	if c.limit > 0 && int64(len(b)) > c.limit {
		return nil, fmt.Errorf("policy: JSON input of %d bytes exceeds %d: %w", len(b), c.limit, ErrInputTooLarge)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, fmt.Errorf("policy: decode JSON input: %w: %w", ErrInvalidInput, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("policy: decode JSON input: trailing data after the value: %w", ErrInvalidInput)
	}
	t, err := c.any(x)
	if err != nil {
		return nil, err
	}
	if c.err != nil {
		return nil, c.err
	}
	return t.Value, nil
}

// any converts JSON-like Go values. Other types (structs of other packages)
// take a JSON round trip, as OPA itself does.
func (c *policyConv) any(x any) (*ast.Term, error) {
	if c.err != nil {
		return nil, c.err
	}
	switch x := x.(type) {
	case nil:
		c.grow(4)
		return ast.NullTerm(), nil
	case bool:
		return c.bool(x), nil
	case string:
		return c.word(x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("policy: input number %v is not JSON: %w", x, ErrInvalidInput)
		}
		return c.num(x), nil
	case float32:
		return c.any(float64(x))
	case int:
		return c.int(x), nil
	case int64:
		c.grow(8)
		return ast.InternedTerm(x), nil
	case int32:
		return c.int(int(x)), nil
	case uint64:
		c.grow(8)
		return ast.InternedTerm(x), nil
	case json.Number:
		c.grow(len(x))
		if t := ast.InternedIntNumberTermFromString(string(x)); t != nil {
			return t, nil
		}
		if _, err := strconv.ParseFloat(string(x), 64); err != nil {
			return nil, fmt.Errorf("policy: input number %q: %w", string(x), ErrInvalidInput)
		}
		return c.term(ast.Number(x)), nil
	case []any:
		c.grow(0)
		if err := c.enter(); err != nil {
			return nil, err
		}
		defer c.leave()
		ts := make([]*ast.Term, len(x))
		for i, e := range x {
			t, err := c.any(e)
			if err != nil {
				return nil, err
			}
			ts[i] = t
		}
		return c.term(ast.NewArray(ts...)), nil
	case []string:
		c.grow(0)
		ts := make([]*ast.Term, len(x))
		for i, e := range x {
			ts[i] = c.str(e)
		}
		return c.term(ast.NewArray(ts...)), nil
	case map[string]any:
		c.grow(0)
		if err := c.enter(); err != nil {
			return nil, err
		}
		defer c.leave()
		kv := make([][2]*ast.Term, 0, len(x))
		for k, e := range x {
			if !utf8.ValidString(k) {
				return nil, fmt.Errorf("policy: input key %q is not UTF-8: %w", k, ErrInvalidInput)
			}
			t, err := c.any(e)
			if err != nil {
				return nil, fmt.Errorf("%w (under key %q)", err, k)
			}
			kv = append(kv, [2]*ast.Term{c.key(k), t})
		}
		return c.term(ast.NewObject(kv...)), nil
	case map[string]string:
		c.grow(0)
		kv := make([][2]*ast.Term, 0, len(x))
		for k, e := range x {
			kv = append(kv, [2]*ast.Term{c.key(k), c.word(e)})
		}
		return c.term(ast.NewObject(kv...)), nil
	case Input:
		return c.term(c.input(&x)), c.err
	case *Input:
		if x == nil {
			c.grow(4)
			return ast.NullTerm(), nil
		}
		return c.term(c.input(x)), c.err
	case ast.Value:
		if policyTooDeep(x, policyMaxInputDepth-c.depth) {
			return nil, c.errDepth()
		}
		return c.term(x), nil
	}
	// Other Go types: marshal to JSON (bounded) and convert that.
	rv := reflect.ValueOf(x)
	if rv.Kind() == reflect.Func || rv.Kind() == reflect.Chan {
		return nil, fmt.Errorf("policy: input of type %T cannot be JSON: %w", x, ErrInvalidInput)
	}
	if policyGoTooDeep(rv, policyMaxInputDepth-c.depth) {
		return nil, c.errDepth()
	}
	b, err := json.Marshal(x)
	if err != nil {
		return nil, fmt.Errorf("policy: input of type %T: %w: %w", x, ErrInvalidInput, err)
	}
	v, err := c.fromJSON(b)
	if err != nil {
		return nil, err
	}
	return c.term(v), nil
}

// Object keys of Input, shared by every converted value (terms are never
// modified once built).
var (
	kSchemaVersion    = ast.StringTerm("schemaVersion")
	kTime             = ast.StringTerm("time")
	kArtifact         = ast.StringTerm("artifact")
	kSBOM             = ast.StringTerm("sbom")
	kRisk             = ast.StringTerm("risk")
	kProvenance       = ast.StringTerm("provenance")
	kGitOps           = ast.StringTerm("gitops")
	kContext          = ast.StringTerm("context")
	kName             = ast.StringTerm("name")
	kReference        = ast.StringTerm("reference")
	kDigest           = ast.StringTerm("digest")
	kRegistry         = ast.StringTerm("registry")
	kRepository       = ast.StringTerm("repository")
	kTag              = ast.StringTerm("tag")
	kType             = ast.StringTerm("type")
	kFormat           = ast.StringTerm("format")
	kSpecVersion      = ast.StringTerm("specVersion")
	kSummary          = ast.StringTerm("summary")
	kComponents       = ast.StringTerm("components")
	kWithVersion      = ast.StringTerm("withVersion")
	kWithPURL         = ast.StringTerm("withPurl")
	kWithLicense      = ast.StringTerm("withLicense")
	kWithHash         = ast.StringTerm("withHash")
	kDirect           = ast.StringTerm("direct")
	kDependencies     = ast.StringTerm("dependencies")
	kUnknown          = ast.StringTerm("unknown")
	kLimitations      = ast.StringTerm("limitations")
	kDevComponents    = ast.StringTerm("devComponents")
	kID               = ast.StringTerm("id")
	kGroup            = ast.StringTerm("group")
	kVersion          = ast.StringTerm("version")
	kPURL             = ast.StringTerm("purl")
	kLicense          = ast.StringTerm("license")
	kScope            = ast.StringTerm("scope")
	kHashes           = ast.StringTerm("hashes")
	kFindings         = ast.StringTerm("findings")
	kTotal            = ast.StringTerm("total")
	kCritical         = ast.StringTerm("critical")
	kHigh             = ast.StringTerm("high")
	kMedium           = ast.StringTerm("medium")
	kLow              = ast.StringTerm("low")
	kKEV              = ast.StringTerm("kev")
	kSuppressed       = ast.StringTerm("suppressed")
	kAliases          = ast.StringTerm("aliases")
	kKind             = ast.StringTerm("kind")
	kComponent        = ast.StringTerm("component")
	kPackage          = ast.StringTerm("package")
	kSeverity         = ast.StringTerm("severity")
	kCVSS             = ast.StringTerm("cvss")
	kEPSS             = ast.StringTerm("epss")
	kPriority         = ast.StringTerm("priority")
	kScore            = ast.StringTerm("score")
	kFixedVersions    = ast.StringTerm("fixedVersions")
	kFixedSince       = ast.StringTerm("fixedSince")
	kPublished        = ast.StringTerm("published")
	kVEXStatus        = ast.StringTerm("vexStatus")
	kVEXJustification = ast.StringTerm("vexJustification")
	kPresent          = ast.StringTerm("present")
	kVerified         = ast.StringTerm("verified")
	kPredicateType    = ast.StringTerm("predicateType")
	kBuilderID        = ast.StringTerm("builderId")
	kBuildType        = ast.StringTerm("buildType")
	kSourceRepository = ast.StringTerm("sourceRepository")
	kSourceRef        = ast.StringTerm("sourceRef")
	kSourceDigest     = ast.StringTerm("sourceDigest")
	kSLSALevel        = ast.StringTerm("slsaLevel")
	kSigners          = ast.StringTerm("signers")
	kErrors           = ast.StringTerm("errors")
	kIssuer           = ast.StringTerm("issuer")
	kSubject          = ast.StringTerm("subject")
	kKeyID            = ast.StringTerm("keyId")
	kEnvironment      = ast.StringTerm("environment")
	kCommit           = ast.StringTerm("commit")
	kSigned           = ast.StringTerm("signed")
	kSignedBy         = ast.StringTerm("signedBy")
	kHistory          = ast.StringTerm("history")
	kSignals          = ast.StringTerm("signals")
	kSignalRisk       = ast.StringTerm("signalRisk")
	kSignalsFlagged   = ast.StringTerm("signalsFlagged")
	kSourcesFlagged   = ast.StringTerm("sourcesFlagged")
	kSource           = ast.StringTerm("source")
	kValue            = ast.StringTerm("value")
	kFlagged          = ast.StringTerm("flagged")
	kModel            = ast.StringTerm("model")
	kTarget           = ast.StringTerm("target")
	kEvidence         = ast.StringTerm("evidence")

	kMalicious     = ast.StringTerm("malicious")
	kEvidenceLevel = ast.StringTerm("evidenceLevel")
	kSymbols       = ast.StringTerm("symbols")
)

// Object keys of the unassessed components and the SBOM's source.
var (
	kUnassessed = ast.StringTerm("unassessed")
	kEcosystem  = ast.StringTerm("ecosystem")
	kRoot       = ast.StringTerm("root")
	kReason     = ast.StringTerm("reason")
	kAdvisories = ast.StringTerm("advisories")
)

func init() {
	for _, t := range []*ast.Term{kUnassessed, kEcosystem, kRoot, kReason, kAdvisories} {
		policyKeys[string(t.Value.(ast.String))] = t
	}
}

// policyKV accumulates an object's pairs, following encoding/json's
// omitempty rules so the value equals the JSON form of the struct.
type policyKV struct {
	c     *policyConv
	start int
}

func (o *policyKV) add(k, v *ast.Term) {
	o.c.stack = append(o.c.stack, [2]*ast.Term{k, v})
}

func (o *policyKV) str(k *ast.Term, v string, omitEmpty bool) {
	if omitEmpty && v == "" {
		return
	}
	o.add(k, o.c.str(v))
}

// word is str for fields with a small vocabulary.
func (o *policyKV) word(k *ast.Term, v string, omitEmpty bool) {
	if omitEmpty && v == "" {
		return
	}
	o.add(k, o.c.word(v))
}

func (o *policyKV) int(k *ast.Term, v int, omitEmpty bool) {
	if omitEmpty && v == 0 {
		return
	}
	o.add(k, o.c.int(v))
}

func (o *policyKV) num(k *ast.Term, v float64) { // always omitempty
	if v == 0 {
		return
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		o.c.err = fmt.Errorf("policy: input field %s is %v, not a JSON number: %w", k, v, ErrInvalidInput)
		return
	}
	o.add(k, o.c.num(v))
}

func (o *policyKV) bool(k *ast.Term, v bool, omitEmpty bool) {
	if omitEmpty && !v {
		return
	}
	o.add(k, o.c.bool(v))
}

func (o *policyKV) strs(k *ast.Term, v []string) { // always omitempty
	if len(v) == 0 {
		return
	}
	ts := make([]*ast.Term, len(v))
	for i, s := range v {
		ts[i] = o.c.str(s)
	}
	o.add(k, o.c.term(ast.NewArray(ts...)))
}

func (o *policyKV) term(k *ast.Term, v *ast.Term) {
	o.add(k, v)
}

// obj builds the object from the pairs added since kv and pops them.
func (o *policyKV) obj() *ast.Term {
	o.c.grow(0)
	t := o.c.term(ast.NewObject(o.c.stack[o.start:]...))
	o.c.stack = o.c.stack[:o.start]
	return t
}

func (c *policyConv) kv(int) policyKV {
	if c.stack == nil {
		c.stack = make([][2]*ast.Term, 0, 64)
	}
	return policyKV{c: c, start: len(c.stack)}
}

func (c *policyConv) input(in *Input) ast.Value {
	o := c.kv(9)
	o.str(kSchemaVersion, in.SchemaVersion, false)
	o.str(kTime, in.Time, true)
	o.term(kArtifact, c.artifact(&in.Artifact))
	if in.SBOM != nil {
		o.term(kSBOM, c.sbom(in.SBOM))
	}
	if in.Risk != nil {
		o.term(kRisk, c.risk(in.Risk))
	}
	if in.Provenance != nil {
		o.term(kProvenance, c.provenance(in.Provenance))
	}
	if in.GitOps != nil {
		o.term(kGitOps, c.gitops(in.GitOps))
	}
	if len(in.Context) > 0 {
		t, err := c.any(in.Context)
		if err != nil {
			if c.err == nil {
				c.err = fmt.Errorf("policy: input context: %w", err)
			}
			return ast.NewObject()
		}
		o.term(kContext, t)
		c.ctx = t.Value
	}
	c.typed = in
	return o.obj().Value
}

func (c *policyConv) artifact(a *Artifact) *ast.Term {
	o := c.kv(7)
	o.str(kName, a.Name, false)
	o.str(kReference, a.Reference, true)
	o.str(kDigest, a.Digest, true)
	o.str(kRegistry, a.Registry, true)
	o.str(kRepository, a.Repository, true)
	o.str(kTag, a.Tag, true)
	o.word(kType, a.Type, true)
	return o.obj()
}

func (c *policyConv) sbom(s *SBOM) *ast.Term {
	o := c.kv(5)
	o.word(kFormat, s.Format, true)
	o.str(kSpecVersion, s.SpecVersion, true)
	o.str(kDigest, s.Digest, true)
	o.str(kSource, s.Source, true)
	sum := c.kv(10)
	sum.int(kComponents, s.Summary.Components, false)
	sum.int(kWithVersion, s.Summary.WithVersion, false)
	sum.int(kWithPURL, s.Summary.WithPURL, false)
	sum.int(kWithLicense, s.Summary.WithLicense, false)
	sum.int(kWithHash, s.Summary.WithHash, false)
	sum.int(kDirect, s.Summary.Direct, true)
	sum.int(kDependencies, s.Summary.Dependencies, true)
	sum.int(kUnknown, s.Summary.Unknown, true)
	sum.int(kLimitations, s.Summary.Limitations, true)
	sum.int(kDevComponents, s.Summary.DevComponents, true)
	o.term(kSummary, sum.obj())
	if s.Components == nil {
		c.grow(4)
		o.term(kComponents, ast.NullTerm())
	} else {
		ts := make([]*ast.Term, len(s.Components))
		for i := range s.Components {
			ts[i] = c.component(&s.Components[i])
		}
		o.term(kComponents, c.term(ast.NewArray(ts...)))
	}
	return o.obj()
}

func (c *policyConv) component(p *Component) *ast.Term {
	o := c.kv(9)
	o.str(kID, p.ID, false)
	o.word(kType, p.Type, true)
	o.str(kGroup, p.Group, true)
	o.str(kName, p.Name, false)
	o.str(kVersion, p.Version, true)
	o.str(kPURL, p.PURL, true)
	o.word(kLicense, p.License, true)
	o.word(kScope, p.Scope, true)
	if len(p.Hashes) > 0 {
		h := c.kv(len(p.Hashes))
		for k, v := range p.Hashes {
			h.add(c.word(k), c.str(v))
		}
		o.term(kHashes, h.obj())
	}
	return o.obj()
}

func (c *policyConv) risk(r *Risk) *ast.Term {
	o := c.kv(2)
	sum := c.kv(7)
	sum.int(kTotal, r.Summary.Total, false)
	sum.int(kCritical, r.Summary.Critical, false)
	sum.int(kHigh, r.Summary.High, false)
	sum.int(kMedium, r.Summary.Medium, false)
	sum.int(kLow, r.Summary.Low, false)
	sum.int(kKEV, r.Summary.KEV, false)
	sum.int(kSuppressed, r.Summary.Suppressed, false)
	sum.int(kSignals, r.Summary.Signals, true)
	sum.int(kSignalsFlagged, r.Summary.SignalsFlagged, true)
	sum.int(kSourcesFlagged, r.Summary.SourcesFlagged, true)
	sum.int(kUnassessed, r.Summary.Unassessed, true)
	o.term(kSummary, sum.obj())
	if len(r.Unassessed) > 0 {
		ts := make([]*ast.Term, len(r.Unassessed))
		for i := range r.Unassessed {
			ts[i] = c.unassessed(&r.Unassessed[i])
		}
		o.term(kUnassessed, c.term(ast.NewArray(ts...)))
	}
	if len(r.Signals) > 0 {
		ts := make([]*ast.Term, len(r.Signals))
		for i := range r.Signals {
			sg := &r.Signals[i]
			so := c.kv(7)
			so.word(kID, sg.ID, false)
			so.str(kSource, sg.Source, false)
			so.num(kValue, sg.Value)
			so.bool(kFlagged, sg.Flagged, true)
			so.word(kModel, sg.Model, true)
			so.str(kTarget, sg.Target, true)
			so.strs(kEvidence, sg.Evidence)
			ts[i] = so.obj()
		}
		o.term(kSignals, c.term(ast.NewArray(ts...)))
	}
	if len(r.SignalRisk) > 0 {
		ts := make([]*ast.Term, len(r.SignalRisk))
		for i := range r.SignalRisk {
			sr := &r.SignalRisk[i]
			so := c.kv(5)
			so.str(kSource, sr.Source, false)
			so.strs(kSignals, sr.Signals)
			so.num(kValue, sr.Value)
			so.bool(kFlagged, sr.Flagged, true)
			so.strs(kEvidence, sr.Evidence)
			ts[i] = so.obj()
		}
		o.term(kSignalRisk, c.term(ast.NewArray(ts...)))
	}
	if r.Findings == nil {
		c.grow(4)
		o.term(kFindings, ast.NullTerm())
	} else {
		ts := make([]*ast.Term, len(r.Findings))
		for i := range r.Findings {
			ts[i] = c.finding(&r.Findings[i])
		}
		o.term(kFindings, c.term(ast.NewArray(ts...)))
	}
	return o.obj()
}

func (c *policyConv) unassessed(u *Unassessed) *ast.Term {
	o := c.kv(8)
	o.str(kComponent, u.Component, false)
	o.str(kPackage, u.Package, true)
	o.str(kVersion, u.Version, true)
	o.str(kPURL, u.PURL, true)
	o.str(kEcosystem, u.Ecosystem, true)
	o.bool(kRoot, u.Root, true)
	o.str(kReason, u.Reason, false)
	o.strs(kAdvisories, u.Advisories)
	return o.obj()
}

func (c *policyConv) finding(f *Finding) *ast.Term {
	o := c.kv(23)
	o.str(kID, f.ID, false)
	o.strs(kAliases, f.Aliases)
	o.word(kKind, f.Kind, true)
	o.str(kComponent, f.Component, true)
	o.str(kPackage, f.Package, true)
	o.str(kVersion, f.Version, true)
	o.str(kPURL, f.PURL, true)
	o.word(kSeverity, f.Severity, true)
	o.num(kCVSS, f.CVSS)
	o.num(kEPSS, f.EPSS)
	o.bool(kKEV, f.KEV, true)
	o.word(kPriority, f.Priority, true)
	o.num(kScore, f.Score)
	o.strs(kFixedVersions, f.FixedVersions)
	o.str(kFixedSince, f.FixedSince, true)
	o.str(kPublished, f.Published, true)
	o.bool(kSuppressed, f.Suppressed, true)
	o.word(kVEXStatus, f.VEXStatus, true)
	o.str(kVEXJustification, f.VEXJustification, true)
	o.bool(kMalicious, f.Malicious, true)
	o.word(kEvidenceLevel, f.EvidenceLevel, true)
	o.strs(kSymbols, f.Symbols)
	return o.obj()
}

func (c *policyConv) provenance(p *Provenance) *ast.Term {
	o := c.kv(12)
	o.bool(kPresent, p.Present, false)
	o.bool(kVerified, p.Verified, false)
	o.str(kPredicateType, p.PredicateType, true)
	o.str(kBuilderID, p.BuilderID, true)
	o.str(kBuildType, p.BuildType, true)
	o.str(kSourceRepository, p.SourceRepository, true)
	o.str(kSourceRef, p.SourceRef, true)
	o.str(kSourceDigest, p.SourceDigest, true)
	o.int(kSLSALevel, p.SLSALevel, false)
	if len(p.Signers) > 0 {
		ts := make([]*ast.Term, len(p.Signers))
		for i, s := range p.Signers {
			so := c.kv(3)
			so.str(kIssuer, s.Issuer, true)
			so.str(kSubject, s.Subject, true)
			so.str(kKeyID, s.KeyID, true)
			ts[i] = so.obj()
		}
		o.term(kSigners, c.term(ast.NewArray(ts...)))
	}
	o.strs(kErrors, p.Errors)
	return o.obj()
}

func (c *policyConv) gitops(g *GitOps) *ast.Term {
	o := c.kv(6)
	o.word(kEnvironment, g.Environment, false)
	o.str(kRepository, g.Repository, true)
	o.str(kCommit, g.Commit, true)
	o.bool(kSigned, g.Signed, false)
	o.str(kSignedBy, g.SignedBy, true)
	if len(g.History) > 0 {
		ts := make([]*ast.Term, len(g.History))
		for i, d := range g.History {
			do := c.kv(4)
			do.word(kEnvironment, d.Environment, false)
			do.str(kDigest, d.Digest, false)
			do.str(kCommit, d.Commit, true)
			do.str(kTime, d.Time, true)
			ts[i] = do.obj()
		}
		o.term(kHistory, c.term(ast.NewArray(ts...)))
	}
	return o.obj()
}

// policyDigest returns "sha256:<hex>" over v's canonical JSON: object keys
// sorted by their JSON text, no insignificant space, numbers as OPA holds
// them. Written by hand because OPA's String form is not JSON (sets) and
// encoding/json would need a conversion back to Go values first.
func policyDigest(v ast.Value) string {
	w := policyHasherPool.Get().(*policyHasher)
	w.h.Reset()
	w.buf = w.buf[:0]
	w.value(v)
	w.flush()
	var sum [sha256.Size]byte
	w.h.Sum(sum[:0])
	policyHasherPool.Put(w)
	return "sha256:" + hex.EncodeToString(sum[:])
}

type policyHasher struct {
	h   hash.Hash
	buf []byte
}

var policyHasherPool = sync.Pool{New: func() any {
	return &policyHasher{h: sha256.New(), buf: make([]byte, 0, 8192)}
}}

func (w *policyHasher) flush() {
	w.h.Write(w.buf)
	w.buf = w.buf[:0]
}

func (w *policyHasher) value(v ast.Value) {
	if len(w.buf) > 4096 {
		w.flush()
	}
	switch v := v.(type) {
	case ast.Null:
		w.buf = append(w.buf, "null"...)
	case ast.Boolean:
		w.buf = strconv.AppendBool(w.buf, bool(v))
	case ast.Number:
		w.buf = append(w.buf, v...)
	case ast.String:
		w.str(string(v))
	case *ast.Array:
		w.buf = append(w.buf, '[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			w.value(v.Elem(i).Value)
		}
		w.buf = append(w.buf, ']')
	case ast.Set:
		w.value(v.Sorted())
	case ast.Object:
		w.buf = append(w.buf, '{')
		first := true
		v.Foreach(func(k, e *ast.Term) { // sorted by key
			if !first {
				w.buf = append(w.buf, ',')
			}
			first = false
			if s, ok := k.Value.(ast.String); ok {
				w.str(string(s))
			} else {
				w.str(k.Value.String())
			}
			w.buf = append(w.buf, ':')
			w.value(e.Value)
		})
		w.buf = append(w.buf, '}')
	default:
		w.str(v.String())
	}
}

// str appends s as a JSON string: quote, backslash and control
// characters escaped, everything else (UTF-8 included) as is.
func (w *policyHasher) str(s string) {
	w.buf = append(w.buf, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		w.buf = append(w.buf, s[start:i]...)
		switch c {
		case '"', '\\':
			w.buf = append(w.buf, '\\', c)
		case '\n':
			w.buf = append(w.buf, '\\', 'n')
		case '\t':
			w.buf = append(w.buf, '\\', 't')
		case '\r':
			w.buf = append(w.buf, '\\', 'r')
		default:
			w.buf = append(w.buf, '\\', 'u', '0', '0', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		}
		start = i + 1
	}
	w.buf = append(w.buf, s[start:]...)
	w.buf = append(w.buf, '"')
}
