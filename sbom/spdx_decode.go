package sbom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/package-url/packageurl-go"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/rdf"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
	"github.com/spdx/tools-golang/tagvalue"
	spdxyaml "github.com/spdx/tools-golang/yaml"
)

// spdxRaw is the part of an SPDX 2.x document the model uses, in the
// shape of SPDX JSON. Both decoding paths produce it. The hot path
// unmarshals SPDX JSON straight into it, once, with github.com/goccy/go-json
// (a drop-in encoding/json replacement that follows its rules, key case
// folding and null handling included, several times faster); tools-golang's
// JSON reader unmarshals every document three times and every package
// twice with encoding/json, which makes it about six times slower than
// the same content read as CycloneDX. The tools-golang path (tag-value, YAML, RDF, and JSON that the hot path does
// not take) converts tools-golang's model into it. spdxToDocument then
// builds the Document from it, so both paths give the same Document.
type spdxRaw struct {
	SPDXVersion       string           `json:"spdxVersion"`
	DataLicense       string           `json:"dataLicense"`
	SPDXID            string           `json:"SPDXID"`
	Name              string           `json:"name"`
	Namespace         string           `json:"documentNamespace"`
	CreationInfo      *spdxRawCreation `json:"creationInfo"`
	DocumentDescribes []string         `json:"documentDescribes"`
	Packages          []spdxRawPackage `json:"packages"`
	Files             []spdxRawFile    `json:"files"`
	Relationships     []*spdxRawRel    `json:"relationships"`
	// Annotations are the document's own annotations.
	Annotations []spdxRawAnnotation `json:"annotations"`
}

type spdxRawCreation struct {
	Created  string   `json:"created"`
	Creators []string `json:"creators"`
}

type spdxRawPackage struct {
	Name                  string              `json:"name"`
	SPDXID                string              `json:"SPDXID"`
	VersionInfo           string              `json:"versionInfo"`
	Supplier              string              `json:"supplier"`
	Originator            string              `json:"originator"`
	DownloadLocation      string              `json:"downloadLocation"`
	Checksums             []spdxRawChecksum   `json:"checksums"`
	LicenseConcluded      string              `json:"licenseConcluded"`
	LicenseDeclared       string              `json:"licenseDeclared"`
	Description           string              `json:"description"`
	ExternalRefs          []spdxRawExtRef     `json:"externalRefs"`
	PrimaryPackagePurpose string              `json:"primaryPackagePurpose"`
	HasFiles              []string            `json:"hasFiles"`
	Annotations           []spdxRawAnnotation `json:"annotations"`
}

type spdxRawFile struct {
	FileName         string            `json:"fileName"`
	SPDXID           string            `json:"SPDXID"`
	Checksums        []spdxRawChecksum `json:"checksums"`
	LicenseConcluded string            `json:"licenseConcluded"`
}

type spdxRawChecksum struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"checksumValue"`
}

type spdxRawExtRef struct {
	Category string `json:"referenceCategory"`
	Type     string `json:"referenceType"`
	Locator  string `json:"referenceLocator"`
}

type spdxRawRel struct {
	Element string `json:"spdxElementId"`
	Type    string `json:"relationshipType"`
	Related string `json:"relatedSpdxElement"`
}

type spdxRawAnnotation struct {
	Annotator string `json:"annotator"`
	Comment   string `json:"comment"`
}

// spdxVersionRE finds the declared SPDX version in any serialisation.
var spdxVersionRE = regexp.MustCompile(`(?:spdxVersion|SPDXVersion|specVersion)["']?\s*[:>]\s*["']?(SPDX-[0-9.]+)`)

// spdxDecode decodes an SPDX document.
func spdxDecode(data []byte, f Format, strict bool) (*Document, error) {
	var raw *spdxRaw
	if f == SPDXJSON {
		r, ok, err := spdxFastJSON(data)
		if err != nil {
			return nil, decParseError(f, data, err)
		}
		if ok {
			raw = r
		}
	}
	if raw == nil {
		doc, err := spdxReadTools(data, f)
		if err != nil {
			return nil, decParseError(f, data, err)
		}
		raw = spdxFromTools(doc)
		if m := spdxVersionRE.FindSubmatch(data); m != nil {
			raw.SPDXVersion = string(m[1])
		}
	}
	if strict {
		if err := spdxStrictCheck(raw, f); err != nil {
			return nil, err
		}
	}
	return spdxToDocument(raw, f)
}

// spdxReadTools reads any SPDX serialisation with tools-golang.
func spdxReadTools(data []byte, f Format) (*spdx.Document, error) {
	r := bytes.NewReader(data)
	switch f {
	case SPDXJSON:
		return spdxjson.Read(r)
	case SPDXTagValue:
		return tagvalue.Read(r)
	case SPDXYAML:
		return spdxyaml.Read(r)
	case SPDXRDF:
		// Known upstream problem: the RDF/XML parser under tools-golang
		// (github.com/spdx/gordf) parses blocks in goroutines that write a
		// shared error without synchronisation, so the race detector flags
		// it and an error from one block can in rare interleavings be
		// overwritten. Prefer SPDX JSON or tag-value where it matters.
		return rdf.Read(r)
	}
	return nil, ErrUnsupportedFormat
}

// spdxFastJSON is the hot path for SPDX 2.2 and 2.3 JSON. ok is false
// when the document is of another version or uses identifiers the
// tools-golang reader would reject; the caller then takes the
// tools-golang path, which gives the same result or its error.
func spdxFastJSON(data []byte) (raw *spdxRaw, ok bool, err error) {
	raw = &spdxRaw{}
	if err := gojson.Unmarshal(data, raw); err != nil {
		// Let the tools-golang path report the error: encoding/json gives
		// its byte offset.
		return nil, false, nil
	}
	if raw.SPDXVersion != "SPDX-2.2" && raw.SPDXVersion != "SPDX-2.3" {
		return nil, false, nil
	}
	if !spdxValidElementID(raw.SPDXID) {
		return nil, false, nil
	}
	for i := range raw.Packages {
		p := &raw.Packages[i]
		if !spdxValidElementID(p.SPDXID) || !spdxValidActor(p.Supplier) || !spdxValidActor(p.Originator) {
			return nil, false, nil
		}
		for j := range p.ExternalRefs {
			p.ExternalRefs[j].Category = strings.ReplaceAll(p.ExternalRefs[j].Category, "_", "-")
		}
		for _, a := range p.Annotations {
			if !strings.Contains(a.Annotator, ":") {
				return nil, false, nil
			}
		}
		for _, h := range p.HasFiles {
			if !spdxValidDocElementID(h) {
				return nil, false, nil
			}
		}
	}
	for _, a := range raw.Annotations {
		if !strings.Contains(a.Annotator, ":") {
			return nil, false, nil
		}
	}
	for i := range raw.Files {
		if !spdxValidElementID(raw.Files[i].SPDXID) {
			return nil, false, nil
		}
	}
	for _, d := range raw.DocumentDescribes {
		if !spdxValidDocElementID(d) {
			return nil, false, nil
		}
	}
	for _, r := range raw.Relationships {
		// A missing element (an empty object, as in real documents) is
		// what tools-golang leaves empty too; the relationship then has no
		// type and no effect.
		if r != nil && ((r.Element != "" && !spdxValidDocElementID(r.Element)) || (r.Related != "" && !spdxValidDocElementID(r.Related))) {
			return nil, false, nil
		}
	}
	if raw.CreationInfo != nil {
		for _, c := range raw.CreationInfo.Creators {
			if !strings.Contains(c, ":") {
				return nil, false, nil
			}
		}
	}
	return raw, true, nil
}

func spdxValidElementID(s string) bool {
	rest, ok := strings.CutPrefix(s, "SPDXRef-")
	return ok && rest != ""
}

func spdxValidDocElementID(s string) bool {
	if s == "NONE" || s == "NOASSERTION" {
		return true
	}
	if strings.HasPrefix(s, "DocumentRef-") {
		doc, elem, found := strings.Cut(s, ":")
		if doc == "DocumentRef-" {
			return false
		}
		return !found || spdxValidElementID(elem)
	}
	return spdxValidElementID(s)
}

// spdxValidActor mirrors tools-golang's supplier and originator parsing:
// "NOASSERTION" or "Type: name".
func spdxValidActor(s string) bool {
	return s == "" || s == "NOASSERTION" || strings.Contains(s, ":")
}

// spdxFromTools converts tools-golang's model into spdxRaw.
func spdxFromTools(d *spdx.Document) *spdxRaw {
	raw := &spdxRaw{
		SPDXVersion: d.SPDXVersion,
		DataLicense: d.DataLicense,
		SPDXID:      spdxElemString(d.SPDXIdentifier),
		Name:        d.DocumentName,
		Namespace:   d.DocumentNamespace,
	}
	if ci := d.CreationInfo; ci != nil {
		raw.CreationInfo = &spdxRawCreation{Created: ci.Created}
		for _, c := range ci.Creators {
			raw.CreationInfo.Creators = append(raw.CreationInfo.Creators, c.CreatorType+": "+c.Creator)
		}
	}
	seenFile := map[string]bool{}
	addFile := func(f *spdx.File) {
		if f == nil {
			return
		}
		id := spdxElemString(f.FileSPDXIdentifier)
		if seenFile[id] {
			return
		}
		seenFile[id] = true
		rf := spdxRawFile{FileName: f.FileName, SPDXID: id, LicenseConcluded: f.LicenseConcluded}
		for _, c := range f.Checksums {
			rf.Checksums = append(rf.Checksums, spdxRawChecksum{Algorithm: string(c.Algorithm), Value: c.Value})
		}
		raw.Files = append(raw.Files, rf)
	}
	for _, p := range d.Packages {
		if p == nil {
			continue
		}
		rp := spdxRawPackage{
			Name:                  p.PackageName,
			SPDXID:                spdxElemString(p.PackageSPDXIdentifier),
			VersionInfo:           p.PackageVersion,
			DownloadLocation:      p.PackageDownloadLocation,
			LicenseConcluded:      p.PackageLicenseConcluded,
			LicenseDeclared:       p.PackageLicenseDeclared,
			Description:           p.PackageDescription,
			PrimaryPackagePurpose: p.PrimaryPackagePurpose,
		}
		if s := p.PackageSupplier; s != nil {
			rp.Supplier = spdxActorString(s.SupplierType, s.Supplier)
		}
		if o := p.PackageOriginator; o != nil {
			rp.Originator = spdxActorString(o.OriginatorType, o.Originator)
		}
		for _, c := range p.PackageChecksums {
			rp.Checksums = append(rp.Checksums, spdxRawChecksum{Algorithm: string(c.Algorithm), Value: c.Value})
		}
		for _, e := range p.PackageExternalReferences {
			if e == nil {
				continue
			}
			rp.ExternalRefs = append(rp.ExternalRefs, spdxRawExtRef{
				Category: strings.ReplaceAll(e.Category, "_", "-"), Type: e.RefType, Locator: e.Locator,
			})
		}
		for _, a := range p.Annotations {
			rp.Annotations = append(rp.Annotations, spdxRawAnnotation{
				Annotator: spdxActorString(a.Annotator.AnnotatorType, a.Annotator.Annotator), Comment: a.AnnotationComment,
			})
		}
		raw.Packages = append(raw.Packages, rp)
	}
	// Tag-value keeps every annotation at document level, naming its element.
	if len(d.Annotations) > 0 {
		byID := make(map[string]int, len(raw.Packages))
		for i := range raw.Packages {
			byID[raw.Packages[i].SPDXID] = i
		}
		for _, a := range d.Annotations {
			if a == nil {
				continue
			}
			ra := spdxRawAnnotation{
				Annotator: spdxActorString(a.Annotator.AnnotatorType, a.Annotator.Annotator), Comment: a.AnnotationComment,
			}
			target := a.AnnotationSPDXIdentifier
			if i, ok := byID[common.RenderDocElementID(target)]; ok && target.ElementRefID != "" {
				raw.Packages[i].Annotations = append(raw.Packages[i].Annotations, ra)
			} else if target.ElementRefID == "" || spdxElemString(target.ElementRefID) == raw.SPDXID {
				raw.Annotations = append(raw.Annotations, ra)
			}
		}
	}
	for _, f := range d.Files {
		addFile(f)
	}
	for _, p := range d.Packages {
		if p == nil {
			continue
		}
		for _, f := range p.Files {
			addFile(f)
		}
	}
	for _, r := range d.Relationships {
		if r == nil {
			continue
		}
		raw.Relationships = append(raw.Relationships, &spdxRawRel{
			Element: common.RenderDocElementID(r.RefA),
			Type:    r.Relationship,
			Related: common.RenderDocElementID(r.RefB),
		})
	}
	return raw
}

func spdxElemString(id common.ElementID) string {
	if id == "" || strings.HasPrefix(string(id), "SPDXRef-") {
		// tools-golang's RDF reader keeps the prefix on the document's ID.
		return string(id)
	}
	return "SPDXRef-" + string(id)
}

func spdxActorString(typ, name string) string {
	if typ == "" {
		return name
	}
	return typ + ": " + name
}

// spdxActorName strips the "Person: " or "Organization: " of an SPDX
// actor; NOASSERTION is no actor.
func spdxActorName(s string) string {
	if s == "" || s == "NOASSERTION" {
		return ""
	}
	if _, name, ok := strings.Cut(s, ":"); ok {
		return strings.TrimSpace(name)
	}
	return s
}

// spdxLicense maps an SPDX licence field to the model: NOASSERTION (the
// SPDX way of saying nothing) is empty; NONE and expressions are kept.
func spdxLicense(s string) string {
	if s == "NOASSERTION" {
		return ""
	}
	return s
}

// spdxAlgToCDX names SPDX checksum algorithms as CycloneDX does.
var spdxAlgToCDX = map[string]string{
	"SHA1": "SHA-1", "SHA224": "SHA-224", "SHA256": "SHA-256", "SHA384": "SHA-384",
	"SHA512": "SHA-512", "MD2": "MD2", "MD4": "MD4", "MD5": "MD5", "MD6": "MD6",
	"SHA3-256": "SHA3-256", "SHA3-384": "SHA3-384", "SHA3-512": "SHA3-512",
	"BLAKE2b-256": "BLAKE2b-256", "BLAKE2b-384": "BLAKE2b-384", "BLAKE2b-512": "BLAKE2b-512",
	"BLAKE3": "BLAKE3", "ADLER32": "ADLER32",
}

// spdxPurposeToType maps SPDX 2.3 primaryPackagePurpose to component types.
var spdxPurposeToType = map[string]ComponentType{
	"APPLICATION": TypeApplication, "FRAMEWORK": TypeFramework, "LIBRARY": TypeLibrary,
	"CONTAINER": TypeContainer, "OPERATING-SYSTEM": TypeOperatingSystem, "DEVICE": TypeDevice,
	"FIRMWARE": TypeFirmware, "FILE": TypeFile,
}

// Annotations through which chaingate carries, in SPDX, component data
// SPDX has no field for (see Encode); Decode reads them back.
const (
	spdxAnnotator    = "Tool: chaingate"
	spdxAnnotPrefix  = "chaingate:sbom:"
	spdxAnnotGroup   = spdxAnnotPrefix + "group="
	spdxAnnotScope   = spdxAnnotPrefix + "scope="
	spdxAnnotType    = spdxAnnotPrefix + "type="
	spdxAnnotProp    = spdxAnnotPrefix + "property="
	spdxAnnotLoc     = spdxAnnotPrefix + "location="
	spdxAnnotVersion = spdxAnnotPrefix + "version="
	spdxAnnotDocProp = spdxAnnotPrefix + "docproperty="
	spdxAnnotLimit   = spdxAnnotPrefix + "limitation="
	spdxAnnotImage   = spdxAnnotPrefix + "image="
)

// spdxToDocument builds the model from spdxRaw. Packages come first, then
// files (as components of type "file"). DEPENDS_ON and the *_DEPENDENCY_OF
// relationships become dependency edges; a package without a
// primaryPackagePurpose is a library (DEV_ and OPTIONAL_DEPENDENCY_OF
// also set the scope of the dependency when it has none); CONTAINS sets
// Parent; the first element the document DESCRIBES is the root.
func spdxToDocument(raw *spdxRaw, f Format) (*Document, error) {
	doc := &Document{
		Format:       f,
		SpecVersion:  raw.SPDXVersion,
		SerialNumber: raw.Namespace,
		Name:         raw.Name,
	}
	if ci := raw.CreationInfo; ci != nil {
		if ci.Created != "" {
			if t, err := time.Parse(time.RFC3339, ci.Created); err == nil {
				doc.Created = t
			}
		}
		for _, c := range ci.Creators {
			typ, name, _ := strings.Cut(c, ":")
			name = strings.TrimSpace(name)
			switch strings.TrimSpace(typ) {
			case "Tool":
				t := Tool{Name: name}
				if i := strings.LastIndexByte(name, '-'); i > 0 && i < len(name)-1 {
					t.Name, t.Version = name[:i], name[i+1:]
				}
				doc.Tools = append(doc.Tools, t)
			default:
				doc.Authors = append(doc.Authors, name)
			}
		}
	}
	foreignAnnotations := 0
	for _, a := range raw.Annotations {
		if a.Annotator != spdxAnnotator || !strings.HasPrefix(a.Comment, spdxAnnotPrefix) {
			foreignAnnotations++
			continue
		}
		spdxApplyDocAnnotation(doc, a.Comment)
	}
	nPkgs := len(raw.Packages)
	doc.Components = make([]Component, 0, nPkgs+len(raw.Files))
	index := make(map[string]int, nPkgs+len(raw.Files))
	var hashes []Hash
	nh := 0
	for i := range raw.Packages {
		nh += len(raw.Packages[i].Checksums)
	}
	hashes = make([]Hash, 0, nh)
	takeHashes := func(cs []spdxRawChecksum) []Hash {
		if len(cs) == 0 {
			return nil
		}
		if cap(hashes)-len(hashes) < len(cs) {
			return spdxHashes(cs)
		}
		start := len(hashes)
		for _, c := range cs {
			alg, ok := spdxAlgToCDX[c.Algorithm]
			if !ok {
				alg = c.Algorithm
			}
			hashes = append(hashes, Hash{Algorithm: alg, Value: strings.ToLower(c.Value)})
		}
		return hashes[start:len(hashes):len(hashes)]
	}
	for i := range raw.Packages {
		p := &raw.Packages[i]
		c := Component{
			ID:               p.SPDXID,
			Type:             spdxPurposeToType[p.PrimaryPackagePurpose],
			Name:             p.Name,
			Version:          p.VersionInfo,
			Hashes:           takeHashes(p.Checksums),
			LicenseDeclared:  spdxLicense(p.LicenseDeclared),
			LicenseConcluded: spdxLicense(p.LicenseConcluded),
			Supplier:         spdxActorName(p.Supplier),
			Author:           spdxActorName(p.Originator),
			Description:      p.Description,
		}
		if c.Type == "" {
			// SPDX 2.2 has no purpose, and 2.3 makes it optional: a package
			// is a library unless it says otherwise (CycloneDX requires a type).
			c.Type = TypeLibrary
		}
		if p.VersionInfo == "NOASSERTION" {
			c.Version = ""
		}
		for _, e := range p.ExternalRefs {
			switch {
			case e.Category == "PACKAGE-MANAGER" && e.Type == "purl":
				if c.PURL == "" {
					c.PURL = e.Locator
				}
			case e.Category == "SECURITY" && (e.Type == "cpe23Type" || e.Type == "cpe22Type"):
				c.CPEs = append(c.CPEs, e.Locator)
			}
		}
		for _, a := range p.Annotations {
			if a.Annotator != spdxAnnotator || !strings.HasPrefix(a.Comment, spdxAnnotPrefix) {
				foreignAnnotations++
				continue
			}
			spdxApplyAnnotation(&c, a.Comment)
		}
		if _, dup := index[c.ID]; !dup {
			index[c.ID] = len(doc.Components)
		}
		doc.Components = append(doc.Components, c)
	}
	for i := range raw.Files {
		fl := &raw.Files[i]
		c := Component{
			ID:               fl.SPDXID,
			Type:             TypeFile,
			Name:             fl.FileName,
			Hashes:           spdxHashes(fl.Checksums),
			LicenseConcluded: spdxLicense(fl.LicenseConcluded),
		}
		if _, dup := index[c.ID]; !dup {
			index[c.ID] = len(doc.Components)
		}
		doc.Components = append(doc.Components, c)
	}

	// Relationships, with documentDescribes and hasFiles as tools-golang
	// reads them (DESCRIBES and CONTAINS).
	rels := make([]spdxRawRel, 0, len(raw.Relationships)+len(raw.DocumentDescribes))
	for _, r := range raw.Relationships {
		if r != nil {
			rels = append(rels, *r)
		}
	}
	for _, d := range raw.DocumentDescribes {
		rels = append(rels, spdxRawRel{Element: raw.SPDXID, Type: "DESCRIBES", Related: d})
	}
	for i := range raw.Packages {
		for _, h := range raw.Packages[i].HasFiles {
			rels = append(rels, spdxRawRel{Element: raw.Packages[i].SPDXID, Type: "CONTAINS", Related: h})
		}
	}
	depIndex := make(map[string]int)
	seenEdge := make(map[[2]string]bool, len(rels))
	addEdge := func(from, to string) {
		if from == "NONE" || from == "NOASSERTION" || to == "NONE" || to == "NOASSERTION" || from == raw.SPDXID {
			return
		}
		k := [2]string{from, to}
		if seenEdge[k] {
			return
		}
		seenEdge[k] = true
		j, ok := depIndex[from]
		if !ok {
			j = len(doc.Dependencies)
			depIndex[from] = j
			doc.Dependencies = append(doc.Dependencies, Dependency{Ref: from})
		}
		doc.Dependencies[j].DependsOn = append(doc.Dependencies[j].DependsOn, to)
	}
	setScope := func(id string, s Scope) {
		if j, ok := index[id]; ok && doc.Components[j].Scope == ScopeUnknown {
			doc.Components[j].Scope = s
		}
	}
	// setParent records that parent contains child, unless that would make
	// the nesting a cycle (real documents say both "A CONTAINS B" and
	// "B CONTAINS A"; the first one read wins).
	setParent := func(parent, child string) {
		j, ok := index[child]
		if _, known := index[parent]; !ok || !known || doc.Components[j].Parent != "" || parent == child {
			return
		}
		for p, steps := parent, 0; p != "" && steps <= len(doc.Components); steps++ {
			if p == child {
				return
			}
			k, ok := index[p]
			if !ok {
				break
			}
			p = doc.Components[k].Parent
		}
		doc.Components[j].Parent = parent
	}
	other := map[string]int{}
	for _, r := range rels {
		a, b := r.Element, r.Related
		switch strings.ToUpper(r.Type) {
		case "DESCRIBES":
			if a == raw.SPDXID && doc.Root == "" {
				doc.Root = b
			}
		case "DESCRIBED_BY", "DESCRIBED-BY":
			if b == raw.SPDXID && doc.Root == "" {
				doc.Root = a
			}
		case "DEPENDS_ON":
			addEdge(a, b)
		case "DEPENDENCY_OF", "BUILD_DEPENDENCY_OF", "TEST_DEPENDENCY_OF",
			"RUNTIME_DEPENDENCY_OF", "PROVIDED_DEPENDENCY_OF":
			addEdge(b, a)
		case "DEV_DEPENDENCY_OF":
			addEdge(b, a)
			setScope(a, ScopeExcluded)
		case "OPTIONAL_DEPENDENCY_OF":
			addEdge(b, a)
			setScope(a, ScopeOptional)
		case "CONTAINS":
			setParent(a, b)
		case "CONTAINED_BY":
			setParent(b, a)
		case "":
		default:
			other[r.Type]++
		}
	}
	doc.Unmodelled = spdxUnmodelled(raw, other)
	if foreignAnnotations > 0 {
		doc.Unmodelled = append(doc.Unmodelled, "spdx annotations: "+strconv.Itoa(foreignAnnotations))
	}
	return doc, nil
}

// spdxUnmodelled lists the parts of an SPDX document the model does not
// represent: relationships of other types and package download locations.
func spdxUnmodelled(raw *spdxRaw, rels map[string]int) []string {
	var out []string
	types := make([]string, 0, len(rels))
	for t := range rels {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		out = append(out, "spdx relationships "+t+": "+strconv.Itoa(rels[t]))
	}
	count := func(what string, n int) {
		if n > 0 {
			out = append(out, "spdx "+what+": "+strconv.Itoa(n))
		}
	}
	var download, personSupplier, orgOriginator, orgCreator int
	for i := range raw.Packages {
		p := &raw.Packages[i]
		switch p.DownloadLocation {
		case "", "NOASSERTION", "NONE":
		default:
			download++
		}
		// The model keeps names; Encode writes suppliers as organisations
		// and originators and creators as persons.
		if strings.HasPrefix(p.Supplier, "Person") {
			personSupplier++
		}
		if strings.HasPrefix(p.Originator, "Organization") {
			orgOriginator++
		}
	}
	if raw.CreationInfo != nil {
		for _, c := range raw.CreationInfo.Creators {
			if strings.HasPrefix(c, "Organization") {
				orgCreator++
			}
		}
	}
	count("package downloadLocation", download)
	count("package supplier of type Person", personSupplier)
	count("package originator of type Organization", orgOriginator)
	count("creator of type Organization", orgCreator)
	return out
}

func spdxHashes(cs []spdxRawChecksum) []Hash {
	if len(cs) == 0 {
		return nil
	}
	out := make([]Hash, 0, len(cs))
	for _, c := range cs {
		alg, ok := spdxAlgToCDX[c.Algorithm]
		if !ok {
			alg = c.Algorithm
		}
		out = append(out, Hash{Algorithm: alg, Value: strings.ToLower(c.Value)})
	}
	return out
}

// spdxApplyAnnotation restores one chaingate carrier annotation.
func spdxApplyAnnotation(c *Component, comment string) {
	switch {
	case strings.HasPrefix(comment, spdxAnnotGroup):
		c.Group = comment[len(spdxAnnotGroup):]
	case strings.HasPrefix(comment, spdxAnnotScope):
		c.Scope = Scope(comment[len(spdxAnnotScope):])
	case strings.HasPrefix(comment, spdxAnnotType):
		c.Type = ComponentType(comment[len(spdxAnnotType):])
	case strings.HasPrefix(comment, spdxAnnotVersion):
		c.Version = comment[len(spdxAnnotVersion):]
	case strings.HasPrefix(comment, spdxAnnotProp):
		var p Property
		if json.Unmarshal([]byte(comment[len(spdxAnnotProp):]), &p) == nil {
			c.Properties = append(c.Properties, p)
		}
	case strings.HasPrefix(comment, spdxAnnotLoc):
		var l Location
		if json.Unmarshal([]byte(comment[len(spdxAnnotLoc):]), &l) == nil {
			c.Locations = append(c.Locations, l)
		}
	}
}

// spdxApplyDocAnnotation restores one chaingate carrier annotation of the
// document.
func spdxApplyDocAnnotation(doc *Document, comment string) {
	switch {
	case strings.HasPrefix(comment, spdxAnnotDocProp):
		var p Property
		if json.Unmarshal([]byte(comment[len(spdxAnnotDocProp):]), &p) == nil {
			doc.Properties = append(doc.Properties, p)
		}
	case strings.HasPrefix(comment, spdxAnnotLimit):
		doc.Limitations = append(doc.Limitations, comment[len(spdxAnnotLimit):])
	case strings.HasPrefix(comment, spdxAnnotImage):
		var img ImageInfo
		if json.Unmarshal([]byte(comment[len(spdxAnnotImage):]), &img) == nil && doc.Image == nil {
			doc.Image = &img
		}
	}
}

// spdxStrictCheck applies the SPDX 2.x required fields and value rules.
func spdxStrictCheck(raw *spdxRaw, f Format) error {
	var errs []error
	add := func(path, format string, args ...any) {
		errs = append(errs, &ParseError{Format: f, Offset: -1, Path: path, Err: fmt.Errorf(format, args...)})
	}
	switch raw.SPDXVersion {
	case "SPDX-2.2", "SPDX-2.3":
	default:
		add("spdxVersion", "spdxVersion %q is not SPDX-2.2 or SPDX-2.3", raw.SPDXVersion)
	}
	if raw.DataLicense != "CC0-1.0" {
		add("dataLicense", "dataLicense is %q, want CC0-1.0", raw.DataLicense)
	}
	if raw.SPDXID != "SPDXRef-DOCUMENT" {
		add("SPDXID", "document SPDXID is %q, want SPDXRef-DOCUMENT", raw.SPDXID)
	}
	if raw.Name == "" {
		add("name", "document has no name")
	}
	if raw.Namespace == "" {
		add("documentNamespace", "document has no namespace")
	} else if strings.Contains(raw.Namespace, "#") || !strings.Contains(raw.Namespace, ":") {
		add("documentNamespace", "namespace %q is not an absolute URI without '#'", raw.Namespace)
	}
	if raw.CreationInfo == nil {
		add("creationInfo", "document has no creation info")
	} else {
		if _, err := time.Parse(time.RFC3339, raw.CreationInfo.Created); err != nil {
			add("creationInfo.created", "created %q is not a date-time: %v", raw.CreationInfo.Created, err)
		}
		if len(raw.CreationInfo.Creators) == 0 {
			add("creationInfo.creators", "document has no creators")
		}
		for i, c := range raw.CreationInfo.Creators {
			typ, _, _ := strings.Cut(c, ":")
			switch strings.TrimSpace(typ) {
			case "Tool", "Person", "Organization":
			default:
				add(fmt.Sprintf("creationInfo.creators[%d]", i), "creator %q is not Tool:, Person: or Organization:", c)
			}
		}
	}
	ids := map[string]bool{}
	checkID := func(path, id string) {
		if !spdxIDRE.MatchString(id) {
			add(path+".SPDXID", "SPDXID %q does not match SPDXRef-[A-Za-z0-9.-]+", id)
		} else if ids[id] {
			add(path+".SPDXID", "SPDXID %q is used twice", id)
		}
		ids[id] = true
	}
	for i := range raw.Packages {
		p := &raw.Packages[i]
		path := fmt.Sprintf("packages[%d]", i)
		checkID(path, p.SPDXID)
		if p.Name == "" {
			add(path+".name", "package %s has no name", p.SPDXID)
		}
		if p.DownloadLocation == "" {
			add(path+".downloadLocation", "package %s has no downloadLocation", p.SPDXID)
		}
		for j, c := range p.Checksums {
			if _, ok := spdxAlgToCDX[c.Algorithm]; !ok {
				add(fmt.Sprintf("%s.checksums[%d]", path, j), "checksum algorithm %q is not an SPDX algorithm", c.Algorithm)
			}
		}
		for j, e := range p.ExternalRefs {
			switch e.Category {
			case "SECURITY", "PACKAGE-MANAGER", "PERSISTENT-ID", "OTHER":
			default:
				add(fmt.Sprintf("%s.externalRefs[%d]", path, j), "reference category %q is not an SPDX category", e.Category)
			}
			if e.Category == "PACKAGE-MANAGER" && e.Type == "purl" {
				if _, err := packageurl.FromString(e.Locator); err != nil {
					add(fmt.Sprintf("%s.externalRefs[%d]", path, j), "invalid package URL %q: %v", e.Locator, err)
				}
			}
		}
		for _, l := range [2][2]string{{"licenseDeclared", p.LicenseDeclared}, {"licenseConcluded", p.LicenseConcluded}} {
			if l[1] != "" && !spdxValidExpression(l[1]) {
				add(path+"."+l[0], "%q is not a valid SPDX licence expression", l[1])
			}
		}
	}
	for i := range raw.Files {
		fl := &raw.Files[i]
		path := fmt.Sprintf("files[%d]", i)
		checkID(path, fl.SPDXID)
		if fl.FileName == "" {
			add(path+".fileName", "file %s has no name", fl.SPDXID)
		}
	}
	for i, r := range raw.Relationships {
		if r == nil {
			continue
		}
		path := fmt.Sprintf("relationships[%d]", i)
		if r.Element == "" || r.Related == "" || r.Type == "" {
			add(path, "relationship needs spdxElementId, relationshipType and relatedSpdxElement")
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errors.Join(errs...)
}

var spdxIDRE = regexp.MustCompile(`^SPDXRef-[A-Za-z0-9.\-]+$`)
