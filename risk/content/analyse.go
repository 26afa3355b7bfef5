package content

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/chaingate/chaingate/risk/signal"
)

// analysis is the state of one package's analysis.
type analysis struct {
	rep      *Report
	install  map[string]string // file -> why it runs at install time
	findings []Finding
}

func (a *analysis) find(f Finding) {
	if f.Category == "" {
		f.Category = Category(f.Rule)
	}
	f.Span = quote(f.Span)
	a.findings = append(a.findings, f)
}

var (
	shellFetchRe = regexp.MustCompile(`(?i)\b(curl|wget)\b[^\n]*https?://[^\n]*(\s-o\s*\S+|\s-O\s*\S+|>\s*\S+)`)
	shellRunRe   = regexp.MustCompile(`(?m)(chmod\s+(a?\+x|[0-7]*[157][0-7]{2})\s|rundll32|regsvr32)`)
	// Writing a login script or a schedule from a script (not a comment
	// telling the user how to).
	shellPersistRe = regexp.MustCompile(`(?im)^[^#\n]*(>>?\s*["']?\S*(\.bashrc|\.bash_profile|\.zshrc|\.profile|/etc/cron\S*|launchagents/\S+)|\|\s*crontab\s+-|launchctl\s+load|schtasks\s+/create|reg\s+add\s+\S*currentversion\\run)`)
)

// maxAnalysedBytes bounds the code analysed in one package (a
// variable so that a test can lower it).
var maxAnalysedBytes = 64 << 20

var jsExt = map[string]bool{".js": true, ".cjs": true, ".mjs": true}
var shellExt = map[string]bool{".sh": true, ".bat": true, ".cmd": true, ".ps1": true}

func analyse(ctx context.Context, rep *Report, files []file) error {
	a := &analysis{rep: rep, install: map[string]string{}}
	switch rep.Ecosystem {
	case "npm":
		if err := a.npmManifest(find(files, "package.json")); err != nil {
			return err
		}
		a.npmInstallClosure(files)
	case "PyPI":
		a.pypiManifest(files)
	case "Go":
		a.goManifest(files)
	}
	return a.analyseFiles(ctx, files)
}

// analyseFiles analyses the package's code files, install-time code
// marked by the manifest's reader, and scores the findings.
func (a *analysis) analyseFiles(ctx context.Context, files []file) error {
	rep := a.rep
	rep.Files = len(files)
	for _, f := range files {
		rep.Bytes += int64(len(f.data))
	}
	analysed := 0
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		ext := strings.ToLower(path.Ext(f.name))
		why, isInstall := a.install[f.name]
		lang := ""
		switch {
		case rep.Ecosystem == "Go" || rep.Ecosystem == "RubyGems":
			// Only the code that runs at install, init or require.
			if lang = goRubyLang(rep.Ecosystem, f.name); lang == "" || !isInstall {
				continue
			}
		case jsExt[ext] || isInstall && why != "setup.py" && ext == "" && rep.Ecosystem == "npm":
			lang = "js"
		case ext == ".py" || ext == ".pth":
			lang = "py"
		case shellExt[ext]:
			lang = "sh"
		default:
			continue
		}
		if bytes.IndexByte(f.data, 0) >= 0 {
			rep.Skipped = append(rep.Skipped, f.name+" (binary)")
			continue
		}
		// The analysis costs about 0.25 s of CPU per MB (see
		// BenchmarkContentMinified): past a package budget, code files
		// are listed as skipped rather than analysed, install-time code
		// first in line because it was marked before.
		if analysed+len(f.data) > maxAnalysedBytes && !isInstall {
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("%s (package analysis budget of %d bytes spent)", f.name, maxAnalysedBytes))
			continue
		}
		analysed += len(f.data)
		a.file(f, lang, isInstall)
	}
	return a.finish()
}

// file analyses one file of code.
func (a *analysis) file(f file, lang string, install bool) {
	fa := newContentFileAnalysis(f.name, lang, f.data, install)
	var err error
	switch lang {
	case "js":
		err = analyseJS(fa)
	case "py":
		err = analysePython(fa)
	case "go":
		err = analyseGo(fa)
	case "rb":
		err = analyseRuby(fa)
	case "sh":
		text := string(f.data)
		if m := shellDownloadRe.FindStringIndex(text); m != nil {
			fa.report("shell-download-exec", "process.download-exec", lineAt(text, m[0]), lineText(f.data, m[0]), "downloads and runs a program", nil)
		} else if m := shellFetchRe.FindStringIndex(text); m != nil && shellRunRe.MatchString(text[m[1]:]) {
			// A script that downloads a file on one line and makes it
			// executable or runs it on a later one.
			fa.report("shell-download-exec", "process.download-exec", lineAt(text, m[0]), lineText(f.data, m[0]), "downloads a program and runs it", nil)
		}
		if m := shellPersistRe.FindStringIndex(text); m != nil {
			fa.report("persistence", "filesystem.autostart", lineAt(text, m[0]), lineText(f.data, m[0]), "touches a place whose content runs at login or on a schedule", nil)
		}
	}
	if err != nil {
		a.rep.Skipped = append(a.rep.Skipped, fmt.Sprintf("%s (%v)", f.name, err))
		if install {
			fa.report("unparsed-install-code", "process.hooks", 0, "", fmt.Sprintf("runs at install time (%s) but does not parse: %v", a.install[f.name], err), nil)
		}
	}
	if fa.exhausted {
		a.rep.Skipped = append(a.rep.Skipped, fmt.Sprintf("%s (analysis budget of %d steps spent; findings up to there kept)", f.name, nodeBudget(len(f.data))))
	}
	fa.obfuscationText()
	if lang == "go" {
		goDropInvisibleInData(fa)
	}
	text := string(f.data)
	for _, m := range blobs(text, 256, 20) {
		blob := text[m[0]:m[1]]
		pre := text[max(0, m[0]-48):m[0]]
		if strings.Contains(pre, "base64,") || strings.Contains(pre, "sourceMappingURL") || strings.Contains(pre, "integrity") || strings.Contains(pre, "sha512-") {
			continue // data: URIs, inline source maps, lockfile hashes
		}
		if h := entropy(blob); h >= 4.5 {
			fa.report("high-entropy-blob", "runtime.obfuscation", lineAt(text, m[0]), "", fmt.Sprintf("has a %d-character string of entropy %.2f bits/char", len(blob), h), nil)
			break
		}
	}
	for _, x := range fa.sorted() {
		a.find(x)
	}
}

// finish scores the findings and fills the report's signals.
func (a *analysis) finish() error {
	rep := a.rep
	sort.SliceStable(a.findings, func(i, j int) bool {
		if a.findings[i].File != a.findings[j].File {
			return a.findings[i].File < a.findings[j].File
		}
		return a.findings[i].Line < a.findings[j].Line
	})
	rep.Findings = a.findings
	m, err := builtinContentModel()
	if err != nil {
		return err
	}
	sc, err := m.Score(rep.Features())
	if err != nil {
		return err
	}
	rep.Score, rep.Malicious, rep.Explanation = sc.Value, sc.Flagged, &sc
	type key struct{ rule, file string }
	by := map[key]*signal.Signal{}
	var keys []key
	for _, f := range rep.Findings {
		k := key{f.Rule, f.File}
		s, ok := by[k]
		if !ok {
			v := 0.0
			for i, r := range rules {
				if r.rule == f.Rule {
					v = m.alone(i)
				}
			}
			s = &signal.Signal{ID: f.Rule, Source: f.File, Value: v}
			by[k] = s
			keys = append(keys, k)
		}
		if len(s.Evidence) < 5 {
			s.Evidence = append(s.Evidence, f.evidence())
		}
	}
	for _, k := range keys {
		rep.Signals = append(rep.Signals, *by[k])
	}
	sort.SliceStable(rep.Signals, func(i, j int) bool {
		if rep.Signals[i].Value != rep.Signals[j].Value {
			return rep.Signals[i].Value > rep.Signals[j].Value
		}
		if rep.Signals[i].ID != rep.Signals[j].ID {
			return rep.Signals[i].ID < rep.Signals[j].ID
		}
		return rep.Signals[i].Source < rep.Signals[j].Source
	})
	sort.Strings(rep.InstallHooks)
	return nil
}

// evidence is the finding in one line: where, what, the code, the flow.
func (f Finding) evidence() string {
	var b strings.Builder
	b.WriteString(f.File)
	if f.Line > 0 {
		fmt.Fprintf(&b, ":%d", f.Line)
	}
	fmt.Fprintf(&b, " [%s] %s", f.Category, f.Message)
	if f.InstallTime {
		b.WriteString(" at install time")
	}
	if f.Span != "" {
		fmt.Fprintf(&b, ": %q", f.Span)
	}
	if len(f.Flow) > 0 {
		fmt.Fprintf(&b, " (flow: %s)", strings.Join(f.Flow, " → "))
	}
	return b.String()
}

// npmManifest reads package.json's install-time scripts.
func (a *analysis) npmManifest(f *file) error {
	var pj struct {
		Name    string          `json:"name"`
		Version string          `json:"version"`
		Scripts json.RawMessage `json:"scripts"`
		Main    json.RawMessage `json:"main"`
	}
	if err := json.Unmarshal(f.data, &pj); err != nil {
		return fmt.Errorf("package.json: %w", err)
	}
	a.rep.Name, a.rep.Version = pj.Name, pj.Version
	scripts := map[string]any{}
	if len(pj.Scripts) > 0 {
		// A scripts field of another shape is not an install hook; an
		// npm client ignores it too.
		_ = json.Unmarshal(pj.Scripts, &scripts)
	}
	for _, hook := range []string{"preinstall", "install", "postinstall"} {
		cmd, ok := scripts[hook].(string)
		if !ok || strings.TrimSpace(cmd) == "" {
			continue
		}
		src := "package.json"
		a.rep.InstallHooks = append(a.rep.InstallHooks, "scripts."+hook+": "+cmd)
		msg := fmt.Sprintf("the %s hook runs %q", hook, quote(cmd))
		if builderRe.MatchString(cmd) {
			msg = fmt.Sprintf("the %s hook runs a native-module builder: %q", hook, quote(cmd))
		}
		a.find(Finding{Rule: "install-script", File: src, Span: "scripts." + hook + ": " + cmd, Message: msg, InstallTime: true})
		if shellDownloadRe.MatchString(cmd) {
			a.find(Finding{Rule: "install-download-exec", File: src, Span: cmd, InstallTime: true,
				Message: fmt.Sprintf("the %s hook downloads and runs code", hook), Flow: []string{"download in scripts." + hook, "shell"}})
		}
		if code, ok := nodeEval(cmd); ok {
			fa := newContentFileAnalysis("package.json#scripts."+hook, "js", []byte(code), true)
			if err := analyseJS(fa); err != nil {
				a.rep.Skipped = append(a.rep.Skipped, fmt.Sprintf("package.json#scripts.%s (%v)", hook, err))
			}
			for _, x := range fa.sorted() {
				a.find(x)
			}
		}
		// Files the hook runs are install-time code.
		for _, tok := range strings.FieldsFunc(cmd, func(r rune) bool {
			return r == ' ' || r == '\'' || r == '"' || r == '(' || r == ')' || r == ';' || r == '&' || r == '|'
		}) {
			tok = strings.TrimPrefix(path.Clean(tok), "./")
			if ext := path.Ext(tok); jsExt[ext] || shellExt[ext] || ext == ".py" {
				a.install[tok] = "scripts." + hook
			} else if ext == "" && strings.Contains(tok, "/") {
				for _, e := range []string{".js", "/index.js", ".cjs"} {
					a.install[tok+e] = "scripts." + hook
				}
			}
		}
		for _, g := range requireRe.FindAllStringSubmatch(cmd, -1) {
			p := strings.TrimPrefix(path.Clean(g[1]), "./")
			for _, e := range []string{"", ".js", "/index.js"} {
				a.install[p+e] = "scripts." + hook
			}
		}
	}
	return nil
}

// nodeEval returns the code of `node -e "…"` / `node -p` hooks.
func nodeEval(cmd string) (string, bool) {
	for _, flag := range []string{" -e ", " --eval ", " -p ", " --print "} {
		i := strings.Index(cmd, flag)
		if i < 0 || !strings.Contains(cmd[:i], "node") {
			continue
		}
		rest := strings.TrimSpace(cmd[i+len(flag):])
		if len(rest) > 1 && (rest[0] == '"' || rest[0] == '\'') {
			if j := strings.LastIndexByte(rest, rest[0]); j > 0 {
				return strings.ReplaceAll(rest[1:j], `\"`, `"`), true
			}
		}
		return rest, true
	}
	return "", false
}

// npmInstallClosure marks the package's own modules that install-time
// files require (three levels) as install-time code too.
func (a *analysis) npmInstallClosure(files []file) {
	for range 3 {
		added := false
		for _, f := range files {
			why, ok := a.install[f.name]
			if !ok {
				continue
			}
			for _, g := range requireRe.FindAllStringSubmatch(string(f.data), 50) {
				if !strings.HasPrefix(g[0], "require('.") && !strings.HasPrefix(g[0], `require(".`) {
					continue
				}
				p := path.Join(path.Dir(f.name), g[1])
				for _, e := range []string{"", ".js", "/index.js", ".cjs"} {
					if _, seen := a.install[p+e]; !seen && find(files, p+e) != nil {
						a.install[p+e] = why + " via " + f.name
						added = true
					}
				}
			}
		}
		if !added {
			return
		}
	}
}

// pypiManifest marks setup.py (sdist) and .pth files as install-time
// code and reads the name and version from PKG-INFO or METADATA.
func (a *analysis) pypiManifest(files []file) {
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
			if m := cmdclassRe.FindStringIndex(string(f.data)); m != nil {
				a.find(Finding{Rule: "install-script", File: f.name, Line: lineAt(string(f.data), m[0]),
					Span: lineText(f.data, m[0]), Message: "setup.py replaces an install command (cmdclass)", InstallTime: true})
			}
		}
		if strings.HasSuffix(f.name, ".pth") && (a.rep.Format == "wheel" && !strings.Contains(f.name, "/") || a.rep.Format == "sdist") {
			for i, line := range strings.Split(string(f.data), "\n") {
				t := strings.TrimSpace(line)
				if strings.HasPrefix(t, "import ") || strings.HasPrefix(t, "import\t") {
					a.install[f.name] = "a .pth file, run at every interpreter start"
					a.rep.InstallHooks = append(a.rep.InstallHooks, f.name)
					a.find(Finding{Rule: "pth-import", File: f.name, Line: i + 1, Span: line, InstallTime: true,
						Message: "runs code at every Python start"})
					break
				}
			}
		}
	}
}

// blobs returns the offsets of up to max runs of at least minLen
// base64/base64url/hex characters. A loop, not a regular expression:
// RE2 expands a {256,} repetition into 256 states and is slow on bundles.
func blobs(text string, minLen, max int) [][2]int {
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

// entropy is the Shannon entropy of s in bits per byte.
func entropy(s string) float64 {
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
