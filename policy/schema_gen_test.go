package policy

import (
	"bytes"
	"encoding/json"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite input.schema.json from the Input types")

// TestInputSchemaUpToDate generates the JSON Schema of Input from the Go
// types (fields, JSON names, omitempty, doc comments) and compares it with
// input.schema.json; run with -update to rewrite the file.
func TestInputSchemaUpToDate(t *testing.T) {
	docs := schemaFieldDocs(t, "input.go")
	g := &schemaGen{docs: docs, defs: map[string]any{}}
	root := g.object(reflect.TypeOf(Input{}))
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = "https://chaingate.dev/schemas/policy-input/v1.json"
	root["title"] = "chaingate policy input " + InputSchemaVersion
	root["description"] = docs["Input."]
	root["$defs"] = g.defs
	props := root["properties"].(map[string]any)
	sv := props["schemaVersion"].(map[string]any)
	sv["const"] = InputSchemaVersion
	got, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile("input.schema.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got, InputSchema()) {
		t.Fatal("input.schema.json is out of date: run go test ./policy -run TestInputSchemaUpToDate -update")
	}
}

type schemaGen struct {
	docs map[string]string
	defs map[string]any
}

// schemaFieldDocs maps "Type.Field" (and "Type." for the type) to its doc
// comment, joined into one line.
func schemaFieldDocs(t *testing.T, file string) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	clean := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, spec := range gd.Specs {
			ts, ok := spec.(*ast.TypeSpec)
			if !ok {
				continue
			}
			out[ts.Name.Name+"."] = clean(gd.Doc.Text())
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				continue
			}
			for _, fld := range st.Fields.List {
				text := fld.Doc.Text()
				if text == "" {
					text = fld.Comment.Text()
				}
				for _, n := range fld.Names {
					out[ts.Name.Name+"."+n.Name] = clean(text)
				}
			}
		}
	}
	return out
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		s := g.schema(f.Type, !strings.Contains(opts, "omitempty"))
		if d := g.docs[t.Name()+"."+f.Name]; d != "" {
			s["description"] = d
		}
		props[name] = s
		if !strings.Contains(opts, "omitempty") {
			required = append(required, name)
		}
	}
	o := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

// schema returns the schema of a field's type; nullable is true for slices
// and maps without omitempty, which encoding/json writes as null when nil.
func (g *schemaGen) schema(t reflect.Type, nullable bool) map[string]any {
	switch t.Kind() {
	case reflect.Pointer:
		return g.schema(t.Elem(), false)
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		s := map[string]any{"type": "array", "items": g.schema(t.Elem(), false)}
		if nullable {
			s["type"] = []string{"array", "null"}
		}
		return s
	case reflect.Map:
		s := map[string]any{"type": "object"}
		if t.Elem().Kind() != reflect.Interface {
			s["additionalProperties"] = g.schema(t.Elem(), false)
		}
		if nullable {
			s["type"] = []string{"object", "null"}
		}
		return s
	case reflect.Struct:
		if _, ok := g.defs[t.Name()]; !ok {
			g.defs[t.Name()] = nil // placeholder against recursion
			d := g.object(t)
			if doc := g.docs[t.Name()+"."]; doc != "" {
				d["description"] = doc
			}
			g.defs[t.Name()] = d
		}
		return map[string]any{"$ref": "#/$defs/" + t.Name()}
	case reflect.Interface:
		return map[string]any{}
	}
	panic("schema: unsupported kind " + t.Kind().String())
}
