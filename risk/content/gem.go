package content

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A .gem is a plain tar holding metadata.gz (the gzipped YAML of the
// Gem::Specification), data.tar.gz (the gem's files) and
// checksums.yaml.gz. RubyGems runs a gem's extensions (extconf.rb,
// mkrf_conf.rb, a Rakefile) at install, loads its rubygems_plugin.rb
// into every gem command, and runs the code at the top level of its
// lib/ files when a program requires them.

// maxGemMetadata bounds the decompressed gem specification.
const maxGemMetadata = 4 << 20

// gemSpec is the part of a Gem::Specification the analysis reads. The
// YAML's Ruby tags (!ruby/object:Gem::Specification) are ignored by the
// decoder on mappings.
type gemSpec struct {
	Name    string `yaml:"name"`
	Version struct {
		Version string `yaml:"version"`
	} `yaml:"version"`
	Extensions   []string `yaml:"extensions"`
	RequirePaths []string `yaml:"require_paths"`
}

// isGem says data is a .gem: a tar whose first entry is one of
// the three a gem holds.
func isGem(name string, data []byte) bool {
	if strings.HasSuffix(strings.ToLower(name), ".gem") {
		return true
	}
	for _, n := range []string{"metadata.gz\x00", "data.tar.gz\x00", "checksums.yaml.gz\x00"} {
		if bytes.HasPrefix(data, []byte(n)) {
			return true
		}
	}
	return false
}

// scanGemArchive scans data as a .gem when it is one (ok).
func scanGemArchive(ctx context.Context, name string, data []byte) (rep *Report, ok bool, err error) {
	if !isGem(name, data) {
		return nil, false, nil
	}
	rep, err = readGem(ctx, name, data)
	if err != nil {
		return nil, true, fmt.Errorf("risk: scan gem %s: %w", name, err)
	}
	return rep, true, nil
}

func readGem(ctx context.Context, name string, data []byte) (*Report, error) {
	tr := tar.NewReader(&limitReader{ctx: ctx, r: bytes.NewReader(data), left: maxStreamBytes})
	var meta, inner []byte
	for entries := 0; ; entries++ {
		if entries > 16 {
			return nil, fmt.Errorf("more than 16 entries in the outer tar; a gem has 3")
		}
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("gem tar entry %d: %w", entries+1, err)
		}
		switch h.Name {
		case "metadata.gz":
			zr, err := gzip.NewReader(tr)
			if err != nil {
				return nil, fmt.Errorf("metadata.gz: %w", err)
			}
			meta, err = io.ReadAll(io.LimitReader(zr, maxGemMetadata+1))
			if err != nil {
				return nil, fmt.Errorf("metadata.gz: %w", err)
			}
			if len(meta) > maxGemMetadata {
				return nil, fmt.Errorf("%w: metadata.gz over %d bytes decompressed", ErrTooLarge, maxGemMetadata)
			}
		case "data.tar.gz":
			if h.Size > maxArchiveBytes {
				return nil, fmt.Errorf("%w: data.tar.gz of %d bytes", ErrTooLarge, h.Size)
			}
			inner, err = io.ReadAll(tr)
			if err != nil {
				return nil, fmt.Errorf("data.tar.gz: %w", err)
			}
		}
	}
	if meta == nil {
		return nil, fmt.Errorf("no metadata.gz: not a gem")
	}
	if inner == nil {
		return nil, fmt.Errorf("no data.tar.gz: not a gem")
	}
	var spec gemSpec
	if err := yaml.Unmarshal(meta, &spec); err != nil {
		return nil, fmt.Errorf("metadata.gz: gem specification: %w", err)
	}
	if spec.Name == "" {
		return nil, fmt.Errorf("metadata.gz: gem specification without a name")
	}
	files, skipped, err := readTarGz(ctx, inner)
	if err != nil {
		return nil, fmt.Errorf("data.tar.gz: %w", err)
	}
	rep := &Report{Schema: Schema, Source: name, Ecosystem: "RubyGems", Format: "gem",
		Name: spec.Name, Version: spec.Version.Version, Skipped: skipped}
	a := &analysis{rep: rep, install: map[string]string{}}
	a.gemManifest(spec, files)
	if err := a.analyseFiles(ctx, files); err != nil {
		return nil, err
	}
	return rep, nil
}

// gemManifest marks the files RubyGems runs at install (extensions, the
// Rakefile an extension names, rubygems_plugin.rb) and those a require
// loads, and records the hooks.
func (a *analysis) gemManifest(spec gemSpec, files []file) {
	reqPaths := spec.RequirePaths
	if len(reqPaths) == 0 {
		reqPaths = []string{"lib"}
	}
	for _, e := range spec.Extensions {
		e = cleanPath(e)
		a.install[e] = "gem extension, run at install"
		a.rep.InstallHooks = append(a.rep.InstallHooks, "extensions: "+e)
		// An extension is how every native gem builds, as a Go init is
		// how packages register themselves: it is listed as a hook, and
		// what its code does is judged, not that it exists. (An npm
		// lifecycle script is rarer among benign packages and is a
		// finding.)
		if find(files, e) == nil {
			a.rep.Skipped = append(a.rep.Skipped, e+" (an extension the specification lists, not in the gem)")
		}
		// An extension's directory holds the code extconf.rb loads.
		dir := path.Dir(e)
		for _, f := range files {
			if path.Dir(f.name) == dir && strings.HasSuffix(f.name, ".rb") {
				if _, ok := a.install[f.name]; !ok {
					a.install[f.name] = "in the directory of the extension " + e
				}
			}
		}
	}
	for _, f := range files {
		if !strings.HasSuffix(f.name, ".rb") {
			continue
		}
		if _, ok := a.install[f.name]; ok {
			continue
		}
		for _, rp := range reqPaths {
			rp = cleanPath(rp)
			if f.name == rp+"/rubygems_plugin.rb" {
				a.install[f.name] = "a RubyGems plugin, loaded by every gem command"
				a.rep.InstallHooks = append(a.rep.InstallHooks, "plugin: "+f.name)
				a.find(Finding{Rule: "install-script", File: f.name, Message: "is a RubyGems plugin, loaded by every gem command, install included", InstallTime: true})
			} else if strings.HasPrefix(f.name, rp+"/") {
				a.install[f.name] = "loaded at require (top-level code)"
			}
		}
		if bytes.Contains(f.data, []byte("Gem.post_install")) || bytes.Contains(f.data, []byte("Gem.pre_install")) || bytes.Contains(f.data, []byte("Gem.done_installing")) {
			a.rep.InstallHooks = append(a.rep.InstallHooks, "Gem install hook: "+f.name)
		}
	}
}

// goRubyLang returns the front end for a file of a Go module or
// a gem, "" for files neither runs.
func goRubyLang(eco, name string) string {
	switch eco {
	case "Go":
		if goCode(name) {
			return "go"
		}
	case "RubyGems":
		base := path.Base(name)
		if strings.HasSuffix(name, ".rb") || base == "Rakefile" || base == "rakefile" || base == "Rakefile.rb" {
			return "rb"
		}
	}
	return ""
}

// scanGoModule scans a module zip's files (under prefix,
// module@version/).
func scanGoModule(ctx context.Context, name, prefix string, files []file, skipped []string) (*Report, error) {
	mod, ver, _ := strings.Cut(strings.TrimSuffix(prefix, "/"), "@")
	out := make([]file, len(files))
	for i, f := range files {
		out[i] = file{name: strings.TrimPrefix(f.name, prefix), data: f.data}
	}
	rep := &Report{Schema: Schema, Source: name, Ecosystem: "Go", Format: "go-module-zip", Name: mod, Version: ver, Skipped: skipped}
	if err := analyse(ctx, rep, out); err != nil {
		return nil, fmt.Errorf("risk: scan package %s: %w", name, err)
	}
	return rep, nil
}
