package sbom

import (
	"strconv"
	"strings"

	"github.com/chaingate/chaingate/internal/catalog"
	"github.com/package-url/packageurl-go"
)

// Property names of RPM packages.
const (
	// PropRPMSourceRPM is the source RPM an RPM package was built from
	// ("bash-5.1.8-9.el9.src.rpm"), verbatim from the database.
	PropRPMSourceRPM = "chaingate:rpm:source-rpm"
	// PropRPMSourceName is the source package's name ("bash"), the name
	// distribution advisories (Red Hat, SUSE) are keyed by.
	PropRPMSourceName = "chaingate:rpm:source-name"
	// PropRPMModularity is the modularity label of a package from a
	// module stream (RHEL 8 AppStream).
	PropRPMModularity = "chaingate:rpm:modularitylabel"
)

// rpmComponent is the component of an RPM package, before the
// distribution is known.
func rpmComponent(p *catalog.RPM, loc []Location) Component {
	c := Component{Type: TypeLibrary, Name: p.Name, Version: p.EVR(), Supplier: p.Vendor,
		Description: p.Summary, Locations: loc}
	c.Properties = []Property{{PropCataloguer, "rpm"}, {PropOSVPackage, p.Name}}
	if p.SourceRPM != "" {
		c.Properties = append(c.Properties, Property{PropRPMSourceRPM, p.SourceRPM})
		if n := catalog.RPMSourceName(p.SourceRPM); n != "" {
			c.Properties = append(c.Properties, Property{PropRPMSourceName, n})
		}
	}
	if p.Modularity != "" {
		c.Properties = append(c.Properties, Property{PropRPMModularity, p.Modularity})
	}
	setDeclaredLicence(&c, p.License)
	return c
}

// finishRPM sets an RPM package's purl and OSV ecosystem:
// pkg:rpm/<distro id>/<name>@<version>-<release>?arch=..&epoch=..&distro=<id>-<version>
// ("redhat" rather than "rhel" for Red Hat Enterprise Linux)
// (&upstream=<source rpm>), the epoch as a qualifier as the purl
// specification writes it.
func finishRPM(c *Component, p *catalog.RPM, distro *Distro) {
	ns := ""
	var q packageurl.Qualifiers
	if p.Arch != "" {
		q = append(q, packageurl.Qualifier{Key: "arch", Value: p.Arch})
	}
	if p.Epoch > 0 {
		q = append(q, packageurl.Qualifier{Key: "epoch", Value: strconv.Itoa(p.Epoch)})
	}
	if distro != nil {
		ns = distro.ID
		if ns == "rhel" {
			ns = "redhat" // as Red Hat's own VEX and CSAF documents (and syft) write it
		}
		q = append(q, packageurl.Qualifier{Key: "distro", Value: distro.PURLDistro()})
		if eco := distro.RPMOSVEcosystem(); eco != "" {
			c.Properties = append(c.Properties, Property{PropOSVEcosystem, eco})
		}
	}
	if p.SourceRPM != "" {
		q = append(q, packageurl.Qualifier{Key: "upstream", Value: p.SourceRPM})
	}
	vr := p.Version
	if p.Release != "" {
		vr += "-" + p.Release
	}
	c.PURL = packageurl.NewPackageURL(packageurl.TypeRPM, ns, p.Name, vr, q, "").ToString()
}

// RPMOSVEcosystem returns the OSV ecosystem of an RPM-based
// distribution's packages: "Red Hat", "AlmaLinux:9", "Rocky Linux:9",
// "SUSE:Linux Enterprise Server 15 SP5", "openSUSE:Leap 15.5",
// "openSUSE:Tumbleweed", "Mageia:9", "Azure Linux:3", or "" for a
// distribution OSV publishes no advisories for (Fedora, CentOS, Amazon
// Linux) or an unknown release.
func (d *Distro) RPMOSVEcosystem() string {
	if d == nil {
		return ""
	}
	major, minor, _ := strings.Cut(d.VersionID, ".")
	switch d.ID {
	case "rhel":
		// OSV's Red Hat records name a product stream after the colon
		// ("Red Hat:enterprise_linux:9::baseos"), which os-release
		// cannot tell; the bare ecosystem is the common prefix.
		return "Red Hat"
	case "almalinux":
		if major != "" {
			return "AlmaLinux:" + major
		}
	case "rocky":
		if major != "" {
			return "Rocky Linux:" + major
		}
	case "sles", "sles_sap", "sle-micro":
		if major != "" {
			eco := "SUSE:Linux Enterprise Server " + major
			if minor != "" && minor != "0" {
				eco += " SP" + minor
			}
			return eco
		}
	case "opensuse-leap":
		if d.VersionID != "" {
			return "openSUSE:Leap " + d.VersionID
		}
	case "opensuse-tumbleweed":
		return "openSUSE:Tumbleweed"
	case "mageia":
		if major != "" {
			return "Mageia:" + major
		}
	case "azurelinux":
		if major != "" {
			return "Azure Linux:" + major
		}
	}
	return ""
}
