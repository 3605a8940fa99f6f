package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// TestAdminHandlerServesProfiles checks the admin listener's handler serves
// the profiler, and that the public router does not.
func TestAdminHandlerServesProfiles(t *testing.T) {
	admin := AdminHandler()
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap?debug=1", "/debug/pprof/goroutine?debug=1", "/debug/pprof/cmdline"} {
		rec := httptest.NewRecorder()
		admin.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
			t.Errorf("admin GET %s: status %d, %d bytes", path, rec.Code, rec.Body.Len())
		}
	}
	rec := httptest.NewRecorder()
	admin.ServeHTTP(rec, httptest.NewRequest("GET", "/debug/pprof/heap?debug=1", nil))
	if !strings.Contains(rec.Body.String(), "heap profile") {
		t.Errorf("the heap profile does not look like one: %.200s", rec.Body.String())
	}

	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv := newTestServer(t, db)
		srv.must(http.StatusNotFound, "GET", "/debug/pprof/", "", nil)
	})
}
