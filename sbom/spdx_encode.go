package sbom

import (
	"encoding/json"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/github/go-spdx/v2/spdxexp"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
	"github.com/spdx/tools-golang/tagvalue"
)

// cdxAlgToSPDX names CycloneDX hash algorithms as SPDX does.
var cdxAlgToSPDX = func() map[string]string {
	m := make(map[string]string, len(spdxAlgToCDX))
	for s, c := range spdxAlgToCDX {
		m[c] = s
	}
	return m
}()

var spdxTypeToPurpose = func() map[ComponentType]string {
	m := make(map[ComponentType]string, len(spdxPurposeToType))
	for p, t := range spdxPurposeToType {
		m[t] = p
	}
	return m
}()

var spdxLicenseRefRE = regexp.MustCompile(`LicenseRef-[A-Za-z0-9.\-]+`)

// spdxEncode writes doc as SPDX 2.3 with tools-golang. Component values
// SPDX has no field for (group, scope, a type without a package purpose,
// properties, locations) travel as annotations by the "Tool: chaingate"
// annotator, which Decode reads back.
func spdxEncode(w io.Writer, doc *Document, f Format, rep *ConversionReport) error {
	sd := spdxFromDocument(doc, f, rep)
	if f == SPDXJSON {
		return spdxjson.Write(sd, w, spdxjson.Indent("  "))
	}
	spdxTagValueSafe(sd, rep)
	return tagvalue.Write(sd, w)
}

// spdxTagValueSafe keeps values from breaking the line structure of
// tag-value: tools-golang writes one-line fields as they are, so a
// newline in a name would start a new tag (an injection), and "</text>"
// would end a multi-line field early. Such characters are replaced and
// the change is reported.
func spdxTagValueSafe(sd *spdx.Document, rep *ConversionReport) {
	line := func(comp, field string, s *string) {
		if strings.ContainsAny(*s, "\r\n") {
			orig := *s
			*s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(*s)
			rep.lose(comp, field, orig, "tag-value cannot hold a line break in this field; written with spaces")
		}
	}
	text := func(comp, field string, s *string) {
		if strings.Contains(*s, "</text>") {
			orig := *s
			*s = strings.ReplaceAll(*s, "</text>", "</ text>")
			rep.lose(comp, field, orig, "tag-value cannot hold </text> in a text field; written as </ text>")
		}
	}
	line("", "name", &sd.DocumentName)
	line("", "serialNumber", &sd.DocumentNamespace)
	for i := range sd.CreationInfo.Creators {
		line("", "creators", &sd.CreationInfo.Creators[i].Creator)
	}
	for _, p := range sd.Packages {
		id := "SPDXRef-" + string(p.PackageSPDXIdentifier)
		line(id, "name", &p.PackageName)
		line(id, "version", &p.PackageVersion)
		line(id, "licenseConcluded", &p.PackageLicenseConcluded)
		line(id, "licenseDeclared", &p.PackageLicenseDeclared)
		text(id, "description", &p.PackageDescription)
		if p.PackageSupplier != nil {
			line(id, "supplier", &p.PackageSupplier.Supplier)
		}
		if p.PackageOriginator != nil {
			line(id, "author", &p.PackageOriginator.Originator)
		}
		for j := range p.PackageChecksums {
			line(id, "hashes", &p.PackageChecksums[j].Value)
		}
		for _, e := range p.PackageExternalReferences {
			line(id, "purl or cpes", &e.Locator)
		}
	}
	for _, a := range sd.Annotations {
		text("", "annotation", &a.AnnotationComment)
	}
}

// spdxSanitizeID makes an SPDXRef- identifier from any ID.
func spdxSanitizeID(id string) string {
	if spdxIDRE.MatchString(id) {
		return id
	}
	var b strings.Builder
	b.WriteString("SPDXRef-")
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	if b.Len() == len("SPDXRef-") {
		b.WriteString("component")
	}
	return b.String()
}

func spdxFromDocument(doc *Document, f Format, rep *ConversionReport) *spdx.Document {
	sd := &spdx.Document{
		SPDXVersion:    spdx.Version,
		DataLicense:    spdx.DataLicense,
		SPDXIdentifier: "DOCUMENT",
		DocumentName:   doc.Name,
	}
	if sd.DocumentName == "" {
		sd.DocumentName = "NOASSERTION"
		if doc.Root != "" {
			if r := doc.Component(doc.Root); r != nil && r.Name != "" {
				sd.DocumentName = r.Name
			}
		}
		rep.note("", "name", "", "SPDX requires a document name; the document has none, so "+sd.DocumentName+" is written")
	}
	switch {
	case doc.SerialNumber != "" && strings.Contains(doc.SerialNumber, ":") && !strings.Contains(doc.SerialNumber, "#"):
		sd.DocumentNamespace = doc.SerialNumber
	default:
		sd.DocumentNamespace = "https://chaingate.dev/spdx/" + encUUID5(encDocKey(doc))
		if doc.SerialNumber != "" {
			rep.note("", "serialNumber", doc.SerialNumber, "not an absolute URI; SPDX namespace "+sd.DocumentNamespace+" derived")
		}
	}
	created := "1970-01-01T00:00:00Z"
	if !doc.Created.IsZero() {
		created = doc.Created.UTC().Format(time.RFC3339)
	} else {
		rep.lose("", "created", "", "SPDX requires a creation time; the document has none, so "+created+" is written")
	}
	ci := &spdx.CreationInfo{Created: created}
	for _, t := range doc.Tools {
		name := t.Name
		if t.Version != "" {
			name += "-" + t.Version
		}
		ci.Creators = append(ci.Creators, common.Creator{CreatorType: "Tool", Creator: name})
		if t.Vendor != "" {
			rep.lose("", "tools.vendor", t.Vendor, "SPDX names a creator tool without its vendor")
		}
	}
	for _, a := range doc.Authors {
		ci.Creators = append(ci.Creators, common.Creator{CreatorType: "Person", Creator: a})
	}
	if len(ci.Creators) == 0 {
		ci.Creators = []common.Creator{{CreatorType: "Tool", Creator: "chaingate"}}
	}
	sd.CreationInfo = ci
	annotate := func(target common.ElementID, pkg *spdx.Package, comment string) {
		a := spdx.Annotation{
			Annotator:         common.Annotator{AnnotatorType: "Tool", Annotator: "chaingate"},
			AnnotationDate:    created,
			AnnotationType:    "OTHER",
			AnnotationComment: comment,
		}
		if f == SPDXJSON && pkg != nil {
			pkg.Annotations = append(pkg.Annotations, a)
			return
		}
		// Tag-value carries annotations at document level, naming their element.
		a.AnnotationSPDXIdentifier = common.DocElementID{ElementRefID: target}
		sd.Annotations = append(sd.Annotations, &a)
	}
	if doc.Version > 1 {
		rep.lose("", "version", strconv.Itoa(doc.Version), "SPDX 2.3 has no document version")
	}
	// Document values SPDX has no field for travel as document annotations.
	for _, p := range doc.Properties {
		b, _ := json.Marshal(p)
		annotate("DOCUMENT", nil, spdxAnnotDocProp+string(b))
	}
	for _, l := range doc.Limitations {
		annotate("DOCUMENT", nil, spdxAnnotLimit+l)
	}
	if doc.Image != nil {
		b, _ := json.Marshal(doc.Image)
		annotate("DOCUMENT", nil, spdxAnnotImage+string(b))
	}

	// Identifiers: keep valid SPDXIDs, sanitise the rest, keep them unique.
	ids := make(map[string]string, len(doc.Components))
	used := make(map[string]bool, len(doc.Components)+1)
	used["SPDXRef-DOCUMENT"] = true
	spdxIDs := make([]string, len(doc.Components))
	for i := range doc.Components {
		c := &doc.Components[i]
		id := spdxSanitizeID(c.ID)
		if c.ID == "" {
			id = "SPDXRef-component-" + strconv.Itoa(i+1)
		}
		base := id
		for k := 2; used[id]; k++ {
			id = base + "-" + strconv.Itoa(k)
		}
		used[id] = true
		spdxIDs[i] = id
		if c.ID != "" {
			if _, seen := ids[c.ID]; !seen {
				ids[c.ID] = id
			}
		}
		if id != c.ID && c.ID != "" {
			rep.note(c.ID, "id", c.ID, "rewritten as SPDXID "+id)
		}
	}
	licenseRefs := map[string]bool{}
	for i := range doc.Components {
		c := &doc.Components[i]
		id := spdxIDs[i]
		p := &spdx.Package{
			PackageName:               c.Name,
			PackageSPDXIdentifier:     common.ElementID(strings.TrimPrefix(id, "SPDXRef-")),
			PackageVersion:            c.Version,
			PackageDownloadLocation:   "NOASSERTION",
			FilesAnalyzed:             false,
			IsFilesAnalyzedTagPresent: true,
			PackageLicenseConcluded:   spdxLicenseOut(c.LicenseConcluded),
			PackageLicenseDeclared:    spdxLicenseOut(c.LicenseDeclared),
			PackageCopyrightText:      "NOASSERTION",
			PackageDescription:        c.Description,
		}
		if p.PackageName == "" {
			p.PackageName = "NOASSERTION"
			rep.lose(c.ID, "name", "", "SPDX requires a package name; NOASSERTION written")
		}
		for _, l := range []string{c.LicenseConcluded, c.LicenseDeclared} {
			for _, ref := range spdxLicenseRefRE.FindAllString(l, -1) {
				licenseRefs[ref] = true
			}
		}
		if c.Supplier != "" {
			p.PackageSupplier = &common.Supplier{SupplierType: "Organization", Supplier: c.Supplier}
		}
		if c.Author != "" {
			p.PackageOriginator = &common.Originator{OriginatorType: "Person", Originator: c.Author}
		}
		if purpose, ok := spdxTypeToPurpose[c.Type]; ok {
			p.PrimaryPackagePurpose = purpose
		} else if c.Type != "" {
			p.PrimaryPackagePurpose = "OTHER"
		}
		for _, h := range c.Hashes {
			alg, ok := cdxAlgToSPDX[h.Algorithm]
			if !ok {
				rep.lose(c.ID, "hashes", h.Algorithm+":"+h.Value, "SPDX has no checksum algorithm "+h.Algorithm)
				continue
			}
			p.PackageChecksums = append(p.PackageChecksums, common.Checksum{Algorithm: common.ChecksumAlgorithm(alg), Value: h.Value})
		}
		if c.PURL != "" {
			p.PackageExternalReferences = append(p.PackageExternalReferences, &spdx.PackageExternalReference{
				Category: common.CategoryPackageManager, RefType: common.TypePackageManagerPURL, Locator: c.PURL,
			})
		}
		for _, cpe := range c.CPEs {
			typ := common.TypeSecurityCPE23Type
			if strings.HasPrefix(cpe, "cpe:/") {
				typ = common.TypeSecurityCPE22Type
			}
			p.PackageExternalReferences = append(p.PackageExternalReferences, &spdx.PackageExternalReference{
				Category: common.CategorySecurity, RefType: typ, Locator: cpe,
			})
		}
		sd.Packages = append(sd.Packages, p)
		eid := p.PackageSPDXIdentifier
		if c.Group != "" {
			annotate(eid, p, spdxAnnotGroup+c.Group)
		}
		if c.Scope != ScopeUnknown {
			annotate(eid, p, spdxAnnotScope+string(c.Scope))
		}
		if _, ok := spdxTypeToPurpose[c.Type]; !ok && c.Type != "" {
			annotate(eid, p, spdxAnnotType+string(c.Type))
		}
		if c.Version == "NOASSERTION" {
			annotate(eid, p, spdxAnnotVersion+c.Version)
		}
		for _, pr := range c.Properties {
			b, _ := json.Marshal(pr)
			annotate(eid, p, spdxAnnotProp+string(b))
		}
		for _, l := range c.Locations {
			b, _ := json.Marshal(l)
			annotate(eid, p, spdxAnnotLoc+string(b))
		}
	}
	refs := make([]string, 0, len(licenseRefs))
	for r := range licenseRefs {
		refs = append(refs, r)
	}
	sort.Strings(refs)
	for _, r := range refs {
		sd.OtherLicenses = append(sd.OtherLicenses, &spdx.OtherLicense{
			LicenseIdentifier: r,
			ExtractedText:     "NOASSERTION",
			LicenseComment:    "licence text not known to the SBOM this document was converted from",
		})
	}

	docID := common.DocElementID{ElementRefID: "DOCUMENT"}
	elem := func(id string) (common.DocElementID, bool) {
		s, ok := ids[id]
		if !ok {
			return common.DocElementID{}, false
		}
		return common.DocElementID{ElementRefID: common.ElementID(strings.TrimPrefix(s, "SPDXRef-"))}, true
	}
	if doc.Root != "" {
		if r, ok := elem(doc.Root); ok {
			sd.Relationships = append(sd.Relationships, &spdx.Relationship{RefA: docID, RefB: r, Relationship: common.TypeRelationshipDescribe})
		}
	}
	for i := range doc.Components {
		c := &doc.Components[i]
		if c.Parent == "" {
			continue
		}
		parent, ok := elem(c.Parent)
		if !ok {
			rep.lose(c.ID, "parent", c.Parent, "parent is not a component of the document")
			continue
		}
		child := common.DocElementID{ElementRefID: common.ElementID(strings.TrimPrefix(spdxIDs[i], "SPDXRef-"))}
		sd.Relationships = append(sd.Relationships, &spdx.Relationship{RefA: parent, RefB: child, Relationship: common.TypeRelationshipContains})
	}
	for _, d := range doc.Dependencies {
		from, ok := elem(d.Ref)
		if !ok {
			if strings.HasPrefix(d.Ref, "DocumentRef-") {
				from, ok = spdxExternalRef(d.Ref)
			}
			if !ok {
				for _, to := range d.DependsOn {
					rep.lose(d.Ref, "dependencies", d.Ref+" -> "+to, "dependency from an element that is not in the document")
				}
				continue
			}
		}
		for _, to := range d.DependsOn {
			t, ok := elem(to)
			if !ok && strings.HasPrefix(to, "DocumentRef-") {
				t, ok = spdxExternalRef(to)
			}
			if !ok {
				rep.lose(d.Ref, "dependencies", d.Ref+" -> "+to, "dependency on an element that is not in the document")
				continue
			}
			sd.Relationships = append(sd.Relationships, &spdx.Relationship{RefA: from, RefB: t, Relationship: common.TypeRelationshipDependsOn})
		}
	}
	return sd
}

func spdxExternalRef(s string) (common.DocElementID, bool) {
	docPart, elemPart, ok := strings.Cut(s, ":")
	if !ok || !strings.HasPrefix(elemPart, "SPDXRef-") {
		return common.DocElementID{}, false
	}
	return common.DocElementID{
		DocumentRefID: common.DocumentID(strings.TrimPrefix(docPart, "DocumentRef-")),
		ElementRefID:  common.ElementID(strings.TrimPrefix(elemPart, "SPDXRef-")),
	}, true
}

// spdxLicenseOut writes a licence field: empty is NOASSERTION.
func spdxLicenseOut(s string) string {
	if s == "" {
		return "NOASSERTION"
	}
	return s
}

// spdxValidExpression reports whether s is a licence expression SPDX accepts.
func spdxValidExpression(s string) bool {
	if s == "NONE" || s == "NOASSERTION" {
		return true
	}
	ok, _ := spdxexp.ValidateLicenses([]string{s})
	return ok
}
