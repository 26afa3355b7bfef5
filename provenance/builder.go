package provenance

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/in-toto/in-toto-golang/in_toto/slsa_provenance/common"
	slsa1 "github.com/in-toto/in-toto-golang/in_toto/slsa_provenance/v1"
)

// SLSABuilder builds an in-toto v1 Statement with a SLSA v1 provenance
// predicate. Methods record the first error; Statement returns it.
//
//	stmt, err := provenance.NewSLSABuilder("https://example.com/builder@v1", "https://example.com/buildtypes/make@v1").
//		Subject("app.tar.gz", map[string]string{"sha256": hexDigest}).
//		ExternalParameter("source", "git+https://github.com/acme/app@refs/tags/v1.2.3").
//		ResolvedDependency("git+https://github.com/acme/app", map[string]string{"gitCommit": commit}).
//		Statement()
type SLSABuilder struct {
	subjects  []Subject
	predicate SLSAProvenanceV1
	err       error
}

// NewSLSABuilder starts a SLSA v1 provenance for a builder ID and build type.
func NewSLSABuilder(builderID, buildType string) *SLSABuilder {
	b := &SLSABuilder{}
	b.predicate.RunDetails.Builder.ID = builderID
	b.predicate.BuildDefinition.BuildType = buildType
	if builderID == "" {
		b.err = fmt.Errorf("provenance: SLSA builder: empty builder ID")
	} else if buildType == "" {
		b.err = fmt.Errorf("provenance: SLSA builder: empty build type")
	}
	return b
}

// Subject adds an artifact the provenance is about.
func (b *SLSABuilder) Subject(name string, digest map[string]string) *SLSABuilder {
	d := make(map[string]string, len(digest))
	for k, v := range digest {
		d[strings.ToLower(k)] = strings.ToLower(v)
	}
	if len(d) == 0 && b.err == nil {
		b.err = fmt.Errorf("provenance: SLSA builder: subject %q has no digest", name)
	}
	b.subjects = append(b.subjects, Subject{Name: name, Digest: d})
	return b
}

// ExternalParameter sets one externalParameters entry.
func (b *SLSABuilder) ExternalParameter(key string, value any) *SLSABuilder {
	m, _ := b.predicate.BuildDefinition.ExternalParameters.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	m[key] = value
	b.predicate.BuildDefinition.ExternalParameters = m
	return b
}

// InternalParameter sets one internalParameters entry.
func (b *SLSABuilder) InternalParameter(key string, value any) *SLSABuilder {
	m, _ := b.predicate.BuildDefinition.InternalParameters.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	m[key] = value
	b.predicate.BuildDefinition.InternalParameters = m
	return b
}

// ResolvedDependency adds an input of the build (source, tool, base image).
func (b *SLSABuilder) ResolvedDependency(uri string, digest map[string]string) *SLSABuilder {
	b.predicate.BuildDefinition.ResolvedDependencies = append(b.predicate.BuildDefinition.ResolvedDependencies,
		slsa1.ResourceDescriptor{URI: uri, Digest: common.DigestSet(digest)})
	return b
}

// BuilderVersion records a builder component version.
func (b *SLSABuilder) BuilderVersion(component, version string) *SLSABuilder {
	if b.predicate.RunDetails.Builder.Version == nil {
		b.predicate.RunDetails.Builder.Version = map[string]string{}
	}
	b.predicate.RunDetails.Builder.Version[component] = version
	return b
}

// InvocationID records the build's invocation ID (a CI run URL, say).
func (b *SLSABuilder) InvocationID(id string) *SLSABuilder {
	b.predicate.RunDetails.BuildMetadata.InvocationID = id
	return b
}

// Times records when the build started and finished.
func (b *SLSABuilder) Times(started, finished time.Time) *SLSABuilder {
	if !started.IsZero() {
		s := started.UTC()
		b.predicate.RunDetails.BuildMetadata.StartedOn = &s
	}
	if !finished.IsZero() {
		f := finished.UTC()
		b.predicate.RunDetails.BuildMetadata.FinishedOn = &f
	}
	if !started.IsZero() && !finished.IsZero() && finished.Before(started) && b.err == nil {
		b.err = fmt.Errorf("provenance: SLSA builder: finished %s before started %s", finished, started)
	}
	return b
}

// Predicate returns the predicate built so far.
func (b *SLSABuilder) Predicate() (*SLSAProvenanceV1, error) {
	if b.err != nil {
		return nil, b.err
	}
	p := b.predicate
	return &p, nil
}

// Statement returns the validated in-toto v1 Statement.
func (b *SLSABuilder) Statement() (*Statement, error) {
	if b.err != nil {
		return nil, b.err
	}
	raw, err := json.Marshal(b.predicate)
	if err != nil {
		return nil, fmt.Errorf("provenance: SLSA builder: %w", err)
	}
	s := &Statement{
		Type:          StatementTypeV1,
		Subject:       append([]Subject(nil), b.subjects...),
		PredicateType: PredicateSLSAProvenanceV1,
		Predicate:     raw,
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// NewStatement builds a v1 Statement with any predicate value (marshalled
// to JSON), for SBOM, VSA, vulnerability or custom predicates.
func NewStatement(predicateType string, predicate any, subjects ...Subject) (*Statement, error) {
	raw, err := json.Marshal(predicate)
	if err != nil {
		return nil, fmt.Errorf("provenance: new statement: predicate: %w", err)
	}
	s := &Statement{Type: StatementTypeV1, Subject: subjects, PredicateType: predicateType, Predicate: raw}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}
