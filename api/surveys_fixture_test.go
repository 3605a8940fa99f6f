package api

import (
	"net/http"
	"testing"
)

// sampleSurveyBody is a survey with a question of every kind.
func sampleSurveyBody() map[string]any {
	return map[string]any{
		"title": "改造需求调查", "purpose": "needs",
		"questions": []map[string]any{
			{"id": "priority", "kind": "single", "text": "最希望先改造哪一项", "options": []string{"外墙保温", "雨污分流", "加装电梯"}, "required": true},
			{"id": "extras", "kind": "multiple", "text": "还希望增加哪些设施", "options": []string{"充电桩", "晾晒架", "休闲座椅", "快递柜"}},
			{"id": "current", "kind": "rating", "text": "对现在居住环境的评分", "required": true},
			{"id": "remarks", "kind": "text", "text": "其他意见"},
		},
	}
}

// draftSurvey has the worker draft a survey of the world's estate.
func (w *residentWorld) draftSurvey(body map[string]any) surveyResponse {
	w.t.Helper()
	var out surveyResponse
	w.srv.must(http.StatusCreated, "POST", "/api/v1/estates/"+w.estateID+"/surveys", w.worker, body).decode(w.t, &out)
	return out
}

// openSurvey drafts a survey and opens it.
func (w *residentWorld) openSurvey(body map[string]any) surveyResponse {
	w.t.Helper()
	s := w.draftSurvey(body)
	var out surveyResponse
	w.srv.must(http.StatusOK, "POST", "/api/v1/surveys/"+s.ID+"/open", w.worker, nil).decode(w.t, &out)
	return out
}

// paperAnswers has the worker enter a room's paper answers.
func (w *residentWorld) paperAnswers(surveyID, room string, answers ...map[string]any) *testResponse {
	w.t.Helper()
	return w.srv.call("PUT", "/api/v1/surveys/"+surveyID+"/responses/"+w.household[room], w.worker, map[string]any{"answers": answers})
}

// surveyResults reads a survey's results as the worker.
func (w *residentWorld) surveyResults(surveyID string) surveyResultsJSON {
	w.t.Helper()
	var out surveyResultsJSON
	w.srv.must(http.StatusOK, "GET", "/api/v1/surveys/"+surveyID+"/results", w.worker, nil).decode(w.t, &out)
	return out
}

// questionResult finds a question's figures in results.
func questionResult(t *testing.T, results surveyResultsJSON, id string) questionResultJSON {
	t.Helper()
	for _, q := range results.Questions {
		if q.ID == id {
			return q
		}
	}
	t.Fatalf("no results of question %s", id)
	return questionResultJSON{}
}

// answer builds one answer.
func answer(questionID string, fields ...any) map[string]any {
	a := map[string]any{"question_id": questionID}
	for i := 0; i+1 < len(fields); i += 2 {
		a[fields[i].(string)] = fields[i+1]
	}
	return a
}

// roleWorldSurveyBody is the open survey of the route × role world; the sample bodies
// of the answering routes answer its one question.
var roleWorldSurveyBody = map[string]any{
	"title": "角色测试问卷", "purpose": "other",
	"questions": []map[string]any{{"id": "q", "kind": "single", "text": "是否满意", "options": []string{"好", "不好"}, "required": true}},
}
