package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
)

// ErrReadOnly is returned by the writes of a store opened read-only.
var ErrReadOnly = errors.New("the session log is open read-only")

// OpenForReading opens the store in dir for a reader such as `log`: as Open
// does when it can, and read-only when the store cannot be written (a
// directory or file without write permission, a read-only file system, a
// copy someone was sent). It never creates the directory or the file: a
// missing store is an error that says so.
func OpenForReading(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("opening the session log: no state directory given")
	}
	path, err := filepath.Abs(filepath.Join(dir, FileName))
	if err != nil {
		return nil, fmt.Errorf("opening the session log: %w", err)
	}
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Open(dir) // a new store: created (and empty), as before
		}
		return nil, fmt.Errorf("opening the session log %s: %w", path, err)
	}
	s, err := Open(dir)
	if err == nil {
		return s, nil
	}
	ro, roErr := OpenReadOnly(dir)
	if roErr != nil {
		return nil, err // the first error says best what is wrong
	}
	return ro, nil
}

// OpenReadOnly opens an existing store without writing to it, in
// SQLite's read-only mode; when that cannot open it either (a WAL-mode
// database whose directory does not let SQLite create the shared-memory
// file), as an immutable file, which reads the main database file only:
// entries still in a write-ahead log left by a process that died are then
// not seen. Its writes fail with ErrReadOnly.
func OpenReadOnly(dir string) (*Store, error) {
	path, err := filepath.Abs(filepath.Join(dir, FileName))
	if err != nil {
		return nil, fmt.Errorf("opening the session log: %w", err)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("opening the session log %s read-only: %w", path, err)
	}
	var firstErr error
	for _, param := range []string{"mode", "immutable"} {
		s, err := openRO(path, param)
		if err == nil {
			return s, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, fmt.Errorf("opening the session log %s read-only: %w", path, firstErr)
}

func openRO(path, param string) (*Store, error) {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "query_only(1)")
	if param == "mode" {
		q.Set("mode", "ro")
	} else {
		q.Set("immutable", "1")
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, err
	}
	var v int
	if err := db.QueryRowContext(context.Background(), "PRAGMA user_version").Scan(&v); err != nil {
		db.Close()
		return nil, err
	}
	if v != len(migrations) {
		db.Close()
		return nil, fmt.Errorf("its schema is version %d and this linkexplorer reads version %d; open it once with write access (or with a matching linkexplorer) to bring it up to date", v, len(migrations))
	}
	return &Store{db: db, path: path, readOnly: true}, nil
}

// ReadOnly reports whether the store was opened read-only.
func (s *Store) ReadOnly() bool { return s.readOnly }
