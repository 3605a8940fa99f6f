package api

import (
	"fmt"
	"net/http"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

// TestBindingGuessesAreLimitedPerAddress: over HTTP, fresh accounts from one
// client address (every test request comes from 192.0.2.1) share the
// address's budget of wrong codes, and a used code answers like an unknown
// one, message included. Before: each new account had a fresh budget.
func TestBindingGuessesAreLimitedPerAddress(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		code := w.bindingCode("101")
		w.srv.must(http.StatusCreated, "POST", "/api/v1/me/bindings", w.login("o-owner").AccessToken, map[string]string{"code": code})

		var token string
		for i := 0; i < service.MaxBindingFailuresPerAddress; i++ {
			if i%service.MaxBindingFailures == 0 {
				token = w.login(fmt.Sprintf("o-guesser-%d", i)).AccessToken
			}
			guess := fmt.Sprintf("XXXX%04d", i)
			if i == 0 {
				guess = code // someone else's used code: counted and answered as unknown
			}
			resp := w.srv.call("POST", "/api/v1/me/bindings", token, map[string]string{"code": guess})
			env := expectError(t, resp, http.StatusUnprocessableEntity, "binding_code_invalid")
			if env.Error.Message != "绑定码不正确，请核对后重新输入" || env.Error.Fields["code"] != "绑定码不正确" {
				t.Fatalf("try %d answered %s", i, resp.Body)
			}
		}
		resp := w.srv.call("POST", "/api/v1/me/bindings", w.login("o-guesser-fresh").AccessToken, map[string]string{"code": "XXXXNEXT"})
		expectError(t, resp, http.StatusTooManyRequests, "too_many_binding_attempts")
		if resp.Header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
	})
}
