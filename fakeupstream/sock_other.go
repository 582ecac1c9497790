//go:build !linux

package fakeupstream

import (
	"context"
	"net"
	"time"
)

// waitSendQueueEmpty cannot ask the kernel outside Linux; it waits a little so that
// the bytes written have a chance to leave before the RST.
func waitSendQueueEmpty(ctx context.Context, c *net.TCPConn, max time.Duration) {
	t := time.NewTimer(min(max, 50*time.Millisecond))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// acceptQueueFull cannot ask the kernel outside Linux.
func acceptQueueFull(fd int) (full, ok bool) {
	return false, false
}
