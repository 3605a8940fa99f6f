package api

import (
	"net/http"
	"strings"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// TestNoticeBoardShowsOnlyClosedSurveysWithFiveResponses closes one survey with five
// responses, one with four, and leaves one with six open: only the first reaches the
// board's JSON and page, with counts and the mean rating and without any text answer.
func TestNoticeBoardShowsOnlyClosedSurveysWithFiveResponses(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		const secret = "三楼住户私下说的话"
		fill := func(title string, rooms []string, close bool) {
			s := w.openSurvey(resultsSurveyBody(title))
			for i, room := range rooms {
				row := surveyAnswerRow{room: room, quality: "满意", score: 3 + i%3, remark: secret}
				w.srv.must(http.StatusOK, "PUT", "/api/v1/surveys/"+s.ID+"/responses/"+w.household[room], w.worker,
					map[string]any{"answers": row.answers()})
			}
			if close {
				w.srv.must(http.StatusOK, "POST", "/api/v1/surveys/"+s.ID+"/close", w.admin, nil)
			}
		}
		fill("五户答卷的满意度测评", []string{"101", "102", "103", "104", "105"}, true)
		fill("四户答卷的测评", []string{"101", "102", "103", "104"}, true)
		fill("仍在进行的测评", []string{"101", "102", "103", "104", "105", "106"}, false)

		var board struct {
			Surveys []noticeSurveyJSON `json:"surveys"`
		}
		resp := w.srv.must(http.StatusOK, "GET", "/api/v1/public/estates/hepingli", "", nil)
		resp.decode(t, &board)
		if len(board.Surveys) != 1 || board.Surveys[0].Title != "五户答卷的满意度测评" || board.Surveys[0].Responses != 5 {
			t.Fatalf("board surveys: %+v", board.Surveys)
		}
		var ratingShown bool
		for _, q := range board.Surveys[0].Questions {
			if q.Kind == "text" {
				t.Errorf("a text question is on the board: %+v", q)
			}
			if q.Rating != nil {
				// Scores 3, 4, 5, 3, 4: 19/5.
				ratingShown = q.Rating.Mean != nil && *q.Rating.Mean == "3.80" && q.Rating.Sum == 19
			}
		}
		if !ratingShown {
			t.Errorf("the mean rating 3.80 is not on the board: %+v", board.Surveys[0].Questions)
		}
		page := string(w.srv.must(http.StatusOK, "GET", "/notice/hepingli", "", nil).Body)
		for _, body := range []string{string(resp.Body), page} {
			if strings.Contains(body, secret) || strings.Contains(body, "四户答卷") || strings.Contains(body, "仍在进行") {
				t.Errorf("the board shows a text answer or a survey it should not: %.2000s", body)
			}
		}
		if !strings.Contains(page, "五户答卷的满意度测评") || !strings.Contains(page, "平均 3.80 分") || !strings.Contains(page, "满意 5 户") {
			t.Errorf("the page lacks the closed survey's figures")
		}
	})
}
