package faulttest

import (
	"strings"
	"testing"

	"minyi/model"
)

// TestServerRefusesANewerSchema migrates a database with "minyi migrate",
// marks it as migrated by a future release, and checks that the server
// refuses to start on it.
func TestServerRefusesANewerSchema(t *testing.T) {
	eachDatabase(t, func(t *testing.T, databaseURL, dataDir string) {
		if out, code := runCommand(t, databaseURL, dataDir, "migrate"); code != 0 {
			t.Fatalf("minyi migrate: exit %d\n%s", code, out)
		}
		if out, code := runCommand(t, databaseURL, dataDir, "migrate"); code != 0 {
			t.Fatalf("minyi migrate, twice: exit %d\n%s", code, out)
		}
		db, err := model.Open(databaseURL)
		if err != nil {
			t.Fatal(err)
		}
		err = db.Gorm.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from a future release', '2030-01-01 00:00:00')").Error
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		out, code := runCommand(t, databaseURL, dataDir, "serve")
		if code == 0 || !strings.Contains(out, "newer") || !strings.Contains(out, "99") {
			t.Fatalf("serve on a newer schema: exit %d, want a refusal naming version 99\n%s", code, out)
		}
	})
}
