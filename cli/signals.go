package cli

import (
	"os"
	"os/signal"
	"syscall"

	tea "github.com/charmbracelet/bubbletea"
)

// stopSignals end a command cleanly: Ctrl-C, SIGTERM, and SIGHUP (the
// terminal window closed, or an ssh connection dropped). Each command then
// records its run as stopped, rather than leaving it "running" in the log.
func stopSignals() []os.Signal { return []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP} }

// quitOnHangup quits p when its terminal goes away (SIGHUP), as q would
// after the run was stopped; bubbletea itself handles only SIGINT and
// SIGTERM. The returned func stops listening.
func quitOnHangup(p *tea.Program) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		select {
		case <-ch:
			p.Quit()
		case <-done:
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}
