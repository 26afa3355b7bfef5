package content

// The content scanner as it was before the analysis was rebuilt on the
// languages' syntax (regular expressions over the text), kept here only
// so that the benchmarks compare the two in the same run.

import (
	"fmt"
	"math"
	"regexp"
	"strings"
)

var (
	legacyNetworkRe = regexp.MustCompile(`(require\(['"](node:)?https?['"]\)|\bhttps?\.(get|request)|http\.client|fetch\s*\(|axios\b|XMLHttpRequest|net\.connect|net\.Socket|dns\.(lookup|resolve\w*)\s*\(|requests\.(get|post|put)\s*\(|urllib\d?\.request|urlopen\s*\(|socket\.socket\s*\(|httpx\.|aiohttp\.|Invoke-WebRequest|\bcurl\s|\bwget\s)`)
	legacyExecRe    = regexp.MustCompile(`\b(child_process|execSync|spawnSync|exec\s*\(|spawn\s*\(|subprocess\.|os\.system\s*\(|os\.popen\s*\(|Popen\s*\()`)
	// eval/Function/exec applied to something decoded on the spot.
	legacyEvalDecodedRe = regexp.MustCompile(`(?s)\b(eval|Function|exec|compile)\s*\((.{0,100}?)\b(atob\s*\(|Buffer\.from\s*\([^)]{0,100}?['"](base64|hex)['"]|fromCharCode|b64decode|b32decode|decodebytes|codecs\.decode|zlib\.decompress|marshal\.loads|bytes\.fromhex|unhexlify)`)
	// Serialising the whole environment (not spreading it into a child
	// process's env, which installers do).
	legacyEnvDumpRe = regexp.MustCompile(`(JSON\.stringify\s*\(\s*process\.env\b|Buffer\.from\s*\(\s*JSON\.stringify\s*\(\s*process\.env|json\.dumps\s*\(\s*(dict\s*\()?os\.environ|str\s*\(\s*os\.environ\s*\)|b64encode\s*\([^)]{0,40}os\.environ)`)
	// eval/exec of what a network call returned.
	legacyEvalRemoteRe = regexp.MustCompile(`(?s)\b(eval|exec|Function)\s*\(.{0,120}?(urlopen|requests\.get|https?\.get|fetch\s*\(|\.read\(\))`)
	legacyEnvSecretRe  = regexp.MustCompile(`(?i)(process\.env\.|process\.env\[['"]|os\.environ\[['"]|os\.environ\.get\s*\(\s*['"]|os\.getenv\s*\(\s*['"])([A-Z0-9_]*(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)[A-Z0-9_]*)`)
	legacyPipeShellRe  = regexp.MustCompile(`(?i)((curl|wget)[^|;&\n]{0,200}\|\s*(ba|z)?sh\b|(curl|wget)[^\n]{0,200}&&\s*(chmod\s+\+x|sh\s|bash\s|\./)|powershell[^\n]{0,40}-e(nc|ncodedcommand)?\s|Invoke-Expression|\biex\s*\()`)
	legacyCmdclassRe   = regexp.MustCompile(`cmdclass\s*=\s*\{[^}]*['"](install|develop|egg_info|build_py|bdist_wheel)['"]`)
	legacyRequireRe    = regexp.MustCompile(`require\(['"]\.?/?([^'"]+)['"]\)`)
	legacyURLRe        = regexp.MustCompile(`https?://([A-Za-z0-9.-]+)`)
	legacyObfuscatedRe = regexp.MustCompile(`\b_0x[0-9a-f]{4,6}\b`)
)

type legacyAnalysis struct {
	install map[string]string
	n       int
}

func (a *legacyAnalysis) add(id string, value float64, source, evidence string) { a.n++ }

// legacyMatchIf runs re only when the cheap pre-check passed.
func legacyMatchIf(ok bool, re *regexp.Regexp, text string) []int {
	if !ok {
		return nil
	}
	return re.FindStringIndex(text)
}

// code looks at one text file of code.
func (a *legacyAnalysis) code(f file, install bool) {
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
	if m := legacyMatchIf(decodes, legacyEvalDecodedRe, text); m != nil {
		a.add("eval-decoded", bump(0.85), f.name, fmt.Sprintf("%s line %d evaluates decoded data%s: %q", f.name, lineAt(text, m[0]), where, quote(text[m[0]:m[1]])))
	}
	if m := legacyMatchIf(remote, legacyEvalRemoteRe, text); m != nil {
		a.add("eval-remote", bump(0.85), f.name, fmt.Sprintf("%s line %d runs code it downloads%s: %q", f.name, lineAt(text, m[0]), where, quote(text[m[0]:m[1]])))
	}
	if m := legacyMatchIf(shell, legacyPipeShellRe, text); m != nil {
		a.add("download-exec", bump(0.7), f.name, fmt.Sprintf("%s line %d downloads and runs a program%s: %q", f.name, lineAt(text, m[0]), where, quote(text[m[0]:m[1]])))
	}
	net := legacyMatchIf(has("http", "fetch", "axios", "XMLHttpRequest", "net.", "dns.", "requests.", "urllib", "urlopen", "socket", "httpx", "aiohttp", "Invoke-WebRequest", "curl", "wget"), legacyNetworkRe, text)
	envDump := legacyMatchIf(has("process.env", "os.environ"), legacyEnvDumpRe, text)
	var envSecret []int
	if has("process.env", "os.environ", "os.getenv", "PROCESS.ENV", "OS.ENVIRON", "OS.GETENV") {
		envSecret = legacyEnvSecretRe.FindStringSubmatchIndex(text)
	}
	hosts := hosts(text)
	knownHosts := len(hosts) > 0
	for _, h := range hosts {
		if !knownHost(h) {
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
			what = fmt.Sprintf("reads the whole environment at line %d (%q)", lineAt(text, envDump[0]), quote(text[envDump[0]:envDump[1]]))
		} else {
			what = fmt.Sprintf("reads the secret %s at line %d", text[envSecret[4]:envSecret[5]], lineAt(text, envSecret[0]))
		}
		a.add("env-exfiltration", v, f.name, fmt.Sprintf("%s %s and makes network calls at line %d%s", f.name, what, lineAt(text, net[0]), where))
	}
	if install && net != nil {
		v := 0.4
		if knownHosts {
			v = 0.15
		}
		a.add("install-network", v, f.name, fmt.Sprintf("%s makes network calls at install time (line %d, hosts %v)", f.name, lineAt(text, net[0]), hosts))
	}
	if install {
		if m := legacyMatchIf(has("child_process", "exec", "spawn", "subprocess", "system", "popen", "Popen"), legacyExecRe, text); m != nil {
			a.add("install-exec", 0.2, f.name, fmt.Sprintf("%s starts processes at install time (line %d)", f.name, lineAt(text, m[0])))
		}
	}
	if n := countIf(has("_0x"), legacyObfuscatedRe, text, 200); n >= 50 {
		a.add("obfuscated", bump(0.5), f.name, fmt.Sprintf("%s has %d or more _0x… identifiers, the mark of javascript-obfuscator", f.name, n))
	}
	for _, m := range blobs(text, 256, 20) {
		blob := text[m[0]:m[1]]
		pre := text[max(0, m[0]-48):m[0]]
		if strings.Contains(pre, "base64,") || strings.Contains(pre, "sourceMappingURL") || strings.Contains(pre, "integrity") || strings.Contains(pre, "sha512-") {
			continue // data: URIs, inline source maps, lockfile hashes
		}
		if h := entropy(blob); h >= 4.5 {
			v := math.Min(0.7, 0.35+float64(len(blob))/20000)
			a.add("high-entropy-blob", bump(v), f.name, fmt.Sprintf("%s line %d has a %d-character string of entropy %.2f bits/char", f.name, lineAt(text, m[0]), len(blob), h))
		}
	}
}
