//go:build ignore

// actiongraph summarises the file `go build -debug-actiongraph=FILE`
// writes: the compile time of each package (the "build" actions), the
// heaviest packages, the totals by module, and the link.
//
// Usage: go run bench/actiongraph.go [-top N] FILE
package main

import (
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

type action struct {
	Mode      string
	Package   string
	TimeStart time.Time
	TimeDone  time.Time
}

func main() {
	top := flag.Int("top", 15, "how many of the heaviest packages to list")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: go run bench/actiongraph.go [-top N] FILE")
		os.Exit(2)
	}
	data, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var actions []action
	if err := json.Unmarshal(data, &actions); err != nil {
		fmt.Fprintln(os.Stderr, "reading the action graph:", err)
		os.Exit(1)
	}
	type pkg struct {
		path string
		d    time.Duration
	}
	var pkgs []pkg
	byModule := map[string]time.Duration{}
	count := map[string]int{}
	var total, link time.Duration
	for _, a := range actions {
		if a.TimeStart.IsZero() || a.TimeDone.IsZero() {
			continue
		}
		d := a.TimeDone.Sub(a.TimeStart)
		switch a.Mode {
		case "build":
			pkgs = append(pkgs, pkg{a.Package, d})
			m := module(a.Package)
			byModule[m] += d
			count[m]++
			total += d
		case "link":
			link += d
		}
	}
	slices.SortFunc(pkgs, func(a, b pkg) int { return cmp.Compare(b.d, a.d) })
	fmt.Printf("packages compiled: %d, compile time summed over packages: %.1f s, link: %.1f s\n",
		len(pkgs), total.Seconds(), link.Seconds())
	fmt.Printf("heaviest packages (compile time, of %.1f s):\n", total.Seconds())
	for _, p := range pkgs[:min(*top, len(pkgs))] {
		fmt.Printf("  %6.1f s  %4.1f%%  %s\n", p.d.Seconds(), 100*p.d.Seconds()/total.Seconds(), p.path)
	}
	mods := make([]string, 0, len(byModule))
	for m := range byModule {
		mods = append(mods, m)
	}
	slices.SortFunc(mods, func(a, b string) int { return cmp.Compare(byModule[b], byModule[a]) })
	fmt.Println("by module (compile time, packages):")
	for _, m := range mods[:min(*top, len(mods))] {
		fmt.Printf("  %6.1f s  %4.1f%%  %3d  %s\n", byModule[m].Seconds(), 100*byModule[m].Seconds()/total.Seconds(), count[m], m)
	}
}

// module guesses a package's module from its path: "std" for the standard
// library, else the first three elements for github.com/owner/repo and
// golang.org/x/repo, two for other hosts (modernc.org/sqlite).
func module(path string) string {
	el := strings.Split(path, "/")
	switch {
	case !strings.Contains(el[0], "."):
		return "std"
	case (el[0] == "golang.org" || el[0] == "github.com") && len(el) >= 3:
		return strings.Join(el[:3], "/")
	case len(el) >= 2:
		return strings.Join(el[:2], "/")
	}
	return path
}
