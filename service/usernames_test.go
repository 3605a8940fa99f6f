package service

import (
	"context"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
)

// TestCanonicalUsername pins the canonical spelling: NFKC, trimmed, lower case.
func TestCanonicalUsername(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"victim": "victim", "VICTIM": "victim", "victim    ": "victim", " Victim\t": "victim",
		"ｖｉｃｔｉｍ": "victim", "ＶＩＣＴＩＭ": "victim", "wang.li-2": "wang.li-2",
	} {
		if got := CanonicalUsername(in); got != want {
			t.Errorf("CanonicalUsername(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCanonicaliseUsernamesRewritesLegacyRows: names an earlier release
// stored as typed ("Wang.Li", " Zhao ") are rewritten once, with an audit
// event, so that login by the canonical name finds them on both databases;
// a second run changes nothing.
func TestCanonicaliseUsernamesRewritesLegacyRows(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		svc := newService(db)
		now := time.Now()
		for _, name := range []string{"Wang.Li", " Zhao ", "already"} {
			u := model.User{ID: newID(), Username: name, PasswordHash: "x", DisplayName: name, Role: RoleWorker, CreatedAt: now, UpdatedAt: now}
			if err := db.Gorm.Create(&u).Error; err != nil {
				t.Fatal(err)
			}
		}
		renamed, clashes, err := svc.CanonicaliseUsernames(ctx)
		if err != nil || renamed != 2 || len(clashes) != 0 {
			t.Fatalf("renamed %d, clashes %v, err %v; want 2, none, nil", renamed, clashes, err)
		}
		var names []string
		db.Gorm.Model(&model.User{}).Order("username").Pluck("username", &names)
		if len(names) != 3 || names[0] != "already" || names[1] != "wang.li" || names[2] != "zhao" {
			t.Errorf("usernames %q, want [already wang.li zhao]", names)
		}
		if renamed, _, _ := svc.CanonicaliseUsernames(ctx); renamed != 0 {
			t.Errorf("second run renamed %d, want 0", renamed)
		}
	})
}
