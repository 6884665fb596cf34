#!/usr/bin/env bash
# Real-terminal smoke test of the terminal app: tmux runs the built binary
# (offline, --browser auto, a fresh state directory), keys are sent, the pane
# is captured and its text checked, through one complete quickstart. It also
# prints how long the first frame took to appear after start.
#
# Needs tmux, and Chromium for --browser auto (skipped without it unless CI is
# set). Usage: bash .ci/smoke-tmux.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v tmux >/dev/null 2>&1; then
  echo "smoke: tmux is not installed (apt-get install tmux)" >&2
  exit 1
fi
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then
  if [ -n "${CI:-}" ]; then
    echo "smoke: no Chromium for --browser auto (apt-get install chromium)" >&2
    exit 1
  fi
  echo "smoke: skipped, no Chromium for --browser auto (set CI=1 to make this a failure)"
  exit 0
fi

work=$(mktemp -d)
sock="linkexplorer-smoke-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
bin="$work/linkexplorer"
state="$work/state"
mkdir -p "$work/cwd" "$work/exports" "$work/tmp" "$work/tmp2"

echo "== smoke: building"
go build -o "$bin" .

pane() { tmux -L "$sock" capture-pane -p -t smoke; }

fail() {
  echo "smoke: FAILED: $*" >&2
  echo "----- pane -----" >&2
  pane >&2 || true
  echo "----------------" >&2
  exit 1
}

# No step has a budget of its own: a busy machine makes the smoke test
# slow, never failed. Only a hang fails it, when the whole test has run for
# SMOKE_BUDGET seconds (default 900), with what it waited for.
budget=${SMOKE_BUDGET:-900}
deadline=$((SECONDS + budget))

# until_true WHAT CMD...: run CMD every 50 ms until it succeeds; fail with
# WHAT when the smoke test's budget runs out.
until_true() {
  local what=$1
  shift
  until "$@"; do
    if ((SECONDS >= deadline)); then
      fail "gave up after ${budget}s (SMOKE_BUDGET) waiting for $what"
    fi
    sleep 0.05
  done
}

shows() { grep -qF -- "$1" <<<"$(pane)"; }

# wait_for TEXT: wait until the pane shows TEXT.
wait_for() { until_true "the pane to show \"$1\"" shows "$1"; }

keys() { tmux -L "$sock" send-keys -t smoke "$@"; }

# Start in an empty directory (no .env) with no Plaid keys: offline.
start=$(date +%s%N)
tmux -L "$sock" new-session -d -s smoke -x 100 -y 30 -c "$work/cwd" \
  "env -u PLAID_CLIENT_ID -u PLAID_SECRET TMPDIR='$work/tmp' '$bin' --browser auto --state-dir '$state' --export-dir '$work/exports'; echo \"EXIT=\$?\"; sleep 600"
until grep -qF "FLOWS" <<<"$(pane)" || ((SECONDS >= deadline)); do
  sleep 0.005
done
first_ms=$(( ($(date +%s%N) - start) / 1000000 ))
wait_for "Emulated sandbox (offline)"
echo "== smoke: first frame seen after ${first_ms} ms (tmux start, process start, embedded emulator, store, UI, seen by polling the pane; bench/tui.sh measures it precisely)"

wait_for "Quickstart"
keys Enter
wait_for "run: Create a link_token"
keys Enter
wait_for "step 2 of 5"
keys Enter
wait_for "step 3 of 5"
grep -qF "HANDOFF" <<<"$(pane)" || fail "the Link step shows no HANDOFF event"
keys Enter
wait_for "step 4 of 5"
keys Enter
wait_for "step 5 of 5"
keys Enter
# The run summary opens by itself when the run ends; esc goes back to the flow.
wait_for "Run summary"
keys Escape
wait_for "Quickstart finished"

# The last step as code: the Go tab, copied to the clipboard.
keys v
wait_for "1 curl"
keys 6
wait_for "plaid-go v20"
keys c
wait_for "copied the Go code"
keys Escape
wait_for "Quickstart finished"

# The session log lists the run's calls.
keys Tab
wait_for "Session log ·"
wait_for "POST /auth/get"

# An export asks where, offering --export-dir, and writes there only.
keys x
wait_for "as: m Markdown"
keys m
wait_for "to directory: $work/exports"
keys Enter
wait_for "exported to $work/exports/linkexplorer-log-"
ls "$work/exports"/linkexplorer-log-*.md >/dev/null 2>&1 || fail "no export in --export-dir"
[ -z "$(ls -A "$work/cwd")" ] || fail "the export wrote into the working directory: $(ls -A "$work/cwd")"

# Home's Items: focus them, open the quickstart's Item, inspect it, copy a request_id.
keys Tab
wait_for "FLOWS"
keys i
wait_for "▸ First Platypus Bank"
keys Enter
wait_for "Use for update mode"
keys i
wait_for "request_ids (c copies"
wait_for "Plaid Checking"
keys c
wait_for "copied request_id"
keys Escape
wait_for "enter item actions"
keys Escape

# Too small, then back.
tmux -L "$sock" resize-window -t smoke -x 50 -y 15
wait_for "please enlarge"
tmux -L "$sock" resize-window -t smoke -x 100 -y 30
wait_for "Session log ·"

keys q
wait_for "EXIT=0"
profiles() { find "$1" -maxdepth 1 \( -name 'linkexplorer-chromium-*' -o -name 'org.chromium.Chromium.*' \) | wc -l; }
[ "$(profiles "$work/tmp")" = 0 ] || fail "headless Chromium's profile is left in TMPDIR after quitting: $(ls "$work/tmp")"

# Quitting while Link is open in headless Chromium removes its temporary
# profile.
tmux -L "$sock" new-session -d -s midlink -x 100 -y 30 -c "$work/cwd" \
  "env -u PLAID_CLIENT_ID -u PLAID_SECRET TMPDIR='$work/tmp2' '$bin' --browser auto --state-dir '$state'; echo \"EXIT=\$?\"; sleep 600"
pane() { tmux -L "$sock" capture-pane -p -t midlink; }
keys() { tmux -L "$sock" send-keys -t midlink "$@"; }
wait_for "FLOWS"
keys Enter
wait_for "run: Create a link_token"
keys Enter
wait_for "step 2 of 5"
keys Enter
has_profile() { [ "$(profiles "$work/tmp2")" -ge 1 ]; }
until_true "headless Chromium's profile to appear" has_profile
keys q
wait_for "Quit and abandon the"
keys y
wait_for "EXIT=0"
[ "$(profiles "$work/tmp2")" = 0 ] || fail "quitting mid-Link left headless Chromium's profile: $(ls "$work/tmp2")"
tmux -L "$sock" kill-session -t midlink

# The run is in the store, as the CLI sees it.
logged=$("$bin" log --state-dir "$state")
grep -qF "POST /auth/get" <<<"$logged" || fail "linkexplorer log does not list /auth/get"

# 60×20, the smallest size the issue names: on the log the run's request
# ids stay (REQUEST_ID is the last column to give way), and the footer keeps
# "? help" and "q quit".
tmux -L "$sock" new-session -d -s small -x 60 -y 20 -c "$work/cwd" \
  "env -u PLAID_CLIENT_ID -u PLAID_SECRET '$bin' --browser none --state-dir '$state'; echo \"EXIT=\$?\"; sleep 600"
pane() { tmux -L "$sock" capture-pane -p -t small; }
keys() { tmux -L "$sock" send-keys -t small "$@"; }
wait_for "FLOWS"
wait_for "? help"
wait_for "q quit"
keys Tab
wait_for "Session log ·"
wait_for "REQUEST_ID"
wait_for "/auth/get"
keys '?'
wait_for "q quit"
keys Escape
# 200×50, the largest size the issue names: the log uses the width, with a
# LINK_SESSION_ID column beside the request ids.
tmux -L "$sock" resize-window -t small -x 200 -y 50
wait_for "LINK_SESSION_ID"
wait_for "REQUEST_ID"
wait_for "/auth/get"
keys q
wait_for "EXIT=0"
echo "== smoke: 60x20 ok (the log keeps REQUEST_ID; the footer keeps ? help and q quit), 200x50 ok (LINK_SESSION_ID appears)"

# A light background: tmux answers OSC 11 with the pane's window-style, so
# the app must pick the light palette (termenv never asks inside tmux). The
# body text's colour (#1F2328) is checked in the pane's escapes. CI is unset
# in the pane: termenv takes a set CI to mean "not a terminal" and drops
# every colour, which is right for a CI log and wrong for this real pane.
light_state="$work/light-state"
tmux -L "$sock" new-session -d -s light -x 100 -y 30 -c "$work/cwd" "sleep 600"
tmux -L "$sock" set-option -w -t light window-style 'bg=#ffffff,fg=#000000'
tmux -L "$sock" respawn-pane -k -t light \
  "env -u CI -u PLAID_CLIENT_ID -u PLAID_SECRET -u COLORFGBG -u LINKEXPLORER_THEME COLORTERM=truecolor '$bin' --browser none --debug --state-dir '$light_state'; echo \"EXIT=\$?\"; sleep 600"
pane() { tmux -L "$sock" capture-pane -p -t light; }
keys() { tmux -L "$sock" send-keys -t light "$@"; }
wait_for "FLOWS"
palette=$(grep -F "msg=palette" "$light_state/debug.log" || true)
grep -qF "theme=light source=osc11" <<<"$palette" || fail "on a light tmux pane the palette is not light from OSC 11: ${palette:-no palette line in the debug log}"
escapes() { grep -qF "38;2;31;35;40m" <<<"$(tmux -L "$sock" capture-pane -p -e -t light)"; }
until_true "the light palette's text colour (#1F2328) in the pane" escapes
keys q
wait_for "EXIT=0"
echo "== smoke: light background ok ($palette)"

# Closing the terminal mid-run (tmux kills the window: SIGHUP, the tty gone)
# still ends the run in the log as cancelled, not left "running".
tmux -L "$sock" new-session -d -s hangup -x 100 -y 30 -c "$work/cwd" \
  "env -u PLAID_CLIENT_ID -u PLAID_SECRET '$bin' --browser none --state-dir '$state'"
hangup_pane() { tmux -L "$sock" capture-pane -p -t hangup; }
hangup_shows() { grep -qF -- "$1" <<<"$(hangup_pane)"; }
pane() { hangup_pane; } # what fail prints from here on
until_true "the second app to show its flows" hangup_shows "FLOWS"
tmux -L "$sock" send-keys -t hangup Enter
until_true "the second run to start" hangup_shows "run: Create a link_token"
tmux -L "$sock" send-keys -t hangup Enter
until_true "the second run to reach step 2" hangup_shows "step 2 of 5"
tmux -L "$sock" kill-session -t hangup
gone() { ! pgrep -f -- "--browser none --state-dir $state" >/dev/null; }
until_true "the second app to exit after its terminal closed" gone
last=$("$bin" log --state-dir "$state" --last --md)
grep -qE '\| flow:quickstart \|.*\| cancelled \|' <<<"$last" || { echo "$last" >&2; fail "after the terminal closed, the run is not recorded as cancelled"; }
echo "== smoke: ok (quickstart through the terminal app; an export in --export-dir; no Chromium profile left after quitting mid-Link; closing the terminal mid-run records the run as cancelled; the quickstart's Item inspected from Home, a request_id copied)"
