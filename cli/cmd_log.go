package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/signal"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/flows/codegen"
	"github.com/linkexplorer/linkexplorer/store"
)

// logOptions are linkexplorer log's settings.
type logOptions struct {
	f                                                              *factory
	session, requestID, linkSessionID, itemID, errorCode, stateDir string
	kind, source                                                   string
	last, summary                                                  bool
	formatName                                                     string
	asJSON, asCSV, asMD                                            bool
	format                                                         store.Format // "" is the text listing
	limit                                                          int
	code                                                           string
	lang                                                           codegen.Lang
}

// logExportFormats are the values of log's --format.
func logExportFormats() []cobra.Completion {
	return []cobra.Completion{
		"text\tan aligned listing of --limit entries",
		"json\tone JSON document, bodies included (masked)",
		"csv\tone row per entry",
		"md\tMarkdown for a Plaid support ticket",
	}
}

// newCmdLog prints the session log: linkexplorer log [flags].
func newCmdLog(f *factory, runF func(*logOptions) error) *cobra.Command {
	opts := &logOptions{f: f}
	cmd := &cobra.Command{
		Use:   "log",
		Short: "Print the session log, or export it for a Plaid support ticket",
		Long: `Prints the session log (API calls, Link events, webhooks), newest first.
--format md (or --md) is ready to paste into a Plaid support ticket: request
ids, link_session_ids, timestamps and error codes, with no secrets. The text
listing shows --limit entries; json, csv and md export every entry that
matches.`,
		Example: `  linkexplorer log                                  # the newest entries
  linkexplorer log --last --md                      # the last session, for a support ticket
  linkexplorer log --last --summary                 # the last run's summary, as Markdown
  linkexplorer log --error-code INVALID_LINK_TOKEN --format json
  linkexplorer log --source app                     # only your own app's requests to the emulator
  linkexplorer log --session SESSION_ID --csv > session.csv
  linkexplorer log --request-id REQUEST_ID --code python  # that call as plaid-python code`,
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.check(cmd.Flags().Changed("limit")); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			ctx, stop := signal.NotifyContext(context.Background(), stopSignals()...)
			defer stop()
			return printLog(ctx, *opts, f.out)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.session, "session", "", "only this session (a run of a flow or of the app)")
	fs.BoolVar(&opts.last, "last", false, "only the most recent session that has entries (or the last flow run); launches of the app that recorded nothing are skipped")
	fs.StringVar(&opts.requestID, "request-id", "", "only the entry with this Plaid request_id")
	fs.StringVar(&opts.linkSessionID, "link-session-id", "", "only the events of this Link session")
	fs.StringVar(&opts.itemID, "item-id", "", "only entries about this Item")
	fs.StringVar(&opts.errorCode, "error-code", "", "only entries with this error code, e.g. INVALID_LINK_TOKEN")
	fs.StringVar(&opts.kind, "kind", "", "only entries of this kind: call (linkexplorer's API calls), app (your own app's API calls), event (Link) or webhook")
	fs.StringVar(&opts.source, "source", "", "only entries made by: linkexplorer, app (your own app, seen by the emulator) or demo")
	fs.StringVar(&opts.stateDir, "state-dir", "", "`directory` of the session log (default $LINKEXPLORER_HOME, else $XDG_STATE_HOME/linkexplorer, else ~/.local/state/linkexplorer)")
	fs.IntVar(&opts.limit, "limit", store.DefaultPageSize, fmt.Sprintf("how many entries the text listing shows (at most %d)", store.MaxPageSize))
	fs.StringVar(&opts.formatName, "format", "text", "text (the listing), or export as json, csv or md")
	fs.BoolVar(&opts.asJSON, "json", false, "export as one JSON document, bodies included (masked): --format json")
	fs.BoolVar(&opts.asCSV, "csv", false, "export as CSV, one row per entry: --format csv")
	fs.BoolVar(&opts.asMD, "md", false, "export as Markdown for a Plaid support ticket: --format md")
	fs.BoolVar(&opts.summary, "summary", false, "print the run summary of --last or --session as Markdown (what happened, the Item, request_ids, link_session_ids, errors explained), for a support ticket")
	fs.StringVar(&opts.code, "code", "", "with --request-id: print that API call as code: curl, node, python, ruby, java or go (secrets read from environment variables)")
	_ = cmd.RegisterFlagCompletionFunc("code", cobra.FixedCompletions(codeLangs(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(logExportFormats(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("kind", cobra.FixedCompletions(logKinds(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("source", cobra.FixedCompletions(logSources(), cobra.ShellCompDirectiveNoFileComp))
	completeNoFile(cmd, "session", "request-id", "link-session-id", "item-id", "error-code", "limit")
	_ = cmd.MarkFlagDirname("state-dir")
	return cmd
}

// logKinds are the values of log's --kind, as the log shows them.
func logKinds() []cobra.Completion {
	return []cobra.Completion{
		"call\tlinkexplorer's own Plaid API calls",
		"app\tyour own app's Plaid API calls, seen by the emulator",
		"event\tLink's callbacks (onEvent, onSuccess, onExit) and page steps",
		"webhook\twebhooks received",
	}
}

// logSources are the values of log's --source.
func logSources() []cobra.Completion {
	return []cobra.Completion{
		"linkexplorer\twhat linkexplorer did: its calls, Link's events, webhooks",
		"app\tyour own app's calls to the emulator",
		"demo\twhat the demo's runs did",
	}
}

// check validates the flags and resolves the format.
func (o *logOptions) check(limitSet bool) error {
	o.kind, o.source = strings.ToLower(strings.TrimSpace(o.kind)), strings.ToLower(strings.TrimSpace(o.source))
	if o.kind != "" && !slices.Contains(choiceNames(logKinds()), o.kind) {
		return &usageError{err: fmt.Errorf("unknown --kind %q: use call (linkexplorer's API calls), app (your own app's), event or webhook", o.kind),
			suggest: closest(o.kind, choiceNames(logKinds()))}
	}
	if o.source != "" && !slices.Contains(choiceNames(logSources()), o.source) {
		return &usageError{err: fmt.Errorf("unknown --source %q: use linkexplorer, app (your own app) or demo", o.source),
			suggest: closest(o.source, choiceNames(logSources()))}
	}
	var formats []store.Format
	switch o.formatName {
	case "text":
	case "json", "csv", "md":
		formats = append(formats, store.Format(o.formatName))
	default:
		return &usageError{err: fmt.Errorf("unknown --format %q: use text, json, csv or md", o.formatName),
			suggest: closest(o.formatName, choiceNames(logExportFormats()))}
	}
	for _, f := range []struct {
		on bool
		f  store.Format
	}{{o.asJSON, store.FormatJSON}, {o.asCSV, store.FormatCSV}, {o.asMD, store.FormatMarkdown}} {
		if f.on && !slices.Contains(formats, f.f) {
			formats = append(formats, f.f)
		}
	}
	switch {
	case len(formats) > 1:
		return usageErrorf("choose one of --json, --csv and --md (or one --format)")
	case o.last && o.session != "":
		return usageErrorf("--session and --last both name a session: use one")
	case o.limit < 1 || o.limit > store.MaxPageSize:
		return usageErrorf("--limit must be between 1 and %d", store.MaxPageSize)
	case o.summary && len(formats) > 0:
		return usageErrorf("--summary prints its own Markdown: leave out --json, --csv, --md and --format")
	case o.summary && o.session == "" && !o.last:
		return usageErrorf("--summary needs the run to summarize: --last, or --session ID")
	case o.summary && (o.requestID != "" || o.linkSessionID != "" || o.itemID != "" || o.errorCode != ""):
		return usageErrorf("--summary covers a whole run: leave out --request-id, --link-session-id, --item-id and --error-code")
	case limitSet && len(formats) > 0:
		return usageErrorf("--limit applies to the text listing; --json, --csv and --md export every matching entry (narrow them with --session or the other filters)")
	}
	if len(formats) == 1 {
		o.format = formats[0]
	}
	if o.code != "" {
		lang, err := codegen.ParseLang(o.code)
		if err != nil {
			return &usageError{err: err, suggest: closest(o.code, choiceNames(codeLangs()))}
		}
		switch {
		case o.requestID == "":
			return usageErrorf("--code prints one API call: give its --request-id (linkexplorer log lists them)")
		case len(formats) > 0 || limitSet:
			return usageErrorf("--code prints code, not the log: drop --format, --json, --csv, --md and --limit")
		}
		o.lang = lang
	}
	return nil
}

// codeLangs are the values of --code.
func codeLangs() []cobra.Completion {
	out := make([]cobra.Completion, 0, len(codegen.Langs))
	for _, l := range codegen.Langs {
		out = append(out, cobra.CompletionWithDesc(string(l), l.Library()))
	}
	return out
}

// printCode prints the API call with the request_id as code in o.lang:
// the code on w, what to set before running it on notes.
func printCode(ctx context.Context, st *store.Store, dir string, o logOptions, w, notes io.Writer) error {
	page, err := st.Entries(ctx, store.Query{Filter: store.Filter{RequestID: o.requestID}, Limit: store.MaxPageSize, Bodies: true})
	if err != nil {
		return err
	}
	var call *store.APICall
	for _, e := range page.Entries {
		if e.Call != nil {
			call = e.Call
			break
		}
	}
	if call == nil {
		return fmt.Errorf("the session log in %s has no API call with request_id %s: linkexplorer log lists the request_ids it has", dir, o.requestID)
	}
	mode := store.ModeEmulated
	if sess, err := st.Session(ctx, call.SessionID); err == nil {
		mode = sess.Mode
	}
	snip, err := codegen.Generate(flows.CodeRequestFor(call, mode), o.lang)
	if err != nil {
		return fmt.Errorf("writing %s %s as %s: %w", call.Endpoint, o.requestID, o.lang, err)
	}
	if _, err := io.WriteString(w, snip.Code); err != nil {
		return err
	}
	for _, n := range snip.Notes {
		fmt.Fprintln(notes, "# "+n)
	}
	return nil
}

// printLog opens the store and prints what the options select.
func printLog(ctx context.Context, o logOptions, w io.Writer) error {
	dir, err := stateDir(o.stateDir)
	if err != nil {
		return err
	}
	// A log in a directory or file this user cannot write (another
	// user's, a read-only mount, a copy) is still read: read-only.
	st, err := store.OpenForReading(dir)
	if err != nil {
		return err
	}
	defer st.Close()
	f := store.Filter{
		SessionID: o.session, RequestID: o.requestID, LinkSessionID: o.linkSessionID,
		ItemID: o.itemID, ErrorCode: strings.ToUpper(o.errorCode), Kind: store.EntryKind(o.kind), Source: o.source,
	}
	if o.last {
		sess, err := st.LastRun(ctx)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("the session log in %s has no session with entries yet: run a flow first (linkexplorer run quickstart)", dir)
		}
		if err != nil {
			return err
		}
		f.SessionID = sess.ID
	}
	if o.summary {
		return printSummary(ctx, st, f.SessionID, w) // run_explain.go
	}
	if o.lang != "" {
		return printCode(ctx, st, dir, o, w, o.f.errOut)
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
			e.Time().Local().Format("2006-01-02 15:04:05.000"), dash(e.SessionID()), e.ShownKind(),
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
