// Package readlimit reads whole inputs under a size limit, for the
// parsers of several packages (risk's KEV, VEX and SARIF readers, vulndb's
// loaders) that each report an input over its limit with their own
// sentinel error.
package readlimit

import (
	"fmt"
	"io"
)

// ReadAll reads all of r. When r holds more than limit bytes it stops
// after limit+1 bytes and returns an error wrapping tooLarge (the
// caller's sentinel, so that errors.Is matches the caller's package's
// ErrTooLarge). io.ReadAll over an io.LimitReader does the reading; this
// adds only the "more than the limit" check, which LimitReader alone
// cannot tell from an input of exactly limit bytes.
func ReadAll(r io.Reader, limit int64, tooLarge error) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", tooLarge, limit)
	}
	return data, nil
}
