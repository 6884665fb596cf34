package tui

import "strings"

// column is one column of a table: its title, its width, and its priority
// (columns of lower priority are dropped first when the table is too wide).
// A width of 0 makes the column take the room left, at least min cells
// (defaultMinFlex when 0). A hidden column is left out.
type column struct {
	title    string
	width    int
	min      int
	priority int
	hidden   bool
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
// column, 0 for a dropped one. Columns are separated by one space.
func layoutColumns(cols []column, total int) []int {
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
