package readlimit

import (
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

var errBig = errors.New("test: too large")

func TestReadAll(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		limit int64
		want  string
		big   bool
	}{
		{"under", "abc", 4, "abc", false},
		{"exactly the limit", "abcd", 4, "abcd", false},
		{"one over", "abcde", 4, "", true},
		{"empty", "", 0, "", false},
		{"zero limit, one byte", "a", 0, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadAll(strings.NewReader(tc.in), tc.limit, errBig)
			if tc.big {
				if !errors.Is(err, errBig) || !strings.Contains(err.Error(), "more than") {
					t.Fatalf("err = %v, want one wrapping errBig", err)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("ReadAll = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestReadAllReaderError(t *testing.T) {
	bad := errors.New("disk on fire")
	if _, err := ReadAll(iotest.ErrReader(bad), 10, errBig); !errors.Is(err, bad) || errors.Is(err, errBig) {
		t.Fatalf("err = %v, want the reader's error", err)
	}
}
