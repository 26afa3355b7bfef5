// Package policy makes release decisions with Open Policy Agent: Rego
// policies loaded once and prepared, evaluated over one documented input
// that carries what the other chaingate packages found, returning a
// Decision whose every deny and warning carries its reason.
//
// New loads Rego v1 modules (FromDir, FromFS, FromModule, FromBundle) and
// data (WithData, WithDataFile, data.json files), removes network and
// non-deterministic builtins unless explicitly allowed, compiles and
// prepares one query over the conftest-style rules (deny, violation, warn,
// exception, allow) of the chosen namespaces. The Engine it returns is
// immutable and safe for concurrent use; Decide only evaluates.
//
// The input is Input (input.go, JSON Schema in input.schema.json), built by
// hand or with NewInputBuilder from sbom.Document, risk.Report and
// verify.Result. Decide also accepts a map decoded from JSON. An *Input is
// converted to OPA's value form directly; PrepareInput converts once for
// several decisions.
//
// WithLibrary loads the built-in supply-chain policy library (Library),
// configured through data.chaingate.config; package policytest runs Rego
// unit tests from go test.
package policy
