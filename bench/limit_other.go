//go:build !linux

package bench

import "errors"

// connectionLimit is unknown here: only the fixed cap applies.
func connectionLimit() (int, error) { return 0, errors.New("no open-files limit known") }
