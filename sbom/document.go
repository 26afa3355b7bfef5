package sbom

import (
	"fmt"
	"time"

	"github.com/package-url/packageurl-go"
)

// SchemaVersion is the version of the JSON shape of Document. It changes
// when a field is renamed or its meaning changes, never when one is added.
const SchemaVersion = "chaingate.dev/sbom/v1"

// Format names a serialisation of an SBOM.
type Format string

// The formats chaingate reads. Encode writes CycloneDXJSON, CycloneDXXML,
// SPDXJSON and SPDXTagValue.
const (
	FormatUnknown Format = ""
	CycloneDXJSON Format = "cyclonedx-json"
	CycloneDXXML  Format = "cyclonedx-xml"
	SPDXJSON      Format = "spdx-json"
	SPDXTagValue  Format = "spdx-tag-value"
	SPDXYAML      Format = "spdx-yaml"
	SPDXRDF       Format = "spdx-rdf"
)

// String returns the format's name.
func (f Format) String() string {
	if f == FormatUnknown {
		return "unknown"
	}
	return string(f)
}

// Document is one SBOM, whatever format it came from. Its zero value is an
// empty document. A Document returned by Decode or a generator is not
// modified by chaingate afterwards and may be read from many goroutines.
type Document struct {
	// Format is the format the document was decoded from or generated as.
	Format Format `json:"format"`
	// SpecVersion is the version of the format's specification
	// ("1.6" for CycloneDX 1.6, "SPDX-2.3" for SPDX 2.3).
	SpecVersion string `json:"specVersion,omitempty"`
	// SerialNumber is the CycloneDX serialNumber or the SPDX document namespace.
	SerialNumber string `json:"serialNumber,omitempty"`
	// Version is the CycloneDX BOM version (1 when absent).
	Version int `json:"version,omitempty"`
	// Name is the SPDX document name or the CycloneDX metadata component name.
	Name string `json:"name,omitempty"`
	// Created is when the document was created (zero when unknown).
	Created time.Time `json:"created,omitzero"`
	// Tools are the tools that produced the document.
	Tools []Tool `json:"tools,omitempty"`
	// Authors are the people or organisations that produced the document.
	Authors []string `json:"authors,omitempty"`
	// Root is the ID of the described component (the CycloneDX metadata
	// component or the SPDX package the document DESCRIBES), or empty.
	Root string `json:"root,omitempty"`
	// Components are every component of the document, the root included,
	// with nested CycloneDX components flattened (Component.Parent keeps
	// the nesting).
	Components []Component `json:"components"`
	// Dependencies are the dependency edges, one entry per component that
	// depends on others.
	Dependencies []Dependency `json:"dependencies,omitempty"`
	// Properties are name/value pairs on the document itself.
	Properties []Property `json:"properties,omitempty"`
	// Image describes the container image the document was generated from,
	// when it was (see FromImage).
	Image *ImageInfo `json:"image,omitempty"`
	// Limitations says what a generator could not know (for example a
	// module SBOM built from go.mod alone, without the go command).
	Limitations []string `json:"limitations,omitempty"`
	// Unmodelled names the parts of the decoded source document that this
	// model does not represent ("cyclonedx services: 2", "spdx
	// relationships GENERATED_FROM: 3"), so that a conversion can report
	// them instead of dropping them silently. Empty for generated documents.
	Unmodelled []string `json:"unmodelled,omitempty"`
}

// Tool is a tool that produced a document.
type Tool struct {
	Vendor  string `json:"vendor,omitempty"`
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

// ComponentType is the kind of a component, with CycloneDX's vocabulary.
type ComponentType string

// Component types (CycloneDX 1.6 names).
const (
	TypeApplication     ComponentType = "application"
	TypeFramework       ComponentType = "framework"
	TypeLibrary         ComponentType = "library"
	TypeContainer       ComponentType = "container"
	TypeOperatingSystem ComponentType = "operating-system"
	TypeDevice          ComponentType = "device"
	TypeFirmware        ComponentType = "firmware"
	TypeFile            ComponentType = "file"
	TypePlatform        ComponentType = "platform"
	TypeData            ComponentType = "data"
)

// Scope says whether a component is needed at run time, with CycloneDX's
// vocabulary: development and test dependencies (npm devDependencies, for
// example) are ScopeExcluded.
type Scope string

// Scopes.
const (
	ScopeUnknown  Scope = ""
	ScopeRequired Scope = "required"
	ScopeOptional Scope = "optional"
	ScopeExcluded Scope = "excluded"
)

// Component is one package, application, file or other part of the
// described software.
type Component struct {
	// ID is the component's identifier inside its document (CycloneDX
	// bom-ref, SPDX SPDXID). Unique within a document.
	ID   string        `json:"id"`
	Type ComponentType `json:"type,omitempty"`
	// Group is the CycloneDX group (Maven groupId, npm scope).
	Group   string `json:"group,omitempty"`
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	// PURL is the package URL exactly as the document or generator wrote it.
	// It is kept verbatim: packageurl-go lowercases Go module paths, which
	// are case-sensitive. Use PackageURL for the parsed form.
	PURL string `json:"purl,omitempty"`
	// CPEs are CPE 2.3 (or 2.2) names of the component.
	CPEs   []string `json:"cpes,omitempty"`
	Hashes []Hash   `json:"hashes,omitempty"`
	// LicenseDeclared is the licence the component's authors declared, as
	// an SPDX expression.
	LicenseDeclared string `json:"licenseDeclared,omitempty"`
	// LicenseConcluded is the licence the SBOM's author concluded, as an
	// SPDX expression.
	LicenseConcluded string `json:"licenseConcluded,omitempty"`
	// Supplier is the organisation or person that supplied the component.
	Supplier string `json:"supplier,omitempty"`
	// Author is the component's author, where the format records one.
	Author      string `json:"author,omitempty"`
	Description string `json:"description,omitempty"`
	Scope       Scope  `json:"scope,omitempty"`
	// Parent is the ID of the enclosing component for a component that was
	// nested inside another in a CycloneDX document.
	Parent string `json:"parent,omitempty"`
	// Locations are where the component was found (files, image layers).
	Locations []Location `json:"locations,omitempty"`
	// Properties are name/value pairs, with CycloneDX property names where
	// a taxonomy exists ("cdx:npm:package:development").
	Properties []Property `json:"properties,omitempty"`
}

// Hash is a digest of a component's content.
type Hash struct {
	// Algorithm uses CycloneDX names: "SHA-1", "SHA-256", "SHA-512",
	// "MD5", ... Go module hashes ("h1:") are "SHA-256" over the module's
	// dirhash, with the "h1:" form kept in the component's properties.
	Algorithm string `json:"alg"`
	// Value is the digest in lowercase hex.
	Value string `json:"content"`
}

// Property is a name/value pair.
type Property struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Location is a place where a component was found.
type Location struct {
	// Path is a file path (inside the image, module or directory scanned).
	Path string `json:"path"`
	// Layer is the digest of the image layer the file came from, if any.
	Layer string `json:"layer,omitempty"`
}

// Dependency says that the component Ref depends directly on DependsOn.
type Dependency struct {
	Ref       string   `json:"ref"`
	DependsOn []string `json:"dependsOn,omitempty"`
}

// ImageInfo describes the container image an SBOM was generated from.
type ImageInfo struct {
	// Reference is the reference the caller named, if any.
	Reference string `json:"reference,omitempty"`
	// Digest is the manifest digest ("sha256:...").
	Digest       string            `json:"digest"`
	MediaType    string            `json:"mediaType,omitempty"`
	OS           string            `json:"os,omitempty"`
	Architecture string            `json:"architecture,omitempty"`
	Variant      string            `json:"variant,omitempty"`
	Labels       map[string]string `json:"labels,omitempty"`
	// Layers are the layer digests, base first.
	Layers []string `json:"layers,omitempty"`
	// Distro is the operating system found in /etc/os-release, if any.
	Distro *Distro `json:"distro,omitempty"`
}

// Distro is an operating-system release, from /etc/os-release.
type Distro struct {
	ID         string `json:"id"`                  // "debian", "alpine", "ubuntu"
	VersionID  string `json:"versionId,omitempty"` // "12", "3.20.3", "24.04"
	Codename   string `json:"codename,omitempty"`  // "bookworm"
	PrettyName string `json:"prettyName,omitempty"`
}

// PackageURL parses the component's purl with packageurl-go. It returns
// an error naming the component when the purl is empty or invalid. Note
// that the parsed form lowercases some types' namespaces and names (Go
// module paths among them); the identity of a Go module must be taken
// from PURL or Name, not from the parsed value.
func (c *Component) PackageURL() (packageurl.PackageURL, error) {
	if c.PURL == "" {
		return packageurl.PackageURL{}, fmt.Errorf("sbom: component %q has no purl", c.ID)
	}
	p, err := packageurl.FromString(c.PURL)
	if err != nil {
		return packageurl.PackageURL{}, fmt.Errorf("sbom: component %q: purl %q: %w", c.ID, c.PURL, err)
	}
	return p, nil
}

// Property returns the value of the named property and whether it is set.
func (c *Component) Property(name string) (string, bool) {
	for _, p := range c.Properties {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// Component returns the component with the given ID, or nil.
func (d *Document) Component(id string) *Component {
	for i := range d.Components {
		if d.Components[i].ID == id {
			return &d.Components[i]
		}
	}
	return nil
}
