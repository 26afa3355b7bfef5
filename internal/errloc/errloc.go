// Package errloc finds where in its input a syntax library's error
// points, for the parse errors of sbom's decoders and of
// internal/lockfile (which cannot share sbom's code: sbom imports it).
package errloc

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"regexp"
	"strconv"
)

// Location is where an error points in its input. Offset is -1 and
// Line and Col are 0 when unknown.
type Location struct {
	Offset    int64
	Line, Col int
	// Path is the JSON field path of an encoding/json type error.
	Path string
}

var lineRE = regexp.MustCompile(`\bline (\d+)\b`)

// Of returns the location err names in data: the byte offset of an
// encoding/json syntax or type error (with its line and column and the
// type error's field path), the line of an encoding/xml syntax error,
// else a "line N" in the message (the YAML and TOML readers put it
// only there).
func Of(data []byte, err error) Location {
	loc := Location{Offset: -1}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var xsyn *xml.SyntaxError
	switch {
	case errors.As(err, &syn):
		loc.Offset = syn.Offset
	case errors.As(err, &typ):
		loc.Offset = typ.Offset
		loc.Path = typ.Field
	case errors.As(err, &xsyn):
		loc.Line = xsyn.Line
	default:
		if m := lineRE.FindStringSubmatch(err.Error()); m != nil {
			loc.Line, _ = strconv.Atoi(m[1])
		}
	}
	if loc.Offset >= 0 {
		loc.Line, loc.Col = LineCol(data, loc.Offset)
	}
	return loc
}

// LineCol turns a byte offset into a 1-based line and column; an offset
// past the end counts as the end, a negative one gives 0, 0.
func LineCol(data []byte, off int64) (line, col int) {
	if off < 0 {
		return 0, 0
	}
	off = min(off, int64(len(data)))
	prefix := data[:off]
	return bytes.Count(prefix, []byte{'\n'}) + 1, len(prefix) - (bytes.LastIndexByte(prefix, '\n') + 1) + 1
}
