package api

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

// resultsSurveyBody has an optional rating, so that the rating's count differs from the responses.
func resultsSurveyBody(title string) map[string]any {
	return map[string]any{
		"title": title, "purpose": "satisfaction",
		"questions": []map[string]any{
			{"id": "quality", "kind": "single", "text": "施工质量", "options": []string{"满意", "基本满意", "不满意"}, "required": true},
			{"id": "extras", "kind": "multiple", "text": "希望保留的设施", "options": []string{"充电桩", "晾晒架", "休闲座椅"}},
			{"id": "score", "kind": "rating", "text": "总体评分"},
			{"id": "remarks", "kind": "text", "text": "其他意见"},
		},
	}
}

// surveyAnswerRow is one household's paper answers in the results tests.
type surveyAnswerRow struct {
	room    string
	quality string
	extras  []string
	score   int // 0: left out
	remark  string
}

func (r surveyAnswerRow) answers() []map[string]any {
	out := []map[string]any{answer("quality", "choice", r.quality)}
	if len(r.extras) > 0 {
		out = append(out, answer("extras", "choices", r.extras))
	}
	if r.score > 0 {
		out = append(out, answer("score", "rating", r.score))
	}
	if r.remark != "" {
		out = append(out, answer("remarks", "text", r.remark))
	}
	return out
}

var resultsRows = []surveyAnswerRow{
	{"101", "满意", []string{"充电桩"}, 5, "电梯井施工很规范"},
	{"102", "满意", []string{"充电桩", "晾晒架"}, 4, ""},
	{"103", "基本满意", nil, 4, ""},
	{"104", "不满意", []string{"休闲座椅"}, 3, "雨水管还在漏"},
	{"105", "满意", nil, 5, ""},
	{"106", "基本满意", []string{"充电桩"}, 2, ""},
	{"107", "满意", nil, 3, ""},
	{"108", "不满意", nil, 3, ""},
	{"109", "满意", nil, 0, ""},
}

// TestSurveyResultsArithmetic enters nine paper responses and checks the counts per
// option, the rating's count and sum, and its mean against a direct computation with
// exact fractions (29/8 = 3.625 rounds half up to 3.63), in JSON and in the workbook.
func TestSurveyResultsArithmetic(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		for room, id := range w.createHouseholds(w.estateID, "107", "108", "109") {
			w.household[room] = id
		}
		survey := w.openSurvey(resultsSurveyBody("竣工满意度测评"))
		wantOptions := map[string]int64{}
		var sum, rated int64
		var texts []string
		for _, row := range resultsRows {
			w.srv.must(http.StatusOK, "PUT", "/api/v1/surveys/"+survey.ID+"/responses/"+w.household[row.room], w.worker,
				map[string]any{"answers": row.answers()})
			wantOptions["quality/"+row.quality]++
			for _, e := range row.extras {
				wantOptions["extras/"+e]++
			}
			if row.score > 0 {
				sum += int64(row.score)
				rated++
			}
			if row.remark != "" {
				texts = append(texts, row.remark)
			}
		}
		wantMean := new(big.Rat).SetFrac64(sum, rated).FloatString(2)

		results := w.surveyResults(survey.ID)
		if results.Responses != int64(len(resultsRows)) {
			t.Errorf("responses %d, want %d", results.Responses, len(resultsRows))
		}
		for _, id := range []string{"quality", "extras"} {
			for _, o := range questionResult(t, results, id).Options {
				if o.Count != wantOptions[id+"/"+o.Option] {
					t.Errorf("%s/%s: %d, want %d", id, o.Option, o.Count, wantOptions[id+"/"+o.Option])
				}
			}
		}
		score := questionResult(t, results, "score")
		if score.Rating == nil || score.Rating.Count != rated || score.Rating.Sum != sum || score.Rating.Mean == nil || *score.Rating.Mean != wantMean {
			t.Fatalf("rating %+v, want count %d sum %d mean %s", score.Rating, rated, sum, wantMean)
		}
		if wantMean != "3.63" {
			t.Fatalf("the fixture should exercise rounding half up (29/8), got %s", wantMean)
		}
		perRating := int64(0)
		for _, c := range score.Rating.Counts {
			perRating += c.Count
		}
		if perRating != rated || score.Answered != rated {
			t.Errorf("per-rating counts add up to %d, answered %d, want %d", perRating, score.Answered, rated)
		}
		if remarks := questionResult(t, results, "remarks"); strings.Join(remarks.Texts, "|") != strings.Join(texts, "|") {
			t.Errorf("texts %v, want %v", remarks.Texts, texts)
		}

		xlsx := w.srv.must(http.StatusOK, "GET", "/api/v1/surveys/"+survey.ID+"/results?format=xlsx", w.designer, nil)
		book, err := excelize.OpenReader(bytes.NewReader(xlsx.Body))
		if err != nil {
			t.Fatalf("the workbook does not open: %v", err)
		}
		defer book.Close()
		rows, err := book.GetRows("统计")
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]bool{}
		for _, r := range rows {
			line := strings.Join(r, "|")
			found[line] = true
		}
		for _, want := range []string{
			fmt.Sprintf("|答卷户数||%d", len(resultsRows)),
			fmt.Sprintf("quality|施工质量|满意|%d", wantOptions["quality/满意"]),
			fmt.Sprintf("score|总体评分|合计|%d|%s", rated, wantMean),
		} {
			if !found[want] {
				t.Errorf("the workbook lacks the row %q: %v", want, rows)
			}
		}
		textRows, err := book.GetRows("文字意见")
		if err != nil || len(textRows) != 1+len(texts) {
			t.Errorf("text sheet: %v (%v)", textRows, err)
		}
		if code := w.srv.call("GET", "/api/v1/surveys/"+survey.ID+"/results", w.residentToken(t), nil).Status; code != http.StatusForbidden {
			t.Errorf("a resident reading results: %d, want 403", code)
		}
	})
}

// residentToken binds a resident to room 106 and returns their token.
func (w *residentWorld) residentToken(t *testing.T) string {
	t.Helper()
	token, _ := w.bind("openid-survey-results", "106")
	return token
}

// TestSurveyMeanRounding checks the mean's decimal string against exact fractions.
func TestSurveyMeanRounding(t *testing.T) {
	for _, tc := range []struct{ sum, count int64 }{{9, 2}, {29, 8}, {13, 3}, {14, 3}, {5, 1}, {1, 3}, {2, 3}, {4999, 1000}, {4995, 1000}} {
		want := new(big.Rat).SetFrac64(tc.sum, tc.count).FloatString(2)
		if got := (service.RatingSummary{Count: tc.count, Sum: tc.sum}).Mean(); got != want {
			t.Errorf("%d/%d: %s, want %s", tc.sum, tc.count, got, want)
		}
	}
	if got := (service.RatingSummary{}).Mean(); got != "" {
		t.Errorf("no ratings: %q, want empty", got)
	}
}

// TestSurveyOneResponsePerHouseholdUnderConcurrency records a household's paper answers
// from many goroutines at once: every write succeeds and exactly one response remains.
func TestSurveyOneResponsePerHouseholdUnderConcurrency(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		survey := w.openSurvey(resultsSurveyBody("并发测试"))
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for i := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := w.srv.svc.RecordPaperSurveyResponse(context.Background(), service.SystemActor(), survey.ID, w.household["101"],
					[]service.SurveyAnswer{{QuestionID: "quality", Choice: "满意"}, {QuestionID: "score", Rating: 1 + i%5}})
				if err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("a concurrent answer failed: %v", err)
		}
		var n int64
		if err := db.Gorm.Model(&model.SurveyResponse{}).Where("survey_id = ?", survey.ID).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("%d responses of one household, want 1", n)
		}
		if results := w.surveyResults(survey.ID); results.Responses != 1 || questionResult(t, results, "score").Rating.Count != 1 {
			t.Errorf("results after concurrent answers: %+v", results)
		}
	})
}
