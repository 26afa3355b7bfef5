package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chaingate/chaingate/sbom"
)

// Schema versions of the JSON this CLI writes itself (the SDK's results
// carry their own).
const (
	sbomValidateSchema = "chaingate.dev/cli/sbom-validate/v1"
	sbomGenerateSchema = "chaingate.dev/cli/sbom-generate/v1"
)

func (a *app) sbomCmd() *cobra.Command {
	return groupCmd("sbom", "Convert, compare, generate and validate SBOMs (CycloneDX, SPDX)",
		a.sbomConvertCmd(), a.sbomDiffCmd(), a.sbomGenerateCmd(), a.sbomValidateCmd())
}

var writableFormats = []sbom.Format{sbom.CycloneDXJSON, sbom.CycloneDXXML, sbom.SPDXJSON, sbom.SPDXTagValue}

func parseWritableFormat(s string) (sbom.Format, error) {
	for _, f := range writableFormats {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, len(writableFormats))
	for i, f := range writableFormats {
		names[i] = string(f)
	}
	return "", usageErr("unknown SBOM format %q (use %s)", s, strings.Join(names, ", "))
}

// decodeSBOMFile reads and decodes one SBOM file in any format Decode reads.
func decodeSBOMFile(path string, opts ...sbom.DecodeOption) (*sbom.Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read SBOM: %w", err)
	}
	defer f.Close()
	doc, err := sbom.Decode(f, opts...)
	if err != nil {
		return nil, fmt.Errorf("decode SBOM %s: %w", path, err)
	}
	return doc, nil
}

// sbomOutput writes an SBOM to --out (a file, or stdout for "-") and says
// where the summary goes: stdout when the SBOM went to a file, else stderr.
type sbomOutput struct {
	out    string
	format string
}

func (o *sbomOutput) flags(cmd *cobra.Command, defFormat sbom.Format) {
	cmd.Flags().StringVar(&o.out, "out", "-", "where to write the SBOM (- for stdout)")
	cmd.Flags().StringVar(&o.format, "format", string(defFormat), "SBOM format to write: cyclonedx-json, cyclonedx-xml, spdx-json, spdx-tag-value")
}

// check validates the flags against --output before any work is done.
func (o *sbomOutput) check(a *app) (sbom.Format, error) {
	f, err := parseWritableFormat(o.format)
	if err != nil {
		return "", err
	}
	if err := a.formats("text", "json"); err != nil {
		return "", err
	}
	if a.output == "json" && o.out == "-" {
		return "", usageErr("--output json writes the summary to stdout: give the SBOM a file with --out")
	}
	return f, nil
}

// write encodes doc and returns the stream the summary goes to.
func (o *sbomOutput) write(a *app, doc *sbom.Document, f sbom.Format) (*sbom.ConversionReport, io.Writer, error) {
	var buf bytes.Buffer
	rep, err := sbom.EncodeWithReport(&buf, doc, f)
	if err != nil {
		return rep, nil, fmt.Errorf("encode %s: %w", f, err)
	}
	if o.out == "-" {
		_, err := a.stdout.Write(buf.Bytes())
		return rep, a.stderr, err
	}
	if err := os.WriteFile(o.out, buf.Bytes(), 0o644); err != nil {
		return rep, nil, fmt.Errorf("write SBOM: %w", err)
	}
	return rep, a.stdout, nil
}

func (a *app) sbomConvertCmd() *cobra.Command {
	var o sbomOutput
	var lossless bool
	cmd := &cobra.Command{
		Use:   "convert FILE",
		Short: "Convert an SBOM between CycloneDX and SPDX, reporting what the target cannot carry",
		Long: `Convert reads an SBOM in any supported format (CycloneDX JSON/XML, SPDX JSON,
tag-value, YAML, RDF) and writes it in --format. Nothing is dropped
silently: every value the target format has no place for is listed in the
conversion report (stderr when the SBOM goes to stdout, stdout with --out).

  chaingate sbom convert app.spdx.json --format cyclonedx-json > app.cdx.json
  chaingate sbom convert app.cdx.json --format spdx-json --out app.spdx.json -o json

With --lossless the command exits 1 when the conversion lost anything.

` + exitCodesHelp,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := o.check(a)
			if err != nil {
				return err
			}
			doc, err := decodeSBOMFile(args[0])
			if err != nil {
				return err
			}
			rep, w, err := o.write(a, doc, f)
			if err != nil {
				return err
			}
			if a.output == "json" {
				if err := writeJSON(w, rep); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(w, "converted %s (%s) to %s: %d components, %d losses, %d notes\n",
					args[0], doc.Format, rep.To, len(doc.Components), len(rep.Losses), len(rep.Notes))
				if len(rep.Losses) > 0 {
					t := newTable(w, "LOST", "COMPONENT", "VALUE", "REASON")
					for _, l := range rep.Losses {
						t.row(l.Field, l.Component, l.Value, l.Reason)
					}
					if err := t.flush(); err != nil {
						return err
					}
				}
			}
			if lossless && !rep.Lossless() {
				return denied("conversion to %s lost %d values", f, len(rep.Losses))
			}
			return nil
		},
	}
	o.flags(cmd, sbom.CycloneDXJSON)
	cmd.Flags().BoolVar(&lossless, "lossless", false, "exit 1 when the target format cannot carry every value")
	return cmd
}

func (a *app) sbomDiffCmd() *cobra.Command {
	var failOnChange bool
	cmd := &cobra.Command{
		Use:   "diff BEFORE AFTER",
		Short: "Compare two SBOMs: added, removed, upgraded, downgraded and modified components",
		Long: `Diff matches components by identity (purl type, namespace and name; Go module
paths case-sensitively) and orders versions with each ecosystem's rules.
The two SBOMs may be in different formats.

  chaingate sbom diff release-1.cdx.json release-2.spdx.json
  chaingate sbom diff a.cdx.json b.cdx.json -o json --fail-on-change

` + exitCodesHelp + `
  (diff exits 1 only with --fail-on-change and a difference)`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.formats("text", "json", "markdown"); err != nil {
				return err
			}
			before, err := decodeSBOMFile(args[0])
			if err != nil {
				return err
			}
			after, err := decodeSBOMFile(args[1])
			if err != nil {
				return err
			}
			d, err := sbom.Diff(before, after)
			if err != nil {
				return err
			}
			switch a.output {
			case "json":
				err = writeJSON(a.stdout, d)
			case "markdown":
				err = writeDiffMarkdown(a.stdout, d)
			default:
				err = writeDiffTable(a.stdout, d)
			}
			if err != nil {
				return err
			}
			if failOnChange && !d.Empty() {
				return denied("the SBOMs differ")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&failOnChange, "fail-on-change", false, "exit 1 when the SBOMs differ")
	return cmd
}

func diffRows(d *sbom.DiffResult) [][4]string {
	var rows [][4]string
	add := func(cs []sbom.Change) {
		for _, c := range cs {
			var before, after string
			if c.Before != nil {
				before = c.Before.Version
			}
			if c.After != nil {
				after = c.After.Version
			}
			if len(c.Reasons) > 0 {
				after += " (" + strings.Join(c.Reasons, "; ") + ")"
			}
			rows = append(rows, [4]string{string(c.Kind), c.Key, before, after})
		}
	}
	add(d.Added)
	add(d.Removed)
	add(d.Upgraded)
	add(d.Downgraded)
	add(d.Modified)
	return rows
}

func writeDiffTable(w io.Writer, d *sbom.DiffResult) error {
	fmt.Fprintf(w, "%d added, %d removed, %d upgraded, %d downgraded, %d modified, %d unchanged\n",
		len(d.Added), len(d.Removed), len(d.Upgraded), len(d.Downgraded), len(d.Modified), d.Unchanged)
	rows := diffRows(d)
	if len(rows) == 0 {
		return nil
	}
	t := newTable(w, "CHANGE", "COMPONENT", "BEFORE", "AFTER")
	for _, r := range rows {
		t.row(r[:]...)
	}
	return t.flush()
}

func writeDiffMarkdown(w io.Writer, d *sbom.DiffResult) error {
	fmt.Fprintf(w, "### SBOM diff\n\n%d added, %d removed, %d upgraded, %d downgraded, %d modified, %d unchanged\n",
		len(d.Added), len(d.Removed), len(d.Upgraded), len(d.Downgraded), len(d.Modified), d.Unchanged)
	rows := diffRows(d)
	if len(rows) == 0 {
		return nil
	}
	fmt.Fprint(w, "\n| change | component | before | after |\n|---|---|---|---|\n")
	for _, r := range rows {
		for i := range r {
			r[i] = strings.ReplaceAll(r[i], "|", `\|`)
		}
		fmt.Fprintf(w, "| %s | `%s` | %s | %s |\n", r[0], r[1], r[2], r[3])
	}
	return nil
}

// generateSummary is the JSON summary of sbom generate.
type generateSummary struct {
	SchemaVersion string          `json:"schemaVersion"`
	Source        string          `json:"source"`
	Kind          string          `json:"kind"`
	Format        sbom.Format     `json:"format"`
	Out           string          `json:"out"`
	Components    int             `json:"components"`
	Root          string          `json:"root,omitempty"`
	Image         *sbom.ImageInfo `json:"image,omitempty"`
	Limitations   []string        `json:"limitations,omitempty"`
}

const (
	kindGoBinary     = "go-binary"
	kindGoModule     = "go-module"
	kindNPMLock      = "npm-lock"
	kindImageTarball = "image-tarball"
	kindImageLayout  = "image-layout"
	kindImageRemote  = "image-remote"
	kindDirectory    = "directory"
	kindLockfile     = "lockfile"
)

// generateKinds lists the kinds sbom generate accepts, for messages.
var generateKinds = []string{kindDirectory, kindLockfile, kindGoBinary, kindGoModule, kindNPMLock,
	kindImageTarball, kindImageLayout, kindImageRemote}

// detectKind guesses what path is, from what is on disk: a directory is
// an OCI layout when it has an oci-layout file and a source tree
// otherwise; a file is known by its name (lockfiles, go.mod, *.tar) or
// its first bytes (an executable, a tar archive). Anything else is a
// usage error naming the kinds and lockfile names accepted.
func detectKind(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("generate: %w", err)
	}
	if st.IsDir() {
		if _, err := os.Stat(filepath.Join(path, "oci-layout")); err == nil {
			return kindImageLayout, nil
		}
		return kindDirectory, nil
	}
	base := filepath.Base(path)
	switch {
	case base == "package-lock.json" || base == "npm-shrinkwrap.json" || strings.HasSuffix(base, ".package-lock.json"):
		return kindNPMLock, nil
	case base == "go.mod":
		return kindGoModule, nil
	case sbom.LockfileFormat(base) != "":
		return kindLockfile, nil
	case strings.HasSuffix(base, ".tar"):
		return kindImageTarball, nil
	}
	var head [512]byte
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("generate: %w", err)
	}
	n, _ := io.ReadFull(f, head[:])
	f.Close()
	b := head[:n]
	switch {
	case bytes.HasPrefix(b, []byte("\x7fELF")), bytes.HasPrefix(b, []byte("MZ")),
		bytes.HasPrefix(b, []byte{0xcf, 0xfa, 0xed, 0xfe}), bytes.HasPrefix(b, []byte{0xfe, 0xed, 0xfa, 0xcf}):
		return kindGoBinary, nil // ELF, PE, Mach-O: maybe a Go binary
	case n >= 262 && string(b[257:262]) == "ustar":
		return kindImageTarball, nil
	}
	return "", usageErr("generate: cannot tell what %s is: give a directory (a source tree or an OCI layout), "+
		"an image tarball (*.tar), a Go executable, or a lockfile named %s; or name the kind with --kind (%s)",
		path, strings.Join(sbom.LockfileFormats(), ", "), strings.Join(generateKinds, ", "))
}

func (a *app) sbomGenerateCmd() *cobra.Command {
	var o sbomOutput
	var kind, platform string
	var useGo, noDev, network bool
	cmd := &cobra.Command{
		Use:   "generate PATH",
		Short: "Generate an SBOM from a source tree, a lockfile, a Go binary or a container image",
		Long: `Generate writes the SBOM of PATH. The kind is detected from PATH, or given
with --kind:

  directory      a source tree: every lockfile and manifest in it (see below)
  lockfile       one lockfile or manifest (see below)
  go-binary      a Go executable (its embedded build information)
  go-module      a directory with go.mod (or the go.mod itself)
  npm-lock       package-lock.json (or a directory holding one)
  image-tarball  a "docker save" / crane tarball (*.tar)
  image-layout   an OCI image layout directory
  image-remote   an image reference in a registry (needs --allow-network)

Lockfiles and manifests read: ` + strings.Join(sbom.LockfileFormats(), ", ") + `
(node_modules, vendor and other installed trees are skipped in a directory).

Nothing is fetched unless --kind image-remote and --allow-network say so
(anonymous access; the SDK takes credentials, this CLI does not). For a Go module the go command runs offline on a copy
of go.mod and go.sum only with --go-command; by default go.mod and go.sum
are read directly (the SBOM's limitations say what that cannot know).

  chaingate sbom generate . > repo.cdx.json
  chaingate sbom generate ./bin/server > server.cdx.json
  chaingate sbom generate image.tar --format spdx-json --out image.spdx.json -o json

` + exitCodesHelp,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := o.check(a)
			if err != nil {
				return err
			}
			path := args[0]
			if kind == "" {
				if kind, err = detectKind(path); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			p := newProgress(a.stderr)
			p.step("generating the SBOM of %s (%s)", path, kind)
			var doc *sbom.Document
			var gopts []sbom.GenerateOption
			switch kind {
			case kindGoBinary:
				doc, err = sbom.FromGoBinaryFile(path)
			case kindGoModule:
				if filepath.Base(path) == "go.mod" {
					path = filepath.Dir(path)
				}
				if !useGo {
					gopts = append(gopts, sbom.WithoutGoCommand())
				}
				doc, err = sbom.FromGoModule(ctx, path, gopts...)
			case kindNPMLock:
				if st, serr := os.Stat(path); serr == nil && st.IsDir() {
					path = filepath.Join(path, "package-lock.json")
				}
				if noDev {
					gopts = append(gopts, sbom.WithoutDevDependencies())
				}
				var fh *os.File
				if fh, err = os.Open(path); err == nil {
					doc, err = sbom.FromNPMLock(fh, gopts...)
					fh.Close()
				}
			case kindDirectory, kindLockfile:
				if noDev {
					gopts = append(gopts, sbom.WithoutDevDependencies())
				}
				if kind == kindDirectory {
					doc, err = sbom.FromDirectory(ctx, path, gopts...)
				} else {
					doc, err = sbom.FromLockfile(ctx, path, gopts...)
				}
			case kindImageTarball, kindImageLayout, kindImageRemote:
				src := sbom.ImageFromTarball(path)
				var iopts []sbom.ImageOption
				switch kind {
				case kindImageLayout:
					src = sbom.ImageFromLayout(path)
				case kindImageRemote:
					if !network {
						p.finish()
						return usageErr("--kind image-remote reads %s from its registry: add --allow-network", path)
					}
					src = sbom.ImageFromRemote(path)
					iopts = append(iopts, sbom.WithHTTPClient(&http.Client{}))
				}
				if platform != "" {
					iopts = append(iopts, sbom.WithPlatform(platform))
				}
				doc, err = sbom.FromImage(ctx, src, iopts...)
			default:
				p.finish()
				return usageErr("unknown --kind %q (use one of %s)", kind, strings.Join(generateKinds, ", "))
			}
			p.finish()
			if err != nil {
				return fmt.Errorf("generate %s SBOM of %s: %w", kind, args[0], err)
			}
			_, w, err := o.write(a, doc, f)
			if err != nil {
				return err
			}
			sum := generateSummary{
				SchemaVersion: sbomGenerateSchema, Source: args[0], Kind: kind, Format: f, Out: o.out,
				Components: len(doc.Components), Root: doc.Root, Image: doc.Image, Limitations: doc.Limitations,
			}
			if a.output == "json" {
				return writeJSON(w, sum)
			}
			fmt.Fprintf(w, "generated %s SBOM of %s (%s): %d components\n", f, args[0], kind, len(doc.Components))
			for _, l := range doc.Limitations {
				fmt.Fprintf(w, "  limitation: %s\n", l)
			}
			return nil
		},
	}
	o.flags(cmd, sbom.CycloneDXJSON)
	cmd.Flags().StringVar(&kind, "kind", "", "what PATH is: "+strings.Join(generateKinds, ", ")+" (default: detected)")
	cmd.Flags().BoolVar(&network, "allow-network", false, "allow reading an image-remote from its registry (network is opt-in)")
	cmd.Flags().StringVar(&platform, "platform", "", "image platform for a multi-platform image, e.g. linux/amd64")
	cmd.Flags().BoolVar(&useGo, "go-command", false, "run the go command (offline) for a Go module's full build list and graph")
	cmd.Flags().BoolVar(&noDev, "no-dev", false, "leave development dependencies out (npm, directory and lockfile kinds)")
	return cmd
}

// validateResult is the JSON of sbom validate.
type validateResult struct {
	SchemaVersion string          `json:"schemaVersion"`
	File          string          `json:"file"`
	Valid         bool            `json:"valid"`
	Format        sbom.Format     `json:"format,omitempty"`
	SpecVersion   string          `json:"specVersion,omitempty"`
	Components    int             `json:"components"`
	ParseError    string          `json:"parseError,omitempty"`
	Problems      []*sbom.Problem `json:"problems"`
}

func (a *app) sbomValidateCmd() *cobra.Command {
	var strict bool
	cmd := &cobra.Command{
		Use:   "validate FILE",
		Short: "Validate an SBOM: decodes, and every purl, licence, hash and reference is sound",
		Long: `Validate decodes FILE (with --strict, against the format's specification) and
reports every semantic problem: components without a name, duplicate IDs,
invalid purls, licences that are not SPDX expressions, malformed hashes and
CPEs, and references that name no component.

A file that cannot be decoded is invalid (exit 1), not a runtime error.

  chaingate sbom validate app.cdx.json
  chaingate sbom validate app.spdx.json --strict -o json

` + exitCodesHelp,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.formats("text", "json"); err != nil {
				return err
			}
			res := validateResult{SchemaVersion: sbomValidateSchema, File: args[0], Problems: []*sbom.Problem{}}
			var opts []sbom.DecodeOption
			if strict {
				opts = append(opts, sbom.Strict())
			}
			doc, err := decodeSBOMFile(args[0], opts...)
			var perr *sbom.ParseError
			switch {
			case errors.As(err, &perr), errors.Is(err, sbom.ErrUnsupportedFormat):
				res.ParseError = err.Error()
			case err != nil:
				return err
			default:
				res.Format, res.SpecVersion, res.Components = doc.Format, doc.SpecVersion, len(doc.Components)
				var verr *sbom.ValidationError
				if err := sbom.Validate(doc); errors.As(err, &verr) {
					res.Problems = verr.Problems
				} else if err != nil {
					return err
				}
			}
			res.Valid = res.ParseError == "" && len(res.Problems) == 0
			if a.output == "json" {
				if err := writeJSON(a.stdout, res); err != nil {
					return err
				}
			} else {
				if err := writeValidateTable(a.stdout, &res); err != nil {
					return err
				}
			}
			if !res.Valid {
				return denied("%s is not a valid SBOM", args[0])
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&strict, "strict", false, "also check the format's specification (schema) while decoding")
	return cmd
}

func writeValidateTable(w io.Writer, r *validateResult) error {
	if r.ParseError != "" {
		fmt.Fprintf(w, "%s: INVALID: %s\n", r.File, r.ParseError)
		return nil
	}
	if r.Valid {
		fmt.Fprintf(w, "%s: valid %s %s, %d components\n", r.File, r.Format, r.SpecVersion, r.Components)
		return nil
	}
	fmt.Fprintf(w, "%s: INVALID %s %s, %d components, %d problems\n", r.File, r.Format, r.SpecVersion, r.Components, len(r.Problems))
	t := newTable(w, "PATH", "FIELD", "VALUE", "PROBLEM")
	for _, p := range r.Problems {
		t.row(p.Path, p.Field, p.Value, p.Message)
	}
	return t.flush()
}
