// Package notcalled is imported; Good is called, Bad is not.
package notcalled

// Good is called.
func Good() string { return "good" }

// Bad is not called.
func Bad() string { return "bad" }
