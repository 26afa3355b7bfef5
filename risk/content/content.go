package content

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/chaingate/chaingate/risk/model"
	"github.com/chaingate/chaingate/risk/signal"
)

// Schema is the schema version of a Report.
const Schema = "chaingate.risk.content/v2"

// Limits on what the content scanner reads.
const (
	maxArchiveBytes = 128 << 20 // compressed input
	maxTotalBytes   = 512 << 20 // all files, uncompressed
	maxFiles        = 50_000
	maxFileBytes    = 8 << 20 // larger files are listed as skipped (a 5 MB bundle is analysed)
)

// ErrTooLarge is returned when a package exceeds the scanner's
// size or file-count limits.
var ErrTooLarge = errors.New("risk: package content too large")

// Report is what ScanPackageArchive and ScanNPMDir found in one
// package.
type Report struct {
	Schema string `json:"schema"`
	// Source names the scanned input (a file name or directory).
	Source string `json:"source"`
	// Ecosystem is "npm", "PyPI", "Go" or "RubyGems"; Format is
	// "npm-tarball", "npm-directory", "sdist", "wheel", "go-module-zip"
	// or "gem".
	Ecosystem string `json:"ecosystem"`
	Format    string `json:"format"`
	Name      string `json:"name,omitempty"`
	Version   string `json:"version,omitempty"`
	Files     int    `json:"files"`
	Bytes     int64  `json:"bytes"`
	// InstallHooks lists the code that runs at install time
	// ("scripts.postinstall: node install.js", "setup.py").
	InstallHooks []string `json:"installHooks,omitempty"`
	// Findings are the behaviours seen, by file and line: each names its
	// rule, category, code span and, for flows, source → sink.
	Findings []Finding `json:"findings,omitempty"`
	// Signals summarise the findings, one per rule and file, strongest
	// first; a signal's Value is what the content model gives a package
	// with that finding alone.
	Signals []signal.Signal `json:"signals"`
	// Score is the content model's probability that the package is
	// malicious, from all its findings (Model, fitted on labelled
	// packages); Malicious says whether it reaches the model's threshold.
	// Explanation carries each finding's contribution.
	Score       float64      `json:"score"`
	Malicious   bool         `json:"malicious"`
	Explanation *model.Score `json:"explanation,omitempty"`
	// Skipped lists files not examined, each with the reason (binary,
	// over the size limit, did not parse, analysis budget spent).
	Skipped []string `json:"skipped,omitempty"`
}

type file struct {
	name string // path inside the package, without the top directory
	data []byte
}

// ScanPackageArchive scans an npm tarball (.tgz, .tar.gz with a package/
// directory), a PyPI sdist (.tar.gz, .zip), a PyPI wheel (.whl), a Go
// module zip as the module proxy serves it (module@version/…) or a
// RubyGems .gem read from r; name is the file name, used to pick the
// format and in errors.
func ScanPackageArchive(ctx context.Context, name string, r io.Reader) (*Report, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxArchiveBytes+1))
	if err != nil {
		return nil, fmt.Errorf("risk: scan package %s: %w", name, err)
	}
	if len(data) > maxArchiveBytes {
		return nil, fmt.Errorf("risk: scan package %s: %w: archive over %d bytes", name, ErrTooLarge, maxArchiveBytes)
	}
	if rep, ok, err := scanGemArchive(ctx, name, data); ok {
		return rep, err
	}
	var files []file
	var skipped []string
	lower := strings.ToLower(name)
	isZip := strings.HasSuffix(lower, ".whl") || strings.HasSuffix(lower, ".zip") || bytes.HasPrefix(data, []byte("PK\x03\x04"))
	if isZip {
		files, skipped, err = readZip(ctx, data)
	} else {
		files, skipped, err = readTarGz(ctx, data)
	}
	if err != nil {
		return nil, fmt.Errorf("risk: scan package %s: %w", name, err)
	}
	if prefix := goModulePrefix(files); isZip && prefix != "" {
		return scanGoModule(ctx, name, prefix, files, skipped)
	}
	files = stripTop(files)
	rep := &Report{Schema: Schema, Source: name, Skipped: skipped}
	switch {
	case strings.HasSuffix(lower, ".whl") || has(files, func(n string) bool { return strings.Contains(n, ".dist-info/") }):
		rep.Ecosystem, rep.Format = "PyPI", "wheel"
	case find(files, "package.json") != nil && find(files, "setup.py") == nil && find(files, "PKG-INFO") == nil:
		rep.Ecosystem, rep.Format = "npm", "npm-tarball"
	case find(files, "PKG-INFO") != nil || find(files, "setup.py") != nil || find(files, "pyproject.toml") != nil:
		rep.Ecosystem, rep.Format = "PyPI", "sdist"
	default:
		return nil, fmt.Errorf("risk: scan package %s: neither an npm package (package.json) nor a PyPI sdist or wheel", name)
	}
	if err := analyse(ctx, rep, files); err != nil {
		return nil, fmt.Errorf("risk: scan package %s: %w", name, err)
	}
	return rep, nil
}

// ScanNPMDir scans an unpacked npm package (a directory holding
// package.json); source names it in the report.
func ScanNPMDir(ctx context.Context, fsys fs.FS, source string) (*Report, error) {
	var files []file
	var skipped []string
	var total int64
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "node_modules" || d.Name() == ".git" {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if len(files)+len(skipped) >= maxFiles {
			return fmt.Errorf("%w: more than %d files", ErrTooLarge, maxFiles)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		if total > maxTotalBytes {
			return fmt.Errorf("%w: over %d bytes", ErrTooLarge, maxTotalBytes)
		}
		if info.Size() > maxFileBytes {
			skipped = append(skipped, p+" (over size limit)")
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files = append(files, file{name: p, data: b})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("risk: scan npm directory %s: %w", source, err)
	}
	if find(files, "package.json") == nil {
		return nil, fmt.Errorf("risk: scan npm directory %s: no package.json", source)
	}
	rep := &Report{Schema: Schema, Source: source, Ecosystem: "npm", Format: "npm-directory", Skipped: skipped}
	if err := analyse(ctx, rep, files); err != nil {
		return nil, fmt.Errorf("risk: scan npm directory %s: %w", source, err)
	}
	return rep, nil
}

func readTarGz(ctx context.Context, data []byte) ([]file, []string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("gzip: %w", err)
	}
	defer zr.Close()
	// Every decompressed byte counts, whatever the entry it belongs to:
	// tar.Reader.Next discards the bodies of entries we skip by reading
	// them, so a limit on the files we keep alone would let non-regular
	// entries that declare a size (type '7', say) inflate without bound.
	tr := tar.NewReader(&limitReader{ctx: ctx, r: zr, left: maxStreamBytes})
	var files []file
	var skipped []string
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("tar entry %d: %w", len(files)+len(skipped)+1, err)
		}
		name := cleanPath(h.Name)
		// Sizes count before the type is looked at: the body of any entry
		// is read (to be discarded) by the next call to Next.
		total += h.Size
		if h.Size < 0 || total > maxTotalBytes {
			return nil, nil, fmt.Errorf("%w: over %d bytes unpacked at entry %q (type %q, %d bytes)", ErrTooLarge, maxTotalBytes, name, h.Typeflag, h.Size)
		}
		if len(files)+len(skipped) >= maxFiles {
			return nil, nil, fmt.Errorf("%w: more than %d entries", ErrTooLarge, maxFiles)
		}
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeRegA {
			if h.Size > 0 && h.Typeflag != tar.TypeDir {
				skipped = append(skipped, fmt.Sprintf("%s (tar entry type %q with %d bytes, not a regular file)", name, h.Typeflag, h.Size))
			}
			continue
		}
		if h.Size > maxFileBytes {
			skipped = append(skipped, name+" (over size limit)")
			continue
		}
		b, err := io.ReadAll(io.LimitReader(tr, maxFileBytes+1))
		if err != nil {
			return nil, nil, fmt.Errorf("tar entry %s: %w", name, err)
		}
		files = append(files, file{name: name, data: b})
	}
	return files, skipped, nil
}

func readZip(ctx context.Context, data []byte) ([]file, []string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, nil, fmt.Errorf("zip: %w", err)
	}
	if len(zr.File) > maxFiles {
		return nil, nil, fmt.Errorf("%w: more than %d files", ErrTooLarge, maxFiles)
	}
	var files []file
	var skipped []string
	var total uint64
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if f.FileInfo().IsDir() {
			continue
		}
		name := cleanPath(f.Name)
		if f.UncompressedSize64 > maxFileBytes {
			skipped = append(skipped, name+" (over size limit)")
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, nil, fmt.Errorf("zip entry %s: %w", name, err)
		}
		// The declared size can lie: read at most one byte past the limit.
		b, err := io.ReadAll(io.LimitReader(rc, maxFileBytes+1))
		rc.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("zip entry %s: %w", name, err)
		}
		if len(b) > maxFileBytes {
			skipped = append(skipped, name+" (over size limit)")
			continue
		}
		total += uint64(len(b))
		if total > maxTotalBytes {
			return nil, nil, fmt.Errorf("%w: over %d bytes unpacked", ErrTooLarge, maxTotalBytes)
		}
		files = append(files, file{name: name, data: b})
	}
	return files, skipped, nil
}

// maxStreamBytes bounds a tar stream after decompression: the
// entries' bodies (maxTotalBytes) plus their headers, padding and
// extended headers.
const maxStreamBytes = maxTotalBytes + maxFiles*4096

// limitReader fails once more than left bytes were read, and when
// ctx is done.
type limitReader struct {
	ctx  context.Context
	r    io.Reader
	left int64
}

// Read reads at most the bytes left, failing when none are or ctx is done.
func (l *limitReader) Read(p []byte) (int, error) {
	if err := l.ctx.Err(); err != nil {
		return 0, err
	}
	if l.left <= 0 {
		return 0, fmt.Errorf("%w: tar stream over %d bytes decompressed", ErrTooLarge, maxStreamBytes)
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

func cleanPath(p string) string {
	p = path.Clean("/" + strings.ReplaceAll(p, "\\", "/"))
	return strings.TrimPrefix(p, "/")
}

// stripTop removes a directory that contains every file
// ("package/" in npm tarballs, "name-1.0/" in sdists).
func stripTop(files []file) []file {
	if len(files) == 0 {
		return files
	}
	top, _, ok := strings.Cut(files[0].name, "/")
	if !ok {
		return files
	}
	for _, f := range files {
		if !strings.HasPrefix(f.name, top+"/") {
			return files
		}
	}
	if strings.HasSuffix(top, ".dist-info") || strings.HasSuffix(top, ".data") {
		return files
	}
	out := make([]file, len(files))
	for i, f := range files {
		out[i] = file{name: strings.TrimPrefix(f.name, top+"/"), data: f.data}
	}
	return out
}

func find(files []file, name string) *file {
	for i := range files {
		if files[i].name == name {
			return &files[i]
		}
	}
	return nil
}

func has(files []file, pred func(string) bool) bool {
	for _, f := range files {
		if pred(f.name) {
			return true
		}
	}
	return false
}

var (
	requireRe    = regexp.MustCompile(`require\(['"]\.?/?([^'"]+)['"]\)`)
	urlRe        = regexp.MustCompile(`https?://([A-Za-z0-9.-]+)`)
	obfuscatedRe = regexp.MustCompile(`\b_0x[0-9a-f]{4,6}\b`)
	cmdclassRe   = regexp.MustCompile(`cmdclass\s*=\s*\{[^}]*['"](install|develop|egg_info|build_py|bdist_wheel|build_ext|sdist)['"]`)
)

// Hosts that package installers legitimately download from.
var knownHosts = []string{
	"registry.npmjs.org", "registry.yarnpkg.com", "nodejs.org", "github.com", "objects.githubusercontent.com",
	"pypi.org", "files.pythonhosted.org", "storage.googleapis.com", "cdn.jsdelivr.net", "unpkg.com",
	"npmmirror.com", "registry.npmmirror.com", "cdn.npmmirror.com", "download.pytorch.org",
}

// Native-module builders and other install commands that do not fetch or
// run anything beyond the package and its declared build.
var builderRe = regexp.MustCompile(`^\s*(node-gyp(-build)?( rebuild)?|node-pre-gyp install[^;&|]*|prebuild-install[^;&|]*|cmake-js [a-z]+|node-gyp-build-optional-packages|husky( install)?|patch-package|napi-postinstall[^;&|]*)(\s*\|\|\s*(node-gyp rebuild|exit 0|true))?\s*$`)

// SignalsFor returns the report's signals attributed to source (the
// component's purl or ID, as the SBOM detectors name it), so that risk.Scan
// can combine them with the other signals about that component (pass
// them with signal.Static). Each signal keeps its value; where in the
// package it was seen (the file) moves to the front of its evidence.
func (r *Report) SignalsFor(source string) []signal.Signal {
	out := make([]signal.Signal, 0, len(r.Signals))
	for _, s := range r.Signals {
		c := s
		c.Source = source
		c.Evidence = append([]string{fmt.Sprintf("in %s of %s", s.Source, r.Source)}, s.Evidence...)
		out = append(out, c)
	}
	return out
}

// countIf counts up to max matches of re when the pre-check passed.
func countIf(ok bool, re *regexp.Regexp, text string, max int) int {
	if !ok {
		return 0
	}
	return len(re.FindAllStringIndex(text, max))
}

func hosts(text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range urlRe.FindAllStringSubmatch(text, 50) {
		h := strings.ToLower(m[1])
		if !seen[h] && h != "" {
			seen[h] = true
			out = append(out, h)
		}
	}
	sort.Strings(out)
	return out
}

func knownHost(h string) bool {
	for _, k := range knownHosts {
		if h == k || strings.HasSuffix(h, "."+k) {
			return true
		}
	}
	// Documentation links are not downloads.
	return strings.HasSuffix(h, ".example") || h == "example.com" || h == "snapcraft.io"
}

func lineAt(text string, off int) int { return strings.Count(text[:off], "\n") + 1 }

func quote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}
