// Command content-eval builds and measures the benign real-package set
// of risk's content analysis.
//
//	go run ./internal/cmd/content-eval manifest [-top 500]   # npm manifest from the workplace's download ranking
//	go run ./internal/cmd/content-eval download -cache DIR   # npm pack / apt-get download what the manifests name; fills in sha256
//	go run ./internal/cmd/content-eval scan -cache DIR       # scans them, writes features-real.tsv, prints the FPR
//
// The tarballs stay in the cache directory, out of the repository; the
// manifests (name, version, sha256) and the feature rows are kept in
// risk/testdata/content. Downloading uses the ecosystems' own clients
// (npm pack, apt-get download, dpkg-deb) and is the only step that needs
// the network.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/chaingate/chaingate/internal/contentdata"
	"github.com/chaingate/chaingate/risk/content"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: content-eval manifest|download|scan [flags]")
		os.Exit(2)
	}
	fsFlags := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	dir := fsFlags.String("dir", contentdata.Dir("."), "risk/testdata/content")
	cache := fsFlags.String("cache", filepath.Join(os.TempDir(), "chaingate-content-cache"), "where downloaded packages are kept")
	top := fsFlags.Int("top", 500, "manifest: how many npm packages, by monthly downloads")
	list := fsFlags.String("list", filepath.Join("..", ".library", "env", "packages", "npm.tsv"), "manifest: the npm download ranking (name, version, downloads_a_month)")
	fsFlags.Parse(os.Args[2:])
	var err error
	switch os.Args[1] {
	case "manifest":
		err = manifest(*list, *top, filepath.Join(*dir, "benign-npm.tsv"))
	case "download":
		err = download(*dir, *cache)
	case "scan":
		err = scan(*dir, *cache)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "content-eval:", err)
		os.Exit(1)
	}
}

// entry is a manifest row.
type entry struct {
	name, version, sha256, note string
}

const manifestHeader = "name\tversion\tsha256\tnote"

func readManifest(path string) ([]entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []entry
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if n == 1 || strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		p := strings.Split(sc.Text(), "\t")
		if len(p) != 4 {
			return nil, fmt.Errorf("%s line %d: %d fields, want 4", path, n, len(p))
		}
		out = append(out, entry{p[0], p[1], p[2], p[3]})
	}
	return out, sc.Err()
}

func writeManifest(path string, es []entry) error {
	var b bytes.Buffer
	b.WriteString(manifestHeader + "\n")
	for _, e := range es {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", e.name, e.version, e.sha256, e.note)
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// manifest ranks the npm list by monthly downloads.
func manifest(list string, top int, out string) error {
	f, err := os.Open(list)
	if err != nil {
		return err
	}
	defer f.Close()
	type row struct {
		name, version string
		dl            int64
	}
	var rows []row
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		p := strings.SplitN(sc.Text(), "\t", 4)
		if n == 1 || len(p) < 3 {
			continue
		}
		d, err := strconv.ParseInt(p[2], 10, 64)
		if err != nil || p[1] == "" {
			continue
		}
		rows = append(rows, row{p[0], p[1], d})
	}
	if err := sc.Err(); err != nil {
		return err
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].dl != rows[j].dl {
			return rows[i].dl > rows[j].dl
		}
		return rows[i].name < rows[j].name
	})
	old, _ := readManifest(out)
	sums := map[string]string{}
	for _, e := range old {
		sums[e.name+"@"+e.version] = e.sha256
	}
	var es []entry
	in := map[string]bool{}
	for i, r := range rows {
		if i >= top {
			break
		}
		in[r.name] = true
		es = append(es, entry{r.name, r.version, sums[r.name+"@"+r.version], fmt.Sprintf("rank %d, %d downloads a month", i+1, r.dl)})
	}
	// Curated rows (popular packages with install scripts, which the
	// top of the ranking has few of) are kept.
	for _, e := range old {
		if strings.HasPrefix(e.note, "curated:") && !in[e.name] {
			es = append(es, e)
		}
	}
	return writeManifest(out, es)
}

func npmFile(name, version string) string {
	return strings.ReplaceAll(strings.TrimPrefix(name, "@"), "/", "-") + "-" + version + ".tgz"
}

func sum(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:]), nil
}

// download fetches what the manifests name and records their sha256.
func download(dir, cache string) error {
	npmDir := filepath.Join(cache, "npm")
	if err := os.MkdirAll(npmDir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(dir, "benign-npm.tsv")
	es, err := readManifest(path)
	if err != nil {
		return err
	}
	var missing []string
	for _, e := range es {
		if _, err := os.Stat(filepath.Join(npmDir, npmFile(e.name, e.version))); err != nil {
			missing = append(missing, e.name+"@"+e.version)
		}
	}
	for i := 0; i < len(missing); i += 25 {
		batch := missing[i:min(i+25, len(missing))]
		cmd := exec.Command("npm", append([]string{"pack", "--silent", "--ignore-scripts", "--pack-destination", npmDir}, batch...)...)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			// One unpublished version fails the batch: retry one by one.
			for _, spec := range batch {
				c := exec.Command("npm", "pack", "--silent", "--ignore-scripts", "--pack-destination", npmDir, spec)
				if err := c.Run(); err != nil {
					fmt.Fprintf(os.Stderr, "npm pack %s: %v (left out)\n", spec, err)
				}
			}
		}
		fmt.Fprintf(os.Stderr, "npm: %d/%d\n", min(i+25, len(missing)), len(missing))
	}
	for i, e := range es {
		s, err := sum(filepath.Join(npmDir, npmFile(e.name, e.version)))
		if err != nil {
			continue
		}
		if e.sha256 != "" && e.sha256 != s {
			return fmt.Errorf("%s@%s: sha256 %s, manifest says %s", e.name, e.version, s, e.sha256)
		}
		es[i].sha256 = s
	}
	if err := writeManifest(path, es); err != nil {
		return err
	}
	return downloadDebian(dir, cache)
}

// downloadDebian fetches the Debian packages of benign-debian.tsv and
// repacks their Python files as sdist-shaped tarballs
// (NAME-VERSION/PKG-INFO and the modules), which ScanPackageArchive
// reads as PyPI content.
func downloadDebian(dir, cache string) error {
	path := filepath.Join(dir, "benign-debian.tsv")
	es, err := readManifest(path)
	if err != nil {
		return err
	}
	debDir := filepath.Join(cache, "deb")
	if err := os.MkdirAll(debDir, 0o755); err != nil {
		return err
	}
	for i, e := range es {
		debs, _ := filepath.Glob(filepath.Join(debDir, e.name+"_*.deb"))
		if len(debs) == 0 {
			cmd := exec.Command("apt-get", "download", e.name)
			cmd.Dir = debDir
			if out, err := cmd.CombinedOutput(); err != nil {
				fmt.Fprintf(os.Stderr, "apt-get download %s: %v: %s (left out)\n", e.name, err, bytes.TrimSpace(out))
				continue
			}
			debs, _ = filepath.Glob(filepath.Join(debDir, e.name+"_*.deb"))
		}
		if len(debs) == 0 {
			continue
		}
		deb := debs[0]
		s, err := sum(deb)
		if err != nil {
			return err
		}
		version := strings.TrimSuffix(strings.SplitN(filepath.Base(deb), "_", 3)[1], ".deb")
		if e.sha256 != "" && (e.sha256 != s || e.version != version) {
			return fmt.Errorf("%s: %s sha256 %s, manifest says %s %s", e.name, version, s, e.version, e.sha256)
		}
		es[i].version, es[i].sha256 = version, s
		if err := repackDeb(deb, filepath.Join(cache, "debian", e.name+".tar.gz"), e.name, version); err != nil {
			return err
		}
	}
	return writeManifest(path, es)
}

func repackDeb(deb, out, name, version string) error {
	tmp, err := os.MkdirTemp("", "content-eval-deb-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if out, err := exec.Command("dpkg-deb", "-x", deb, tmp).CombinedOutput(); err != nil {
		return fmt.Errorf("dpkg-deb -x %s: %v: %s", deb, err, out)
	}
	top := name + "-" + version + "/"
	files := map[string][]byte{top + "PKG-INFO": []byte("Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n")}
	err = filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return err
		}
		if !strings.HasSuffix(p, ".py") && !strings.HasSuffix(p, ".pth") {
			return nil
		}
		rel, _ := filepath.Rel(tmp, p)
		i := strings.Index(rel, "-packages/")
		if i < 0 {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[top+rel[i+len("-packages/"):]] = b
		return nil
	})
	if err != nil {
		return err
	}
	b, err := contentdata.TarGz(files)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, b, 0o644)
}

// scan scans every downloaded package whose sha256 matches its manifest,
// writes the feature rows and prints the false-positive rate.
func scan(dir, cache string) error {
	var rows []contentdata.Row
	type flag struct {
		name  string
		score float64
		why   string
	}
	var flagged []flag
	var cpu time.Duration
	scanOne := func(eco, origin, name, version, file string) error {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		start := time.Now()
		rep, err := content.ScanPackageArchive(ctx, filepath.Base(file), f)
		cpu += time.Since(start)
		if err != nil {
			if errors.Is(err, content.ErrTooLarge) {
				fmt.Fprintf(os.Stderr, "%s: %v (left out)\n", name, err)
				return nil
			}
			return fmt.Errorf("%s: %w", name, err)
		}
		row := contentdata.Row{Ecosystem: eco, Name: name, Version: version, Label: "benign", Origin: origin}
		seen := map[string]bool{}
		for _, fd := range rep.Findings {
			if !seen[fd.Rule] {
				seen[fd.Rule] = true
				row.Rules = append(row.Rules, fd.Rule)
			}
		}
		sort.Strings(row.Rules)
		rows = append(rows, row)
		if rep.Malicious {
			why := ""
			if len(rep.Signals) > 0 {
				why = rep.Signals[0].Evidence[0]
			}
			flagged = append(flagged, flag{name, rep.Score, why})
		}
		return nil
	}
	for _, m := range []struct{ file, eco, origin string }{{"benign-npm.tsv", "npm", "npm-top"}, {"benign-debian.tsv", "PyPI", "debian"}} {
		es, err := readManifest(filepath.Join(dir, m.file))
		if err != nil {
			return err
		}
		for _, e := range es {
			if e.sha256 == "" {
				continue
			}
			src := filepath.Join(cache, "npm", npmFile(e.name, e.version))
			file := src
			if m.eco == "PyPI" {
				debs, _ := filepath.Glob(filepath.Join(cache, "deb", e.name+"_*.deb"))
				if len(debs) == 0 {
					continue
				}
				src, file = debs[0], filepath.Join(cache, "debian", e.name+".tar.gz")
			}
			s, err := sum(src)
			if err != nil {
				continue // not downloaded
			}
			if s != e.sha256 {
				return fmt.Errorf("%s: sha256 %s, manifest says %s", src, s, e.sha256)
			}
			if err := scanOne(m.eco, m.origin, e.name, e.version, file); err != nil {
				return err
			}
		}
	}
	var b bytes.Buffer
	if err := contentdata.WriteRows(&b, rows); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "features-real.tsv"), b.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("scanned %d benign packages in %v (%.1f ms each); flagged %d (FPR %.2f%%)\n", len(rows), cpu.Round(time.Millisecond),
		float64(cpu.Milliseconds())/float64(max(1, len(rows))), len(flagged), 100*float64(len(flagged))/float64(max(1, len(rows))))
	for _, f := range flagged {
		fmt.Printf("  flagged %s (%.3f): %s\n", f.name, f.score, f.why)
	}
	return nil
}
