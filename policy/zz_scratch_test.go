package policy_test

import (
	"context"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

func TestScratchRuleCost(t *testing.T) {
	f := loadBenchFixture(t)
	s := libraryPolicy(t, f)
	v, _ := ast.InterfaceToValue(f.raw)
	for _, part := range append(strings.Split(s.engine.Query(), "; "), "x = data.chaingate.lib.sbom.comps", "x = data.chaingate.lib.sbom.licenses", "x = data.chaingate.lib.sbom.cfg", "x = data.chaingate.lib.vulnerabilities.active") {
		pq := rawQuery(t, part, f.config, libMods(t))
		start := cpuTime()
		for i := 0; i < 20; i++ {
			if _, err := pq.Eval(context.Background(), rego.EvalParsedInput(v)); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("%8.2fms %s", float64((cpuTime()-start).Microseconds())/20000, part)
	}
}
