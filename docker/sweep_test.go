package docker

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/targets"
)

// containerOwnerEnv makes the test binary, instead of running the tests, open
// an nginx container target from the images of the tag it names, print
// "owner: ready" and wait to be killed (TestSweepAfterKilledOwner).
const containerOwnerEnv = "GATECHECK_TEST_CONTAINER_OWNER"

// containerOwner is the test binary as that owner.
func containerOwner(tag string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ctr, err := targets.NewContainer(targets.ContainerConfig{Kind: "nginx", Image: "gatecheck-nginx:" + tag,
		UpstreamImage: "gatecheck:" + tag, Timeouts: scenarios.DefaultTimeouts()})
	if err == nil {
		_, err = harness.Open(ctx, ctr, harness.Options{})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "owner:", err)
		return 1
	}
	fmt.Println("owner: ready")
	<-ctx.Done() // the test kills this process long before
	return 1
}

// labelFlags are docker run's flags for targets.OwnerLabels.
func labelFlags() []string {
	var flags []string
	for k, v := range targets.OwnerLabels() {
		flags = append(flags, "--label", k+"="+v)
	}
	return flags
}

// owned lists the containers and the networks labelled with owner pid.
func owned(ctx context.Context, t testing.TB, pid int) (containers, networks []string) {
	t.Helper()
	filter := "label=" + targets.LabelOwnerPID + "=" + strconv.Itoa(pid)
	containers = strings.Fields(dockerOutput(ctx, t, "ps", "-aq", "--filter", filter))
	networks = strings.Fields(dockerOutput(ctx, t, "network", "ls", "-q", "--filter", filter))
	return containers, networks
}

// TestSweepAfterKilledOwner opens an nginx container target in a child
// process, SIGKILLs it — its containers and network outlive it, as nothing
// but Stop removes them — and wants targets.SweepDocker to remove every one
// of them. Another test's container target may sweep them first: they must be
// gone either way.
func TestSweepAfterKilledOwner(t *testing.T) {
	requireImage(t, "nginx")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	owner := exec.Command(os.Args[0])
	owner.Env = append(os.Environ(), containerOwnerEnv+"="+tag)
	var stderr strings.Builder
	owner.Stderr = &stderr
	stdout, err := owner.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.Start(); err != nil {
		t.Fatal(err)
	}
	pid := owner.Process.Pid
	t.Cleanup(func() {
		c, n := owned(context.Background(), t, pid)
		if len(c)+len(n) > 0 {
			_ = exec.Command("docker", append([]string{"rm", "-f", "-v"}, c...)...).Run()
			_ = exec.Command("docker", append([]string{"network", "rm"}, n...)...).Run()
		}
	})
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if sc.Text() == "owner: ready" {
				ready <- true
				return
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			_ = owner.Wait()
			t.Fatalf("the owner ended before its target was open:\n%s", stderr.String())
		}
	case <-time.After(2 * time.Minute):
		_ = owner.Process.Kill()
		_ = owner.Wait()
		t.Fatalf("the owner did not open its target within 2 minutes:\n%s", stderr.String())
	}
	containers, networks := owned(ctx, t, pid)
	if len(containers) != 2 || len(networks) != 1 {
		t.Fatalf("the open target: %d containers and %d networks labelled with owner pid %d; want 2 and 1", len(containers), len(networks), pid)
	}
	if err := owner.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = owner.Wait()
	swept, err := targets.SweepDocker(ctx)
	if err != nil {
		t.Errorf("SweepDocker: %v", err)
	}
	t.Logf("swept: %v", swept)
	if c, n := owned(ctx, t, pid); len(c)+len(n) > 0 {
		t.Errorf("after SweepDocker: containers %v and networks %v of the killed owner %d remain", c, n, pid)
	}
}

// TestSweepTakesOnlyDeadOwners creates a network and a container on it
// labelled with the pid of a finished child process, and a container with this
// test's own labels: SweepDocker must remove the first two, named in what it
// returns, and leave the live owner's container alone.
func TestSweepTakesOnlyDeadOwners(t *testing.T) {
	requireImage(t, "gatecheck")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	child := exec.Command("true")
	if err := child.Run(); err != nil {
		t.Fatal(err)
	}
	dead := child.Process.Pid
	flags := labelFlags()
	var deadFlags []string
	for i := 0; i < len(flags); i += 2 {
		flag := flags[i+1]
		if strings.HasPrefix(flag, targets.LabelOwnerPID+"=") {
			flag = targets.LabelOwnerPID + "=" + strconv.Itoa(dead)
		}
		deadFlags = append(deadFlags, "--label", flag)
	}
	suffix := strconv.Itoa(os.Getpid())
	net := "gatecheck-sweep-" + suffix
	dockerOutput(ctx, t, append(append([]string{"network", "create"}, deadFlags...), net)...)
	run := func(name string, flags []string) {
		args := append([]string{"run", "-d", "--name", name, "--network", net}, flags...)
		dockerOutput(ctx, t, append(args, "gatecheck:"+tag, "serve", "--listen", "0.0.0.0:8081")...)
	}
	deadCtr, liveCtr := "gatecheck-sweep-dead-"+suffix, "gatecheck-sweep-live-"+suffix
	t.Cleanup(func() {
		_ = exec.Command("docker", "rm", "-f", "-v", deadCtr, liveCtr).Run()
		_ = exec.Command("docker", "network", "rm", net).Run()
	})
	run(deadCtr, deadFlags)
	run(liveCtr, flags)
	// The live container leaves the network, which may otherwise not go.
	dockerOutput(ctx, t, "network", "disconnect", net, liveCtr)

	swept, err := targets.SweepDocker(ctx)
	if err != nil {
		t.Errorf("SweepDocker: %v", err)
	}
	for _, want := range []string{"container " + deadCtr, "network " + net} {
		want += fmt.Sprintf(" (owner pid %d)", dead)
		if !slices.Contains(swept, want) {
			t.Errorf("SweepDocker() = %q; want it to name %q", swept, want)
		}
	}
	if c, n := owned(ctx, t, dead); len(c)+len(n) > 0 {
		t.Errorf("after SweepDocker: containers %v and networks %v of the dead owner %d remain", c, n, dead)
	}
	if c, _ := owned(ctx, t, os.Getpid()); !slices.Contains(c, dockerOutput(ctx, t, "inspect", "-f", "{{.Id}}", liveCtr)[:12]) {
		t.Errorf("after SweepDocker: the live owner's container %s is gone (left: %v)", liveCtr, c)
	}
}
