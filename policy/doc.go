// Package policy makes release decisions with Open Policy Agent: Rego
// policies loaded once and prepared, evaluated over one documented input
// that carries what the other chaingate packages found, returning a
// Decision whose every deny and warning carries its reason.
package policy
