package store

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// sqlOutsideTheStore finds what only the store may write: GORM itself, its
// handle, statements for a batch, dialect branches and SQL text (a keyword
// starting a string, or a column condition such as "estate_id = ?").
var sqlOutsideTheStore = regexp.MustCompile(`"gorm\.io/|\.Gorm\b|model\.Statement|model\.MySQL|model\.SQLite|\.Dialect\b|` +
	"[\"`]\\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE)\\s|[\"`][a-z_.]+ (=|<>|<|>|<=|>=|IN|IS|LIKE) (\\?|\\(|NULL|NOT)")

// TestEverySQLStatementIsInTheStore: no production file outside the store
// (and model, which opens the database and migrates it) holds SQL, a GORM
// handle or a dialect branch: the service keeps the rules, the store the
// statements.
func TestEverySQLStatementIsInTheStore(t *testing.T) {
	t.Parallel()
	var checked int
	for _, dir := range []string{"..", "../service", "../service/rule", "../api", "../console", "../wechat"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			checked++
			for i, line := range strings.Split(string(src), "\n") {
				if m := sqlOutsideTheStore.FindString(line); m != "" {
					t.Errorf("%s:%d: %q belongs in the store: %s", file, i+1, m, strings.TrimSpace(line))
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("checked only %d files: the directories moved", checked)
	}
}

// TestTheBoundaryCheckFindsSQL: the check above recognises what it looks for.
func TestTheBoundaryCheckFindsSQL(t *testing.T) {
	t.Parallel()
	for _, line := range []string{
		`import "gorm.io/gorm"`, `tx.Gorm().Where("id = ?", id)`, `q.Where("estate_id = ? AND status = ?", a, b)`,
		`query := "SELECT id FROM rounds"`, "s := `UPDATE tally_counters SET n = n + 1`", `if s.db.Dialect == model.MySQL {`,
		`Where("closes_at IS NOT NULL")`, `var st []model.Statement`,
	} {
		if !sqlOutsideTheStore.MatchString(line) {
			t.Errorf("not recognised as SQL: %s", line)
		}
	}
	for _, line := range []string{`fields["channel"] = "must be paper, door or proxy"`, `return tx.HouseholdByID(id)`,
		`Conflict("round_not_open", "the round is "+row.Status)`, `"status": "open"`} {
		if sqlOutsideTheStore.MatchString(line) {
			t.Errorf("recognised as SQL, but is not: %s", line)
		}
	}
}
