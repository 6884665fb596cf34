package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/linkexplorer/linkexplorer/internal/testwait"
)

// The helper process: the test binary run again by the tests below, as a
// writer of its own into a store they share.
const (
	helperRole = "LINKEXPLORER_STORE_HELPER"      // "writer" or "looper"
	helperDir  = "LINKEXPLORER_STORE_HELPER_DIR"  // the state directory
	helperName = "LINKEXPLORER_STORE_HELPER_NAME" // prefixes the request ids
	helperRows = "LINKEXPLORER_STORE_HELPER_ROWS" // how many rows a writer adds
)

// TestHelperProcess is not a test: it is the body of the child processes.
// A writer adds a number of calls and exits; a looper adds calls until it
// is killed, printing the id of each one once it is committed.
func TestHelperProcess(t *testing.T) {
	role := os.Getenv(helperRole)
	if role == "" {
		t.Skip("the body of the child processes of other tests")
	}
	if err := runHelper(role); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

func runHelper(role string) error {
	ctx := context.Background()
	s, err := Open(os.Getenv(helperDir))
	if err != nil {
		return err
	}
	defer s.Close()
	sess, err := s.StartSession(ctx, "test:"+role, ModeEmulated)
	if err != nil {
		return err
	}
	rows, _ := strconv.Atoi(os.Getenv(helperRows))
	name := os.Getenv(helperName)
	body := []byte(`{"padding":"` + strings.Repeat("x", 3000) + `"}`) // spans pages, so a kill lands mid-write
	for i := 0; role == "looper" || i < rows; i++ {
		id, err := s.AddCall(ctx, APICall{SessionID: sess.ID, Endpoint: "/accounts/get", HTTPStatus: 200,
			RequestID: fmt.Sprintf("%s-%d", name, i), ResponseBody: body})
		if err != nil {
			return err
		}
		fmt.Printf("committed %d\n", id)
	}
	return nil
}

// helper returns the command that runs TestHelperProcess.
func helper(t *testing.T, role, dir, name string, rows int) *exec.Cmd {
	t.Helper()
	// The child is killed when the test's wait budget runs out, so a hung
	// child fails the test ("signal: killed") instead of hanging it.
	cmd := exec.CommandContext(testwait.Context(t), os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperRole+"="+role, helperDir+"="+dir, helperName+"="+name,
		helperRows+"="+strconv.Itoa(rows))
	cmd.Stderr = os.Stderr
	return cmd
}

// TestTwoProcessesWrite runs two writer processes at once on a new state
// directory: both open (and so migrate) it together, then insert
// concurrently. Every row of both must be there.
func TestTwoProcessesWrite(t *testing.T) {
	const rows = 150
	dir := filepath.Join(t.TempDir(), "shared")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, name := range []string{"one", "two"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := helper(t, "writer", dir, name, rows).Output()
			if err == nil && strings.Count(string(out), "committed ") != rows {
				err = fmt.Errorf("writer %s reported %d commits", name, strings.Count(string(out), "committed "))
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, name := range []string{"one", "two"} {
		for i := range rows {
			if n, err := s.Count(context.Background(), Filter{RequestID: fmt.Sprintf("%s-%d", name, i)}); err != nil || n != 1 {
				t.Fatalf("row %s-%d is there %d times (%v)", name, i, n, err)
			}
		}
	}
	if n, _ := s.Count(context.Background(), Filter{}); n != 2*rows {
		t.Errorf("%d rows, want %d", n, 2*rows)
	}
	checkIntegrity(t, s)
}

// TestKillMidWrite kills a writer with SIGKILL while it loops, then checks
// that the store opens, is intact, and holds every row the writer saw
// committed.
func TestKillMidWrite(t *testing.T) {
	dir := t.TempDir()
	cmd := helper(t, "looper", dir, "loop", 0)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var committed []int64
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		id, ok := strings.CutPrefix(sc.Text(), "committed ")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			t.Fatalf("bad line %q", sc.Text())
		}
		committed = append(committed, n)
		if len(committed) == 60 {
			cmd.Process.Kill() // SIGKILL; lines already written keep coming
		}
	}
	if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("the writer ended with %v, want killed", err)
	}
	if len(committed) < 60 {
		t.Fatalf("the writer committed only %d rows before it ended", len(committed))
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkIntegrity(t, s)
	for _, id := range committed {
		if _, err := s.Entry(context.Background(), id); err != nil {
			t.Errorf("committed entry %d: %v", id, err)
		}
	}
	// The killed writer's session is ended as abandoned, when it last wrote.
	sessions, err := s.Sessions(context.Background(), 0)
	if err != nil || len(sessions) != 1 {
		t.Fatalf("sessions after the kill: %+v, %v", sessions, err)
	}
	last, err := s.Entry(context.Background(), committed[len(committed)-1])
	if err != nil {
		t.Fatal(err)
	}
	if got := sessions[0]; got.Status != SessionAbandoned || got.EndedAt.Before(last.Time()) || got.Summary != abandonedSummary {
		t.Errorf("the killed writer's session = %+v, want abandoned, ended no earlier than its last commit at %v", got, last.Time())
	}
	// Its owner is gone with it: opening the store reads no more of it.
	if owners := ownerRows(t, s); len(owners) != 0 {
		t.Errorf("owners left after the abandoned session was ended: %v", owners)
	}
	// The store still takes writes.
	sess := startSession(t, s, "after the crash")
	if _, err := s.AddCall(context.Background(), APICall{SessionID: sess.ID, Endpoint: "/item/get"}); err != nil {
		t.Error(err)
	}
}

func checkIntegrity(t *testing.T, s *Store) {
	t.Helper()
	var res string
	if err := s.db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Errorf("integrity_check: %q, %v", res, err)
	}
}

// TestManyProcessesOpenANewStore starts several processes on one new state
// directory at once, a few times over: each must open it (creating,
// switching to WAL and migrating as it races the others) and write.
func TestManyProcessesOpenANewStore(t *testing.T) {
	const procs, rounds, rows = 6, 4, 2
	for round := range rounds {
		dir := filepath.Join(t.TempDir(), "new")
		var wg sync.WaitGroup
		errs := make([]error, procs)
		for i := range procs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = helper(t, "writer", dir, fmt.Sprintf("p%d", i), rows).Output()
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, process %d: %v", round, i, err)
			}
		}
		s, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		n, err := s.Count(context.Background(), Filter{})
		s.Close()
		if err != nil || n != procs*rows {
			t.Fatalf("round %d: %d rows (%v), want %d", round, n, err, procs*rows)
		}
	}
}

// TestAbandonedSessions: opening the store ends the running sessions whose
// process is gone on this host, and only those.
func TestAbandonedSessions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	alive := startSession(t, s, "alive")   // owned by this test process
	dead := startSession(t, s, "dead")     // will be owned by a process that exited
	remote := startSession(t, s, "remote") // a dead pid, but on another host
	legacy := startSession(t, s, "legacy") // no owner, as before schema v2
	ended := startSession(t, s, "ended")   // a dead owner, but ended properly
	if err := s.EndSession(ctx, ended.ID, SessionOK, "done"); err != nil {
		t.Fatal(err)
	}
	exited := exec.Command(os.Args[0], "-test.run=^$")
	if err := exited.Run(); err != nil {
		t.Fatal(err)
	}
	deadPID := exited.Process.Pid
	call, err := s.AddCall(ctx, APICall{SessionID: dead.ID, Endpoint: "/item/get", HTTPStatus: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE session_owners SET pid = ? WHERE session_id = ?`, []any{deadPID, dead.ID}},
		// An owner left behind by an earlier version, its process dead.
		{`INSERT INTO session_owners (session_id, host, pid) VALUES (?, ?, ?)`, []any{ended.ID, thisHost(), deadPID}},
		{`UPDATE session_owners SET pid = ?, host = 'elsewhere.example' WHERE session_id = ?`, []any{deadPID, remote.ID}},
		{`DELETE FROM session_owners WHERE session_id = ?`, []any{legacy.ID}},
	} {
		if _, err := s.db.Exec(q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	entry, err := s.Entry(ctx, call)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{alive.ID: SessionRunning, dead.ID: SessionAbandoned, remote.ID: SessionRunning,
		legacy.ID: SessionRunning, ended.ID: SessionOK}
	for id, status := range want {
		got, err := s.Session(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != status {
			t.Errorf("session %s: status %q, want %q", got.Kind, got.Status, status)
		}
		if id == dead.ID && (!got.EndedAt.Equal(entry.Time()) || got.Summary != abandonedSummary) {
			t.Errorf("the abandoned session ended at %v with %q, want its last entry's time %v", got.EndedAt, got.Summary, entry.Time())
		}
	}
}

// ownerRows lists session_owners as "session_id host pid".
func ownerRows(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.db.Query(`SELECT session_id, host, pid FROM session_owners ORDER BY session_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, host string
		var pid int
		if err := rows.Scan(&id, &host, &pid); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %s %d", id, host, pid))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOwnersOnlyOfRunningSessions: a session's owner row lives as long as
// the session runs, so that opening the store reads only those. Owner rows
// that linkexplorer before schema v4 left behind for ended sessions (on
// this host with a pid a live process has since taken, or on another host:
// rows endAbandoned itself would never remove) go when the store is
// migrated, and the sessions keep their status.
func TestOwnersOnlyOfRunningSessions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	running := startSession(t, s, "running")
	ended := startSession(t, s, "ended")
	remote := startSession(t, s, "ended elsewhere")
	for _, id := range []string{ended.ID, remote.ID} {
		if err := s.EndSession(ctx, id, SessionOK, "done"); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{fmt.Sprintf("%s %s %d", running.ID, thisHost(), os.Getpid())}
	if got := ownerRows(t, s); !slices.Equal(got, want) {
		t.Fatalf("owners after ending two of three sessions: %q, want only the running one's %q", got, want)
	}

	// The store as version 3 left it: owners of ended sessions kept.
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO session_owners (session_id, host, pid) VALUES (?, ?, ?)`, []any{ended.ID, thisHost(), os.Getpid()}},
		{`INSERT INTO session_owners (session_id, host, pid) VALUES (?, 'elsewhere.example', 1)`, []any{remote.ID}},
		{`PRAGMA user_version = 3`, nil},
	} {
		if _, err := s.db.Exec(q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	if s, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v := userVersion(t, s); v != len(migrations) {
		t.Fatalf("user_version %d after opening, want %d", v, len(migrations))
	}
	if got := ownerRows(t, s); !slices.Equal(got, want) {
		t.Errorf("owners after migrating a version 3 store: %q, want only the running one's %q", got, want)
	}
	for id, status := range map[string]string{running.ID: SessionRunning, ended.ID: SessionOK, remote.ID: SessionOK} {
		if got, err := s.Session(ctx, id); err != nil || got.Status != status {
			t.Errorf("session %s: %q (%v), want %q", id, got.Status, err, status)
		}
	}
	// The running session still ends as usual.
	if err := s.EndSession(ctx, running.ID, SessionOK, "done"); err != nil {
		t.Fatal(err)
	}
	if got := ownerRows(t, s); len(got) != 0 {
		t.Errorf("owners after every session ended: %q", got)
	}
}
