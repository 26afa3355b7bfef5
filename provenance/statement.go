package provenance

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	attv1 "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// Statement types (the in-toto "_type" field).
const (
	StatementTypeV01 = "https://in-toto.io/Statement/v0.1"
	StatementTypeV1  = attv1.StatementTypeUri
)

// PayloadTypeInToto is the DSSE payload type of an in-toto Statement.
const PayloadTypeInToto = "application/vnd.in-toto+json"

// MaxStatementSize is the largest Statement, DSSE envelope or bundle the
// parsers in this package accept (32 MiB). Real provenance is a few KiB;
// SBOM predicates can be a few MiB.
const MaxStatementSize = 32 << 20

// Errors callers branch on.
var (
	// ErrTooLarge reports input over MaxStatementSize.
	ErrTooLarge = errors.New("input too large")
	// ErrInvalidStatement reports a Statement that breaks the in-toto spec.
	ErrInvalidStatement = errors.New("invalid in-toto statement")
	// ErrInvalidEnvelope reports a malformed DSSE envelope.
	ErrInvalidEnvelope = errors.New("invalid DSSE envelope")
	// ErrInvalidBundle reports a malformed Sigstore bundle.
	ErrInvalidBundle = errors.New("invalid Sigstore bundle")
	// ErrPredicateType reports a predicate decoded as the wrong type.
	ErrPredicateType = errors.New("unexpected predicate type")
)

// Subject is one artifact a Statement is about: a name and its digests
// (algorithm → lower-case hex).
type Subject struct {
	Name   string            `json:"name,omitempty"`
	URI    string            `json:"uri,omitempty"`
	Digest map[string]string `json:"digest"`
}

// Statement is an in-toto Statement (v0.1 or v1). The predicate is kept as
// raw JSON; Predicate decodes it to a typed value.
type Statement struct {
	Type          string          `json:"_type"`
	Subject       []Subject       `json:"subject"`
	PredicateType string          `json:"predicateType"`
	Predicate     json.RawMessage `json:"predicate,omitempty"`
}

// ParseStatement decodes and validates an in-toto Statement (v0.1 or v1).
func ParseStatement(data []byte) (*Statement, error) {
	if len(data) > MaxStatementSize {
		return nil, fmt.Errorf("provenance: parse statement: %d bytes: %w", len(data), ErrTooLarge)
	}
	var s Statement
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("provenance: parse statement: %w: %w", ErrInvalidStatement, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("provenance: parse statement: data after the JSON object at byte %d: %w", dec.InputOffset(), ErrInvalidStatement)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Validate checks the Statement against the in-toto spec: a known _type, at
// least one subject, every subject with at least one hex digest, and a
// predicate type.
func (s *Statement) Validate() error {
	if s == nil {
		return fmt.Errorf("provenance: statement: nil: %w", ErrInvalidStatement)
	}
	if s.Type != StatementTypeV01 && s.Type != StatementTypeV1 {
		return fmt.Errorf("provenance: statement: _type %q: %w", s.Type, ErrInvalidStatement)
	}
	if len(s.Subject) == 0 {
		return fmt.Errorf("provenance: statement: no subject: %w", ErrInvalidStatement)
	}
	for i, sub := range s.Subject {
		if len(sub.Digest) == 0 {
			return fmt.Errorf("provenance: statement: subject[%d] %q has no digest: %w", i, sub.Name, ErrInvalidStatement)
		}
		for alg, d := range sub.Digest {
			if alg == "" || d == "" {
				return fmt.Errorf("provenance: statement: subject[%d] %q: empty digest %q: %w", i, sub.Name, alg, ErrInvalidStatement)
			}
			if isHexDigestAlgorithm(alg) {
				if _, err := hex.DecodeString(d); err != nil {
					return fmt.Errorf("provenance: statement: subject[%d] %q: %s digest is not hex: %w", i, sub.Name, alg, ErrInvalidStatement)
				}
			}
		}
	}
	if s.PredicateType == "" {
		return fmt.Errorf("provenance: statement: no predicateType: %w", ErrInvalidStatement)
	}
	if len(s.Predicate) > 0 && !json.Valid(s.Predicate) {
		return fmt.Errorf("provenance: statement: predicate is not valid JSON: %w", ErrInvalidStatement)
	}
	return nil
}

func isHexDigestAlgorithm(alg string) bool {
	switch strings.ToLower(alg) {
	case "sha256", "sha224", "sha384", "sha512", "sha512_224", "sha512_256", "sha1", "md5",
		"sha3_224", "sha3_256", "sha3_384", "sha3_512", "gitcommit", "gittree", "gitblob", "gittag":
		return true
	}
	return false
}

// Marshal encodes the Statement as compact JSON.
func (s *Statement) Marshal() ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	out, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("provenance: marshal statement: %w", err)
	}
	return out, nil
}

// Proto converts the Statement to the in-toto/attestation v1 protobuf
// binding (a v0.1 Statement keeps its _type, which the binding accepts).
func (s *Statement) Proto() (*attv1.Statement, error) {
	data, err := s.Marshal()
	if err != nil {
		return nil, err
	}
	var p attv1.Statement
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("provenance: statement to in-toto binding: %w", err)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("provenance: statement to in-toto binding: %w: %w", ErrInvalidStatement, err)
	}
	return &p, nil
}

// StatementFromProto converts an in-toto/attestation v1 Statement binding.
func StatementFromProto(p *attv1.Statement) (*Statement, error) {
	if p == nil {
		return nil, fmt.Errorf("provenance: statement from binding: nil: %w", ErrInvalidStatement)
	}
	data, err := protojson.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("provenance: statement from binding: %w", err)
	}
	return ParseStatement(data)
}

// MatchesDigest reports whether some subject has the given digest
// (algorithm names compared case-insensitively, hex case-insensitively).
func (s *Statement) MatchesDigest(algorithm, hexDigest string) bool {
	for _, sub := range s.Subject {
		for alg, d := range sub.Digest {
			if strings.EqualFold(alg, algorithm) && strings.EqualFold(d, hexDigest) {
				return true
			}
		}
	}
	return false
}

// SubjectNames returns the subject names, sorted.
func (s *Statement) SubjectNames() []string {
	names := make([]string, 0, len(s.Subject))
	for _, sub := range s.Subject {
		names = append(names, sub.Name)
	}
	sort.Strings(names)
	return names
}
