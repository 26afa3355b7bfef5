// Package catalogtest builds the inputs the cataloguers' tests share:
// Java archives (plain, nested, over a budget, with overlapping
// central-directory entries) generated in the test, and testdata files
// read with gzip undone. Both package catalog's parser tests and package
// sbom's FromImage tests use them, so they live here once.
package catalogtest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sort"
	"strings"
	"testing"
)

// Read returns the file at path, gunzipped when its name ends in ".gz";
// any error fails t.
func Read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// Jar builds a Spring-Boot-like jar: its own pom.properties and a
// nested library jar with another.
func Jar(t testing.TB) []byte {
	t.Helper()
	zipOf := func(files map[string]string) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		names := make([]string, 0, len(files))
		for n := range files {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			w, err := zw.Create(n)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write([]byte(files[n])); err != nil {
				t.Fatal(err)
			}
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	inner := zipOf(map[string]string{
		"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n",
		"META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties": "#Created by Apache Maven 3.8.1\n" +
			"version=2.14.1\ngroupId=org.apache.logging.log4j\nartifactId=log4j-core\n",
	})
	return zipOf(map[string]string{
		"META-INF/MANIFEST.MF":                           "Manifest-Version: 1.0\nMain-Class: org.springframework.boot.loader.JarLauncher\n",
		"META-INF/maven/com.example/demo/pom.properties": "groupId=com.example\nartifactId=demo\nversion=0.0.1-SNAPSHOT\n",
		"BOOT-INF/lib/log4j-core-2.14.1.jar":             string(inner),
	})
}

// Zip writes a zip of the entries (stored when an entry's Store is
// set, else deflated).
func Zip(t testing.TB, entries []ZipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		if e.Raw != nil {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: e.Name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(e.Data),
				CompressedSize64: uint64(len(e.Raw)), UncompressedSize64: uint64(len(e.Data))})
			if err == nil {
				_, err = w.Write(e.Raw)
			}
			if err != nil {
				t.Fatal(err)
			}
			continue
		}
		m := zip.Deflate
		if e.Store {
			m = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.Name, Method: m})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.Data); err != nil {
			t.Fatal(err)
		}
		if _, err := io.CopyN(w, Zeros{}, e.Zeros); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ZipEntry is one entry of Zip: Name holding Data then Zeros zero
// bytes, stored when Store is set, else deflated.
type ZipEntry struct {
	Name  string
	Data  []byte
	Zeros int64
	Store bool
	// Raw, when set, is Data deflated already (written with CreateRaw).
	Raw []byte
}

// Zeros reads zeros forever.
type Zeros struct{}

// Read implements io.Reader.
func (Zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// Deflated is data deflated once, to be written many times.
func Deflated(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestSpeed)
	fw.Write(data)
	fw.Close()
	return buf.Bytes()
}

// NestedJar is a valid jar of about size bytes: a pom.properties
// and stored padding.
func NestedJar(t testing.TB, size int64) []byte {
	return Zip(t, []ZipEntry{
		{Name: "META-INF/maven/org.example/inner/pom.properties", Data: []byte("groupId=org.example\nartifactId=inner\nversion=1.0\n")},
		{Name: "pad.bin", Zeros: size, Store: true},
	})
}

// OverlappingJar is issue 14 item 9's jar: one deflated nested
// jar and n central-directory entries all pointing at it.
func OverlappingJar(t testing.TB, nested []byte, n int) []byte {
	t.Helper()
	one := Zip(t, []ZipEntry{{Name: "BOOT-INF/lib/x.jar", Data: nested}})
	eocd := len(one) - 22
	if binary.LittleEndian.Uint32(one[eocd:]) != 0x06054b50 {
		t.Fatal("no end of central directory record")
	}
	cdOff := binary.LittleEndian.Uint32(one[eocd+16:])
	rec := one[cdOff:eocd]
	nameLen := int(binary.LittleEndian.Uint16(rec[28:]))
	out := bytes.NewBuffer(append([]byte(nil), one[:cdOff]...))
	for i := range n {
		name := fmt.Sprintf("BOOT-INF/lib/x%05d.jar", i)
		r := append([]byte(nil), rec[:46]...)
		binary.LittleEndian.PutUint16(r[28:], uint16(len(name)))
		r = append(r, name...)
		r = append(r, rec[46+nameLen:]...)
		out.Write(r)
	}
	cdSize := out.Len() - int(cdOff)
	end := append([]byte(nil), one[eocd:]...)
	binary.LittleEndian.PutUint16(end[8:], uint16(n))
	binary.LittleEndian.PutUint16(end[10:], uint16(n))
	binary.LittleEndian.PutUint32(end[12:], uint32(cdSize))
	out.Write(end)
	return out.Bytes()
}
