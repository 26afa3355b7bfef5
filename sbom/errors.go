package sbom

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/chaingate/chaingate/internal/imagefs"
)

// ErrTooLarge is returned (wrapped) by Decode when the input is larger than
// the size limit (DefaultMaxSize unless WithMaxSize sets another).
var ErrTooLarge = imagefs.ErrInputTooLarge

// ErrUnsupportedFormat is returned (wrapped) when the input is not an SBOM
// format chaingate reads, or when Encode is asked for a format it does not
// write.
var ErrUnsupportedFormat = errors.New("sbom: unsupported format")

// ParseError reports input that could not be decoded, or that Strict
// decoding rejected. Line and Col are 1-based and zero when the decoder
// does not know them.
type ParseError struct {
	// Format is the format the input was read as.
	Format Format
	// Line and Col locate the problem in the input (1-based), when known.
	Line, Col int
	// Offset is the byte offset of the problem, or -1 when unknown.
	Offset int64
	// Path is a location inside the document ("/components/3/purl" for a
	// schema violation, "packages[2]" for a missing SPDX field), if any.
	Path string
	// Err is the underlying error.
	Err error
}

// Error describes the problem with its format and location.
func (e *ParseError) Error() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "sbom: parse %s", e.Format)
	switch {
	case e.Line > 0 && e.Col > 0:
		fmt.Fprintf(&b, " at line %d, column %d", e.Line, e.Col)
	case e.Line > 0:
		fmt.Fprintf(&b, " at line %d", e.Line)
	}
	if e.Path != "" {
		fmt.Fprintf(&b, " at %s", e.Path)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// decLineCol turns a byte offset into a 1-based line and column.
func decLineCol(data []byte, off int64) (line, col int) {
	if off < 0 {
		return 0, 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	prefix := data[:off]
	line = bytes.Count(prefix, []byte{'\n'}) + 1
	col = int(off) - (bytes.LastIndexByte(prefix, '\n') + 1) + 1
	return line, col
}

var (
	decLineRE = regexp.MustCompile(`\bline (\d+)\b`)
	decTagRE  = regexp.MustCompile(`\btag ([A-Za-z][A-Za-z0-9]*)\b`)
)

// decParseError builds a *ParseError for err, finding the location from
// the error types of encoding/json and encoding/xml when it can.
func decParseError(f Format, data []byte, err error) *ParseError {
	var pe *ParseError
	if errors.As(err, &pe) {
		return pe
	}
	e := &ParseError{Format: f, Offset: -1, Err: err}
	var off int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var xsyn *xml.SyntaxError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
		if typ.Field != "" {
			e.Path = typ.Field
		}
	case errors.As(err, &xsyn):
		e.Line = xsyn.Line
	default:
		// YAML and tag-value readers put the line in the message only.
		if m := decLineRE.FindStringSubmatch(err.Error()); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
		} else if m := decTagRE.FindStringSubmatch(err.Error()); m != nil && f == SPDXTagValue {
			// tools-golang names the offending tag, not its line: find
			// the first line with that tag.
			tag := []byte(m[1] + ":")
			for i, line := range bytes.Split(data, []byte{'\n'}) {
				if bytes.HasPrefix(bytes.TrimSpace(line), tag) {
					e.Line, e.Col = i+1, 1
					break
				}
			}
		}
	}
	if off >= 0 {
		e.Offset = off
		e.Line, e.Col = decLineCol(data, off)
	}
	return e
}
