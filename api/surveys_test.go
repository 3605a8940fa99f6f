package api

import (
	"net/http"
	"strings"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// TestSurveyAnswersFromResidentsAndPaper carries a needs survey from draft to close: a
// resident answers for their household and replaces the answer while the survey is open
// (one response per household), cannot answer for another household, a worker enters a
// paper form, and after closing every answer is refused with 409 survey_not_open.
func TestSurveyAnswersFromResidentsAndPaper(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		srv := w.srv
		resident, _ := w.bind("openid-survey-101", "101")
		draft := w.draftSurvey(sampleSurveyBody())
		if draft.Status != "draft" || len(draft.Questions) != 4 || draft.Template != nil {
			t.Fatalf("drafted survey: %+v", draft)
		}
		// A draft is hidden from residents and cannot be answered.
		if code := srv.call("GET", "/api/v1/surveys/"+draft.ID, resident, nil).errorCode(); code != "survey_not_found" {
			t.Errorf("a resident reading a draft: %s, want survey_not_found", code)
		}
		if resp := w.paperAnswers(draft.ID, "102", answer("priority", "choice", "外墙保温"), answer("current", "rating", 3)); resp.errorCode() != "survey_not_open" {
			t.Errorf("paper answers to a draft: %d %s, want 409 survey_not_open", resp.Status, resp.errorCode())
		}
		var mine listResponse[residentSurveyResponse]
		srv.must(http.StatusOK, "GET", "/api/v1/me/surveys", resident, nil).decode(t, &mine)
		if len(mine.Items) != 0 {
			t.Fatalf("a draft is listed to residents: %+v", mine.Items)
		}

		srv.must(http.StatusOK, "POST", "/api/v1/surveys/"+draft.ID+"/open", w.worker, nil)
		if code := srv.call("POST", "/api/v1/surveys/"+draft.ID+"/open", w.worker, nil).errorCode(); code != "survey_not_draft" {
			t.Errorf("opening twice: %s, want survey_not_draft", code)
		}
		srv.must(http.StatusOK, "GET", "/api/v1/me/surveys", resident, nil).decode(t, &mine)
		if len(mine.Items) != 1 || mine.Items[0].ID != draft.ID || len(mine.Items[0].MyResponses) != 0 {
			t.Fatalf("my surveys once open: %+v", mine.Items)
		}

		// The resident answers, then changes the answer: one response, the latest.
		path := "/api/v1/surveys/" + draft.ID + "/my-response"
		srv.must(http.StatusOK, "PUT", path, resident, map[string]any{"answers": []map[string]any{
			answer("priority", "choice", "外墙保温"), answer("current", "rating", 2), answer("remarks", "text", "楼道太暗")}})
		var replaced surveyAnswersResponse
		srv.must(http.StatusOK, "PUT", path, resident, map[string]any{"answers": []map[string]any{
			answer("priority", "choice", "加装电梯"), answer("extras", "choices", []string{"充电桩", "快递柜"}), answer("current", "rating", 4)}}).decode(t, &replaced)
		if replaced.HouseholdID != w.household["101"] || replaced.Channel != "online" || len(replaced.Answers) != 3 {
			t.Errorf("replaced response: %+v", replaced)
		}
		// Naming a household the resident is not bound to: 404, nothing recorded.
		resp := srv.call("PUT", path, resident, map[string]any{"household_id": w.household["102"],
			"answers": []map[string]any{answer("priority", "choice", "雨污分流"), answer("current", "rating", 1)}})
		if resp.Status != http.StatusNotFound || resp.errorCode() != "household_not_found" {
			t.Errorf("answering for another household: %d %s, want 404 household_not_found", resp.Status, resp.errorCode())
		}
		// A household of another estate, through the worker's paper route: 404.
		resp = srv.call("PUT", "/api/v1/surveys/"+draft.ID+"/responses/"+w.otherHouse, w.worker, map[string]any{
			"answers": []map[string]any{answer("priority", "choice", "雨污分流"), answer("current", "rating", 1)}})
		if resp.Status != http.StatusNotFound {
			t.Errorf("paper answers for another estate's household: %d, want 404", resp.Status)
		}
		var paper surveyAnswersResponse
		w.paperAnswers(draft.ID, "102", answer("priority", "choice", "雨污分流"), answer("current", "rating", 5)).decode(t, &paper)
		if paper.Channel != "paper" || paper.HouseholdID != w.household["102"] {
			t.Errorf("paper response: %+v", paper)
		}

		results := w.surveyResults(draft.ID)
		priority := questionResult(t, results, "priority")
		if results.Responses != 2 || priority.Answered != 2 || priority.Options[0].Count != 0 || priority.Options[1].Count != 1 || priority.Options[2].Count != 1 {
			t.Errorf("results after a replacement: %d responses, priority %+v", results.Responses, priority)
		}
		if remarks := questionResult(t, results, "remarks"); len(remarks.Texts) != 0 {
			t.Errorf("the replaced answer's text is still counted: %v", remarks.Texts)
		}
		srv.must(http.StatusOK, "GET", "/api/v1/me/surveys", resident, nil).decode(t, &mine)
		if len(mine.Items) != 1 || len(mine.Items[0].MyResponses) != 1 || mine.Items[0].MyResponses[0].Answers[0].Choice != "加装电梯" {
			t.Errorf("my surveys with my response: %+v", mine.Items)
		}

		srv.must(http.StatusOK, "POST", "/api/v1/surveys/"+draft.ID+"/close", w.worker, nil)
		resp = srv.call("PUT", path, resident, map[string]any{"answers": []map[string]any{answer("priority", "choice", "外墙保温"), answer("current", "rating", 1)}})
		if resp.Status != http.StatusConflict || resp.errorCode() != "survey_not_open" {
			t.Errorf("answering a closed survey: %d %s, want 409 survey_not_open", resp.Status, resp.errorCode())
		}
		if resp := w.paperAnswers(draft.ID, "103", answer("priority", "choice", "外墙保温"), answer("current", "rating", 1)); resp.Status != http.StatusConflict {
			t.Errorf("paper answers to a closed survey: %d, want 409", resp.Status)
		}
		if code := srv.call("POST", "/api/v1/surveys/"+draft.ID+"/close", w.worker, nil).errorCode(); code != "survey_not_open" {
			t.Errorf("closing twice: %s, want survey_not_open", code)
		}
		if after := w.surveyResults(draft.ID); after.Responses != 2 {
			t.Errorf("a refused answer changed the results: %d responses", after.Responses)
		}
		srv.must(http.StatusOK, "GET", "/api/v1/me/surveys", resident, nil).decode(t, &mine)
		if len(mine.Items) != 0 {
			t.Errorf("a closed survey is still listed as open to residents: %+v", mine.Items)
		}
	})
}

// TestSurveyRefusesBadQuestionsAndAnswers sends drafts and answers that break the rules;
// each is refused with validation_failed naming the field, and nothing is recorded.
func TestSurveyRefusesBadQuestionsAndAnswers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		srv := w.srv
		badDrafts := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"no title", map[string]any{"purpose": "needs", "questions": []map[string]any{{"id": "a", "kind": "text", "text": "x"}}}, "title"},
			{"unknown purpose", map[string]any{"title": "t", "purpose": "vote", "questions": []map[string]any{{"id": "a", "kind": "text", "text": "x"}}}, "purpose"},
			{"no questions", map[string]any{"title": "t", "purpose": "needs", "questions": []map[string]any{}}, "questions"},
			{"unknown kind", map[string]any{"title": "t", "purpose": "needs", "questions": []map[string]any{{"id": "a", "kind": "essay", "text": "x"}}}, "questions[0].kind"},
			{"one option", map[string]any{"title": "t", "purpose": "needs", "questions": []map[string]any{{"id": "a", "kind": "single", "text": "x", "options": []string{"只有一个"}}}}, "questions[0].options"},
			{"repeated option", map[string]any{"title": "t", "purpose": "needs", "questions": []map[string]any{{"id": "a", "kind": "multiple", "text": "x", "options": []string{"甲", "甲"}}}}, "questions[0].options[1]"},
			{"options on a rating", map[string]any{"title": "t", "purpose": "needs", "questions": []map[string]any{{"id": "a", "kind": "rating", "text": "x", "options": []string{"甲", "乙"}}}}, "questions[0].options"},
			{"repeated id", map[string]any{"title": "t", "purpose": "needs", "questions": []map[string]any{{"id": "a", "kind": "text", "text": "x"}, {"id": "a", "kind": "text", "text": "y"}}}, "questions[1].id"},
			{"bad id", map[string]any{"title": "t", "purpose": "needs", "questions": []map[string]any{{"id": "A B", "kind": "text", "text": "x"}}}, "questions[0].id"},
			{"unknown template", map[string]any{"template": "beijing"}, "template"},
			{"template with questions", map[string]any{"template": "xuchang-satisfaction", "questions": []map[string]any{{"id": "a", "kind": "text", "text": "x"}}}, "questions"},
			{"past closing", map[string]any{"title": "t", "purpose": "needs", "closes_at": "2000-01-01T00:00:00+08:00", "questions": []map[string]any{{"id": "a", "kind": "text", "text": "x"}}}, "closes_at"},
		}
		for _, tc := range badDrafts {
			resp := srv.call("POST", "/api/v1/estates/"+w.estateID+"/surveys", w.worker, tc.body)
			fields := errorFields(t, resp)
			if resp.Status != http.StatusUnprocessableEntity || fields[tc.field] == "" {
				t.Errorf("%s: %d %s, want 422 naming %s", tc.name, resp.Status, resp.Body, tc.field)
			}
		}
		var list listResponse[surveyResponse]
		srv.must(http.StatusOK, "GET", "/api/v1/estates/"+w.estateID+"/surveys", w.worker, nil).decode(t, &list)
		if len(list.Items) != 0 {
			t.Fatalf("refused drafts were stored: %+v", list.Items)
		}

		survey := w.openSurvey(sampleSurveyBody())
		badAnswers := []struct {
			name    string
			answers []map[string]any
			field   string
		}{
			{"required missing", []map[string]any{answer("priority", "choice", "外墙保温")}, "answers.current"},
			{"unknown option", []map[string]any{answer("priority", "choice", "拆掉重建"), answer("current", "rating", 3)}, "answers[0].choice"},
			{"rating 6", []map[string]any{answer("priority", "choice", "外墙保温"), answer("current", "rating", 6)}, "answers[1].rating"},
			{"rating -1", []map[string]any{answer("priority", "choice", "外墙保温"), answer("current", "rating", -1)}, "answers[1].rating"},
			{"choices on a single", []map[string]any{answer("priority", "choices", []string{"外墙保温"}), answer("current", "rating", 3)}, "answers[0]"},
			{"repeated choice", []map[string]any{answer("priority", "choice", "外墙保温"), answer("extras", "choices", []string{"充电桩", "充电桩"}), answer("current", "rating", 3)}, "answers[1].choices"},
			{"unknown question", []map[string]any{answer("priority", "choice", "外墙保温"), answer("current", "rating", 3), answer("colour", "text", "红")}, "answers[2].question_id"},
			{"same question twice", []map[string]any{answer("priority", "choice", "外墙保温"), answer("priority", "choice", "加装电梯"), answer("current", "rating", 3)}, "answers[1].question_id"},
			{"long text", []map[string]any{answer("priority", "choice", "外墙保温"), answer("current", "rating", 3), answer("remarks", "text", strings.Repeat("长", 2001))}, "answers[2].text"},
		}
		for _, tc := range badAnswers {
			resp := w.paperAnswers(survey.ID, "101", tc.answers...)
			fields := errorFields(t, resp)
			if resp.Status != http.StatusUnprocessableEntity || fields[tc.field] == "" {
				t.Errorf("%s: %d %s, want 422 naming %s", tc.name, resp.Status, resp.Body, tc.field)
			}
		}
		// Reasons are Chinese by default and English on request.
		resp := srv.call("PUT", "/api/v1/surveys/"+survey.ID+"/responses/"+w.household["101"], w.worker,
			map[string]any{"answers": []map[string]any{answer("priority", "choice", "拆掉重建"), answer("current", "rating", 3)}}, "Accept-Language", "en")
		if got := errorFields(t, resp)["answers[0].choice"]; got != "must be one of the question's options" {
			t.Errorf("English reason: %q", got)
		}
		resp = w.paperAnswers(survey.ID, "101", answer("priority", "choice", "拆掉重建"), answer("current", "rating", 3))
		if got := errorFields(t, resp)["answers[0].choice"]; got != "应为该题的选项之一" {
			t.Errorf("Chinese reason: %q", got)
		}
		if results := w.surveyResults(survey.ID); results.Responses != 0 {
			t.Errorf("refused answers were recorded: %d responses", results.Responses)
		}
		if resp := srv.call("GET", "/api/v1/surveys/"+survey.ID+"/results?format=pdf", w.worker, nil); errorFields(t, resp)["format"] == "" {
			t.Errorf("an unknown format: %d %s", resp.Status, resp.Body)
		}
	})
}

// errorFields reads the fields of an error envelope.
func errorFields(t *testing.T, resp *testResponse) map[string]string {
	t.Helper()
	var env struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	resp.decode(t, &env)
	return env.Error.Fields
}

// TestSurveyXuchangTemplate drafts the built-in satisfaction form.
func TestSurveyXuchangTemplate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		s := w.draftSurvey(map[string]any{"template": "xuchang-satisfaction"})
		if s.Purpose != "satisfaction" || s.Template == nil || *s.Template != "xuchang-satisfaction" || s.Title == "" {
			t.Fatalf("template survey: %+v", s)
		}
		texts := 0
		for _, q := range s.Questions {
			switch q.Kind {
			case "single":
				if strings.Join(q.Options, "/") != "满意/基本满意/不满意" || !q.Required {
					t.Errorf("item %s: options %v, required %v", q.ID, q.Options, q.Required)
				}
			case "text":
				texts++
			default:
				t.Errorf("unexpected question %+v", q)
			}
		}
		if texts != 1 || len(s.Questions) < 6 {
			t.Errorf("want several rated items and one open question, got %+v", s.Questions)
		}
		titled := w.draftSurvey(map[string]any{"template": "xuchang-satisfaction", "title": "三号院改造满意度测评"})
		if titled.Title != "三号院改造满意度测评" {
			t.Errorf("the given title was not kept: %q", titled.Title)
		}
	})
}

// TestSurveyListsArePagedAndResidentsOfSeveralHouseholdsNameOne pages an estate's surveys
// and a resident's open surveys, and has a resident bound to two households name the one
// they answer for (422 household_required otherwise).
func TestSurveyListsArePagedAndResidentsOfSeveralHouseholdsNameOne(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		srv := w.srv
		resident, _ := w.bind("openid-survey-two", "103", "104")
		var ids []string
		for range 3 {
			ids = append(ids, w.openSurvey(sampleSurveyBody()).ID)
		}
		for _, path := range []string{"/api/v1/estates/" + w.estateID + "/surveys", "/api/v1/me/surveys"} {
			token := w.worker
			if strings.HasPrefix(path, "/api/v1/me/") {
				token = resident
			}
			var first, second listResponse[surveyResponse]
			srv.must(http.StatusOK, "GET", path+"?limit=2", token, nil).decode(t, &first)
			if len(first.Items) != 2 || first.NextCursor == "" || first.Items[0].ID != ids[0] {
				t.Fatalf("%s first page: %+v", path, first)
			}
			srv.must(http.StatusOK, "GET", path+"?limit=2&cursor="+first.NextCursor, token, nil).decode(t, &second)
			if len(second.Items) != 1 || second.NextCursor != "" || second.Items[0].ID != ids[2] {
				t.Errorf("%s second page: %+v", path, second)
			}
			if resp := srv.call("GET", path+"?limit=0", token, nil); resp.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s?limit=0: %d, want 422", path, resp.Status)
			}
		}
		answers := []map[string]any{answer("priority", "choice", "外墙保温"), answer("current", "rating", 4)}
		path := "/api/v1/surveys/" + ids[0] + "/my-response"
		resp := srv.call("PUT", path, resident, map[string]any{"answers": answers})
		if resp.Status != http.StatusUnprocessableEntity || resp.errorCode() != "household_required" {
			t.Errorf("two households, none named: %d %s, want 422 household_required", resp.Status, resp.errorCode())
		}
		for _, room := range []string{"103", "104"} {
			srv.must(http.StatusOK, "PUT", path, resident, map[string]any{"household_id": w.household[room], "answers": answers})
		}
		var mine listResponse[residentSurveyResponse]
		srv.must(http.StatusOK, "GET", "/api/v1/me/surveys?limit=1", resident, nil).decode(t, &mine)
		if len(mine.Items) != 1 || len(mine.Items[0].MyResponses) != 2 {
			t.Errorf("my responses for two households: %+v", mine.Items)
		}
	})
}
