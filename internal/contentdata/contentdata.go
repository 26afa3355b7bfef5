// Package contentdata holds the labelled packages that calibrate and
// evaluate risk's content analysis: the samples written from real
// reports (risk/testdata/content/samples), the manifests of real benign
// packages (risk/testdata/content/benign-*.tsv) and the feature rows
// computed from them (risk/testdata/content/features-real.tsv).
package contentdata

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Sample is one labelled package of the sample set.
type Sample struct {
	Name      string `json:"name"`
	Ecosystem string `json:"ecosystem"` // "npm", "PyPI", "Go" or "RubyGems"
	Label     string `json:"label"`     // "malicious" or "benign"
	// Rule is the content rule a malicious sample must raise.
	Rule string `json:"rule"`
	// Source is the report the behaviour is taken from (malicious) or
	// what the benign sample imitates.
	Source string `json:"source"`
}

// Dir returns risk/testdata/content under a repository root.
func Dir(root string) string { return filepath.Join(root, "risk", "testdata", "content") }

// LoadSamples reads samples.json in dir.
func LoadSamples(dir string) ([]Sample, error) {
	b, err := os.ReadFile(filepath.Join(dir, "samples.json"))
	if err != nil {
		return nil, fmt.Errorf("contentdata: %w", err)
	}
	var out []Sample
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("contentdata: samples.json: %w", err)
	}
	return out, nil
}

// Pack packs a sample's directory (dir/samples/NAME) as its ecosystem
// ships it: an npm tarball (package/…) or an sdist (NAME-0.1.0/…). It
// returns the archive's file name and bytes; the same files give the
// same bytes.
func Pack(dir string, s Sample) (string, []byte, error) {
	root := filepath.Join(dir, "samples", s.Name)
	top, file := "package/", s.Name+"-1.0.0.tgz"
	switch s.Ecosystem {
	case "PyPI":
		top, file = s.Name+"-0.1.0/", s.Name+"-0.1.0.tar.gz"
	case "Go":
		top, file = "example.com/"+s.Name+"@v1.0.0/", s.Name+"-v1.0.0.zip"
	case "RubyGems":
		top, file = "", s.Name+"-1.0.0.gem"
	}
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		files[top+filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		return "", nil, fmt.Errorf("contentdata: pack %s: %w", s.Name, err)
	}
	var b []byte
	switch s.Ecosystem {
	case "Go":
		b, err = Zip(files)
	case "RubyGems":
		// The sample's gemspec.yml is the gem's specification.
		spec := files["gemspec.yml"]
		delete(files, "gemspec.yml")
		b, err = Gem(spec, files)
	default:
		b, err = TarGz(files)
	}
	if err != nil {
		return "", nil, fmt.Errorf("contentdata: pack %s: %w", s.Name, err)
	}
	return file, b, nil
}

// Zip writes files (path → content) as a zip in path order, the layout
// of a Go module zip when the paths start with module@version/.
func Zip(files map[string][]byte) ([]byte, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(files[n]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Gem writes a RubyGems .gem: a tar of metadata.gz (the gzipped
// specification YAML) and data.tar.gz (files).
func Gem(spec []byte, files map[string][]byte) ([]byte, error) {
	data, err := TarGz(files)
	if err != nil {
		return nil, err
	}
	var meta bytes.Buffer
	zw := gzip.NewWriter(&meta)
	if _, err := zw.Write(spec); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range []struct {
		name string
		b    []byte
	}{{"metadata.gz", meta.Bytes()}, {"data.tar.gz", data}} {
		if err := tw.WriteHeader(&tar.Header{Name: e.name, Mode: 0o444, Size: int64(len(e.b)), Typeflag: tar.TypeReg}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.b); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// TarGz writes files (path → content) as a .tar.gz in path order.
func TarGz(files map[string][]byte) ([]byte, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, n := range names {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(files[n]); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// HeldOut says whether a package belongs to the held-out split: one in
// five by a hash of its ecosystem and name, so that the split never
// depends on the order or the number of rows.
func HeldOut(ecosystem, name string) bool {
	h := fnv.New32a()
	io.WriteString(h, ecosystem+"/"+name)
	return h.Sum32()%5 == 0
}

// Row is one package's content features, as the training reads them.
type Row struct {
	Ecosystem string
	Name      string
	Version   string
	Label     string // "malicious" or "benign"
	// Origin says where the package came from: "sample", "npm-top",
	// "debian".
	Origin string
	// Rules are the content rules the package raised, sorted.
	Rules []string
}

const featuresHeader = "ecosystem\tname\tversion\tlabel\torigin\trules"

// WriteRows writes rows as TSV, sorted by ecosystem and name.
func WriteRows(w io.Writer, rows []Row) error {
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Ecosystem != rows[j].Ecosystem {
			return rows[i].Ecosystem < rows[j].Ecosystem
		}
		return rows[i].Name < rows[j].Name
	})
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, featuresHeader)
	for _, r := range rows {
		fmt.Fprintf(bw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Ecosystem, r.Name, r.Version, r.Label, r.Origin, strings.Join(r.Rules, ","))
	}
	return bw.Flush()
}

// ReadRows reads what WriteRows wrote.
func ReadRows(r io.Reader) ([]Row, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var out []Row
	line := 0
	for sc.Scan() {
		line++
		if line == 1 {
			if sc.Text() != featuresHeader {
				return nil, fmt.Errorf("contentdata: features line 1: header %q, want %q", sc.Text(), featuresHeader)
			}
			continue
		}
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 6 {
			return nil, fmt.Errorf("contentdata: features line %d: %d fields, want 6", line, len(f))
		}
		if f[3] != "malicious" && f[3] != "benign" {
			return nil, fmt.Errorf("contentdata: features line %d: label %q", line, f[3])
		}
		row := Row{Ecosystem: f[0], Name: f[1], Version: f[2], Label: f[3], Origin: f[4]}
		if f[5] != "" {
			row.Rules = strings.Split(f[5], ",")
		}
		out = append(out, row)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("contentdata: features: %w", err)
	}
	return out, nil
}
