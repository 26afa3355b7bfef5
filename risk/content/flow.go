package content

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// This file holds what the JavaScript and Python front ends share: the
// abstract values they compute for expressions, the table of APIs that
// read sensitive data, reach the network, run code or write files
// (keyed by canonical dotted names such as "child_process.exec" or
// "subprocess.call"), and the rules that turn a source reaching a sink
// into a Finding.

// Finding is one behaviour the content analysis saw in a file.
type Finding struct {
	// Rule names the check ("exfiltrate-env", "exec-downloaded", ...).
	Rule string `json:"rule"`
	// Category is the behaviour's class, named as GuardDog names its
	// rules where one fits ("network.exfiltration", "process.spawn",
	// "runtime.obfuscation", "process.hooks", ...).
	Category string `json:"category"`
	// File is the path inside the package; Line is 1-based (0 when the
	// finding is about the whole file or the manifest).
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	// Span is the code at the finding, shortened to 160 characters.
	Span string `json:"span,omitempty"`
	// Flow lists where the data came from and where it went, source
	// first and sink last, when the finding is a flow.
	Flow []string `json:"flow,omitempty"`
	// InstallTime says the code runs when the package is installed (an
	// npm lifecycle script, setup.py, a .pth file).
	InstallTime bool `json:"installTime,omitempty"`
	// Message says what was seen, in words a reviewer can check.
	Message string `json:"message"`
}

// ctaint is a set of things a value may carry.
type ctaint uint16

const (
	taintEnvAll     ctaint = 1 << iota // the whole environment
	taintEnvSecret                     // a credential-named environment variable
	taintEnv                           // another environment variable
	taintSecretFile                    // a credential, key, wallet, browser or /etc/passwd file
	taintSysinfo                       // host name, user name, interfaces
	taintCollect                       // clipboard, screenshot, keystrokes
	taintNet                           // data downloaded from the network
	taintDecoded                       // data decoded from base64/hex/zlib/marshal
)

const taintSensitive = taintEnvAll | taintEnvSecret | taintSecretFile | taintCollect

// cval is an abstract value: a string as far as it is known (unknown
// parts are "…"), the API or module it refers to, and what it carries.
type cval struct {
	s     string
	known bool // s is the whole value
	lit   bool // the value is one literal, as written
	num   bool // a number literal (s is its decimal text)
	ref   string
	taint ctaint
	flow  []string // where the taint came from, oldest first (at most 4)
	// obf says the reference was reached through a computed name or an
	// alias built from pieces (global['ev'+'al'], getattr(os, 'sys'+'tem')).
	obf bool
	// fn is front-end data: a JavaScript function of the file
	// (*jsFunc) or an array's elements ([]cval).
	fn any
	// method and recv describe a method value (recv.method) not yet
	// called.
	method string
	recv   *cval
}

const unknownPart = "…"

func cstr(s string) cval { return cval{s: s, known: true} }

// cvalPassArgs joins the values a caller passes into a local function's
// parameters (the first eight), and reports whether any parameter's
// taint or reference changed, so that the analysis runs again.
func cvalPassArgs(params *[]cval, args []cval) (changed bool) {
	for i, v := range args {
		if i >= 8 {
			break
		}
		for len(*params) <= i {
			*params = append(*params, cunknown())
		}
		old := (*params)[i]
		nv := old.join(v)
		if old.s == unknownPart && v.s != unknownPart {
			// The first caller that says more about the argument (a URL
			// with its host) gives it its text.
			nv.s, nv.known = v.s, v.known
		}
		if v.ref != "" && old.ref == "" {
			nv.ref = v.ref
		}
		if nv.taint != old.taint || nv.ref != old.ref {
			changed = true
		}
		(*params)[i] = nv
	}
	return changed
}

func cunknown() cval             { return cval{s: unknownPart} }
func cref(ref string) cval       { return cval{s: unknownPart, ref: ref} }
func (v cval) has(t ctaint) bool { return v.taint&t != 0 }

// join merges what two values carry (not their strings).
func (v cval) join(o cval) cval {
	v.taint |= o.taint
	v.flow = flowJoin(v.flow, o.flow)
	return v
}

func flowJoin(a, b []string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) && len(out) < 4 {
			out = append(out, x)
		}
	}
	return out
}

// concat is the value of a + b.
func concat(a, b cval) cval {
	out := cval{s: a.s + b.s, known: a.known && b.known}
	if len(out.s) > maxValueLen {
		out.s, out.known = out.s[:maxValueLen]+unknownPart, false
	}
	return out.join(a).join(b)
}

// maxValueLen bounds the strings the analysis builds.
const maxValueLen = 64 << 10

// withTaint returns v carrying t with a flow step.
func (v cval) withTaint(t ctaint, step string) cval {
	v.taint |= t
	if len(v.flow) < 4 && !slices.Contains(v.flow, step) {
		v.flow = append(v.flow, step)
	}
	return v
}

// API roles.
type capi int

const (
	apiNone         capi = iota
	apiNet               // sends a request: args are data sent; result is downloaded data
	apiDNS               // resolves a name (data leaves in the name)
	apiNetGet            // fetches data (result tainted as downloaded); its args can leak too
	apiEval              // runs code in-process (eval, exec, Function, vm)
	apiSpawn             // starts a process
	apiDecode            // base64/hex/zlib decode
	apiEncode            // serialises or encodes: passes taint
	apiEnvGet            // reads one environment variable named by the first argument
	apiEnvAll            // returns the whole environment
	apiReadFile          // reads the file named by the first argument
	apiOpen              // opens the file named by the first argument (Python open)
	apiWriteFile         // writes args[1] to the file named by args[0]
	apiDownloadTo        // downloads args[0] into the file args[1] (urlretrieve)
	apiChmod             // marks a file executable
	apiSysinfo           // returns host or user information
	apiCollect           // clipboard, screenshot, keyboard hook
	apiImport            // loads a module named by the first argument
	apiGetattr           // getattr(obj, name)
	apiFromCharCode      // String.fromCharCode / chr
	apiPathJoin          // joins path parts
	apiInjection         // writes into or starts threads in another process
	apiRegistry          // writes the Windows registry
	apiHome              // the home directory
)

// apis maps canonical names to roles. JavaScript names are
// Node's module names ("child_process.exec"), Python's the import path
// ("subprocess.run"); builtins have no module ("eval", "exec").
var apis = map[string]capi{
	// JavaScript.
	"eval": apiEval, "Function": apiEval, "vm.runInThisContext": apiEval, "vm.runInNewContext": apiEval,
	"vm.runInContext": apiEval, "vm.Script": apiEval, "vm.compileFunction": apiEval, "module._compile": apiEval,
	"child_process.exec": apiSpawn, "child_process.execSync": apiSpawn, "child_process.spawn": apiSpawn,
	"child_process.spawnSync": apiSpawn, "child_process.execFile": apiSpawn, "child_process.execFileSync": apiSpawn,
	"child_process.fork": apiSpawn, "process.binding": apiSpawn, "process.dlopen": apiSpawn,
	"http.request": apiNet, "https.request": apiNet, "http.get": apiNetGet, "https.get": apiNetGet,
	"http2.connect": apiNet, "fetch": apiNetGet, "axios": apiNetGet, "axios.get": apiNetGet, "axios.post": apiNet,
	"axios.put": apiNet, "axios.request": apiNet, "request": apiNetGet, "request.get": apiNetGet, "request.post": apiNet,
	"got": apiNetGet, "got.get": apiNetGet, "got.post": apiNet, "node-fetch": apiNetGet, "needle": apiNetGet,
	"needle.post": apiNet, "superagent.post": apiNet, "superagent.get": apiNetGet,
	"net.connect": apiNet, "net.createConnection": apiNet, "net.Socket": apiNet, "tls.connect": apiNet,
	"dgram.createSocket": apiNet, "XMLHttpRequest": apiNetGet, "WebSocket": apiNet, "ws": apiNet,
	"nodemailer.createTransport": apiNet,
	"dns.lookup":                 apiDNS, "dns.resolve": apiDNS, "dns.resolve4": apiDNS, "dns.resolve6": apiDNS, "dns.resolveTxt": apiDNS,
	"dns.resolveCname": apiDNS, "dns.promises.lookup": apiDNS, "dns.promises.resolve": apiDNS, "dns.promises.resolveTxt": apiDNS,
	"atob": apiDecode, "Buffer.from": apiDecode, "zlib.inflateSync": apiDecode, "zlib.gunzipSync": apiDecode,
	"zlib.inflateRawSync": apiDecode, "zlib.brotliDecompressSync": apiDecode, "decodeURIComponent": apiEncode, "unescape": apiDecode,
	"JSON.stringify": apiEncode, "btoa": apiEncode, "encodeURIComponent": apiEncode, "querystring.stringify": apiEncode,
	"Object.entries": apiEncode, "Object.keys": apiEncode, "Object.values": apiEncode, "String": apiEncode, "util.inspect": apiEncode,
	"Object.assign":   apiEncode,
	"fs.readFileSync": apiReadFile, "fs.readFile": apiReadFile, "fs.promises.readFile": apiReadFile, "fs.createReadStream": apiReadFile,
	"fs.readdirSync":   apiReadFile,
	"fs.writeFileSync": apiWriteFile, "fs.writeFile": apiWriteFile, "fs.promises.writeFile": apiWriteFile,
	"fs.appendFileSync": apiWriteFile, "fs.appendFile": apiWriteFile, "fs.createWriteStream": apiWriteFile,
	"fs.chmodSync": apiChmod, "fs.chmod": apiChmod, "fs.promises.chmod": apiChmod,
	"os.hostname": apiSysinfo, "os.userInfo": apiSysinfo, "os.networkInterfaces": apiSysinfo, "os.platform": apiNone,
	"os.homedir": apiHome, "os.tmpdir": apiNone, "os.type": apiNone,
	"require": apiImport, "process.mainModule.require": apiImport, "module.require": apiImport,
	"String.fromCharCode": apiFromCharCode, "String.fromCodePoint": apiFromCharCode,
	"path.join": apiPathJoin, "path.resolve": apiPathJoin,
	"clipboardy.read": apiCollect, "clipboardy.readSync": apiCollect, "screenshot-desktop": apiCollect,
	"node-global-key-listener.GlobalKeyboardListener": apiCollect, "iohook.on": apiCollect,
	"process.env": apiEnvAll,

	// Python.
	"exec": apiEval, "builtins.eval": apiEval, "builtins.exec": apiEval, "compile": apiEval,
	"subprocess.call": apiSpawn, "subprocess.run": apiSpawn, "subprocess.Popen": apiSpawn, "subprocess.check_output": apiSpawn,
	"subprocess.check_call": apiSpawn, "subprocess.getoutput": apiSpawn, "subprocess.getstatusoutput": apiSpawn,
	"os.system": apiSpawn, "os.popen": apiSpawn, "os.execv": apiSpawn, "os.execl": apiSpawn, "os.execvp": apiSpawn,
	"os.execlp": apiSpawn, "os.execve": apiSpawn, "os.spawnl": apiSpawn, "os.spawnv": apiSpawn, "os.startfile": apiSpawn,
	"pty.spawn": apiSpawn, "commands.getoutput": apiSpawn, "asyncio.create_subprocess_shell": apiSpawn,
	"asyncio.create_subprocess_exec": apiSpawn,
	"requests.get":                   apiNetGet, "requests.post": apiNet, "requests.put": apiNet, "requests.request": apiNet,
	"requests.patch": apiNet, "requests.Session": apiNet, "requests.session": apiNet,
	"urllib.request.urlopen": apiNetGet, "urllib.request.Request": apiNetGet, "urllib2.urlopen": apiNetGet,
	"urllib.urlopen": apiNetGet, "http.client.HTTPConnection": apiNet, "http.client.HTTPSConnection": apiNet,
	"httplib.HTTPConnection": apiNet, "httpx.get": apiNetGet, "httpx.post": apiNet, "httpx.Client": apiNet,
	"aiohttp.ClientSession": apiNet, "socket.socket": apiNet, "socket.create_connection": apiNet,
	"smtplib.SMTP": apiNet, "smtplib.SMTP_SSL": apiNet, "ftplib.FTP": apiNet, "telnetlib.Telnet": apiNet,
	"discord_webhook.DiscordWebhook": apiNet, "dhooks.Webhook": apiNet,
	"socket.gethostbyname": apiDNS, "socket.gethostbyname_ex": apiDNS, "socket.getaddrinfo": apiDNS,
	"dns.resolver.resolve": apiDNS, "dns.resolver.query": apiDNS, "dns.resolver.Resolver": apiDNS,
	"urllib.request.urlretrieve": apiDownloadTo, "urllib.urlretrieve": apiDownloadTo, "wget.download": apiDownloadTo,
	"base64.b64decode": apiDecode, "base64.b32decode": apiDecode, "base64.b16decode": apiDecode, "base64.b85decode": apiDecode,
	"base64.a85decode": apiDecode, "base64.decodebytes": apiDecode, "base64.decodestring": apiDecode,
	"base64.urlsafe_b64decode": apiDecode, "binascii.unhexlify": apiDecode, "binascii.a2b_base64": apiDecode,
	"binascii.a2b_hex": apiDecode, "bytes.fromhex": apiDecode, "codecs.decode": apiDecode, "zlib.decompress": apiDecode,
	"gzip.decompress": apiDecode, "bz2.decompress": apiDecode, "lzma.decompress": apiDecode, "marshal.loads": apiDecode,
	"pickle.loads": apiEval, "cPickle.loads": apiEval,
	"base64.b64encode": apiEncode, "base64.b32encode": apiEncode, "base64.urlsafe_b64encode": apiEncode,
	"base64.encodebytes": apiEncode, "binascii.hexlify": apiEncode, "json.dumps": apiEncode, "str": apiEncode,
	"dict": apiEncode, "repr": apiEncode, "bytes": apiEncode, "list": apiEncode, "urllib.parse.urlencode": apiEncode,
	"urllib.urlencode": apiEncode, "zlib.compress": apiEncode, "codecs.encode": apiEncode,
	"os.getenv": apiEnvGet, "os.environ.get": apiEnvGet, "os.environ.copy": apiEnvAll, "os.environ.items": apiEnvAll,
	"os.environ": apiEnvAll,
	"open":       apiOpen, "io.open": apiOpen, "codecs.open": apiOpen, "pathlib.Path.read_text": apiReadFile,
	"os.chmod": apiChmod, "os.chown": apiNone,
	"socket.gethostname": apiSysinfo, "platform.node": apiSysinfo, "platform.uname": apiSysinfo, "getpass.getuser": apiSysinfo,
	"os.getlogin": apiSysinfo, "os.uname": apiSysinfo, "uuid.getnode": apiSysinfo, "requests.get.text": apiNone,
	"pyperclip.paste": apiCollect, "PIL.ImageGrab.grab": apiCollect, "ImageGrab.grab": apiCollect, "pyautogui.screenshot": apiCollect,
	"pynput.keyboard.Listener": apiCollect, "keyboard.on_press": apiCollect, "keyboard.hook": apiCollect, "win32clipboard.GetClipboardData": apiCollect,
	"__import__": apiImport, "importlib.import_module": apiImport, "getattr": apiGetattr, "chr": apiFromCharCode,
	"os.path.join": apiPathJoin, "os.path.expanduser": apiPathJoin, "pathlib.Path": apiPathJoin, "pathlib.Path.home": apiHome,
	"os.path.expandvars":                        apiPathJoin,
	"ctypes.windll.kernel32.WriteProcessMemory": apiInjection, "ctypes.windll.kernel32.CreateRemoteThread": apiInjection,
	"ctypes.windll.kernel32.VirtualAllocEx": apiInjection, "kernel32.WriteProcessMemory": apiInjection,
	"kernel32.CreateRemoteThread": apiInjection, "kernel32.VirtualAllocEx": apiInjection,
	"winreg.SetValueEx": apiRegistry, "winreg.OpenKey": apiPathJoin, "winreg.OpenKeyEx": apiPathJoin,
	"winreg.CreateKey": apiPathJoin, "winreg.CreateKeyEx": apiPathJoin, "_winreg.SetValueEx": apiRegistry, "winreg.SetValue": apiRegistry,
}

// apiOf returns the role of a canonical name, trying its
// unqualified forms for modules imported under their own name
// ("node:child_process.exec", "urllib.request.urlopen").
func apiOf(ref string) capi {
	ref = strings.TrimPrefix(ref, "node:")
	if r, ok := apis[ref]; ok {
		return r
	}
	// Aliased default exports: "axios.default.post" → "axios.post".
	if s := strings.Replace(ref, ".default.", ".", 1); s != ref {
		return apis[s]
	}
	return apiNone
}

var (
	secretNameRe = regexp.MustCompile(`(?i)(TOKEN|SECRET|PASSW|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH|SESSION|COOKIE|WEBHOOK)`)
	// Files whose content is a credential or personal data.
	secretPathRe = regexp.MustCompile(`(?i)(/etc/passwd|/etc/shadow|id_rsa|id_dsa|id_ed25519|id_ecdsa|\.aws[/\\]|\.npmrc|\.pypirc|\.git-credentials|\.gitconfig|\.netrc|\.docker[/\\]config|\.kube[/\\]config|\.gnupg|login data|cookies|local state|web data|leveldb|wallet|keychain|\.bash_history|\.zsh_history|exodus|metamask|electrum|solana[/\\]id\.json|\.config[/\\]gcloud|\.azure|credentials\.json|/proc/self/environ|telegram desktop|tdata)`)
	// Places whose content runs at login or on a schedule.
	persistPathRe = regexp.MustCompile(`(?i)(\.bashrc|\.bash_profile|\.zshrc|\.profile$|/etc/profile|crontab|/etc/cron|/var/spool/cron|launchagents|launchdaemons|\\start menu\\programs\\startup|/autostart/|\.config/systemd|/etc/systemd|/etc/rc\.local|/etc/init\.d|currentversion\\run)`)
	// Hosts that exist to receive data or serve payloads anonymously.
	shadyHostRe     = regexp.MustCompile(`(?i)(discord(app)?\.com/api/webhooks|api\.telegram\.org/bot|hooks\.slack\.com|webhook\.site|pipedream\.net|requestbin|burpcollaborator|oastify\.com|interact\.sh|oast\.(fun|pro|live|site|online|me)|ngrok(-free)?\.(io|app)|transfer\.sh|pastebin\.com|paste\.ee|ghostbin|anonfiles|file\.io|bit\.ly|tinyurl|\.onion\b|https?://(\d{1,3}\.){3}\d{1,3})`)
	shellDownloadRe = regexp.MustCompile(`(?i)((curl|wget)\b[^|;&\n]{0,200}\|\s*(ba|z|da)?sh\b|(curl|wget)\b[^\n]{0,200}(&&|;)\s*(chmod\s+\+x|(ba)?sh\s|\./)|powershell[^\n]{0,80}(-e(nc|ncodedcommand)?\s|downloadstring|iwr|invoke-webrequest)|invoke-expression|\biex\s*\(|certutil[^\n]{0,40}-urlcache|bitsadmin[^\n]{0,40}/transfer|mshta\s+https?:)`)
	injectionCmdRe  = regexp.MustCompile(`(?i)\b(rundll32|regsvr32)(\.exe)?\b`)
	sysinfoCmdRe    = regexp.MustCompile(`^\s*(whoami|hostname|id|uname(\s+-a)?|ifconfig|ipconfig(\s+/all)?|systeminfo|cat /etc/passwd)\s*$`)
)

// knownHost says a URL's host is package infrastructure or
// documentation, not somewhere data is sent.
func urlKnown(s string) bool {
	hosts := hosts(s)
	if len(hosts) == 0 {
		return false
	}
	for _, h := range hosts {
		if !knownHost(h) {
			return false
		}
	}
	return true
}

// decode decodes a known string the way the decoder named by api
// would, when it can; ok is false when it cannot.
func decode(api string, in cval, enc string) (string, bool) {
	if !in.known {
		return "", false
	}
	s := in.s
	switch {
	case strings.HasSuffix(api, "hex") || enc == "hex" || api == "binascii.unhexlify" || api == "binascii.a2b_hex" || api == "bytes.fromhex":
		b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
		return string(b), err == nil
	case strings.Contains(api, "zlib") || strings.Contains(api, "decompress") || strings.Contains(api, "inflate") || strings.Contains(api, "gunzip"):
		zr, err := zlib.NewReader(strings.NewReader(s))
		if err != nil {
			return "", false
		}
		b, err := io.ReadAll(io.LimitReader(zr, maxValueLen))
		return string(b), err == nil
	case api == "Buffer.from" && enc != "base64" && enc != "base64url":
		return s, true // utf8/latin1: the same text
	case api == "codecs.decode" && strings.EqualFold(enc, "rot13") || api == "codecs.decode" && strings.EqualFold(enc, "rot_13"):
		return rot13(s), true
	case api == "marshal.loads":
		return "", false
	}
	s = strings.TrimSpace(s)
	for _, e := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := e.DecodeString(s); err == nil {
			return string(b), true
		}
	}
	return "", false
}

func rot13(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = 'a' + (c-'a'+13)%26
		case c >= 'A' && c <= 'Z':
			b[i] = 'A' + (c-'A'+13)%26
		}
	}
	return string(b)
}

// fileAnalysis collects the findings of one file.
type fileAnalysis struct {
	file     string
	lang     string // "js" or "py"
	install  bool
	src      []byte
	findings map[string]*Finding // by rule and line
	// written maps file paths (as far as known) to what was written
	// into them, for write-then-execute.
	written map[string]cval
	// depth counts nested analyses of decoded code.
	depth int
	// budget is the number of nodes and tokens this file may still
	// visit; the analysis stops (and says so) when it runs out.
	budget int
	// exhausted is set when the budget ran out.
	exhausted bool
}

func newContentFileAnalysis(file, lang string, src []byte, install bool) *fileAnalysis {
	return &fileAnalysis{
		file: file, lang: lang, src: src, install: install,
		findings: map[string]*Finding{}, written: map[string]cval{},
		budget: nodeBudget(len(src)),
	}
}

// nodeBudget bounds the work on one file: a fixed number of
// expression visits per byte, so that a crafted file costs no more than
// a large ordinary one (see BenchmarkContentMinified).
func nodeBudget(n int) int { return 64*n + 100_000 }

func (a *fileAnalysis) spend(n int) bool {
	a.budget -= n
	if a.budget < 0 {
		a.exhausted = true
		return false
	}
	return true
}

// report records a finding once per rule and line.
func (a *fileAnalysis) report(rule, category string, line int, span, msg string, flow []string) {
	key := fmt.Sprintf("%s\x00%d", rule, line)
	if _, ok := a.findings[key]; ok {
		return
	}
	if len(a.findings) >= 200 {
		return
	}
	a.findings[key] = &Finding{
		Rule: rule, Category: category, File: a.file, Line: line, Span: quote(span),
		Flow: slices.Clone(flow), InstallTime: a.install, Message: msg,
	}
}

// sorted returns the findings in file order.
func (a *fileAnalysis) sorted() []Finding {
	out := make([]Finding, 0, len(a.findings))
	for _, f := range a.findings {
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Rule < out[j].Rule
	})
	return out
}

// callAPI applies the role of the API named ref to its arguments and
// returns the call's value. recv is the value the method was called on
// (for pass-through of unknown methods); line and span locate the call.
func (a *fileAnalysis) callAPI(ref string, args []cval, line int, span string, obf bool) cval {
	role := apiOf(ref)
	if obf && role != apiNone && role != apiEncode && role != apiPathJoin && role != apiFromCharCode {
		a.report("api-obfuscation", "runtime.obfuscation", line, span,
			fmt.Sprintf("calls %s through a computed name or an alias built from pieces", ref), nil)
	}
	all := cval{}
	for _, x := range args {
		all = all.join(x)
	}
	arg := func(i int) cval {
		if i < len(args) {
			return args[i]
		}
		return cunknown()
	}
	sink := fmt.Sprintf("%s (line %d)", ref, line)
	switch role {
	case apiEnvAll:
		return cval{s: unknownPart, taint: taintEnvAll, flow: []string{fmt.Sprintf("the whole environment (%s, line %d)", ref, line)}}
	case apiEnvGet:
		return a.envVar(arg(0), ref, line)
	case apiSysinfo:
		return cval{s: unknownPart}.withTaint(taintSysinfo, fmt.Sprintf("%s (line %d)", ref, line))
	case apiHome:
		return cstr("~")
	case apiCollect:
		a.report("collect-user-data", "runtime.collection", line, span, fmt.Sprintf("reads the clipboard, the screen or the keyboard (%s)", ref), nil)
		return cval{s: unknownPart}.withTaint(taintCollect, fmt.Sprintf("%s (line %d)", ref, line))
	case apiReadFile, apiOpen:
		p := arg(0)
		out := cval{s: unknownPart}
		writing := role == apiOpen && len(args) > 1 && args[1].known && strings.ContainsAny(args[1].s, "wax")
		if secretPathRe.MatchString(p.s) && !writing {
			out = out.withTaint(taintSecretFile, fmt.Sprintf("the file %s (line %d)", quote(p.s), line))
			a.report("read-sensitive-file", "filesystem.read", line, span, fmt.Sprintf("reads %s", quote(p.s)), nil)
		}
		if role == apiOpen {
			out.ref = "file:" + p.s
			if writing {
				out.ref = "wfile:" + p.s
			}
		}
		return out
	case apiWriteFile:
		a.wrote(arg(0), arg(1), line, span)
		out := cval{s: unknownPart}
		if ref == "fs.createWriteStream" {
			out.ref = "wfile:" + arg(0).s
		}
		return out
	case apiDownloadTo:
		data := cval{s: unknownPart}.withTaint(taintNet, fmt.Sprintf("downloaded by %s (line %d)", ref, line))
		a.netSink(ref, apiNetGet, args[:min(1, len(args))], line, span)
		a.wrote(arg(1), data, line, span)
		return cunknown()
	case apiChmod:
		if w, ok := a.writtenAt(arg(0)); ok && w.has(taintNet) {
			a.report("write-then-exec", "process.write-exec", line, span,
				fmt.Sprintf("makes the downloaded file %s executable", quote(arg(0).s)), append(slices.Clone(w.flow), sink))
		}
		return cunknown()
	case apiNet, apiNetGet, apiDNS:
		a.netSink(ref, role, args, line, span)
		out := cval{s: unknownPart, ref: ref + "()"}
		// Downloads from package infrastructure (the registry, GitHub
		// releases) are how installers fetch their binaries; they are
		// not followed as untrusted data.
		if role != apiDNS && !urlKnown(strings.Join(stringsOf(args), " ")) {
			out = out.withTaint(taintNet, fmt.Sprintf("downloaded by %s (line %d)", ref, line))
		}
		return out
	case apiEval:
		a.execSink(ref, role, args, line, span)
		return cunknown()
	case apiSpawn:
		a.execSink(ref, role, args, line, span)
		out := cunknown()
		if cmd := arg(0); cmd.known && sysinfoCmdRe.MatchString(cmd.s) {
			out = out.withTaint(taintSysinfo, fmt.Sprintf("the output of %q (line %d)", cmd.s, line))
		}
		return out
	case apiDecode:
		enc := ""
		if len(args) > 1 && args[1].known {
			enc = strings.ToLower(args[1].s)
		}
		if ref == "Buffer.from" && enc != "base64" && enc != "hex" && enc != "base64url" {
			return arg(0) // Buffer.from(string): the same data
		}
		out := arg(0)
		if s, ok := decode(ref, arg(0), enc); ok {
			out.s, out.known = s, true
		} else {
			out.s, out.known = unknownPart, false
		}
		return out.withTaint(taintDecoded, fmt.Sprintf("decoded by %s (line %d)", ref, line))
	case apiEncode:
		out := cval{s: unknownPart}.join(all)
		if len(args) == 1 && args[0].known && (ref == "String" || ref == "str" || ref == "bytes" || ref == "decodeURIComponent") {
			out.s, out.known = args[0].s, true
		}
		return out
	case apiImport:
		m := arg(0)
		if m.known {
			name := strings.TrimPrefix(m.s, "node:")
			v := cref(name)
			v.obf = obf || !args[0].known
			return v
		}
		if m.has(taintNet | taintDecoded) {
			a.execSink(ref, apiEval, args, line, span)
		}
		return cunknown()
	case apiFromCharCode:
		var b strings.Builder
		for _, x := range args {
			var c int
			if !x.num || func() bool { _, err := fmt.Sscan(x.s, &c); return err != nil }() || c < 0 || c > 0x10ffff {
				return cunknown().join(all)
			}
			b.WriteRune(rune(c))
		}
		out := cstr(b.String())
		if len(args) >= 8 {
			// Code spelled as character codes is hidden from text
			// search; a few codes (a separator) are not.
			out = out.withTaint(taintDecoded, fmt.Sprintf("built from character codes by %s (line %d)", ref, line))
		}
		return out
	case apiPathJoin:
		parts := make([]string, 0, len(args))
		known := true
		for _, x := range args {
			parts = append(parts, x.s)
			known = known && x.known
		}
		out := cval{s: strings.Join(parts, "/"), known: known}.join(all)
		return out
	case apiInjection:
		a.report("process-injection", "process.injection", line, span, fmt.Sprintf("writes into or starts a thread in another process (%s)", ref), nil)
		return cunknown()
	case apiRegistry:
		if persistPathRe.MatchString(all.s + " " + strings.Join(stringsOf(args), " ")) {
			a.report("persistence", "filesystem.autostart", line, span, "writes a Run key of the Windows registry", nil)
		}
		return cunknown()
	}
	return cval{s: unknownPart}
}

// joinStrings is the text of a list's elements, space-separated
// (a command line's arguments), bounded.
func joinStrings(el []cval) string {
	var b strings.Builder
	for i, e := range el {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(e.s)
		if b.Len() > 4096 {
			break
		}
	}
	return b.String()
}

func stringsOf(vs []cval) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.s
	}
	return out
}

func (a *fileAnalysis) envVar(name cval, ref string, line int) cval {
	if !name.known {
		return cval{s: unknownPart, taint: taintEnvAll, flow: []string{fmt.Sprintf("an environment variable chosen at run time (%s, line %d)", ref, line)}}
	}
	t := taintEnv
	if secretNameRe.MatchString(name.s) {
		t = taintEnvSecret
	}
	return cval{s: unknownPart}.withTaint(t, fmt.Sprintf("the environment variable %s (line %d)", name.s, line))
}

func (a *fileAnalysis) wrote(path, data cval, line int, span string) {
	if len(a.written) < 100 {
		a.written[path.s] = a.written[path.s].join(data)
	}
	if persistPathRe.MatchString(path.s) {
		a.report("persistence", "filesystem.autostart", line, span, fmt.Sprintf("writes %s, which runs at login or on a schedule", quote(path.s)), nil)
	}
	if strings.HasSuffix(strings.ToLower(path.s), ".dll") && data.has(taintNet|taintDecoded) {
		a.report("dll-drop", "process.injection", line, span, fmt.Sprintf("writes downloaded or decoded data to the library %s", quote(path.s)), data.flow)
	}
}

// writtenAt finds what was written to a path equal to, or named inside,
// the value p.
func (a *fileAnalysis) writtenAt(p cval) (cval, bool) {
	if w, ok := a.written[p.s]; ok {
		return w, true
	}
	for path, w := range a.written {
		if len(path) > 3 && path != unknownPart && strings.Contains(p.s, strings.Trim(path, unknownPart)) && strings.Trim(path, unknownPart) != "" {
			return w, true
		}
	}
	return cval{}, false
}

// netSink decides on data reaching the network.
func (a *fileAnalysis) netSink(ref string, role capi, args []cval, line int, span string) {
	all := cval{}
	for _, x := range args {
		all = all.join(x)
	}
	sink := fmt.Sprintf("%s (line %d)", ref, line)
	url := strings.Join(stringsOf(args), " ")
	known := urlKnown(url)
	if shadyHostRe.MatchString(url) {
		a.report("shady-link", "network.outbound", line, span, "contacts an address that exists to receive data or serve payloads anonymously", nil)
	}
	if a.install && !known {
		a.report("install-network", "network.outbound", line, span, fmt.Sprintf("makes a network call at install time (%s) to a host that is not package infrastructure", ref), nil)
	}
	what := ""
	switch {
	case all.has(taintEnvAll):
		what = "the whole environment"
	case all.has(taintSecretFile):
		what = "the content of a credential or system file"
	case all.has(taintCollect):
		what = "clipboard, screen or keyboard data"
	case all.has(taintEnvSecret) && !known && (a.install || role == apiDNS || shadyHostRe.MatchString(url)):
		// A library sending its own API key to its service is ordinary;
		// a credential leaving at install time, in a DNS name or to a
		// drop box is not.
		what = "a credential-named environment variable"
	case all.has(taintSysinfo) && (a.install || role == apiDNS) && !known:
		what = "host and user information"
	}
	if what == "" {
		return
	}
	if role == apiDNS && (len(args) == 0 || !dnsBuilt(args[0].s)) {
		// Resolving a host name the data is (the machine's own name) is
		// ordinary; data leaves through DNS only inside a name built
		// under a domain: f"{data}.attacker.example".
		return
	}
	rule := "env-exfiltration"
	switch {
	case role == apiDNS:
		rule = "dns-exfiltration"
	case all.has(taintSecretFile):
		rule = "file-exfiltration"
	case all.has(taintCollect):
		rule = "data-exfiltration"
	case !all.has(taintEnvAll | taintEnvSecret):
		rule = "sysinfo-exfiltration"
	}
	cat := Category(rule)
	a.report(rule, cat, line, span, fmt.Sprintf("sends %s over the network with %s", what, ref), append(slices.Clone(all.flow), sink))
}

// dnsBuilt says a resolved name is built from unknown data under
// a constant domain ("….probe.example").
func dnsBuilt(s string) bool {
	i := strings.LastIndex(s, unknownPart)
	if i < 0 {
		return false
	}
	rest := s[i+len(unknownPart):]
	return strings.Count(rest, ".") >= 2 || strings.HasPrefix(rest, ".") && strings.Count(rest, ".") >= 1 && len(rest) > 4
}

// execSink decides on data reaching code execution.
func (a *fileAnalysis) execSink(ref string, role capi, args []cval, line int, span string) {
	all := cval{}
	for _, x := range args {
		all = all.join(x)
	}
	sink := fmt.Sprintf("%s (line %d)", ref, line)
	cmd := strings.Join(stringsOf(args), " ")
	switch {
	case all.has(taintNet):
		a.report("exec-downloaded", "process.download-exec", line, span, fmt.Sprintf("runs downloaded data with %s", ref), append(slices.Clone(all.flow), sink))
	case all.has(taintDecoded):
		a.report("exec-decoded", "runtime.obfuscation", line, span, fmt.Sprintf("runs decoded data with %s", ref), append(slices.Clone(all.flow), sink))
	}
	if role == apiSpawn {
		if shellDownloadRe.MatchString(cmd) {
			a.report("shell-download-exec", "process.download-exec", line, span, fmt.Sprintf("runs a shell command that downloads and runs a program: %q", quote(cmd)), []string{sink})
		}
		if injectionCmdRe.MatchString(cmd) {
			a.report("process-injection", "process.injection", line, span, fmt.Sprintf("loads a library with %q", quote(cmd)), []string{sink})
		}
		if persistPathRe.MatchString(cmd) || strings.Contains(cmd, "schtasks") || strings.Contains(cmd, "launchctl load") {
			a.report("persistence", "filesystem.autostart", line, span, fmt.Sprintf("installs something that runs at login or on a schedule: %q", quote(cmd)), []string{sink})
		}
		for _, x := range args {
			if w, ok := a.writtenAt(x); ok && w.has(taintNet|taintDecoded) {
				a.report("write-then-exec", "process.write-exec", line, span, fmt.Sprintf("runs the file %s, written from downloaded or decoded data", quote(x.s)), append(slices.Clone(w.flow), sink))
			}
		}
		if a.install {
			a.report("install-spawn", "process.spawn", line, span, fmt.Sprintf("starts a process at install time (%s)", ref), nil)
		}
	}
	local := false
	for _, x := range args {
		local = local || strings.HasPrefix(x.ref, "filedata:")
	}
	if role == apiEval && a.install && !all.known && all.taint&(taintNet|taintDecoded) == 0 && !local {
		a.report("install-dynamic-eval", "runtime.eval", line, span, fmt.Sprintf("evaluates code built at run time with %s at install time", ref), nil)
	}
}

// methodOnObject handles methods of values an API returned: req.write,
// socket.send, stream.write.
func (j *fileAnalysis) methodOnObject(callee cval, args []cval, line int, span string) cval {
	ref := callee.ref
	dot := strings.LastIndex(ref, ".")
	obj, m := ref[:dot], ref[dot+1:]
	if strings.HasPrefix(obj, "file:") || strings.HasPrefix(obj, "wfile:") {
		p := strings.TrimPrefix(strings.TrimPrefix(obj, "w"), "file:")
		if m == "read" || m == "readlines" || m == "read_text" || m == "read_bytes" {
			out := cval{s: unknownPart, ref: "filedata:" + p}
			if w, ok := j.writtenAt(cstr(p)); ok {
				out = out.join(w)
			}
			if secretPathRe.MatchString(p) {
				out = out.withTaint(taintSecretFile, fmt.Sprintf("the file %s (line %d)", quote(p), line))
			}
			return out
		}
	}
	if strings.HasPrefix(obj, "wfile:") {
		if m == "write" || m == "end" || m == "writelines" {
			if len(args) > 0 {
				j.wrote(cstr(strings.TrimPrefix(obj, "wfile:")), args[0], line, span)
			}
		}
		return cunknown()
	}
	api := strings.TrimSuffix(obj, "()")
	if i := strings.Index(api, "()"); i >= 0 {
		api = api[:i]
	}
	switch apiOf(api) {
	case apiNet, apiNetGet, apiDNS:
		switch m {
		case "write", "end", "send", "sendall", "sendto", "connect", "post", "put", "get", "request", "setHeader",
			"sendmail", "send_message", "emit", "execute", "sendMail":
			j.netSink(api+"."+m, apiOf(api), args, line, span)
		}
		if m == "pipe" && len(args) > 0 && strings.HasPrefix(args[0].ref, "wfile:") {
			j.wrote(cstr(strings.TrimPrefix(args[0].ref, "wfile:")), callee, line, span)
		}
		// The object's methods return what the object carries (a
		// response from an unknown host is downloaded data).
		out := cval{s: unknownPart, ref: obj}.join(callee)
		return out
	}
	return cunknown()
}

// contentObfuscationText looks at a file's bytes for marks of
// obfuscation no parser needs to see: bidirectional control characters,
// invisible identifiers, packers and long lines.
func (a *fileAnalysis) obfuscationText() {
	src := a.src
	line := 1
	lineStart := 0
	longest := 0
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\n' {
			longest = max(longest, i-lineStart)
			line++
			lineStart = i + 1
			continue
		}
		if c < 0x80 || c != 0xe1 && c != 0xe2 && c != 0xe3 && c != 0xef {
			continue
		}
		r, _ := decodeRuneAt(src, i)
		switch {
		case r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069:
			a.report("bidi-characters", "runtime.obfuscation", line, lineText(src, i), fmt.Sprintf("has the bidirectional control character U+%04X, which makes code read differently from how it runs", r), nil)
		case r == 0x3164 || r == 0xffa0 || r == 0x115f || r == 0x1160:
			a.report("invisible-characters", "runtime.obfuscation", line, lineText(src, i), fmt.Sprintf("has the invisible character U+%04X", r), nil)
		}
	}
	longest = max(longest, len(src)-lineStart)
	text := src
	if bytes.Contains(text, []byte("eval(function(p,a,c,k,e,")) {
		i := bytes.Index(text, []byte("eval(function(p,a,c,k,e,"))
		a.report("packed-eval", "runtime.obfuscation", lineAt(string(text), i), lineText(src, i), "is packed with Dean Edwards' packer (eval(function(p,a,c,k,e,…)", nil)
	}
	if n := countIf(bytes.Contains(text, []byte("_0x")), obfuscatedRe, string(text), 200); n >= 50 {
		a.report("obfuscator-identifiers", "runtime.obfuscation", 0, "", fmt.Sprintf("has %d or more _0x… identifiers, the mark of javascript-obfuscator", n), nil)
	}
	if len(src) > 20_000 && longest > 5_000 && float64(longest) > 0.5*float64(len(src)) {
		a.report("minified", "code.minified", 0, "", fmt.Sprintf("is minified or packed (a %d-byte line in %d bytes)", longest, len(src)), nil)
	}
}

func decodeRuneAt(b []byte, i int) (rune, int) {
	if i+2 < len(b) && b[i]&0xf0 == 0xe0 {
		return rune(b[i]&0x0f)<<12 | rune(b[i+1]&0x3f)<<6 | rune(b[i+2]&0x3f), 3
	}
	return rune(b[i]), 1
}

// lineText returns the line of src holding offset i.
func lineText(src []byte, i int) string {
	s := bytes.LastIndexByte(src[:i], '\n') + 1
	e := bytes.IndexByte(src[i:], '\n')
	if e < 0 {
		e = len(src) - i
	}
	end := i + e
	if end-s > 400 {
		s = max(s, i-100)
		end = min(end, i+200)
	}
	return string(src[s:end])
}
