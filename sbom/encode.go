package sbom

import (
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ReportSchemaVersion is the version of the JSON shape of ConversionReport.
const ReportSchemaVersion = "chaingate.dev/sbom/conversion/v1"

// ConversionReport says what Encode could not carry into the target
// format. Nothing is dropped silently: every value of the Document that
// the target format has no place for is listed here. An empty report
// means the conversion kept the whole Document.
type ConversionReport struct {
	// SchemaVersion is ReportSchemaVersion.
	SchemaVersion string `json:"schemaVersion"`
	// From is the format the Document came from; To the format written.
	From Format `json:"from"`
	To   Format `json:"to"`
	// Losses are the values the target format could not carry.
	Losses []Loss `json:"losses,omitempty"`
	// Notes are changes that lose no information, such as identifiers
	// rewritten to fit the target format's rules.
	Notes []Loss `json:"notes,omitempty"`
}

// Loss is one value a conversion could not carry (or, in Notes, had to
// change).
type Loss struct {
	// Component is the ID of the component concerned; empty for the
	// document itself.
	Component string `json:"component,omitempty"`
	// Field is the Document field ("cpes", "scope", "hashes", ...).
	Field string `json:"field"`
	// Value is the value that was lost or changed.
	Value string `json:"value,omitempty"`
	// Reason says why.
	Reason string `json:"reason"`
}

// Lossless reports whether the conversion kept every value.
func (r *ConversionReport) Lossless() bool { return r != nil && len(r.Losses) == 0 }

func (r *ConversionReport) lose(comp, field, value, reason string) {
	r.Losses = append(r.Losses, Loss{Component: comp, Field: field, Value: value, Reason: reason})
}

func (r *ConversionReport) note(comp, field, value, reason string) {
	r.Notes = append(r.Notes, Loss{Component: comp, Field: field, Value: value, Reason: reason})
}

// Encode writes doc to w as CycloneDX 1.6 JSON or XML, or SPDX 2.3 JSON
// or tag-value. What the target format cannot carry is dropped; use
// EncodeWithReport to learn what. The output decodes again with Decode.
func Encode(w io.Writer, doc *Document, f Format) error {
	_, err := EncodeWithReport(w, doc, f)
	return err
}

// EncodeWithReport is Encode that also returns the conversion report: every
// value of doc the target format could not carry. The report is returned
// even when writing fails.
func EncodeWithReport(w io.Writer, doc *Document, f Format) (rep *ConversionReport, err error) {
	defer func() {
		// The format libraries must not crash the caller on odd values.
		if p := recover(); p != nil {
			err = fmt.Errorf("sbom: encode %s: %v", f, p)
		}
	}()
	if doc == nil {
		return nil, errors.New("sbom: encode: nil document")
	}
	rep = &ConversionReport{SchemaVersion: ReportSchemaVersion, From: doc.Format, To: f}
	for _, u := range doc.Unmodelled {
		rep.lose("", "source", u, "part of the source document the model does not represent")
	}
	switch f {
	case CycloneDXJSON, CycloneDXXML:
		err = cdxEncode(w, doc, f, rep)
	case SPDXJSON, SPDXTagValue:
		err = spdxEncode(w, doc, f, rep)
	default:
		return rep, fmt.Errorf("sbom: encode %s: %w", f, ErrUnsupportedFormat)
	}
	if err != nil {
		return rep, fmt.Errorf("sbom: encode %s: %w", f, err)
	}
	return rep, nil
}

// encUUID5 derives a name-based (version 5, SHA-1) UUID from name, so that
// the same input always gets the same identifier. Written here because
// the module's uuid package is only an indirect dependency.
func encUUID5(name string) string {
	// The URL namespace of RFC 9562.
	ns := [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = (u[6] & 0x0f) | 0x50
	u[8] = (u[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// encDocKey is a stable string naming a document, for derived identifiers.
func encDocKey(doc *Document) string {
	var b strings.Builder
	b.WriteString(doc.SerialNumber)
	b.WriteString("|")
	b.WriteString(doc.Name)
	b.WriteString("|")
	b.WriteString(doc.Created.UTC().Format("2006-01-02T15:04:05Z"))
	for i := range doc.Components {
		b.WriteString("|")
		b.WriteString(doc.Components[i].ID)
	}
	return b.String()
}
