package api

import (
	"net/http"
	"strings"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// TestLongChinesePasswordsAre422: a password of 30 Chinese characters is
// 90 bytes, over bcrypt's 72, and answered 500. Lengths are checked in
// bytes: 422 naming the password, on creation and on change; 24 Chinese
// characters (72 bytes) are accepted and log in. Fails on the old code
// (500 internal_error).
func TestLongChinesePasswordsAre422(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newTestServer(t, db)
		admin := s.adminToken()
		tooLong := strings.Repeat("旧改征询", 8)[:90] // 30 characters, 90 bytes
		env := expectError(t, s.call("POST", "/api/v1/users", admin,
			map[string]string{"username": "longpass", "password": tooLong, "role": "worker"}), http.StatusUnprocessableEntity, "validation_failed")
		if env.Error.Fields["password"] == "" {
			t.Errorf("fields %v do not name the password", env.Error.Fields)
		}
		fits := strings.Repeat("旧改征询", 6) // 24 characters, 72 bytes
		var u struct{ ID string }
		s.must(http.StatusCreated, "POST", "/api/v1/users", admin,
			map[string]string{"username": "longpass", "password": fits, "role": "worker"}).decode(t, &u)
		s.login("longpass", fits)
		expectError(t, s.call("PATCH", "/api/v1/users/"+u.ID, admin, map[string]any{"password": tooLong}), http.StatusUnprocessableEntity, "validation_failed")
	})
}
