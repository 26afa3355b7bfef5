package sbom

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"

	"github.com/chaingate/chaingate/internal/errloc"
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

var decTagRE = regexp.MustCompile(`\btag ([A-Za-z][A-Za-z0-9]*)\b`)

// decParseError builds a *ParseError for err, finding the location from
// the error types of encoding/json and encoding/xml when it can.
func decParseError(f Format, data []byte, err error) *ParseError {
	var pe *ParseError
	if errors.As(err, &pe) {
		return pe
	}
	loc := errloc.Of(data, err)
	e := &ParseError{Format: f, Offset: loc.Offset, Line: loc.Line, Col: loc.Col, Path: loc.Path, Err: err}
	if loc.Offset < 0 && loc.Line == 0 && f == SPDXTagValue {
		// tools-golang names the offending tag, not its line: find the
		// first line with that tag.
		if m := decTagRE.FindStringSubmatch(err.Error()); m != nil {
			tag := []byte(m[1] + ":")
			for i, line := range bytes.Split(data, []byte{'\n'}) {
				if bytes.HasPrefix(bytes.TrimSpace(line), tag) {
					e.Line, e.Col = i+1, 1
					break
				}
			}
		}
	}
	return e
}
