package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
)

// callOptions are linkexplorer call's settings.
type callOptions struct {
	f      *factory
	common commonFlags
	path   string
	itemID string
	body   string // JSON, "-" for stdin, "" for the pre-filled body
	list   bool
	stdin  io.Reader
}

// newCmdCall calls one API operation: linkexplorer call OPERATION_PATH.
func newCmdCall(f *factory, runF func(*callOptions) error) *cobra.Command {
	opts := &callOptions{f: f, stdin: os.Stdin}
	cmd := &cobra.Command{
		Use:   "call OPERATION_PATH",
		Short: "Call any Plaid API operation, with an Item's access_token filled in, and record it",
		Long: `Calls one operation of Plaid's API schema (any of its 251, e.g. /item/get)
as the terminal app's API console does, and prints the response with its
status, duration and request_id, and the explanation of a Plaid error.
Without --body the request is pre-filled from the schema (its required
fields). With --item, the Item's access_token from the session log goes in
wherever the body says "<the Item's access_token>"; it is never printed.
The call is recorded in the session log like the flows' calls. Offline it
goes to the embedded emulator (whose Items persist in the state
directory); in plaid mode to Plaid's Sandbox. Exit status 1 when Plaid
answers with an error.`,
		Example: `  linkexplorer call --list                          # every operation, with its summary
  linkexplorer call /item/get --item ITEM_ID
  linkexplorer call /accounts/balance/get --item ITEM_ID --body '{"access_token": "<the Item'"'"'s access_token>"}'
  echo '{"institution_id": "ins_109508", "initial_products": ["auth"]}' | linkexplorer call /sandbox/public_token/create --body -`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.list && len(args) == 0:
				return nil
			case len(args) != 1:
				return usageErrorf("call takes one operation path, e.g. /item/get (linkexplorer call --list lists them)")
			}
			return nil
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			ops, _ := flows.ConsoleOps()
			var out []cobra.Completion
			for _, op := range ops {
				out = append(out, op.Path+"\t"+op.Summary)
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.path = args[0]
			}
			if err := opts.common.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			if opts.list {
				return listOps(f.out)
			}
			ctx, stop := signal.NotifyContext(context.Background(), stopSignals()...)
			defer stop()
			return runCall(ctx, opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.itemID, "item", "", "the Item (item_id) whose access_token replaces \"<the Item's access_token>\" in the body")
	fs.StringVar(&opts.body, "body", "", "the request body as JSON, or - to read it from standard input (default: pre-filled from the schema)")
	fs.BoolVar(&opts.list, "list", false, "list every operation with its summary, and exit")
	fs.StringVar(&opts.common.mode, "mode", "", "emulated (offline; the default unless PLAID_CLIENT_ID and PLAID_SECRET are set) or plaid (Plaid's Sandbox with your keys)")
	fs.StringVar(&opts.common.plaidURL, "plaid-url", "", "in plaid mode, the API base URL (overrides PLAID_API_URL)")
	fs.StringVar(&opts.common.stateDir, "state-dir", "", "`directory` of the session log (default $LINKEXPLORER_HOME, else $XDG_STATE_HOME/linkexplorer, else ~/.local/state/linkexplorer)")
	opts.common.browser, opts.common.callbackAddr = string(flows.BrowserNone), "127.0.0.1:0"
	_ = cmd.RegisterFlagCompletionFunc("mode", cobra.FixedCompletions(modeChoices(), cobra.ShellCompDirectiveNoFileComp))
	completeNoFile(cmd, "item", "body", "plaid-url")
	_ = cmd.MarkFlagDirname("state-dir")
	return cmd
}

func listOps(w io.Writer) error {
	ops, err := flows.ConsoleOps()
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, op := range ops {
		fmt.Fprintf(&b, "%-48s %s\n", op.Path, op.Summary)
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// runCall sends the call, recorded in a session of its own, and prints
// the answer.
func runCall(ctx context.Context, o *callOptions) error {
	if !strings.HasPrefix(o.path, "/") {
		return usageErrorf("%q is not an operation path: paths start with /, e.g. /item/get (linkexplorer call --list lists them)", o.path)
	}
	body, err := o.requestBody()
	if err != nil {
		return err
	}
	if err := flows.CheckConsoleBody(body); err != nil {
		return err
	}
	a, err := setup(ctx, &o.common, o.f.errOut)
	if err != nil {
		return err
	}
	defer a.Close()
	req := flows.ConsoleRequest{Path: o.path, Body: body, ItemID: o.itemID}
	if bytes.Contains(body, []byte(flows.AccessTokenPlaceholder)) {
		if o.itemID == "" {
			return usageErrorf("the body asks for the Item's access_token: pass --item ITEM_ID (the Items are on the app's Home), or put an access_token in the body")
		}
		if req.AccessToken, err = a.store.AccessToken(ctx, o.itemID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("%w: the session log knows no such Item with a token; run a flow (linkexplorer run quickstart) to create one", err)
			}
			return err
		}
	}
	sess, err := a.store.StartSession(ctx, "call", string(a.cfg.Mode))
	if err != nil {
		return err
	}
	res, sendErr := flows.SendConsole(flows.WithSession(ctx, sess.ID), a.env.Client, req)
	status := store.SessionOK
	if sendErr != nil || !res.OK() {
		status = store.SessionFailed
	}
	summary := fmt.Sprintf("POST %s: %s", o.path, callStatus(res))
	if err := a.store.EndSession(context.WithoutCancel(ctx), sess.ID, status, summary); err != nil {
		fmt.Fprintf(o.f.errOut, "linkexplorer call: recording the session: %v\n", err)
	}
	if sendErr != nil {
		return fmt.Errorf("POST %s: %s", o.path, flows.ExplainError(sendErr))
	}
	printCall(o.f.out, o.path, res)
	if !res.OK() {
		return &exitError{code: exitFailure}
	}
	return nil
}

func (o *callOptions) requestBody() ([]byte, error) {
	switch o.body {
	case "":
		return flows.Prefill(o.path)
	case "-":
		b, err := io.ReadAll(o.stdin)
		if err != nil {
			return nil, fmt.Errorf("reading the body from standard input: %w", err)
		}
		return b, nil
	}
	return []byte(o.body), nil
}

func callStatus(r flows.ConsoleResult) string {
	c := r.Call
	s := fmt.Sprintf("%d %s · %s", c.HTTPStatus, http.StatusText(c.HTTPStatus), flows.FormatDuration(c.Duration))
	if c.RequestID != "" {
		s += " · request_id " + c.RequestID
	}
	if c.ErrorCode != "" {
		s += " · " + c.ErrorCode
	}
	return s
}

// printCall prints the answer: status line, the explanation of an error,
// then the (masked) body.
func printCall(w io.Writer, path string, r flows.ConsoleResult) {
	var b strings.Builder
	fmt.Fprintf(&b, "POST %s → %s\n", path, callStatus(r))
	if c := r.Call; c.ErrorCode != "" {
		fmt.Fprintf(&b, "%s: %s\n", c.ErrorCode, c.ErrorMessage)
		if r.Explained {
			fmt.Fprintf(&b, "What it means: %s\nWhat to do: %s\nDocs: %s\n", r.Explanation.Meaning, r.Explanation.NextStep, r.Explanation.Docs)
		}
	}
	if len(r.Response) > 0 {
		b.Write(r.Response)
		b.WriteString("\n")
	}
	_, _ = io.WriteString(w, b.String())
}
