package fakeupstream

import (
	"context"
	"net"
	"syscall"
	"time"
	"unsafe"
)

// sendQueuePoll is how often Reset asks the kernel whether its send queue is empty.
const sendQueuePoll = time.Millisecond

// waitSendQueueEmpty waits until the kernel holds no unsent or unacknowledged bytes
// of c (SIOCOUTQ), max has passed or ctx ends.
func waitSendQueueEmpty(ctx context.Context, c *net.TCPConn, max time.Duration) {
	rc, err := c.SyscallConn()
	if err != nil {
		return
	}
	deadline := time.Now().Add(max)
	for {
		var n int32
		var errno syscall.Errno
		err := rc.Control(func(fd uintptr) {
			_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCOUTQ, uintptr(unsafe.Pointer(&n)))
		})
		if err != nil || errno != 0 || n == 0 || time.Now().After(deadline) {
			return
		}
		t := time.NewTimer(sendQueuePoll)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
}

// acceptQueueFull reports whether the accept queue of the listening socket fd is
// full, from TCP_INFO (for a listener, tcpi_unacked is the queue length and
// tcpi_sacked its bound). ok is false when the kernel does not say.
func acceptQueueFull(fd int) (full, ok bool) {
	var info syscall.TCPInfo
	size := uint32(syscall.SizeofTCPInfo)
	_, _, errno := syscall.Syscall6(syscall.SYS_GETSOCKOPT, uintptr(fd), syscall.IPPROTO_TCP, syscall.TCP_INFO,
		uintptr(unsafe.Pointer(&info)), uintptr(unsafe.Pointer(&size)), 0)
	if errno != 0 {
		return false, false
	}
	return info.Unacked > info.Sacked, true
}
