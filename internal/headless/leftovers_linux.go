//go:build linux

package headless

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/chromedp/chromedp"
)

// killLeftovers kills the processes of the browser whose profile is dir
// (killUsing): Chromium's helpers (zygote, network service, renderers,
// crash handler) can outlive the browser process that was killed, and
// write into the profile directory after it is removed. A helper can fork
// as the browser dies, so it looks again until quiet passes in a row find
// nothing, for at most a second. One pass is enough after killGroup, which
// no fork escapes.
func killLeftovers(dir string, quiet int) {
	deadline := time.Now().Add(time.Second)
	for n := 0; n < quiet && time.Now().Before(deadline); {
		if killUsing(dir) == 0 {
			n++
		} else {
			n = 0
		}
		if n < quiet {
			time.Sleep(2 * time.Millisecond)
		}
	}
}

// killUsing kills (SIGKILL) the processes that use the profile dir
// (findUsing) and returns how many it found.
func killUsing(dir string) int {
	pids := findUsing(dir)
	killAll(pids)
	return len(pids)
}

func killAll(pids []int) {
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// findUsing returns the processes started with --user-data-dir=dir or with
// an argument naming a path inside dir (the crash handler's --database).
// Chromium's helpers rewrite their command line as one string, arguments
// separated by spaces, so a match ends at a NUL, a space or the end.
// Reading the command line of a process being killed waits for its memory
// to be torn down: look before killing.
func findUsing(dir string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self := os.Getpid()
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err == nil && usesProfile(cmdline, dir) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// groupOptions start the browser in a process group of its own (and, as
// chromedp does, with SIGKILL as its parent-death signal), so that
// killGroup stops the browser and every helper it forked in one call,
// atomically with respect to their forks. record receives the command.
func groupOptions(record func(*exec.Cmd)) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{chromedp.ModifyCmdFunc(func(cmd *exec.Cmd) {
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
		record(cmd)
	})}
}

// killGroup kills the process group of a browser started with
// groupOptions. The crash handler runs in a session of its own: killUsing
// finds it.
func killGroup(p *os.Process) { _ = syscall.Kill(-p.Pid, syscall.SIGKILL) }
