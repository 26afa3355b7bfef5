// Package mathx links libm with cgo and generates its String methods.
package mathx

/*
#cgo LDFLAGS: -lm
#cgo CFLAGS: -O2 -Wall
#include <math.h>
*/
import "C"

//go:generate stringer -type=Mode

// Mode is a rounding mode.
type Mode int

var registry = map[string]Mode{}

func init() {
	registry["nearest"] = 0
	registry["up"] = 1
}

// Cbrt is the C library's cube root.
func Cbrt(x float64) float64 { return float64(C.cbrt(C.double(x))) }
