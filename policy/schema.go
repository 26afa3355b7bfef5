package policy

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed input.schema.json
var policyInputSchema []byte

// InputSchema returns the JSON Schema (draft 2020-12) of Input, generated
// from the Go types (see input.schema.json). Its "$id" and title carry
// InputSchemaVersion.
func InputSchema() []byte {
	return bytes.Clone(policyInputSchema)
}

var policyCompiledSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(policyInputSchema))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("input.schema.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("input.schema.json")
})

// ValidateInput checks input (an Input, a map decoded from JSON or JSON
// text) against InputSchema. Decide does not call it: Rego policies may
// read any JSON. Use it where callers build inputs by hand. Errors wrap
// ErrInvalidInput and say where the input is wrong.
func ValidateInput(input any) error {
	sch, err := policyCompiledSchema()
	if err != nil {
		return fmt.Errorf("policy: input schema: %w", err)
	}
	var b []byte
	switch x := input.(type) {
	case []byte:
		b = x
	case json.RawMessage:
		b = x
	default:
		// encoding/json recurses without a depth limit when it encodes.
		v, isAST := input.(ast.Value)
		if isAST && policyTooDeep(v, policyMaxInputDepth) || !isAST && policyGoTooDeep(reflect.ValueOf(input), policyMaxInputDepth) {
			return fmt.Errorf("policy: validate input: nests arrays and objects more than %d deep: %w", policyMaxInputDepth, ErrInvalidInput)
		}
		if b, err = json.Marshal(input); err != nil {
			return fmt.Errorf("policy: validate input: %w: %w", ErrInvalidInput, err)
		}
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("policy: validate input: %w: %w", ErrInvalidInput, err)
	}
	if err := sch.Validate(doc); err != nil {
		return fmt.Errorf("policy: validate input: %w: %w", ErrInvalidInput, err)
	}
	return nil
}
