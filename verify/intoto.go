package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	intoto "github.com/in-toto/in-toto-golang/in_toto"
)

// maxLayoutFile bounds a layout or link file; maxLinkTotal bounds all the
// link files of one verification.
const (
	maxLayoutFile = 8 << 20
	maxLinkTotal  = 64 << 20
)

// checkLinkSizes refuses a link directory holding a link file over
// maxLayoutFile or link files over maxLinkTotal in all.
func checkLinkSizes(dir string) error {
	if dir == "" {
		dir = "."
	}
	var total int64
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".link") {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if fi.Size() > maxLayoutFile {
			return fmt.Errorf("link %s is %d bytes, over %d: %w", path, fi.Size(), maxLayoutFile, ErrInvalidInput)
		}
		if total += fi.Size(); total > maxLinkTotal {
			return fmt.Errorf("link files under %s exceed %d bytes: %w", dir, maxLinkTotal, ErrInvalidInput)
		}
		return nil
	})
}

// LayoutOptions configures VerifyLayout.
type LayoutOptions struct {
	// LinkDir is the directory holding the step links (<step>.<keyid8>.link).
	LinkDir string
	// Parameters substitutes {PARAM} placeholders in the layout.
	Parameters map[string]string
	// RunInspections runs the layout's inspection commands in InspectionDir.
	// Off by default: a layout's inspections are arbitrary commands. Note
	// that in-toto-golang writes each inspection's link file
	// (<name>.link) to the process's working directory.
	RunInspections bool
	// InspectionDir is where inspections run (required with RunInspections).
	InspectionDir string
	// IntermediatePEMs are extra intermediates for certificate-signed links.
	IntermediatePEMs [][]byte
	// LineNormalization normalises line endings when hashing artifacts.
	LineNormalization bool
}

// LayoutResult is the outcome of VerifyLayout.
type LayoutResult struct {
	SchemaVersion string   `json:"schemaVersion"`
	Verified      bool     `json:"verified"`
	Steps         []string `json:"steps"`
	Inspections   []string `json:"inspections"`
	// InspectionsRun is false when inspections were skipped.
	InspectionsRun bool    `json:"inspectionsRun"`
	Checks         []Check `json:"checks"`
}

// VerifyLayout verifies a signed in-toto layout (metablock or DSSE) and
// its links with in-toto-golang: layout signatures by the layout keys
// (PEM public keys), expiry, link signature thresholds, sublayouts and
// artifact rules. Inspections run only if opts.RunInspections is set; when
// skipped, the inspections' own artifact rules are not checked, and the
// result says so.
func VerifyLayout(ctx context.Context, layoutPath string, layoutKeyPEMs [][]byte, opts LayoutOptions) (*LayoutResult, error) {
	out := &LayoutResult{SchemaVersion: SchemaVersion, Steps: []string{}, Inspections: []string{}, Checks: []Check{}}
	fail := func(err error) (*LayoutResult, error) {
		ce := checkErr(CheckLayout, ErrLayout, err)
		out.Checks = append(out.Checks, Check{Name: CheckLayout, Passed: false, Detail: ce.Err.Error()})
		return out, ce
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if len(layoutKeyPEMs) == 0 {
		return fail(errors.New("no layout keys"))
	}
	if fi, err := os.Stat(layoutPath); err != nil {
		return fail(err)
	} else if fi.Size() > maxLayoutFile {
		return fail(fmt.Errorf("layout %s is %d bytes, over %d", layoutPath, fi.Size(), maxLayoutFile))
	}
	// in-toto-golang reads link files whole and unbounded: bound every
	// link (sublayout links included) and their total before it does.
	if err := checkLinkSizes(opts.LinkDir); err != nil {
		return fail(err)
	}
	keys := map[string]intoto.Key{}
	for i, p := range layoutKeyPEMs {
		var k intoto.Key
		if err := k.LoadKeyReaderDefaults(bytes.NewReader(p)); err != nil {
			return fail(fmt.Errorf("layout key %d: %w", i, err))
		}
		keys[k.KeyID] = k
	}
	layoutEnv, err := intoto.LoadMetadata(layoutPath)
	if err != nil {
		return fail(fmt.Errorf("load layout %s: %w", layoutPath, err))
	}
	if opts.RunInspections {
		if opts.InspectionDir == "" {
			return fail(errors.New("RunInspections needs InspectionDir"))
		}
		if _, err := intoto.InTotoVerifyWithDirectory(layoutEnv, keys, opts.LinkDir, opts.InspectionDir, "", opts.Parameters, opts.IntermediatePEMs, opts.LineNormalization); err != nil {
			return fail(err)
		}
		out.InspectionsRun = true
		layout, _ := layoutEnv.GetPayload().(intoto.Layout)
		fillLayout(out, layout)
		out.Checks = append(out.Checks, Check{Name: CheckLayout, Passed: true, Detail: "layout, links and inspections verified"})
		out.Verified = true
		return out, nil
	}
	// The same sequence as intoto.InTotoVerify, without RunInspections.
	if err := intoto.VerifyLayoutSignatures(layoutEnv, keys); err != nil {
		return fail(fmt.Errorf("layout signature: %w", err))
	}
	layout, ok := layoutEnv.GetPayload().(intoto.Layout)
	if !ok {
		return fail(intoto.ErrNotLayout)
	}
	if err := intoto.VerifyLayoutExpiration(layout); err != nil {
		return fail(err)
	}
	layout, err = intoto.SubstituteParameters(layout, opts.Parameters)
	if err != nil {
		return fail(err)
	}
	rootPool, interPool, err := intoto.LoadLayoutCertificates(layout, opts.IntermediatePEMs)
	if err != nil {
		return fail(err)
	}
	links, err := intoto.LoadLinksForLayout(layout, opts.LinkDir)
	if err != nil {
		return fail(err)
	}
	verified, err := intoto.VerifyLinkSignatureThesholds(layout, links, rootPool, interPool)
	if err != nil {
		return fail(err)
	}
	resolved, err := intoto.VerifySublayouts(layout, verified, opts.LinkDir, opts.IntermediatePEMs, opts.LineNormalization)
	if err != nil {
		return fail(err)
	}
	reduced, err := intoto.ReduceStepsMetadata(layout, resolved)
	if err != nil {
		return fail(err)
	}
	steps := make([]interface{}, len(layout.Steps))
	for i, s := range layout.Steps {
		steps[i] = s
	}
	if err := intoto.VerifyArtifacts(steps, reduced); err != nil {
		return fail(err)
	}
	fillLayout(out, layout)
	out.Checks = append(out.Checks, Check{Name: CheckLayout, Passed: true, Detail: "layout signature, expiry, link thresholds and step artifact rules verified; inspections skipped"})
	out.Verified = true
	return out, nil
}

func fillLayout(out *LayoutResult, l intoto.Layout) {
	for _, s := range l.Steps {
		out.Steps = append(out.Steps, s.Name)
	}
	for _, i := range l.Inspect {
		out.Inspections = append(out.Inspections, i.Name)
	}
}
