package targets

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// freePorts finds n distinct free loopback ports: it listens on 127.0.0.1:0 n
// times, notes the ports and closes the listeners. Another process may take a
// port before the proxy binds it; Start then retries with fresh ports.
func freePorts(n int) ([]int, error) {
	lns := make([]net.Listener, 0, n)
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// errNoProc says the kernel's process and socket tables cannot be read, so a
// listener's owner is unknown.
var errNoProc = errors.New("no /proc")

// listenerOwned reports whether a process of the group pgid holds a socket
// listening on the TCP port, so that a connect to the port reached the proxy and
// not whoever else took the port first. It reads /proc/net/tcp{,6} and the file
// descriptors of the group's processes.
func listenerOwned(port, pgid int) (bool, error) {
	inodes := map[string]bool{}
	var readable bool
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		if err := listeningInodes(f, port, inodes); err == nil {
			readable = true
		}
	}
	if !readable {
		return false, errNoProc
	}
	if len(inodes) == 0 {
		return false, nil
	}
	pids, err := GroupPids(pgid)
	if err != nil {
		return false, err
	}
	for _, pid := range pids {
		fds, _ := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "fd"))
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "fd", fd.Name()))
			if err != nil || !strings.HasPrefix(link, "socket:[") {
				continue
			}
			if inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] {
				return true, nil
			}
		}
	}
	return false, nil
}

// tcpListen is the state column's value for a listening socket in /proc/net/tcp.
const tcpListen = "0A"

// listeningInodes adds the inodes of the sockets in a /proc/net/tcp-style table
// that listen on port (any local address) to inodes.
func listeningInodes(table string, port int, inodes map[string]bool) error {
	f, err := os.Open(table)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // the header line
	for sc.Scan() {
		// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || fields[3] != tcpListen {
			continue
		}
		_, hexPort, ok := strings.Cut(fields[1], ":")
		if !ok {
			continue
		}
		if p, err := strconv.ParseUint(hexPort, 16, 16); err == nil && int(p) == port {
			inodes[fields[9]] = true
		}
	}
	return sc.Err()
}
