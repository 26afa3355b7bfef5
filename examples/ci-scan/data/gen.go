//go:build ignore

// gen writes vulndb.idx: a compact risk index of the entries of the Go
// vulnerability database that name a module of the greeter binaries
// (golang.org/x/text, gopkg.in/yaml.v2) or the Go standard library and
// toolchain. Run it from the repository root:
//
//	go run ./examples/ci-scan/data/gen.go
package main

import (
	"bytes"
	"encoding/json"
	"log"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/chaingate/chaingate/risk/vulndb"
)

// The Go vulnerability database snapshot the index is cut from.
const vulndbModule = "golang.org/x/vulndb@v0.0.0-20261105234957-e22db6528018"

var modules = map[string]bool{"golang.org/x/text": true, "gopkg.in/yaml.v2": true, "stdlib": true, "toolchain": true}

func main() {
	out, err := exec.Command("go", "mod", "download", "-json", vulndbModule).Output()
	if err != nil {
		log.Fatalf("go mod download %s: %v", vulndbModule, err)
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(out, &mod); err != nil {
		log.Fatal(err)
	}
	tmp, err := os.MkdirTemp("", "ci-scan-osv-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	files, err := filepath.Glob(filepath.Join(mod.Dir, "data", "osv", "*.json"))
	if err != nil {
		log.Fatal(err)
	}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			log.Fatal(err)
		}
		var e struct {
			Affected []struct {
				Package struct{ Name string }
			}
		}
		if err := json.Unmarshal(b, &e); err != nil {
			log.Fatalf("%s: %v", f, err)
		}
		for _, a := range e.Affected {
			if modules[a.Package.Name] {
				if err := os.WriteFile(filepath.Join(tmp, filepath.Base(f)), b, 0o644); err != nil {
					log.Fatal(err)
				}
				n++
				break
			}
		}
	}
	db, err := vulndb.Load(tmp)
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	if err := db.WriteIndex(&buf); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("examples", "ci-scan", "data", "vulndb.idx"), buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("vulndb.idx: %d entries, %d bytes", n, buf.Len())
}
