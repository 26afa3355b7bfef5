package sbom

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
)

// decSniffSize is how much of the input Detect reads, and how much of it
// Decode looks at before falling back to a scan of the top-level JSON keys.
const decSniffSize = 64 << 10

// Detect reads the start of r (at most 64 KiB) and names its format
// without decoding it. It returns an error wrapping ErrUnsupportedFormat
// when the input is none of the formats chaingate reads.
func Detect(r io.Reader) (Format, error) {
	buf := make([]byte, decSniffSize)
	n, err := io.ReadFull(r, buf)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return FormatUnknown, fmt.Errorf("sbom: detect: %w", err)
	}
	f := decDetect(buf[:n], n == len(buf))
	if f == FormatUnknown {
		return f, fmt.Errorf("sbom: detect: %w", ErrUnsupportedFormat)
	}
	return f, nil
}

// decDetect names the format of data. truncated says data is only the
// start of the input, so a JSON document whose format keys come late
// cannot be scanned in full.
func decDetect(data []byte, truncated bool) Format {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // UTF-8 BOM
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return FormatUnknown
	}
	switch trimmed[0] {
	case '{':
		head := trimmed
		if len(head) > decSniffSize {
			head = head[:decSniffSize]
		}
		// Producers write bomFormat or spdxVersion first in practice; look
		// for the key in the head before scanning the top-level keys.
		cdx := bytes.Index(head, []byte(`"bomFormat"`))
		spdx := bytes.Index(head, []byte(`"spdxVersion"`))
		switch {
		case cdx >= 0 && (spdx < 0 || cdx < spdx):
			return CycloneDXJSON
		case spdx >= 0:
			return SPDXJSON
		}
		if truncated {
			return FormatUnknown
		}
		return decDetectJSONKeys(trimmed)
	case '<':
		return decDetectXML(trimmed)
	}
	return decDetectText(trimmed)
}

// decDetectJSONKeys scans the top-level keys of a JSON object.
func decDetectJSONKeys(data []byte) Format {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return FormatUnknown
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return FormatUnknown
		}
		switch t {
		case "bomFormat":
			return CycloneDXJSON
		case "spdxVersion":
			return SPDXJSON
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return FormatUnknown
		}
	}
	return FormatUnknown
}

// decDetectXML looks at the root element of an XML document.
func decDetectXML(data []byte) Format {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return FormatUnknown
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case se.Name.Local == "bom" && bytes.HasPrefix([]byte(se.Name.Space), []byte("http://cyclonedx.org/schema/bom")):
			return CycloneDXXML
		case se.Name.Local == "RDF":
			if bytes.Contains(data, []byte("spdx.org/rdf/terms")) {
				return SPDXRDF
			}
		}
		return FormatUnknown
	}
}

// decDetectText recognises SPDX tag-value ("SPDXVersion: SPDX-2.3") and
// SPDX YAML ("spdxVersion: SPDX-2.3") by their first meaningful lines.
func decDetectText(data []byte) Format {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), decSniffSize)
	yamlish := false
	for sc.Scan() {
		raw := sc.Bytes()
		line := bytes.TrimSpace(raw)
		if len(line) == 0 || line[0] == '#' || bytes.Equal(line, []byte("---")) {
			continue
		}
		switch {
		case bytes.HasPrefix(line, []byte("SPDXVersion:")):
			return SPDXTagValue
		case bytes.HasPrefix(raw, []byte("spdxVersion:")):
			return SPDXYAML
		case bytes.HasPrefix(raw, []byte("SPDXID:")), bytes.HasPrefix(raw, []byte("dataLicense:")),
			bytes.HasPrefix(raw, []byte("documentNamespace:")):
			// SPDX YAML keys at the top level; spdxVersion may come last
			// (keys sorted), beyond the sniffed prefix.
			yamlish = true
		}
	}
	if yamlish {
		return SPDXYAML
	}
	return FormatUnknown
}
