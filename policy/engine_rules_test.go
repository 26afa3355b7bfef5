package policy_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/chaingate/chaingate/policy"
)

// opaMessages counts the messages OPA itself reports under a decision
// document: the elements of a set, and, in an object (a keyed rule's
// document), the messages of each entry, an entry that is neither a set
// nor an object, or an object with a msg, counting as one.
func opaMessages(v any) int {
	switch x := v.(type) {
	case []any:
		return len(x)
	case map[string]any:
		if _, ok := x["msg"]; ok {
			return 1 // a result object
		}
		n := 0
		for _, e := range x {
			switch e.(type) {
			case []any, map[string]any:
				n += opaMessages(e)
			default:
				n++
			}
		}
		return n
	case bool:
		if x {
			return 1
		}
		return 0
	case nil:
		return 0
	}
	return 1
}

// opaDeny evaluates data.main.<rule> with OPA alone.
func opaDeny(t *testing.T, module, rule string, input map[string]any) int {
	t.Helper()
	rs, err := rego.New(rego.Query("x = data.main."+rule), rego.Module("keyed.rego", module), rego.Input(input)).Eval(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) == 0 {
		return 0
	}
	return opaMessages(rs[0].Bindings["x"])
}

// Every shape of deny rule that OPA and conftest accept counts: keyed
// rules (`deny_x[msg] if`, `deny[msg] := true if`, `deny.x contains msg
// if`) build an object, which OPA reports as a non-empty deny. The engine
// must deny exactly when OPA does, beside another rule and alone.
func TestKeyedDenyRules(t *testing.T) {
	ctx := t.Context()
	other := policy.FromModule("other.rego", "package main\n\ndeny contains \"other\" if input.other\n")
	tests := []struct {
		name, rule, module string
		messages           []string // the messages when input.bad
	}{
		{"partial object rule", "deny_x", "package main\n\ndeny_x[msg] if {\n\tinput.bad\n\tmsg := \"bad input\"\n}\n", []string{"bad input"}},
		{"keyed value true", "deny_y", "package main\n\ndeny_y[msg] := true if {\n\tinput.bad\n\tmsg := \"bad input\"\n}\n", []string{"bad input"}},
		{"keyed value false", "deny_z", "package main\n\ndeny_z[msg] := false if {\n\tinput.bad\n\tmsg := \"bad input\"\n}\n", []string{"bad input"}},
		{"keyed string value", "deny_s", "package main\n\ndeny_s[name] := msg if {\n\tinput.bad\n\tname := \"k\"\n\tmsg := \"bad input\"\n}\n", []string{"bad input"}},
		{"dotted multi-value", "deny_d", "package main\n\ndeny_d.x contains msg if {\n\tinput.bad\n\tmsg := \"bad input\"\n}\n", []string{"bad input"}},
		{"deeper dotted", "deny_e", "package main\n\ndeny_e.a.b contains {\"msg\": msg} if {\n\tinput.bad\n\tmsg := \"bad input\"\n}\n\ndeny_e.a.c contains \"second\" if input.bad\n", []string{"bad input", "second"}},
		{"object key", "violation_k", "package main\n\nviolation_k[{\"msg\": msg, \"code\": \"K2\"}] if {\n\tinput.bad\n\tmsg := \"bad input\"\n}\n", []string{"bad input"}},
		{"keyed object value", "deny_o", "package main\n\ndeny_o[id] := {\"msg\": \"bad input\", \"code\": \"K1\"} if {\n\tinput.bad\n\tid := \"c1\"\n}\n", []string{"bad input"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, bad := range []bool{true, false} {
				in := map[string]any{"bad": bad, "other": false}
				want := opaDeny(t, tc.module, tc.rule, in)
				if bad != (want > 0) {
					t.Fatalf("OPA reports %d messages for bad=%v: the case does not test what it says", want, bad)
				}
				for _, beside := range []bool{true, false} {
					opts := []policy.Option{policy.FromModule("keyed.rego", tc.module)}
					if beside {
						opts = append(opts, other)
					}
					e, err := policy.New(ctx, opts...)
					if err != nil {
						t.Fatalf("New (beside another rule: %v): %v", beside, err)
					}
					d, err := e.Decide(ctx, in)
					if err != nil {
						t.Fatal(err)
					}
					if d.Allow != (want == 0) || len(d.Deny) != want {
						t.Fatalf("bad=%v beside=%v: allow %v with %d deny reasons %+v; OPA reports %d", bad, beside, d.Allow, len(d.Deny), d.Deny, want)
					}
					if !bad {
						continue
					}
					var got []string
					for _, r := range d.Deny {
						got = append(got, r.Message)
						if r.Rule != tc.rule || r.Severity != "high" || r.Location == nil || r.Location.File != "keyed.rego" {
							t.Errorf("reason %+v", r)
						}
					}
					if strings.Join(got, "|") != strings.Join(tc.messages, "|") {
						t.Errorf("messages %q, want %q", got, tc.messages)
					}
				}
			}
		})
	}
}

// A keyed warn rule warns; rules of a package below the namespace
// (package main.deny_pkg) make data.main.deny_pkg too, and count.
func TestKeyedWarnAndSubpackageRules(t *testing.T) {
	ctx := t.Context()
	e, err := policy.New(ctx,
		policy.FromModule("w.rego", "package main\n\nwarn_w[msg] if {\n\tinput.bad\n\tmsg := \"careful\"\n}\n"),
		policy.FromModule("sub.rego", "package main.deny_pkg\n\nx contains \"from a sub-package\" if input.bad\n"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.Decide(ctx, map[string]any{"bad": true})
	if err != nil {
		t.Fatal(err)
	}
	if d.Allow || len(d.Deny) != 1 || d.Deny[0].Message != "from a sub-package" || d.Deny[0].Rule != "deny_pkg" ||
		len(d.Warn) != 1 || d.Warn[0].Message != "careful" || d.Warn[0].Metadata["key"] != "careful" {
		t.Fatalf("decision %+v", d)
	}
	if d, err := e.Decide(ctx, map[string]any{"bad": false}); err != nil || !d.Allow || len(d.Warn) != 0 {
		t.Fatalf("clean input: %+v %v", d, err)
	}
}

// allow and exception rules cannot be keyed: New names the rule instead
// of reading "not allowed" or "nothing excepted" at every decision.
func TestKeyedAllowAndExceptionRefused(t *testing.T) {
	for name, mod := range map[string]string{
		"main.allow":     "package main\n\ndeny contains \"d\" if input.d\n\nallow[x] if {\n\tsome x in input.xs\n}\n",
		"main.exception": "package main\n\ndeny_a contains \"d\" if input.d\n\nexception.a contains \"a\" if input.ok\n",
	} {
		_, err := policy.New(t.Context(), policy.FromModule("k.rego", mod))
		if !errors.Is(err, policy.ErrLoad) || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "k.rego:") {
			t.Errorf("%s: err %v, want ErrLoad naming the rule and its file", name, err)
		}
	}
}

// An allow rule that evaluates to false denies, with no deny rule firing.
func TestAllowFalseDenies(t *testing.T) {
	ctx := t.Context()
	e, err := policy.New(ctx, policy.FromModule("a.rego", `package main

deny contains "never" if input.never

default allow := false

allow if input.approved == true
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		approved bool
		allow    bool
	}{{false, false}, {true, true}} {
		d, err := e.Decide(ctx, map[string]any{"approved": tc.approved})
		if err != nil {
			t.Fatal(err)
		}
		if d.Allow != tc.allow || len(d.Deny) != 0 {
			t.Errorf("approved %v: allow %v deny %+v, want allow %v", tc.approved, d.Allow, d.Deny, tc.allow)
		}
	}
	// A false allow in one namespace is not outvoted by a true one in another.
	e2, err := policy.New(ctx,
		policy.FromModule("a.rego", "package a\n\ndefault allow := false\n\nallow if input.a\n"),
		policy.FromModule("b.rego", "package b\n\ndefault allow := false\n\nallow if input.b\n"),
		policy.WithNamespaces("a", "b"))
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []map[string]any{{"a": true, "b": false}, {"a": false, "b": true}} {
		if d, err := e2.Decide(ctx, in); err != nil || d.Allow {
			t.Errorf("%v: allow %v err %v, want a deny", in, d.Allow, err)
		}
	}
	if d, err := e2.Decide(ctx, map[string]any{"a": true, "b": true}); err != nil || !d.Allow {
		t.Errorf("both allow: %+v %v", d, err)
	}
}

// An exception excuses only the rule it names: with two rules firing, the
// other one still denies.
func TestExceptionExcusesOnlyItsRule(t *testing.T) {
	ctx := t.Context()
	e, err := policy.New(ctx, policy.FromModule("x.rego", `package main

deny_latest contains "uses latest" if input.latest

deny_root contains "runs as root" if input.root

exception contains rules if {
	input.break_glass
	rules := ["latest"]
}
`))
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.Decide(ctx, map[string]any{"latest": true, "root": true, "break_glass": true})
	if err != nil {
		t.Fatal(err)
	}
	if d.Allow || len(d.Deny) != 1 || d.Deny[0].Rule != "deny_root" || len(d.Exceptions) != 1 || d.Exceptions[0].Rule != "deny_latest" {
		t.Fatalf("allow %v deny %+v exceptions %+v: want deny_root denied and deny_latest excepted", d.Allow, d.Deny, d.Exceptions)
	}
	d, err = e.Decide(ctx, map[string]any{"latest": true, "root": false, "break_glass": true})
	if err != nil || !d.Allow || len(d.Exceptions) != 1 {
		t.Fatalf("only the excepted rule fires: %+v %v", d, err)
	}
	d, err = e.Decide(ctx, map[string]any{"latest": true, "root": true})
	if err != nil || d.Allow || len(d.Deny) != 2 || len(d.Exceptions) != 0 {
		t.Fatalf("no exception: %+v %v", d, err)
	}
}

// Options that would silently override each other are refused, in
// either order.
func TestConflictingNamespaceOptions(t *testing.T) {
	mod := policy.FromModule("m.rego", "package team.a\n\ndeny contains \"a\" if input.a\n")
	for _, opts := range [][]policy.Option{
		{mod, policy.WithNamespaces("team.a"), policy.WithAllNamespaces()},
		{mod, policy.WithAllNamespaces(), policy.WithNamespaces("team.a")},
	} {
		_, err := policy.New(t.Context(), opts...)
		if !errors.Is(err, policy.ErrInvalidOption) || !strings.Contains(err.Error(), "WithAllNamespaces") || !strings.Contains(err.Error(), "team.a") {
			t.Errorf("err %v, want ErrInvalidOption naming both options", err)
		}
	}
}

// FuzzKeyedRules checks, for any module that loads, that the engine never
// allows where OPA itself reports a deny or violation message: whatever
// the rule's shape, nothing a policy denies is dropped.
func FuzzKeyedRules(f *testing.F) {
	for _, src := range []string{
		"package main\n\ndeny_x[msg] if {\n\tinput.bad\n\tmsg := \"bad input\"\n}\n",
		"package main\n\ndeny[msg] := true if {\n\tinput.bad\n\tmsg := \"bad input\"\n}\n",
		"package main\n\ndeny.x contains msg if {\n\tinput.bad\n\tmsg := \"bad input\"\n}\n",
		"package main\n\ndeny_e.a.b contains {\"msg\": \"m\"} if input.bad\n",
		"package main\n\nviolation[{\"msg\": \"m\"}] if input.bad\n",
		"package main\n\ndeny[k] := v if {\n\tsome k, v in input.pairs\n}\n",
		"package main\n\nwarn_w[msg] if {\n\tinput.bad\n\tmsg := \"careful\"\n}\n\ndeny contains \"d\" if input.bad\n",
		"package main.deny\n\nx contains \"sub\" if input.bad\n",
		"package main\n\ndeny_x[msg] if {\n\tinput.bad\n\tmsg := \"m\"\n}\n\ndeny contains \"never\" if false\n",
		"package main\n\ndefault allow := false\n\nallow if input.ok\n\ndeny contains \"d\" if false\n",
	} {
		f.Add(src)
	}
	input := map[string]any{"bad": true, "ok": true, "pairs": map[string]any{"a": "b", "c": false}}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4096 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // bounds evaluation only; an expired context is a refusal
		defer cancel()
		e, err := policy.New(ctx, policy.FromModule("f.rego", src))
		if err != nil {
			return
		}
		d, err := e.Decide(ctx, input)
		if err != nil {
			return // any error is "not allowed"
		}
		rs, err := rego.New(rego.Query("x = data.main"), rego.Module("f.rego", src), rego.Input(input)).Eval(ctx)
		if err != nil || len(rs) == 0 {
			return
		}
		doc, _ := rs[0].Bindings["x"].(map[string]any)
		for name, v := range doc {
			if !denyName.MatchString(name) {
				continue
			}
			if n := opaMessages(v); n > 0 && d.Allow {
				t.Fatalf("OPA reports %d messages under data.main.%s (%v) but the engine allows:\n%s", n, name, v, src)
			}
		}
	})
}

var denyName = regexp.MustCompile(`^(deny|violation)(_[A-Za-z0-9_]+)?$`)

// Rules written with a key count like partial sets: each entry OPA
// reports is one reason, with its key path in the metadata.
func ExampleNew_keyedRules() {
	ctx := context.Background()
	engine, err := policy.New(ctx, policy.FromModule("keyed.rego", `package main

deny_root[msg] if {
	input.user == "root"
	msg := "runs as root"
}

deny.registry contains msg if {
	not startswith(input.image, "ghcr.io/")
	msg := sprintf("image %s is not from ghcr.io", [input.image])
}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	d, err := engine.Decide(ctx, map[string]any{"user": "root", "image": "docker.io/library/nginx"})
	if err != nil {
		fmt.Println("not allowed:", err)
		return
	}
	fmt.Println("allow:", d.Allow)
	for _, r := range d.Deny {
		fmt.Printf("%s (key %v): %s\n", r.Rule, r.Metadata["key"], r.Message)
	}
	// Output:
	// allow: false
	// deny (key registry): image docker.io/library/nginx is not from ghcr.io
	// deny_root (key runs as root): runs as root
}
