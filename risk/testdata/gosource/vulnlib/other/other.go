// Package other is not imported.
package other

// Other is never called.
func Other() string { return "other" }
