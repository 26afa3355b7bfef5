package risk

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"regexp"
	"sort"
	"strings"
)

// ContentSchema is the schema version of a ContentReport.
const ContentSchema = "chaingate.risk.content/v1"

// ContentMaliciousScore is the combined score at or above which a package's
// content is reported as malicious.
const ContentMaliciousScore = 0.8

// Limits on what the content scanner reads.
const (
	contentMaxArchiveBytes = 128 << 20 // compressed input
	contentMaxTotalBytes   = 512 << 20 // all files, uncompressed
	contentMaxFiles        = 50_000
	contentMaxFileBytes    = 4 << 20 // larger files are listed as skipped
)

// ErrContentTooLarge is returned when a package exceeds the scanner's
// size or file-count limits.
var ErrContentTooLarge = errors.New("risk: package content too large")

// ContentReport is what ScanPackageArchive and ScanNPMDir found in one
// package.
type ContentReport struct {
	Schema string `json:"schema"`
	// Source names the scanned input (a file name or directory).
	Source string `json:"source"`
	// Ecosystem is "npm" or "PyPI"; Format is "npm-tarball",
	// "npm-directory", "sdist" or "wheel".
	Ecosystem string `json:"ecosystem"`
	Format    string `json:"format"`
	Name      string `json:"name,omitempty"`
	Version   string `json:"version,omitempty"`
	Files     int    `json:"files"`
	Bytes     int64  `json:"bytes"`
	// InstallHooks lists the code that runs at install time
	// ("scripts.postinstall: node install.js", "setup.py").
	InstallHooks []string `json:"installHooks,omitempty"`
	// Signals are the observations, strongest first.
	Signals []Signal `json:"signals"`
	// Score combines the signals (1 - Π(1 - value)); Malicious says
	// whether it reaches ContentMaliciousScore.
	Score     float64 `json:"score"`
	Malicious bool    `json:"malicious"`
	// Skipped lists files not examined (binary or over the size limit).
	Skipped []string `json:"skipped,omitempty"`
}

type contentFile struct {
	name string // path inside the package, without the top directory
	data []byte
}

// ScanPackageArchive scans an npm tarball (.tgz, .tar.gz with a package/
// directory), a PyPI sdist (.tar.gz, .zip) or a PyPI wheel (.whl) read
// from r; name is the file name, used to pick the format and in errors.
func ScanPackageArchive(ctx context.Context, name string, r io.Reader) (*ContentReport, error) {
	data, err := io.ReadAll(io.LimitReader(r, contentMaxArchiveBytes+1))
	if err != nil {
		return nil, fmt.Errorf("risk: scan package %s: %w", name, err)
	}
	if len(data) > contentMaxArchiveBytes {
		return nil, fmt.Errorf("risk: scan package %s: %w: archive over %d bytes", name, ErrContentTooLarge, contentMaxArchiveBytes)
	}
	var files []contentFile
	var skipped []string
	lower := strings.ToLower(name)
	isZip := strings.HasSuffix(lower, ".whl") || strings.HasSuffix(lower, ".zip") || bytes.HasPrefix(data, []byte("PK\x03\x04"))
	if isZip {
		files, skipped, err = contentReadZip(ctx, data)
	} else {
		files, skipped, err = contentReadTarGz(ctx, data)
	}
	if err != nil {
		return nil, fmt.Errorf("risk: scan package %s: %w", name, err)
	}
	files = contentStripTop(files)
	rep := &ContentReport{Schema: ContentSchema, Source: name, Skipped: skipped}
	switch {
	case strings.HasSuffix(lower, ".whl") || contentHas(files, func(n string) bool { return strings.Contains(n, ".dist-info/") }):
		rep.Ecosystem, rep.Format = "PyPI", "wheel"
	case contentFind(files, "package.json") != nil && contentFind(files, "setup.py") == nil && contentFind(files, "PKG-INFO") == nil:
		rep.Ecosystem, rep.Format = "npm", "npm-tarball"
	case contentFind(files, "PKG-INFO") != nil || contentFind(files, "setup.py") != nil || contentFind(files, "pyproject.toml") != nil:
		rep.Ecosystem, rep.Format = "PyPI", "sdist"
	default:
		return nil, fmt.Errorf("risk: scan package %s: neither an npm package (package.json) nor a PyPI sdist or wheel", name)
	}
	if err := contentAnalyse(ctx, rep, files); err != nil {
		return nil, fmt.Errorf("risk: scan package %s: %w", name, err)
	}
	return rep, nil
}

// ScanNPMDir scans an unpacked npm package (a directory holding
// package.json); source names it in the report.
func ScanNPMDir(ctx context.Context, fsys fs.FS, source string) (*ContentReport, error) {
	var files []contentFile
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
		if len(files)+len(skipped) >= contentMaxFiles {
			return fmt.Errorf("%w: more than %d files", ErrContentTooLarge, contentMaxFiles)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		if total > contentMaxTotalBytes {
			return fmt.Errorf("%w: over %d bytes", ErrContentTooLarge, contentMaxTotalBytes)
		}
		if info.Size() > contentMaxFileBytes {
			skipped = append(skipped, p+" (over size limit)")
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files = append(files, contentFile{name: p, data: b})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("risk: scan npm directory %s: %w", source, err)
	}
	if contentFind(files, "package.json") == nil {
		return nil, fmt.Errorf("risk: scan npm directory %s: no package.json", source)
	}
	rep := &ContentReport{Schema: ContentSchema, Source: source, Ecosystem: "npm", Format: "npm-directory", Skipped: skipped}
	if err := contentAnalyse(ctx, rep, files); err != nil {
		return nil, fmt.Errorf("risk: scan npm directory %s: %w", source, err)
	}
	return rep, nil
}

func contentReadTarGz(ctx context.Context, data []byte) ([]contentFile, []string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("gzip: %w", err)
	}
	defer zr.Close()
	// Every decompressed byte counts, whatever the entry it belongs to:
	// tar.Reader.Next discards the bodies of entries we skip by reading
	// them, so a limit on the files we keep alone would let non-regular
	// entries that declare a size (type '7', say) inflate without bound.
	tr := tar.NewReader(&contentLimitReader{ctx: ctx, r: zr, left: contentMaxStreamBytes})
	var files []contentFile
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
		name := contentCleanPath(h.Name)
		// Sizes count before the type is looked at: the body of any entry
		// is read (to be discarded) by the next call to Next.
		total += h.Size
		if h.Size < 0 || total > contentMaxTotalBytes {
			return nil, nil, fmt.Errorf("%w: over %d bytes unpacked at entry %q (type %q, %d bytes)", ErrContentTooLarge, contentMaxTotalBytes, name, h.Typeflag, h.Size)
		}
		if len(files)+len(skipped) >= contentMaxFiles {
			return nil, nil, fmt.Errorf("%w: more than %d entries", ErrContentTooLarge, contentMaxFiles)
		}
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeRegA {
			if h.Size > 0 && h.Typeflag != tar.TypeDir {
				skipped = append(skipped, fmt.Sprintf("%s (tar entry type %q with %d bytes, not a regular file)", name, h.Typeflag, h.Size))
			}
			continue
		}
		if h.Size > contentMaxFileBytes {
			skipped = append(skipped, name+" (over size limit)")
			continue
		}
		b, err := io.ReadAll(io.LimitReader(tr, contentMaxFileBytes+1))
		if err != nil {
			return nil, nil, fmt.Errorf("tar entry %s: %w", name, err)
		}
		files = append(files, contentFile{name: name, data: b})
	}
	return files, skipped, nil
}

func contentReadZip(ctx context.Context, data []byte) ([]contentFile, []string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, nil, fmt.Errorf("zip: %w", err)
	}
	if len(zr.File) > contentMaxFiles {
		return nil, nil, fmt.Errorf("%w: more than %d files", ErrContentTooLarge, contentMaxFiles)
	}
	var files []contentFile
	var skipped []string
	var total uint64
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if f.FileInfo().IsDir() {
			continue
		}
		name := contentCleanPath(f.Name)
		if f.UncompressedSize64 > contentMaxFileBytes {
			skipped = append(skipped, name+" (over size limit)")
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, nil, fmt.Errorf("zip entry %s: %w", name, err)
		}
		// The declared size can lie: read at most one byte past the limit.
		b, err := io.ReadAll(io.LimitReader(rc, contentMaxFileBytes+1))
		rc.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("zip entry %s: %w", name, err)
		}
		if len(b) > contentMaxFileBytes {
			skipped = append(skipped, name+" (over size limit)")
			continue
		}
		total += uint64(len(b))
		if total > contentMaxTotalBytes {
			return nil, nil, fmt.Errorf("%w: over %d bytes unpacked", ErrContentTooLarge, contentMaxTotalBytes)
		}
		files = append(files, contentFile{name: name, data: b})
	}
	return files, skipped, nil
}

// contentMaxStreamBytes bounds a tar stream after decompression: the
// entries' bodies (contentMaxTotalBytes) plus their headers, padding and
// extended headers.
const contentMaxStreamBytes = contentMaxTotalBytes + contentMaxFiles*4096

// contentLimitReader fails once more than left bytes were read, and when
// ctx is done.
type contentLimitReader struct {
	ctx  context.Context
	r    io.Reader
	left int64
}

func (l *contentLimitReader) Read(p []byte) (int, error) {
	if err := l.ctx.Err(); err != nil {
		return 0, err
	}
	if l.left <= 0 {
		return 0, fmt.Errorf("%w: tar stream over %d bytes decompressed", ErrContentTooLarge, contentMaxStreamBytes)
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

func contentCleanPath(p string) string {
	p = path.Clean("/" + strings.ReplaceAll(p, "\\", "/"))
	return strings.TrimPrefix(p, "/")
}

// contentStripTop removes a directory that contains every file
// ("package/" in npm tarballs, "name-1.0/" in sdists).
func contentStripTop(files []contentFile) []contentFile {
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
	out := make([]contentFile, len(files))
	for i, f := range files {
		out[i] = contentFile{name: strings.TrimPrefix(f.name, top+"/"), data: f.data}
	}
	return out
}

func contentFind(files []contentFile, name string) *contentFile {
	for i := range files {
		if files[i].name == name {
			return &files[i]
		}
	}
	return nil
}

func contentHas(files []contentFile, pred func(string) bool) bool {
	for _, f := range files {
		if pred(f.name) {
			return true
		}
	}
	return false
}

// Patterns. They are deliberately specific: each one names a behaviour a
// reviewer can check in the quoted line.
var (
	contentNetworkRe = regexp.MustCompile(`(require\(['"](node:)?https?['"]\)|\bhttps?\.(get|request)|http\.client|fetch\s*\(|axios\b|XMLHttpRequest|net\.connect|net\.Socket|dns\.(lookup|resolve\w*)\s*\(|requests\.(get|post|put)\s*\(|urllib\d?\.request|urlopen\s*\(|socket\.socket\s*\(|httpx\.|aiohttp\.|Invoke-WebRequest|\bcurl\s|\bwget\s)`)
	contentExecRe    = regexp.MustCompile(`\b(child_process|execSync|spawnSync|exec\s*\(|spawn\s*\(|subprocess\.|os\.system\s*\(|os\.popen\s*\(|Popen\s*\()`)
	// eval/Function/exec applied to something decoded on the spot.
	contentEvalDecodedRe = regexp.MustCompile(`(?s)\b(eval|Function|exec|compile)\s*\((.{0,100}?)\b(atob\s*\(|Buffer\.from\s*\([^)]{0,100}?['"](base64|hex)['"]|fromCharCode|b64decode|b32decode|decodebytes|codecs\.decode|zlib\.decompress|marshal\.loads|bytes\.fromhex|unhexlify)`)
	// Serialising the whole environment (not spreading it into a child
	// process's env, which installers do).
	contentEnvDumpRe = regexp.MustCompile(`(JSON\.stringify\s*\(\s*process\.env\b|Buffer\.from\s*\(\s*JSON\.stringify\s*\(\s*process\.env|json\.dumps\s*\(\s*(dict\s*\()?os\.environ|str\s*\(\s*os\.environ\s*\)|b64encode\s*\([^)]{0,40}os\.environ)`)
	// eval/exec of what a network call returned.
	contentEvalRemoteRe = regexp.MustCompile(`(?s)\b(eval|exec|Function)\s*\(.{0,120}?(urlopen|requests\.get|https?\.get|fetch\s*\(|\.read\(\))`)
	contentEnvSecretRe  = regexp.MustCompile(`(?i)(process\.env\.|process\.env\[['"]|os\.environ\[['"]|os\.environ\.get\s*\(\s*['"]|os\.getenv\s*\(\s*['"])([A-Z0-9_]*(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)[A-Z0-9_]*)`)
	contentPipeShellRe  = regexp.MustCompile(`(?i)((curl|wget)[^|;&\n]{0,200}\|\s*(ba|z)?sh\b|(curl|wget)[^\n]{0,200}&&\s*(chmod\s+\+x|sh\s|bash\s|\./)|powershell[^\n]{0,40}-e(nc|ncodedcommand)?\s|Invoke-Expression|\biex\s*\()`)
	contentCmdclassRe   = regexp.MustCompile(`cmdclass\s*=\s*\{[^}]*['"](install|develop|egg_info|build_py|bdist_wheel)['"]`)
	contentRequireRe    = regexp.MustCompile(`require\(['"]\.?/?([^'"]+)['"]\)`)
	contentURLRe        = regexp.MustCompile(`https?://([A-Za-z0-9.-]+)`)
	contentObfuscatedRe = regexp.MustCompile(`\b_0x[0-9a-f]{4,6}\b`)
)

// Hosts that package installers legitimately download from.
var contentKnownHosts = []string{
	"registry.npmjs.org", "registry.yarnpkg.com", "nodejs.org", "github.com", "objects.githubusercontent.com",
	"pypi.org", "files.pythonhosted.org", "storage.googleapis.com", "cdn.jsdelivr.net", "unpkg.com",
	"npmmirror.com", "registry.npmmirror.com", "cdn.npmmirror.com", "download.pytorch.org",
}

// Native-module builders and other install commands that do not fetch or
// run anything beyond the package and its declared build.
var contentBuilderRe = regexp.MustCompile(`^\s*(node-gyp(-build)?( rebuild)?|node-pre-gyp install[^;&|]*|prebuild-install[^;&|]*|cmake-js [a-z]+|node-gyp-build-optional-packages|husky( install)?|patch-package|napi-postinstall[^;&|]*)(\s*\|\|\s*(node-gyp rebuild|exit 0|true))?\s*$`)

// SignalsFor returns the report's signals attributed to source (the
// component's purl or ID, as the SBOM detectors name it), so that Scan
// can combine them with the other signals about that component (pass
// them with StaticSignals). Each signal keeps its value; where in the
// package it was seen (the file) moves to the front of its evidence.
func (r *ContentReport) SignalsFor(source string) []Signal {
	out := make([]Signal, 0, len(r.Signals))
	for _, s := range r.Signals {
		c := s
		c.Source = source
		c.Evidence = append([]string{fmt.Sprintf("in %s of %s", s.Source, r.Source)}, s.Evidence...)
		out = append(out, c)
	}
	return out
}

var contentCodeExt = map[string]bool{".js": true, ".cjs": true, ".mjs": true, ".ts": true, ".py": true, ".sh": true, ".pth": true, ".ps1": true, ".bat": true, ".cmd": true}

type contentAnalysis struct {
	rep     *ContentReport
	install map[string]string // file -> why it runs at install time
	signals map[string]*Signal
}

func (a *contentAnalysis) add(id string, value float64, source, evidence string) {
	key := id + "\x00" + source
	s, ok := a.signals[key]
	if !ok {
		s = &Signal{ID: id, Source: source}
		a.signals[key] = s
	}
	s.Value = math.Max(s.Value, value)
	if len(s.Evidence) < 5 {
		s.Evidence = append(s.Evidence, evidence)
	}
}

func contentAnalyse(ctx context.Context, rep *ContentReport, files []contentFile) error {
	a := &contentAnalysis{rep: rep, install: map[string]string{}, signals: map[string]*Signal{}}
	rep.Files = len(files)
	for _, f := range files {
		rep.Bytes += int64(len(f.data))
	}
	switch rep.Ecosystem {
	case "npm":
		if err := a.npmManifest(contentFind(files, "package.json")); err != nil {
			return err
		}
	case "PyPI":
		a.pypiManifest(files)
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		ext := strings.ToLower(path.Ext(f.name))
		_, isInstall := a.install[f.name]
		if !contentCodeExt[ext] && !isInstall {
			continue
		}
		if bytes.IndexByte(f.data, 0) >= 0 {
			rep.Skipped = append(rep.Skipped, f.name+" (binary)")
			continue
		}
		a.code(f, isInstall)
	}
	for _, s := range a.signals {
		rep.Signals = append(rep.Signals, *s)
	}
	sort.Slice(rep.Signals, func(i, j int) bool {
		if rep.Signals[i].Value != rep.Signals[j].Value {
			return rep.Signals[i].Value > rep.Signals[j].Value
		}
		if rep.Signals[i].ID != rep.Signals[j].ID {
			return rep.Signals[i].ID < rep.Signals[j].ID
		}
		return rep.Signals[i].Source < rep.Signals[j].Source
	})
	keep := 1.0
	for _, s := range rep.Signals {
		keep *= 1 - s.Value
	}
	rep.Score = round4(1 - keep)
	rep.Malicious = rep.Score >= ContentMaliciousScore
	sort.Strings(rep.InstallHooks)
	return nil
}

// npmManifest reads package.json's install-time scripts.
func (a *contentAnalysis) npmManifest(f *contentFile) error {
	var pj struct {
		Name    string            `json:"name"`
		Version string            `json:"version"`
		Scripts map[string]string `json:"scripts"`
		Gypfile bool              `json:"gypfile"`
	}
	if err := json.Unmarshal(f.data, &pj); err != nil {
		return fmt.Errorf("package.json: %w", err)
	}
	a.rep.Name, a.rep.Version = pj.Name, pj.Version
	for _, hook := range []string{"preinstall", "install", "postinstall"} {
		cmd, ok := pj.Scripts[hook]
		if !ok || strings.TrimSpace(cmd) == "" {
			continue
		}
		src := "package.json#scripts." + hook
		a.rep.InstallHooks = append(a.rep.InstallHooks, "scripts."+hook+": "+cmd)
		switch {
		case contentPipeShellRe.MatchString(cmd):
			a.add("install-download-exec", 0.95, src, fmt.Sprintf("%s hook downloads and runs code: %q", hook, contentQuote(cmd)))
		case contentBuilderRe.MatchString(cmd):
			a.add("install-script", 0.1, src, fmt.Sprintf("%s hook runs a native-module builder: %q", hook, contentQuote(cmd)))
		default:
			v := 0.3
			if contentNetworkRe.MatchString(cmd) {
				v = 0.6
			}
			a.add("install-script", v, src, fmt.Sprintf("%s hook runs code at install time: %q", hook, contentQuote(cmd)))
			if contentEvalDecodedRe.MatchString(cmd) {
				a.add("eval-decoded", 0.9, src, fmt.Sprintf("%s hook evaluates decoded data: %q", hook, contentQuote(cmd)))
			}
		}
		// Files the hook runs are install-time code.
		for _, tok := range strings.FieldsFunc(cmd, func(r rune) bool {
			return r == ' ' || r == '\'' || r == '"' || r == '(' || r == ')' || r == ';' || r == '&' || r == '|'
		}) {
			tok = strings.TrimPrefix(tok, "./")
			if ext := path.Ext(tok); ext == ".js" || ext == ".cjs" || ext == ".mjs" || ext == ".sh" || ext == ".py" {
				a.install[tok] = "scripts." + hook
			} else if ext == "" && strings.Contains(tok, "/") {
				for _, e := range []string{".js", "/index.js", ".cjs"} {
					a.install[tok+e] = "scripts." + hook
				}
			}
		}
		if m := contentRequireRe.FindAllStringSubmatch(cmd, -1); m != nil {
			for _, g := range m {
				p := strings.TrimPrefix(g[1], "./")
				for _, e := range []string{"", ".js", "/index.js"} {
					a.install[p+e] = "scripts." + hook
				}
			}
		}
	}
	return nil
}

// pypiManifest marks setup.py (sdist) as install-time code and reads the
// name and version from PKG-INFO or METADATA.
func (a *contentAnalysis) pypiManifest(files []contentFile) {
	for _, f := range files {
		base := path.Base(f.name)
		if (base == "PKG-INFO" && !strings.Contains(f.name, "/")) || (base == "METADATA" && strings.HasSuffix(path.Dir(f.name), ".dist-info")) {
			for _, line := range strings.SplitN(string(f.data), "\n", 40) {
				if v, ok := strings.CutPrefix(line, "Name: "); ok && a.rep.Name == "" {
					a.rep.Name = strings.TrimSpace(v)
				}
				if v, ok := strings.CutPrefix(line, "Version: "); ok && a.rep.Version == "" {
					a.rep.Version = strings.TrimSpace(v)
				}
			}
		}
		if a.rep.Format == "sdist" && f.name == "setup.py" {
			a.install[f.name] = "setup.py"
			a.rep.InstallHooks = append(a.rep.InstallHooks, "setup.py")
			if contentCmdclassRe.Match(f.data) {
				a.add("install-script", 0.3, f.name, "setup.py replaces an install command (cmdclass)")
			}
		}
		if a.rep.Format == "wheel" && strings.HasSuffix(f.name, ".pth") && !strings.Contains(f.name, "/") {
			for _, line := range strings.Split(string(f.data), "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "import ") || strings.HasPrefix(strings.TrimSpace(line), "import\t") {
					a.install[f.name] = "a .pth file, run at every interpreter start"
					a.rep.InstallHooks = append(a.rep.InstallHooks, f.name)
					v := 0.3
					if contentNetworkRe.Match(f.data) || contentExecRe.Match(f.data) || contentEvalDecodedRe.Match(f.data) {
						v = 0.6
					}
					a.add("pth-import", v, f.name, fmt.Sprintf("%s runs code at every Python start: %q", f.name, contentQuote(line)))
					break
				}
			}
		}
	}
}

// code looks at one text file of code.
func (a *contentAnalysis) code(f contentFile, install bool) {
	text := string(f.data)
	where := ""
	if install {
		where = " (install-time code: " + a.install[f.name] + ")"
	}
	bump := func(v float64) float64 {
		if install {
			return math.Min(0.95, v+0.1)
		}
		return v
	}
	// Cheap substring checks first: the bounded repetitions in these
	// expressions make them slow on large bundles that cannot match.
	has := func(subs ...string) bool {
		for _, x := range subs {
			if strings.Contains(text, x) {
				return true
			}
		}
		return false
	}
	evalish := has("eval", "Function", "exec", "compile")
	decodes := evalish && has("atob", "Buffer.from", "fromCharCode", "b64decode", "b32decode", "decodebytes", "codecs.decode", "zlib.decompress", "marshal.loads", "fromhex", "unhexlify")
	remote := evalish && has("urlopen", "requests.get", ".get", "fetch", ".read()")
	shell := has("curl", "wget", "CURL", "WGET", "owershell", "OWERSHELL", "Invoke-Expression", "iex")
	if m := contentMatchIf(decodes, contentEvalDecodedRe, text); m != nil {
		a.add("eval-decoded", bump(0.85), f.name, fmt.Sprintf("%s line %d evaluates decoded data%s: %q", f.name, contentLine(text, m[0]), where, contentQuote(text[m[0]:m[1]])))
	}
	if m := contentMatchIf(remote, contentEvalRemoteRe, text); m != nil {
		a.add("eval-remote", bump(0.85), f.name, fmt.Sprintf("%s line %d runs code it downloads%s: %q", f.name, contentLine(text, m[0]), where, contentQuote(text[m[0]:m[1]])))
	}
	if m := contentMatchIf(shell, contentPipeShellRe, text); m != nil {
		a.add("download-exec", bump(0.7), f.name, fmt.Sprintf("%s line %d downloads and runs a program%s: %q", f.name, contentLine(text, m[0]), where, contentQuote(text[m[0]:m[1]])))
	}
	net := contentMatchIf(has("http", "fetch", "axios", "XMLHttpRequest", "net.", "dns.", "requests.", "urllib", "urlopen", "socket", "httpx", "aiohttp", "Invoke-WebRequest", "curl", "wget"), contentNetworkRe, text)
	envDump := contentMatchIf(has("process.env", "os.environ"), contentEnvDumpRe, text)
	var envSecret []int
	if has("process.env", "os.environ", "os.getenv", "PROCESS.ENV", "OS.ENVIRON", "OS.GETENV") {
		envSecret = contentEnvSecretRe.FindStringSubmatchIndex(text)
	}
	hosts := contentHosts(text)
	knownHosts := len(hosts) > 0
	for _, h := range hosts {
		if !contentKnownHost(h) {
			knownHosts = false
		}
	}
	if net != nil && (envDump != nil || envSecret != nil) {
		v := bump(0.8)
		if knownHosts {
			v = 0.4 // only package-infrastructure hosts appear in the file
		}
		var what string
		if envDump != nil {
			what = fmt.Sprintf("reads the whole environment at line %d (%q)", contentLine(text, envDump[0]), contentQuote(text[envDump[0]:envDump[1]]))
		} else {
			what = fmt.Sprintf("reads the secret %s at line %d", text[envSecret[4]:envSecret[5]], contentLine(text, envSecret[0]))
		}
		a.add("env-exfiltration", v, f.name, fmt.Sprintf("%s %s and makes network calls at line %d%s", f.name, what, contentLine(text, net[0]), where))
	}
	if install && net != nil {
		v := 0.4
		if knownHosts {
			v = 0.15
		}
		a.add("install-network", v, f.name, fmt.Sprintf("%s makes network calls at install time (line %d, hosts %v)", f.name, contentLine(text, net[0]), hosts))
	}
	if install {
		if m := contentMatchIf(has("child_process", "exec", "spawn", "subprocess", "system", "popen", "Popen"), contentExecRe, text); m != nil {
			a.add("install-exec", 0.2, f.name, fmt.Sprintf("%s starts processes at install time (line %d)", f.name, contentLine(text, m[0])))
		}
	}
	if n := contentCountIf(has("_0x"), contentObfuscatedRe, text, 200); n >= 50 {
		a.add("obfuscated", bump(0.5), f.name, fmt.Sprintf("%s has %d or more _0x… identifiers, the mark of javascript-obfuscator", f.name, n))
	}
	for _, m := range contentBlobs(text, 256, 20) {
		blob := text[m[0]:m[1]]
		pre := text[max(0, m[0]-48):m[0]]
		if strings.Contains(pre, "base64,") || strings.Contains(pre, "sourceMappingURL") || strings.Contains(pre, "integrity") || strings.Contains(pre, "sha512-") {
			continue // data: URIs, inline source maps, lockfile hashes
		}
		if h := contentEntropy(blob); h >= 4.5 {
			v := math.Min(0.7, 0.35+float64(len(blob))/20000)
			a.add("high-entropy-blob", bump(v), f.name, fmt.Sprintf("%s line %d has a %d-character string of entropy %.2f bits/char", f.name, contentLine(text, m[0]), len(blob), h))
		}
	}
}

// contentBlobs returns the offsets of up to max runs of at least minLen
// base64/base64url/hex characters. A loop, not a regular expression:
// RE2 expands a {256,} repetition into 256 states and is slow on bundles.
func contentBlobs(text string, minLen, max int) [][2]int {
	var out [][2]int
	start := -1
	for i := 0; i <= len(text); i++ {
		in := false
		if i < len(text) {
			c := text[i]
			in = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=' || c == '_' || c == '-'
		}
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			if i-start >= minLen {
				out = append(out, [2]int{start, i})
				if len(out) >= max {
					return out
				}
			}
			start = -1
		}
	}
	return out
}

// contentCountIf counts up to max matches of re when the pre-check passed.
func contentCountIf(ok bool, re *regexp.Regexp, text string, max int) int {
	if !ok {
		return 0
	}
	return len(re.FindAllStringIndex(text, max))
}

// contentMatchIf runs re only when the cheap pre-check passed.
func contentMatchIf(ok bool, re *regexp.Regexp, text string) []int {
	if !ok {
		return nil
	}
	return re.FindStringIndex(text)
}

func contentHosts(text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range contentURLRe.FindAllStringSubmatch(text, 50) {
		h := strings.ToLower(m[1])
		if !seen[h] && h != "" {
			seen[h] = true
			out = append(out, h)
		}
	}
	sort.Strings(out)
	return out
}

func contentKnownHost(h string) bool {
	for _, k := range contentKnownHosts {
		if h == k || strings.HasSuffix(h, "."+k) {
			return true
		}
	}
	// Documentation links are not downloads.
	return strings.HasSuffix(h, ".example") || h == "example.com" || h == "snapcraft.io"
}

// contentEntropy is the Shannon entropy of s in bits per byte.
func contentEntropy(s string) float64 {
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / float64(len(s))
			h -= p * math.Log2(p)
		}
	}
	return h
}

func contentLine(text string, off int) int { return strings.Count(text[:off], "\n") + 1 }

func contentQuote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}
