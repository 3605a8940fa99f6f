package api

import (
	"net/http"
	"strings"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// TestOnlyCanonicalIDsAreAccepted: an admin could disable their own account
// through the upper-case spelling of their id (MySQL matched the row, the
// check in Go did not). Ids in paths and JSON bodies are accepted
// only as canonical lower-case UUIDs: 404 in paths, 422 naming
// the field in bodies. Fails on the old code on MariaDB (the PATCH answered
// 200 and the admin was disabled).
func TestOnlyCanonicalIDsAreAccepted(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newTestServer(t, db)
		admin := s.adminToken()
		var me struct{ User struct{ ID string } }
		s.must(http.StatusOK, "GET", "/api/v1/me", admin, nil).decode(t, &me)
		upper := strings.ToUpper(me.User.ID)
		expectError(t, s.call("PATCH", "/api/v1/users/"+upper, admin, map[string]any{"disabled": true}), http.StatusNotFound, "user_not_found")
		s.must(http.StatusOK, "GET", "/api/v1/me", admin, nil)

		var estate struct{ ID string }
		s.must(http.StatusCreated, "POST", "/api/v1/estates", admin, map[string]any{"name": "编号小区"}).decode(t, &estate)
		for _, bad := range []string{strings.ToUpper(estate.ID), "{" + estate.ID + "}", strings.ReplaceAll(estate.ID, "-", ""), estate.ID + " "} {
			expectError(t, s.call("GET", "/api/v1/estates/"+strings.ReplaceAll(bad, " ", "%20"), admin, nil), http.StatusNotFound, "estate_not_found")
		}
		s.must(http.StatusOK, "GET", "/api/v1/estates/"+estate.ID, admin, nil)

		env := expectError(t, s.call("POST", "/api/v1/estates/"+estate.ID+"/rounds", admin,
			map[string]any{"title": "一轮", "revision_id": strings.ToUpper(estate.ID)}), http.StatusUnprocessableEntity, "validation_failed")
		if env.Error.Fields["revision_id"] == "" {
			t.Errorf("fields %v do not name revision_id", env.Error.Fields)
		}
	})
}

// TestNonCanonicalIDFindsNestedIDs checks the body walk on nested values.
func TestNonCanonicalIDFindsNestedIDs(t *testing.T) {
	const good = "01a22e1b-c1b8-7505-9e3c-d1925da13fab"
	type record struct {
		ClientID    string `json:"client_id"`
		HouseholdID string `json:"household_id"`
	}
	type body struct {
		RevisionID *string  `json:"revision_id"`
		UploadIDs  []string `json:"upload_ids"`
		Records    []record `json:"records"`
	}
	upper := strings.ToUpper(good)
	for want, b := range map[string]body{
		"":             {RevisionID: ptr(good), UploadIDs: []string{good}, Records: []record{{ClientID: "Phone-1", HouseholdID: good}}},
		"revision_id":  {RevisionID: ptr(upper)},
		"upload_ids":   {UploadIDs: []string{good, upper}},
		"household_id": {Records: []record{{HouseholdID: good}, {HouseholdID: upper}}},
	} {
		if got := nonCanonicalID(&b); got != want {
			t.Errorf("nonCanonicalID = %q, want %q", got, want)
		}
	}
}

func ptr[T any](v T) *T { return &v }
