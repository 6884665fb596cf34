package cli

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/linkexplorer/linkexplorer/store"
)

// nobody is the user the read-only test runs the binary as when the test
// runs as root, for whom permission bits do not apply.
const nobody = 65534

// TestBinaryLogReadsReadOnlyStore runs `linkexplorer log` on a session
// log it may not write: in a directory without write permission (SQLite
// cannot create the -wal and -shm files there), in a read-only file, and
// both. It lists the entries and leaves the directory as it was. As root
// (a container), the binary runs as nobody, to whom the modes apply.
func TestBinaryLogReadsReadOnlyStore(t *testing.T) {
	asRoot := os.Geteuid() == 0
	for _, tc := range []struct {
		name            string
		dirMode, dbMode os.FileMode
	}{
		{"read-only directory", 0o500, 0o600},
		{"read-only file", 0o700, 0o400},
		{"read-only directory and file", 0o500, 0o400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A tree that nobody can traverse, with the binary in it.
			root, err := os.MkdirTemp("", "linkexplorer-ro")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				_ = filepath.Walk(root, func(p string, _ os.FileInfo, _ error) error { return os.Chmod(p, 0o700) })
				os.RemoveAll(root)
			})
			if err := os.Chmod(root, 0o755); err != nil {
				t.Fatal(err)
			}
			bin := filepath.Join(root, "linkexplorer")
			copyFile(t, buildBinary(t), bin, 0o755)
			dir := filepath.Join(root, "state")
			st, err := store.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			sess, err := st.StartSession(ctx, "flow:quickstart", store.ModeEmulated)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.AddCall(ctx, store.APICall{SessionID: sess.ID, Method: "POST", Endpoint: "/link/token/create", HTTPStatus: 200, RequestID: "req-read-only-7"}); err != nil {
				t.Fatal(err)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			db := filepath.Join(dir, store.FileName)
			before := listDir(t, dir)
			if asRoot {
				for _, p := range []string{dir, db} {
					if err := os.Chown(p, nobody, nobody); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := os.Chmod(db, tc.dbMode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, tc.dirMode); err != nil {
				t.Fatal(err)
			}

			ctx, cancel := deadlineContext(t)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "log", "--state-dir", dir, "--request-id", "req-read-only-7")
			cmd.Dir = root
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + root}
			if asRoot {
				cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
			}
			var out, errOut strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &errOut
			if err := cmd.Run(); err != nil {
				t.Fatalf("log on a %s: %v\nstdout:\n%s\nstderr:\n%s", tc.name, err, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), "req-read-only-7") || !strings.Contains(out.String(), "/link/token/create") {
				t.Errorf("log on a %s did not list the entry:\n%s", tc.name, out.String())
			}
			if after := listDir(t, dir); after != before {
				t.Errorf("log changed the database:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// TestOpenReadOnlyRefusesWrites checks the read-only store in the
// process: a store opened read-only reads and refuses every write.
func TestOpenReadOnlyRefusesWrites(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sess, err := st.StartSession(ctx, "app", store.ModeEmulated)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddCall(ctx, store.APICall{SessionID: sess.ID, Method: "POST", Endpoint: "/item/get", RequestID: "req-ro"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	ro, err := store.OpenReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if !ro.ReadOnly() {
		t.Error("ReadOnly() is false")
	}
	if n, err := ro.Count(ctx, store.Filter{RequestID: "req-ro"}); err != nil || n != 1 {
		t.Errorf("Count = %d, %v; want 1", n, err)
	}
	if _, err := ro.AddCall(ctx, store.APICall{SessionID: sess.ID, Method: "POST", Endpoint: "/item/get"}); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("a write to a read-only store: %v, want a read-only error", err)
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// listDir describes the database file of a directory (name, size,
// modification time), and fails the test if any file there is readable by
// others: SQLite's read-only mode may add -wal and -shm files beside a
// read-only database in a writable directory, with the database's mode.
func listDir(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v: open to others", e.Name(), info.Mode().Perm())
		}
		if e.Name() == store.FileName {
			b.WriteString(e.Name() + " " + info.ModTime().String() + " " + strconv.FormatInt(info.Size(), 10))
		}
	}
	return b.String()
}
