package sbom

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"
)

// catMaxPomProperties bounds one pom.properties file.
const catMaxPomProperties = 64 << 10

// catMaxJarEntries bounds the entries of one archive looked at.
const catMaxJarEntries = 200000

// catMaven is a Maven artifact found in a Java archive.
type catMaven struct {
	GroupID, ArtifactID, Version string
	// Path is where in the archive it was found, nested archives joined
	// with "!/" ("BOOT-INF/lib/x.jar!/META-INF/maven/g/a/pom.properties").
	Path string
}

// catScanJar lists the Maven artifacts whose META-INF/maven/<g>/<a>/
// pom.properties a Java archive (jar, war, ear) holds, descending one
// level into archives nested in it (Spring Boot BOOT-INF/lib, WEB-INF/lib)
// that are at most maxNested bytes uncompressed.
func catScanJar(data []byte, name string, maxNested int64, depth int) ([]catMaven, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("sbom: java archive %s: %w", name, err)
	}
	if len(zr.File) > catMaxJarEntries {
		return nil, fmt.Errorf("sbom: java archive %s: %d entries: %w (limit %d)", name, len(zr.File), ErrImageTooLarge, catMaxJarEntries)
	}
	var out []catMaven
	for _, f := range zr.File {
		switch {
		case strings.HasPrefix(f.Name, "META-INF/maven/") && path.Base(f.Name) == "pom.properties":
			b, err := catZipRead(f, catMaxPomProperties)
			if err != nil {
				return nil, fmt.Errorf("sbom: java archive %s: %s: %w", name, f.Name, err)
			}
			p := catParseProperties(b)
			m := catMaven{GroupID: p["groupId"], ArtifactID: p["artifactId"], Version: p["version"], Path: f.Name}
			if m.GroupID == "" || m.ArtifactID == "" || m.Version == "" {
				continue // an incomplete descriptor identifies nothing
			}
			out = append(out, m)
		case depth == 0 && catIsJavaArchive(f.Name) && int64(f.UncompressedSize64) <= maxNested:
			b, err := catZipRead(f, maxNested)
			if err != nil {
				return nil, fmt.Errorf("sbom: java archive %s: %s: %w", name, f.Name, err)
			}
			inner, err := catScanJar(b, name+"!/"+f.Name, maxNested, depth+1)
			if err != nil {
				return nil, err
			}
			for i := range inner {
				inner[i].Path = f.Name + "!/" + inner[i].Path
			}
			out = append(out, inner...)
		}
	}
	return out, nil
}

func catIsJavaArchive(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".jar", ".war", ".ear", ".jpi", ".hpi":
		return true
	}
	return false
}

// catZipRead reads one zip member of at most limit uncompressed bytes.
func catZipRead(f *zip.File, limit int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("%d bytes: %w (limit %d)", f.UncompressedSize64, ErrImageTooLarge, limit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("more than %d bytes: %w", limit, ErrImageTooLarge)
	}
	return b, nil
}

// catParseProperties reads a Java .properties file's simple "key=value"
// and "key: value" lines (what Maven writes in pom.properties); comments
// (# and !) and blank lines are skipped.
func catParseProperties(b []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 1024), catMaxPomProperties+1)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || l[0] == '#' || l[0] == '!' {
			continue
		}
		i := strings.IndexAny(l, "=:")
		if i <= 0 {
			continue
		}
		out[strings.TrimSpace(l[:i])] = strings.TrimSpace(l[i+1:])
	}
	return out
}
