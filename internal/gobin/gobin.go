// Package gobin reads what a compiled Go binary links: its build
// information and, from its pclntab, the functions of every package in
// it. sbom uses it to record the packages in a build, risk to give Go
// findings symbol-level evidence.
//
// The function table is read with debug/gosym; only finding the pclntab
// (an ELF or Mach-O section, PE symbols, or a search for the table's
// header when the binary is stripped) and reading inline trees (which
// debug/gosym does not expose; golang.org/x/vuln has a reader but keeps
// it internal) are written here by hand.
package gobin

import (
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"debug/gosym"
	"debug/macho"
	"debug/pe"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime/debug"
	"slices"
	"strings"
)

// ErrTooLarge is returned (wrapped) when a table of the binary is larger
// than the limit given to Read.
var ErrTooLarge = errors.New("gobin: table too large")

// ErrNoPCLNTab is returned (wrapped) when no Go function table can be
// found in the binary.
var ErrNoPCLNTab = errors.New("gobin: no Go function table (pclntab)")

// Binary is what Read found in a Go binary.
type Binary struct {
	// Build is the binary's build information.
	Build *debug.BuildInfo
	// Format is "elf", "macho" or "pe".
	Format string
	// Symbols maps the import path of every package with code in the
	// binary to its functions as the Go vulnerability database names
	// them ("Parse", "Tag.String"; generic instantiations without their
	// type arguments), sorted and unique. The package "main" is recorded
	// under the binary's main package path.
	Symbols map[string][]string
	// Inlined is true when the inline trees were read, so functions
	// inlined into others are among Symbols. In a stripped binary their
	// base address is found through the runtime's moduledata; when that
	// fails, Inlined is false.
	Inlined bool
}

// ReadFile is Read on the named file.
func ReadFile(path string, limit int64) (*Binary, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gobin: %w", err)
	}
	defer f.Close()
	b, err := Read(f, limit)
	if err != nil {
		return nil, fmt.Errorf("gobin: %s: %w", path, err)
	}
	return b, nil
}

// Read reads the build information and the function table of a Go
// binary (ELF, Mach-O or PE). limit bounds the bytes of any one table
// read into memory. When the build information cannot be read, Read
// returns nil and the error. When the function table cannot be read,
// Read returns the Binary with its build information (Symbols nil) and
// an error (ErrNoPCLNTab, ErrTooLarge or the format's own error); a
// malformed binary is an error, never a panic.
func Read(r io.ReaderAt, limit int64) (b *Binary, err error) {
	defer func() {
		// debug/gosym trusts the offsets inside the table; a corrupt
		// table may index out of range. Report it as an error.
		// The build information, read first, is kept.
		if p := recover(); p != nil {
			if b != nil {
				b.Symbols, b.Inlined = nil, false
			}
			err = fmt.Errorf("gobin: malformed Go function table: %v: %w", p, ErrNoPCLNTab)
		}
	}()
	bi, err := buildinfo.Read(r)
	if err != nil {
		return nil, fmt.Errorf("gobin: read build info: %w", err)
	}
	b = &Binary{Build: bi}
	x, err := openExe(r, limit)
	if err != nil {
		return b, err
	}
	b.Format = x.format
	tab, text, err := x.pclntab()
	if err != nil {
		return b, err
	}
	lt := gosym.NewLineTable(tab, text)
	st, err := gosym.NewTable(nil, lt)
	if err != nil {
		return b, fmt.Errorf("gobin: read Go function table: %w", err)
	}
	if len(st.Funcs) == 0 {
		return b, fmt.Errorf("gobin: Go function table has no functions: %w", ErrNoPCLNTab)
	}
	it := newInlineReader(x, tab, limit)
	b.Inlined = it != nil
	names := make([]string, 0, len(st.Funcs))
	for i := range st.Funcs {
		if f := &st.Funcs[i]; f.Sym != nil {
			names = append(names, f.Name)
		}
	}
	if it != nil {
		names = append(names, it.all()...)
	}
	b.Symbols = map[string][]string{}
	for _, name := range names {
		if pkg, sym, ok := SplitName(name); ok {
			if pkg == "main" && bi.Path != "" {
				pkg = bi.Path
			}
			b.Symbols[pkg] = append(b.Symbols[pkg], sym)
		}
	}
	for pkg, s := range b.Symbols {
		slices.Sort(s)
		b.Symbols[pkg] = slices.Compact(s)
	}
	return b, nil
}

// SplitName splits a function's symbol name into its package import
// path and its name as the Go vulnerability database writes symbols:
// "golang.org/x/text/language.(*Tag).String" gives
// ("golang.org/x/text/language", "Tag.String"); type arguments of
// generic instantiations are dropped ("Map[...]" gives "Map"); the
// escaped dots of a path's last element are unescaped
// ("gopkg.in/yaml%2ev3"). Compiler-generated names ("go:", "type:")
// give ok false.
func SplitName(name string) (pkg, sym string, ok bool) {
	if strings.HasPrefix(name, "go:") || strings.HasPrefix(name, "type:") || strings.HasPrefix(name, "go.") || strings.HasPrefix(name, "type.") {
		return "", "", false
	}
	n := name
	if strings.IndexByte(name, '[') >= 0 {
		// Drop bracketed type arguments, which may hold dots and slashes.
		var nb strings.Builder
		depth := 0
		for _, c := range name {
			switch {
			case c == '[':
				depth++
			case c == ']' && depth > 0:
				depth--
			case depth == 0:
				nb.WriteRune(c)
			}
		}
		n = nb.String()
	}
	start := strings.LastIndexByte(n, '/') + 1
	dot := strings.IndexByte(n[start:], '.')
	if dot <= 0 {
		return "", "", false
	}
	pkg, rest := n[:start+dot], n[start+dot+1:]
	if rest == "" {
		return "", "", false
	}
	if strings.Contains(pkg, "%") {
		u, err := url.PathUnescape(pkg)
		if err != nil {
			return "", "", false
		}
		pkg = u
	}
	// "(*T).M" is the method M of T, as is "T.M".
	if strings.HasPrefix(rest, "(*") {
		if i := strings.Index(rest, ")."); i > 2 {
			rest = rest[2:i] + rest[i+1:]
		}
	}
	return pkg, rest, true
}

// ModuleOf returns the path of the module, among the build's
// dependencies and main module, that holds package pkg ("stdlib" for a
// standard-library package), by longest module path prefix; "" when no
// module of the build holds it.
func ModuleOf(bi *debug.BuildInfo, pkg string) string {
	best := ""
	consider := func(m string) {
		if m != "" && len(m) > len(best) && strings.HasPrefix(pkg, m) && (len(pkg) == len(m) || pkg[len(m)] == '/') {
			best = m
		}
	}
	consider(bi.Main.Path)
	for _, d := range bi.Deps {
		if d != nil {
			consider(d.Path)
		}
	}
	if best != "" {
		return best
	}
	first, _, _ := strings.Cut(pkg, "/")
	if !strings.Contains(first, ".") {
		// No dot in the first element: the standard library, including
		// its vendored copies ("vendor/golang.org/x/net/...").
		return "stdlib"
	}
	return ""
}

// PackagesByModule groups the packages of b by the module that holds
// them (see ModuleOf), each list sorted.
func (b *Binary) PackagesByModule() map[string][]string {
	out := map[string][]string{}
	for pkg := range b.Symbols {
		if m := ModuleOf(b.Build, pkg); m != "" {
			out[m] = append(out[m], pkg)
		}
	}
	for _, ps := range out {
		slices.Sort(ps)
	}
	return out
}

// exe is an opened executable: where its function table is and how to
// read memory at a virtual address.
type exe struct {
	format string
	limit  int64
	// tab returns the pclntab bytes and the text start address.
	tab func() ([]byte, uint64, error)
	// symbol returns the address of a symbol in the symbol table, if any.
	symbol func(name string) (uint64, bool)
	// region returns the start address, size and a reader (offsets from
	// start) of the section that holds virtual address addr.
	region func(addr uint64) (start, size uint64, r io.ReaderAt, err error)
	// tabAddr is the virtual address of the pclntab, set by tab.
	tabAddr uint64
	// dataSecs names the sections that may hold the runtime's
	// moduledata (searched when the binary is stripped).
	dataSecs []string
	// section returns a section's address and bytes by name.
	section func(name string) (uint64, []byte, bool)
}

func (x *exe) pclntab() ([]byte, uint64, error) { return x.tab() }

func openExe(r io.ReaderAt, limit int64) (*exe, error) {
	var magic [4]byte
	if _, err := r.ReadAt(magic[:], 0); err != nil {
		return nil, fmt.Errorf("gobin: read header: %w", err)
	}
	switch {
	case bytes.Equal(magic[:], []byte(elf.ELFMAG)):
		f, err := elf.NewFile(r)
		if err != nil {
			return nil, fmt.Errorf("gobin: open ELF: %w", err)
		}
		return elfExe(f, limit), nil
	case bytes.HasPrefix(magic[:], []byte("MZ")):
		f, err := pe.NewFile(r)
		if err != nil {
			return nil, fmt.Errorf("gobin: open PE: %w", err)
		}
		return peExe(f, limit), nil
	default:
		le, be := binary.LittleEndian.Uint32(magic[:]), binary.BigEndian.Uint32(magic[:])
		if le&^1 == macho.Magic32 || be&^1 == macho.Magic32 {
			f, err := macho.NewFile(r)
			if err != nil {
				return nil, fmt.Errorf("gobin: open Mach-O: %w", err)
			}
			return machoExe(f, limit), nil
		}
	}
	return nil, fmt.Errorf("gobin: not an ELF, Mach-O or PE executable (magic %x): %w", magic, ErrNoPCLNTab)
}

// readLimited reads a section's data after checking its size.
func readLimited(name string, size, limit uint64, data func() ([]byte, error)) ([]byte, error) {
	if limit > 0 && size > limit {
		return nil, fmt.Errorf("gobin: section %s is %d bytes, limit %d: %w", name, size, limit, ErrTooLarge)
	}
	b, err := data()
	if err != nil {
		return nil, fmt.Errorf("gobin: read section %s: %w", name, err)
	}
	return b, nil
}

// elfData reads an ELF section whole. elf.Section.Data reads through
// internal/saferio in chunks appended to a growing slice (on a 100 MB
// binary a fifth of the scan went to copying them), because it cannot
// trust the section header's size; here the size is first checked
// against the caller's limit, so an uncompressed section is read with
// one ReadAt into a buffer of its size. Without a limit, or for a
// compressed section, Data is used.
func elfData(s *elf.Section, limit int64) ([]byte, error) {
	if limit <= 0 || s.Size > uint64(limit) || s.Flags&elf.SHF_COMPRESSED != 0 {
		return s.Data()
	}
	b := make([]byte, s.Size)
	if _, err := s.ReadAt(b, 0); err != nil {
		return nil, err
	}
	return b, nil
}

// machoData is elfData for a Mach-O section.
func machoData(s *macho.Section, limit int64) ([]byte, error) {
	if limit <= 0 || s.Size > uint64(limit) {
		return s.Data()
	}
	b := make([]byte, s.Size)
	if _, err := s.ReadAt(b, 0); err != nil {
		return nil, err
	}
	return b, nil
}

func elfExe(f *elf.File, limit int64) *exe {
	x := &exe{format: "elf", limit: limit}
	var syms []elf.Symbol
	symsRead := false
	x.symbol = func(name string) (uint64, bool) {
		if v, ok := elfSymbol64(f, name, limit); ok {
			return v, true
		}
		if !symsRead {
			syms, _ = f.Symbols()
			symsRead = true
		}
		for _, s := range syms {
			if s.Name == name {
				return s.Value, true
			}
		}
		return 0, false
	}
	x.region = func(addr uint64) (uint64, uint64, io.ReaderAt, error) {
		// The section, not the segment: the read-only segment also holds
		// the pclntab, already read. Only from addr to the section's end.
		for _, s := range f.Sections {
			if s.Flags&elf.SHF_ALLOC != 0 && s.Type != elf.SHT_NOBITS && addr >= s.Addr && addr-s.Addr < s.Size {
				off := addr - s.Addr
				return addr, s.Size - off, io.NewSectionReader(s, int64(off), int64(s.Size-off)), nil
			}
		}
		return 0, 0, nil, fmt.Errorf("gobin: address %#x is in no ELF section", addr)
	}
	x.tab = func() ([]byte, uint64, error) {
		var text uint64
		if s := f.Section(".text"); s != nil {
			text = s.Addr
		}
		for _, name := range []string{".gopclntab", ".data.rel.ro.gopclntab"} {
			if s := f.Section(name); s != nil && s.Type != elf.SHT_NOBITS {
				b, err := readLimited(name, s.Size, uint64(limit), func() ([]byte, error) { return elfData(s, limit) })
				x.tabAddr = s.Addr
				return b, text, err
			}
		}
		return nil, 0, fmt.Errorf("gobin: ELF has no .gopclntab section: %w", ErrNoPCLNTab)
	}
	x.dataSecs = []string{".go.module", ".noptrdata", ".data"}
	x.section = func(name string) (uint64, []byte, bool) {
		s := f.Section(name)
		if s == nil || s.Type == elf.SHT_NOBITS || (limit > 0 && s.Size > uint64(limit)) {
			return 0, nil, false
		}
		b, err := elfData(s, limit)
		return s.Addr, b, err == nil
	}
	return x
}

// elfSymbol64 finds one symbol of a 64-bit little-endian ELF by reading
// .symtab and .strtab directly: elf.File.Symbols makes a string of every
// name, a third of a large binary's scan time for one lookup.
func elfSymbol64(f *elf.File, name string, limit int64) (uint64, bool) {
	st, str := f.Section(".symtab"), f.Section(".strtab")
	if f.Class != elf.ELFCLASS64 || f.ByteOrder != binary.LittleEndian || st == nil || str == nil {
		return 0, false
	}
	if limit > 0 && (st.Size > uint64(limit) || str.Size > uint64(limit)) {
		return 0, false
	}
	strs, err := elfData(str, limit)
	if err != nil {
		return 0, false
	}
	needle := append(append([]byte{0}, name...), 0)
	i := bytes.Index(strs, needle)
	if i < 0 {
		return 0, false
	}
	nameOff := uint32(i + 1)
	tab, err := elfData(st, limit)
	if err != nil {
		return 0, false
	}
	const entSize = 24 // Elf64_Sym
	for o := 0; o+entSize <= len(tab); o += entSize {
		if binary.LittleEndian.Uint32(tab[o:]) == nameOff {
			return binary.LittleEndian.Uint64(tab[o+8:]), true
		}
	}
	return 0, false
}

func machoExe(f *macho.File, limit int64) *exe {
	x := &exe{format: "macho", limit: limit}
	x.symbol = func(name string) (uint64, bool) {
		if f.Symtab == nil {
			return 0, false
		}
		for _, s := range f.Symtab.Syms {
			if s.Name == name || s.Name == "_"+name {
				return s.Value, true
			}
		}
		return 0, false
	}
	x.region = func(addr uint64) (uint64, uint64, io.ReaderAt, error) {
		for _, s := range f.Sections {
			if addr >= s.Addr && addr-s.Addr < s.Size && s.Offset != 0 {
				return s.Addr, s.Size, s, nil
			}
		}
		return 0, 0, nil, fmt.Errorf("gobin: address %#x is in no Mach-O section", addr)
	}
	x.tab = func() ([]byte, uint64, error) {
		var text uint64
		if s := f.Section("__text"); s != nil {
			text = s.Addr
		}
		if s := f.Section("__gopclntab"); s != nil {
			b, err := readLimited("__gopclntab", s.Size, uint64(limit), func() ([]byte, error) { return machoData(s, limit) })
			x.tabAddr = s.Addr
			return b, text, err
		}
		return nil, 0, fmt.Errorf("gobin: Mach-O has no __gopclntab section: %w", ErrNoPCLNTab)
	}
	x.dataSecs = []string{"__go_module", "__noptrdata", "__data"}
	x.section = func(name string) (uint64, []byte, bool) {
		s := f.Section(name)
		if s == nil || s.Offset == 0 || (limit > 0 && s.Size > uint64(limit)) {
			return 0, nil, false
		}
		b, err := machoData(s, limit)
		return s.Addr, b, err == nil
	}
	return x
}

func peExe(f *pe.File, limit int64) *exe {
	x := &exe{format: "pe", limit: limit}
	var base uint64
	switch oh := f.OptionalHeader.(type) {
	case *pe.OptionalHeader32:
		base = uint64(oh.ImageBase)
	case *pe.OptionalHeader64:
		base = oh.ImageBase
	}
	sym := func(name string) (*pe.Symbol, bool) {
		for _, s := range f.Symbols {
			if s.Name == name && s.SectionNumber > 0 && int(s.SectionNumber) <= len(f.Sections) {
				return s, true
			}
		}
		return nil, false
	}
	x.symbol = func(name string) (uint64, bool) {
		s, ok := sym(name)
		if !ok {
			return 0, false
		}
		sec := f.Sections[s.SectionNumber-1]
		return base + uint64(sec.VirtualAddress) + uint64(s.Value), true
	}
	x.region = func(addr uint64) (uint64, uint64, io.ReaderAt, error) {
		for _, s := range f.Sections {
			start := base + uint64(s.VirtualAddress)
			if addr >= start && addr-start < uint64(s.Size) {
				return start, uint64(s.Size), s, nil
			}
		}
		return 0, 0, nil, fmt.Errorf("gobin: address %#x is in no PE section", addr)
	}
	x.tab = func() ([]byte, uint64, error) {
		var text uint64
		if s := f.Section(".text"); s != nil {
			text = base + uint64(s.VirtualAddress)
		}
		if start, ok1 := sym("runtime.pclntab"); ok1 {
			if end, ok2 := sym("runtime.epclntab"); ok2 && start.SectionNumber == end.SectionNumber && end.Value > start.Value {
				sec := f.Sections[start.SectionNumber-1]
				n := uint64(end.Value - start.Value)
				b, err := readLimited(sec.Name, n, uint64(limit), func() ([]byte, error) {
					b := make([]byte, n)
					_, err := sec.ReadAt(b, int64(start.Value))
					return b, err
				})
				x.tabAddr = base + uint64(sec.VirtualAddress) + uint64(start.Value)
				return b, text, err
			}
		}
		// Stripped: the table is somewhere in the read-only data.
		for _, name := range []string{".rdata", ".data"} {
			s := f.Section(name)
			if s == nil {
				continue
			}
			data, err := readLimited(name, uint64(s.Size), uint64(limit), s.Data)
			if err != nil {
				return nil, 0, err
			}
			if p := searchPCLNTab(data); p >= 0 {
				x.tabAddr = base + uint64(s.VirtualAddress) + uint64(p)
				return data[p:], text, nil
			}
		}
		return nil, 0, fmt.Errorf("gobin: PE has no Go function table: %w", ErrNoPCLNTab)
	}
	x.dataSecs = []string{".data"}
	x.section = func(name string) (uint64, []byte, bool) {
		s := f.Section(name)
		if s == nil || (limit > 0 && uint64(s.Size) > uint64(limit)) {
			return 0, nil, false
		}
		b, err := s.Data()
		return base + uint64(s.VirtualAddress), b, err == nil
	}
	return x
}

// searchPCLNTab finds a Go 1.18+ pclntab header in data (magic, two zero
// bytes, instruction size quantum 1, 2 or 4, pointer size 4 or 8) whose
// table parses with functions, and returns its offset (-1: none).
func searchPCLNTab(data []byte) int {
	for _, magic := range [][]byte{{0xf1, 0xff, 0xff, 0xff}, {0xf0, 0xff, 0xff, 0xff}} {
		for off := 0; off+8 <= len(data); {
			i := bytes.Index(data[off:], magic)
			if i < 0 {
				break
			}
			p := off + i
			off = p + 4
			if p%4 != 0 || p+8 > len(data) || data[p+4] != 0 || data[p+5] != 0 {
				continue
			}
			if q := data[p+6]; q != 1 && q != 2 && q != 4 {
				continue
			}
			if ps := data[p+7]; ps != 4 && ps != 8 {
				continue
			}
			if tabOK(data[p:]) {
				return p
			}
		}
	}
	return -1
}

func tabOK(b []byte) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	t, err := gosym.NewTable(nil, gosym.NewLineTable(b, 0))
	return err == nil && len(t.Funcs) > 0 && t.LookupFunc("runtime.main") != nil
}
