package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
)

// itemsOptions are linkexplorer items' settings, shared by its
// subcommands.
type itemsOptions struct {
	f      *factory
	common commonFlags
	json   bool
	args   []string
}

// newCmdItems lists the Items in the session log: linkexplorer items.
func newCmdItems(f *factory, runF func(*itemsOptions) error) *cobra.Command {
	opts := &itemsOptions{f: f}
	cmd := &cobra.Command{
		Use:   "items",
		Short: "List the Items linked so far, and act on one (inspect, fire a webhook, reset its login, remove)",
		Long: `Lists the Items linkexplorer linked, newest first, with their status and
masked access_token (the full token never leaves the session log). The
subcommands act on one Item through the same recorded client as the flows:
each call, with its request_id, joins the session log.`,
		Example: `  linkexplorer items                         # the Items, newest first
  linkexplorer items --json
  linkexplorer items inspect ITEM_ID         # /item/get and /accounts/get
  linkexplorer items fire-webhook ITEM_ID SYNC_UPDATES_AVAILABLE
  linkexplorer items reset-login ITEM_ID     # ITEM_LOGIN_REQUIRED, for update mode
  linkexplorer items remove ITEM_ID`,
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listItems(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the Items as JSON")
	cmd.Flags().StringVar(&opts.common.stateDir, "state-dir", "", "`directory` of the session log (default $LINKEXPLORER_HOME, else $XDG_STATE_HOME/linkexplorer, else ~/.local/state/linkexplorer)")
	cmd.AddCommand(newCmdItemsInspect(f, nil), newCmdItemsFireWebhook(f, nil), newCmdItemsResetLogin(f, nil), newCmdItemsRemove(f, nil))
	return cmd
}

// itemJSON is an Item as items --json prints it.
type itemJSON struct {
	ItemID          string    `json:"item_id"`
	InstitutionID   string    `json:"institution_id"`
	InstitutionName string    `json:"institution_name"`
	Mode            string    `json:"mode"`
	Status          string    `json:"status"`
	AccessToken     string    `json:"access_token"` // masked
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

func listItems(o *itemsOptions) error {
	dir, err := stateDir(o.common.stateDir)
	if err != nil {
		return err
	}
	st, err := store.OpenForReading(dir)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals()...)
	defer stop()
	items, err := st.Items(ctx)
	if err != nil {
		return err
	}
	if o.json {
		out := make([]itemJSON, 0, len(items))
		for _, it := range items {
			out = append(out, itemJSON{it.ItemID, it.InstitutionID, it.InstitutionName, it.Mode, it.Status, it.AccessTokenMasked, it.CreatedAt, it.UpdatedAt})
		}
		return writeJSON(o.f.out, out)
	}
	if len(items) == 0 {
		fmt.Fprintln(o.f.out, "No Items yet: link one with `linkexplorer run quickstart` (or the Quickstart in the terminal app).")
		return nil
	}
	tw := tabwriter.NewWriter(o.f.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ITEM_ID\tINSTITUTION\tSTATUS\tMODE\tACCESS_TOKEN\tUPDATED")
	for _, it := range items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", it.ItemID, dash(firstOf(it.InstitutionName, it.InstitutionID)), it.Status, it.Mode,
			dash(it.AccessTokenMasked), it.UpdatedAt.Local().Format("2006-01-02 15:04:05"))
	}
	return tw.Flush()
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// itemActionCmd is the shape of the subcommands that act on an Item: the
// Env's flags, --json, and the Item's id (and more) as arguments.
func itemActionCmd(f *factory, use, short, long, example string, nargs int, run func(*itemsOptions) error) (*cobra.Command, *itemsOptions) {
	opts := &itemsOptions{f: f}
	cmd := &cobra.Command{
		Use: use, Short: short, Long: long, Example: example,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != nargs {
				return usageErrorf("%s takes %d argument(s): %s", cmd.Name(), nargs, strings.TrimPrefix(use, cmd.Name()+" "))
			}
			return nil
		},
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.args = args
			return run(opts)
		},
	}
	opts.common.register(cmd)
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the outcome as JSON")
	return cmd, opts
}

// newCmdItemsInspect: linkexplorer items inspect ITEM_ID.
func newCmdItemsInspect(f *factory, runF func(*itemsOptions) error) *cobra.Command {
	cmd, _ := itemActionCmd(f, "inspect ITEM_ID", "Show an Item as /item/get and /accounts/get see it",
		"Calls /item/get and /accounts/get with the Item's access_token: institution, products, consent\nexpiration, error, webhook, and the accounts with masks and balances, with each request_id.",
		"  linkexplorer items inspect ITEM_ID\n  linkexplorer items inspect ITEM_ID --json", 1,
		func(o *itemsOptions) error {
			if runF != nil {
				return runF(o)
			}
			return runItemAction(o, "inspect", func(ctx context.Context, env *flows.Env) (any, []flows.Call, error) {
				ins, err := env.InspectItem(ctx, o.args[0])
				return ins, ins.Calls, err
			})
		})
	return cmd
}

// newCmdItemsFireWebhook: linkexplorer items fire-webhook ITEM_ID CODE.
func newCmdItemsFireWebhook(f *factory, runF func(*itemsOptions) error) *cobra.Command {
	var codes []string
	for _, c := range flows.FirableWebhooks {
		codes = append(codes, c.Code)
	}
	cmd, _ := itemActionCmd(f, "fire-webhook ITEM_ID CODE", "Have Sandbox fire one of an Item's webhooks",
		"Calls /sandbox/item/fire_webhook. Offline, the webhook comes to linkexplorer's receiver, which\nchecks its signature and records it; the command waits a little for it. Codes: "+strings.Join(codes, ", ")+".",
		"  linkexplorer items fire-webhook ITEM_ID SYNC_UPDATES_AVAILABLE\n  linkexplorer items fire-webhook ITEM_ID NEW_ACCOUNTS_AVAILABLE --json", 2,
		func(o *itemsOptions) error {
			if _, ok := flows.WebhookChoiceFor(o.args[1]); !ok {
				if _, swapped := flows.WebhookChoiceFor(o.args[0]); swapped {
					o.args[0], o.args[1] = o.args[1], o.args[0]
				} else {
					return &usageError{err: fmt.Errorf("unknown webhook code %q: use one of %s", o.args[1], strings.Join(codes, ", ")),
						suggest: closest(o.args[1], codes)}
				}
			}
			if runF != nil {
				return runF(o)
			}
			return runItemAction(o, "fire-webhook", func(ctx context.Context, env *flows.Env) (any, []flows.Call, error) {
				res, err := env.FireWebhook(ctx, o.args[0], o.args[1])
				return res, res.Calls, err
			})
		})
	return cmd
}

// newCmdItemsResetLogin: linkexplorer items reset-login ITEM_ID.
func newCmdItemsResetLogin(f *factory, runF func(*itemsOptions) error) *cobra.Command {
	cmd, _ := itemActionCmd(f, "reset-login ITEM_ID", "Put an Item in ITEM_LOGIN_REQUIRED, ready for update mode",
		"Calls /sandbox/item/reset_login: the Item needs its user to log in again until update mode\nrepairs it (linkexplorer run update-mode, or \"Use for update mode\" in the terminal app).",
		"  linkexplorer items reset-login ITEM_ID", 1,
		func(o *itemsOptions) error {
			if runF != nil {
				return runF(o)
			}
			return runItemAction(o, "reset-login", func(ctx context.Context, env *flows.Env) (any, []flows.Call, error) {
				res, err := env.ResetLogin(ctx, o.args[0])
				return res, res.Calls, err
			})
		})
	return cmd
}

// newCmdItemsRemove: linkexplorer items remove ITEM_ID.
func newCmdItemsRemove(f *factory, runF func(*itemsOptions) error) *cobra.Command {
	cmd, _ := itemActionCmd(f, "remove ITEM_ID", "Remove an Item with /item/remove (its access_token stops working)",
		"Calls /item/remove. The access_token stops working for good; the session log marks the Item\nremoved and keeps its history.",
		"  linkexplorer items remove ITEM_ID", 1,
		func(o *itemsOptions) error {
			if runF != nil {
				return runF(o)
			}
			return runItemAction(o, "remove", func(ctx context.Context, env *flows.Env) (any, []flows.Call, error) {
				res, err := env.RemoveItem(ctx, o.args[0])
				return res, res.Calls, err
			})
		})
	return cmd
}

// callJSON is a call as --json prints it.
type callJSON struct {
	Endpoint   string `json:"endpoint"`
	HTTPStatus int    `json:"http_status"`
	RequestID  string `json:"request_id"`
	ErrorCode  string `json:"error_code,omitempty"`
}

// runItemAction sets up the Env, runs act in a session of its own
// ("items:ACTION"), and prints the outcome with every request_id.
func runItemAction(o *itemsOptions, action string, act func(context.Context, *flows.Env) (any, []flows.Call, error)) (err error) {
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals()...)
	defer stop()
	o.common.browser = "none" // no Link here
	a, err := setup(ctx, &o.common, o.f.errOut)
	if err != nil {
		return err
	}
	defer func() { err = joinClose(err, a.Close()) }()
	mode := store.ModeEmulated
	if a.cfg.Mode == flows.ModePlaid {
		mode = store.ModePlaid
	}
	sess, err := a.store.StartSession(ctx, "items:"+action, mode)
	if err != nil {
		return err
	}
	out, calls, actErr := act(flows.WithSession(ctx, sess.ID), a.env)
	status, summary := store.SessionOK, action+" "+o.args[0]
	if actErr != nil {
		status, summary = store.SessionFailed, summary+": "+actErr.Error()
	}
	if err := a.store.EndSession(context.Background(), sess.ID, status, summary); err != nil {
		return errors.Join(actErr, err)
	}
	var cj []callJSON
	for _, c := range calls {
		cj = append(cj, callJSON{c.Endpoint, c.HTTPStatus, c.RequestID, c.ErrorCode})
	}
	if o.json {
		doc := map[string]any{"item_id": o.args[0], "action": action, "session": sess.ID, "calls": cj}
		if actErr != nil {
			doc["error"] = actErr.Error()
		} else {
			doc["result"] = out
		}
		if err := writeJSON(o.f.out, doc); err != nil {
			return err
		}
	} else {
		printItemOutcome(o.f.out, out, actErr)
		if len(calls) > 0 {
			tw := tabwriter.NewWriter(o.f.out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "request_ids:")
			for _, c := range cj {
				fmt.Fprintf(tw, "  %s\t%s\tHTTP %d %s\n", c.Endpoint, dash(c.RequestID), c.HTTPStatus, c.ErrorCode)
			}
			tw.Flush()
		}
		fmt.Fprintf(o.f.out, "session log: linkexplorer log --session %s\n", sess.ID)
	}
	if actErr != nil {
		if ex, ok := flows.ExplanationOf(actErr); ok {
			return fmt.Errorf("%w. What to do: %s", actErr, ex.NextStep)
		}
		return actErr
	}
	return nil
}

// printItemOutcome prints an action's outcome for people.
func printItemOutcome(w io.Writer, out any, err error) {
	if err != nil {
		return // the error is the command's, on stderr
	}
	switch v := out.(type) {
	case flows.ItemInspection:
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "item_id\t%s\n", v.ItemID)
		fmt.Fprintf(tw, "institution\t%s\n", strings.TrimSpace(v.InstitutionName+" ("+v.InstitutionID+")"))
		fmt.Fprintf(tw, "status\t%s\n", v.Status)
		fmt.Fprintf(tw, "products\t%s\n", dash(strings.Join(v.Products, ", ")))
		fmt.Fprintf(tw, "available_products\t%s\n", dash(strings.Join(v.Available, ", ")))
		consent := "none"
		if v.ConsentExpiration != nil {
			consent = v.ConsentExpiration.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "consent_expiration\t%s\n", consent)
		fmt.Fprintf(tw, "webhook\t%s\n", dash(v.Webhook))
		if v.Error != nil {
			fmt.Fprintf(tw, "error\t%s: %s\n", v.Error.Code, v.Error.Message)
		} else {
			fmt.Fprintf(tw, "error\tnone\n")
		}
		tw.Flush()
		if v.AccountsErr != nil {
			fmt.Fprintf(w, "accounts: %v\n", v.AccountsErr)
			return
		}
		fmt.Fprintf(w, "accounts (%d):\n", len(v.Accounts))
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, a := range v.Accounts {
			fmt.Fprintf(tw, "  %s ••%s\t%s/%s\tcurrent %s\tavailable %s %s\n", a.Name, a.Mask, a.Type, a.Subtype, amount(a.Current), amount(a.Available), a.Currency)
		}
		tw.Flush()
	case flows.ItemActionResult:
		fmt.Fprintf(w, "Item %s: done; status %s\n", v.ItemID, dash(v.Status))
		if wh := v.Webhook; wh != nil {
			fmt.Fprintf(w, "webhook received: %s %s (%s)\n", wh.WebhookType, wh.WebhookCode, dash(wh.Signature))
		}
		for _, n := range v.Notes {
			fmt.Fprintln(w, n)
		}
	}
}

func amount(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", *v)
}
