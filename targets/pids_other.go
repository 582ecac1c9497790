//go:build !linux

package targets

// GroupPids needs Linux's /proc.
func GroupPids(int) ([]int, error) { return nil, errNotLinux }

// Descendants needs Linux's /proc.
func Descendants(int) ([]int, error) { return nil, errNotLinux }

// liveStart needs Linux's /proc; without it no owner is judged (see owner.gone).
func liveStart(int) (uint64, bool) { return 0, false }
