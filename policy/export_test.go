package policy

import "github.com/open-policy-agent/opa/v1/ast"

// PreparedValue exposes a prepared input's OPA value to the tests.
func PreparedValue(p *PreparedInput) ast.Value { return p.value }
