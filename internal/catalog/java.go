package catalog

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"sync/atomic"

	"github.com/chaingate/chaingate/internal/imagefs"
)

// maxPomProperties bounds one pom.properties file.
const maxPomProperties = 64 << 10

// maxJarEntries bounds the entries of one archive looked at.
const maxJarEntries = 200000

// Maven is a Maven artifact found in a Java archive.
type Maven struct {
	GroupID, ArtifactID, Version string
	// Path is where in the archive it was found, nested archives joined
	// with "!/" ("BOOT-INF/lib/x.jar!/META-INF/maven/g/a/pom.properties").
	Path string
}

// Inflate bounds the bytes the Java cataloguer decompresses: per
// archive (a jar and the archives nested in it) and per image (all
// archives of all layers), so a jar whose central directory points many
// entries at one large deflated nested jar (a zip bomb) costs at most
// the archive budget. It also carries the context, checked per entry.
type Inflate struct {
	ctx context.Context
	// archive is what one archive may still decompress.
	archive int64
	// image, shared by every archive of an image, counts what was
	// decompressed; imageLimit bounds it.
	image      *atomic.Int64
	imageLimit int64
}

// Java decompression budgets, in multiples of the file limit
// (WithMaxFileSize): 4 per archive, 16 per image (1 GiB and 4 GiB with
// the default limit).
const (
	jarArchiveFactor = 4
	jarImageFactor   = 16
)

// NewInflate is a fresh per-archive budget sharing the image's.
func NewInflate(ctx context.Context, maxFile int64, image *atomic.Int64) *Inflate {
	return &Inflate{ctx: ctx, archive: jarArchiveFactor * maxFile, image: image, imageLimit: jarImageFactor * maxFile}
}

// charge takes n decompressed bytes from the budgets.
func (b *Inflate) charge(n int64) error {
	b.archive -= n
	if b.archive < 0 {
		return fmt.Errorf("%w: decompressing more than %d bytes from one archive (%d x WithMaxFileSize)", imagefs.ErrTooLarge, jarArchiveFactor*(b.imageLimit/jarImageFactor), jarArchiveFactor)
	}
	if b.image.Add(n) > b.imageLimit {
		return fmt.Errorf("%w: decompressing more than %d bytes from the image's Java archives (%d x WithMaxFileSize)", imagefs.ErrTooLarge, b.imageLimit, jarImageFactor)
	}
	return nil
}

// ScanJar lists the Maven artifacts whose META-INF/maven/<g>/<a>/
// pom.properties a Java archive (jar, war, ear) holds, descending one
// level into archives nested in it (Spring Boot BOOT-INF/lib, WEB-INF/lib)
// that are at most maxNested bytes uncompressed. Every decompressed byte
// is charged to budget and the context is checked before each entry: when
// either ends, the artifacts found so far are returned with the error.
func ScanJar(data []byte, name string, maxNested int64, depth int, budget *Inflate) ([]Maven, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("sbom: java archive %s: %w", name, err)
	}
	if len(zr.File) > maxJarEntries {
		return nil, fmt.Errorf("sbom: java archive %s: %d entries: %w (limit %d)", name, len(zr.File), imagefs.ErrTooLarge, maxJarEntries)
	}
	var out []Maven
	// Nested archives already read, by where their data starts: central
	// directory entries sharing data (the overlapping-entry zip bomb) are
	// read once.
	seen := map[int64]bool{}
	for _, f := range zr.File {
		if err := budget.ctx.Err(); err != nil {
			return out, err
		}
		switch {
		case strings.HasPrefix(f.Name, "META-INF/maven/") && path.Base(f.Name) == "pom.properties":
			b, err := zipRead(f, maxPomProperties, budget)
			if err != nil {
				return out, fmt.Errorf("sbom: java archive %s: %s: %w", name, f.Name, err)
			}
			p := parseProperties(b)
			m := Maven{GroupID: p["groupId"], ArtifactID: p["artifactId"], Version: p["version"], Path: f.Name}
			if m.GroupID == "" || m.ArtifactID == "" || m.Version == "" {
				continue // an incomplete descriptor identifies nothing
			}
			out = append(out, m)
		case depth == 0 && IsJavaArchive(f.Name) && int64(f.UncompressedSize64) <= maxNested:
			off, err := f.DataOffset()
			if err != nil {
				return out, fmt.Errorf("sbom: java archive %s: %s: %w", name, f.Name, err)
			}
			if seen[off] {
				continue // the same bytes as a nested archive already read
			}
			seen[off] = true
			b, err := zipRead(f, maxNested, budget)
			if err != nil {
				return out, fmt.Errorf("sbom: java archive %s: %s: %w", name, f.Name, err)
			}
			inner, err := ScanJar(b, name+"!/"+f.Name, maxNested, depth+1, budget)
			for i := range inner {
				inner[i].Path = f.Name + "!/" + inner[i].Path
			}
			out = append(out, inner...)
			if err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// IsJavaArchive reports whether p names a Java archive by its extension
// (.jar, .war, .ear and Jenkins' .jpi and .hpi).
func IsJavaArchive(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".jar", ".war", ".ear", ".jpi", ".hpi":
		return true
	}
	return false
}

// zipRead reads one zip member of at most limit uncompressed bytes,
// charging what it decompresses to budget.
func zipRead(f *zip.File, limit int64, budget *Inflate) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("%d bytes: %w (limit %d)", f.UncompressedSize64, imagefs.ErrTooLarge, limit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	// The declared size may lie; it only sizes the buffer (grown like
	// io.ReadAll's when the data is longer, up to limit+1).
	b := make([]byte, 0, min(int64(f.UncompressedSize64), limit)+1)
	r := &budgetReader{r: io.LimitReader(rc, limit+1), b: budget}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("more than %d bytes: %w", limit, imagefs.ErrTooLarge)
	}
	return b, nil
}

// budgetReader charges what it reads to a Inflate and stops when
// the budget or the context ends.
type budgetReader struct {
	r io.Reader
	b *Inflate
}

// Read implements io.Reader.
func (c *budgetReader) Read(p []byte) (int, error) {
	if err := c.b.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	if berr := c.b.charge(int64(n)); berr != nil {
		return n, berr
	}
	return n, err
}

// parseProperties reads a Java .properties file's simple "key=value"
// and "key: value" lines (what Maven writes in pom.properties); comments
// (# and !) and blank lines are skipped.
func parseProperties(b []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 1024), maxPomProperties+1)
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
