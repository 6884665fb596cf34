//go:build !linux

package headless

import (
	"os"
	"os/exec"

	"github.com/chromedp/chromedp"
)

// killLeftovers does nothing here: Chromium's helpers end with the browser
// process on the other systems linkexplorer supports.
func killLeftovers(string, int) {}

// findUsing finds nothing here either (see killLeftovers).
func findUsing(string) []int { return nil }

func killAll([]int) {}

// groupOptions adds nothing here: chromedp's defaults apply.
func groupOptions(func(*exec.Cmd)) []chromedp.ExecAllocatorOption { return nil }

// killGroup kills the browser process only.
func killGroup(p *os.Process) { _ = p.Kill() }
