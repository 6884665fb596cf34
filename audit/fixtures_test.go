package audit

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// expectedVerdicts is a fixture app's expected.json: the verdict of each
// static check, written by hand from the migration guide, and which kind
// of public app the fixture models.
type expectedVerdicts struct {
	Models string            `json:"models"`
	Checks map[string]Status `json:"checks"`
}

// TestFixtureVerdicts audits every fixture app under testdata and compares
// each static check's verdict with the one its expected.json gives.
func TestFixtureVerdicts(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "*", "expected.json"))
	if err != nil || len(dirs) < 15 {
		t.Fatalf("fixture apps: %v, %v", dirs, err)
	}
	agree, total := 0, 0
	var table []string
	for _, path := range dirs {
		dir := filepath.Dir(path)
		name := filepath.Base(dir)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var want expectedVerdicts
		if err := json.Unmarshal(data, &want); err != nil || want.Models == "" || len(want.Checks) != len(staticCheckList) {
			t.Fatalf("%s: %v (every fixture says what it models and gives every static check)", path, err)
		}
		res := scan(t, dir)
		row := []string{name}
		for _, c := range staticChecks(res) {
			total++
			w, ok := want.Checks[c.ID]
			if !ok {
				t.Errorf("%s: no expected verdict for %s", name, c.ID)
			}
			mark := string(c.Status)
			if c.Status == w {
				agree++
			} else {
				mark += " (want " + string(w) + ")"
				t.Errorf("%s: %s = %s (%s), want %s\n%s", name, c.ID, c.Status, c.Detail, w, evidenceLines(c))
			}
			row = append(row, mark)
		}
		table = append(table, strings.Join(row, " | "))
		for _, f := range res.Findings {
			if f.Message == "" || f.Line < 1 {
				t.Errorf("%s: finding %s without a message or line", name, f.Location())
			}
		}
	}
	t.Logf("verdicts agreeing: %d of %d\n%s", agree, total, strings.Join(table, "\n"))
}

func evidenceLines(c *Check) string {
	var out []string
	for _, e := range c.Evidence {
		out = append(out, "    "+e.String())
	}
	return strings.Join(out, "\n")
}

// TestFixtureFindingsOnce: no finding is reported twice at one place, and
// every finding of a fixture belongs to exactly one check.
func TestFixtureFindingsOnce(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "*", "expected.json"))
	for _, path := range dirs {
		res := scan(t, filepath.Dir(path))
		seen := map[string]bool{}
		for _, f := range res.Findings {
			key := fmt.Sprint(f.Location(), f.Rule, f.Message)
			if seen[key] {
				t.Errorf("%s: %s reported twice", path, key)
			}
			seen[key] = true
			n := 0
			for _, sc := range staticCheckList {
				if slices.Contains(slices.Concat(sc.problems, sc.good, sc.manual), f.Rule) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s: rule %s belongs to %d checks", path, f.Rule, n)
			}
		}
	}
}
