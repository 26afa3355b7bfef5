package sbom

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestLockfileParseErrors pins the errors FromLockfile returns for
// malformed lockfiles of every kind of failure: a syntax library's error
// with its location (JSON offset, JSON field, TOML, YAML and XML line), a
// parser's own error with and without a line, the purl check every
// parser's output goes through, and the two adapters (package-lock.json,
// go.mod). The wanted messages and fields were recorded from the code
// before internal/lockfile existed (commit ada7f4e), so the conversion of
// *lockfile.Error into *ParseError keeps Error() and errors.As exactly.
// One word differs since: encoding/json names the Go type it decodes
// package-lock.json into, renamed from genNPMLock to npmLock.
func TestLockfileParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, file, data string
		want             string
		line, col        int
		offset           int64
		path             string
	}{
		{"json syntax", "composer.lock", "{\n  \"packages\": [\n    {\"name\": \"a/b\",, }\n  ]\n}\n",
			"sbom: lockfile composer.lock: sbom: parse composer.lock at line 3, column 21: invalid character ',' looking for beginning of object key string",
			3, 21, 38, ""},
		{"json type", "packages.lock.json", "{\"version\": 1, \"dependencies\": {\"net8.0\": {\"A\": {\"resolved\": 5}}}}",
			"sbom: lockfile packages.lock.json: sbom: parse packages.lock.json at line 1, column 63 at dependencies.resolved: json: cannot unmarshal number into Go struct field entry.dependencies.resolved of type string",
			1, 63, 62, "dependencies.resolved"},
		{"json truncated", "Pipfile.lock", "{\"default\": {",
			"sbom: lockfile Pipfile.lock: sbom: parse Pipfile.lock at line 1, column 14: unexpected end of JSON input",
			1, 14, 13, ""},
		{"toml", "Cargo.lock", "version = 3\n\n[[package]]\nname = \"a\"\nversion = = \"1\"\n",
			"sbom: lockfile Cargo.lock: sbom: parse Cargo.lock at line 5: toml: line 5 (last key \"package.version\"): expected value but found '=' instead",
			5, 0, -1, ""},
		{"toml missing name", "Cargo.lock", "version = 3\n\n[[package]]\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
			"sbom: lockfile Cargo.lock: sbom: parse Cargo.lock: package 1 has no name or version",
			0, 0, -1, ""},
		{"yaml", "pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: [\n",
			"sbom: lockfile pnpm-lock.yaml: sbom: parse pnpm-lock.yaml at line 3: yaml: line 3: did not find expected node content",
			3, 0, -1, ""},
		{"yaml pubspec", "pubspec.lock", "packages:\n\tfoo: bar\n",
			"sbom: lockfile pubspec.lock: sbom: parse pubspec.lock at line 2: yaml: line 2: found character that cannot start any token",
			2, 0, -1, ""},
		{"xml", "pom.xml", "<project>\n<dependencies>\n<dependency></project>\n",
			"sbom: lockfile pom.xml: sbom: parse pom.xml at line 3: XML syntax error on line 3: element <dependency> closed by </project>",
			3, 0, -1, ""},
		{"yarn header", "yarn.lock", "# yarn lockfile v1\n\n\nleft-pad@^1.3.0\n  version \"1.3.0\"\n",
			"sbom: lockfile yarn.lock: sbom: parse yarn.lock at line 4: entry header \"left-pad@^1.3.0\" does not end with ':'",
			4, 0, -1, ""},
		{"gemfile spec", "Gemfile.lock", "GEM\n  remote: https://rubygems.org/\n  specs:\n    rails 7.0\n\nPLATFORMS\n  ruby\n",
			"sbom: lockfile Gemfile.lock: sbom: parse Gemfile.lock at line 4: spec \"rails 7.0\" is not \"name (version)\"",
			4, 0, -1, ""},
		{"gradle", "gradle.lockfile", "# comment\norg.example:lib=runtimeClasspath\n",
			"sbom: lockfile gradle.lockfile: sbom: parse gradle.lockfile at line 2: \"org.example:lib=runtimeClasspath\" is not group:artifact:version=configurations",
			2, 0, -1, ""},
		{"mix", "mix.lock", "%{\n  \"jason\" => 1,\n}\n",
			"sbom: lockfile mix.lock: sbom: parse mix.lock at line 2: entry \"\\\"jason\\\" => 1,\" is not \"name\": {:kind, ...}",
			2, 0, -1, ""},
		{"bad purl", "yarn.lock", "# yarn lockfile v1\n\n\"@/@1.0.0\":\n  version \"1.0.0\"\n",
			"sbom: lockfile yarn.lock: sbom: parse yarn.lock: package \"@/\" is not a valid package name (purl \"pkg:npm/%40/@1.0.0\")",
			0, 0, -1, ""},
		{"npm", "package-lock.json", "{\"lockfileVersion\": 3, \"packages\": {\"\": }}",
			"sbom: lockfile package-lock.json: sbom: parse npm-package-lock at line 1, column 42: invalid character '}' looking for beginning of value",
			1, 42, 41, ""},
		{"npm v1", "package-lock.json", "{\"lockfileVersion\": 1, \"dependencies\": 5}",
			"sbom: lockfile package-lock.json: sbom: parse npm-package-lock at line 1, column 41 at dependencies: json: cannot unmarshal number into Go struct field npmLock.dependencies of type map[string]json.RawMessage",
			1, 41, 40, "dependencies"},
		{"go.mod", "go.mod", "module example.com/m\n\nrequire (\n\tfoo\n)\n",
			"sbom: lockfile go.mod: sbom: parse go.mod at line 4, column 2: go.mod:4:2: usage: require module/path v1.2.3",
			4, 2, 33, ""},
		{"podfile", "Podfile.lock", "PODS:\n  - Alamofire 5.0\n",
			"sbom: lockfile Podfile.lock: sbom: parse Podfile.lock: pod \"Alamofire 5.0\" is not \"Name (version)\"",
			0, 0, -1, ""},
		{"uv no version", "uv.lock", "[[package]]\nname = \"a\"\n",
			"sbom: lockfile uv.lock: sbom: parse uv.lock at line 1: no version: not a uv.lock",
			1, 0, -1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), tc.file)
			if err := os.WriteFile(p, []byte(tc.data), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := FromLockfile(context.Background(), p)
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tc.want {
				t.Errorf("Error() = %q\nwant      %q", err.Error(), tc.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("%v: not a *ParseError", err)
			}
			if pe.Line != tc.line || pe.Col != tc.col || pe.Offset != tc.offset || pe.Path != tc.path {
				t.Errorf("ParseError at line %d, column %d, offset %d, path %q; want %d, %d, %d, %q",
					pe.Line, pe.Col, pe.Offset, pe.Path, tc.line, tc.col, tc.offset, tc.path)
			}
			if pe.Err == nil || errors.Unwrap(pe) == nil {
				t.Errorf("ParseError.Err = %v: want the cause, unwrapped", pe.Err)
			}
		})
	}
}
