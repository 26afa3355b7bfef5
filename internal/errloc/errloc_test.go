package errloc

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"testing"
)

func TestOf(t *testing.T) {
	jsonSyntax := []byte("{\n  \"a\": 1,\n  \"b\": ]\n}")
	var v any
	errSyntax := json.Unmarshal(jsonSyntax, &v)

	jsonType := []byte("{\"deps\": {\"x\": 5}}")
	var typed struct {
		Deps map[string]string `json:"deps"`
	}
	errType := json.Unmarshal(jsonType, &typed)

	xmlBad := []byte("<a>\n<b>\n</a>")
	var x struct{}
	errXML := xml.Unmarshal(xmlBad, &x)

	for _, tc := range []struct {
		name string
		data []byte
		err  error
		want Location
	}{
		{"json syntax", jsonSyntax, errSyntax, Location{Offset: 20, Line: 3, Col: 9}},
		{"json type, wrapped", jsonType, fmt.Errorf("parse: %w", errType), Location{Offset: 16, Line: 1, Col: 17, Path: "deps"}},
		{"xml", xmlBad, errXML, Location{Offset: -1, Line: 3}},
		{"line in message", []byte("a: [\n"), errors.New("yaml: line 7: did not find expected node content"), Location{Offset: -1, Line: 7}},
		{"nothing known", []byte("x"), errors.New("bad"), Location{Offset: -1}},
	} {
		if got := Of(tc.data, tc.err); got != tc.want {
			t.Errorf("%s: Of(%v) = %+v, want %+v", tc.name, tc.err, got, tc.want)
		}
	}
}

func TestLineCol(t *testing.T) {
	data := []byte("ab\ncd\n")
	for _, tc := range []struct {
		off       int64
		line, col int
	}{{-1, 0, 0}, {0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {5, 2, 3}, {99, 3, 1}} {
		if l, c := LineCol(data, tc.off); l != tc.line || c != tc.col {
			t.Errorf("LineCol(%d) = %d:%d, want %d:%d", tc.off, l, c, tc.line, tc.col)
		}
	}
}
