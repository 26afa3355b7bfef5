package sbom

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/package-url/packageurl-go"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed schemas/cyclonedx/*.json
var cdxSchemaFS embed.FS

// cdxSchemaFiles maps the JSON schema of each spec version to its file.
var cdxSchemaFiles = map[string]string{
	"1.2": "bom-1.2.schema.json",
	"1.3": "bom-1.3.schema.json",
	"1.4": "bom-1.4.schema.json",
	"1.5": "bom-1.5.schema.json",
	"1.6": "bom-1.6.schema.json",
}

type cdxCompiled struct {
	once sync.Once
	sch  *jsonschema.Schema
	err  error
}

var cdxSchemas sync.Map // spec version -> *cdxCompiled

// cdxSchemaFor compiles (once per process) the schema of a spec version.
// The compiled schema is immutable and safe for concurrent use.
func cdxSchemaFor(version string) (*jsonschema.Schema, error) {
	file, ok := cdxSchemaFiles[version]
	if !ok {
		return nil, fmt.Errorf("no JSON schema for CycloneDX %q (strict decoding knows 1.2 to 1.6)", version)
	}
	v, _ := cdxSchemas.LoadOrStore(version, &cdxCompiled{})
	cc := v.(*cdxCompiled)
	cc.once.Do(func() {
		c := jsonschema.NewCompiler()
		// Only embedded resources: the compiler must never fetch a URL.
		c.UseLoader(cdxNoLoader{})
		for _, f := range []string{file, "spdx.schema.json", "jsf-0.82.schemax.json"} {
			raw, err := cdxSchemaFS.ReadFile("schemas/cyclonedx/" + f)
			if err != nil {
				cc.err = err
				return
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err != nil {
				cc.err = fmt.Errorf("schema %s: %w", f, err)
				return
			}
			id := "http://cyclonedx.org/schema/" + f
			if m, ok := doc.(map[string]any); ok {
				if s, ok := m["$id"].(string); ok && strings.HasPrefix(s, "http") {
					id = s
				}
			}
			if err := c.AddResource(id, doc); err != nil {
				cc.err = fmt.Errorf("schema %s: %w", f, err)
				return
			}
			if f == file {
				defer func() {
					if cc.err == nil {
						cc.sch, cc.err = c.Compile(id)
					}
				}()
			}
		}
	})
	return cc.sch, cc.err
}

type cdxNoLoader struct{}

// Load implements jsonschema.URLLoader.
func (cdxNoLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("sbom: schema %s is not embedded (no network access)", url)
}

// cdxSchemaValidate validates CycloneDX JSON against the official schema of
// the spec version it declares.
func cdxSchemaValidate(data []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return decParseError(CycloneDXJSON, data, err)
	}
	m, ok := inst.(map[string]any)
	if !ok {
		return &ParseError{Format: CycloneDXJSON, Offset: -1, Err: errors.New("top level is not a JSON object")}
	}
	version, _ := m["specVersion"].(string)
	sch, err := cdxSchemaFor(version)
	if err != nil {
		return &ParseError{Format: CycloneDXJSON, Offset: -1, Path: "/specVersion", Err: err}
	}
	if err := sch.Validate(inst); err != nil {
		pe := &ParseError{Format: CycloneDXJSON, Offset: -1, Err: fmt.Errorf("schema bom-%s: %w", version, err)}
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			leaf := ve
			for len(leaf.Causes) > 0 {
				leaf = leaf.Causes[0]
			}
			pe.Path = "/" + strings.Join(leaf.InstanceLocation, "/")
		}
		return pe
	}
	return nil
}

var (
	cdxSerialRE = regexp.MustCompile(`^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	cdxHashRE   = regexp.MustCompile(`^([a-fA-F0-9]{32}|[a-fA-F0-9]{40}|[a-fA-F0-9]{64}|[a-fA-F0-9]{96}|[a-fA-F0-9]{128})$`)
)

var cdxComponentTypes = map[cdx.ComponentType]bool{
	"application": true, "framework": true, "library": true, "container": true,
	"platform": true, "operating-system": true, "device": true, "device-driver": true,
	"firmware": true, "file": true, "machine-learning-model": true, "data": true,
	"cryptographic-asset": true,
}

var cdxHashAlgs = map[cdx.HashAlgorithm]bool{
	"MD5": true, "SHA-1": true, "SHA-256": true, "SHA-384": true, "SHA-512": true,
	"SHA3-256": true, "SHA3-384": true, "SHA3-512": true, "BLAKE2b-256": true,
	"BLAKE2b-384": true, "BLAKE2b-512": true, "BLAKE3": true,
	"Streebog-256": true, "Streebog-512": true,
}

// cdxStrictCheck applies the required fields and value rules of the
// CycloneDX schema that cyclonedx-go does not enforce. CycloneDX JSON is
// also validated against its JSON schema (cdxSchemaValidate); for XML this
// is the check (the XSDs cannot be applied with the Go standard library).
func cdxStrictCheck(bom *cdx.BOM, f Format) error {
	var errs []error
	add := func(path, format string, args ...any) {
		errs = append(errs, &ParseError{Format: f, Offset: -1, Path: path, Err: fmt.Errorf(format, args...)})
	}
	if bom.SerialNumber != "" && !cdxSerialRE.MatchString(bom.SerialNumber) {
		add("serialNumber", "serial number %q is not a urn:uuid", bom.SerialNumber)
	}
	if bom.Version < 0 {
		add("version", "version %d is below 1", bom.Version)
	}
	var walk func(cs *[]cdx.Component, path string)
	checkComponent := func(c *cdx.Component, path string) {
		if !cdxComponentTypes[c.Type] {
			add(path+"/type", "component type %q is not a CycloneDX type", c.Type)
		}
		if c.Name == "" {
			add(path+"/name", "component has no name")
		}
		if c.Hashes != nil {
			for j, h := range *c.Hashes {
				hp := fmt.Sprintf("%s/hashes/%d", path, j)
				if !cdxHashAlgs[h.Algorithm] {
					add(hp, "hash algorithm %q is not a CycloneDX algorithm", h.Algorithm)
				}
				if !cdxHashRE.MatchString(h.Value) && h.Algorithm != "BLAKE3" {
					add(hp, "hash content %q is not a hex digest", h.Value)
				}
			}
		}
		if c.PackageURL != "" {
			// The specification: "The purl, if specified, MUST be valid
			// and conform to the specification."
			if _, err := packageurl.FromString(c.PackageURL); err != nil {
				add(path+"/purl", "invalid package URL %q: %v", c.PackageURL, err)
			}
		}
		if c.Licenses != nil {
			for j, l := range *c.Licenses {
				lp := fmt.Sprintf("%s/licenses/%d", path, j)
				switch {
				case l.Expression != "":
					if !spdxValidExpression(l.Expression) {
						add(lp+"/expression", "%q is not a valid SPDX licence expression", l.Expression)
					}
				case l.License == nil || (l.License.ID == "" && l.License.Name == ""):
					add(lp, "licence has neither id, name nor expression")
				}
			}
		}
		walk(c.Components, path+"/components")
	}
	walk = func(cs *[]cdx.Component, path string) {
		if cs == nil {
			return
		}
		for i := range *cs {
			checkComponent(&(*cs)[i], fmt.Sprintf("%s/%d", path, i))
		}
	}
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		checkComponent(bom.Metadata.Component, "metadata/component")
	}
	walk(bom.Components, "components")
	if bom.Dependencies != nil {
		for i, d := range *bom.Dependencies {
			if d.Ref == "" {
				add(fmt.Sprintf("dependencies/%d/ref", i), "dependency has no ref")
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errors.Join(errs...)
}
