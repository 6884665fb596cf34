package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/signal"
	"strings"
	"text/tabwriter"

	"github.com/linkexplorer/linkexplorer/store"
)

const logUsage = `Usage: linkexplorer log [--session ID | --last] [filters] [--json | --csv | --md] [flags]

Prints the session log (API calls, Link events, webhooks), newest first.
--md is ready to paste into a Plaid support ticket: request ids,
link_session_ids, timestamps and error codes, with no secrets. The text
listing shows --limit entries; --json, --csv and --md export every entry
that matches.

Flags:
`

// logOptions are the parsed flags of the log command.
type logOptions struct {
	session, requestID, linkSessionID, itemID, errorCode, stateDir string
	last                                                           bool
	format                                                         store.Format // "" is the text listing
	limit                                                          int
}

// cmdLog prints the session log: linkexplorer log [flags].
func cmdLog(args []string, stdout, stderr io.Writer) int {
	opts, fs, err := parseLogArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "linkexplorer log:", err)
		fs.Usage()
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals...)
	defer stop()
	if err := printLog(ctx, opts, stdout); err != nil {
		fmt.Fprintln(stderr, "linkexplorer log:", err)
		return exitFailure
	}
	return exitOK
}

func parseLogArgs(args []string, stderr io.Writer) (logOptions, *flag.FlagSet, error) {
	var o logOptions
	fs := newFlagSet("linkexplorer log", logUsage, stderr)
	fs.StringVar(&o.session, "session", "", "only this session (a run of a flow or of the app)")
	fs.BoolVar(&o.last, "last", false, "only the most recent session")
	fs.StringVar(&o.requestID, "request-id", "", "only the entry with this Plaid request_id")
	fs.StringVar(&o.linkSessionID, "link-session-id", "", "only the events of this Link session")
	fs.StringVar(&o.itemID, "item-id", "", "only entries about this Item")
	fs.StringVar(&o.errorCode, "error-code", "", "only entries with this error code, e.g. INVALID_LINK_TOKEN")
	fs.StringVar(&o.stateDir, "state-dir", "", "directory of the session log (default $LINKEXPLORER_HOME, else $XDG_STATE_HOME/linkexplorer, else ~/.local/state/linkexplorer)")
	fs.IntVar(&o.limit, "limit", store.DefaultPageSize, fmt.Sprintf("how many entries the text listing shows (at most %d)", store.MaxPageSize))
	asJSON := fs.Bool("json", false, "export as one JSON document, bodies included (masked)")
	asCSV := fs.Bool("csv", false, "export as CSV, one row per entry")
	asMD := fs.Bool("md", false, "export as Markdown for a Plaid support ticket")
	if err := fs.Parse(args); err != nil {
		return o, fs, err
	}
	limitSet := false
	fs.Visit(func(f *flag.Flag) { limitSet = limitSet || f.Name == "limit" })
	var formats []store.Format
	for _, f := range []struct {
		on bool
		f  store.Format
	}{{*asJSON, store.FormatJSON}, {*asCSV, store.FormatCSV}, {*asMD, store.FormatMarkdown}} {
		if f.on {
			formats = append(formats, f.f)
		}
	}
	switch {
	case fs.NArg() > 0:
		return o, fs, fmt.Errorf("unexpected arguments %q", fs.Args())
	case len(formats) > 1:
		return o, fs, errors.New("choose one of --json, --csv and --md")
	case o.last && o.session != "":
		return o, fs, errors.New("--session and --last both name a session: use one")
	case o.limit < 1 || o.limit > store.MaxPageSize:
		return o, fs, fmt.Errorf("--limit must be between 1 and %d", store.MaxPageSize)
	case limitSet && len(formats) > 0:
		return o, fs, errors.New("--limit applies to the text listing; --json, --csv and --md export every matching entry (narrow them with --session or the other filters)")
	}
	if len(formats) == 1 {
		o.format = formats[0]
	}
	return o, fs, nil
}

// printLog opens the store and prints what the options select.
func printLog(ctx context.Context, o logOptions, w io.Writer) error {
	dir, err := stateDir(o.stateDir)
	if err != nil {
		return err
	}
	st, err := store.Open(dir)
	if err != nil {
		return err
	}
	defer st.Close()
	f := store.Filter{
		SessionID: o.session, RequestID: o.requestID, LinkSessionID: o.linkSessionID,
		ItemID: o.itemID, ErrorCode: strings.ToUpper(o.errorCode),
	}
	if o.last {
		sess, err := st.LastSession(ctx)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("the session log in %s has no sessions yet: run a flow first (linkexplorer run quickstart)", dir)
		}
		if err != nil {
			return err
		}
		f.SessionID = sess.ID
	}
	if o.format != "" {
		return st.Export(ctx, w, o.format, f)
	}
	return listEntries(ctx, st, f, o.limit, w)
}

// listEntries prints one page of entries as an aligned table.
func listEntries(ctx context.Context, st *store.Store, f store.Filter, limit int, w io.Writer) error {
	page, err := st.Entries(ctx, store.Query{Filter: f, Limit: limit})
	if err != nil {
		return err
	}
	if len(page.Entries) == 0 {
		_, err := fmt.Fprintln(w, "No entries match.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tSESSION\tKIND\tWHAT\tSTATUS\tREQUEST_ID\tLINK_SESSION_ID\tERROR")
	for _, e := range page.Entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			e.Time().Local().Format("2006-01-02 15:04:05.000"), dash(e.SessionID()), e.Kind,
			dash(e.Title()), dash(e.Status()), dash(e.RequestID()), dash(e.LinkSessionID()), dash(e.ErrorCode()))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if page.More {
		_, err = fmt.Fprintf(w, "(showing the newest %d; use --limit, a filter, or --md/--json/--csv to see more)\n", len(page.Entries))
	}
	return err
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
