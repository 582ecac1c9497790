//go:build !linux

package targets

// GroupPids needs Linux's /proc.
func GroupPids(int) ([]int, error) { return nil, errNotLinux }

// Descendants needs Linux's /proc.
func Descendants(int) ([]int, error) { return nil, errNotLinux }
