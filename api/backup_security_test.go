package api

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// backupFixture writes an estate with a household (with a phone number), a
// round and a sign-off, and returns the ids to read back.
type backupFixture struct {
	estateID, householdID, roundID string
}

func writeBackupFixture(t *testing.T, db *model.DB) backupFixture {
	t.Helper()
	s := newTestServer(t, db)
	admin := s.adminToken()
	var f backupFixture
	var estate estateResponse
	s.must(http.StatusCreated, "POST", "/api/v1/estates", admin, map[string]any{"name": "备份小区", "code": "backup"}).decode(t, &estate)
	f.estateID = estate.ID
	var created createHouseholdsResponse
	s.must(http.StatusCreated, "POST", "/api/v1/estates/"+f.estateID+"/households", admin, map[string]any{"items": []map[string]any{
		{"building": "1", "unit": "1", "room": "101", "area_m2": 80.25, "owner_name": "赵六", "phone": "13911112222"}}}).decode(t, &created)
	f.householdID = created.Items[0].ID
	var round roundResponse
	s.must(http.StatusCreated, "POST", "/api/v1/estates/"+f.estateID+"/rounds", admin, map[string]any{"title": "备份前的征询", "kind": "willingness"}).decode(t, &round)
	f.roundID = round.ID
	s.must(http.StatusOK, "POST", "/api/v1/rounds/"+f.roundID+"/open", admin, nil)
	s.must(http.StatusOK, "PUT", "/api/v1/rounds/"+f.roundID+"/signoffs/"+f.householdID, admin, map[string]any{
		"decision": "agree", "channel": "paper", "signer_name": "赵六"})
	return f
}

// checkRestored reads the fixture back from a restored database: the admin
// can log in, the household's phone opens, the sign-off and tally are there.
func checkRestored(t *testing.T, db *model.DB, f backupFixture) {
	t.Helper()
	s := newTestServer(t, db)
	admin := s.login("admin", "admin-password")
	var h householdResponse
	s.must(http.StatusOK, "GET", "/api/v1/households/"+f.householdID, admin, nil).decode(t, &h)
	if h.Phone != "13911112222" || h.OwnerName != "赵六" || h.AreaM2 != Area(8025) {
		t.Errorf("restored household %+v", h)
	}
	var tally struct {
		Participated struct{ Households int64 } `json:"participated"`
		Recount      *struct {
			Matches bool `json:"matches"`
		} `json:"recount"`
	}
	s.must(http.StatusOK, "GET", "/api/v1/rounds/"+f.roundID+"/tally?recount=true", admin, nil).decode(t, &tally)
	if tally.Participated.Households != 1 || tally.Recount == nil || !tally.Recount.Matches {
		t.Errorf("restored tally %+v", tally)
	}
}

// TestSQLiteBackupAndRestore backs up the embedded database the three ways
// SECURITY.md describes (a copy of the data directory with the service
// stopped, VACUUM INTO while it runs, and sqlite3's .backup when the tool is
// installed), restores each into a fresh directory and reads the data back.
func TestSQLiteBackupAndRestore(t *testing.T) {
	dir := t.TempDir()
	source := filepath.Join(dir, "data", "minyi.db")
	db, err := model.Open("sqlite:" + source)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	f := writeBackupFixture(t, db)

	// restore copies the backup's files into a fresh data directory (the
	// first as minyi.db, the others keeping their suffix) and reads it back.
	restore := func(t *testing.T, backup string, companions ...string) {
		t.Helper()
		restored := filepath.Join(t.TempDir(), "data", "minyi.db")
		os.MkdirAll(filepath.Dir(restored), 0o750)
		copyFile(t, backup, restored)
		for _, c := range companions {
			copyFile(t, c, restored+strings.TrimPrefix(c, backup))
		}
		rdb, err := model.Open("sqlite:"+restored, model.WithKeys(db.Keys())) // the key travels beside the backup
		if err != nil {
			t.Fatal(err)
		}
		defer rdb.Close()
		if err := rdb.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		checkRestored(t, rdb, f)
	}

	t.Run("VACUUM INTO while running", func(t *testing.T) {
		backup := filepath.Join(t.TempDir(), "online.db")
		if err := db.Gorm.Exec("VACUUM INTO ?", backup).Error; err != nil {
			t.Fatal(err)
		}
		restore(t, backup)
	})
	t.Run("sqlite3 .backup", func(t *testing.T) {
		if _, err := exec.LookPath("sqlite3"); err != nil {
			t.Skip("sqlite3 is not installed")
		}
		backup := filepath.Join(t.TempDir(), "cli.db")
		if out, err := exec.Command("sqlite3", source, ".backup '"+backup+"'").CombinedOutput(); err != nil {
			t.Fatalf("sqlite3 .backup: %v: %s", err, out)
		}
		restore(t, backup)
	})
	t.Run("copy of the data directory, service stopped", func(t *testing.T) {
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		// The whole directory: a -wal file left beside the database belongs to it.
		var companions []string
		for _, suffix := range []string{"-wal", "-shm"} {
			if _, err := os.Stat(source + suffix); err == nil {
				companions = append(companions, source+suffix)
			}
		}
		restore(t, source, companions...)
	})
}

// TestMySQLDumpAndRestore dumps a MySQL database with mysqldump
// --single-transaction, loads the dump into an empty database with the
// mysql client, and reads the data back.
func TestMySQLDumpAndRestore(t *testing.T) {
	sourceURL := testdb.MySQLURL(t)
	for _, tool := range []string{"mysqldump", "mysql"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	db, err := model.Open(sourceURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	f := writeBackupFixture(t, db)

	dump, err := exec.Command("mysqldump", append(mysqlClientArgs(t, sourceURL), "--single-transaction", "--routines", "--default-character-set=utf8mb4", databaseOf(sourceURL))...).Output()
	if err != nil {
		t.Fatalf("mysqldump: %v", err)
	}
	targetURL := testdb.MySQLURL(t)
	load := exec.Command("mysql", append(mysqlClientArgs(t, targetURL), "--default-character-set=utf8mb4", databaseOf(targetURL))...)
	load.Stdin = bytes.NewReader(dump)
	if out, err := load.CombinedOutput(); err != nil {
		t.Fatalf("mysql < dump: %v: %s", err, out)
	}
	restored, err := model.Open(targetURL, model.WithKeys(db.Keys()))
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if err := restored.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkRestored(t, restored, f)
}

// mysqlClientArgs turns mysql://user:pass@host:port/db into client flags.
func mysqlClientArgs(t *testing.T, databaseURL string) []string {
	u, err := url.Parse(databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"--protocol=TCP", "-h", u.Hostname(), "-u", u.User.Username()}
	if port := u.Port(); port != "" {
		args = append(args, "-P", port)
	}
	if pass, ok := u.User.Password(); ok {
		args = append(args, "-p"+pass)
	}
	return args
}

func databaseOf(databaseURL string) string {
	u, _ := url.Parse(databaseURL)
	return strings.TrimPrefix(u.Path, "/")
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
