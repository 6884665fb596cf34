package tui

import (
	"sort"
	"strings"
)

// column is one column of a table: its title, its width, and its priority
// (columns of lower priority are dropped first when the table is too wide,
// and get room left over last). A width of 0 makes the column flexible: at
// least min cells (defaultMinFlex when 0), at most max (no cap when 0). A
// fixed column grows up to max when there is room (long values are then
// whole). A hidden column is left out. An optional column is shown only
// when the flexible one still gets want cells beside it.
type column struct {
	title    string
	width    int
	min      int
	max      int
	want     int
	priority int
	hidden   bool
	optional bool
}

// defaultMinFlex is the narrowest a flexible column gets by default.
const defaultMinFlex = 12

func (c column) minFlex() int {
	if c.min > 0 {
		return c.min
	}
	return defaultMinFlex
}

// layoutColumns fits cols into total cells: it returns the width of each
// column, 0 for a dropped one. Columns are separated by one space. Room
// left once every column has its width goes, by priority, to the columns
// that may grow (up to their max), and the rest stays blank at the right
// rather than stretching one column past a readable width.
func layoutColumns(cols []column, total int) []int {
	base := make([]column, len(cols))
	copy(base, cols)
	for i := range base {
		if base[i].optional {
			base[i].hidden = true
		}
	}
	widths := fitColumns(base, total)
	for i, c := range cols {
		if !c.optional || c.hidden {
			continue
		}
		// Shown only when the flexible column keeps what it wants beside it
		// (its room before its cap).
		flex, others, n := -1, 0, 0
		for j, b := range base {
			switch {
			case widths[j] == 0:
			case b.width == 0:
				flex, n = j, n+1
			default:
				others, n = others+widths[j], n+1
			}
		}
		if flex < 0 {
			continue
		}
		room := total - others - (n - 1)
		if room-c.width-1 >= max(cols[flex].want, cols[flex].minFlex()) {
			base[i].hidden = false
			widths = fitColumns(base, total)
		}
	}
	return grow(base, widths, total)
}

// grow gives the room left to the columns with a max, highest priority
// first, each up to its max.
func grow(cols []column, widths []int, total int) []int {
	used, n := 0, 0
	for _, w := range widths {
		if w > 0 {
			used += w
			n++
		}
	}
	left := total - used - max(n-1, 0)
	order := make([]int, 0, len(cols))
	for i := range cols {
		order = append(order, i)
	}
	sort.SliceStable(order, func(a, b int) bool { return cols[order[a]].priority > cols[order[b]].priority })
	for _, i := range order {
		c := cols[i]
		if left <= 0 || widths[i] == 0 || c.max <= widths[i] {
			continue
		}
		add := min(left, c.max-widths[i])
		widths[i] += add
		left -= add
	}
	return widths
}

// fitColumns drops the columns of lowest priority until cols fit total,
// and gives the flexible column the room left (up to its max).
func fitColumns(cols []column, total int) []int {
	widths := make([]int, len(cols))
	keep := make([]bool, len(cols))
	for i, c := range cols {
		keep[i] = !c.hidden
	}
	for {
		need, flex := 0, -1
		for i, c := range cols {
			if !keep[i] {
				continue
			}
			if c.width == 0 {
				flex, need = i, need+c.minFlex()+1
			} else {
				need += c.width + 1
			}
		}
		if need-1 <= total || !dropLowest(cols, keep) {
			for i, c := range cols {
				if keep[i] {
					widths[i] = c.width
				}
			}
			if flex >= 0 {
				m := cols[flex].minFlex()
				widths[flex] = max(total-(need-1)+m, m)
				if cols[flex].max > 0 {
					widths[flex] = min(widths[flex], max(cols[flex].max, m))
				}
			}
			return widths
		}
	}
}

// dropLowest removes the kept column of lowest priority; false when only
// one column is left.
func dropLowest(cols []column, keep []bool) bool {
	low, kept := -1, 0
	for i, c := range cols {
		if !keep[i] {
			continue
		}
		kept++
		if low < 0 || c.priority < cols[low].priority {
			low = i
		}
	}
	if kept <= 1 {
		return false
	}
	keep[low] = false
	return true
}

// tableRow lays out cells in the given widths, skipping dropped columns.
func tableRow(cells []string, widths []int) string {
	var parts []string
	for i, w := range widths {
		if w == 0 {
			continue
		}
		cell := ""
		if i < len(cells) {
			cell = cells[i]
		}
		parts = append(parts, pad(cell, w))
	}
	return strings.Join(parts, " ")
}

// tableHeader is the row of column titles.
func tableHeader(cols []column, widths []int) string {
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.title
	}
	return tableRow(titles, widths)
}
