package bench

import (
	"os"
	"syscall"
)

// fdsPerConnection is how many descriptors one connection in flight may take
// in this process at worst: the client's socket, and with an in-process proxy
// its accepted socket, its upstream socket and the fake upstream's.
const fdsPerConnection = 4

// fdReserve is what the rest of the process keeps: listeners, files, the
// control API's connections.
const fdReserve = 64

// connectionLimit is how many connections the open-files limit leaves room
// for: the soft RLIMIT_NOFILE (which Go raises to the hard one at start) less
// what is open now and a reserve, over fdsPerConnection.
func connectionLimit() (int, error) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0, err
	}
	open := 0
	if entries, err := os.ReadDir("/proc/self/fd"); err == nil {
		open = len(entries)
	}
	free := int64(rl.Cur) - int64(open) - fdReserve
	return int(max(free/fdsPerConnection, 1)), nil
}
