package risk

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chaingate/chaingate/internal/gobin/gobintest"
)

// TestScanGoSourceRoundTrip: a value of a vulnerable type handed to
// packages whose bodies are skipped (context.WithValue, sync.Map,
// atomic.Value) and given back to the module's code, which calls the
// vulnerable method through an interface the module declares (no
// interface of the skipped code names the method). govulncheck's
// whole-program VTA follows the value through the standard library's
// fields; so must ScanGoSource.
func TestScanGoSourceRoundTrip(t *testing.T) {
	for name, body := range map[string]string{
		"context": `ctx := context.WithValue(context.Background(), key{}, &vulnlib.T{})
	if m, ok := ctx.Value(key{}).(methoder); ok {
		println(m.Method())
	}`,
		"sync.Map": `var m sync.Map
	m.Store(key{}, &vulnlib.T{})
	v, _ := m.Load(key{})
	println(v.(methoder).Method())`,
		"atomic.Value": `var v atomic.Value
	v.Store(methoder(&vulnlib.T{}))
	println(v.Load().(methoder).Method())`,
	} {
		t.Run(name, func(t *testing.T) {
			dir, modcache := gobintest.Source(t, true)
			t.Setenv("GOMODCACHE", modcache)
			src := `package main

import (
	"context"
	"sync"
	"sync/atomic"

	"example.com/vulnlib"
)

type methoder interface{ Method() string }

type key struct{}

var (
	_ = context.Background
	_ sync.Map
	_ atomic.Value
)

func main() {
	` + body + `
}
`
			if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			rep, err := ScanGoSource(context.Background(), dir, goBinTestDB(t))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range rep.Findings {
				if f.ID == "GO-TEST-0004" && f.Evidence.Level != EvidenceSymbol {
					t.Errorf("%s: %s (%s), want symbol: T.Method is called", f.ID, f.Evidence.Level, f.Evidence.Reason)
				}
			}
		})
	}
}
