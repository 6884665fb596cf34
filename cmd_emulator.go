package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os/signal"
	"strings"

	"github.com/linkexplorer/linkexplorer/emulator"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// cmdEmulator serves the emulator on its own until SIGINT or SIGTERM.
func cmdEmulator(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("linkexplorer emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:7878", "address to listen on; port 0 picks a free port")
	allowRemote := fs.Bool("allow-remote", false, "allow a non-loopback --addr and any Host header (the emulator has no real security)")
	clientID := fs.String("client-id", "", "accept only this client_id (with --secret); default: any pair")
	secret := fs.String("secret", "", "accept only this secret (with --client-id)")
	state := fs.String("state", "", "persist Items and tokens in this file, so a restart keeps them")
	logFormat := fs.String("log-format", "text", "log format on stderr: text or json")
	var redirects stringList
	fs.Var(&redirects, "redirect-uri", "add a redirect_uri to the allowlist (repeatable; http://localhost URIs are always allowed)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if (*clientID == "") != (*secret == "") {
		fmt.Fprintln(stderr, "linkexplorer emulator: --client-id and --secret go together; pass both to enforce credentials, or neither to accept any pair")
		return exitUsage
	}
	logger, err := newLogger(stderr, *logFormat)
	if err != nil {
		fmt.Fprintln(stderr, "linkexplorer emulator:", err)
		return exitUsage
	}

	ln, err := emulator.Listen(*addr, *allowRemote)
	if err != nil {
		fmt.Fprintln(stderr, "linkexplorer emulator:", err)
		return exitUsage
	}
	emu, err := emulator.New(emulator.Options{
		ClientID:     *clientID,
		Secret:       *secret,
		RedirectURIs: redirects,
		StateFile:    *state,
		Logger:       logger,
		AllowRemote:  *allowRemote,
	})
	if err != nil {
		ln.Close()
		fmt.Fprintln(stderr, "linkexplorer emulator:", err)
		return exitFailure
	}

	ctx, stop := signal.NotifyContext(context.Background(), stopSignals...)
	defer stop()
	fmt.Fprintf(stdout, "emulator listening on http://%s\n", ln.Addr())
	if err := emu.Serve(ctx, ln); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "linkexplorer emulator:", err)
		return exitFailure
	}
	logger.Info("emulator stopped")
	return exitOK
}

// newLogger returns a slog logger writing to w in the given format.
func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, fmt.Errorf("unknown --log-format %q: use text or json", format)
}
