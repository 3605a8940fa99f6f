package api

import (
	"net/http"
	"strings"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// TestAnswerNeedsPublicSummary fails on the code before public_summary, where
// an answer needed none and the board published the resident's own text.
func TestAnswerNeedsPublicSummary(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv := newTestServer(t, db)
		e := newObjectionEstate(t, srv, srv.adminToken(), "summary")
		objection := e.object("", "101", "parking", "地面停车位", "我是101的张三，电话13812345678，停车位太少")
		path := "/api/v1/objections/" + objection.ID + "/response"
		for name, summary := range map[string]any{
			"missing": nil, "blank": "   ", "too long": strings.Repeat("长", 201), "not a string": 42,
		} {
			body := map[string]any{"outcome": "not_adopted", "explanation": "地下车库不在本次改造范围"}
			if summary != nil {
				body["public_summary"] = summary
			}
			env := expectError(t, srv.call("POST", path, e.designer, body), http.StatusUnprocessableEntity, "validation_failed")
			if name != "not a string" && env.Error.Fields["public_summary"] == "" {
				t.Errorf("%s: the error names no public_summary: %+v", name, env.Error)
			}
		}
		var unchanged objectionResponse
		srv.must(http.StatusOK, "GET", "/api/v1/objections/"+objection.ID, e.designer, nil).decode(t, &unchanged)
		if unchanged.Status != "open" || unchanged.Answer != nil {
			t.Fatalf("a refused answer changed the objection: %+v", unchanged)
		}

		summary := strings.Repeat("停", 200)
		var answered objectionResponse
		srv.must(http.StatusOK, "POST", path, e.designer, map[string]any{"outcome": "not_adopted",
			"explanation": "地下车库不在本次改造范围", "public_summary": "  " + summary + " "}).decode(t, &answered)
		if answered.Answer == nil || answered.Answer.PublicSummary != summary {
			t.Fatalf("answer %+v, want the trimmed 200-character summary", answered.Answer)
		}
		answers, err := srv.svc.PublicAnswers(t.Context(), e.estateID)
		if err != nil {
			t.Fatal(err)
		}
		if len(answers) != 1 || answers[0].PublicSummary != summary || answers[0].Explanation != "地下车库不在本次改造范围" {
			t.Fatalf("public answers %+v", answers)
		}
		for _, path := range []string{"/notice/summary-estate", "/api/v1/public/estates/summary-estate"} {
			body := string(srv.must(http.StatusOK, "GET", path, "", nil).Body)
			if !strings.Contains(body, summary) {
				t.Errorf("%s lacks the public summary", path)
			}
			for _, private := range []string{"13812345678", "张三", "停车位太少", objection.ID} {
				if strings.Contains(body, private) {
					t.Errorf("%s shows the resident's %q", path, private)
				}
			}
		}
	})
}

// TestDesignersGetNoHouseholdIDs fails on the code before, where a designer
// read household.id in objection views and then the room at /households/{id}.
func TestDesignersGetNoHouseholdIDs(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv := newTestServer(t, db)
		e := newObjectionEstate(t, srv, srv.adminToken(), "rooms")
		household := e.household["301"]
		objection := e.object("", "301", "elevator", "1号楼2单元电梯", "电梯挡住采光")
		reads := map[string]string{
			"one":      "/api/v1/objections/" + objection.ID,
			"list":     "/api/v1/estates/" + e.estateID + "/objections",
			"feedback": "/api/v1/estates/" + e.estateID + "/feedback",
		}
		for name, path := range reads {
			body := srv.must(http.StatusOK, "GET", path, e.designer, nil).Body
			if strings.Contains(string(body), household) || strings.Contains(string(body), `"301"`) {
				t.Errorf("%s: the designer reads the household's id or room: %s", name, body)
			}
		}
		var seen objectionResponse
		srv.must(http.StatusOK, "GET", reads["one"], e.designer, nil).decode(t, &seen)
		if seen.Household == nil || seen.Household.Building != "1" || seen.Household.Unit != "2" || seen.Household.ID != "" {
			t.Fatalf("the designer's household view %+v, want building and unit only", seen.Household)
		}
		var staff objectionResponse
		srv.must(http.StatusOK, "GET", reads["one"], e.worker, nil).decode(t, &staff)
		if staff.Household == nil || staff.Household.ID != household || staff.Household.Room != "301" {
			t.Fatalf("the worker's household view %+v, want the id and room", staff.Household)
		}
		for _, path := range []string{"/api/v1/households/" + household, "/api/v1/households/" + household + "/residents",
			"/api/v1/estates/" + e.estateID + "/households"} {
			expectError(t, srv.call("GET", path, e.designer, nil), http.StatusForbidden, "forbidden")
		}
	})
}

// TestResidentsSeeNoStaffIDs fails on the code before, where answered_by,
// closed_by, published_by and history actor_id gave residents staff user ids.
func TestResidentsSeeNoStaffIDs(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		s := w.srv
		token, residentID := w.bind("openid-no-ids", "101")
		var mine objectionResponse
		s.must(http.StatusCreated, "POST", "/api/v1/estates/"+w.estateID+"/objections", token, map[string]any{
			"household_id": w.household["101"], "category": "greening", "content": "希望保留大树"}).decode(t, &mine)
		var answered objectionResponse
		s.must(http.StatusOK, "POST", "/api/v1/objections/"+mine.ID+"/response", w.designer, map[string]any{
			"outcome": "adopted", "public_summary": "居民希望保留大树"}).decode(t, &answered)
		var closed objectionResponse
		s.must(http.StatusOK, "POST", "/api/v1/objections/"+mine.ID+"/follow-up", w.worker, map[string]any{
			"satisfied": true}).decode(t, &closed)
		var revision revisionResponse
		s.must(http.StatusCreated, "POST", "/api/v1/estates/"+w.estateID+"/revisions", w.designer, map[string]any{
			"title": "保留大树", "addresses": []string{mine.ID}}).decode(t, &revision)
		designerID, workerID := answered.Answer.AnsweredBy.ID, closed.FollowUp.ClosedBy.ID
		if designerID == "" || workerID == "" || revision.PublishedBy.ID != designerID {
			t.Fatalf("staff readers must still see ids: answered by %+v, closed by %+v, published by %+v",
				answered.Answer.AnsweredBy, closed.FollowUp.ClosedBy, revision.PublishedBy)
		}

		for _, path := range []string{"/api/v1/me/objections", "/api/v1/objections/" + mine.ID,
			"/api/v1/estates/" + w.estateID + "/revisions", "/api/v1/revisions/" + revision.ID, "/api/v1/me/rounds"} {
			body := string(s.must(http.StatusOK, "GET", path, token, nil).Body)
			for name, id := range map[string]string{"designer": designerID, "worker": workerID, "resident": residentID} {
				if strings.Contains(body, id) {
					t.Errorf("GET %s shows the resident the %s's user id", path, name)
				}
			}
			if strings.Contains(body, `"actor_id"`) {
				t.Errorf("GET %s has actor_id for a resident", path)
			}
		}
		var seen objectionResponse
		s.must(http.StatusOK, "GET", "/api/v1/objections/"+mine.ID, token, nil).decode(t, &seen)
		if a := seen.Answer; a == nil || a.AnsweredBy == nil || a.AnsweredBy.Role != "designer" || a.AnsweredBy.DisplayName != "res-designer" {
			t.Fatalf("answered_by for the resident: %+v", seen.Answer)
		}
		if f := seen.FollowUp; f == nil || f.ClosedBy == nil || f.ClosedBy.Role != "worker" || f.ClosedBy.DisplayName != "res-worker" {
			t.Fatalf("closed_by for the resident: %+v", seen.FollowUp)
		}
		wantActors := []personJSON{{Role: "resident", DisplayName: "居民"}, {Role: "designer", DisplayName: "res-designer"},
			{Role: "worker", DisplayName: "res-worker"}}
		if len(seen.History) != len(wantActors) {
			t.Fatalf("history %+v", seen.History)
		}
		for i, want := range wantActors {
			if seen.History[i].Actor != want {
				t.Errorf("history %d actor %+v, want %+v", i, seen.History[i].Actor, want)
			}
		}
		var revisions listResponse[revisionResponse]
		s.must(http.StatusOK, "GET", "/api/v1/estates/"+w.estateID+"/revisions", token, nil).decode(t, &revisions)
		if len(revisions.Items) != 1 || revisions.Items[0].PublishedBy != (personJSON{Role: "designer", DisplayName: "res-designer"}) {
			t.Fatalf("published_by for the resident: %+v", revisions.Items)
		}
	})
}
