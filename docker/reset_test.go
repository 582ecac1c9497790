package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/control"
	"github.com/gatecheck/gatecheck/fakeupstream"
)

// TestPublishedPortHidesReset shows why the container target dials the proxy
// container's address on its network and never a published port. The fake
// upstream (in its container) answers with a head promising 10 body bytes, 2
// bytes, and a TCP RST. Measured on this machine (Docker 20.10, userland proxy
// on, the default):
//
//	container address 172.17.0.2:8081    RST after 41 bytes
//	published port 127.0.0.1:32772      FIN after 41 bytes: a clean close
//
// Docker's userland proxy relays bytes on two separate TCP connections, so the
// upstream's reset reaches the client as an orderly close, and every reset and
// abort verdict would be falsified.
func TestPublishedPortHidesReset(t *testing.T) {
	requireImage(t, "gatecheck")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args := append([]string{"run", "-d", "-p", "127.0.0.1::8081"}, labelFlags()...)
	out, err := exec.CommandContext(ctx, "docker", append(args, "gatecheck:"+tag,
		"serve", "--listen", "0.0.0.0:8081", "--control", "0.0.0.0:8084")...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker run: %v: %s", err, out)
	}
	id := strings.TrimSpace(string(out))
	t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", "-v", id).Run() })
	ip := dockerOutput(ctx, t, "inspect", "-f", "{{.NetworkSettings.IPAddress}}", id)
	published := dockerOutput(ctx, t, "port", id, "8081/tcp")
	published = strings.Fields(published)[0]

	c, err := control.Dial(ctx, "http://"+net.JoinHostPort(ip, "8084"), fakeupstream.Endpoints{})
	if err != nil {
		t.Fatal(err)
	}
	head := "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab"
	script := fakeupstream.Script{Steps: []fakeupstream.Step{fakeupstream.Read{}, fakeupstream.Write{Data: []byte(head)}, fakeupstream.Reset{}}}
	if err := c.Replace(ctx, "reset/after-two-bytes", []fakeupstream.Script{script}); err != nil {
		t.Fatal(err)
	}
	direct := ending(t, net.JoinHostPort(ip, "8081"), "t1")
	viaPort := ending(t, published, "t2")
	t.Logf("container address %s:8081: %s; published port %s: %s", ip, direct, published, viaPort)
	if !strings.HasPrefix(direct, "RST") {
		t.Errorf("container address: got %s; want RST", direct)
	}
	if strings.HasPrefix(viaPort, "RST") {
		t.Logf("this Docker relays resets through published ports (userland proxy off?)")
	}
}

// ending sends the request for token to addr and says how the connection ended
// and after how many bytes: "RST after N bytes" or "FIN after N bytes".
func ending(t testing.TB, addr, token string) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET /gatecheck/reset/after-two-bytes/%s/0 HTTP/1.1\r\nHost: x\r\n\r\n", token)
	n := 0
	buf := make([]byte, 4096)
	for {
		k, err := conn.Read(buf)
		n += k
		switch {
		case errors.Is(err, io.EOF):
			return fmt.Sprintf("FIN after %d bytes", n)
		case errors.Is(err, syscall.ECONNRESET):
			return fmt.Sprintf("RST after %d bytes", n)
		case err != nil:
			return fmt.Sprintf("error after %d bytes: %v", n, err)
		}
	}
}

// dockerOutput runs a docker command and returns its trimmed output.
func dockerOutput(ctx context.Context, t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}
