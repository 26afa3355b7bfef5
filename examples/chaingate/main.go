// Command chaingate is a reference CLI over the chaingate SDK, written the
// way in-house CLIs wrap it: one cobra command per SDK entry point, tables
// for people, JSON (and SARIF, Markdown) for machines, and exit codes a CI
// system understands. See README.md, or run `chaingate --help`.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
