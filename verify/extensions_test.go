package verify_test

import (
	"reflect"
	"testing"

	"github.com/chaingate/chaingate/verify"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
)

// verify.Extensions owns the JSON of the certificate extensions in
// chaingate.dev/verify/v1. It must carry every field sigstore-go parses,
// under the same JSON name, so that an upgrade of sigstore-go that adds an
// extension is noticed here rather than silently dropped.
func TestExtensionsMirrorSigstore(t *testing.T) {
	ours := reflect.TypeFor[verify.Extensions]()
	theirs := reflect.TypeFor[certificate.Extensions]()
	if ours.NumField() != theirs.NumField() {
		t.Errorf("verify.Extensions has %d fields, sigstore-go's %d", ours.NumField(), theirs.NumField())
	}
	for i := range theirs.NumField() {
		f := theirs.Field(i)
		o, ok := ours.FieldByName(f.Name)
		if !ok {
			t.Errorf("verify.Extensions lacks %s", f.Name)
			continue
		}
		if o.Type != f.Type || o.Tag.Get("json") != f.Tag.Get("json") {
			t.Errorf("%s: ours %s %q, sigstore-go's %s %q", f.Name, o.Type, o.Tag.Get("json"), f.Type, f.Tag.Get("json"))
		}
	}
}
