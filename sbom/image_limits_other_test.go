//go:build !unix

package sbom

import "errors"

func imgTestMkfifo(string) error { return errors.New("no named pipes on this system") }
