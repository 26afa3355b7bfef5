package policy_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/chaingate/chaingate/policy"
)

func TestConftestConventions(t *testing.T) {
	ctx := context.Background()
	e, err := policy.New(ctx, policy.FromDir("testdata/conftest"))
	if err != nil {
		t.Fatal(err)
	}
	var in map[string]any
	if err := json.Unmarshal([]byte(`{"artifact":{"name":"ghcr.io/acme/api","tag":"latest"}}`), &in); err != nil {
		t.Fatal(err)
	}
	d, err := e.Decide(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if d.Allow {
		t.Fatal("allowed")
	}
	if len(d.Deny) != 2 || len(d.Warn) != 1 {
		t.Fatalf("deny=%+v warn=%+v", d.Deny, d.Warn)
	}
	b, _ := json.MarshalIndent(d, "", "  ")
	t.Logf("%s", b)
	_ = errors.Is
}
