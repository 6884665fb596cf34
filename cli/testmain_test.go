package cli

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	// moduleRoot is the repository's root, where "go build" makes the
	// linkexplorer binary; read before any test changes directory.
	moduleRoot string
)

func TestMain(m *testing.M) {
	if wd, err := os.Getwd(); err == nil {
		moduleRoot = filepath.Dir(wd)
	}
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}
