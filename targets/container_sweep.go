package targets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// The labels on every container, network and image gatecheck creates in
// Docker (OwnerLabels): they mark it as gatecheck's and name the process that
// created it, so that SweepDocker can tell what a killed gatecheck left behind.
const (
	// LabelManaged is "true" on everything gatecheck creates.
	LabelManaged = "org.gatecheck.managed"
	// LabelOwnerPID is the pid of the process that created it.
	LabelOwnerPID = "org.gatecheck.owner-pid"
	// LabelOwnerStart is that process's start time, in clock ticks after boot
	// (/proc/PID/stat): with the pid, it names one process, whatever reuses
	// the pid later.
	LabelOwnerStart = "org.gatecheck.owner-start"
	// LabelOwnerBoot is the boot the process ran in
	// (/proc/sys/kernel/random/boot_id).
	LabelOwnerBoot = "org.gatecheck.owner-boot"
	// LabelOwnerPidNS is the process's pid namespace (/proc/self/ns/pid).
	LabelOwnerPidNS = "org.gatecheck.owner-pidns"
	// LabelOwnerMachine is the process's machine (/etc/machine-id).
	LabelOwnerMachine = "org.gatecheck.owner-machine"
)

// Bounds of SweepDocker.
const (
	// sweepListTimeout bounds reaching Docker and listing what is labelled:
	// where Docker is not there, the sweep must cost next to nothing.
	sweepListTimeout = 2 * time.Second
	// sweepRemoveTimeout bounds the removals, once something is to remove.
	sweepRemoveTimeout = 30 * time.Second
)

// owner is a process as the labels record it.
type owner struct {
	pid                  int
	start                uint64 // 0: unknown
	boot, pidNS, machine string // "": unknown
}

// thisOwner is the running process; what it cannot read stays unknown.
func thisOwner() owner {
	o := owner{pid: os.Getpid()}
	o.start, _ = liveStart(o.pid)
	o.boot = readTrimmed("/proc/sys/kernel/random/boot_id")
	o.pidNS, _ = os.Readlink("/proc/self/ns/pid")
	o.machine = readTrimmed("/etc/machine-id")
	return o
}

// readTrimmed is a file's content without surrounding space, or "".
func readTrimmed(path string) string {
	b, _ := os.ReadFile(path)
	return strings.TrimSpace(string(b))
}

// OwnerLabels are the labels gatecheck puts on what it creates in Docker,
// naming the running process as the owner. A fresh map each call.
func OwnerLabels() map[string]string {
	o := thisOwner()
	return map[string]string{
		LabelManaged:      "true",
		LabelOwnerPID:     strconv.Itoa(o.pid),
		LabelOwnerStart:   strconv.FormatUint(o.start, 10),
		LabelOwnerBoot:    o.boot,
		LabelOwnerPidNS:   o.pidNS,
		LabelOwnerMachine: o.machine,
	}
}

// ownerOf reads the owner from an object's labels; false when the object is
// not marked as gatecheck's or names no pid.
func ownerOf(labels map[string]string) (owner, bool) {
	if labels[LabelManaged] != "true" {
		return owner{}, false
	}
	pid, err := strconv.Atoi(labels[LabelOwnerPID])
	if err != nil || pid <= 0 {
		return owner{}, false
	}
	start, _ := strconv.ParseUint(labels[LabelOwnerStart], 10, 64)
	return owner{pid: pid, start: start, boot: labels[LabelOwnerBoot], pidNS: labels[LabelOwnerPidNS], machine: labels[LabelOwnerMachine]}, true
}

// gone reports whether the owner o has certainly ended, as seen from the
// process here. In this boot and pid namespace, it has when its pid runs no
// longer, or runs a process that started at another time. From another boot it
// has ended too, but another machine sharing the Docker engine also has another
// boot: then only an object not in use (inUse is asked only then) on the same
// machine counts as left behind. From another pid namespace (a gatecheck in a
// container, on the host's engine) its pid cannot be looked up: it is never
// judged gone.
func (o owner) gone(here owner, inUse func() bool) bool {
	switch {
	case o.boot == "" || here.boot == "":
		return false
	case o.boot != here.boot:
		return o.machine != "" && o.machine == here.machine && !inUse()
	case o.pidNS != here.pidNS:
		return false
	}
	start, ok := liveStart(o.pid)
	return !ok || (o.start != 0 && start != o.start)
}

// SweepDocker removes the containers, networks and images that gatecheck
// processes which no longer run left behind: those with LabelManaged whose
// owner (the LabelOwner* labels) is gone, and nothing else. Every container
// target's start runs it; the tests that use Docker run it first. Reaching
// Docker and listing take at most 2s (sweepListTimeout), and Docker not
// reachable is nothing to do, not an error. It returns what it removed, as
// "container gatecheck-nginx-1a2b3c4d (owner pid 4242)", and the removals that
// failed.
func SweepDocker(ctx context.Context) ([]string, error) {
	here := thisOwner()
	if here.boot == "" {
		return nil, nil // no /proc: no owner can be judged
	}
	listCtx, cancel := context.WithTimeout(ctx, sweepListTimeout)
	defer cancel()
	cli, err := testcontainers.NewDockerClientWithOpts(listCtx)
	if err != nil {
		return nil, nil
	}
	defer cli.Close()
	mine := client.Filters{}.Add("label", LabelManaged+"=true")
	cs, err := cli.ContainerList(listCtx, client.ContainerListOptions{All: true, Filters: mine})
	if err != nil {
		return nil, nil
	}
	ns, err := cli.NetworkList(listCtx, client.NetworkListOptions{Filters: mine})
	if err != nil {
		return nil, nil
	}
	ims, err := cli.ImageList(listCtx, client.ImageListOptions{Filters: mine})
	if err != nil {
		return nil, nil
	}
	ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), sweepRemoveTimeout)
	defer cancel()
	var swept []string
	var errs []error
	note := func(what string, o owner, err error) {
		if err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("remove %s: %w", what, err))
			return
		}
		swept = append(swept, fmt.Sprintf("%s (owner pid %d)", what, o.pid))
	}
	// Containers first: a network or an image in use cannot go.
	for _, c := range cs.Items {
		o, ok := ownerOf(c.Labels)
		if !ok || !o.gone(here, func() bool { return c.State == container.StateRunning }) {
			continue
		}
		name := c.ID
		if len(c.Names) > 0 {
			name = strings.TrimPrefix(c.Names[0], "/")
		}
		_, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
		note("container "+name, o, err)
	}
	for _, n := range ns.Items {
		o, ok := ownerOf(n.Labels)
		inUse := func() bool {
			ins, err := cli.NetworkInspect(ctx, n.ID, client.NetworkInspectOptions{})
			return err != nil || len(ins.Network.Containers) > 0
		}
		if !ok || !o.gone(here, inUse) {
			continue
		}
		_, err := cli.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{})
		note("network "+n.Name, o, err)
	}
	for _, im := range ims.Items {
		o, ok := ownerOf(im.Labels)
		if !ok || !o.gone(here, func() bool { return false }) {
			continue
		}
		// By tag, not by force: the image goes with its last tag, and one a
		// container still uses stays.
		refs := im.RepoTags
		if len(refs) == 0 {
			refs = []string{im.ID}
		}
		for _, ref := range refs {
			_, err := cli.ImageRemove(ctx, ref, client.ImageRemoveOptions{PruneChildren: true})
			note("image "+ref, o, err)
		}
	}
	return swept, errors.Join(errs...)
}
