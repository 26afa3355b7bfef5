//go:build unix

package sbom

import "syscall"

// imgTestMkfifo makes a named pipe (opening one for reading blocks until
// a writer comes: a layout must never open it).
func imgTestMkfifo(p string) error { return syscall.Mkfifo(p, 0o644) }
