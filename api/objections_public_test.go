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
