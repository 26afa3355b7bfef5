// Package vulnlib has the functions the advisories of ../../osv name.
package vulnlib

import "strings"

// Parse is called by the app.
func Parse(s string) int { return len(strings.Fields(s)) }

// Unused is not.
func Unused() string { return "u" }
