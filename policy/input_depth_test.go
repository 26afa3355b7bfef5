package policy_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/chaingate/chaingate/policy"
)

// deepNode is a caller's own type, which the engine converts through
// encoding/json.
type deepNode struct {
	Next *deepNode `json:"next,omitempty"`
}

// An input nested a million deep (a few MiB, under the size limit) is
// refused with a clear error instead of overflowing the stack: as a
// caller-built map, an array, an Input's context, an ast.Value and a
// struct of the caller's own.
func TestDeepInputRefused(t *testing.T) {
	const depth = 1_000_000
	ctx := t.Context()
	e, err := policy.New(ctx, policy.FromModule("m.rego", "package main\n\ndeny contains \"x\" if input.x\n"))
	if err != nil {
		t.Fatal(err)
	}
	deepMap := map[string]any{}
	for m, i := deepMap, 0; i < depth; i++ {
		next := map[string]any{}
		m["a"] = next
		m = next
	}
	var deepArr any = []any{}
	for i := 0; i < depth; i++ {
		deepArr = []any{deepArr}
	}
	var deepAST ast.Value = ast.NewArray()
	for i := 0; i < depth; i++ {
		deepAST = ast.NewArray(ast.NewTerm(deepAST))
	}
	var deepGo *deepNode
	for i := 0; i < depth; i++ {
		deepGo = &deepNode{Next: deepGo}
	}
	inputs := map[string]any{
		"map":           deepMap,
		"array":         map[string]any{"x": deepArr},
		"input context": &policy.Input{Context: map[string]any{"deep": deepMap}},
		"ast value":     deepAST,
		"caller type":   deepGo,
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			_, err := e.Decide(ctx, in)
			if !errors.Is(err, policy.ErrInvalidInput) || !strings.Contains(err.Error(), "more than 1000 deep") {
				t.Fatalf("Decide: %v, want ErrInvalidInput about the depth", err)
			}
			if _, err := policy.PrepareInput(in); !errors.Is(err, policy.ErrInvalidInput) {
				t.Fatalf("PrepareInput: %v", err)
			}
			if err := policy.ValidateInput(in); !errors.Is(err, policy.ErrInvalidInput) || !strings.Contains(err.Error(), "more than 1000 deep") {
				t.Fatalf("ValidateInput: %v", err)
			}
		})
	}
	// Nesting at the limit is still decided.
	ok := map[string]any{"x": false}
	for m, i := ok, 1; i < 1000; i++ {
		next := map[string]any{}
		m["a"] = next
		m = next
	}
	if d, err := e.Decide(ctx, ok); err != nil || !d.Allow {
		t.Fatalf("1000 deep: %+v %v", d, err)
	}
}
