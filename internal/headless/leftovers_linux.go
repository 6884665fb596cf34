//go:build linux

package headless

import (
	"os/exec"

	"bytes"
	"github.com/chromedp/chromedp"
	"os"
	"strconv"
	"syscall"
	"time"
)

// killLeftovers kills the processes of the browser whose profile is dir
// (killUsing): Chromium's helpers (zygote, network service, renderers,
// crash handler) can outlive the browser process that was killed, and
// write into the profile directory after it is removed. A helper can fork
// as the browser dies, so it looks again until a few passes in a row find
// nothing, for at most a second.
func killLeftovers(dir string) {
	deadline := time.Now().Add(time.Second)
	for quiet := 0; quiet < 3 && time.Now().Before(deadline); {
		if killUsing(dir) == 0 {
			quiet++
		} else {
			quiet = 0
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// killUsing kills (SIGKILL) every process started with --user-data-dir=dir
// or with an argument naming a path inside dir (the crash handler's
// --database), and returns how many it found. Chromium's helpers rewrite
// their command line as one string, arguments separated by spaces, so a
// match ends at a NUL, a space or the end.
func killUsing(dir string) int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	self, n := os.Getpid(), 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err == nil && usesProfile(cmdline, dir) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			n++
		}
	}
	return n
}

// usesProfile reports whether a /proc/PID/cmdline names the profile dir:
// --user-data-dir=dir as a whole argument, or a path inside dir.
func usesProfile(cmdline []byte, dir string) bool {
	if bytes.Contains(cmdline, []byte(dir+"/")) {
		return true
	}
	flag := []byte("--user-data-dir=" + dir)
	for rest := cmdline; ; {
		i := bytes.Index(rest, flag)
		if i < 0 {
			return false
		}
		rest = rest[i+len(flag):]
		if len(rest) == 0 || rest[0] == 0 || rest[0] == ' ' {
			return true
		}
	}
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
