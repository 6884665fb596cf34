package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
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
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
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
