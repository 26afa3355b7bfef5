package gobin_test

import "os"

func openFile(path string) (*os.File, error) { return os.Open(path) }
