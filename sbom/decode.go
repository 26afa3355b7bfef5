package sbom

import (
	"errors"
	"fmt"
	"io"
)

// DefaultMaxSize is the default limit on the size of a document Decode
// reads: 256 MiB.
const DefaultMaxSize int64 = 256 << 20

// DecodeOption configures Decode.
type DecodeOption func(*decConfig) error

type decConfig struct {
	strict  bool
	maxSize int64
	format  Format
}

// Strict makes Decode check the document against its specification:
// CycloneDX JSON against the official JSON schema of its spec version
// (1.2 to 1.6), CycloneDX XML and SPDX against their required fields and
// value rules. A document that breaks them is a *ParseError. Without
// Strict, Decode accepts whatever the underlying decoder accepts.
func Strict() DecodeOption {
	return func(c *decConfig) error {
		c.strict = true
		return nil
	}
}

// WithMaxSize sets the largest input Decode reads, in bytes; a larger
// input is an error wrapping ErrTooLarge. The default is DefaultMaxSize.
func WithMaxSize(n int64) DecodeOption {
	return func(c *decConfig) error {
		if n <= 0 {
			return fmt.Errorf("sbom: WithMaxSize(%d): size must be positive", n)
		}
		c.maxSize = n
		return nil
	}
}

// WithFormat makes Decode read the input as f instead of detecting its
// format.
func WithFormat(f Format) DecodeOption {
	return func(c *decConfig) error {
		switch f {
		case CycloneDXJSON, CycloneDXXML, SPDXJSON, SPDXTagValue, SPDXYAML, SPDXRDF:
			c.format = f
			return nil
		}
		return fmt.Errorf("sbom: WithFormat(%q): %w", f, ErrUnsupportedFormat)
	}
}

// Decode reads one SBOM from r: CycloneDX JSON or XML (spec 1.0 to 1.7 as
// cyclonedx-go reads them) or SPDX 2.x JSON, tag-value, YAML or RDF/XML
// (as tools-golang reads them). The format is detected unless WithFormat
// names it. Input beyond the size limit is an error wrapping ErrTooLarge;
// input that cannot be decoded is a *ParseError. Decoding does not
// validate: use Strict for the specification's rules and Validate for
// semantic problems.
func Decode(r io.Reader, opts ...DecodeOption) (*Document, error) {
	cfg := decConfig{maxSize: DefaultMaxSize}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	data, err := decReadAll(r, cfg.maxSize)
	if err != nil {
		return nil, err
	}
	f := cfg.format
	if f == FormatUnknown {
		f = decDetect(data, false)
		if f == FormatUnknown {
			return nil, fmt.Errorf("sbom: decode: %w", ErrUnsupportedFormat)
		}
	}
	doc, err := decBytes(data, f, cfg.strict)
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// decBytes decodes data as format f, turning panics of the underlying
// decoders into errors (fail closed; no input may crash the caller).
func decBytes(data []byte, f Format, strict bool) (doc *Document, err error) {
	defer func() {
		if p := recover(); p != nil {
			doc = nil
			err = &ParseError{Format: f, Offset: -1, Err: fmt.Errorf("decoder failed: %v", p)}
		}
	}()
	switch f {
	case CycloneDXJSON, CycloneDXXML:
		return cdxDecode(data, f, strict)
	case SPDXJSON, SPDXTagValue, SPDXYAML, SPDXRDF:
		return spdxDecode(data, f, strict)
	}
	return nil, fmt.Errorf("sbom: decode %s: %w", f, ErrUnsupportedFormat)
}

// decReadAll reads all of r, failing with ErrTooLarge as soon as more than
// max bytes arrive (so an endless reader costs at most max+1 bytes).
func decReadAll(r io.Reader, max int64) ([]byte, error) {
	if r == nil {
		return nil, errors.New("sbom: decode: nil reader")
	}
	// Readers that know their length (bytes.Reader, strings.Reader,
	// bytes.Buffer) get one exact allocation.
	size := int64(512)
	if l, ok := r.(interface{ Len() int }); ok {
		n := int64(l.Len())
		if n > max {
			return nil, fmt.Errorf("sbom: decode: %d bytes, limit %d: %w", n, max, ErrTooLarge)
		}
		size = n + 1 // +1 so the final Read sees EOF without growing
	}
	lr := io.LimitReader(r, max+1)
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		m, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if int64(len(buf)) > max {
			return nil, fmt.Errorf("sbom: decode: more than %d bytes: %w", max, ErrTooLarge)
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, fmt.Errorf("sbom: decode: read: %w", err)
		}
	}
}
