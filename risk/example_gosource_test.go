package risk_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/chaingate/chaingate/risk"
)

// Scan a Go module from source: each finding says whether a vulnerable
// function is reachable from the module's packages, with a call path.
// The scan is offline: the module's dependencies must be in the module
// cache, filled here from a file-system proxy in testdata (see
// testdata/gosource/README.md); in a real checkout, `go mod download`.
func ExampleScanGoSource() {
	cache, err := os.MkdirTemp("", "modcache")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(cache)
	proxy, err := filepath.Abs("testdata/gosource/proxy")
	if err != nil {
		log.Fatal(err)
	}
	dl := exec.Command("go", "mod", "download", "example.com/vulnlib@v1.0.0")
	dl.Dir = cache // outside any module: nothing is written beside the source
	dl.Env = append(os.Environ(), "GOMODCACHE="+cache, "GOPROXY=file://"+filepath.ToSlash(proxy),
		"GOFLAGS=-mod=mod -modcacherw", "GOSUMDB=off", "GOWORK=off")
	if out, err := dl.CombinedOutput(); err != nil {
		log.Fatalf("%v: %s", err, out)
	}
	if old, ok := os.LookupEnv("GOMODCACHE"); ok {
		defer os.Setenv("GOMODCACHE", old)
	} else {
		defer os.Unsetenv("GOMODCACHE")
	}
	os.Setenv("GOMODCACHE", cache)

	db, err := risk.LoadOSV("testdata/gobinary/osv")
	if err != nil {
		log.Fatal(err)
	}
	rep, err := risk.ScanGoSource(context.Background(), "testdata/gosource/app", db)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range rep.Findings {
		if p := f.Evidence.CallPath; len(p) > 0 {
			fmt.Println(f.ID, f.Evidence.Level, strings.Join(p, " → "))
		} else {
			fmt.Println(f.ID, f.Evidence.Level)
		}
	}
	// Output:
	// CHAINGATE-GOBIN-0001 symbol example.com/app.main → example.com/app.run → example.com/vulnlib.Parse
	// CHAINGATE-GOBIN-0005 symbol example.com/app.main → example.com/vulnlib/notcalled.Good
	// CHAINGATE-GOBIN-0002 symbol-absent
	// CHAINGATE-GOBIN-0003 symbol-absent
	// CHAINGATE-GOBIN-0004 package-absent
}
