package tui

import (
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/charmbracelet/bubbles/spinner"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
)

// common is the context every screen shares: styles, keys, services and
// clock. Screens read it; only the root changes it.
type common struct {
	styles styles
	keys   keyMaps

	env       *flows.Env     // nil in screen tests: no flow can start
	store     *store.Store   // nil: no Items, no log
	control   *flows.Control // nil against real Plaid
	banner    string
	exportDir string
	sessionID string // the app's session, for requests from the user's own app
	log       *slog.Logger

	now       func() time.Time
	spinner   spinner.Spinner
	clipboard io.Writer // where OSC 52 copy sequences go
	lastID    int       // the last id handed out by nextID
}

// newCommon builds the shared context from the options.
func newCommon(opts Options) *common {
	c := &common{
		styles:    newStyles(),
		keys:      newKeyMaps(),
		env:       opts.Env,
		banner:    opts.Banner,
		exportDir: opts.ExportDir,
		sessionID: opts.SessionID,
		log:       opts.Logger,
		now:       time.Now,
		spinner:   spinner.MiniDot,
		clipboard: opts.Clipboard,
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.clipboard == nil {
		c.clipboard = os.Stdout
	}
	if c.env != nil {
		c.store, c.control = c.env.Store, c.env.Control
		if c.banner == "" {
			c.banner = c.env.Config.Describe()
		}
	}
	return c
}

// emulated reports whether the emulator's control API is at hand.
func (c *common) emulated() bool { return c.control != nil }

// nextID hands out ids for timers and requests, so that a reply to an
// abandoned one can be told apart. Only the UI goroutine calls it.
func (c *common) nextID() int {
	c.lastID++
	return c.lastID
}
