//go:build !unix

package termbg

import (
	"os"
	"time"
)

// Query is not made here (the Windows console reports no background
// colour this way): $COLORFGBG or the choice decide.
func Query(in, out *os.File, timeout time.Duration) QueryResult {
	return QueryResult{Why: "the terminal is not asked on this system"}
}
