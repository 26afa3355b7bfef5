package lockfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

// TestError checks what an *Error says about a malformed file: the
// location each syntax library gives, the parsers' own line numbers,
// the text, and that the library's error stays reachable.
func TestError(t *testing.T) {
	for _, tc := range []struct {
		name      string
		p         Parser
		data      string
		line, col int
		offset    int64
		path      string
		text      string
		jsonSyn   bool
	}{
		{name: "json syntax", p: Composer, data: "{\n  \"packages\": [\n    {\"name\": \"a/b\",, }\n  ]\n}\n",
			line: 3, col: 21, offset: 38, jsonSyn: true,
			text: "lockfile: dir/composer.lock:3:21: parse composer.lock: invalid character ',' looking for beginning of object key string"},
		{name: "json type", p: NuGet, data: `{"version": 1, "dependencies": {"net8.0": {"A": {"resolved": 5}}}}`,
			line: 1, col: 63, offset: 62, path: "dependencies.resolved",
			text: "lockfile: dir/packages.lock.json:1:63: parse packages.lock.json at dependencies.resolved: json: cannot unmarshal number into Go struct field entry.dependencies.resolved of type string"},
		{name: "toml", p: Cargo, data: "version = 3\n\n[[package]]\nname = \"a\"\nversion = = \"1\"\n", line: 5, offset: -1},
		{name: "own error with a line", p: Gemfile, data: "GEM\n  remote: https://rubygems.org/\n  specs:\n    rails 7.0\n", line: 4, offset: -1,
			text: "lockfile: dir/Gemfile.lock:4: parse Gemfile.lock: spec \"rails 7.0\" is not \"name (version)\""},
		{name: "purl check", p: Yarn, data: "# yarn lockfile v1\n\n\"@/@1.0.0\":\n  version \"1.0.0\"\n", offset: -1,
			text: "lockfile: dir/yarn.lock: parse yarn.lock: package \"@/\" is not a valid package name (purl \"pkg:npm/%40/@1.0.0\")"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.p.Run(Input{Data: []byte(tc.data), Name: "dir/" + tc.p.Format})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%v: not an *Error", err)
			}
			if e.File != "dir/"+tc.p.Format || e.Format != tc.p.Format {
				t.Errorf("File %q, Format %q: want the input's name and %q", e.File, e.Format, tc.p.Format)
			}
			if e.Line != tc.line || e.Col != tc.col || e.Offset != tc.offset || e.Path != tc.path {
				t.Errorf("at line %d, column %d, offset %d, path %q; want %d, %d, %d, %q",
					e.Line, e.Col, e.Offset, e.Path, tc.line, tc.col, tc.offset, tc.path)
			}
			if tc.text != "" && err.Error() != tc.text {
				t.Errorf("Error() = %q\nwant      %q", err.Error(), tc.text)
			}
			var syn *json.SyntaxError
			if errors.As(err, &syn) != tc.jsonSyn {
				t.Errorf("errors.As(*json.SyntaxError) = %v, want %v", !tc.jsonSyn, tc.jsonSyn)
			}
		})
	}
}

func ExampleParser_Run() {
	data := []byte(`version = 3

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["itoa"]

[[package]]
name = "itoa"
version = "1.0.11"
source = "registry+https://github.com/rust-lang/crates.io-index"
`)
	f, err := Cargo.Run(Input{Data: data, Name: "Cargo.lock"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range f.Packages {
		fmt.Println(f.Format, f.Ecosystem, p.PURL, p.Direct)
	}
	// Output:
	// Cargo.lock crates.io pkg:cargo/itoa@1.0.11 1
}
