package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// FileName is the name of the database file inside the state directory.
const FileName = "linkexplorer.db"

// busyTimeout is how long SQLite waits for another connection's lock
// before a statement fails with SQLITE_BUSY.
const busyTimeout = 5 * time.Second

// busyRetries is how many times a write is tried again after SQLITE_BUSY
// outlasted busyTimeout.
const busyRetries = 4

// ErrNotFound is returned when a session, entry or Item does not exist.
var ErrNotFound = errors.New("not found")

// Store is the session log: a SQLite database in the state directory. It is
// safe for concurrent use by many goroutines, and several processes may use
// the same file at once.
type Store struct {
	db      *sql.DB
	path    string
	wmu     sync.Mutex // serialises this process's writers; SQLite serialises processes
	inserts *inserts   // prepared once, bound to each write transaction; nil when read-only
	// readOnly is set by OpenReadOnly: every write fails with ErrReadOnly.
	readOnly bool
}

// DefaultDir returns the state directory: $LINKEXPLORER_HOME, else
// $XDG_STATE_HOME/linkexplorer, else ~/.local/state/linkexplorer.
func DefaultDir() (string, error) {
	if d := os.Getenv("LINKEXPLORER_HOME"); d != "" {
		return d, nil
	}
	// The XDG spec says a relative path is invalid and must be ignored.
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "linkexplorer"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the state directory: %w; set LINKEXPLORER_HOME or use --state-dir", err)
	}
	return filepath.Join(home, ".local", "state", "linkexplorer"), nil
}

// Open opens the store in dir, creating dir (mode 0700) and the database
// (mode 0600) when they do not exist, and bringing the schema up to date.
// Several processes may open the same new directory at once.
func Open(dir string) (*Store, error) {
	s, err := open(dir)
	if err != nil {
		return nil, fmt.Errorf("%w; choose another state directory with --state-dir or LINKEXPLORER_HOME", err)
	}
	return s, nil
}

func open(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("opening the session log: no state directory given")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the state directory: %w", err)
	}
	path, err := filepath.Abs(filepath.Join(dir, FileName))
	if err != nil {
		return nil, fmt.Errorf("opening the session log: %w", err)
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("opening the session log %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	ctx := context.Background()
	if err = s.setup(ctx); err == nil {
		s.inserts, err = prepareInserts(ctx, db)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("opening the session log %s: %w", path, err)
	}
	// Tidying up after processes that died is best effort: a failure here
	// loses nothing, and the next open tries again.
	_ = s.endAbandoned(ctx)
	return s, nil
}

// createPrivate creates the database file with mode 0600 before SQLite
// opens it (SQLite gives the -wal and -shm files the same mode), and makes
// an existing file private again.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("creating the session log: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("creating the session log: %w", err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("making %s private: %w", p, err)
		}
	}
	return nil
}

// dsn is the connection string for an absolute path: a file: URI, so that
// any character may appear in the path.
//
// synchronous=FULL: in WAL mode NORMAL already survives a process crash
// (kill -9) with every commit intact, but after a power loss or OS crash it
// may drop the last commits. FULL syncs the WAL on each commit, so a
// committed entry survives those too, and a log written at the pace of API
// calls can afford the fsync.
func dsn(path string) string {
	q := url.Values{}
	for _, p := range []string{
		fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()),
		"synchronous(FULL)",
		"foreign_keys(ON)",
	} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate") // take the write lock at BEGIN: no deadlocking upgrades
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	return u.String()
}

// setup switches the database to WAL mode (which the file keeps) and
// brings its schema up to date. While another process creates the same
// file, SQLite may answer "database is locked" at once, without waiting
// the busy timeout: that is tried again.
func (s *Store) setup(ctx context.Context) error {
	return s.retryBusy(ctx, func() error {
		var mode string
		if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
			return err
		}
		if mode != "wal" {
			return fmt.Errorf("the database stayed in %s journal mode; WAL mode is needed (is the directory on a network file system?)", mode)
		}
		return s.migrate(ctx)
	})
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Close closes the store. Running queries first end.
func (s *Store) Close() error {
	if s.readOnly {
		return s.db.Close()
	}
	s.inserts.close()
	// Refreshing the planner's statistics is best effort.
	_, _ = s.db.Exec("PRAGMA optimize")
	return s.db.Close()
}

// write runs fn in an IMMEDIATE transaction, committing atomically, and
// tries again while another process holds the write lock for longer than
// the busy timeout.
func (s *Store) write(ctx context.Context, fn func(*sql.Tx) error) error {
	if s.readOnly {
		return fmt.Errorf("%w (%s)", ErrReadOnly, s.path)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.retryBusy(ctx, func() error { return s.writeOnce(ctx, fn) })
}

// retryBusy runs fn, and again after a short random pause while it fails
// with SQLITE_BUSY, a few times.
func (s *Store) retryBusy(ctx context.Context, fn func() error) error {
	var err error
	for attempt := 0; ; attempt++ {
		err = fn()
		if !isBusy(err) || attempt == busyRetries {
			break
		}
		backoff := time.Duration(50+rand.IntN(200)) * time.Millisecond
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
	}
	if isBusy(err) {
		return fmt.Errorf("the session log %s stayed locked by another process: %w; close other linkexplorer instances and try again", s.path, err)
	}
	return err
}

func (s *Store) writeOnce(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// isForeignKey reports whether err is a violated foreign key.
func isForeignKey(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	code := se.Code() & 0xff
	return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
}
