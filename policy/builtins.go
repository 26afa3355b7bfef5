package policy

import (
	"fmt"
	"slices"

	"github.com/Masterminds/semver/v3"
	"github.com/github/go-spdx/v2/spdxexp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"
	"github.com/package-url/packageurl-go"
)

// Builtin is a custom Rego function registered on one Engine only (never
// globally, unlike rego.RegisterBuiltin). Build one with NewBuiltin and
// pass it WithBuiltin; the built-in ones are listed by Builtins.
type Builtin struct {
	decl *rego.Function
	fn   func(*rego.Rego)
}

// Name returns the function's Rego name ("chaingate.semver_compare").
func (b Builtin) Name() string { return b.decl.Name }

// Decl returns the function's OPA declaration, as the tester and
// capabilities need it.
func (b Builtin) Decl() *ast.Builtin {
	return &ast.Builtin{Name: b.decl.Name, Description: b.decl.Description, Decl: b.decl.Decl, Nondeterministic: b.decl.Nondeterministic}
}

// RegoOption returns the option that gives a rego.Rego the function's
// implementation (for callers that run OPA directly, as policytest does).
func (b Builtin) RegoOption() func(*rego.Rego) { return b.fn }

// NewBuiltin declares a custom function for WithBuiltin. decl names and
// types it; impl receives the evaluated arguments. The function should be
// deterministic and offline, like the rest of the engine.
func NewBuiltin(decl *rego.Function, impl rego.BuiltinDyn) Builtin {
	return Builtin{decl: decl, fn: rego.FunctionDyn(decl, impl)}
}

// Builtins returns chaingate's own Rego functions, present on every Engine:
//
//   - chaingate.semver_compare(a, b) -> -1, 0 or 1 (a leading "v" is
//     allowed; an invalid version is an evaluation error)
//   - chaingate.semver_valid(v) -> bool
//   - chaingate.purl_parse(purl) -> {"type", "namespace", "name", "version",
//     "qualifiers": {...}, "subpath"} (an invalid purl is an error)
//   - chaingate.spdx_valid(expr) -> bool: expr is a valid SPDX expression
//   - chaingate.spdx_licenses(expr) -> sorted array of the licence IDs in expr
//   - chaingate.spdx_satisfies(expr, allowed) -> bool: expr can be met
//     with only the licences of the array allowed (SPDX semantics: "MIT OR
//     GPL-3.0-only" is satisfied by ["MIT"], "MIT AND Apache-2.0" is not)
func Builtins() []Builtin {
	return policyBuiltins
}

var policyBuiltins = []Builtin{
	NewBuiltin(&rego.Function{
		Name:        "chaingate.semver_compare",
		Description: "Compares two semantic versions; returns -1, 0 or 1.",
		Decl:        types.NewFunction(types.Args(types.S, types.S), types.N),
		Memoize:     true,
	}, func(_ rego.BuiltinContext, args []*ast.Term) (*ast.Term, error) {
		a, err := policySemver(args[0])
		if err != nil {
			return nil, err
		}
		b, err := policySemver(args[1])
		if err != nil {
			return nil, err
		}
		return ast.InternedTerm(a.Compare(b)), nil
	}),
	NewBuiltin(&rego.Function{
		Name:        "chaingate.semver_valid",
		Description: "Reports whether a string is a semantic version (a leading v is allowed).",
		Decl:        types.NewFunction(types.Args(types.S), types.B),
	}, func(_ rego.BuiltinContext, args []*ast.Term) (*ast.Term, error) {
		s, ok := args[0].Value.(ast.String)
		if !ok {
			return ast.InternedTerm(false), nil
		}
		_, err := semver.NewVersion(string(s))
		return ast.InternedTerm(err == nil), nil
	}),
	NewBuiltin(&rego.Function{
		Name:        "chaingate.purl_parse",
		Description: "Parses a package URL into an object.",
		Decl:        types.NewFunction(types.Args(types.S), types.NewObject(nil, types.NewDynamicProperty(types.S, types.A))),
		Memoize:     true,
	}, func(_ rego.BuiltinContext, args []*ast.Term) (*ast.Term, error) {
		s, ok := args[0].Value.(ast.String)
		if !ok {
			return nil, fmt.Errorf("chaingate.purl_parse: want a string, got %s", ast.ValueName(args[0].Value))
		}
		p, err := packageurl.FromString(string(s))
		if err != nil {
			return nil, fmt.Errorf("chaingate.purl_parse: %q: %w", string(s), err)
		}
		q := make([][2]*ast.Term, 0, len(p.Qualifiers))
		for _, kv := range p.Qualifiers {
			q = append(q, [2]*ast.Term{ast.StringTerm(kv.Key), ast.StringTerm(kv.Value)})
		}
		return ast.ObjectTerm(
			[2]*ast.Term{ast.StringTerm("type"), ast.StringTerm(p.Type)},
			[2]*ast.Term{ast.StringTerm("namespace"), ast.StringTerm(p.Namespace)},
			[2]*ast.Term{ast.StringTerm("name"), ast.StringTerm(p.Name)},
			[2]*ast.Term{ast.StringTerm("version"), ast.StringTerm(p.Version)},
			[2]*ast.Term{ast.StringTerm("qualifiers"), ast.ObjectTerm(q...)},
			[2]*ast.Term{ast.StringTerm("subpath"), ast.StringTerm(p.Subpath)},
		), nil
	}),
	NewBuiltin(&rego.Function{
		Name:        "chaingate.spdx_valid",
		Description: "Reports whether a string is a valid SPDX licence expression.",
		Decl:        types.NewFunction(types.Args(types.S), types.B),
		Memoize:     true,
	}, func(_ rego.BuiltinContext, args []*ast.Term) (*ast.Term, error) {
		s, ok := args[0].Value.(ast.String)
		if !ok || s == "" {
			return ast.InternedTerm(false), nil
		}
		_, err := spdxexp.ExtractLicenses(string(s))
		return ast.InternedTerm(err == nil), nil
	}),
	NewBuiltin(&rego.Function{
		Name:        "chaingate.spdx_licenses",
		Description: "Returns the licence IDs of an SPDX expression.",
		Decl:        types.NewFunction(types.Args(types.S), types.NewArray(nil, types.S)),
		Memoize:     true,
	}, func(_ rego.BuiltinContext, args []*ast.Term) (*ast.Term, error) {
		s, ok := args[0].Value.(ast.String)
		if !ok {
			return nil, fmt.Errorf("chaingate.spdx_licenses: want a string, got %s", ast.ValueName(args[0].Value))
		}
		ids, err := spdxexp.ExtractLicenses(string(s))
		if err != nil {
			return nil, fmt.Errorf("chaingate.spdx_licenses: %q: %w", string(s), err)
		}
		slices.Sort(ids) // go-spdx returns them in map order
		ts := make([]*ast.Term, len(ids))
		for i, id := range ids {
			ts[i] = ast.StringTerm(id)
		}
		return ast.ArrayTerm(ts...), nil
	}),
	NewBuiltin(&rego.Function{
		Name:        "chaingate.spdx_satisfies",
		Description: "Reports whether an SPDX expression can be met with only the allowed licences.",
		Decl:        types.NewFunction(types.Args(types.S, types.NewArray(nil, types.S)), types.B),
		Memoize:     true,
	}, func(_ rego.BuiltinContext, args []*ast.Term) (*ast.Term, error) {
		s, ok := args[0].Value.(ast.String)
		if !ok {
			return nil, fmt.Errorf("chaingate.spdx_satisfies: want a string, got %s", ast.ValueName(args[0].Value))
		}
		arr, ok := args[1].Value.(*ast.Array)
		if !ok {
			return nil, fmt.Errorf("chaingate.spdx_satisfies: want an array of licences, got %s", ast.ValueName(args[1].Value))
		}
		allowed := make([]string, 0, arr.Len())
		for i := 0; i < arr.Len(); i++ {
			if l, ok := arr.Elem(i).Value.(ast.String); ok {
				allowed = append(allowed, string(l))
			}
		}
		if len(allowed) == 0 {
			return ast.InternedTerm(false), nil
		}
		ok, err := spdxexp.Satisfies(string(s), allowed)
		if err != nil {
			return nil, fmt.Errorf("chaingate.spdx_satisfies: %q: %w", string(s), err)
		}
		return ast.InternedTerm(ok), nil
	}),
}

func policySemver(t *ast.Term) (*semver.Version, error) {
	s, ok := t.Value.(ast.String)
	if !ok {
		return nil, fmt.Errorf("chaingate.semver_compare: want a string, got %s", ast.ValueName(t.Value))
	}
	v, err := semver.NewVersion(string(s))
	if err != nil {
		return nil, fmt.Errorf("chaingate.semver_compare: %q: %w", string(s), err)
	}
	return v, nil
}
