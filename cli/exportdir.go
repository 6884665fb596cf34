package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// exportDirEnv is the environment variable of --export-dir.
const exportDirEnv = "LINKEXPLORER_EXPORT_DIR"

// registerExportDir adds --export-dir, for the commands that open the
// terminal app, whose exports (the session log, the migration report) are
// written where the user says.
func (f *commonFlags) registerExportDir(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.exportDir, "export-dir", "", "`directory` the terminal app's exports offer first; it asks before writing (default $"+exportDirEnv+", else ~/Downloads if it exists, else the working directory)")
	_ = cmd.MarkFlagDirname("export-dir")
}

// resolveExportDir is the directory the export prompt offers first:
// --export-dir, else $LINKEXPLORER_EXPORT_DIR, else the Downloads directory
// ($XDG_DOWNLOAD_DIR, or ~/Downloads) when it exists, else the working
// directory. A directory the user named must exist: the error says which
// setting named it.
func resolveExportDir(flagValue string, getenv func(string) string) (string, error) {
	named, from := flagValue, "--export-dir"
	if named == "" {
		named, from = getenv(exportDirEnv), "$"+exportDirEnv
	}
	if named != "" {
		abs, err := filepath.Abs(named)
		if err != nil {
			return "", usageErrorf("%s %q: %v", from, named, err)
		}
		if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
			return "", usageErrorf("%s %q is not a directory: create it, or name an existing one", from, named)
		}
		return abs, nil
	}
	for _, d := range downloadDirs(getenv) {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			return d, nil
		}
	}
	cwd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding the working directory for exports: %w (pass --export-dir)", err)
	}
	return cwd, nil
}

// downloadDirs are the user's Downloads directories, most specific first.
func downloadDirs(getenv func(string) string) []string {
	var out []string
	if d := getenv("XDG_DOWNLOAD_DIR"); filepath.IsAbs(d) {
		out = append(out, d)
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		out = append(out, filepath.Join(home, "Downloads"))
	}
	return out
}
