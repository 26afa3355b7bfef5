package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"golang.org/x/term"
)

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// table writes aligned columns for people.
type table struct{ tw *tabwriter.Writer }

func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	if len(header) > 0 {
		t.row(header...)
	}
	return t
}

func (t *table) row(cols ...string) {
	for i, c := range cols {
		// A tab or newline inside a value would break the columns.
		cols[i] = strings.NewReplacer("\t", " ", "\n", " ").Replace(c)
	}
	fmt.Fprintln(t.tw, strings.Join(cols, "\t"))
}

func (t *table) flush() error { return t.tw.Flush() }

// progress shows what a long step is doing, on stderr, only when stderr is
// a terminal: redirected output and CI logs stay clean.
type progress struct {
	w    io.Writer
	mu   sync.Mutex
	msg  string
	stop chan struct{}
	done chan struct{}
}

// newProgress returns a progress indicator, or nil (a no-op) when w is not
// a terminal.
func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progress{w: w}
}

var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// step starts (or relabels) the indicator.
func (p *progress) step(format string, args ...any) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.msg = fmt.Sprintf(format, args...)
	start := p.stop == nil
	if start {
		p.stop, p.done = make(chan struct{}), make(chan struct{})
		go p.spin(p.stop, p.done)
	}
	p.mu.Unlock()
}

func (p *progress) spin(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		p.mu.Lock()
		fmt.Fprintf(p.w, "\r\033[K%s %s", spinnerFrames[i%len(spinnerFrames)], p.msg)
		p.mu.Unlock()
		select {
		case <-stop:
			p.mu.Lock()
			fmt.Fprint(p.w, "\r\033[K")
			p.mu.Unlock()
			return
		case <-tick.C:
		}
	}
}

// bar shows a byte count against a total (0: unknown).
func (p *progress) bar(label string, n, total int64) {
	if p == nil {
		return
	}
	if total <= 0 {
		p.step("%s %s", label, humanBytes(n))
		return
	}
	const width = 30
	filled := int(float64(width) * float64(n) / float64(total))
	filled = min(max(filled, 0), width)
	p.step("%s [%s%s] %s/%s", label, strings.Repeat("=", filled), strings.Repeat(" ", width-filled), humanBytes(n), humanBytes(total))
}

// finish clears the indicator.
func (p *progress) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	stop, done := p.stop, p.done
	p.stop = nil
	p.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// readFile reads a named input with a size limit, naming it in errors.
func readFile(what, path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", what, path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("read %s %s: larger than %s", what, path, humanBytes(limit))
	}
	return b, nil
}
