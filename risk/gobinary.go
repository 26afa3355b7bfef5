package risk

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/chaingate/chaingate/internal/gobin"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
)

// goBinaryLimit bounds the bytes of one table ScanGoBinary reads from a
// binary (the pclntab of a 1 GB binary is about 300 MB).
const goBinaryLimit = 1 << 30

// ScanGoBinary scans a compiled Go binary (ELF, Mach-O or PE, stripped
// or not) and gives each Go finding the evidence of what the binary
// links, read from its build information and function table (pclntab)
// as govulncheck's binary mode does:
//
//   - "symbol": a vulnerable function or method the entry lists is in
//     the binary, called or inlined (Evidence.Symbols names them, as
//     "import/path.Func" or "import/path.Type.Method"; a generic
//     function counts through any of its instantiations);
//   - "package": an affected package is in the binary and the entry lists
//     no symbols for it (all of it is vulnerable), or the inline trees
//     could not be read, so functions inlined elsewhere cannot be seen
//     and the listed symbols were not found among the others;
//   - "symbol-absent": the affected packages are in the binary, none of
//     the vulnerable functions is;
//   - "package-absent": none of the affected packages is in the binary,
//     or the entry restricts them to other platforms (GOOS/GOARCH) than
//     the binary's;
//   - "module": the entry lists no packages and no code of the module
//     was seen, or the inline trees could not be read and none of the
//     affected packages was seen (a package whose code was all inlined
//     leaves no trace without them).
//
// Stripped binaries (-ldflags=-s -w) give the same evidence as the
// others: their function table stays, and their inline trees are found
// through the runtime's moduledata (govulncheck v1.9.0 falls back to
// module precision on them).
//
// An entry that lists no packages makes all of its module vulnerable:
// it is at package level when the module has code in the binary.
//
// The SBOM scanned is sbom.FromGoBuildInfo's, with the packages of each
// module recorded (sbom.PropGoPackages); everything else is Scan's:
// priorities (absent code ranks below all code that is present), EPSS,
// KEV, VEX and the other options apply. A binary without build
// information is an error; one whose function table cannot be read is
// scanned at module level, with the reason in each finding's evidence.
func ScanGoBinary(ctx context.Context, path string, db *DB, opts ...ScanOption) (*Report, error) {
	if db == nil {
		return nil, errors.New("risk: scan Go binary: nil database")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("risk: scan Go binary: %w", err)
	}
	defer f.Close()
	b, symErr := gobin.Read(f, goBinaryLimit)
	if b == nil {
		return nil, fmt.Errorf("risk: scan Go binary %s: %w", path, symErr)
	}
	doc, err := sbom.FromGoBuildInfo(b.Build)
	if err != nil {
		return nil, fmt.Errorf("risk: scan Go binary %s: %w", path, err)
	}
	doc.Name = path
	syms := &goBinSymbols{inlined: b.Inlined}
	if symErr != nil {
		syms.unreadable = symErr.Error()
	} else {
		syms.symbols = b.Symbols
		syms.byModule = b.PackagesByModule()
		if b.Inlined {
			// As sbom.FromGoBinary: not without inline trees.
			goBinAddPackages(doc, b)
		}
	}
	opts = append(slices.Clip(opts), func(c *scanConfig) error {
		c.goBin = syms
		return nil
	})
	rep, err := Scan(ctx, doc, db, opts...)
	if err != nil {
		return nil, fmt.Errorf("risk: scan Go binary %s: %w", path, err)
	}
	return rep, nil
}

// goBinAddPackages records on each module component of doc the packages
// of that module in the binary, as sbom.FromGoBinary does; components
// are matched by their module path in the build information (the
// original path of a replaced module: import paths do not change).
func goBinAddPackages(doc *sbom.Document, b *gobin.Binary) {
	byModule := b.PackagesByModule()
	for i := range doc.Components {
		c := &doc.Components[i]
		mod := c.Name
		if c.ID == doc.Root && b.Build.Main.Path != "" {
			mod = b.Build.Main.Path
		} else if orig, ok := c.Property(sbom.PropGoReplaces); ok {
			mod, _, _ = strings.Cut(orig, "@")
		}
		if ps := byModule[mod]; len(ps) > 0 {
			c.Properties = append(c.Properties, sbom.Property{Name: sbom.PropGoPackages, Value: strings.Join(ps, ",")})
		}
	}
}

// goBinSymbols is what ScanGoBinary read of a binary's functions.
type goBinSymbols struct {
	// symbols maps each package in the binary to its sorted functions;
	// nil when the table could not be read (unreadable says why).
	symbols map[string][]string
	// byModule lists the packages in the binary by module path.
	byModule   map[string][]string
	inlined    bool
	unreadable string
}

// evidence refines the evidence Scan found for a Go finding with the
// binary's functions.
func (g *goBinSymbols) evidence(ev Evidence, module string, affected []vulndb.AffectedPackage, target scanTarget) Evidence {
	if g.symbols != nil && len(affected) == 0 {
		// The entry lists no packages: all of the module is vulnerable
		// (govulncheck reads it so too).
		if ps := g.byModule[module]; len(ps) > 0 {
			return Evidence{Level: EvidencePackage, Packages: ps,
				Reason: "the entry lists no packages (all of the module is vulnerable) and the module has code in the binary: " + strings.Join(ps, ", ")}
		}
		return ev
	}
	if len(affected) == 0 {
		return ev
	}
	if g.symbols == nil {
		if ev.Level == EvidenceModule {
			ev.Reason = "component version is in an affected range; the binary's function table could not be read: " + g.unreadable
		}
		return ev
	}
	var onTarget []vulndb.AffectedPackage
	for _, a := range affected {
		if target.applies(a) {
			onTarget = append(onTarget, a)
		}
	}
	if len(onTarget) == 0 {
		return ev // package-absent: other platforms only
	}
	out := Evidence{}
	var whole, present []string
	for _, a := range onTarget {
		fns, ok := g.symbols[a.Path]
		if !ok {
			continue
		}
		if !slices.Contains(present, a.Path) {
			present = append(present, a.Path)
		}
		if len(a.Symbols) == 0 {
			if !slices.Contains(whole, a.Path) {
				whole = append(whole, a.Path)
			}
			continue
		}
		for _, s := range a.Symbols {
			if _, found := slices.BinarySearch(fns, s); found {
				if q := a.Path + "." + s; !slices.Contains(out.Symbols, q) {
					out.Symbols = append(out.Symbols, q)
				}
				if !slices.Contains(out.Packages, a.Path) {
					out.Packages = append(out.Packages, a.Path)
				}
			}
		}
	}
	switch {
	case len(out.Symbols) > 0:
		out.Level = EvidenceSymbol
		out.Reason = "vulnerable functions in the binary: " + strings.Join(out.Symbols, ", ")
	case len(whole) > 0:
		out.Level, out.Packages = EvidencePackage, whole
		out.Reason = "affected package in the binary, all of it vulnerable (the entry lists no symbols): " + strings.Join(whole, ", ")
	case len(present) > 0 && g.inlined:
		out.Level, out.Packages = EvidenceSymbolAbsent, present
		out.Reason = "affected package in the binary but none of the vulnerable functions the entry lists: " + strings.Join(present, ", ")
	case len(present) > 0:
		out.Level, out.Packages = EvidencePackage, present
		out.Reason = "affected package in the binary; none of the vulnerable functions is among its functions, but the binary's inline trees could not be read, so functions inlined elsewhere cannot be seen: " + strings.Join(present, ", ")
	case g.inlined:
		out.Level = EvidencePackageAbsent
		out.Reason = "none of the affected packages is in the binary"
	default:
		out.Level = EvidenceModule
		out.Reason = "none of the affected packages was seen, but the binary's inline trees could not be read and a package whose code was all inlined leaves no trace"
	}
	return out
}
