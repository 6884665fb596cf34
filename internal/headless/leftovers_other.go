//go:build !linux

package headless

// killLeftovers does nothing here: Chromium's helpers end with the browser
// process on the other systems linkexplorer supports.
func killLeftovers(string) {}
