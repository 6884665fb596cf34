package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/signal"

	"github.com/spf13/cobra"

	"github.com/linkexplorer/linkexplorer/emulator"
)

// emulatorOptions are linkexplorer emulator's settings.
type emulatorOptions struct {
	f                      *factory
	addr, clientID, secret string
	state, logFormat       string
	allowRemote            bool
	redirectURIs           []string
}

// logFormats are the values of the emulator's --log-format.
func logFormats() []cobra.Completion {
	return []cobra.Completion{"text\tkey=value lines", "json\tone JSON object a line"}
}

// newCmdEmulator serves the emulator on its own until Ctrl-C, SIGTERM or
// SIGHUP: linkexplorer emulator [flags].
func newCmdEmulator(f *factory, runF func(*emulatorOptions) error) *cobra.Command {
	opts := &emulatorOptions{f: f}
	cmd := &cobra.Command{
		Use:   "emulator",
		Short: "Serve the offline Plaid Sandbox emulator on its own",
		Long: `Serves the offline emulator of Plaid's Sandbox, for your own app: the same
API over HTTP, which the official clients use unchanged, the emulated Link
at /link/v2/stable/link-initialize.js, signed webhooks, and the control API
under /__emulator/. It prints exactly one line on stdout,
"emulator listening on http://…", then logs to stderr. Ctrl-C or SIGTERM
shuts it down cleanly. A bad address or an occupied port exits with code 2.`,
		Example: `  linkexplorer emulator                                   # http://127.0.0.1:7878
  linkexplorer emulator --addr 127.0.0.1:0 --state emulator.json
  linkexplorer emulator --client-id my-id --secret my-secret --log-format json`,
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			if (opts.clientID == "") != (opts.secret == "") {
				return usageErrorf("--client-id and --secret go together; pass both to enforce credentials, or neither to accept any pair")
			}
			if opts.logFormat != "text" && opts.logFormat != "json" {
				return &usageError{err: fmt.Errorf("unknown --log-format %q: use text or json", opts.logFormat),
					suggest: closest(opts.logFormat, choiceNames(logFormats()))}
			}
			if runF != nil {
				return runF(opts)
			}
			return serveEmulator(opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.addr, "addr", "127.0.0.1:7878", "address to listen on; port 0 picks a free port")
	fs.BoolVar(&opts.allowRemote, "allow-remote", false, "allow a non-loopback --addr and any Host header (the emulator has no real security)")
	fs.StringVar(&opts.clientID, "client-id", "", "accept only this client_id (with --secret); default: any pair")
	fs.StringVar(&opts.secret, "secret", "", "accept only this secret (with --client-id)")
	fs.StringVar(&opts.state, "state", "", "persist Items and tokens in this `file`, so a restart keeps them")
	fs.StringVar(&opts.logFormat, "log-format", "text", "log format on stderr: text or json")
	fs.StringArrayVar(&opts.redirectURIs, "redirect-uri", nil, "add a `uri` to the redirect_uri allowlist (repeatable; loopback URIs with the paths /oauth-return, /, /oauth, /oauth.html and /oauth-response.html are allowed on any port without it)")
	_ = cmd.RegisterFlagCompletionFunc("log-format", cobra.FixedCompletions(logFormats(), cobra.ShellCompDirectiveNoFileComp))
	completeNoFile(cmd, "addr", "client-id", "secret", "redirect-uri")
	return cmd
}

// serveEmulator listens, serves until a stop signal, and stops cleanly.
func serveEmulator(opts *emulatorOptions) error {
	logger := newLogger(opts.f.errOut, opts.logFormat)
	ln, err := emulator.Listen(opts.addr, opts.allowRemote)
	if err != nil {
		return &exitError{code: exitUsage, err: err} // a bad or busy --addr, as documented
	}
	emu, err := emulator.New(emulator.Options{
		ClientID:     opts.clientID,
		Secret:       opts.secret,
		RedirectURIs: opts.redirectURIs,
		StateFile:    opts.state,
		Logger:       logger,
		AllowRemote:  opts.allowRemote,
	})
	if err != nil {
		ln.Close()
		if errors.Is(err, emulator.ErrStateNotWritable) {
			return &exitError{code: exitUsage, err: err} // a bad --state, like a bad --addr
		}
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals()...)
	defer stop()
	fmt.Fprintf(opts.f.out, "emulator listening on http://%s\n", ln.Addr())
	if err := emu.Serve(ctx, ln); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	logger.Info("emulator stopped")
	return nil
}

// newLogger returns a slog logger writing to w in format (text or json).
func newLogger(w io.Writer, format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}
