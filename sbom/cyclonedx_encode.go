package sbom

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/github/go-spdx/v2/spdxexp"
)

// cdxEncode writes doc as CycloneDX 1.6. Nested components are rebuilt from
// Parent; the root becomes the metadata component. Values CycloneDX has no
// field for travel as chaingate properties (extra CPEs, limitations, the
// image) and are read back by Decode.
func cdxEncode(w io.Writer, doc *Document, f Format, rep *ConversionReport) error {
	bom := cdxFromDocument(doc, rep)
	ff := cdx.BOMFileFormatJSON
	if f == CycloneDXXML {
		ff = cdx.BOMFileFormatXML
		bom.XMLNS = "http://cyclonedx.org/schema/bom/1.6"
	} else {
		bom.JSONSchema = "http://cyclonedx.org/schema/bom-1.6.schema.json"
	}
	enc := cdx.NewBOMEncoder(w, ff)
	enc.SetPretty(true)
	return enc.Encode(bom)
}

var cdxKnownTypes = map[ComponentType]bool{
	TypeApplication: true, TypeFramework: true, TypeLibrary: true, TypeContainer: true,
	TypeOperatingSystem: true, TypeDevice: true, TypeFirmware: true, TypeFile: true,
	TypePlatform: true, TypeData: true, "device-driver": true, "machine-learning-model": true,
	"cryptographic-asset": true,
}

func cdxFromDocument(doc *Document, rep *ConversionReport) *cdx.BOM {
	bom := &cdx.BOM{
		BOMFormat:   "CycloneDX",
		SpecVersion: cdx.SpecVersion1_6,
		Version:     doc.Version,
	}
	if bom.Version < 1 {
		bom.Version = 1
	}
	switch {
	case cdxSerialRE.MatchString(doc.SerialNumber):
		bom.SerialNumber = doc.SerialNumber
	case doc.SerialNumber != "":
		bom.SerialNumber = "urn:uuid:" + encUUID5(doc.SerialNumber)
		rep.note("", "serialNumber", doc.SerialNumber,
			"not a urn:uuid; CycloneDX serialNumber "+bom.SerialNumber+" derived from it (name-based UUID)")
	}
	md := &cdx.Metadata{}
	if !doc.Created.IsZero() {
		md.Timestamp = doc.Created.UTC().Format(time.RFC3339)
	}
	if len(doc.Tools) > 0 {
		tools := make([]cdx.Component, 0, len(doc.Tools))
		for _, t := range doc.Tools {
			tools = append(tools, cdx.Component{Type: cdx.ComponentTypeApplication, Group: t.Vendor, Name: t.Name, Version: t.Version})
		}
		md.Tools = &cdx.ToolsChoice{Components: &tools}
	}
	if len(doc.Authors) > 0 {
		authors := make([]cdx.OrganizationalContact, 0, len(doc.Authors))
		for _, a := range doc.Authors {
			authors = append(authors, cdxParseContact(a))
		}
		md.Authors = &authors
	}
	var mprops []cdx.Property
	for _, p := range doc.Properties {
		mprops = append(mprops, cdx.Property{Name: p.Name, Value: p.Value})
	}
	for _, l := range doc.Limitations {
		mprops = append(mprops, cdx.Property{Name: cdxPropLimitation, Value: l})
	}
	// CycloneDX names a BOM by its root component; another document name
	// (an SPDX document's) travels as a property.
	if doc.Name != "" {
		if r := doc.Component(doc.Root); r == nil || r.Name != doc.Name {
			mprops = append(mprops, cdx.Property{Name: cdxPropName, Value: doc.Name})
		}
	}
	if doc.Image != nil {
		if b, err := json.Marshal(doc.Image); err == nil {
			mprops = append(mprops, cdx.Property{Name: cdxPropImage, Value: string(b)})
		}
	}
	if len(mprops) > 0 {
		md.Properties = &mprops
	}

	// Build the tree: children by parent ID, in document order.
	index := make(map[string]int, len(doc.Components))
	for i := range doc.Components {
		if id := doc.Components[i].ID; id != "" {
			if _, dup := index[id]; !dup {
				index[id] = i
			}
		}
	}
	children := map[int][]int{}
	var top []int
	rootIdx := -1
	if doc.Root != "" {
		if i, ok := index[doc.Root]; ok {
			rootIdx = i
		}
	}
	for i := range doc.Components {
		if i == rootIdx {
			continue
		}
		p, ok := index[doc.Components[i].Parent]
		if doc.Components[i].Parent != "" && ok && p != i {
			children[p] = append(children[p], i)
			continue
		}
		if doc.Components[i].Parent != "" && !ok {
			rep.lose(doc.Components[i].ID, "parent", doc.Components[i].Parent, "parent is not a component of the document; written unnested")
		}
		top = append(top, i)
	}
	// bom-refs must be unique: a repeated ID gets a suffix.
	refs := make([]string, len(doc.Components))
	usedRef := make(map[string]bool, len(doc.Components))
	for i := range doc.Components {
		id := doc.Components[i].ID
		if id != "" && usedRef[id] {
			base := id
			for k := 2; usedRef[id]; k++ {
				id = base + "~" + strconv.Itoa(k)
			}
			rep.note(doc.Components[i].ID, "id", doc.Components[i].ID, "duplicate ID; bom-ref "+id+" written")
		}
		usedRef[id] = true
		refs[i] = id
	}
	emitted := make([]bool, len(doc.Components))
	var build func(i int, depth int) cdx.Component
	build = func(i int, depth int) cdx.Component {
		emitted[i] = true
		c := cdxComponent(&doc.Components[i], rep)
		c.BOMRef = refs[i]
		if kids := children[i]; len(kids) > 0 && depth < 1000 {
			cs := make([]cdx.Component, 0, len(kids))
			for _, k := range kids {
				cs = append(cs, build(k, depth+1))
			}
			c.Components = &cs
		}
		return c
	}
	if rootIdx >= 0 {
		rc := build(rootIdx, 0)
		md.Component = &rc
	} else if doc.Root != "" {
		rep.lose("", "root", doc.Root, "root is not a component of the document")
	}
	if md.Timestamp != "" || md.Tools != nil || md.Authors != nil || md.Properties != nil || md.Component != nil {
		bom.Metadata = md
	}
	cs := make([]cdx.Component, 0, len(top))
	for _, i := range top {
		cs = append(cs, build(i, 0))
	}
	// Components whose Parent chain is a cycle hang from no top-level
	// component: write them unnested rather than lose them.
	for i := range doc.Components {
		if !emitted[i] {
			rep.lose(doc.Components[i].ID, "parent", doc.Components[i].Parent, "nesting is a cycle; written unnested")
			delete(children, i)
			cs = append(cs, build(i, 0))
		}
	}
	if len(cs) > 0 {
		bom.Components = &cs
	}
	if len(doc.Dependencies) > 0 {
		deps := make([]cdx.Dependency, 0, len(doc.Dependencies))
		for _, d := range doc.Dependencies {
			dd := cdx.Dependency{Ref: d.Ref}
			if len(d.DependsOn) > 0 {
				on := append([]string(nil), d.DependsOn...)
				dd.Dependencies = &on
			}
			deps = append(deps, dd)
		}
		bom.Dependencies = &deps
	}
	return bom
}

func cdxComponent(c *Component, rep *ConversionReport) cdx.Component {
	out := cdx.Component{
		BOMRef:      c.ID,
		Type:        cdx.ComponentType(c.Type),
		Group:       c.Group,
		Name:        c.Name,
		Version:     c.Version,
		Description: c.Description,
		PackageURL:  c.PURL,
		Scope:       cdx.Scope(c.Scope),
		Author:      c.Author,
	}
	if c.Type == "" {
		out.Type = cdx.ComponentTypeLibrary
	} else if !cdxKnownTypes[c.Type] {
		out.Type = cdx.ComponentTypeLibrary
		rep.lose(c.ID, "type", string(c.Type), "not a CycloneDX component type; written as library")
	}
	var props []cdx.Property
	if len(c.CPEs) > 0 {
		out.CPE = c.CPEs[0]
		for _, extra := range c.CPEs[1:] {
			props = append(props, cdx.Property{Name: cdxPropCPE, Value: extra})
		}
	}
	if len(c.Hashes) > 0 {
		hs := make([]cdx.Hash, 0, len(c.Hashes))
		for _, h := range c.Hashes {
			if !cdxHashAlgs[cdx.HashAlgorithm(h.Algorithm)] {
				rep.lose(c.ID, "hashes", h.Algorithm+":"+h.Value, "CycloneDX has no hash algorithm "+h.Algorithm)
				continue
			}
			hs = append(hs, cdx.Hash{Algorithm: cdx.HashAlgorithm(h.Algorithm), Value: h.Value})
		}
		if len(hs) > 0 {
			out.Hashes = &hs
		}
	}
	var ls cdx.Licenses
	switch d, k := c.LicenseDeclared, c.LicenseConcluded; {
	case d != "" && k != "" && cdxSimpleLicense(d) && cdxSimpleLicense(k):
		ls = cdx.Licenses{cdxLicenseChoice(d, cdx.LicenseAcknowledgementDeclared), cdxLicenseChoice(k, cdx.LicenseAcknowledgementConcluded)}
	case d != "" && k != "":
		// CycloneDX 1.6 allows one expression, or a list of single
		// licences: the concluded expression travels as a property.
		ls = cdx.Licenses{cdxLicenseChoice(d, cdx.LicenseAcknowledgementDeclared)}
		props = append(props, cdx.Property{Name: cdxPropConcluded, Value: k})
		rep.note(c.ID, "licenseConcluded", k, "CycloneDX 1.6 holds one licence expression per component; the concluded one is written as property "+cdxPropConcluded)
	case d != "":
		ls = cdx.Licenses{cdxLicenseChoice(d, cdx.LicenseAcknowledgementDeclared)}
	case k != "":
		ls = cdx.Licenses{cdxLicenseChoice(k, cdx.LicenseAcknowledgementConcluded)}
	}
	if len(ls) > 0 {
		out.Licenses = &ls
	}
	if c.Supplier != "" {
		out.Supplier = &cdx.OrganizationalEntity{Name: c.Supplier}
	}
	for _, p := range c.Properties {
		props = append(props, cdx.Property{Name: p.Name, Value: p.Value})
	}
	if len(props) > 0 {
		out.Properties = &props
	}
	if len(c.Locations) > 0 {
		occ := make([]cdx.EvidenceOccurrence, 0, len(c.Locations))
		for _, l := range c.Locations {
			o := cdx.EvidenceOccurrence{Location: l.Path}
			if l.Layer != "" {
				o.AdditionalContext = cdxLayerPrefix + l.Layer
			}
			occ = append(occ, o)
		}
		out.Evidence = &cdx.Evidence{Occurrences: &occ}
	}
	return out
}

// cdxSimpleLicense reports whether expr is one licence identifier that
// CycloneDX can write as a licence object.
func cdxSimpleLicense(expr string) bool {
	if strings.ContainsAny(expr, " ()") || expr == "NONE" || expr == "NOASSERTION" {
		return false
	}
	if strings.HasPrefix(expr, "LicenseRef-") {
		return true
	}
	ok, _ := spdxexp.ActiveLicense(expr)
	return ok
}

// cdxLicenseChoice writes one SPDX expression: a single licence identifier
// as a licence, anything else (compound expressions, NONE, LicenseRef-) as
// an expression.
func cdxLicenseChoice(expr string, ack cdx.LicenseAcknowledgement) cdx.LicenseChoice {
	if cdxSimpleLicense(expr) {
		if strings.HasPrefix(expr, "LicenseRef-") {
			return cdx.LicenseChoice{License: &cdx.License{Name: expr, Acknowledgement: ack}}
		}
		return cdx.LicenseChoice{License: &cdx.License{ID: expr, Acknowledgement: ack}}
	}
	a := ack
	return cdx.LicenseChoice{Expression: expr, Acknowledgement: &a}
}

// cdxParseContact reads "Name (email)" back into a contact.
func cdxParseContact(s string) cdx.OrganizationalContact {
	if i := strings.LastIndex(s, " ("); i >= 0 && strings.HasSuffix(s, ")") {
		email := s[i+2 : len(s)-1]
		if strings.Contains(email, "@") || email == "" {
			return cdx.OrganizationalContact{Name: s[:i], Email: email}
		}
	}
	if strings.Contains(s, "@") && !strings.Contains(s, " ") {
		return cdx.OrganizationalContact{Email: s}
	}
	return cdx.OrganizationalContact{Name: s}
}
