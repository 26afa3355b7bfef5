package sbom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// Properties through which chaingate carries, in CycloneDX, Document data
// the format has no field for. Decode reads them back into the model.
const (
	cdxPropPrefix     = "chaingate:sbom:"
	cdxPropCPE        = "chaingate:sbom:cpe"
	cdxPropConcluded  = "chaingate:sbom:licenseConcluded"
	cdxPropLimitation = "chaingate:sbom:limitation"
	cdxPropImage      = "chaingate:sbom:image"
	cdxPropName       = "chaingate:sbom:name"
	cdxLayerPrefix    = "layer:"
)

// cdxDecode decodes CycloneDX JSON or XML with cyclonedx-go.
func cdxDecode(data []byte, f Format, strict bool) (*Document, error) {
	var bom cdx.BOM
	if f == CycloneDXJSON {
		if strict {
			if err := cdxSchemaValidate(data); err != nil {
				return nil, err
			}
		}
		// cyclonedx-go's JSON decoder is json.Unmarshal after io.ReadAll;
		// call it on the bytes we already hold.
		if err := json.Unmarshal(data, &bom); err != nil {
			return nil, decParseError(f, data, err)
		}
	} else {
		if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatXML).Decode(&bom); err != nil {
			return nil, decParseError(f, data, err)
		}
		if bom.SpecVersion == 0 {
			return nil, &ParseError{Format: f, Offset: -1, Path: "/bom/@xmlns",
				Err: fmt.Errorf("unknown CycloneDX XML namespace %q", bom.XMLNS)}
		}
	}
	if f == CycloneDXJSON && bom.BOMFormat != "CycloneDX" {
		return nil, &ParseError{Format: f, Offset: -1, Path: "/bomFormat",
			Err: fmt.Errorf("bomFormat is %q, want \"CycloneDX\"", bom.BOMFormat)}
	}
	if strict {
		if err := cdxStrictCheck(&bom, f); err != nil {
			return nil, err
		}
	}
	return cdxToDocument(&bom, f), nil
}

// cdxSpecVersion names a spec version ("1.6"); empty when the document
// has none.
func cdxSpecVersion(v cdx.SpecVersion) string {
	if v < cdx.SpecVersion1_0 || v > cdx.SpecVersion1_7 {
		return ""
	}
	return v.String()
}

// cdxCount counts a component tree, for one allocation of the flat list.
func cdxCount(cs *[]cdx.Component) (n, cpes, hashes, props int) {
	if cs == nil {
		return
	}
	for i := range *cs {
		c := &(*cs)[i]
		n++
		if c.CPE != "" {
			cpes++
		}
		if c.Hashes != nil {
			hashes += len(*c.Hashes)
		}
		if c.Properties != nil {
			props += len(*c.Properties)
		}
		a, b, d, e := cdxCount(c.Components)
		n, cpes, hashes, props = n+a, cpes+b, hashes+d, props+e
	}
	return
}

// cdxArena hands out sub-slices of a few large backing arrays, so that
// converting 20,000 components costs a handful of allocations rather than
// tens of thousands (the speed budget is 1.15x a raw cyclonedx-go decode).
type cdxArena struct {
	synthetic bool // a component got a positional ID
	cpes      []string
	hashes    []Hash
	props     []Property
}

func (a *cdxArena) takeCPE(s string) []string {
	if len(a.cpes) == cap(a.cpes) {
		return []string{s}
	}
	a.cpes = append(a.cpes, s)
	n := len(a.cpes)
	return a.cpes[n-1 : n : n]
}

func (a *cdxArena) takeHashes(hs []cdx.Hash) []Hash {
	start := len(a.hashes)
	if cap(a.hashes)-start < len(hs) {
		out := make([]Hash, len(hs))
		for i, h := range hs {
			out[i] = Hash{Algorithm: string(h.Algorithm), Value: strings.ToLower(h.Value)}
		}
		return out
	}
	for _, h := range hs {
		a.hashes = append(a.hashes, Hash{Algorithm: string(h.Algorithm), Value: strings.ToLower(h.Value)})
	}
	end := len(a.hashes)
	return a.hashes[start:end:end]
}

func (a *cdxArena) takeProps(ps []cdx.Property) []Property {
	start := len(a.props)
	if cap(a.props)-start < len(ps) {
		out := make([]Property, len(ps))
		for i, p := range ps {
			out[i] = Property{Name: p.Name, Value: p.Value}
		}
		return out
	}
	for _, p := range ps {
		a.props = append(a.props, Property{Name: p.Name, Value: p.Value})
	}
	end := len(a.props)
	return a.props[start:end:end]
}

// cdxToDocument converts a decoded BOM into the model. The metadata
// component (the root) comes first, then every component depth-first,
// nested ones with Parent set.
func cdxToDocument(bom *cdx.BOM, f Format) *Document {
	doc := &Document{
		Format:       f,
		SpecVersion:  cdxSpecVersion(bom.SpecVersion),
		SerialNumber: bom.SerialNumber,
		Version:      bom.Version,
	}
	if doc.Version == 0 {
		doc.Version = 1
	}
	var root *cdx.Component
	if md := bom.Metadata; md != nil {
		if md.Timestamp != "" {
			if t, err := time.Parse(time.RFC3339, md.Timestamp); err == nil {
				doc.Created = t
			}
		}
		doc.Tools = cdxTools(md.Tools)
		if md.Authors != nil {
			for _, a := range *md.Authors {
				doc.Authors = append(doc.Authors, cdxContact(a))
			}
		}
		if md.Properties != nil {
			doc.Properties = append(doc.Properties, cdxDocProps(doc, *md.Properties)...)
		}
		root = md.Component
	}
	if bom.Properties != nil {
		doc.Properties = append(doc.Properties, cdxDocProps(doc, *bom.Properties)...)
	}

	n, cpes, hashes, props := cdxCount(bom.Components)
	if root != nil {
		rs := []cdx.Component{*root}
		a, b, c, d := cdxCount(&rs)
		n, cpes, hashes, props = n+a, cpes+b, hashes+c, props+d
	}
	doc.Components = make([]Component, 0, n)
	arena := &cdxArena{
		cpes:   make([]string, 0, cpes),
		hashes: make([]Hash, 0, hashes),
		props:  make([]Property, 0, props),
	}
	if root != nil {
		if doc.Name == "" {
			doc.Name = root.Name
		}
		doc.Components = cdxFlatten(doc.Components, arena, root, "")
		doc.Root = doc.Components[0].ID
	}
	if bom.Components != nil {
		for i := range *bom.Components {
			doc.Components = cdxFlatten(doc.Components, arena, &(*bom.Components)[i], "")
		}
	}
	if arena.synthetic {
		cdxFixIDs(doc)
	}
	doc.Unmodelled = cdxUnmodelled(bom, root)
	if bom.Dependencies != nil {
		deps := *bom.Dependencies
		doc.Dependencies = make([]Dependency, 0, len(deps))
		for _, d := range deps {
			var on []string
			if d.Dependencies != nil {
				on = *d.Dependencies
			}
			doc.Dependencies = append(doc.Dependencies, Dependency{Ref: d.Ref, DependsOn: on})
		}
	}
	return doc
}

// cdxUnmodelled lists the parts of a BOM the model does not represent.
func cdxUnmodelled(bom *cdx.BOM, root *cdx.Component) []string {
	var out []string
	section := func(name string, n int) {
		if n > 0 {
			out = append(out, "cyclonedx "+name+": "+strconv.Itoa(n))
		}
	}
	lenOf := func(n int, ok bool) int {
		if !ok {
			return 0
		}
		return n
	}
	section("services", lenOf(cdxLen(bom.Services)))
	section("externalReferences", lenOf(cdxLen(bom.ExternalReferences)))
	section("compositions", lenOf(cdxLen(bom.Compositions)))
	section("vulnerabilities", lenOf(cdxLen(bom.Vulnerabilities)))
	section("annotations", lenOf(cdxLen(bom.Annotations)))
	section("formulation", lenOf(cdxLen(bom.Formulation)))
	if bom.Declarations != nil {
		section("declarations", 1)
	}
	if bom.Definitions != nil {
		section("definitions", 1)
	}
	if bom.Signature != nil {
		section("signature", 1)
	}
	if bom.Dependencies != nil {
		n := 0
		for _, d := range *bom.Dependencies {
			if d.Provides != nil && len(*d.Provides) > 0 {
				n++
			}
		}
		section("dependencies provides", n)
	}
	if md := bom.Metadata; md != nil {
		if md.Licenses != nil || md.Supplier != nil || md.Manufacturer != nil || md.Manufacture != nil || md.Lifecycles != nil {
			section("metadata licenses, supplier, manufacturer or lifecycles", 1)
		}
	}
	fields := map[string]int{}
	var walk func(cs *[]cdx.Component)
	count := func(c *cdx.Component) {
		if c.ExternalReferences != nil {
			fields["externalReferences"]++
		}
		if c.Copyright != "" {
			fields["copyright"]++
		}
		if c.Pedigree != nil {
			fields["pedigree"]++
		}
		if c.SWID != nil {
			fields["swid"]++
		}
		if c.Publisher != "" || c.Manufacturer != nil {
			fields["publisher or manufacturer"]++
		}
		if c.ReleaseNotes != nil || c.ModelCard != nil || c.Data != nil || c.CryptoProperties != nil {
			fields["releaseNotes, modelCard, data or cryptoProperties"]++
		}
		if c.Supplier != nil && (c.Supplier.URL != nil || c.Supplier.Contact != nil || c.Supplier.Address != nil) {
			fields["supplier url, address or contact"]++
		}
		if c.Authors != nil {
			for _, a := range *c.Authors {
				if a.Phone != "" {
					fields["author phone"]++
					break
				}
			}
		}
		if c.Tags != nil || c.MIMEType != "" || c.Modified != nil || c.VersionRange != "" || c.IsExternal != nil {
			fields["tags, mime-type, modified, versionRange or isExternal"]++
		}
		if c.OmniborID != nil || c.SWHID != nil {
			fields["omniborId or swhid"]++
		}
		if c.Evidence != nil && (c.Evidence.Identity != nil || c.Evidence.Licenses != nil || c.Evidence.Copyright != nil || c.Evidence.Callstack != nil) {
			fields["evidence other than occurrences"]++
		}
		if c.Licenses != nil {
			for _, l := range *c.Licenses {
				if l.License != nil && (l.License.Text != nil || l.License.URL != "" || l.License.Licensing != nil) {
					fields["licence text, url or licensing"]++
					break
				}
			}
		}
		walk(c.Components)
	}
	walk = func(cs *[]cdx.Component) {
		if cs == nil {
			return
		}
		for i := range *cs {
			count(&(*cs)[i])
		}
	}
	if root != nil {
		count(root)
	}
	walk(bom.Components)
	if len(fields) > 0 {
		names := make([]string, 0, len(fields))
		for k := range fields {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			out = append(out, "cyclonedx component "+k+": "+strconv.Itoa(fields[k]))
		}
	}
	return out
}

func cdxLen[T any](p *[]T) (int, bool) {
	if p == nil {
		return 0, false
	}
	return len(*p), true
}

// cdxSyntheticPrefix starts the IDs given to components without a bom-ref.
const cdxSyntheticPrefix = "component-"

// cdxFixIDs renames positional IDs that collide with a real bom-ref (a
// document that uses "component-3" as a bom-ref). Children of a renamed
// component were given its positional ID as Parent before the rename, and
// follow it unless the real component of that name is their parent (the
// two cannot be told apart then; the real one wins).
func cdxFixIDs(doc *Document) {
	count := make(map[string]int, len(doc.Components))
	for i := range doc.Components {
		count[doc.Components[i].ID]++
	}
	rename := map[string]string{}
	for i := range doc.Components {
		c := &doc.Components[i]
		want := cdxSyntheticPrefix + strconv.Itoa(i+1)
		if c.ID != want || count[want] == 1 {
			continue
		}
		id := want
		for k := 2; count[id] > 0; k++ {
			id = want + "~" + strconv.Itoa(k)
		}
		count[id] = 1
		rename[want] = id
		c.ID = id
	}
	if len(rename) == 0 {
		return
	}
	if r, ok := rename[doc.Root]; ok && doc.Components[0].ID == r {
		doc.Root = r
	}
}

// cdxDocProps keeps ordinary document properties and reads back the
// chaingate carrier properties.
func cdxDocProps(doc *Document, ps []cdx.Property) []Property {
	out := make([]Property, 0, len(ps))
	for _, p := range ps {
		switch p.Name {
		case cdxPropLimitation:
			doc.Limitations = append(doc.Limitations, p.Value)
			continue
		case cdxPropName:
			doc.Name = p.Value
			continue
		case cdxPropImage:
			var img ImageInfo
			if err := json.Unmarshal([]byte(p.Value), &img); err == nil && doc.Image == nil {
				doc.Image = &img
				continue
			}
		}
		out = append(out, Property{Name: p.Name, Value: p.Value})
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func cdxFlatten(dst []Component, arena *cdxArena, c *cdx.Component, parent string) []Component {
	id := c.BOMRef
	if id == "" {
		// Components without a bom-ref get a positional ID, so that
		// nesting (Parent) and the root can name them; cdxFixIDs makes
		// sure it collides with no real bom-ref.
		id = cdxSyntheticPrefix + strconv.Itoa(len(dst)+1)
		arena.synthetic = true
	}
	dst = append(dst, Component{
		ID:          id,
		Type:        ComponentType(c.Type),
		Group:       c.Group,
		Name:        c.Name,
		Version:     c.Version,
		PURL:        c.PackageURL,
		Description: c.Description,
		Scope:       Scope(c.Scope),
		Parent:      parent,
	})
	out := &dst[len(dst)-1]
	if c.CPE != "" {
		out.CPEs = arena.takeCPE(c.CPE)
	}
	if c.Hashes != nil && len(*c.Hashes) > 0 {
		out.Hashes = arena.takeHashes(*c.Hashes)
	}
	if c.Licenses != nil {
		out.LicenseDeclared, out.LicenseConcluded = cdxLicenses(*c.Licenses)
	}
	if c.Supplier != nil {
		out.Supplier = c.Supplier.Name
	}
	switch {
	case c.Author != "":
		out.Author = c.Author
	case c.Authors != nil && len(*c.Authors) > 0:
		names := make([]string, 0, len(*c.Authors))
		for _, a := range *c.Authors {
			names = append(names, cdxContact(a))
		}
		out.Author = strings.Join(names, ", ")
	}
	if c.Properties != nil && len(*c.Properties) > 0 {
		ps := *c.Properties
		carried := false
		for _, p := range ps {
			if strings.HasPrefix(p.Name, cdxPropPrefix) {
				carried = true
				break
			}
		}
		if carried {
			for _, p := range ps {
				switch {
				case p.Name == cdxPropCPE:
					out.CPEs = append(out.CPEs[:len(out.CPEs):len(out.CPEs)], p.Value)
				case p.Name == cdxPropConcluded && out.LicenseConcluded == "":
					out.LicenseConcluded = p.Value
				default:
					out.Properties = append(out.Properties, Property{Name: p.Name, Value: p.Value})
				}
			}
		} else {
			out.Properties = arena.takeProps(ps)
		}
	}
	if c.Evidence != nil && c.Evidence.Occurrences != nil {
		for _, o := range *c.Evidence.Occurrences {
			loc := Location{Path: o.Location}
			if layer, ok := strings.CutPrefix(o.AdditionalContext, cdxLayerPrefix); ok {
				loc.Layer = layer
			}
			out.Locations = append(out.Locations, loc)
		}
	}
	if c.Components != nil {
		for i := range *c.Components {
			dst = cdxFlatten(dst, arena, &(*c.Components)[i], id)
		}
	}
	return dst
}

// cdxContact renders a contact as SPDX writes a person: "Name (email)".
func cdxContact(a cdx.OrganizationalContact) string {
	switch {
	case a.Name != "" && a.Email != "":
		return a.Name + " (" + a.Email + ")"
	case a.Name != "":
		return a.Name
	}
	return a.Email
}

func cdxTools(tc *cdx.ToolsChoice) []Tool {
	if tc == nil {
		return nil
	}
	var out []Tool
	if tc.Tools != nil {
		for _, t := range *tc.Tools {
			out = append(out, Tool{Vendor: t.Vendor, Name: t.Name, Version: t.Version})
		}
	}
	if tc.Components != nil {
		for _, c := range *tc.Components {
			vendor := c.Group
			if vendor == "" && c.Manufacturer != nil {
				vendor = c.Manufacturer.Name
			}
			if vendor == "" && c.Supplier != nil {
				vendor = c.Supplier.Name
			}
			if vendor == "" {
				vendor = c.Publisher
			}
			out = append(out, Tool{Vendor: vendor, Name: c.Name, Version: c.Version})
		}
	}
	if tc.Services != nil {
		for _, s := range *tc.Services {
			t := Tool{Vendor: s.Group, Name: s.Name, Version: s.Version}
			if t.Vendor == "" && s.Provider != nil {
				t.Vendor = s.Provider.Name
			}
			out = append(out, t)
		}
	}
	return out
}

// cdxLicenses turns a CycloneDX licence list into SPDX expressions: the
// choices acknowledged "concluded" form LicenseConcluded, the others
// (acknowledged "declared", or not acknowledged, as before CycloneDX 1.6)
// LicenseDeclared. Several choices are joined with AND. A licence known
// only by name becomes a LicenseRef- built from the name.
func cdxLicenses(ls cdx.Licenses) (declared, concluded string) {
	if len(ls) == 1 {
		term, ack := cdxLicenseTerm(&ls[0])
		if ack == cdx.LicenseAcknowledgementConcluded {
			return "", term
		}
		return term, ""
	}
	var d, c []string
	for i := range ls {
		term, ack := cdxLicenseTerm(&ls[i])
		if term == "" {
			continue
		}
		if ack == cdx.LicenseAcknowledgementConcluded {
			c = append(c, term)
		} else {
			d = append(d, term)
		}
	}
	return spdxJoinAnd(d), spdxJoinAnd(c)
}

func cdxLicenseTerm(lc *cdx.LicenseChoice) (string, cdx.LicenseAcknowledgement) {
	var ack cdx.LicenseAcknowledgement
	if lc.Acknowledgement != nil {
		ack = *lc.Acknowledgement
	}
	if lc.Expression != "" {
		return lc.Expression, ack
	}
	if l := lc.License; l != nil {
		if l.Acknowledgement != "" {
			ack = l.Acknowledgement
		}
		if l.ID != "" {
			return l.ID, ack
		}
		if l.Name != "" {
			if spdxIDRE.MatchString("SPDXRef-"+strings.TrimPrefix(l.Name, "LicenseRef-")) && strings.HasPrefix(l.Name, "LicenseRef-") {
				return l.Name, ack
			}
			return spdxLicenseRef(l.Name), ack
		}
	}
	return "", ack
}

// spdxJoinAnd joins SPDX expressions with AND, parenthesising compound ones.
func spdxJoinAnd(terms []string) string {
	switch len(terms) {
	case 0:
		return ""
	case 1:
		return terms[0]
	}
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteString(" AND ")
		}
		if strings.ContainsRune(t, ' ') && !(strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")")) {
			b.WriteString("(" + t + ")")
		} else {
			b.WriteString(t)
		}
	}
	return b.String()
}

// spdxLicenseRef makes a LicenseRef- identifier from a licence name: SPDX
// identifiers allow only letters, digits, '.' and '-'.
func spdxLicenseRef(name string) string {
	var b strings.Builder
	b.WriteString("LicenseRef-")
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}
